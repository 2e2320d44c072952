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
            Hit(
                owner=o,
                evidence=[
                    {
                        "type": "trace",
                        "ts": 1,
                        "event": "api_call",
                        "api": "a.b",
                        "category": "imei",
                        "item": params["item"],
                        "owner": o,
                    }
                ],
            )
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
    assert [e["item"] for e in merged.evidence] == ["specific"]  # the same trace event: listed once
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


# ------------------------------------------------------------------ one finding per behaviour per 通报 problem type


def _rule(
    rid: str, types: list[str], supersedes: list[str] | None = None, confidence: str = "likely"
) -> Rule:
    return Rule(
        id=rid,
        title_zh=f"标题{rid}",
        title_en=rid,
        clauses=[f"C-{rid}"],
        needs=[],
        predicate="_test_items",
        severity="medium",
        confidence=confidence,
        remediation_zh="x",
        description="x",
        params={"rid": rid},
        supersedes=list(supersedes or []),
        notice_types=types,
    )


@pytest.fixture
def items_predicate():
    """A predicate returning, per rule, the hits listed in ``HITS[rule id]`` (registered for the test only)."""
    from appwarden.rules import predicates as registry
    from appwarden.rules.model import Hit

    def fn(evidence, params):
        return [Hit(**h) for h in HITS.get(params["rid"], [])]

    registry.predicate("_test_items")(fn)
    yield
    HITS.clear()
    registry.PREDICATES.pop("_test_items", None)


HITS: dict[str, list[dict]] = {}


def _call(cat: str, offset: int = 1) -> dict:
    return {
        "type": "callsite",
        "caller": "La;->b()V",
        "api": f"L{cat};->get()V",
        "category": cat,
        "offset": offset,
    }


def _trace(cat: str, ts: int, event: str = "api_call") -> dict:
    return {"type": "trace", "ts": ts, "event": event, "api": f"{cat}.get", "category": cat}


def _send(cats: list[str], ts: int, before: bool) -> dict:
    return {"type": "network", "ts": ts, "host": "h.example", "pi": cats, "before_consent": before}


def test_a_general_finding_whose_categories_the_specific_covers_is_merged(items_predicate):
    HITS["gen"] = [
        {
            "owner": "umeng",
            "evidence": [_trace("imei", 420)],
            "behaviour": "pre_consent",
            "confidence": "confirmed",
            "message_zh": "同意前收集了IMEI",
        }
    ]
    HITS["spec"] = [
        {
            "owner": "umeng",
            "evidence": [_call("imei"), _call("mac", 2)],
            "behaviour": "pre_consent",
            "message_zh": "启动阶段读取IMEI、MAC",
        }
    ]
    results = evaluate(Evidence(), [_rule("gen", ["M337-1"]), _rule("spec", ["M337-1"], ["gen"])])
    (merged,) = results.findings
    assert merged.rule_id == "spec" and merged.merged_rules == ["gen"]
    assert merged.clauses == ["C-spec", "C-gen"]
    assert merged.confidence == "confirmed"
    assert "“标题gen”" in merged.message_zh and merged.message_zh.startswith("启动阶段读取IMEI、MAC")
    # the confidence came from the runtime event: the finding says which call-site categories it confirms
    marker = [e for e in merged.evidence if e.get("event") == "confirmation"]
    assert marker and marker[0]["categories"] == ["imei"]


