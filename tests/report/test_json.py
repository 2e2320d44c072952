"""The report builder and its JSON Schema."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass

import pytest
from report_samples import ENGINE, SHA, Results, make_evidence, make_findings, make_results

from appwarden.evidence import ErrorNote, Evidence
from appwarden.report.json import (
    SCHEMA_VERSION,
    ReportError,
    build_report,
    extend_report,
    load_report,
    load_schema,
    schema_errors,
    validate_report,
    write_report,
)


def test_report_has_the_contract_keys(report):
    for key in ("schema_version", "app", "engine", "callsites", "sdks", "findings", "errors", "manifest"):
        assert key in report
    assert report["schema_version"] == SCHEMA_VERSION
    assert report["engine"] == ENGINE
    assert report["app"]["sha256"] == SHA
    assert report["app"]["signers"][0]["subject"].startswith("CN=Demo Dev")
    assert report["rules_evaluated"] is True
    # JSON-serialisable as built
    assert json.loads(json.dumps(report, ensure_ascii=False)) == report


def test_schema_id_is_versioned():
    schema = load_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["$id"].endswith(SCHEMA_VERSION)


def test_callsites_keep_full_smali_descriptors_and_owner(report):
    by_caller = {c["caller"]: c for c in report["callsites"]}
    umeng = by_caller[
        "Lcom/umeng/commonsdk/statistics/common/DeviceConfig;->getImei(Landroid/content/Context;)Ljava/lang/String;"
    ]
    assert umeng["api"] == "Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;"
    assert umeng["owner"] == "umeng"
    assert umeng["reachable_from"] == ["Lcom/example/demo/App;->onCreate()V"]


def test_manifest_summary_flags_dangerous_permissions(report):
    perms = {p["name"]: p for p in report["manifest"]["permissions"]}
    assert perms["android.permission.READ_PHONE_STATE"]["dangerous"] is True
    assert "imei" in perms["android.permission.READ_PHONE_STATE"]["pi_categories"]
    assert perms["android.permission.INTERNET"]["dangerous"] is False
    assert perms["android.permission.QUERY_ALL_PACKAGES"]["special"] is True
    exported = {c["name"] for c in report["manifest"]["exported_components"]}
    assert exported == {
        "com.example.demo.MainActivity",
        "com.umeng.message.BootReceiver",
    }  # Hidden is not exported
    assert report["manifest"]["flags"]["debuggable"] is True
    assert report["summary"]["dangerous_permissions"] == 2


def test_sdk_rows_are_the_sdk_list(report):
    (row,) = report["sdks"]
    for key in (
        "id",
        "name_zh",
        "name_en",
        "vendor",
        "category",
        "version",
        "matched",
        "permissions",
        "pi_categories",
        "apis",
        "reachable",
    ):
        assert key in row
    assert row["matched"] == ["package:com.umeng", "meta:UMENG_APPKEY"]


def test_errors_are_never_dropped():
    extra = [
        ErrorNote(stage="scan", message="policy stage timed out"),
        {"stage": "sdk", "message": "kb", "path": 3},
        "plain",
    ]
    report = build_report(make_evidence(), make_results(), engine=ENGINE, errors=extra)
    validate_report(report)
    messages = [e["message"] for e in report["errors"]]
    assert "classes3.dex: bad magic" in messages  # static stage
    assert "predicate x raised ValueError: boom" in messages  # rule engine
    assert "policy stage timed out" in messages and "kb" in messages and "plain" in messages
    assert report["summary"]["errors"] == 5


def test_results_none_means_rules_not_run():
    report = validate_report(build_report(make_evidence(), None, engine=ENGINE))
    assert report["rules_evaluated"] is False
    assert report["findings"] == [] and report["not_evaluated"] == []


def test_results_may_be_a_mapping_or_a_list():
    as_map = build_report(make_evidence(), {"findings": make_findings()}, engine=ENGINE)
    as_list = build_report(make_evidence(), make_findings(), engine=ENGINE)
    validate_report(as_map)
    validate_report(as_list)
    assert [f["rule_id"] for f in as_map["findings"]] == [f["rule_id"] for f in as_list["findings"]]
    assert len(as_list["findings"]) == 4


def test_findings_grouped_by_owner_are_derivable(report):
    owners = {f["rule_id"]: f["owner"] for f in report["findings"]}
    assert owners["pi.device_id.pre_consent"] == "umeng"
    assert report["summary"]["findings_by_owner"] == {"umeng": 1, "host": 3}


def test_not_evaluated_are_reported(report):
    assert report["not_evaluated"] == [
        {
            "rule_id": "pi.dynamic.frequency",
            "missing": ["dynamic.trace"],
            "reason": "no runtime trace supplied",
        }
    ]


@dataclass
class _PolicySummary:
    declared_pi: set[str]
    elements: dict[str, bool]


class _Dynamic:
    def to_json(self):
        return {"events": 12, "before_consent": ["imei"]}


def test_policy_and_dynamic_sections_are_generic_objects():
    ev = make_evidence()
    ev.policy = _PolicySummary(declared_pi={"location", "imei"}, elements={"contact": True})
    ev.dynamic = _Dynamic()
    report = validate_report(build_report(ev, Results(), engine=ENGINE))
    assert report["policy"] == {"declared_pi": ["imei", "location"], "elements": {"contact": True}}
    assert report["dynamic"] == {"events": 12, "before_consent": ["imei"]}


def test_policy_only_report_without_static_evidence():
    report = validate_report(build_report(Evidence(policy={"elements": {}}), Results(), engine=ENGINE))
    assert report["app"]["sha256"] is None
    assert report["manifest"] is None and report["callsites"] == []


def test_meta_and_timings(report):
    assert report["meta"]["source"] == "应用宝"
    assert report["meta"]["category"] == "N39-08"
    assert report["timings"] == {"apk": 0.12, "dex": 1.5}


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda r: r["findings"][0].update(severity="critical"), "findings/0/severity"),
        (lambda r: r["findings"][0].update(confidence="sure"), "findings/0/confidence"),
        (lambda r: r["findings"][0].pop("owner"), "findings/0"),
        (lambda r: r["callsites"][0].update(caller="com.example.Foo.bar"), "callsites/0/caller"),
        (lambda r: r["callsites"][0].update(api="getDeviceId"), "callsites/0/api"),
        (lambda r: r["findings"][0]["evidence"].append({"caller": "x"}), "findings/0/evidence/3"),
        (lambda r: r["app"].update(sha256="XYZ"), "app/sha256"),
        (lambda r: r["sdks"][0].pop("matched"), "sdks/0"),
        (lambda r: r["errors"].append({"stage": "dex"}), "errors/2"),
        (lambda r: r.pop("errors"), "(root)"),
        (lambda r: r["findings"][0].pop("notice_types"), "findings/0"),
        (lambda r: r["findings"][0].update(notice_types=["M337-9"]), "findings/0/notice_types/0"),
        (
            lambda r: r["findings"][0].update(notice_types=["M337-1", "M337-2", "M337-3"]),
            "findings/0/notice_types",
        ),
        (lambda r: r["findings"][0].update(notice_types="M337-1"), "findings/0/notice_types"),
    ],
)
def test_schema_rejects_broken_reports(report, mutate, where):
    broken = copy.deepcopy(report)
    mutate(broken)
    errors = schema_errors(broken)
    assert errors, "schema accepted a broken report"
    assert any(e.startswith(where) for e in errors), errors
    with pytest.raises(ReportError):
        validate_report(broken)


def test_string_callsites_need_no_method_descriptor_api(report):
    broken = copy.deepcopy(report)
    broken["callsites"][0].update(kind="string", api="android_id")
    assert schema_errors(broken) == []


def test_write_and_load_roundtrip(report, tmp_path):
    path = write_report(report, tmp_path / "out" / "report.json")
    assert load_report(path) == report
    assert "测试应用" in path.read_text(encoding="utf-8")  # UTF-8, not \u escapes


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"schema_version": "1.0"}', "schema"),
        # nested deeper than the decoder's recursion limit: was a RecursionError ("internal error") from report render
        ('{"a":' * 100_000 + "1" + "}" * 100_000, "nested too deep"),
    ],
)
def test_load_report_rejects_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ReportError, match=message) as info:
        load_report(path)
    assert "\n" not in str(info.value)


def test_load_report_missing_file(tmp_path):
    with pytest.raises(ReportError, match="cannot read"):
        load_report(tmp_path / "absent.json")


def test_extend_report_recomputes_summary(report):
    extra = make_findings()[1]
    extra.engine = "androguard"
    extend_report(report, findings=[extra], errors=[ErrorNote(stage="engine:androguard", message="timeout")])
    validate_report(report)
    assert report["summary"]["findings"] == 5 and report["summary"]["errors"] == 3
    assert report["findings"][-1]["engine"] == "androguard"


def test_every_finding_carries_notice_types(report):
    assert [f["notice_types"] for f in report["findings"]] == [
        ["M337-1"],
        ["M337-7"],
        ["M26-A"],
        ["M164-2.2"],
    ]
    # a plain finding dict without the key (an external engine's) gets an empty list, and the report stays valid
    extra = {k: v for k, v in copy.deepcopy(report["findings"][1]).items() if k != "notice_types"}
    extend_report(report, findings=[extra])
    assert report["findings"][-1]["notice_types"] == []
    validate_report(report)


def test_a_report_written_before_notice_types_loads_with_its_rules_types(report, tmp_path):
    old = copy.deepcopy(report)
    old["findings"][0]["rule_id"] = "pi.startup.device_id"
    old["findings"][1]["rule_id"] = "sec.debuggable"
    for finding in old["findings"]:
        del finding["notice_types"]
    assert schema_errors(old)  # the key is required
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    loaded = load_report(path)
    assert [f["notice_types"] for f in loaded["findings"]] == [["M337-1"], [], [], []]


def test_schema_enumerates_the_notice_type_vocabulary():
    from appwarden.knowledge.notice_types import MAX_PER_RULE, vocabulary

    prop = load_schema()["$defs"]["finding"]["properties"]["notice_types"]
    assert prop["items"]["enum"] == list(vocabulary())
    assert prop["maxItems"] == MAX_PER_RULE
    assert "notice_types" in load_schema()["$defs"]["finding"]["required"]


def test_fast_callsite_conversion_equals_to_json(evidence):
    from appwarden.evidence import CallSite
    from appwarden.report.json import callsite_json

    for cs in evidence.static.callsites:
        assert list(callsite_json(cs).items()) == list(cs.to_json().items())
    every = CallSite(
        "Lc;->m()V", "Lx;->y()V", "imei", "reflection", "classes2.dex", 7, "umeng", "a", True, ("e",)
    )
    assert list(callsite_json(every).items()) == list(every.to_json().items())


def test_policy_and_dynamic_stage_notes_reach_errors():
    ev = make_evidence()
    ev.policy = {"found": False, "source": "none", "errors": ["no privacy policy found: assets/"]}
    ev.dynamic = {"events": 3, "errors": [{"line": 7, "message": "bad JSON"}]}
    report = validate_report(build_report(ev, Results(), engine=ENGINE))
    notes = {(e["stage"], e["message"]) for e in report["errors"]}
    assert ("policy", "no privacy policy found: assets/") in notes
    assert ("dynamic", "bad JSON") in notes


def test_dumps_is_line_oriented_and_roundtrips(report):
    from appwarden.report.json import dumps_report

    text = dumps_report(report)
    assert json.loads(text) == report
    assert json.loads(dumps_report(report, indent=None)) == report
    lines = text.splitlines()
    for cs in report["callsites"]:  # each call site on its own line, greppable by caller
        assert sum(1 for ln in lines if cs["caller"] in ln and '"api"' in ln) >= 1
    assert '  "app": {' in lines


def test_evaluated_rules_are_listed(report):
    assert "sec.ok" in report["evaluated_rules"]  # ran and found nothing: a pass, visible as such
    assert report["summary"]["evaluated_rules"] == 5


def test_summary_counts_unresolved_callsites_apart_from_the_guessed_category():
    from appwarden.report.json import summarize

    sites = [
        {"category": "contacts", "unresolved": True, "owner": "host"},
        {"category": "contacts", "owner": "host"},
        {"category": "android_id", "unresolved": False, "owner": "umeng"},
    ]
    summary = summarize({"callsites": sites})
    assert summary["callsites_by_category"] == {"unresolved": 1, "contacts": 1, "android_id": 1}
    assert summary["callsites"] == 3
