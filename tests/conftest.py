"""Shared test fixtures.

``shared_dir``/``corpus_dir`` point at ``../shared`` (override with APPWARDEN_SHARED); tests that need them skip
with a reason when absent. ``fixtures_dir`` holds the small committed fixtures (smali-built APKs, policies,
traces). Service fixtures skip when PostgreSQL/Redis/RabbitMQ are not reachable on 127.0.0.1.
"""

from __future__ import annotations

import csv
import os
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("APPWARDEN_SHARED", ROOT.parent / "shared"))
FIXTURES = ROOT / "tests" / "fixtures"


def _reachable(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not present at {SHARED} (set APPWARDEN_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def corpus_dir(shared_dir: Path) -> Path:
    corpus = shared_dir / "corpus"
    if not (corpus / "MANIFEST.tsv").is_file():
        pytest.skip(f"APK corpus not present at {corpus}")
    return corpus


@pytest.fixture(scope="session")
def corpus_manifest(corpus_dir: Path) -> list[dict[str, str]]:
    """Rows of corpus/MANIFEST.tsv (file, sha256, bytes, source_repo, ..., notes)."""
    with (corpus_dir / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="session")
def postgres_url() -> str:
    if not _reachable(5432):
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432")
    return os.environ.get("APPWARDEN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not _reachable(6379):
        pytest.skip("Redis not reachable on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/15"


@pytest.fixture(scope="session")
def amqp_url() -> str:
    if not _reachable(5672):
        pytest.skip("RabbitMQ not reachable on 127.0.0.1:5672")
    return "amqp://guest:guest@127.0.0.1:5672//"