def test_a_general_finding_with_a_category_the_specific_lacks_stays_narrowed_to_it(items_predicate):
    """A partial overlap: the IMEI read goes to the specific finding, the general one keeps only the location read
    and says where the IMEI went; neither category is stated twice."""
    HITS["gen"] = [
        {
            "owner": "umeng",
            "evidence": [_trace("imei", 420), _trace("location", 500), {"type": "policy", "sentence": "s"}],
            "behaviour": "pre_consent",
            "confidence": "confirmed",
            "message_zh": "同意前收集了设备识别码IMEI/MEID、位置信息",
        }
    ]
    HITS["spec"] = [{"owner": "umeng", "evidence": [_call("imei")], "behaviour": "pre_consent"}]
    results = evaluate(Evidence(), [_rule("gen", ["M337-1"]), _rule("spec", ["M337-1"], ["gen"])])
    got = {f.rule_id: f for f in results.findings}
    assert set(got) == {"gen", "spec"}
    gen, spec = got["gen"], got["spec"]
    assert [e.get("category") for e in gen.evidence] == ["location", None]  # the policy sentence stays too
    assert gen.merged_rules == [] and gen.clauses == ["C-gen"] and gen.notice_types == ["M337-1"]
    assert gen.message_zh.startswith("标题gen：位置信息。") and "IMEI" not in gen.message_zh.split("（")[0]
    assert "设备识别码IMEI/MEID已由“标题spec”报告，不在本条重复" in gen.message_zh
    assert "reported by rule(s) spec" in gen.message_en
    assert spec.merged_rules == ["gen"] and spec.clauses == ["C-spec", "C-gen"]
    assert {
        e.get("category") for e in spec.evidence if e.get("event") != "confirmation" and e["type"] != "policy"
    } == {"imei"}
    assert {"type": "policy", "sentence": "s"} in spec.evidence
    assert spec.confidence == "confirmed"  # the IMEI trace event it received is a runtime observation


def test_a_partial_overlap_of_static_call_sites_does_not_raise_the_receiver(items_predicate):
    """The general finding's confidence came from its runtime location read; the call site it gives away is static."""
    HITS["gen"] = [
        {"owner": "host", "evidence": [_call("imei"), _trace("location", 9)], "confidence": "confirmed"}
    ]
    HITS["spec"] = [{"owner": "host", "evidence": [_trace("imei", 7)], "confidence": "possible"}]
    results = evaluate(Evidence(), [_rule("gen", ["M337-1"]), _rule("spec", ["M337-1"], ["gen"])])
    got = {f.rule_id: f for f in results.findings}
    assert got["spec"].confidence == "possible" and got["spec"].merged_rules == ["gen"]
    assert [e["type"] for e in got["gen"].evidence] == ["trace"] and got["gen"].confidence == "confirmed"


def test_no_fact_is_stated_twice_after_partial_merges(items_predicate):
    """Two specifics and a chain: every (owner, problem type, category, phase) fact is in one finding."""
    from appwarden.rules.engine import _item_categories, _item_phase

    HITS["bg"] = [
        {
            "owner": "getui",
            "evidence": [
                _trace("contacts", 9000, "api_call_background"),
                _trace("location", 10000, "api_call_background"),
                _trace("sms", 11000, "api_call_background"),
            ],
        }
    ]
    HITS["freq"] = [{"owner": "getui", "evidence": [_trace("location", 10000, "api_call_background")]}]
    HITS["s_contacts"] = [{"owner": "getui", "evidence": [_trace("contacts", 9000, "api_call_background")]}]
    rules = [
        _rule("bg", ["M337-2"]),
        _rule("freq", ["M337-2"], ["bg"]),
        _rule("s_contacts", ["M337-2", "M26-A"], ["bg", "freq"]),
    ]
    findings = evaluate(Evidence(), rules).findings
    seen: dict[tuple, str] = {}
    for f in findings:
        for e in f.evidence:
            for c in _item_categories(e):
                key = (f.owner, f.notice_types[0], c, _item_phase(e) or f.behaviour)
                assert key not in seen, (key, seen.get(key), f.rule_id)
                seen[key] = f.rule_id
    assert seen == {
        ("getui", "M337-2", "contacts", "background"): "s_contacts",
        ("getui", "M337-2", "location", "background"): "freq",
        ("getui", "M337-2", "sms", "background"): "bg",
    }
    bg = next(f for f in findings if f.rule_id == "bg")
    assert "“标题freq”“标题s_contacts”" in bg.message_zh or "“标题s_contacts”“标题freq”" in bg.message_zh


