"""Packer detection on synthetic entry/class lists and on the corpus pair (same app before/after 360 Jiagu)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.sdk.packers import PACKERS, detect_packer

from .conftest import manifest


@pytest.mark.parametrize(
    ("entries", "classes", "app_class", "expected"),
    [
        (["assets/libjiagu.so", "assets/libjiagu_a64.so", "classes.dex"], [], None, "qihoo_jiagu"),
        ([], ["Lcom/stub/StubApp;"], None, "qihoo_jiagu"),
        ([], [], "com.stub.StubApp", "qihoo_jiagu"),
        (["lib/armeabi/libshella-2.10.8.0.so"], [], None, "tencent_legu"),
        (["assets/0OO00l111l1l"], [], "com.wrapper.proxyapplication.WrapperProxyApplication", "tencent_legu"),
        (["lib/armeabi-v7a/libsecexe.so", "lib/armeabi-v7a/libsecmain.so"], [], None, "bangcle"),
        (["lib/arm64-v8a/libDexHelper.so"], ["Lcom/secneo/apkwrapper/ApplicationWrapper;"], None, "bangcle"),
        (["assets/ijiami.dat"], [], "com.shell.SuperApplication", "ijiami"),
        (["lib/armeabi/libbaiduprotect.so"], [], None, "baidu_protect"),
        (["lib/armeabi/libnesec.so"], [], None, "netease_yidun"),
        (["assets/aliprotect.dat", "lib/armeabi/libmobisec.so"], [], None, "alibaba_mobisec"),
        (["assets/classes.dex.dat", "assets/dp.arm-v7.so.dat"], [], None, "dexprotector"),
    ],
)
def test_detects_packers(
    entries: list[str], classes: list[str], app_class: str | None, expected: str
) -> None:
    man = manifest("com.example.app", application=app_class) if app_class else None
    info = detect_packer(entries, classes, man)
    assert info is not None and info.id == expected
    assert info.matched


@pytest.mark.parametrize(
    ("entries", "classes"),
    [
        (["classes.dex", "lib/arm64-v8a/libnative-lib.so", "assets/fonts/a.ttf"], ["Lcom/example/Main;"]),
        (["lib/armeabi/libexec.so"], []),  # one weak signature is not enough
        (["assets/.appkey"], []),
        ([], ["Lcom/stub/StubAppX;", "Lcom/stubs/StubApp;"]),  # package boundaries
        (["lib/armeabi/libjiagu_helper.so"], []),
    ],
)
def test_no_packer(entries: list[str], classes: list[str]) -> None:
    assert detect_packer(entries, classes, manifest("com.example.app")) is None


def test_packer_ids_unique() -> None:
    ids = [p.id for p in PACKERS]
    assert len(ids) == len(set(ids))


@pytest.mark.corpus
def test_corpus_pair_before_and_after_jiagu(corpus_dir: Path) -> None:
    from appwarden.apk import open_apk
    from appwarden.dex.index import build_index

    results = {}
    for name in ("Reinforce__app-release.apk", "Reinforce__app-release_10_jiagu_sign.apk"):
        apk = open_apk(corpus_dir / "apks" / "cn_sdk" / name)
        code = build_index([(n, apk.read(n)) for n in apk.dex_names])
        results[name] = detect_packer(apk.entry_names, list(code.classes), apk.manifest)
    assert results["Reinforce__app-release.apk"] is None
    packed = results["Reinforce__app-release_10_jiagu_sign.apk"]
    assert packed is not None and packed.id == "qihoo_jiagu"
    assert "native_lib:libjiagu.so" in packed.matched and "asset:assets/.appkey" in packed.matched
    assert any(m.startswith(("manifest:com.stub.StubApp", "class:Lcom/stub/StubApp")) for m in packed.matched)


def test_missing_inputs_are_tolerated() -> None:
    assert detect_packer(None, None, None) is None  # type: ignore[arg-type]
