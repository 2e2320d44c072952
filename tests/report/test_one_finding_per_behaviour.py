"""One behaviour, one finding per 通报 problem type (report audit open item 2).

A 通报 built from a report lists each behaviour once: the rules that fire on the same behaviour of the same owner
(static and dynamic rules over the same API, a general rule and its 164号文 scenario) give one finding for each
problem type, naming every rule (message, ``merged_rules``) and carrying every rule's clauses and evidence; findings
of different problem types (私自收集 vs 超范围 vs 私自共享) stay separate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from appwarden.report.json import validate_report
from appwarden.scan import scan_apk

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _scan(apk: str, policy: str | None, trace: str) -> dict[str, Any]:
    return validate_report(
        scan_apk(
            FIXTURES / "apks" / apk,
            policy_path=FIXTURES / "policies" / policy if policy else None,
            trace_path=FIXTURES / "traces" / trace,
        )
    )


@pytest.fixture(scope="module")
def pi_all() -> dict[str, Any]:
    return _scan("pi_all.apk", None, "pi_all_umeng_pre_consent.jsonl")


@pytest.fixture(scope="module")
def shop() -> dict[str, Any]:
    return _scan("shop.apk", "umeng_listed_policy.txt", "policy_mismatch.jsonl")


def _of(report: dict[str, Any], owner: str, type_id: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["owner"] == owner and f["notice_types"][:1] == [type_id]]


def _units(finding: dict[str, Any]) -> set[str]:
    cats: set[str] = set()
    for e in finding["evidence"]:
        if e.get("category"):
            cats.add(e["category"])
        if e.get("type") == "network":
            cats.update(e.get("pi") or [])
    return cats


def test_umeng_imei_read_before_consent_is_one_finding(pi_all) -> None:
    """Static start-up call sites and the trace's pre-consent IMEI read of 友盟 are one 私自收集 finding."""
    umeng = _of(pi_all, "umeng_common", "M337-1")
    assert [f["rule_id"] for f in umeng] == ["pi.startup.device_id"]
    (f,) = umeng
    assert f["merged_rules"] == ["dynamic.pi.pre_consent"]
    assert {"RD-3.1", "M164-1.1", "M337-1", "M164-1.1-S2"} <= set(f["clauses"])
    assert "运行时观察到在用户同意隐私政策前收集个人信息" in f["message_zh"]
    assert f["confidence"] == "confirmed" and f["confirmed_categories"] == ["imei"]  # MAC stays static
    assert any(e.get("type") == "trace" and e.get("ts") == 420 for e in f["evidence"])
    # the plain read (pi.device_id.read) stays its own finding; with no declared 39类 type nothing shows the read
    # exceeds what the app needs, so it carries no 超范围 (tests/report/test_notice_scope.py)
    assert _of(pi_all, "umeng_common", "M337-2") == []
    (read,) = [
        g for g in pi_all["findings"] if (g["rule_id"], g["owner"]) == ("pi.device_id.read", "umeng_common")
    ]
    assert read["notice_types"] == [] and read["confidence"] == "confirmed"


def test_each_send_to_a_third_party_is_one_sharing_finding(shop) -> None:
    getui = _of(shop, "getui_push", "M337-3")
    assert [f["rule_id"] for f in getui] == ["dynamic.pi.transfer_undisclosed_party"]
    assert getui[0]["merged_rules"] == ["dynamic.pi.third_party_transfer"]
    assert {"RD-5.1", "M337-3", "M164-1.3-S2"} <= set(getui[0]["clauses"])
    umeng = _of(shop, "umeng_common", "M337-3")
    assert [f["rule_id"] for f in umeng] == ["dynamic.pi.transfer_undeclared_categories"]
    assert umeng[0]["merged_rules"] == ["dynamic.pi.third_party_transfer"]
    assert "“运行时观察到个人信息发送给第三方”" in umeng[0]["message_zh"]


def test_undeclared_collection_after_consent_is_one_finding_of_collection_without_permission(shop) -> None:
    umeng = _of(shop, "umeng_common", "M337-1")
    assert [f["rule_id"] for f in umeng] == ["dynamic.sdk.undeclared_after_consent"]
    assert umeng[0]["merged_rules"] == ["policy.pi.undeclared"]
    assert {"M164-1.1-S6", "RD-2.1", "GB35273-5.5"} <= set(umeng[0]["clauses"])
    host = [f["rule_id"] for f in _of(shop, "host", "M337-1")]
    assert "dynamic.pi.undeclared_after_consent" in host and "policy.pi.undeclared" not in host
    assert not [
        f for f in shop["findings"] if "RD-2" in f["notice_types"] and "undeclared_after" in f["rule_id"]
    ]


def test_getui_background_polling_is_one_finding_per_category(shop) -> None:
    """Getui's background contacts and location reads: four rules (background, frequency, the two undisclosed-SDK
    scenarios) give the two scenario findings, the location one carrying the frequency evidence."""
    got = {f["rule_id"]: f for f in _of(shop, "getui_push", "M337-2")}
    assert set(got) == {"dynamic.sdk.undisclosed_background", "dynamic.sdk.undisclosed_background_periodic"}
    periodic = got["dynamic.sdk.undisclosed_background_periodic"]
    assert sorted(periodic["merged_rules"]) == ["dynamic.pi.background", "dynamic.pi.frequency"]
    assert any(e.get("event") == "api_call_frequency" for e in periodic["evidence"])
    assert _units(periodic) == {"location"}
    assert got["dynamic.sdk.undisclosed_background"]["merged_rules"] == ["dynamic.pi.background"]
    assert _units(got["dynamic.sdk.undisclosed_background"]) == {"contacts"}