def test_a_general_finding_is_shared_out_among_specifics_by_category(items_predicate):
    HITS["bg"] = [
        {
            "owner": "getui",
            "evidence": [
                _trace("contacts", 9000, "api_call_background"),
                _trace("location", 10000, "api_call_background"),
            ],
        }
    ]
    HITS["s_contacts"] = [{"owner": "getui", "evidence": [_trace("contacts", 9000, "api_call_background")]}]
    HITS["s_location"] = [{"owner": "getui", "evidence": [_trace("location", 10000, "api_call_background")]}]
    rules = [
        _rule("bg", ["M337-2"]),
        _rule("s_contacts", ["M337-2", "M26-A"], ["bg"]),
        _rule("s_location", ["M337-2", "M26-A"], ["bg"]),
    ]
    results = evaluate(Evidence(), rules)
    got = {f.rule_id: f for f in results.findings}
    assert set(got) == {"s_contacts", "s_location"}
    assert got["s_contacts"].merged_rules == got["s_location"].merged_rules == ["bg"]
    assert {e["category"] for e in got["s_contacts"].evidence} == {"contacts"}
    assert {e["category"] for e in got["s_location"].evidence} == {"location"}


def test_a_phase_the_specific_does_not_cover_keeps_the_general_finding(items_predicate):
    """A send before consent is not merged into a finding about sends after consent (same category)."""
    HITS["transfer"] = [
        {"owner": "getui", "evidence": [_send(["imei"], 200, True), _send(["imei"], 5000, False)]}
    ]
    HITS["after"] = [{"owner": "getui", "evidence": [_send(["imei"], 5000, False)]}]
    rules = [_rule("transfer", ["M337-3"]), _rule("after", ["M337-3", "M26-A"], ["transfer"])]
    got = {f.rule_id: f for f in evaluate(Evidence(), rules).findings}
    assert sorted(got) == ["after", "transfer"]
    # the send after consent is the specific finding's; the general one keeps the send before consent only
    assert [e["ts"] for e in got["transfer"].evidence] == [200]
    assert "设备识别码IMEI/MEID（同意前）" in got["transfer"].message_zh
    assert got["after"].merged_rules == ["transfer"]
    HITS["transfer"] = [{"owner": "getui", "evidence": [_send(["imei"], 5000, False)]}]
    (merged,) = evaluate(Evidence(), rules).findings
    assert merged.rule_id == "after" and merged.notice_types == ["M337-3", "M26-A"]


def test_pre_consent_and_after_refusal_findings_are_never_merged(items_predicate):
    HITS["gen"] = [{"owner": "host", "evidence": [_trace("imei", 9)], "behaviour": "after_refusal"}]
    HITS["spec"] = [{"owner": "host", "evidence": [_call("imei")], "behaviour": "pre_consent"}]
    results = evaluate(Evidence(), [_rule("gen", ["M337-1"]), _rule("spec", ["M337-1"], ["gen"])])
    assert len(results.findings) == 2


def test_different_problem_types_stay_separate_even_when_declared(items_predicate):
    HITS["gen"] = [{"owner": "host", "evidence": [_call("imei")], "behaviour": "pre_consent"}]
    HITS["spec"] = [{"owner": "host", "evidence": [_call("imei")], "behaviour": "pre_consent"}]
    results = evaluate(Evidence(), [_rule("gen", ["M337-2"]), _rule("spec", ["M337-1"], ["gen"])])
    assert len(results.findings) == 2


