"""External engine plug-ins: results in our schema, labelled by engine; failures become errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.engines import get_engine, run_engines
from appwarden.errors import InputError

APKS = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def test_androguard_findings_are_labelled_and_schema_shaped() -> None:
    pytest.importorskip("androguard")
    findings, errors = run_engines(APKS / "pi_all.apk", ["androguard"])
    assert errors == []
    assert findings and all(f["engine"] == "androguard" for f in findings)
    perms = next(f for f in findings if f["rule_id"] == "androguard.dangerous_permissions")
    names = {e["name"] for e in perms["evidence"]}
    assert "android.permission.READ_PHONE_STATE" in names
    assert "android.permission.INTERNET" not in names  # normal, not dangerous


def test_engine_failure_is_an_error_entry_not_a_crash(tmp_path: Path) -> None:
    pytest.importorskip("androguard")
    bad = tmp_path / "bad.apk"
    bad.write_bytes(b"not a zip at all")
    findings, errors = run_engines(bad, ["androguard"])
    assert findings == []
    assert len(errors) == 1 and errors[0].stage == "engine:androguard"


def test_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="unknown engine"):
        get_engine("nope")
