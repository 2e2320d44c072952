"""A partial overlap states each fact once: the fixture reports where a general finding reported more categories
than the specific findings superseding it (before: both findings stated the shared category)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from appwarden.report.json import validate_report
from appwarden.rules.engine import _item_categories, _item_phase
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


def _by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{f['rule_id']}@{f['owner']}": f for f in report["findings"]}


def _categories(finding: dict[str, Any]) -> set[str]:
    return {c for e in finding["evidence"] for c in _item_categories(e)}


def _assert_each_fact_once(report: dict[str, Any]) -> None:
    seen: dict[tuple, str] = {}
    for f in report["findings"]:
        for t in f["notice_types"][:1]:
            for e in f["evidence"]:
                for c in _item_categories(e):
                    key = (f["owner"], t, c, _item_phase(e) or f.get("behaviour"))
                    assert seen.get(key, f["rule_id"]) == f["rule_id"], (key, seen[key], f["rule_id"])
                    seen[key] = f["rule_id"]


def _assert_moved_rules_are_named(report: dict[str, Any], general_keys: set[str]) -> None:
    """The re-test diff (platform/enforcement/diff.py) finds an ordered finding by its key or in a carrier's
    merged_rules: each general finding is still there or named by the finding that carries its facts."""
    keys = _by_key(report)
    named = {f"{r}@{f['owner']}" for f in report["findings"] for r in f.get("merged_rules") or []}
    for key in general_keys:
        assert key in keys or key in named, key


@pytest.fixture(scope="module")
def getui_polling() -> dict[str, Any]:
    """shop + policy_mismatch without a policy: Getui's background contacts and location reads
    (dynamic.pi.background), the location ones every 20 s (dynamic.pi.frequency, which supersedes background)."""
    return _scan("shop.apk", None, "policy_mismatch.jsonl")


def test_background_reads_keep_only_what_the_frequency_finding_does_not_state(getui_polling) -> None:
    got = _by_key(getui_polling)
    background = got["dynamic.pi.background@getui_push"]
    frequency = got["dynamic.pi.frequency@getui_push"]
    assert _categories(background) == {"contacts"}  # before: contacts and location (stated twice)
    assert _categories(frequency) == {"location"}
    assert frequency["merged_rules"] == ["dynamic.pi.background"]
    assert background["notice_types"] == ["M337-2"] and background.get("merged_rules") in (None, [])
    assert background["message_zh"] == (
        "应用在后台运行时收集个人信息：通讯录。（同一行为中位置信息已由“以超出业务所需的频率收集个人信息”报告，不在本条重复）"
    )
    assert "dynamic.pi.frequency" in background["message_en"]
    _assert_each_fact_once(getui_polling)
    _assert_moved_rules_are_named(getui_polling, {"dynamic.pi.background@getui_push"})


def test_undeclared_pi_keeps_the_categories_the_trace_did_not_show() -> None:
    """shop + a minimal policy + policy_mismatch: the app's own undeclared location stays with policy.pi.undeclared;
    its app-list read, which the trace shows after consent, is the runtime finding's (one 私自收集 fact)."""
    report = _scan("shop.apk", "minimal_policy.txt", "policy_mismatch.jsonl")
    got = _by_key(report)
    undeclared = got["policy.pi.undeclared@host"]
    runtime = got["dynamic.pi.undeclared_after_consent@host"]
    assert _categories(undeclared) == {"location"}
    assert "app_list" in _categories(runtime) and runtime["merged_rules"] == ["policy.pi.undeclared"]
    assert any(e.get("type") == "policy" for e in undeclared["evidence"])  # the policy evidence stays too
    assert undeclared["message_zh"].startswith("收集使用的个人信息未在隐私政策中声明：位置信息。")
    # Getui: the IMEI went to the pre-consent finding, contacts and location stay
    getui = got["policy.pi.undeclared@getui_push"]
    assert _categories(getui) == {"contacts", "location"}
    assert "policy.pi.undeclared" in got["dynamic.sdk.undisclosed_pre_consent@getui_push"]["merged_rules"]
    _assert_each_fact_once(report)
    _assert_moved_rules_are_named(report, {"policy.pi.undeclared@host", "policy.pi.undeclared@getui_push"})


def test_the_note_names_the_finding_that_finally_carries_the_fact() -> None:
    """pi_all + a minimal policy + 友盟's pre-consent trace: 友盟's undeclared IMEI went to dynamic.pi.pre_consent,
    which pi.startup.device_id then absorbed; the narrowed finding names the one left in the report."""
    report = _scan("pi_all.apk", "minimal_policy.txt", "pi_all_umeng_pre_consent.jsonl")
    got = _by_key(report)
    umeng = got["policy.pi.undeclared@umeng_common"]
    assert _categories(umeng) == {"mac"}
    assert "dynamic.pi.pre_consent@umeng_common" not in got
    assert (
        "pi.startup.device_id" in umeng["message_en"] and "dynamic.pi.pre_consent" not in umeng["message_en"]
    )
    assert "policy.pi.undeclared" in got["pi.startup.device_id@umeng_common"]["merged_rules"]
    _assert_each_fact_once(report)


def test_the_audit_case_is_unchanged() -> None:
    """shop + the UMeng policy + policy_mismatch (the report audit's case) had no partial overlap: same findings."""
    report = _scan("shop.apk", "umeng_listed_policy.txt", "policy_mismatch.jsonl")
    assert sorted(_by_key(report)) == sorted(
        [
            "dynamic.pi.transfer_undeclared_categories@umeng_common",
            "dynamic.pi.transfer_undisclosed_party@getui_push",
            "dynamic.pi.undeclared_after_consent@host",
            "dynamic.sdk.undeclared_after_consent@umeng_common",
            "dynamic.sdk.undisclosed_background@getui_push",
            "dynamic.sdk.undisclosed_background_periodic@getui_push",
            "dynamic.sdk.undisclosed_pre_consent@getui_push",
            "pi.startup.location@host",
            "policy.pi.undeclared@getui_push",
            "perm.beyond_category@host",
            "policy.access.too_many_taps@host",
            "policy.dual_lists.missing@host",
            "policy.retention.missing@host",
            "policy.update_notice.missing@host",
        ]
        + [k for k in _by_key(report) if not _by_key(report)[k]["notice_types"]]
    )
    assert _categories(_by_key(report)["policy.pi.undeclared@getui_push"]) == {"contacts"}
    _assert_each_fact_once(report)
