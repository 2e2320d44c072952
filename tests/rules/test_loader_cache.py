"""The packaged rules are cached on disk between processes, keyed by the rules version."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.rules import loader


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("APPWARDEN_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("APPWARDEN_NO_CACHE", raising=False)
    monkeypatch.setattr(loader, "_CACHE", {})
    return tmp_path


def test_disk_cache_round_trips_the_validated_rules(cache_dir: Path) -> None:
    parsed = loader.load_rules()
    files = list(cache_dir.glob("rules-*.json"))
    assert len(files) == 1 and loader.rules_version() in files[0].name
    loader._CACHE.clear()
    assert loader.load_rules() == parsed  # now read from the cache file


def test_corrupt_cache_is_ignored_and_rewritten(cache_dir: Path) -> None:
    target = cache_dir / f"rules-{loader.rules_version()}.json"
    target.write_text("[{not json")
    rules = loader.load_rules()
    assert rules and target.read_text().startswith("[")
    loader._CACHE.clear()
    assert loader.load_rules() == rules


def test_cache_can_be_disabled(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPWARDEN_NO_CACHE", "1")
    assert loader.load_rules()
    assert not list(cache_dir.glob("rules-*.json"))
