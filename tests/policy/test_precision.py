"""Policy extraction precision (issue #16 part 5): each wrong fact seen in real policies, as a small snippet."""

from __future__ import annotations

from appwarden.policy import analyze_policy

BASE = "隐私政策\n我们会收集您的手机号码，用于注册账号。\n"


def _ev(text: str):
    return analyze_policy(text, classifier=False)


def test_sentence_fragment_is_not_an_sdk_name():
    ev = _ev(BASE + "为保障您的账号安全，我们建议您尽快升级最新SDK版本。\n我们接入了友盟统计SDK和Bugly SDK。")
    names = [s.name for s in ev.declared_sdks]
    assert not any("建议" in n or "们" in n for n in names), names
    assert "友盟统计SDK" in names and "Bugly SDK" in names  # real names stay


def test_payment_account_is_not_an_sdk():
    ev = _ev(BASE + "您可以绑定您的支付宝账户用于付款。\n支付账号：用于完成订单支付。")
    assert ev.declared_sdks == [], [(s.name, s.sdk_id) for s in ev.declared_sdks]
    ev = _ev(BASE + "我们接入了支付宝SDK，用于完成订单支付。")
    assert [s.sdk_id for s in ev.declared_sdks] == ["alipay_sdk"]


def test_deleting_copies_is_not_a_right_to_a_copy():
    ev = _ev(BASE + "在您注销账号后，我们将删除您的个人信息及其副本。")
    assert not ev.has("right_copy")
    assert _ev(BASE + "您有权获取您的个人信息副本。").has("right_copy")


def test_ip_infringement_complaint_is_not_the_privacy_complaint_channel():
    ev = _ev(BASE + "如您发现本平台内容侵犯您的知识产权，可发送侵权投诉至ip@example.com。")
    assert not ev.has("complaint_channel")
    assert _ev(BASE + "如您对个人信息处理有任何投诉，可拨打400-123-4567。").has("complaint_channel")


def test_empty_template_names_no_operator():
    for template in ("（以下简称“我们”）", "本应用（以下简称“我们”）提供服务。", "XX公司（以下简称“我们”）"):
        assert not _ev(BASE + template + "\n").has("operator_identity"), template
    assert _ev("北京示例科技有限公司（以下简称“我们”）非常重视您的隐私。\n" + BASE).has("operator_identity")
    assert _ev("示例天气（以下简称“我们”）非常重视您的隐私。\n" + BASE).has("operator_identity")


def test_table_of_contents_heading_is_not_the_clause():
    policy = (
        "隐私政策\n目录\n一、我们如何收集和使用您的个人信息\n二、您如何注销账号\n三、如何联系我们\n"
        "一、我们如何收集和使用您的个人信息\n我们会收集您的手机号码，用于注册账号。\n"
        "三、如何联系我们\n您可以拨打客服电话400-123-4567联系我们。\n"
    )
    ev = _ev(policy)
    assert not ev.has("right_account_deletion"), ev.elements["right_account_deletion"].evidence
    # a real section under the same heading still counts
    real = policy + "二、您如何注销账号\n您可以在设置页面申请注销账号。\n"
    assert _ev(real).has("right_account_deletion")