@pytest.mark.parametrize("name", ["pi_all", "shop"])
def test_no_category_is_reported_twice_for_one_owner_and_problem_type(name, request) -> None:
    """The invariant a 通报 needs: per owner and primary problem type, each PI category is in one finding (dynamic
    findings: these two fixtures' traces are all after consent or all before it for a category)."""
    report = request.getfixturevalue(name)
    seen: dict[tuple[str, str, str], str] = {}
    for f in report["findings"]:
        if not f["notice_types"] or not f["rule_id"].startswith("dynamic."):
            continue
        for cat in _units(f):
            key = (f["owner"], f["notice_types"][0], cat)
            assert key not in seen, f"{key}: {seen.get(key)} and {f['rule_id']}"
            seen[key] = f["rule_id"]


def test_the_notice_table_of_the_merged_report_keeps_every_problem_type(shop) -> None:
    from appwarden.report.notice import report_problems

    problems = report_problems(shop, min_confidence="possible")
    for name in ("私自收集个人信息", "超范围收集个人信息", "私自共享给第三方", "SDK信息公示不到位"):
        assert name in problems


# ------------------------------------------------------- the call-site section says what the findings leave out


@pytest.fixture(scope="module")
def clean_rules_app() -> dict[str, Any]:
    """tests/rules/_apps/clean.apk queries its own launcher activity (queryIntentActivities + setPackage): an
    app_list call site pi.app_list.read leaves out."""
    return validate_report(scan_apk(Path(__file__).resolve().parents[1] / "rules" / "_apps" / "clean.apk"))


def test_app_list_call_sites_no_finding_counts_are_labelled_in_the_section(clean_rules_app) -> None:
    from appwarden.report import view

    assert not [f for f in clean_rules_app["findings"] if f["rule_id"] == "pi.app_list.read"]
    (group,) = [g for g in view.callsites_by_category(clean_rules_app) if g["category"] == "app_list"]
    assert group["excluded"] == group["count"] == 1
    (site,) = group["owners"][0]["callsites"]
    assert "queryIntentActivities" in site["api"] and "限定了包名/组件" in site["excluded_zh"]
    assert "excluded_zh" not in clean_rules_app["callsites"][0]  # the report itself is not changed


def test_terminal_and_html_say_the_call_site_is_not_counted(clean_rules_app) -> None:
    from appwarden.report.html import render_html
    from appwarden.report.terminal import summary_text

    text = summary_text(clean_rules_app)
    assert "未计入任何发现" in text and "限定了包名/组件" in text
    html = render_html(clean_rules_app)
    assert "未计入发现" in html


def test_a_counted_app_list_call_site_has_no_label(pi_all) -> None:
    from appwarden.report import view

    groups = [g for g in view.callsites_by_category(pi_all) if g["category"] == "app_list"]
    assert groups and groups[0]["excluded"] == 0
    assert all("excluded_zh" not in cs for o in groups[0]["owners"] for cs in o["callsites"])


@pytest.mark.parametrize(
    ("trace", "rule_id", "category"),
    [
        ("mac_before_dialog.jsonl", "dynamic.pi.pre_consent", "mac"),
        ("collects_after_refusal.jsonl", "dynamic.pi.after_refusal", "app_list"),
    ],
)
def test_undeclared_pi_collected_before_consent_or_after_refusal_is_one_finding(
    trace, rule_id, category
) -> None:
    """私自收集 is 'collecting before stating the purpose, method and scope and obtaining consent': the policy not
    declaring the category (policy.pi.undeclared) and the read before consent / after refusal are one finding."""
    report = _scan("shop.apk", "umeng_listed_policy.txt", trace)
    host = [f for f in _of(report, "host", "M337-1") if category in _units(f)]
    assert [f["rule_id"] for f in host] == [rule_id]
    assert host[0]["merged_rules"] == ["policy.pi.undeclared"]
    assert any(e.get("type") == "policy" and e.get("element") == "declared_pi" for e in host[0]["evidence"])
    assert {"RD-2.1", "GB35273-5.5"} <= set(host[0]["clauses"])


def test_sarif_keeps_the_merged_rule_ids(shop) -> None:
    import json

    from appwarden.report.sarif import render_sarif

    sarif = json.loads(render_sarif(shop))
    results = sarif["runs"][0]["results"]
    merged = [r for r in results if r["ruleId"] == "dynamic.sdk.undisclosed_background_periodic"]
    assert merged and sorted(merged[0]["properties"]["merged_rules"]) == [
        "dynamic.pi.background",
        "dynamic.pi.frequency",
    ]


def test_the_terminal_says_a_merged_finding_has_more_evidence_than_it_prints(pi_all) -> None:
    """The terminal prints three evidence items per finding: the merged runtime event of 友盟's start-up finding
    comes after its call sites and consent path, so the summary says it is there."""
    from appwarden.report.terminal import summary_text

    lines = summary_text(pi_all, width=400).splitlines()
    start = next(
        i for i, line in enumerate(lines) if "pi.startup.device_id |" in line and "友盟+基础组件库" in line
    )
    block = []
    for line in lines[start + 1 :]:
        if line.lstrip().startswith(("•", "[")):
            break
        block.append(line)
    assert any("另有" in line and "运行时事件" in line for line in block), block
