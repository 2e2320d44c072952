"""Every finding's ``message_zh`` is a Chinese sentence that names SDKs by their Chinese names (issue #16 part 6).

The JSON report is read by the platform, the 通报 exports and other tools, so the engine itself (not only the HTML
and platform renderers) must never put an SDK id such as ``umeng_common`` or an English-only text into
``message_zh``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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
