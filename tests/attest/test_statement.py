"""The statement: result and findings summary from a report, the rules digest agrees with the report's rules
version, report/APK mismatches are refused, and parse_statement rejects malformed statements."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from appwarden.attest.errors import AttestInputError
from appwarden.attest.statement import (
    PREDICATE_TYPE,
    build_statement,
    canonical,
    check_report_matches,
    findings_summary,
    parse_statement,
    report_result,
    rules_digest,
)
from appwarden.rules.loader import rules_version


def _finding(sev: str, clauses: list[str], notices: list[str]) -> dict:
    return {"rule_id": "x", "severity": sev, "clauses": clauses, "notice_types": notices}


def test_rules_digest_extends_the_reported_rules_version() -> None:
    version, digest = rules_digest()
    assert version == rules_version() and digest.startswith(version) and len(digest) == 64


def test_result_and_summary() -> None:
    report = {
        "findings": [_finding("info", ["RD-1.1"], []), _finding("medium", ["RD-1.1", "M164-1.1"], ["RD-1"])]
    }
    assert report_result(report, "low") == "FAILED"
    assert report_result(report, "high") == "PASSED"
    assert report_result({"findings": [_finding("info", [], [])]}) == "PASSED"
    with pytest.raises(AttestInputError):
        report_result(report, "critical")
    assert findings_summary(report) == {
        "total": 2,
        "bySeverity": {"info": 1, "medium": 1},
        "byClause": {"M164-1.1": 1, "RD-1.1": 2},
        "byNoticeType": {"RD-1": 1},
    }


def test_statement_round_trip_and_canonical_bytes(shop_report: Path) -> None:
    report = json.loads(shop_report.read_text(encoding="utf-8"))
    app = report["app"]
    signers = [s["sha256"] for s in app["signers"]]
    check_report_matches(report, app["sha256"], signers)
    now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    st = build_statement(
        apk_sha256=app["sha256"], signer_sha256s=signers, report=report, report_sha256="0" * 64,
        rules=("abc", None), now=now, valid_days=30,
    )  # fmt: skip
    assert "rulesDigest" not in st["predicate"]["verifier"]
    raw = canonical(st)
    assert b" " not in raw.split(b'"policy"')[0]  # no insignificant whitespace
    parsed = parse_statement(json.loads(raw))
    assert parsed.apk_sha256 == app["sha256"] and parsed.signer_sha256s == frozenset(signers)
    assert parsed.not_after - parsed.not_before == dt.timedelta(days=30)
    assert parsed.result == "FAILED"  # the shop fixture has high findings
    assert canonical(json.loads(raw)) == raw  # canonical form is a fixed point


def test_a_passing_report_whose_analysis_did_not_complete_is_not_attested(shop_report: Path) -> None:
    # a packed app: its report has no code findings because the real code is encrypted; PASSED would vouch for it
    report = json.loads(shop_report.read_text(encoding="utf-8"))
    app = report["app"]
    signers = [s["sha256"] for s in app["signers"]]
    packed = {
        **report,
        "findings": [],
        "errors": [{"stage": "dex", "message": "app is packed with 360 Jiagu"}],
    }
    args = {
        "apk_sha256": app["sha256"],
        "signer_sha256s": signers,
        "report_sha256": "0" * 64,
        "rules": ("abc", None),
    }
    with pytest.raises(AttestInputError, match=r"did not complete.*packed"):
        build_statement(report=packed, **args)
    assert (
        build_statement(report={**packed, "errors": []}, **args)["predicate"]["verificationResult"]
        == "PASSED"
    )
    failing = {
        **report,
        "errors": packed["errors"],
    }  # its findings fail it whatever the gap: a true statement
    assert build_statement(report=failing, **args)["predicate"]["verificationResult"] == "FAILED"


def test_report_mismatches_are_refused(shop_report: Path) -> None:
    report = json.loads(shop_report.read_text(encoding="utf-8"))
    app = report["app"]
    signers = [s["sha256"] for s in app["signers"]]
    with pytest.raises(AttestInputError, match="not this APK"):
        check_report_matches(report, "f" * 64, signers)
    with pytest.raises(AttestInputError, match="signer certificates differ"):
        check_report_matches(report, app["sha256"], ["e" * 64])
    with pytest.raises(AttestInputError, match="without evaluating the rules"):
        check_report_matches({**report, "rules_evaluated": False}, app["sha256"], signers)
    with pytest.raises(AttestInputError, match="no app section"):
        check_report_matches({"findings": []}, app["sha256"], signers)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.update(_type="x"), "_type"),
        (lambda s: s.update(predicateType="x"), "predicateType"),
        (lambda s: s["subject"].append({"name": "apk", "digest": {"sha256": "a" * 64}}), "exactly one apk"),
        (lambda s: s["subject"][0]["digest"].update(sha256="XYZ"), "no sha256"),
        (lambda s: s["predicate"].update(verificationResult="OK"), "PASSED or FAILED"),
        (lambda s: s["predicate"]["validity"].update(notAfter="soon"), "RFC 3339"),
    ],
)
def test_malformed_statements(change, message: str) -> None:
    st = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "apk", "digest": {"sha256": "a" * 64}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "verificationResult": "PASSED",
            "validity": {"notBefore": "2026-01-01T00:00:00Z", "notAfter": "2027-01-01T00:00:00Z"},
        },
    }
    parse_statement(json.loads(json.dumps(st)))
    change(st)
    with pytest.raises(AttestInputError, match=message):
        parse_statement(st)
