"""Fixtures for the attestation tests: a real report of the shop fixture APK (scanned once per session)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


@pytest.fixture(scope="session")
def shop_apk() -> Path:
    return FIXTURES / "shop.apk"


@pytest.fixture(scope="session")
def shop_report(tmp_path_factory: pytest.TempPathFactory, shop_apk: Path) -> Path:
    """The report ``appwarden scan`` writes for shop.apk (it has high findings: the result is FAILED)."""
    from appwarden.scan import scan_apk

    path = tmp_path_factory.mktemp("report") / "shop.json"
    path.write_text(json.dumps(scan_apk(shop_apk), ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def clean_report(tmp_path_factory: pytest.TempPathFactory, shop_report: Path) -> Path:
    """The same report after 整改: no findings left (the result is PASSED)."""
    report = json.loads(shop_report.read_text(encoding="utf-8"))
    report["findings"] = []
    path = tmp_path_factory.mktemp("report") / "shop-clean.json"
    path.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def minimal_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of minimal.apk (another app)."""
    from appwarden.scan import scan_apk

    path = tmp_path_factory.mktemp("report") / "minimal.json"
    path.write_text(json.dumps(scan_apk(FIXTURES / "minimal.apk"), ensure_ascii=False), encoding="utf-8")
    return path
