"""Consent analysis (rules/consent.py, dex/branches.py) through the real pipeline on the consent fixture apps.

consent_ungated.apk / consent_gated.apk are twins built from tests/rules/_apps/src/consent_*: the same host call,
SDK inits in Application, launcher activity, content provider and static initialiser, and the same privacy dialog;
the gated twin guards each with the stored flag (inline, through a helper, a static field, an early return, a
negated helper result) and its refuse handler only exits. consent_vendor.apk has no dialog in code and relies on
the vendors' compliance APIs (JCollectionAuth.setAuth(false), UMConfigure.preInit, AMap updatePrivacyAgree(true)).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from appwarden.report.html import render_html
from appwarden.report.json import schema_errors
from appwarden.rules.consent import consent_model, consent_section
from appwarden.scan import build_evidence, scan_apk

APPS = Path(__file__).parent / "_apps"
FIXTURES = Path(__file__).parent.parent / "fixtures"
UNGATED_PKG = "Lcom/appwarden/rules/consent/"
GATED_PKG = "Lcom/appwarden/rules/consentok/"
ALIYUN_PREINIT = (
    "Lcom/alibaba/sdk/android/push/noonesdk/PushServiceFactory;->init(Landroid/content/Context;)V"
)


@lru_cache(maxsize=8)
def _report(name: str, trace: str | None = None) -> dict[str, Any]:
    apk = APPS / name if (APPS / name).exists() else FIXTURES / "apks" / name
    return scan_apk(apk, trace_path=trace)


def _entries(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["owner"], e["behaviour"]): e for e in report["consent"]["owners"]}


def test_consent_moment_found_in_code() -> None:
    model = consent_model(build_evidence(APPS / "consent_gated.apk"))
    assert model is not None
    assert model.dialogs == [f"{GATED_PKG}SplashActivity;->showPrivacy()V"]
    assert model.agree_handlers == [
        f"{GATED_PKG}AgreeListener;->onClick(Landroid/content/DialogInterface;I)V"
    ]
    assert model.refuse_handlers == [
        f"{GATED_PKG}RefuseListener;->onClick(Landroid/content/DialogInterface;I)V"
    ]
    assert model.keys == {"privacy_agreed": True}
    assert model.fields == {f"{GATED_PKG}Consent;->agreed": True}
    assert model.helpers == {f"{GATED_PKG}PrivacyUtil;->isAgreed(Landroid/content/Context;)Z": True}


def test_gated_twin_every_owner_gated_with_its_gate() -> None:
    report = _report("consent_gated.apk")
    assert schema_errors(report) == []
    assert [f for f in report["findings"] if f.get("behaviour")] == []
    entries = _entries(report)
    helper = f"{GATED_PKG}PrivacyUtil;->isAgreed(Landroid/content/Context;)Z"
    expected = {
        "host": ("inline", "privacy_agreed", f"{GATED_PKG}App;->initHost()V"),
        "umeng_common": ("helper", helper, f"{GATED_PKG}App;->initSdk()V"),
        "jpush": ("helper", helper, f"{GATED_PKG}SplashActivity;->onCreate(Landroid/os/Bundle;)V"),
        "getui_push": ("helper", helper, f"{GATED_PKG}InitProvider;->onCreate()Z"),
        "tencent_bugly": ("inline", f"{GATED_PKG}Consent;->agreed", f"{GATED_PKG}App;-><clinit>()V"),
        # preInit-then-init-after-agree: PushServiceFactory.init at start-up, CloudPushService.register only in
        # the agree handler; the vendor's contract says the pre-initialisation collects nothing
        "aliyun_push": ("sdk_contract", ALIYUN_PREINIT, ALIYUN_PREINIT),
    }
    assert set(entries) == {(o, "pre_consent") for o in expected}
    for owner, (kind, flag, method) in expected.items():
        e = entries[(owner, "pre_consent")]
        assert e["verdict"] == "gated"
        assert (e["gate"]["kind"], e["gate"]["flag"], e["gate"]["method"]) == (kind, flag, method), owner


def test_ungated_twin_likely_with_path_and_reason() -> None:
    report = _report("consent_ungated.apk")
    assert schema_errors(report) == []
    entries = _entries(report)
    assert {k: e["verdict"] for k, e in entries.items()} == {
        ("host", "pre_consent"): "likely",
        ("host", "after_refusal"): "likely",
        ("umeng_common", "pre_consent"): "likely",
        ("jpush", "pre_consent"): "likely",
        ("getui_push", "pre_consent"): "likely",
        ("tencent_bugly", "pre_consent"): "likely",
        ("aliyun_push", "pre_consent"): "likely",
    }
    aliyun = entries[("aliyun_push", "pre_consent")]  # the register path, not the pre-initialisation
    assert aliyun["path"][-1].startswith("Lcom/alibaba/sdk/android/push/CloudPushService;->register(")
    jpush = entries[("jpush", "pre_consent")]
    assert jpush["path"][0] == f"{UNGATED_PKG}SplashActivity;->onCreate(Landroid/os/Bundle;)V"
    assert "privacy_agreed" in jpush["reason"] and jpush["gate"] is None
    refusal = entries[("host", "after_refusal")]
    assert refusal["path"][0] == f"{UNGATED_PKG}RefuseListener;->onClick(Landroid/content/DialogInterface;I)V"
    behaviours = {
        (f["rule_id"], f["owner"]): f["behaviour"] for f in report["findings"] if f.get("behaviour")
    }
    assert behaviours[("pi.consent.after_refusal", "host")] == "after_refusal"
    assert behaviours[("pi.startup.device_id", "host")] == "pre_consent"


FLAGS_OK = "Lcom/appwarden/rules/flagsok/"


def test_int_string_and_instance_field_flags_gate_each_owner() -> None:
    """consent_flags_gated: the agree handler stores the answer as putInt("privacy_state", 1), putString("uminit",
    "1"), putString("agree_state", "true") and PrivacyState.get().agreed = true; each owner is gated by one of them."""
    report = _report("consent_flags_gated.apk")
    assert schema_errors(report) == []
    assert [f for f in report["findings"] if f.get("behaviour")] == []
    moment = report["consent"]["moment"]
    assert moment["recognised"] is True
    assert {(f["kind"], f["name"], f["agreed_value"]) for f in moment["flags"]} >= {
        ("key", "privacy_state", True),
        ("key", "uminit", True),
        ("key", "agree_state", True),
        ("field", f"{FLAGS_OK}PrivacyState;->agreed", True),
    }
    expected = {
        "host": ("privacy_state", "int", f"{FLAGS_OK}App;->initHost()V"),  # getInt(key, 0) == 1
        "umeng_common": (
            "uminit",
            "string",
            f"{FLAGS_OK}App;->initUmeng()V",
        ),  # "1".equals(getString(key, ""))
        "getui_push": ("agree_state", "string", f"{FLAGS_OK}InitProvider;->onCreate()Z"),  # TextUtils.equals
        "jpush": (  # iget-boolean of the consent-state singleton's instance field
            f"{FLAGS_OK}PrivacyState;->agreed",
            "boolean",
            f"{FLAGS_OK}SplashActivity;->onCreate(Landroid/os/Bundle;)V",
        ),
    }
    entries = _entries(report)
    assert set(entries) == {(o, "pre_consent") for o in expected}
    for owner, (flag, flag_type, method) in expected.items():
        e = entries[(owner, "pre_consent")]
        assert e["verdict"] == "gated", owner
        assert (e["gate"]["flag"], e["gate"]["flag_type"], e["gate"]["method"]) == (flag, flag_type, method)


def test_int_string_and_instance_field_ungated_twin_stays_likely() -> None:
    """consent_flags_ungated: the same branches on values that are not the consent answer (getInt("launch_count")
    == 1, "1".equals(getString("channel_mode")), TextUtils.equals(getString("push_mode"), "true"), the
    PrivacyState.shown field the agree handler never writes): every owner is likely."""
    report = _report("consent_flags_ungated.apk")
    assert schema_errors(report) == []
    assert {k: e["verdict"] for k, e in _entries(report).items()} == {
        ("host", "pre_consent"): "likely",
        ("umeng_common", "pre_consent"): "likely",
        ("getui_push", "pre_consent"): "likely",
        ("jpush", "pre_consent"): "likely",
    }


def test_stored_string_meanings_and_int_comparisons() -> None:
    from appwarden.dex.branches import _int_edge, string_meaning

    assert [string_meaning(v) for v in ("1", "TRUE", " agreed ", "0", "false", "", "v2")] == [
        True, True, True, False, False, None, None,
    ]  # fmt: skip
    # (polarity, literal, branch taken when equal) -> the agreed successor (target 10, fall-through 2)
    assert _int_edge(True, 1, True, 10, 2) == 10  # if-eq flag, 1: taken when agreed
    assert _int_edge(True, 1, False, 10, 2) == 2  # if-ne flag, 1: falls through when agreed
    assert _int_edge(True, 0, True, 10, 2) == 2  # if-eqz on a positive flag: agreed falls through
    assert _int_edge(False, 1, True, 10, 2) is None  # first_launch == 1: neither side is certainly "agreed"
    assert _int_edge(False, 0, True, 10, 2) == 10  # first_launch == 0: agreed


def test_vendor_contracts_gate_or_flag_sdks() -> None:
    report = _report("consent_vendor.apk")
    entries = _entries(report)
    assert entries[("jpush", "pre_consent")]["verdict"] == "gated"  # JCollectionAuth.setAuth(ctx, false)
    assert entries[("jpush", "pre_consent")]["gate"]["kind"] == "sdk_contract"
    assert entries[("umeng_common", "pre_consent")]["gate"]["kind"] == "sdk_contract"  # preInit only
    assert entries[("amap_location", "pre_consent")]["verdict"] == "likely"  # updatePrivacyAgree(ctx, true)
    assert entries[("getui_push", "pre_consent")]["verdict"] == "possible"  # no flag, no contract saying more
    assert report["consent"]["moment"]["recognised"] is False


def test_static_and_runtime_evidence_of_one_behaviour_merge() -> None:
    trace = str(FIXTURES / "traces" / "pi_all_umeng_pre_consent.jsonl")
    report = _report("pi_all.apk", trace)
    assert schema_errors(report) == []
    umeng = _entries(report)[("umeng_common", "pre_consent")]
    assert umeng["verdict"] == "confirmed"
    assert sorted(umeng["sources"]) == ["dynamic", "static"]
    assert sorted(umeng["rules"]) == ["dynamic.pi.pre_consent", "pi.startup.device_id"]
    # one behaviour, one finding (rules.engine supersedes): the static finding carries the runtime one
    (merged,) = [f for f in report["findings"] if "dynamic.pi.pre_consent" in f.get("merged_rules", [])]
    assert (merged["rule_id"], merged["owner"], merged["behaviour"]) == (
        "pi.startup.device_id",
        "umeng_common",
        "pre_consent",
    )


def test_section_merges_findings_without_model() -> None:
    findings = [
        {"rule_id": "a", "owner": "x", "confidence": "possible", "behaviour": "pre_consent", "evidence": []},
        {"rule_id": "b", "owner": "x", "confidence": "confirmed", "behaviour": "pre_consent", "evidence": []},
        {"rule_id": "c", "owner": "x", "confidence": "likely", "evidence": []},
    ]
    section = consent_section(None, findings)
    assert section is not None
    assert [(e["owner"], e["verdict"], e["rules"]) for e in section["owners"]] == [
        ("x", "confirmed", ["a", "b"])
    ]
    assert consent_section(None, findings[2:]) is None


@pytest.mark.parametrize("name", ["consent_gated.apk", "consent_ungated.apk"])
def test_html_has_consent_section(name: str) -> None:
    html = render_html(_report(name))
    assert 'id="consent"' in html
    verdict = "已有同意判断" if name == "consent_gated.apk" else "很可能"
    section = html[html.index('id="consent"') : html.index('id="sdks"')]
    assert verdict in section and "个推" in section


def test_unconditional_app_path_is_likely_without_a_flag() -> None:
    # pi_all has no consent dialog or flag; App.onCreate calls the SDK inits without testing anything
    entries = _entries(_report("pi_all.apk"))
    umeng = entries[("umeng_common", "pre_consent")]
    assert umeng["verdict"] == "likely"
    assert "tests none at all" in umeng["reason"]
    # consent_vendor: Getui starts behind an app switch (pushEnabled()) that could be a consent check
    getui = _entries(_report("consent_vendor.apk"))[("getui_push", "pre_consent")]
    assert getui["verdict"] == "possible"
    # an SDK auto-init provider (Bugly's, declared in the manifest) is a pre-consent entry; its path starts in SDK code
    bugly = _entries(_report("consent_vendor.apk"))[("tencent_bugly", "pre_consent")]
    assert bugly["verdict"] == "possible"
    assert bugly["path"][0] == "Lcom/tencent/bugly/BuglyInitProvider;->onCreate()Z"
    assert "starts in SDK code" in bugly["reason"]


def test_consent_knowledge_is_validated() -> None:
    import yaml

    from appwarden.errors import KnowledgeError
    from appwarden.rules.consent import KNOWLEDGE_FILE, consent_knowledge, parse_consent_knowledge

    k = consent_knowledge()
    assert "隐私政策" in k.dialog_texts and "jpush" in k.contract_covers["jiguang_jcore"]
    data = yaml.safe_load(KNOWLEDGE_FILE.read_text(encoding="utf-8"))
    for bad, message in (
        ({**data, "extra": 1}, "unknown key 'extra'"),
        ({k2: v for k2, v in data.items() if k2 != "exit_calls"}, "missing key 'exit_calls'"),
        ({**data, "dialog_texts": []}, "'dialog_texts' must be a non-empty list"),
        ({**data, "key_name": "("}, "'key_name' is not a regular expression"),
        ({**data, "contract_covers": {"x": "y"}}, "'contract_covers' must map"),
    ):
        with pytest.raises(KnowledgeError, match=message.replace("(", r"\(")):
            parse_consent_knowledge(bad)


def test_refusal_trace_confirms_the_static_after_refusal_finding(tmp_path: Path) -> None:
    header = {
        "type": "header",
        "format": "appwarden-trace",
        "schema_version": 1,
        "app": {"package": "com.appwarden.rules.consent"},
        "started_at": "2026-12-06T10:00:00Z",
        "source": "hand",
    }
    stack = [
        "android.telephony.TelephonyManager.getSubscriberId(Native Method)",
        "com.appwarden.rules.consent.Host.imsi(Host.java:9)",
        "com.appwarden.rules.consent.RefuseListener.onClick(RefuseListener.java:20)",
    ]
    events = [
        header,
        {"t": 0, "type": "ui", "event": "process_start", "cause": "launcher"},
        {"t": 500, "type": "ui", "event": "privacy_dialog_shown", "label": "隐私政策"},
        {"t": 900, "type": "ui", "event": "consent_refuse", "label": "不同意"},
        {
            "t": 950,
            "type": "api_call",
            "class": "android.telephony.TelephonyManager",
            "method": "getSubscriberId",
            "args": [],
            "ret": "46000xxxxxxxxxx",
            "stack": stack,
        },
    ]
    trace = tmp_path / "refusal.jsonl"
    trace.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n", encoding="utf-8")
    report = scan_apk(APPS / "consent_ungated.apk", trace_path=trace)
    assert schema_errors(report) == []
    static = next(f for f in report["findings"] if f["rule_id"] == "pi.consent.after_refusal")
    assert (static["owner"], static["confidence"], static["behaviour"]) == (
        "host",
        "confirmed",
        "after_refusal",
    )
    entry = _entries(report)[("host", "after_refusal")]
    assert entry["verdict"] == "confirmed"
    assert sorted(entry["sources"]) == ["dynamic", "static"]
    assert sorted(entry["rules"]) == ["dynamic.pi.after_refusal", "pi.consent.after_refusal"]


def test_decoding_bound_makes_ungated_paths_only_possible(monkeypatch: pytest.MonkeyPatch) -> None:
    from appwarden.rules import consent
    from appwarden.rules.engine import evaluate_rule
    from appwarden.rules.loader import load_rules

    monkeypatch.setattr(consent, "MAX_FLOW_METHODS", 1)
    consent._CACHE.clear()
    evidence = build_evidence(APPS / "consent_ungated.apk")
    rule = next(r for r in load_rules() if r.id == "pi.startup.device_id")
    findings = evaluate_rule(evidence, rule).findings
    assert findings and {f.confidence for f in findings} == {"possible"}
    assert consent_model(evidence).truncated
    reasons = [e["reason"] for f in findings for e in f.evidence if e["type"] == "consent"]
    assert all("bound of decoded methods" in r for r in reasons)
    consent._CACHE.clear()


# -- the dialog's text only in resources or a WebView page (rules/consent_resources.py) --------------------------
# consent_res_gated.apk / consent_res_ungated.apk: no policy const-string anywhere in the code. The dialog inflates
# layout dialog_privacy (0x7f020000, a TextView showing @string/privacy_msg "请阅读并同意《用户协议》和《隐私政策》")
# with buttons @string/agree / @string/refuse; PolicyActivity loads file:///android_asset/privacy.html. The agree
# handler writes "ua_state" (a key not named like a consent flag). Gated twin: App.onCreate starts UMeng and reads
# the IMSI only when getBoolean("ua_state"); ungated twin: only behind an app process check.
RES_GATED_PKG = "Lcom/appwarden/rules/consentresok/"
RES_UNGATED_PKG = "Lcom/appwarden/rules/consentres/"


def test_policy_resources_resolved_from_arsc_and_layouts() -> None:
    from appwarden.apk import open_apk
    from appwarden.rules.consent import consent_knowledge
    from appwarden.rules.consent_resources import policy_resources

    k = consent_knowledge()
    res = policy_resources(
        open_apk(APPS / "consent_res_gated.apk"), list(k.dialog_texts), list(k.agree_texts)
    )
    assert res.policy == {
        0x7F030001: "string/privacy_title",
        0x7F030002: "string/privacy_msg",
        0x7F020000: "res/layout/dialog_privacy.xml",  # through its @string/privacy_msg reference
    }
    # 请阅读并同意…, 同意, 不同意, and the layout showing the first
    assert res.agree == {0x7F030002, 0x7F030003, 0x7F030004, 0x7F020000}
    assert res.notes == []


@pytest.mark.parametrize(
    ("name", "pkg"), [("consent_res_gated.apk", RES_GATED_PKG), ("consent_res_ungated.apk", RES_UNGATED_PKG)]
)
def test_resource_dialog_found_with_its_handlers_and_flag(name: str, pkg: str) -> None:
    model = consent_model(build_evidence(APPS / name))
    assert model is not None
    assert model.dialogs == [
        f"{pkg}SplashActivity;->showPrivacy()V",
        f"{pkg}PolicyActivity;->onCreate(Landroid/os/Bundle;)V",
    ]
    assert model.dialog_resources[:2] == [
        f"{pkg}SplashActivity;->showPrivacy()V <- res/layout/dialog_privacy.xml",
        f"{pkg}PolicyActivity;->onCreate(Landroid/os/Bundle;)V <- assets/privacy.html",
    ]
    assert model.agree_handlers == [f"{pkg}AgreeListener;->onClick(Landroid/content/DialogInterface;I)V"]
    assert model.refuse_handlers == [f"{pkg}RefuseListener;->onClick(Landroid/content/DialogInterface;I)V"]
    assert model.keys == {"ua_state": True}
    assert model.recognised
    # AboutActivity only shows @string/privacy_title (隐私政策), no agree button: named in a note, not a dialog
    assert model.dialog_resources[2:] == [
        (
            f"{pkg}AboutActivity;->onCreate(Landroid/os/Bundle;)V <- string/privacy_title: names the policy but offers"
            " no agree button (not a consent dialog)"
        )
    ]


def test_resource_dialog_gated_twin_gated_with_its_gate() -> None:
    report = _report("consent_res_gated.apk")
    assert schema_errors(report) == []
    assert [f for f in report["findings"] if f.get("behaviour")] == []
    entries = _entries(report)
    assert set(entries) == {("host", "pre_consent"), ("umeng_common", "pre_consent")}
    for e in entries.values():
        assert e["verdict"] == "gated"
        assert (e["gate"]["kind"], e["gate"]["flag"], e["gate"]["method"]) == (
            "inline",
            "ua_state",
            f"{RES_GATED_PKG}App;->onCreate()V",
        )
    assert report["consent"]["moment"]["dialog_resources"][0].endswith("<- res/layout/dialog_privacy.xml")


def test_resource_dialog_ungated_twin_likely() -> None:
    report = _report("consent_res_ungated.apk")
    assert schema_errors(report) == []
    entries = _entries(report)
    assert {k: e["verdict"] for k, e in entries.items()} == {
        ("host", "pre_consent"): "likely",
        ("umeng_common", "pre_consent"): "likely",
    }
    for e in entries.values():
        assert e["path"][0] == f"{RES_UNGATED_PKG}App;->onCreate()V" and e["gate"] is None
        assert "ua_state" in e["reason"]


def test_dialog_layout_through_include() -> None:
    """consent_res_include: the code loads only the layout dialog_privacy, which holds no text: it <include>s
    privacy_body (the policy text) and privacy_buttons (同意/不同意). The dialog, its handlers and the ua_state flag
    are found, so UMeng behind the flag is gated and the host read behind a process check is likely."""
    report = _report("consent_res_include.apk")
    assert schema_errors(report) == []
    moment = report["consent"]["moment"]
    pkg = "Lcom/appwarden/rules/consentinc/"
    assert moment["dialogs"] == [f"{pkg}SplashActivity;->showPrivacy()V"]
    assert moment["dialog_resources"] == [
        f"{pkg}SplashActivity;->showPrivacy()V <- res/layout/dialog_privacy.xml (includes res/layout/privacy_body.xml)"
    ]
    assert moment["agree_handlers"] == [f"{pkg}AgreeListener;->onClick(Landroid/content/DialogInterface;I)V"]
    entries = _entries(report)
    assert {k: e["verdict"] for k, e in entries.items()} == {
        ("host", "pre_consent"): "likely",
        ("umeng_common", "pre_consent"): "gated",
    }
    assert entries[("umeng_common", "pre_consent")]["gate"]["flag"] == "ua_state"


def test_dialog_text_set_at_run_time_from_a_static_field() -> None:
    """consent_text_field: the policy text is a constant kept in a non-final static field (Texts.PRIVACY, stored by
    Texts.<clinit>) and set with TextView.setText in showPrivacy: the dialog is showPrivacy, not the initialiser."""
    report = _report("consent_text_field.apk")
    assert schema_errors(report) == []
    pkg = "Lcom/appwarden/rules/consenttxt/"
    moment = report["consent"]["moment"]
    assert moment["dialogs"] == [f"{pkg}SplashActivity;->showPrivacy()V"]
    assert moment["agree_handlers"] == [f"{pkg}AgreeListener;->onClick(Landroid/content/DialogInterface;I)V"]
    assert {k: e["verdict"] for k, e in _entries(report).items()} == {
        ("host", "pre_consent"): "likely",
        ("umeng_common", "pre_consent"): "gated",
    }


@pytest.mark.parametrize("name", ["consent_res_gated.apk", "consent_res_include.apk"])
def test_pool_byte_search_finds_the_same_strings_as_decoding_all(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appwarden.apk import open_apk
    from appwarden.rules import consent_resources as cr
    from appwarden.rules.consent import consent_knowledge

    k = consent_knowledge()
    fast = cr.policy_resources(open_apk(APPS / name), list(k.dialog_texts), list(k.agree_texts))
    monkeypatch.setattr(cr, "_pool_candidates", lambda pool, texts: None)
    slow = cr.policy_resources(open_apk(APPS / name), list(k.dialog_texts), list(k.agree_texts))
    assert fast.policy and (fast.policy, fast.agree) == (slow.policy, slow.agree)


def test_resource_route_only_when_code_names_no_dialog() -> None:
    # the const-string route found the dialog: resources are not indexed at all
    model = consent_model(build_evidence(APPS / "consent_gated.apk"))
    assert model is not None and model.dialog_resources == []


@pytest.mark.corpus
def test_third_party_dialog_library_policylib(corpus_dir: Path) -> None:
    # PolicyLibDemo (jaychou2012/PolicyLib): the app calls Policy.showRuleDialog; the library's hasShowRule(ctx)
    # returns the stored answer and showRuleDialog calls the app's rule(true) only behind it
    apk = corpus_dir / "apks" / "cn_sdk" / "PolicyLibDemo__app-debug.apk"
    if not apk.exists():
        pytest.skip("PolicyLibDemo not in the corpus")
    model = consent_model(build_evidence(apk))
    assert model is not None
    assert model.dialog_libraries == ["policylib"]
    assert "Lcom/db/policylibdemo/MainActivity;->initRule()V" in model.dialogs
    helper = "Lcom/db/policylib/Policy;->hasShowRule(Landroid/content/Context;)Z"
    assert model.helpers == {helper: True}
    dialog = next(iter(model.gates))
    assert dialog.startswith("Lcom/db/policylib/Policy;->showRuleDialog(")
    assert "Lcom/db/policylibdemo/MainActivity;->rule(Z)V" in model._cut_edges[dialog]
    assert model.recognised


POLICYLIB_CB = "Lcom/appwarden/rules/policylib/MainActivity$1;->rule(Z)V"


def test_policylib_single_callback_refuse_side_is_after_refusal() -> None:
    """consent_policylib: the app's one PolicyLib callback rule(boolean agree) starts UMeng when agree is true and
    reads the IMSI when it is false. The refuse side is collection after refusal; the agree side gates UMeng."""
    report = _report("consent_policylib.apk")
    assert schema_errors(report) == []
    moment = report["consent"]["moment"]
    assert moment["dialog_libraries"] == ["policylib"]
    assert moment["split_handlers"] == [POLICYLIB_CB]
    entries = _entries(report)
    refusal = entries[("host", "after_refusal")]
    assert refusal["verdict"] == "likely"
    assert refusal["path"] == [
        POLICYLIB_CB,
        "Lcom/appwarden/rules/policylib/Host;->imsi(Landroid/content/Context;)V",
    ]
    assert ("umeng_common", "after_refusal") not in entries  # UMConfigure.init is on the agree side only
    assert entries[("umeng_common", "pre_consent")]["verdict"] == "gated"
    assert [(f["rule_id"], f["owner"]) for f in report["findings"] if f.get("behaviour")] == [
        ("pi.consent.after_refusal", "host")
    ]


def test_policylib_twin_collecting_only_on_the_agree_side_has_no_finding() -> None:
    report = _report("consent_policylib_ok.apk")
    assert schema_errors(report) == []
    assert [f for f in report["findings"] if f.get("behaviour")] == []
    entries = _entries(report)
    assert {k: e["verdict"] for k, e in entries.items()} == {
        ("host", "pre_consent"): "gated",
        ("umeng_common", "pre_consent"): "gated",
    }


def test_callback_parameter_is_the_flag_in_method_flow() -> None:
    from appwarden.rules.consent import _param_register

    assert _param_register("La;->rule(Z)V", 0) == 1
    assert _param_register("La;->f(JLjava/lang/String;[JZ)V", 3) == 5  # this, J (2), String, [J, Z


def test_dialog_library_knowledge_is_validated() -> None:
    import yaml

    from appwarden.errors import KnowledgeError
    from appwarden.rules.consent import KNOWLEDGE_FILE, parse_consent_knowledge

    data = yaml.safe_load(KNOWLEDGE_FILE.read_text(encoding="utf-8"))
    assert parse_consent_knowledge(data).dialog_libraries["policylib"]["agreed_helper"].endswith(")Z")
    for bad in ({"x": {"dialog_api": "a->b(", "agreed_helper": "nope", "source": ""}}, {"x": "y"}, []):
        with pytest.raises(KnowledgeError, match="'dialog_libraries' must map"):
            parse_consent_knowledge({**data, "dialog_libraries": bad})
    lib = data["dialog_libraries"]["policylib"]
    for bad_cb in ({"callback": "rule"}, {"callback": "rule(Z)V", "callback_agree_param": "0"}, {"other": 1}):
        with pytest.raises(KnowledgeError, match="'dialog_libraries' must map"):
            parse_consent_knowledge({**data, "dialog_libraries": {"policylib": {**lib, **bad_cb}}})
    with pytest.raises(KnowledgeError, match="'agree_texts' must be a non-empty list"):
        parse_consent_knowledge({**data, "agree_texts": []})
    with pytest.raises(KnowledgeError, match="'asset_name' is not a regular expression"):
        parse_consent_knowledge({**data, "asset_name": "["})


@pytest.mark.corpus
def test_resource_route_follows_library_r_fields(corpus_dir: Path) -> None:
    # PolicyLib's dialog inflates R.layout.layout_rule through the library's R$layout field (sget, not a constant):
    # the resource route alone (no library knowledge, no const-string) finds Policy.showRuleDialog
    from appwarden.rules.consent import consent_knowledge
    from appwarden.rules.consent_resources import resource_dialogs

    apk = corpus_dir / "apks" / "cn_sdk" / "PolicyLibDemo__app-debug.apk"
    if not apk.exists():
        pytest.skip("PolicyLibDemo not in the corpus")
    static = build_evidence(apk).static
    assert static is not None
    k = consent_knowledge()
    methods, notes = resource_dialogs(
        static, static.code, list(k.dialog_texts), k.asset_name, list(k.agree_texts)
    )
    show = "Lcom/db/policylib/Policy;->showRuleDialog(Landroid/content/Context;Ljava/lang/String;Ljava/lang/String;ILcom/db/policylib/Policy$RuleListener;)V"
    assert methods[0] == show
    assert notes[0] == f"{show} <- res/layout/layout_rule.xml"
    assert "Lcom/db/policylibdemo/MainActivity;->oneClick()V <- assets/userRule.html" in notes


# -- cost optimisations: the same results ---------------------------------------------------------------------------


def test_blobs_with_is_the_per_blob_search() -> None:
    """The one-pass layout search gives exactly the per-blob ``any(n in blob)``, also for a match running across
    two joined blobs, empty blobs and repeated needles."""
    from appwarden.rules.consent_resources import _blobs_with, _has_text

    policy = "隐私政策".encode("utf-16-le")
    rid = (0x7F0B0012).to_bytes(4, "little")
    blobs = [
        b"\x00\x01" + rid[:2],  # the ID's first half at the end ...
        rid[2:] + b"\x00",  # ... its second half here: neither blob holds it
        b"",
        b"xx" + policy + b"yy",
        b"\x12\x00\x0b\x7f",
        rid,
        b"no policy here, " + "隐私".encode(),
        "隐私政策".encode() + b"tail",
    ]
    for needles in (
        [policy, rid],
        [rid, rid, "隐私政策".encode()],
        ["隐私".encode(), b"gree"],
        [b"\x00"],
        [],
    ):
        assert _blobs_with(blobs, needles) == [_has_text(b, needles) for b in blobs], needles
    assert _blobs_with([], [rid]) == []


def test_launcher_walk_pruned_by_the_startup_walk_gives_the_same_reach() -> None:
    """_reach prunes the launcher walk at the methods the start-up walk already reached: the merged result (methods
    and parents) is the unpruned one, on the fixture twins."""
    from appwarden.rules import consent as c
    from appwarden.rules.static_support import code_of

    for name in ("consent_ungated.apk", "consent_gated.apk", "consent_res_include.apk"):
        evidence = build_evidence(APPS / name)
        model = consent_model(evidence)
        assert model is not None
        code = code_of(evidence)
        launcher = set(c.launcher_entries(evidence))
        assert launcher, name
        for cut in ({}, model._cut_edges):
            first = c._walk(code, [e for e in model.entries if e not in launcher], cut)
            entries = [e for e in model.entries if e in launcher]
            unpruned, pruned = dict(first), dict(first)
            for m, p in c._walk(code, entries, cut, library=False).items():
                unpruned.setdefault(m, p)
            for m, p in c._walk(code, entries, cut, library=False, closed=first).items():
                pruned.setdefault(m, p)
            assert pruned == unpruned, name
            assert list(pruned) == list(unpruned), name


def test_contract_calls_remembered_per_code_index() -> None:
    """find_contract_calls' default search is done once per code index (a new list each time, equal to an explicit
    search with the packaged contracts) and holds no strong reference to the index."""
    import gc
    import weakref

    from appwarden.rules.static_support import code_of
    from appwarden.sdk import contracts

    code = code_of(build_evidence(APPS / "consent_vendor.apk"))
    first = contracts.find_contract_calls(code)
    assert first, (
        "consent_vendor.apk calls JCollectionAuth.setAuth, UMConfigure.preInit, AMap updatePrivacyAgree"
    )
    second = contracts.find_contract_calls(code)
    assert second == first and second is not first
    assert contracts._CALLS[code][1] is not first  # the remembered list is never handed out
    assert first == contracts.find_contract_calls(code, contracts.load_contracts())
    assert contracts.find_contract_calls(code, include_internal=True) != []
    # remembered weakly: no strong reference from the cache (the key is a weak reference, the value plain data)
    assert isinstance(contracts._CALLS, weakref.WeakKeyDictionary)
    held = {id(r) for r in gc.get_referrers(code)}
    assert id(contracts._CALLS.data) not in held
    assert all(id(x) not in held for x in (contracts._CALLS[code], *contracts._CALLS[code][1]))


def _reference_literal_callers(code: Any, ids: dict[int, str]) -> dict[str, tuple[int, str]]:
    """consent_resources._literal_callers as it was before the cost work (one search of the whole ID per ID and
    DEX), the reference for the optimised one."""
    import struct

    from appwarden.dex.records import EV_LITERAL, EVENT_WORDS
    from appwarden.rules.consent_resources import MAX_IDS, MAX_METHODS

    out: dict[str, tuple[int, str]] = {}
    columns = [bytes(memoryview(dc.events_raw).cast("I")[2::EVENT_WORDS]) for dc in code.codes]
    for rid, what in list(ids.items())[:MAX_IDS]:
        needle = struct.pack("<I", rid)
        for dc, col in zip(code.codes, columns, strict=True):
            pos = col.find(needle)
            while pos >= 0:
                if not pos & 3 and (dc.events[(pos >> 2) * EVENT_WORDS] >> 8) == EV_LITERAL:
                    out.setdefault(dc.caller_of_event(pos >> 2), (rid, what))
                    if len(out) >= MAX_METHODS:
                        return out
                pos = col.find(needle, pos + 1)
    return out


def _reference_field_callers(apk: Any, code: Any, ids: dict[int, str]) -> dict[str, tuple[int, str]]:
    """consent_resources._field_callers as it was before the cost work (every class tested for an R class)."""
    from appwarden.rules.consent_resources import MAX_IDS

    res = apk.resources
    by_type: dict[str, dict[str, int]] = {}
    for rid in list(ids)[:MAX_IDS]:
        kind, _, key = (res.name_of(rid) or "").partition("/")
        if key:
            by_type.setdefault(kind, {})[key] = rid
    fields: dict[str, int] = {}
    for cls in code.classes:
        if cls.endswith(";") and "/R$" in cls:
            for key, rid in by_type.get(cls[cls.rindex("$") + 1 : -1], {}).items():
                fields[f"{cls}->{key}"] = rid
    out: dict[str, tuple[int, str]] = {}
    for ref in code.field_reads(list(fields)) if fields else []:
        rid = fields.get(str(ref.target).split(":", 1)[0])
        if rid is not None:
            out.setdefault(ref.caller, (rid, ids[rid]))
    return out


@pytest.mark.corpus
@pytest.mark.slow
def test_cost_optimisations_match_the_reference_on_the_corpus(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On every cn_sdk corpus APK, each optimised step gives exactly what the step did before the cost work, in one
    process (so other work on the tree cannot blur the comparison): the layout search (one regex pass over the
    joined layouts, layouts read once per APK) against a search of every layout with every needle; the literal
    search (by the IDs' upper halves) and the R-field search (R classes prefiltered) against the old ones, on the
    policy IDs, on the layout and on the string IDs of the app (the first 64 are searched) and on both mixed; the launcher walk pruned
    at the start-up walk against the unpruned one, and every consent walk against the walk over descriptors
    (_reference_walk); the remembered SDK contract calls against a fresh search."""
    import itertools

    from appwarden.rules import consent as c
    from appwarden.rules import consent_resources as cr
    from appwarden.rules.consent import consent_knowledge, launcher_entries
    from appwarden.rules.static_support import code_of
    from appwarden.sdk import contracts

    apks = sorted((corpus_dir / "apks" / "cn_sdk").glob("*.apk"))
    if not apks:
        pytest.skip("no cn_sdk corpus APKs")
    k = consent_knowledge()
    texts, agree = list(k.dialog_texts), list(k.agree_texts)
    checked = found = 0
    for apk_path in apks:
        evidence = build_evidence(apk_path)
        static, code = evidence.static, code_of(evidence)
        apk = getattr(static, "apk", None)
        if apk is None or code is None or apk.resources is None:
            continue
        checked += 1
        new = cr.policy_resources(apk, texts, agree)
        with monkeypatch.context() as mp:  # the reference: every layout read again, each searched per needle
            mp.setattr(cr, "_LAYOUT_CACHE", cr.weakref.WeakKeyDictionary())
            mp.setattr(cr, "_LAYOUT_CACHE_BYTES", -1)
            mp.setattr(
                cr,
                "_blobs_with_each",
                lambda blobs, *sets: [[cr._has_text(b, n) for b in blobs] for n in sets],
            )
            old = cr.policy_resources(apk, texts, agree)
        assert list(new.policy.items()) == list(old.policy.items()), apk_path.name
        assert (new.agree, new.notes) == (old.agree, old.notes), apk_path.name
        res = apk.resources
        layouts = {rid: "layout" for rid, _t, _d in res.entries_of_type("layout")}
        strings = {rid: "string" for rid, _t, _d in res.entries_of_type("string")}
        pairs = zip(list(layouts.items())[:32], list(strings.items())[:32], strict=False)
        mixed = dict(itertools.chain.from_iterable(pairs))
        for ids in (dict(new.policy), layouts, strings, mixed):
            literal = cr._literal_callers(code, ids)
            assert list(literal.items()) == list(_reference_literal_callers(code, ids).items()), apk_path.name
            fields = cr._field_callers(apk, code, ids)
            assert list(fields.items()) == list(_reference_field_callers(apk, code, ids).items()), (
                apk_path.name
            )
            found += bool(literal) + bool(fields)
        model = c.consent_model(evidence)
        if model is not None:
            launcher = set(launcher_entries(evidence))
            entries = [e for e in model.entries if e in launcher]
            first = c._walk(code, [e for e in model.entries if e not in launcher], {})
            unpruned, pruned = dict(first), dict(first)
            for m, p in c._walk(code, entries, {}, library=False).items():
                unpruned.setdefault(m, p)
            for m, p in c._walk(code, entries, {}, library=False, closed=first).items():
                pruned.setdefault(m, p)
            assert list(pruned.items()) == list(unpruned.items()), apk_path.name
            assert list(model._full.items()) == list(unpruned.items()), apk_path.name
            _assert_walks_match_the_reference(evidence, apk_path.name)
        assert contracts.find_contract_calls(code) == contracts._find_contract_calls(
            code, contracts.load_contracts(), False
        ), apk_path.name
    assert checked >= 10 and found >= 10  # the searches found something to compare


