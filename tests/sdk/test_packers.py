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


def _old_defined_class_hits(class_names: list[str]) -> dict:
    """_defined_class_hits before it read the sorted list's ends instead of a startswith per class (the oracle)."""
    from bisect import bisect_left

    from appwarden.sdk.packers import _CLASS_TABLE

    names = list(class_names)
    if all(n.startswith("L") for n in names):
        names.sort()
    else:
        names = sorted(d if d.startswith("L") else "L" + d.replace(".", "/") + ";" for d in names)
    hits: dict = {}
    for prefix, index, strong in _CLASS_TABLE:
        for start in (prefix + "$", prefix + "/", prefix + ";"):
            pos = bisect_left(names, start)
            bucket = hits.setdefault(index, ([], []))[0 if strong else 1]
            while pos < len(names) and names[pos].startswith(start[:-1]) and len(bucket) < 5:
                name = names[pos]
                if name.startswith(start) or (start.endswith(";") and name == start):
                    bucket.append(f"class:{name}")
                else:
                    break
                pos += 1
    return {k: v for k, v in hits.items() if v[0] or v[1]}


def test_defined_class_hits_as_before_on_mixed_names() -> None:
    """Descriptors, dotted names, empty and edge names ("K...", "M...", "L" alone, non-ASCII) in any mix: the same
    hits as the per-class test gave (the ends of the sorted list decide whether every name is a descriptor)."""
    import random

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from appwarden.sdk.packers import _defined_class_hits

    stubs = ["Lcom/stub/StubApp;", "Lcom/stub/StubApp$1;", "Lcom/secneo/apkwrapper/ApplicationWrapper;"]
    pool = [*stubs, "com.stub.StubApp", "com.shell.SuperApplication", "", "L", "K", "Kx;", "M", "Mz;", "La/B;",
            "L\u00e9;", "com.x.Y", "Lcom/wrapper/proxyapplication/WrapperProxyApplication;"]  # fmt: skip

    @settings(max_examples=300, deadline=2000)
    @given(st.lists(st.sampled_from(pool), max_size=12), st.randoms())
    def check(names: list[str], rnd: random.Random) -> None:
        rnd.shuffle(names)
        assert _defined_class_hits(names) == _old_defined_class_hits(names)

    check()
    assert _defined_class_hits(stubs) == _old_defined_class_hits(stubs) != {}
