"""The knowledge cache keeps the newest files of each family and deletes older ones on write."""

from __future__ import annotations

import os
from pathlib import Path

from appwarden.knowledge import cache


def _make(path: Path, mtime_ns: int) -> None:
    path.write_text("{}")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_write_keeps_the_newest_files_of_its_family(tmp_path: Path) -> None:
    for i in range(12):
        _make(tmp_path / f"rules-{i:04x}.json", 1_000_000_000 * (i + 1))
    _make(tmp_path / "sdk-kb-aaaa.json", 1)  # another family: untouched
    _make(tmp_path / "rules-0000.txt", 1)  # another extension: untouched
    _make(tmp_path / ".rules-tmp.json", 1)  # a temporary file being written: untouched
    _make(tmp_path / "plain.json", 1)  # no family
    cache.write_json(tmp_path / "rules-ffff.json", ["new"])
    left = sorted(p.name for p in tmp_path.iterdir())
    family = [n for n in left if n.startswith("rules-") and n.endswith(".json")]
    assert len(family) == cache.KEEP
    assert "rules-ffff.json" in family  # the file just written is the newest
    assert family == sorted(
        ["rules-ffff.json"] + [f"rules-{i:04x}.json" for i in range(12 - cache.KEEP + 1, 12)]
    )
    assert {"sdk-kb-aaaa.json", "rules-0000.txt", ".rules-tmp.json", "plain.json"} <= set(left)
    assert cache.read_json(tmp_path / "rules-ffff.json") == ["new"]


def test_hyphenated_families_and_small_families(tmp_path: Path) -> None:
    for i in range(3):
        _make(tmp_path / f"sdk-kb-{i}.json", i + 1)
    cache.write_json(tmp_path / "sdk-kb-9.json", {})
    assert len(list(tmp_path.glob("sdk-kb-*.json"))) == 4  # under KEEP: nothing deleted
    cache.prune(tmp_path / "sdk-kb-9.json", keep=1)
    assert [p.name for p in tmp_path.iterdir()] == ["sdk-kb-9.json"]


def test_prune_ignores_a_missing_directory(tmp_path: Path) -> None:
    cache.prune(tmp_path / "gone" / "rules-1.json")  # no error
