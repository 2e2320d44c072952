"""超范围收集个人信息 (M337-2) needs evidence of scope, not of a read (report audit, "confirmed read is not 超范围").

A plain read rule (``pi.device_id.read``, ``pi.app_list.read``, ``pi.clipboard.read``, ``pi.network_scan``) proves
that an owner's code reads a category, and a trace that confirms it proves the read ran. Neither shows the read
exceeds what the app's service needs: that takes the app's declared 39类 type whose necessary PI does not include
the category (``knowledge/necessary_pi.yaml``). Frequency and background collection have their own 超范围 rules.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.report.notice import (
    NECESSITY_EVIDENCE,
    finding_notice_types,
    notice_rows,
    report_problems,
    scope_notice_types,
)
from appwarden.rules.model import Finding

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
APK = FIXTURES / "apks" / "pi_all.apk"
TRACE = FIXTURES / "traces" / "pi_all_umeng_pre_consent.jsonl"
BEYOND = "超范围收集个人信息"


def _scan(category: str | None = None) -> dict:
    from appwarden.scan import scan_apk

    return scan_apk(APK, trace_path=TRACE, category=category)


def _finding(report: dict, rule_id: str, owner: str) -> dict:
    return next(f for f in report["findings"] if (f["rule_id"], f["owner"]) == (rule_id, owner))


def test_a_confirmed_read_alone_is_not_beyond_scope() -> None:
    """pi_all + the UMeng trace, no app category: the trace confirms UMeng read the IMEI (before consent). The
    通报 row says 私自收集 (pi.startup.device_id: the read ran before consent) and NOT 超范围: nothing shows the
    IMEI exceeds what this app's service needs."""
    report = _scan()
    read = _finding(report, "pi.device_id.read", "umeng_common")
    assert read["confidence"] == "confirmed"
    assert read["confirmed_categories"] == ["imei"]
    assert "M337-2" not in read["notice_types"]
    assert not any(e.get("type") == NECESSITY_EVIDENCE for e in read["evidence"])
    assert report_problems(report) == ["私自收集个人信息"]
    (row,) = notice_rows(report)
    assert BEYOND not in row["所涉问题"]


def test_an_inferred_category_proves_no_scope() -> None:
    finding = _plain_read("pi.device_id.read", ["imei"])
    (scoped,) = scope_notice_types([finding], "N39-06", category_inferred=True)
    assert scoped.notice_types == []


def test_a_read_outside_the_declared_categorys_necessary_pi_is_beyond_scope() -> None:
    """The same app and trace with the declared type 网上购物类 (N39-06), whose necessary PI has no device
    identifier: the confirmed IMEI read is beyond scope, the evidence says why, and the 通报 row lists 超范围."""
    report = _scan("N39-06")
    read = _finding(report, "pi.device_id.read", "umeng_common")
    assert read["confidence"] == "confirmed"
    assert read["notice_types"] == ["M337-2"]
    (item,) = [e for e in read["evidence"] if e.get("type") == NECESSITY_EVIDENCE]
    assert item["app_category"] == "N39-06"
    assert item["beyond"] == ["imei"]  # the trace-confirmed category, not the static MAC call site
    assert finding_notice_types(read) == ["M337-2"]
    from appwarden.report.view import evidence_text

    assert (
        evidence_text(item)
        == "按《39类必要个人信息范围规定》，声明的App类型N39-06 网上购物类的必要个人信息不包括设备识别码IMEI/MEID"
    )
    assert report_problems(report) == ["私自收集个人信息", BEYOND]
    (row,) = notice_rows(report)
    assert BEYOND in row["所涉问题"]


