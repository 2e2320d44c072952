"""The SDK knowledge base: shipped data meets the size/coverage targets, loading validates and overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.errors import KnowledgeError
from appwarden.knowledge import pi_categories
from appwarden.sdk.kb import CATEGORIES, load_directory, load_kb, normalise_package

from .conftest import write_sdk


def test_shipped_kb_size_and_coverage() -> None:
    kb = load_kb()
    assert len(kb) >= 400
    assert sum(1 for s in kb if s.chinese) >= 200
    curated_cn = {s.id for s in kb if s.curated and s.chinese}
    assert len(curated_cn) >= 60
    for must in ("umeng_analytics", "tencent_bugly", "tencent_tpns", "jpush", "jiguang_jcore", "getui_push",
                 "huawei_push", "xiaomi_push", "oppo_push", "vivo_push", "meizu_push", "honor_push",
                 "baidu_location", "baidu_map", "baidu_push", "amap_location", "tencent_map", "wechat_opensdk",
                 "qq_connect", "weibo_sdk", "alipay_sdk", "unionpay_sdk", "tencent_tinker", "aliyun_sophix",
                 "pangle", "tencent_gdt", "kuaishou_ads", "baidu_mobads", "sensors_analytics", "growingio",
                 "talkingdata", "sharesdk", "mob_smssdk", "mob_push", "shumei", "tongdun", "netease_yidun",
                 "alibaba_security", "iflytek_msc", "msa_oaid", "tencent_mta"):  # fmt: skip
        assert must in curated_cn, must


def test_shipped_records_are_well_formed() -> None:
    known_pi = set(pi_categories())
    for sdk in load_kb():
        assert sdk.category in CATEGORIES
        assert set(sdk.pi_collected) <= known_pi
        assert sdk.source, sdk.id
        assert all("/" not in p and not p.endswith(".") for p in sdk.packages), sdk.id
        if not sdk.curated:  # imported facts name their data set; nothing from Exodus/camille ships
            datasets = {s["dataset"] for s in sdk.source}
            assert datasets <= {"libchecker_rules", "libradar", "apk_analyzer"}, sdk.id


def test_load_is_cached_until_a_file_changes(tiny_kb_dir: Path) -> None:
    first = load_kb(tiny_kb_dir)
    assert load_kb(tiny_kb_dir) is first
    write_sdk(tiny_kb_dir, "curated", {"id": "newcomer", "signatures": {"packages": ["org.new"]}})
    second = load_kb(tiny_kb_dir)
    assert second is not first and "newcomer" in second


def test_curated_wins_over_imported(tmp_path: Path) -> None:
    write_sdk(tmp_path, "imported", {"id": "same", "name_en": "from import", "signatures": {"packages": ["com.a.b"]},
                                     "source": [{"dataset": "libradar"}]})  # fmt: skip
    write_sdk(
        tmp_path, "curated", {"id": "same", "name_en": "hand made", "signatures": {"packages": ["com.a.c"]}}
    )
    kb = load_directory(tmp_path)
    assert kb.get("same").name_en == "hand made"
    assert kb.get("same").packages == ("com.a.c",)
    assert len(kb.overridden) == 1


def test_duplicate_id_in_one_tier_is_an_error(tmp_path: Path) -> None:
    write_sdk(tmp_path, "curated", {"id": "dup", "signatures": {"packages": ["com.a.b"]}})
    (tmp_path / "dup.yaml").write_text((tmp_path / "curated" / "dup.yaml").read_text(), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="duplicate SDK id 'dup'"):
        load_directory(tmp_path)


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "curated"
    folder.mkdir()
    (folder / "bad.yaml").write_text("id: bad\nname_zh: x\nsignatures: {packages: [a.b\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_directory(tmp_path)
    assert "bad.yaml:" in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"category": "spyware"}, "unknown category"),
        ({"pi_collected": ["soul"]}, "unknown PI category"),
        ({"source": None}, "missing 'source'"),
        ({"signatures": {}}, "no signature"),
        ({"signatures": {"native_libs": ["re:lib(.so"]}}, "bad regex"),
        ({"signatures": {"packages": ["com..x"]}}, "bad package prefix"),
        ({"version_hints": [{"kind": "guess"}]}, "bad version_hints"),
    ],
)
def test_invalid_records_are_rejected_with_line(tmp_path: Path, patch: dict, message: str) -> None:
    record = {"id": "bad", "signatures": {"packages": ["com.a.b"]}, **patch}
    path = write_sdk(tmp_path, "curated", record)
    with pytest.raises(KnowledgeError, match=message) as err:
        load_directory(tmp_path)
    assert str(err.value).startswith(f"{path}:")


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = write_sdk(tmp_path, "curated", {"id": "one", "signatures": {"packages": ["com.a.b"]}})
    path.rename(path.with_name("two.yaml"))
    with pytest.raises(KnowledgeError, match="does not match the file name"):
        load_directory(tmp_path)


@pytest.mark.parametrize(
    ("raw", "dotted"),
    [("Lcom/umeng/analytics", "com.umeng.analytics"), ("Lcom/umeng/;", "com.umeng"), ("com.umeng.", "com.umeng"),
     ("com/tencent/mm", "com.tencent.mm"), ("Lu/aly", "u.aly"), ("LinkedIn", "LinkedIn")],
)  # fmt: skip
def test_normalise_package(raw: str, dotted: str) -> None:
    assert normalise_package(raw) == dotted


def test_smali_prefixes_in_files_are_normalised(tiny_kb_dir: Path) -> None:
    assert load_kb(tiny_kb_dir).get("wechat").packages == ("com.tencent.mm.opensdk",)


def test_disk_cache_round_trips_and_follows_file_changes(
    tiny_kb_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    import marshal

    from appwarden.sdk import kb as kbmod

    monkeypatch.setenv("APPWARDEN_CACHE_DIR", str(tmp_path / "cache"))
    fresh = kbmod.load_directory(tiny_kb_dir)
    kbmod._CACHE.clear()
    first = load_kb(tiny_kb_dir)  # parses, writes the cache
    cache_files = list((tmp_path / "cache").glob("sdk-kb-*.marshal"))
    assert len(cache_files) == 1
    kbmod._CACHE.clear()
    second = load_kb(tiny_kb_dir)  # a new process would read the cache file
    assert second is not first
    assert second.sdks == fresh.sdks == first.sdks
    assert second.overridden == fresh.overridden and second.directory == fresh.directory
    good = cache_files[0].read_bytes()
    damaged = [
        b"{not marshal",  # garbage
        good[: len(good) // 2],  # truncated
        marshal.dumps({**marshal.loads(good), "fields": ("id", "other")}),  # another record layout
        marshal.dumps({"fields": kbmod.SdkRecord.__slots__, "sdks": [("too", "short")]}),
        marshal.dumps([1, 2, 3]),
    ]
    for raw in damaged:  # a damaged cache is ignored (the files are parsed again), never an error
        cache_files[0].write_bytes(raw)
        kbmod._CACHE.clear()
        assert load_kb(tiny_kb_dir).sdks == fresh.sdks
    write_sdk(tiny_kb_dir, "curated", {"id": "later", "signatures": {"packages": ["org.later"]}})
    kbmod._CACHE.clear()
    assert "later" in load_kb(tiny_kb_dir)


def test_cache_stamp_covers_exactly_the_files_read(tmp_path: Path) -> None:
    """The disk-cache key (size and mtime of every file) lists the files the loader parses, in its order."""
    from appwarden.sdk import kb as kb_mod

    for where in ("imported/a.yaml", "imported/b.yaml", "curated/c.yaml", "loose.yaml", "curated/notes.txt"):
        (tmp_path / where).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / where).write_text("x: 1\n")
    expected = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for _, p in kb_mod._files(tmp_path))
    assert kb_mod._stamp(tmp_path) == expected
    assert [Path(p).name for p, _, _ in expected] == ["a.yaml", "b.yaml", "c.yaml", "loose.yaml"]
    assert kb_mod._stamp(kb_mod.SDK_DIR) == tuple(
        (str(p), p.stat().st_size, p.stat().st_mtime_ns) for _, p in kb_mod._files(kb_mod.SDK_DIR)
    )
