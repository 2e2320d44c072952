"""Every finding's ``message_zh`` is a Chinese sentence that names SDKs by their Chinese names (issue #16 part 6).

The JSON report is read by the platform, the 通报 exports and other tools, so the engine itself (not only the HTML
and platform renderers) must never put an SDK id such as ``umeng_common`` or an English-only text into
``message_zh``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from appwarden.rules.loader import load_rules
from appwarden.scan import scan_apk

APKS = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
RULE_APPS = Path(__file__).resolve().parent / "_apps"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def reports() -> list[dict]:
    return [
        scan_apk(APKS / "pi_all.apk"),
        scan_apk(RULE_APPS / "bad.apk"),
        scan_apk(RULE_APPS / "libcode.apk"),
    ]


def test_sdk_owners_are_named_in_chinese_in_message_zh(reports: list[dict]) -> None:
    seen = 0
    for report in reports:
        names = {s["id"]: s["name_zh"] for s in report["sdks"]}
        for finding in report["findings"]:
            owner, message = finding["owner"], finding["message_zh"]
            if owner == "host" or "第三方SDK（" not in message:
                continue
            seen += 1
            assert f"第三方SDK（{names[owner]}）" in message, message
            assert owner not in message, f"{finding['rule_id']}: SDK id {owner!r} in {message!r}"
    assert seen >= 3  # pi_all.apk has JPush and UMeng findings, bad.apk an ad SDK's shake listener


def test_every_message_zh_is_chinese(reports: list[dict]) -> None:
    for report in reports:
        for finding in report["findings"]:
            assert CJK.search(finding["message_zh"]), f"{finding['rule_id']}: {finding['message_zh']!r}"


def test_manifest_flag_messages_say_set_or_absent(reports: list[dict]) -> None:
    flags = [
        f for r in reports for f in r["findings"] if f["rule_id"] in {"sec.debuggable", "sec.allow_backup"}
    ]
    assert flags
    for finding in flags:
        assert finding["message_zh"].startswith(("应用清单设置了android:", "应用清单未设置android:"))
        assert finding["message_en"].startswith("android:")


def test_no_sdk_id_in_any_message_zh(reports: list[dict]) -> None:
    """Whatever phrase a rule uses for the owner (第三方SDK（…）, 推送SDK（…）, …), the SDK id never shows up in
    ``message_zh``: ``推送SDK（getui_push）`` read as an untranslated id in a 通报 (report audit)."""
    seen = 0
    for report in reports:
        for finding in report["findings"]:
            owner = finding["owner"]
            if owner == "host":
                continue
            seen += 1
            assert owner not in finding["message_zh"], f"{finding['rule_id']}: {finding['message_zh']!r}"
    assert seen >= 3


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ASCII_ID = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b(?:contacts|location|imei|mac|push|boot|alarm)\b")


JAVA_NAME = re.compile(r"\b[a-z]\w*(?:\.\w+){2,}")


@pytest.fixture(scope="module")
def trace_reports() -> list[dict]:
    """The shop fixture with the runtime traces whose findings name SDKs, PI categories and start causes."""
    shop = FIXTURES / "apks" / "shop.apk"
    policy = FIXTURES / "policies" / "umeng_listed_policy.txt"
    return [
        scan_apk(shop, trace_path=FIXTURES / "traces" / f"{name}.jsonl", policy_path=policy)
        for name in ("policy_mismatch", "self_start_push", "applist_background_polling")
    ]


def test_dynamic_messages_name_sdks_and_categories_in_chinese(trace_reports: list[dict]) -> None:
    """A 通报 quotes ``message_zh``: ``第三方SDK getui_push``, ``（contacts, location，共 7 次）`` or
    ``（push）`` are ids, not Chinese (report audit: dynamic.sdk.*, dynamic.pi.background, dynamic.pi.third_party_transfer,
    dynamic.pi.transfer_undisclosed_party, dynamic.app.self_start, policy.pi.undeclared)."""
    seen = set()
    for report in trace_reports:
        for finding in report["findings"]:
            if not finding["rule_id"].startswith(("dynamic.", "policy.pi.undeclared")):
                continue
            seen.add(finding["rule_id"])
            seen.update(finding.get("merged_rules", []))  # merged into another finding of the same behaviour
            message = finding["message_zh"]
            # a quoted API (android.location.LocationManager...) is evidence, not an id
            message = JAVA_NAME.sub("", message)
            leaked = ASCII_ID.findall(message)
            assert not leaked, f"{finding['rule_id']}: {leaked} in {message!r}"
            if finding["rule_id"] == "dynamic.pi.frequency":  # says what PI is polled before quoting the API
                assert CJK.match(message), message
            if finding["rule_id"] == "dynamic.pi.background" and finding["owner"] != "host":
                # '应用在后台运行时收集…' read as the app's own collection when Getui's code did it
                assert message.startswith("第三方SDK（"), message
            for ref in finding["evidence"]:
                note = str(ref.get("note_zh") or "")
                assert not ASCII_ID.findall(note), f"{finding['rule_id']}: evidence note {note!r}"
    assert {
        "dynamic.sdk.undisclosed_pre_consent",
        "dynamic.pi.background",
        "dynamic.pi.third_party_transfer",
        "dynamic.pi.transfer_undisclosed_party",
        "dynamic.app.self_start",
        "policy.pi.undeclared",
        "dynamic.sdk.undeclared_after_consent",
    } <= seen


def test_supersedes_note_names_the_merged_rule_in_chinese(trace_reports: list[dict]) -> None:
    merged = [f for r in trace_reports for f in r["findings"] if "已合并为本条" in f["message_zh"]]
    assert merged
    titles = {r.id: r.title_zh for r in load_rules()}
    for finding in merged:
        assert finding["merged_rules"]
        for rid in finding["merged_rules"]:
            assert rid not in finding["message_zh"], finding["message_zh"]
            assert f"“{titles[rid]}”" in finding["message_zh"], finding["message_zh"]
    assert any("运行时观察到在用户同意隐私政策前收集个人信息" in f["message_zh"] for f in merged)
