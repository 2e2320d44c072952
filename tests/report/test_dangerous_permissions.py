"""The dangerous-permission list agrees with AOSP (as shipped in androguard's permission tables)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appwarden.report.permissions import DANGEROUS_PERMISSIONS, SPECIAL_PERMISSIONS, is_dangerous


def test_common_cases():
    assert is_dangerous("android.permission.READ_PHONE_STATE")
    assert is_dangerous("android.permission.ACCESS_FINE_LOCATION")
    assert not is_dangerous("android.permission.INTERNET")
    assert not DANGEROUS_PERMISSIONS & SPECIAL_PERMISSIONS


def test_matches_aosp_api34_protection_levels():
    androguard = pytest.importorskip("androguard", reason="androguard (bench extra) not installed")
    table = (
        Path(androguard.__file__).parent / "core/api_specific_resources/aosp_permissions/permissions_34.json"
    )
    if not table.is_file():
        pytest.skip(f"{table} not shipped by this androguard")
    perms = json.loads(table.read_text(encoding="utf-8"))["permissions"]
    aosp = {name for name, rec in perms.items() if "dangerous" in str(rec.get("protectionLevel", ""))}
    assert aosp == DANGEROUS_PERMISSIONS