def test_layouts_read_once_per_apk() -> None:
    """policy_resources reads an APK's layouts once: a second search (the navigation rules' own texts) reuses them
    with its own result, and the remembered layouts go with the APK."""
    import gc
    import weakref

    from appwarden.apk import open_apk
    from appwarden.rules import consent_resources as cr
    from appwarden.rules.consent import consent_knowledge

    apk = open_apk(APPS / "consent_res_include.apk")
    reads: list[str] = []
    read = cr._read

    def counting(apk_: Any, name: str, limit: int) -> bytes | None:
        reads.append(name)
        return read(apk_, name, limit)

    cr._read = counting  # type: ignore[assignment]
    try:
        agree = list(consent_knowledge().agree_texts)
        first = cr.policy_resources(apk, list(consent_knowledge().dialog_texts), agree)
        n = len(reads)
        again = cr.policy_resources(apk, list(consent_knowledge().dialog_texts), agree)
        other = cr.policy_resources(apk, ["no such policy title"], agree)
    finally:
        cr._read = read  # type: ignore[assignment]
    assert n > 0 and len(reads) == n  # every layout read by the first search only
    assert first.policy and first == again
    assert not any(v.endswith(".xml") or "layout" in v for v in other.policy.values())
    ref = weakref.ref(apk)
    del apk
    gc.collect()
    assert ref() is None  # the remembered layouts did not keep the APK alive