def _plain_read(rule_id: str, categories: list[str], confirmed: list[str] | None = None) -> Finding:
    evidence = [
        {"type": "callsite", "caller": "Lcom/x/A;->a()V", "api": "x", "category": c, "owner": "host"}
        for c in categories
    ]
    if confirmed is not None:
        evidence.append(
            {"type": "trace", "event": "confirmation", "behaviour": "access", "categories": confirmed}
        )
    return Finding(
        rule_id=rule_id,
        title_zh="t",
        title_en="t",
        severity="medium",
        confidence="confirmed" if confirmed is not None else "likely",
        needs_review=True,
        owner="host",
        clauses=[],
        evidence=evidence,
        message_zh="m",
        message_en="m",
        notice_types=["M337-2"],
    )


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("N39-01", []),  # 地图导航类: Wi-Fi and cell scans serve location, a necessary PI of the type
        ("N39-03", ["M337-2"]),  # 即时通信类: no location in its necessary PI
        (None, []),  # no category: nothing to compare with
    ],
)
def test_scans_are_beyond_scope_only_where_location_is_not_necessary(category, expected) -> None:
    (scoped,) = scope_notice_types([_plain_read("pi.network_scan", ["wifi", "cell"])], category)
    assert scoped.notice_types == expected


def test_a_confirmed_finding_is_scoped_by_what_the_trace_confirmed() -> None:
    """Static call sites for Wi-Fi (necessary for a map app) and the clipboard... only the confirmed category
    counts for a confirmed finding: a confirmed Wi-Fi scan in a map app is not beyond scope."""
    finding = _plain_read("pi.network_scan", ["wifi", "cell"], confirmed=["wifi"])
    (scoped,) = scope_notice_types([finding], "N39-01")
    assert scoped.notice_types == []


def test_other_rules_are_left_alone() -> None:
    finding = _plain_read("dynamic.pi.frequency", ["imei"])
    (scoped,) = scope_notice_types([finding], None)
    assert scoped.notice_types == ["M337-2"]


def test_stored_reports_from_before_the_fix_lose_the_unproven_type() -> None:
    """A report written before the fix carries ``notice_types: [M337-2]`` on a plain read: the one mapping (CLI
    notice table, platform ingest) leaves the type out unless the evidence shows the scope."""
    old = {"rule_id": "pi.app_list.read", "notice_types": ["M337-2"], "evidence": []}
    assert finding_notice_types(old) == []
    assert finding_notice_types({"rule_id": "pi.app_list.read"}) == []  # no key: the rule's types, scoped
    proven = {
        "rule_id": "pi.app_list.read",
        "notice_types": ["M337-2"],
        "evidence": [{"type": NECESSITY_EVIDENCE, "app_category": "N39-06", "beyond": ["app_list"]}],
    }
    assert finding_notice_types(proven) == ["M337-2"]


def test_every_beyond_scope_rule_is_reviewed() -> None:
    """Every rule declaring 超范围 is either scoped (a plain read: the type needs necessity evidence) or one whose
    own evidence is the scope (frequency, background, a children's app, a policy that denies the category...). A
    new rule declaring M337-2 must be added to one list or the other after reading what its evidence shows."""
    from appwarden.knowledge.notice_types import evidence_scoped
    from appwarden.rules.loader import load_rules

    scoped = evidence_scoped()
    assert set(scoped) == {"M337-2"}
    own_scope = {
        "dynamic.pi.background",  # collection while the app runs in the background (RD-4.4)
        "dynamic.pi.frequency",  # collection above the frequency the rule's thresholds allow (M164-1.2)
        "dynamic.sdk.undisclosed_background",
        "dynamic.sdk.undisclosed_background_periodic",
        "minors.third_party_device_ids",  # third-party device identifiers in a children's app
        "policy.consent.forced_purpose",  # the policy makes consent to unrelated purposes a condition
        "policy.pi.denied_but_collected",  # the policy says the category is not collected
    }
    rules = {r.id: r for r in load_rules()}
    declaring = {rid for rid, r in rules.items() if "M337-2" in r.notice_types}
    assert declaring == set(scoped["M337-2"]["rules"]) | own_scope
    for rid in scoped["M337-2"]["rules"]:
        assert rules[rid].predicate == "pi_callsites", rid
