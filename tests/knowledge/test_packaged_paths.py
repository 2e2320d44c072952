"""Which YAML files :func:`appwarden.knowledge.load_yaml` caches: packaged knowledge only, decided without a
``realpath`` per file when the path is spelled under the knowledge directory (issue #19, per-scan fixed costs)."""

from __future__ import annotations

from pathlib import Path

from appwarden.knowledge import KNOWLEDGE_DIR, _packaged


def test_packaged_files_are_recognised(tmp_path: Path) -> None:
    assert _packaged(KNOWLEDGE_DIR / "pi_apis.yaml")
    assert _packaged(KNOWLEDGE_DIR / "sdk_contracts" / "jpush.yaml")
    assert _packaged(Path(str(KNOWLEDGE_DIR)) / "consent.yaml")


def test_other_files_are_not(tmp_path: Path) -> None:
    assert not _packaged(tmp_path / "rules.yaml")
    assert not _packaged(KNOWLEDGE_DIR / ".." / ".." / "pyproject.yaml")  # spelled under it, resolves outside
    assert not _packaged(
        Path(str(KNOWLEDGE_DIR) + "-other") / "x.yaml"
    )  # a sibling sharing the name's prefix


def test_relative_and_dotted_spellings_are_resolved(monkeypatch) -> None:
    monkeypatch.chdir(KNOWLEDGE_DIR)
    assert _packaged(Path("pi_apis.yaml"))
    assert _packaged(KNOWLEDGE_DIR / "rules" / ".." / "consent.yaml")
