"""The upgrade through the real pipeline: static findings on tests/fixtures/apks/pi_all.apk, a trace of that app,
and ``confirm.upgrade_findings`` (what the scan pipeline is meant to call after ``rules.engine.evaluate``)."""

from __future__ import annotations

from pathlib import Path

from appwarden.dynamic.analyze import trace_mismatch
from appwarden.dynamic.confirm import upgrade_findings
from appwarden.rules.engine import evaluate
from appwarden.rules.loader import load_rules
from appwarden.scan import build_evidence

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_trace_confirms_only_what_it_shows() -> None:
    evidence = build_evidence(
        FIXTURES / "apks" / "pi_all.apk",
        trace_path=FIXTURES / "traces" / "pi_all_umeng_pre_consent.jsonl",
        find_bundled_policy=False,
    )
    assert trace_mismatch(evidence.dynamic, evidence.static.app.package, evidence.static.app.sha256) is None
    # the static rules alone: with the dynamic ones, the engine merges dynamic.pi.pre_consent's confirmed finding
    # into pi.startup.device_id before any upgrade (tests/report/test_one_finding_per_behaviour.py)
    rules = [r for r in load_rules() if not r.id.startswith("dynamic.")]
    results = evaluate(evidence, rules)
    upgraded = upgrade_findings(results.findings, evidence.dynamic, {r.id: r.predicate for r in rules})
    before = {(f.rule_id, f.owner): f.confidence for f in results.findings}
    after = {(f.rule_id, f.owner): f.confidence for f in upgraded}
    umeng = evidence.dynamic.pre_consent[0].owner
    assert umeng != "host"
    assert before[("pi.startup.device_id", umeng)] == "likely"  # static: an unconditional start-up path
    assert after[("pi.startup.device_id", umeng)] == "confirmed"  # the SDK's IMEI read ran before consent
    assert (
        after[("pi.startup.device_id", "host")] == before[("pi.startup.device_id", "host")]
    )  # after consent only
    changed = {k for k in after if after[k] != before[k]}
    assert changed <= {("pi.startup.device_id", umeng), ("pi.device_id.read", umeng)}
    confirmed = next(f for f in upgraded if (f.rule_id, f.owner) == ("pi.startup.device_id", umeng))
    assert any(e.get("event") == "confirmation" for e in confirmed.evidence)
    assert any(e.get("type") == "trace" and e.get("line") == 3 for e in confirmed.evidence)


def test_report_says_which_categories_the_trace_confirmed() -> None:
    """Report audit item 3: 友盟's ``pi.startup.device_id`` has IMEI and MAC call sites and the trace shows only the
    IMEI read. The finding stays ``confirmed`` (as before) and the JSON says only IMEI was confirmed at run time."""
    import jsonschema

    from appwarden.report.json import load_schema
    from appwarden.report.view import confirmation_scope_zh
    from appwarden.scan import scan_apk

    report = scan_apk(
        FIXTURES / "apks" / "pi_all.apk", trace_path=FIXTURES / "traces" / "pi_all_umeng_pre_consent.jsonl"
    )
    upgraded = [f for f in report["findings"] if any(e.get("event") == "confirmation" for e in f["evidence"])]
    assert {f["rule_id"] for f in upgraded} == {"pi.startup.device_id", "pi.device_id.read"}
    finding_schema = {"$defs": load_schema()["$defs"], "$ref": "#/$defs/finding"}
    for f in upgraded:
        static = {e.get("category") for e in f["evidence"] if e.get("type") == "callsite"}
        assert static == {"imei", "mac"}
        assert f["confidence"] == "confirmed"
        assert f["confirmed_categories"] == ["imei"]
        jsonschema.validate(f, finding_schema)
        assert "运行时轨迹证实的仅为" in confirmation_scope_zh(f)
    # findings no trace upgraded carry no such statement (dynamic findings are confirmed by their own events)
    others = [f for f in report["findings"] if f not in upgraded]
    assert others and all("confirmed_categories" not in f for f in others)