def _reference_walk(
    code: Any, entries: list[str], cut: dict[str, set[str]], *, library: bool = True, closed: Any = None
) -> dict[str, str | None]:
    """consent._walk as it was before CallGraph.walk (a BFS over descriptors, ``callees()`` per method, each
    callee set sorted), the reference for the walk over node ids."""
    from collections import deque

    from appwarden.dex.api_index import PLATFORM_LIBRARIES
    from appwarden.rules.static_support import reachable

    if not cut and library:
        return reachable(code, entries) if entries else {}  # unchanged: the C BFS
    callees = code.callgraph.callees
    parents: dict[str, str | None] = dict.fromkeys(entries)
    done = closed if closed is not None else {}
    queue = deque(e for e in entries if e not in done)
    platform = () if library else PLATFORM_LIBRARIES
    while queue:
        m = queue.popleft()
        skip = cut.get(m, ()) if cut else ()
        for x in sorted(callees(m)):
            if x not in parents and x not in skip and not x.startswith(platform):
                parents[x] = m
                if x not in done:
                    queue.append(x)
    return parents


def _assert_walks_match_the_reference(evidence: Any, label: str) -> int:
    """Every walk the consent model makes (start-up and launcher walks, pruned and not, with and without the
    cut edges; the refusal walk) against :func:`_reference_walk`: same methods, parents and order. Returns how
    many methods the walks recorded."""
    from appwarden.rules import consent as c
    from appwarden.rules.static_support import code_of

    model = consent_model(evidence)
    if model is None:
        return 0
    code = code_of(evidence)
    launcher = set(c.launcher_entries(evidence))
    startup = [e for e in model.entries if e not in launcher]
    entries = [e for e in model.entries if e in launcher]
    seen = 0
    cuts = [model._cut_edges, {"Lno/such;->m()V": {"Lno/such;->n()V"}}]  # a cut that cuts nothing: id walk
    for cut in cuts:
        first = c._walk(code, startup, cut)
        assert list(first.items()) == list(_reference_walk(code, startup, cut).items()), label
        for closed in (None, first):
            got = c._walk(code, entries, cut, library=False, closed=closed)
            ref = _reference_walk(code, entries, cut, library=False, closed=closed)
            assert list(got.items()) == list(ref.items()), label
            seen += len(got)
        if model.refuse_handlers:
            got = c._walk(code, model.refuse_handlers, cut)
            assert list(got.items()) == list(_reference_walk(code, model.refuse_handlers, cut).items()), label
    # closed given as the graph's own BFS result (what _reach passes when there is no cut): read from its node ids
    from appwarden.dex.api_index import PLATFORM_LIBRARIES

    full = c._walk(code, startup, {})
    got = code.callgraph.walk(entries, skip_prefixes=PLATFORM_LIBRARIES, closed=full)
    ref = _reference_walk(code, entries, cuts[1], library=False, closed=full)
    assert list(got.items()) == list(ref.items()), label
    return seen


