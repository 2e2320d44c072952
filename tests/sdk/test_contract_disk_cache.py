"""The SDK contracts' disk cache (issue #19, per-scan fixed costs): one file read instead of every contract file
parsed, identical contracts, and a damaged or stale cache is never used."""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path

import pytest

from appwarden.errors import KnowledgeError
from appwarden.sdk import contracts as mod


@pytest.fixture()
def contract_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("APPWARDEN_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "contracts"
    shutil.copytree(mod.CONTRACT_DIR, folder)
    mod._CACHE.clear()
    yield folder
    mod._CACHE.clear()


def _cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob("sdk-contracts-*.marshal"))


def test_a_second_process_reads_the_same_contracts_from_one_file(contract_dir: Path, tmp_path: Path) -> None:
    fresh = mod.load_contract_dir(contract_dir, mod._known_sdk_ids())
    first = mod.load_contracts(contract_dir)
    assert first == fresh and len(first) > 20
    files = _cache_files(tmp_path)
    assert len(files) == 1
    mod._CACHE.clear()  # what a new process sees: only the disk cache
    second = mod.load_contracts(contract_dir)
    assert second == fresh and second is not first


def test_a_damaged_cache_is_ignored(contract_dir: Path, tmp_path: Path) -> None:
    fresh = mod.load_contracts(contract_dir)
    (cache_file,) = _cache_files(tmp_path)
    good = cache_file.read_bytes()
    for raw in (
        b"garbage",
        good[:40],
        marshal.dumps({**marshal.loads(good), "fields": ("sdk_id",)}),
        marshal.dumps({"fields": mod.SdkContract.__slots__, "contracts": [("x",)]}),
    ):
        cache_file.write_bytes(raw)
        mod._CACHE.clear()
        assert mod.load_contracts(contract_dir) == fresh


def test_an_edited_contract_file_is_parsed_again(contract_dir: Path, tmp_path: Path) -> None:
    mod.load_contracts(contract_dir)
    victim = sorted(contract_dir.glob("*.yaml"))[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\nbroken: [\n", encoding="utf-8")
    mod._CACHE.clear()
    with pytest.raises(KnowledgeError):  # the edit is seen: the stale cache file is not used
        mod.load_contracts(contract_dir)
