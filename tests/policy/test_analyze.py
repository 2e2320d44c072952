"""analyze_policy end to end on the hand-written fixtures: segmentation, elements, declared PI/permissions/SDKs."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.errors import PolicyError
from appwarden.limits import Limits
from appwarden.policy import analyze_policy, analyze_policy_file
from appwarden.policy.elements import ELEMENTS, tag_sentences
from appwarden.policy.model import PolicyEvidence
from appwarden.policy.segment import heading_level, segment

ALL_ELEMENTS = set(ELEMENTS)


@pytest.fixture(scope="module")
def full(full_policy_path) -> PolicyEvidence:
    return analyze_policy_file(full_policy_path)


def test_every_element_present_in_the_full_policy_with_located_evidence(full):
    assert set(full.elements) == ALL_ELEMENTS
    absent = [n for n, r in full.elements.items() if not r.present]
    assert absent == []
    for name, result in full.elements.items():
        assert result.clauses, name
        for ev in result.evidence:
            assert full.text[ev["start"] : ev["end"]] == ev["sentence"]
            assert ev["type"] == "policy" and ev["element"] == name


def test_minimal_policy_lacks_the_right_elements(minimal_policy_text):
    ev = analyze_policy(minimal_policy_text, source="minimal")
    present = {n for n, r in ev.elements.items() if r.present}
    assert {"pi_collection", "permission_use", "security_measures", "contact"} <= present
    for missing in (
        "right_account_deletion",
        "right_withdraw_consent",
        "right_delete",
        "minors",
        "sdk_list",
        "third_party_sharing",
        "policy_updates",
        "effective_date",
        "operator_identity",
        "complaint_channel",
    ):
        assert not ev.elements[missing].present, missing
        assert ev.elements[missing].evidence == []


def test_declared_pi_and_negation(full):
    cats = full.declared_pi_categories
    assert {
        "location",
        "phone_number",
        "android_id",
        "oaid",
        "camera",
        "photos_storage",
        "network_info",
    } <= cats
    # "我们不会收集您的通讯录信息，也不会读取您的短信" is a negation, not a declaration
    assert "contacts" not in cats and "sms" not in cats
    loc = next(d for d in full.declared_pi if d.category == "location")
    assert any("位置信息" in e["sentence"] for e in loc.evidence)


def test_declared_permissions(full):
    perms = full.declared_permission_names
    assert "android.permission.CAMERA" in perms
    assert "android.permission.ACCESS_FINE_LOCATION" in perms
    assert "android.permission.READ_EXTERNAL_STORAGE" in perms
    assert "android.permission.READ_CONTACTS" not in perms


def test_literal_permission_names_are_declared():
    ev = analyze_policy(
        "我们会申请 android.permission.READ_CALENDAR 权限，用于把提醒写入日历。我们不会申请短信权限。"
    )
    assert "android.permission.READ_CALENDAR" in ev.declared_permission_names
    assert "android.permission.READ_SMS" not in ev.declared_permission_names


def test_sdk_list_records_with_vendor_purpose_pi_and_kb_ids(full, policies_dir):
    names = {s.name: s for s in full.declared_sdks}
    assert set(names) == {"友盟统计SDK", "极光推送SDK"}
    umeng = names["友盟统计SDK"]
    assert umeng.vendor == "友盟同欣（北京）科技有限公司"
    assert umeng.purpose == "统计App使用情况"
    assert {"android_id", "oaid", "imei", "network_info"} <= set(umeng.pi)
    assert umeng.sdk_id == "umeng_analytics"
    assert names["极光推送SDK"].sdk_id == "jpush"
    md = analyze_policy_file(policies_dir / "sdk_list.md")
    got = {s.name: s for s in md.declared_sdks}
    assert list(got) == ["小米推送SDK", "高德定位SDK", "微信开放平台SDK"]
    assert got["高德定位SDK"].vendor == "高德软件有限公司"
    assert {"location", "wifi", "cell"} <= set(got["高德定位SDK"].pi)


def test_sdk_names_without_suffix_come_from_the_knowledge_base():
    ev = analyze_policy(
        "为实现消息推送，我们集成了极光推送JPush，运营方会收集您的设备标识符。我们也使用了友盟+基础组件库。"
    )
    ids = {s.sdk_id for s in ev.declared_sdks}
    assert {"jpush", "umeng_common"} <= ids


def test_generic_sdk_words_are_not_sdk_names():
    ev = analyze_policy(
        "我们会对第三方SDK进行严格的安全检测。上述SDK可能收集您的设备信息。相关SDK的清单见下文。"
    )
    assert ev.declared_sdks == []


def test_to_json_shape(full):
    data = full.to_json()
    json.dumps(data, ensure_ascii=False)
    assert {"elements", "declared_pi", "declared_sdks", "declared_permissions", "sections", "errors"} <= set(
        data
    )
    assert data["found"] is True and data["text_length"] == len(full.text)
    assert "text" not in data and "sentences" not in data
    el = data["elements"]["contact"]
    assert el["present"] is True and el["evidence"][0]["sentence"]
    assert "sentences" in full.to_json(include_sentences=True)


def test_not_found_evidence():
    ev = PolicyEvidence.not_found("searched assets/")
    assert ev.found is False and ev.source == "none"
    assert not ev.has("contact")
    assert ev.to_json()["found"] is False and "searched assets/" in ev.errors[0]


def test_segment_offsets_and_sections(full):
    assert [s.title for s in full.sections][:3] == [
        "示例天气隐私政策",
        "一、我们如何收集和使用您的个人信息",
        "二、我们如何共享、转让、公开披露您的个人信息",
    ]
    for s in full.sentences:
        assert full.text[s.start : s.end] == s.text and s.text.strip() == s.text
    rights = next(i for i, s in enumerate(full.sections) if s.title == "四、您的权利")
    in_rights = [s for s in full.sentences if s.section == rights]
    assert any("注销账号" in s.text for s in in_rights)


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("第一章 总则", 1),
        ("一、我们如何收集和使用您的个人信息", 1),
        ("（二）账号注册", 2),
        ("1.2 设备信息", 3),
        ("如何联系我们", 2),
        ("我们会收集您的位置信息。", 0),
        ("（一）天气预报功能：为向您提供所在城市的天气预报，我们会在您授权后收集您的位置信息。", 0),
        ("", 0),
    ],
)
def test_heading_levels(line, level):
    assert heading_level(line) == level


def test_long_unpunctuated_text_is_cut():
    text = "设备型号 操作系统版本 " * 200
    _, sentences = segment(text)
    assert len(sentences) > 1 and all(len(s.text) <= 400 for s in sentences)


def test_tag_sentences_full_tagging(full):
    tags = tag_sentences(full.sentences)
    assert len(tags) == len(full.sentences)
    deletion = [t for s, t in zip(full.sentences, tags, strict=True) if "注销账号" in s.text]
    assert deletion and all("right_account_deletion" in t for t in deletion)


def test_bad_inputs_raise_policy_error():
    with pytest.raises(PolicyError, match="empty"):
        analyze_policy("   ")
    with pytest.raises(PolicyError, match="not Chinese"):
        analyze_policy("This privacy policy explains what we collect. " * 10)
    with pytest.raises(PolicyError, match="must be str"):
        analyze_policy(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(PolicyError):
        analyze_policy("我们会收集您的位置信息。" * 100, limits=Limits(max_policy_size=100))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_segment_never_raises_and_offsets_hold(text):
    sections, sentences = segment(text)
    for s in sentences:
        assert text[s.start : s.end] == s.text
    for sec in sections:
        assert 0 <= sec.start < sec.end <= len(text)


_POLICYISH = st.lists(
    st.sampled_from(
        ["我们会收集您的位置信息", "。", "\n", "一、", "（二）", "SDK名称：", "友盟", "SDK", "：", "注销账号", "不会收集", "通讯录",
         "android.permission.CAMERA", " ", "IMEI", "http://x.cn/a", "<p>", "撤回同意", "\u3000", "个人信息", "邮箱："]
    ),
    max_size=80,
).map("".join)  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), _POLICYISH))
def test_analyze_never_raises_anything_but_policy_error(text):
    try:
        ev = analyze_policy(text)
    except PolicyError:
        return
    json.dumps(ev.to_json(include_sentences=True), ensure_ascii=False)
    for r in ev.elements.values():
        for e in r.evidence:
            assert ev.text[e["start"] : e["end"]] == e["sentence"]
