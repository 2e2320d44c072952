"""The dynamic rules' fixture cases (tests/rules/dynamic.*/cases.yaml) through the real loader, analyzer and engine.

Each case loads its trace with ``load_dynamic_evidence`` (attributing stacks with a small SDK prefix map, so the
test does not depend on the SDK knowledge base) and runs ``rules.engine.evaluate`` with the one rule, checking the
expectations the way docs/rules-format.md defines them. The APK is not needed by these rules; the generic fixture
runner (rules area) runs the same cases through the full scan pipeline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.dynamic.analyze import load_dynamic_evidence
from appwarden.dynamic.attribution import PrefixAttributor
from appwarden.evidence import Evidence
from appwarden.rules.engine import evaluate
from appwarden.rules.loader import load_cases, load_rules, resolve_fixture

RULES_FIXTURES = Path(__file__).resolve().parents[1] / "rules"
DYNAMIC_RULES = {r.id: r for r in load_rules() if r.id.startswith("dynamic.")}
SDK_PREFIXES = PrefixAttributor(
    {"com.umeng": "umeng", "com.qq.e": "gdt", "cn.jpush": "jpush", "com.bytedance.sdk": "pangle"},
    domains={"umeng.com": "umeng"},
)


def _cases() -> list[tuple[str, dict]]:
    out = []
    for rule_id in sorted(DYNAMIC_RULES):
        _folder, cases = load_cases(rule_id, RULES_FIXTURES)
        # cases with a policy read the trace against it (rules/predicates/dynamic_policy.py): they need the policy
        # stage, so only the generic fixture runner (tests/rules/test_rule_fixtures.py) runs them
        out.extend((rule_id, case) for case in cases if not case.get("policy"))
    return out


def _subset(small: object, big: object) -> bool:
    if isinstance(small, dict):
        return isinstance(big, dict) and all(k in big and _subset(v, big[k]) for k, v in small.items())
    return small == big


def test_every_dynamic_predicate_has_a_rule() -> None:
    from appwarden.rules.predicates import load_all

    names = {n for n in load_all() if n.startswith("dynamic_")}
    used = {r.predicate for r in DYNAMIC_RULES.values()}
    assert names == used


@pytest.mark.parametrize(("rule_id", "case"), _cases(), ids=lambda v: v if isinstance(v, str) else v["name"])
def test_dynamic_rule_case(rule_id: str, case: dict) -> None:
    folder = RULES_FIXTURES / rule_id
    trace = resolve_fixture(folder, case["trace"]) if case.get("trace") else None
    dynamic = load_dynamic_evidence(trace, attributor=SDK_PREFIXES) if trace else None
    evidence = Evidence(dynamic=dynamic)
    results = evaluate(evidence, [DYNAMIC_RULES[rule_id]])
    expect = case["expect"]
    assert not results.errors, results.errors
    if expect.get("not_evaluated"):
        assert [n.rule_id for n in results.not_evaluated] == [rule_id]
        return
    findings = results.by_rule(rule_id)
    assert len(findings) == expect["findings"], [f.message_en for f in findings]
    if "owners" in expect:
        assert sorted(f.owner for f in findings) == sorted(expect["owners"])
    for key in ("severity", "confidence"):
        if key in expect:
            assert all(getattr(f, key) == expect[key] for f in findings), [getattr(f, key) for f in findings]
    items = [item for f in findings for item in f.evidence]
    for wanted in expect.get("evidence_contains", []):
        assert any(_subset(wanted, item) for item in items), (wanted, items)
