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


def _content_hash() -> str:
    """The rules version computed the long way: every input file read and hashed."""
    import hashlib

    digest = hashlib.sha256()
    code_dir = Path(loader.__file__).resolve().parent
    code = sorted(code_dir.glob("*.py")) + sorted((code_dir / "predicates").glob("*.py"))
    screening = sorted((code_dir.parent / "screening").glob("*.py"))
    screening += sorted((loader.KNOWLEDGE_DIR / "screening").glob("*.yaml"))
    for path in [
        *loader.rule_files(),
        loader.REGULATIONS_FILE,
        loader.KNOWLEDGE_DIR / "necessary_pi.yaml",
        loader.KNOWLEDGE_DIR / "notice_types.yaml",
        *code,
        *screening,
    ]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def test_rules_version_is_the_content_hash_and_is_remembered_on_disk(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "_VERSIONS", {})
    assert loader.rules_version() == _content_hash()
    (memo,) = cache_dir.glob("rulesver-*.json")
    # a new process (empty in-process memo) takes the version from the memo file of the same file signature
    memo.write_text('"0123456789ab"')
    loader._VERSIONS.clear()
    assert loader.rules_version() == "0123456789ab"
    # a corrupt memo is ignored and rewritten
    memo.write_text("{oops")
    loader._VERSIONS.clear()
    assert loader.rules_version() == _content_hash()
    assert memo.read_text() == f'"{_content_hash()}"'


def test_rules_version_follows_an_edited_rule(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for src in loader.rule_files()[:3]:
        (rules / src.name).write_bytes(src.read_bytes())
    before = loader.rules_version(rules)
    target = rules / loader.rule_files()[0].name
    target.write_text(target.read_text() + "\n# edited\n")
    assert loader.rules_version(rules) != before
    assert len(loader.rule_files(rules)) == 3 and loader.rule_files(rules) == sorted(rules.glob("*.yaml"))


def test_a_cache_written_by_another_copy_of_the_package_names_this_copys_files(cache_dir: Path) -> None:
    # the cache file is keyed by the rules' content, so two checkouts (or a venv and a checkout) with the same rules
    # share it: the rule files it names must be this copy's, not those of whichever copy wrote it first
    elsewhere = "/elsewhere/src/appwarden/knowledge/rules"
    rules = loader.load_rules()
    loader._CACHE.clear()
    moved = [
        loader.Rule(**{**loader.asdict(r), "source": r.source.replace(str(loader.RULES_DIR), elsewhere)})
        for r in rules
    ]
    loader._write_disk_cache(loader._disk_cache_file(), moved)  # as the other copy writes it
    text = next(cache_dir.glob("rules-*.json")).read_text(encoding="utf-8")
    assert elsewhere not in text and str(loader.RULES_DIR) not in text
    again = loader.load_rules()
    assert again == rules
    assert all(Path(r.source).is_file() and Path(r.source).parent == loader.RULES_DIR for r in again)


def test_a_cache_naming_absolute_files_is_parsed_again(cache_dir: Path) -> None:
    rules = loader.load_rules()
    loader._CACHE.clear()
    target = cache_dir / f"rules-{loader.rules_version()}.json"
    stale = [{**loader.asdict(r), "source": "/gone/" + Path(r.source).name} for r in rules]
    import json

    target.write_text(json.dumps(stale), encoding="utf-8")
    assert loader.load_rules() == rules
