"""``supersedes``: a specific scenario rule absorbs the general rule's finding for the same owner."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.rules.engine import evaluate
from appwarden.rules.loader import check_rules, load_rules
from appwarden.rules.model import Rule


def _finding_rule(rid: str, owners: list[str], confidence: str, supersedes: list[str] | None = None) -> Rule:
    return Rule(
        id=rid,
        title_zh=rid,
        title_en=rid,
        clauses=["RD-3.1"] if rid == "general" else ["M164-1.1-S4"],
        needs=[],
        predicate="_test_owners",
        severity="high",
        confidence=confidence,
        remediation_zh="x",
        description="x",
        params={"owners": owners, "item": rid},
        supersedes=list(supersedes or []),
        notice_types=["M337-1"],
    )


@pytest.fixture
def owners_predicate():
    """A predicate reporting one hit per owner in params (registered for the test only)."""
    from appwarden.rules import predicates as registry
    from appwarden.rules.model import Hit

    def fn(evidence, params):
        return [
            Hit(owner=o, evidence=[{"type": "trace_event", "item": params["item"], "owner": o}])
            for o in params["owners"]
        ]

    registry.predicate("_test_owners")(fn)
    yield
    registry.PREDICATES.pop("_test_owners", None)


def test_the_specific_finding_absorbs_the_general_one_for_the_same_owner(owners_predicate):
    general = _finding_rule("general", ["umeng", "host"], "confirmed")
    specific = _finding_rule("specific", ["umeng"], "likely", supersedes=["general"])
    results = evaluate(Evidence(), [general, specific])
    got = {(f.rule_id, f.owner) for f in results.findings}
    assert got == {("specific", "umeng"), ("general", "host")}  # host has no specific finding: kept
    merged = results.by_rule("specific")[0]
    assert merged.clauses == ["M164-1.1-S4", "RD-3.1"]
    assert merged.confidence == "confirmed"  # the stronger of the two
    assert [e["item"] for e in merged.evidence] == ["specific", "general"]
    assert "“general”" in merged.message_zh and "merged" in merged.message_en
    assert set(results.evaluated) == {"general", "specific"}


def test_without_supersedes_both_findings_stay(owners_predicate):
    results = evaluate(
        Evidence(),
        [_finding_rule("general", ["umeng"], "confirmed"), _finding_rule("specific", ["umeng"], "likely")],
    )
    assert len(results.findings) == 2


def test_the_loader_rejects_unknown_and_mutual_supersedes(tmp_path):
    rules = {r.id: r for r in load_rules()}
    assert rules["dynamic.sdk.undisclosed_pre_consent"].supersedes == ["dynamic.pi.pre_consent"]
    src = Path(rules["dynamic.pi.pre_consent"].source).read_text(encoding="utf-8")
    (tmp_path / "dynamic.pi.pre_consent.yaml").write_text(
        src.replace("predicate:", "supersedes: [nope.rule]\npredicate:", 1), encoding="utf-8"
    )
    problems = check_rules(tmp_path)
    assert any("supersedes unknown rule id 'nope.rule'" in p for p in problems), problems
    (tmp_path / "dynamic.pi.pre_consent.yaml").write_text(
        src.replace("predicate:", "supersedes: [dynamic.pi.pre_consent]\npredicate:", 1), encoding="utf-8"
    )
    with pytest.raises(RuleError, match="cannot supersede itself"):
        load_rules(tmp_path)


def test_an_unnamed_sdk_reading_pi_before_consent_is_one_finding_in_the_report():
    """shop.apk + a policy naming only UMeng + a trace where Getui reads the IMEI before consent: the 164号文 S4
    scenario finding carries the general pre-consent clauses; no second dynamic.pi.pre_consent row for Getui."""
    from appwarden.scan import scan_apk

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    report = scan_apk(
        fixtures / "apks" / "shop.apk",
        policy_path=fixtures / "policies" / "umeng_listed_policy.txt",
        trace_path=fixtures / "traces" / "policy_mismatch.jsonl",
    )
    getui = [f for f in report["findings"] if f["owner"] == "getui_push" and "pre_consent" in f["rule_id"]]
    assert [f["rule_id"] for f in getui] == ["dynamic.sdk.undisclosed_pre_consent"]
    assert {"RD-3.1", "M337-1", "M164-1.1-S4"} <= set(getui[0]["clauses"])
    assert getui[0]["behaviour"] == "pre_consent"