@pytest.mark.parametrize("name", sorted(p.name for p in APPS.glob("consent_*.apk")))
def test_callgraph_walk_matches_the_walk_over_descriptors(name: str) -> None:
    """CallGraph.walk (node ids, callees in descriptor order, names made for recorded nodes) gives exactly the
    parents, in the same order, as the walk over callees() sets it replaced, on every consent fixture app."""
    _assert_walks_match_the_reference(build_evidence(APPS / name), name)


def test_callgraph_walk_cuts_skips_and_stops_at_closed() -> None:
    """The walk's rules on one fixture graph: a cut edge is not followed from that caller only, a skipped prefix
    is never entered (an entry is kept whatever its name), a method of ``closed`` is recorded but not expanded."""
    from appwarden.rules.static_support import code_of

    evidence = build_evidence(APPS / "consent_gated.apk")
    graph = code_of(evidence).callgraph
    model = consent_model(evidence)
    assert model is not None and model.entries
    entry = model.entries[0]
    whole = graph.walk([entry])
    callees = sorted(graph.callees(entry))
    assert callees and all(whole[c] == entry for c in callees)
    first = callees[0]
    cut = graph.walk([entry], cut={entry: {first}})
    assert cut.get(first) != entry  # not reached from the entry; maybe from elsewhere
    assert all(cut[c] == entry for c in callees[1:])
    cls = first.split("->", 1)[0]
    skipped = graph.walk([entry], skip_prefixes=(cls,))
    assert not any(m.startswith(cls) for m in skipped if m != entry)
    assert graph.walk([entry], skip_prefixes=("L",)) == {entry: None}  # the entry kept, nothing entered
    stopped = graph.walk([entry], closed={first: None})
    assert stopped[first] == entry
    assert not any(p == first for p in stopped.values())
    assert graph.walk(["Lno/such;->m()V"]) == {"Lno/such;->m()V": None}


def test_the_pre_consent_walk_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """The parent kept for a method reached twice at the same depth (so the path in a report) must not depend on
    the process's hash seed: the consent model's walks (full, cut, refusal) of a gated app in two processes with
    different PYTHONHASHSEED give the same items in the same order."""
    import os
    import subprocess
    import sys

    script = (
        "import json, sys\n"
        "from appwarden.scan import build_evidence\n"
        "from appwarden.rules.consent import consent_model\n"
        "m = consent_model(build_evidence(sys.argv[1]))\n"
        "print(json.dumps([list(m._full.items()), list((m._cut or {}).items()), list((m._refusal or {}).items())]))\n"
    )
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script, str(APPS / "consent_gated.apk")],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        outs.append(json.loads(run.stdout))
    assert outs[0] == outs[1]
    assert outs[0][1], "consent_gated.apk has a cut walk"
