"""Shared report views: grouping and ordering."""

from __future__ import annotations

import jsonschema

from appwarden.report import view
from appwarden.report.json import load_schema


def test_clause_groups_put_legal_instruments_before_standards(report):
    report["findings"][1]["clauses"] = ["GB35273-6.3", "RD-4.1"]
    clauses = [g["clause"] for g in view.findings_by_clause(report)]
    assert clauses.index("RD-3.1") < clauses.index("M164-2.2") < clauses.index("GB35273-6.3")
    assert sum(len(g["findings"]) for g in view.findings_by_clause(report)) == len(report["findings"])


def test_clause_index_counts_every_cited_clause(report):
    index = {c["clause"]: c for c in view.clause_index(report)}
    assert set(index) == {"RD-3.1", "M164-1.1", "RD-4.1", "M164-2.1", "RD-2.1", "M164-2.2"}
    assert index["M164-1.1"]["rule_ids"] == ["pi.device_id.pre_consent"]
    assert view.clause_sort_key("RD-10.1") > view.clause_sort_key("RD-9.1")


def test_owner_names_and_groups(report):
    assert view.owner_names(report, "host") == view.HOST_LABEL
    assert view.owner_names(report, "umeng") == ("友盟统计", "Umeng Analytics")
    assert view.owner_names(report, "unknown_sdk") == ("unknown_sdk", "unknown_sdk")
    owners = [g["owner"] for g in view.findings_by_owner(report)]
    assert owners == ["host", "umeng"]


def test_bilingual():
    assert view.bilingual("安卓ID", "Android ID") == "安卓ID (Android ID)"
    assert view.bilingual("x", "x") == "x"
    assert view.bilingual(None, "en") == "en"


def test_manifest_evidence_text_names_file_domains_and_note():
    ref = {
        "type": "manifest",
        "attribute": "network-security-config domain-config cleartextTrafficPermitted",
        "value": "true",
        "file": "res/xml/nsc.xml",
        "domains": ["a.cn (includeSubdomains)", "b.cn"],
        "note": "usesCleartextTraffic ignored",
    }
    assert view.evidence_text(ref) == (
        "network-security-config domain-config cleartextTrafficPermitted=true "
        "[a.cn (includeSubdomains), b.cn] (res/xml/nsc.xml); usesCleartextTraffic ignored"
    )
    assert view.evidence_text({"type": "manifest", "attribute": "android:debuggable", "value": "true"}) == (
        "android:debuggable=true"
    )


def test_unresolved_callsites_are_not_listed_under_the_guessed_category():
    """A ContentResolver.query on a URI built at run time is filed under contacts by the engine (the rules' most
    likely reading); the report's call-site section must not state it as a contacts read."""
    site = {"caller": "Lcom/a/B;->q()V", "dex": "classes.dex", "offset": 4, "owner": "host"}
    report = {
        "callsites": [
            {
                **site,
                "category": "contacts",
                "api": "Landroid/content/ContentResolver;->query",
                "unresolved": True,
            },
            {**site, "category": "contacts", "api": "Landroid/provider/ContactsContract;->x", "offset": 8},
            {
                **site,
                "category": "android_id",
                "api": "Landroid/provider/Settings$Secure;->getString",
                "offset": 9,
            },
            {
                **site,
                "category": "android_id",
                "api": "Landroid/provider/Settings$Secure;->getString",
                "offset": 12,
            },
        ]
    }
    groups = view.callsites_by_category(report)
    assert [g["category"] for g in groups] == ["android_id", "contacts", view.UNRESOLVED_GROUP]
    contacts = groups[1]
    assert contacts["count"] == 1
    assert all(not cs.get("unresolved") for o in contacts["owners"] for cs in o["callsites"])
    assert groups[-1]["name_zh"].startswith("类别未确定")
    assert groups[-1]["owners"][0]["callsites"][0]["api"].endswith("ContentResolver;->query")


def test_trace_confirmation_marker_reads_as_a_sentence_not_t_none():
    """The marker ``upgrade_findings`` puts before the confirming trace events has no timestamp: it printed as
    ``t=None confirmation`` in the terminal, PDF and SARIF (report audit)."""
    marker = {"type": "trace", "event": "confirmation", "behaviour": "pre_consent", "package": "com.example"}
    text = view.evidence_text(marker)
    assert "None" not in text and "t=" not in text
    assert "运行时轨迹证实" in text and "同意隐私政策前" in text
    event = {
        "type": "trace",
        "ts": 420,
        "event": "api_call",
        "api": "android.telephony.TelephonyManager.getDeviceId",
    }
    assert view.evidence_text(event) == "t=420 api_call android.telephony.TelephonyManager.getDeviceId"
    assert "None" not in view.evidence_text({"type": "trace", "event": "api_call", "api": "x.y"})


def test_policy_source_item_is_not_read_as_a_missing_sentence():
    """policy.access.too_many_taps cites ``{"type": "policy", "element": "source", "value": ...}``: it printed as
    隐私政策中未找到相关语句 (no such sentence) instead of naming the policy it read (report audit)."""
    ref = {"type": "policy", "element": "source", "value": "apk:assets/privacy.html"}
    assert view.evidence_text(ref) == "隐私政策来源：apk:assets/privacy.html"
    absence = {"type": "policy", "sentence": "", "element": "sdk_list", "note_zh": "未列出：个推"}
    assert view.evidence_text(absence) == "未列出：个推"


