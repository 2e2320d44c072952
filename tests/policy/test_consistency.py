"""Policy-vs-behaviour checks on real evidence: the fixture APKs with the hand-written policies."""

from __future__ import annotations

import pytest

from appwarden.policy import analyze_policy, load_bundled_policy
from appwarden.policy.absence import policy_missing
from appwarden.policy.consistency import (
    declared_categories,
    missing_elements,
    undeclared_pi,
    undisclosed_sdks,
    unexplained_permissions,
)
from appwarden.policy.model import PolicyEvidence
from appwarden.policy.sdkmatch import brand_of, match_name

scan = pytest.importorskip("appwarden.scan")


@pytest.fixture(scope="module")
def pi_all(fixtures_dir):
    return scan.build_evidence(fixtures_dir / "apks" / "pi_all.apk", find_bundled_policy=False)


def with_policy(evidence, text):
    evidence.policy = analyze_policy(text, source="test")
    return evidence


def test_undeclared_pi_per_owner_and_lenient_coverage(pi_all):
    ev = with_policy(pi_all, "我们会收集您的位置信息、设备标识符、IMSI和应用安装列表，用于提供服务。")
    result = {e.owner: e for e in undeclared_pi(ev)}
    assert "cell" not in result["host"].categories  # covered by 位置信息
    assert "location" not in result["host"].categories
    assert {"contacts", "sms", "clipboard"} <= set(result["host"].categories)
    assert "jpush" not in result  # jpush uses imsi, location, app_list: all declared
    assert "runtime_evasion" not in result["host"].categories
    assert result["host"].evidence[-1]["element"] == "declared_pi"
    callsites = [e for e in result["host"].evidence if e["type"] == "callsite"]
    assert callsites and all(e["caller"].startswith("L") for e in callsites)


def test_sdk_entry_pi_is_declared(pi_all):
    text = (
        "我们会收集您的位置信息。\nSDK名称：极光推送SDK\n第三方名称：深圳市和讯华谷信息技术有限公司\n"
        "收集个人信息类型：IMSI、应用列表\n"
    )
    result = {e.owner: e for e in undeclared_pi(with_policy(pi_all, text))}
    assert "jpush" not in result
    # lenient: a category named anywhere in the policy (here only in the SDK entry) counts as declared
    assert "imsi" not in result["host"].categories
    assert "contacts" in result["host"].categories


def test_undisclosed_sdks(pi_all):
    items = undisclosed_sdks(with_policy(pi_all, "我们接入了友盟统计SDK，用于统计分析。"))
    ids = {i.sdk.id for i in items}
    assert "umeng_analytics" not in ids
    assert {"jpush", "jiguang_jcore"} <= ids
    # the vendor's full name discloses every SDK of that vendor
    items = undisclosed_sdks(
        with_policy(pi_all, "推送服务由深圳市和讯华谷信息技术有限公司提供，会收集设备信息。")
    )
    assert not {"jpush", "jiguang_jcore"} & {i.sdk.id for i in items}
    # a brand alone counts only next to an SDK function word
    items = undisclosed_sdks(with_policy(pi_all, "极光的夜空很美，我们会收集您的设备信息。"))
    assert "jpush" in {i.sdk.id for i in items}
    items = undisclosed_sdks(with_policy(pi_all, "我们使用极光的推送服务向您发送通知，会收集您的设备信息。"))
    assert "jpush" not in {i.sdk.id for i in items}


def test_unexplained_permissions(pi_all):
    refs = unexplained_permissions(
        with_policy(pi_all, "我们会申请相机权限用于扫码，并收集您的位置信息。"),
        permissions={"android.permission.CAMERA", "android.permission.ACCESS_FINE_LOCATION",
                     "android.permission.READ_CONTACTS"},
    )  # fmt: skip
    names = [r["name"] for r in refs if r["type"] == "permission"]
    assert names == ["android.permission.READ_CONTACTS"]
    assert refs[-1]["type"] == "policy" and refs[-1]["present"] is False


def test_missing_policy_and_elements(pi_all):
    pi_all.policy = PolicyEvidence.not_found()
    assert policy_missing(pi_all)["source"] == "none"
    assert undeclared_pi(pi_all) == [] and undisclosed_sdks(pi_all) == []  # the missing policy is the finding
    assert missing_elements(pi_all, ("right_account_deletion",)) == []
    with_policy(pi_all, "我们会收集您的位置信息。如需注销账号，请联系客服。")
    assert policy_missing(pi_all) is None
    assert missing_elements(pi_all, ("right_account_deletion", "right_withdraw_consent")) == [
        "right_withdraw_consent"
    ]
    assert missing_elements(pi_all, ("complaint_channel", "contact"), require_all_absent=True) == []


def test_declared_categories_widening():
    ev = analyze_policy("我们会收集您的位置信息和网络类型。")
    widened = declared_categories(ev)
    assert {"location", "cell", "network_info", "carrier", "wifi"} <= widened


def test_load_bundled_policy_not_found(pi_all):
    ev = load_bundled_policy(object())
    assert ev.found is False and ev.source == "none"


def test_sdk_name_matching():
    assert brand_of("极光推送JPush") == "极光"
    assert brand_of("UMeng") is None
    assert match_name("友盟统计SDK") == "umeng_analytics"
    assert match_name("极光推送SDK") == "jpush"
    assert match_name("某某不存在的SDK") is None


def test_policy_rules_not_evaluated_without_a_policy_search(fixtures_dir):
    from appwarden.rules.engine import evaluate
    from appwarden.rules.loader import load_rules

    ev = scan.build_evidence(fixtures_dir / "apks" / "minimal.apk", find_bundled_policy=False)
    assert ev.policy is None
    results = evaluate(ev, load_rules())
    not_evaluated = {n.rule_id for n in results.not_evaluated}
    # the rules reading the policy text (policy.access.too_many_taps is a policy.* rule that reads the code)
    policy_rules = {r.id for r in load_rules() if "policy.text" in r.needs}
    assert len(policy_rules) >= 7 and policy_rules <= not_evaluated  # issue #20 added more
    assert not [f for f in results.findings if f.rule_id in policy_rules]
    assert not [
        f for f in results.findings if f.rule_id.startswith("policy.")
    ]  # the navigation rule is silent too


def test_general_purpose_library_without_pi_need_not_be_listed(pi_all):
    from appwarden.evidence import SdkHit

    lib = SdkHit(
        id="some_image_loader",
        name_zh="某图片加载库",
        name_en="Some Image Loader",
        vendor="开源社区",
        category="other",
    )
    ad = SdkHit(
        id="some_ads", name_zh="某广告SDK", name_en="Some Ads", vendor="某广告公司", category="advertising"
    )
    pi_all.static.sdks.extend([lib, ad])
    try:
        ids = {i.sdk.id for i in undisclosed_sdks(with_policy(pi_all, "我们会收集您的设备信息。"))}
    finally:
        del pi_all.static.sdks[-2:]
    assert "some_image_loader" not in ids
    assert "some_ads" in ids  # advertising SDKs are third parties even when no PI call site was attributed
