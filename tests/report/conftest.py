"""Fixtures for the report tests; the sample data lives in ``report_samples.py``."""

from __future__ import annotations

from typing import Any

import pytest
from report_samples import ENGINE, HOSTILE, Results, make_evidence, make_findings, make_results

from appwarden.evidence import Evidence, PackerInfo
from appwarden.report.json import build_report, validate_report


@pytest.fixture
def evidence() -> Evidence:
    return make_evidence()


@pytest.fixture
def report() -> dict[str, Any]:
    return validate_report(
        build_report(make_evidence(), make_results(), engine=ENGINE, meta={"source": "应用宝"})
    )


@pytest.fixture
def hostile_report() -> dict[str, Any]:
    """A report whose app-controlled strings try to inject markup, script and spreadsheet formulas."""
    ev = make_evidence(label=HOSTILE)
    ev.static.sdks[0].name_zh = HOSTILE
    ev.static.packer = PackerInfo(id="x", name=HOSTILE)
    findings = make_findings()
    findings[0].message_zh = HOSTILE
    findings[2].evidence[0]["sentence"] = HOSTILE
    return validate_report(
        build_report(
            ev, Results(findings=findings), engine=ENGINE, meta={"developer": HOSTILE, "source": "=1+1"}
        )
    )