def test_a_chain_of_merges_names_every_rule_once(items_predicate):
    HITS["a"] = [{"owner": "getui", "evidence": [_trace("imei", 300)], "behaviour": "pre_consent"}]
    HITS["b"] = [
        {
            "owner": "getui",
            "evidence": [_trace("imei", 300), {"type": "policy", "sentence": ""}],
            "behaviour": "pre_consent",
        }
    ]
    HITS["c"] = [
        {"owner": "getui", "evidence": [_call("imei")], "behaviour": "pre_consent", "message_zh": "C"}
    ]
    rules = [
        _rule("a", ["M337-1"]),
        _rule("b", ["M337-1", "M26-A"], ["a"]),
        _rule("c", ["M337-1"], ["a", "b"]),
    ]
    (merged,) = evaluate(Evidence(), rules).findings
    assert merged.rule_id == "c" and sorted(merged.merged_rules) == ["a", "b"]
    assert merged.notice_types == ["M337-1", "M26-A"]
    assert merged.message_zh.count("标题a") == 1 and merged.message_zh.count("标题b") == 1
    assert {"type": "policy", "sentence": ""} in merged.evidence


def test_packaged_supersedes_pairs_share_a_notice_type_and_form_no_cycle():
    rules = {r.id: r for r in load_rules()}
    pairs = [(r.id, g) for r in rules.values() for g in r.supersedes]
    assert len(pairs) >= 10
    for specific, general in pairs:
        assert set(rules[specific].notice_types) & set(rules[general].notice_types), (specific, general)
        assert len(set(rules[specific].notice_types) | set(rules[general].notice_types)) <= 2, (
            specific,
            general,
        )

    def depth(rid: str, seen: tuple[str, ...] = ()) -> int:
        assert rid not in seen, f"supersedes cycle through {rid}"
        return max((1 + depth(g, (*seen, rid)) for g in rules[rid].supersedes), default=0)

    assert all(depth(r) >= 0 for r in rules)


def test_undeclared_pi_collected_after_consent_is_collection_without_permission():
    """164号文 M164-1.1-S3/S6 are scenarios of item 1 违规收集个人信息 (= 337号文 私自收集个人信息): collecting PI the policy
    does not state. 认定方法 chapter 二 (RD-2) is for purposes not stated where no collection is shown
    (knowledge/notice_types.yaml's note on RD-2)."""
    rules = {r.id: r for r in load_rules()}
    for rid in (
        "dynamic.pi.undeclared_after_consent",
        "dynamic.sdk.undeclared_after_consent",
        "policy.pi.undeclared",
    ):
        assert rules[rid].notice_types == ["M337-1"], rid


def test_the_same_observed_event_recorded_by_both_rules_is_listed_once(items_predicate):
    event = _trace("mac", 4500)
    HITS["gen"] = [
        {
            "owner": "umeng",
            "evidence": [{**event, "line": 8, "stack": ["a"]}, {"type": "policy", "sentence": ""}],
        }
    ]
    HITS["spec"] = [{"owner": "umeng", "evidence": [{**event, "owner": "umeng", "caller": "x"}]}]
    (merged,) = evaluate(Evidence(), [_rule("gen", ["M337-1"]), _rule("spec", ["M337-1"], ["gen"])]).findings
    assert [e["type"] for e in merged.evidence] == ["trace", "policy"]


def test_a_narrowed_finding_that_gave_away_its_runtime_evidence_is_no_longer_confirmed(items_predicate):
    HITS["gen"] = [
        {"owner": "host", "evidence": [_trace("imei", 7), _call("location")], "confidence": "confirmed"}
    ]
    HITS["spec"] = [{"owner": "host", "evidence": [_trace("imei", 7)]}]
    rules = [_rule("gen", ["M337-1"], confidence="likely"), _rule("spec", ["M337-1"], ["gen"])]
    got = {f.rule_id: f for f in evaluate(Evidence(), rules).findings}
    assert [e["type"] for e in got["gen"].evidence] == ["callsite"]
    assert got["gen"].confidence == "likely"  # the rule's own (static) confidence; the IMEI event went
    assert got["spec"].confidence == "confirmed"
