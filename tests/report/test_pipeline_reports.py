"""Contract test: reports the real pipeline writes for the committed fixture APKs are schema-valid and render in
every format (the renderers read only the dict)."""

from __future__ import annotations

import json

import pytest

from appwarden.report import formats
from appwarden.report.json import dumps_report, schema_errors
from appwarden.report.terminal import summary_text

FIXTURE_APKS = ("pi_all.apk", "multidex.apk", "minimal.apk", "v1_only.apk", "v2_only.apk")


@pytest.fixture(scope="module")
def pipeline_reports(fixtures_dir):
    from appwarden.scan import scan_apk

    reports = {}
    for name in FIXTURE_APKS:
        path = fixtures_dir / "apks" / name
        if path.is_file():
            reports[name] = scan_apk(path)
    if not reports:
        pytest.skip("no fixture APKs under tests/fixtures/apks")
    return reports


def test_pipeline_reports_match_the_schema(pipeline_reports):
    for name, report in pipeline_reports.items():
        assert schema_errors(report) == [], name
        assert json.loads(dumps_report(report)) == json.loads(json.dumps(report, default=str)), name


def test_pipeline_reports_render_in_every_format(pipeline_reports):
    for name, report in pipeline_reports.items():
        for fmt in formats.FORMATS:
            data = formats.render(fmt, report)
            assert isinstance(data, bytes) and data, (name, fmt)
        text = summary_text(report)
        assert (report["app"].get("package") or "") in text, name


def test_pi_fixture_report_groups_sdk_callsites(pipeline_reports):
    report = pipeline_reports.get("pi_all.apk")
    if report is None:
        pytest.skip("pi_all.apk fixture absent")
    owners = {c["owner"] for c in report["callsites"]}
    assert "host" in owners and len(owners) > 1  # the fixture embeds SDK code
    sdk_ids = {s["id"] for s in report["sdks"]}
    assert owners - {"host"} <= sdk_ids  # every non-host owner is in the SDK list
