"""Fixtures for the DEX engine tests: the smali-built ``data/main.dex`` and the fixture APKs' DEX files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def dex_blobs_of(apk: Path) -> list[tuple[str, bytes]]:
    """Top-level ``classes*.dex`` entries of an APK in Android load order (zipfile; the APK reader is tested apart)."""
    with zipfile.ZipFile(apk) as z:
        names = [n for n in z.namelist() if n.startswith("classes") and n.endswith(".dex") and "/" not in n]

        def order(n: str) -> int:
            mid = n[len("classes") : -len(".dex")]
            return int(mid) if mid.isdigit() else 1

        return [(n, z.read(n)) for n in sorted(names, key=order)]


def corpus_dex_sets(corpus_dir: Path) -> list[list[tuple[str, bytes]]]:
    """:func:`dex_blobs_of` of every corpus APK that has DEX files, in path order; APKs zipfile refuses are left out
    (the APK reader is tested apart)."""
    sets = []
    for apk in sorted((corpus_dir / "apks").rglob("*.apk")):
        try:
            blobs = dex_blobs_of(apk)
        except Exception:  # APKs the reader refuses are not the subject of the tests that use this
            continue
        if blobs:
            sets.append(blobs)
    return sets


@pytest.fixture(scope="session")
def main_dex() -> bytes:
    return (DATA / "main.dex").read_bytes()


@pytest.fixture(scope="session")
def pi_all_blobs(fixtures_dir: Path) -> list[tuple[str, bytes]]:
    apk = fixtures_dir / "apks" / "pi_all.apk"
    if not apk.is_file():
        pytest.skip("tests/fixtures/apks/pi_all.apk not built")
    return dex_blobs_of(apk)


@pytest.fixture(scope="session")
def multidex_blobs(fixtures_dir: Path) -> list[tuple[str, bytes]]:
    apk = fixtures_dir / "apks" / "multidex.apk"
    if not apk.is_file():
        pytest.skip("tests/fixtures/apks/multidex.apk not built")
    return dex_blobs_of(apk)