def test_confirmed_message_says_which_categories_the_trace_confirmed():
    """A static finding upgraded to 已确认 by a trace keeps every call site: pi_all's UMeng finding lists IMEI and MAC
    while the trace shows only the IMEI read. Displayed as is, '已确认 … IMEI、MAC' overclaims the MAC (report
    audit): the message says what the trace confirmed and what is static only."""
    finding = {
        "rule_id": "pi.startup.device_id",
        "confidence": "confirmed",
        "message_zh": "第三方SDK（友盟+基础组件库）在用户同意隐私政策前即调用设备识别码IMEI/MEID、设备MAC地址相关接口，共2处。",
        "evidence": [
            {"type": "callsite", "caller": "La;->b()V", "api": "x", "category": "imei"},
            {"type": "callsite", "caller": "La;->b()V", "api": "y", "category": "mac"},
            {"type": "trace", "event": "confirmation", "behaviour": "pre_consent"},
            {"type": "trace", "ts": 420, "event": "api_call", "api": "z", "category": "imei"},
        ],
    }
    text = view.finding_message_zh(finding)
    assert text.startswith(finding["message_zh"])
    assert "运行时轨迹证实的仅为设备识别码IMEI/MEID" in text and "设备MAC地址为静态分析结果" in text
    finding["evidence"][1]["category"] = "imei"  # everything confirmed: nothing to add
    assert view.finding_message_zh(finding) == finding["message_zh"]


def test_sdks_seen_only_at_run_time_are_listed():
    """shop.apk + policy_mismatch.jsonl: findings owned by 个推推送 and 友盟 while the SDK list said '无' / 0 (the code
    is not in the APK, as in a packed app). The SDK section names the SDKs the trace attributed (report audit)."""
    from pathlib import Path

    from appwarden.report.html import render_html
    from appwarden.report.terminal import summary_text
    from appwarden.scan import scan_apk

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    report = scan_apk(
        fixtures / "apks" / "shop.apk",
        trace_path=fixtures / "traces" / "policy_mismatch.jsonl",
        policy_path=fixtures / "policies" / "umeng_listed_policy.txt",
    )
    # the JSON carries them too (report audit item 4): one schema-valid row each, marked as seen at run time only,
    # and the summary counts them; the platform's SDK views read this list
    sdk_schema = {"$defs": load_schema()["$defs"], "$ref": "#/$defs/sdk"}
    for row in report["sdks"]:
        jsonschema.validate(row, sdk_schema)
    assert [(s["id"], s.get("detected_by")) for s in report["sdks"]] == [
        ("getui_push", ["trace"]),
        ("umeng_common", ["trace"]),
    ]
    getui = report["sdks"][0]
    assert getui["name_zh"] == "个推推送" and getui["vendor"] and getui["version"] is None
    assert getui["matched"] == [] and getui["reachable"] is None
    assert report["summary"]["sdks"] == 2
    assert view.code_sdks(report) == []
    rows = view.runtime_only_sdks(report)
    assert [r["id"] for r in rows] == ["getui_push", "umeng_common"]
    assert rows[0]["name_zh"] == "个推推送"
    text = summary_text(report)
    section = text.split("第三方SDK清单", 1)[1].split("■", 1)[0]
    assert "个推推送" in section and "仅运行时观察到" in section
    assert "(2)" in section and "代码中未识别到SDK" in section and section.count("个推推送") == 1
    html = render_html(report)
    sdk_part = html.split('id="sdks"', 1)[1].split("<h2", 1)[0]
    assert "个推推送" in sdk_part and "仅运行时观察到" in sdk_part
    # named once, not a second time as a code-scan row
    assert sdk_part.count("个推推送") == 1 and "<table>" not in sdk_part
    assert '<div class="n">2</div>第三方SDK' in html

    # a report written before ``detected_by`` (trace-only SDKs absent from ``sdks``) still lists them
    old = {**report, "sdks": []}
    assert [r["id"] for r in view.runtime_only_sdks(old)] == ["getui_push", "umeng_common"]


def test_trace_only_sdk_rows_are_not_added_for_sdks_the_code_scan_listed():
    """An SDK both in the code and in the trace keeps its one code-scan row (no ``detected_by``)."""
    from pathlib import Path

    from appwarden.scan import scan_apk

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    trace = fixtures / "traces" / "pi_all_umeng_pre_consent.jsonl"
    report = scan_apk(fixtures / "apks" / "pi_all.apk", trace_path=trace)
    from appwarden.report.json import runtime_sdk_owners

    ids = [s["id"] for s in report["sdks"]]
    assert set(runtime_sdk_owners(report)) & set(ids)  # the trace's SDK is one the code scan listed
    assert len(ids) == len(set(ids))
    assert all("detected_by" not in s for s in report["sdks"])
    assert view.runtime_only_sdks(report) == []
