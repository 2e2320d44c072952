"""The marshal cache of packaged knowledge files (``appwarden.knowledge.load_yaml``)."""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path

import pytest

import appwarden.knowledge as knowledge
from appwarden.errors import KnowledgeError


@pytest.fixture()
def kdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in knowledge directory and an empty cache directory."""
    folder = tmp_path / "knowledge"
    folder.mkdir()
    monkeypatch.setattr(knowledge, "KNOWLEDGE_DIR", folder)
    monkeypatch.setenv("APPWARDEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("APPWARDEN_NO_CACHE", raising=False)
    return folder


def _cache_files(folder: Path) -> list[Path]:
    return sorted((folder.parent / "cache" / "yaml").glob("*.marshal"))


def test_second_read_comes_from_the_cache(kdir: Path) -> None:
    path = kdir / "x.yaml"
    path.write_text("a: [1, 2]\nb: 中文\n", encoding="utf-8")
    assert knowledge.load_yaml(path) == {"a": [1, 2], "b": "中文"}
    (cached,) = _cache_files(kdir)
    # prove the second read uses the cache: tamper with the cached data, same file content
    cached.write_bytes(marshal.dumps({"from": "cache"}))
    assert knowledge.load_yaml(path) == {"from": "cache"}


def test_changed_content_is_parsed_again(kdir: Path) -> None:
    path = kdir / "x.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert knowledge.load_yaml(path) == {"a": 1}
    path.write_text("a: 2\n", encoding="utf-8")  # same size, maybe same mtime tick: keyed by content
    assert knowledge.load_yaml(path) == {"a": 2}


def test_integer_keys_survive_the_cache(kdir: Path) -> None:
    path = kdir / "x.yaml"
    path.write_text("filter:\n  1: accelerometer\n  4: gyroscope\n", encoding="utf-8")
    assert knowledge.load_yaml(path) == {"filter": {1: "accelerometer", 4: "gyroscope"}}
    assert len(_cache_files(kdir)) == 1
    assert knowledge.load_yaml(path) == {"filter": {1: "accelerometer", 4: "gyroscope"}}


def test_data_marshal_cannot_hold_is_not_cached(kdir: Path) -> None:
    path = kdir / "x.yaml"
    path.write_text("when: 2021-11-01\n", encoding="utf-8")
    first = knowledge.load_yaml(path)
    assert first["when"].year == 2021
    assert _cache_files(kdir) == []
    assert knowledge.load_yaml(path) == first


def test_files_outside_the_knowledge_dir_are_not_cached(kdir: Path, tmp_path: Path) -> None:
    path = tmp_path / "user-rule.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert knowledge.load_yaml(path) == {"a": 1}
    assert _cache_files(kdir) == []


def test_unreadable_cache_is_ignored_and_malformed_yaml_still_fails(kdir: Path) -> None:
    path = kdir / "x.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    knowledge.load_yaml(path)
    (cached,) = _cache_files(kdir)
    cached.write_bytes(b"\xff not marshal")
    assert knowledge.load_yaml(path) == {"a": 1}
    bad = kdir / "bad.yaml"
    bad.write_text("a: [1,\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"bad\.yaml:\d+"):
        knowledge.load_yaml(bad)


def test_read_only_cache_dir_only_means_no_cache(kdir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    path = kdir / "x.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert knowledge.load_yaml(path) == {"a": 1}
    shutil.rmtree(kdir)
