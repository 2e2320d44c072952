"""Every case of every rule, through the real pipeline (``appwarden.scan.build_evidence`` + the rule engine).

Cases live in ``tests/rules/<rule_id>/cases.yaml`` (format: ``docs/rules-format.md``). Each case names its inputs
(APK, optional policy, trace, category) and the expected findings of *its* rule: exact count, owners, severity,
confidence, evidence items (subset match), or ``not_evaluated``. Evidence is built once per distinct input set.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from appwarden.errors import KnowledgeError
from appwarden.evidence import Evidence
from appwarden.rules.engine import RuleResults, evaluate_rule
from appwarden.rules.loader import check_rules, load_cases, load_rules, resolve_fixture

HERE = Path(__file__).resolve().parent
RULES = {r.id: r for r in load_rules()}


def _all_cases() -> list[Any]:
    params = []
    for rid, rule in sorted(RULES.items()):
        if not rule.enabled:
            continue
        try:
            folder, cases = load_cases(rid, HERE)
        except KnowledgeError as exc:  # reported by the test below with the rule's name
            params.append(
                pytest.param(rid, "", {"name": "fixtures", "error": str(exc)}, id=f"{rid}::fixtures")
            )
            continue
        for case in cases:
            params.append(pytest.param(rid, str(folder), case, id=f"{rid}::{case['name']}"))
    return params


@lru_cache(maxsize=64)
def _evidence(apk: str, policy: str | None, trace: str | None, category: str | None) -> Evidence:
    try:
        from appwarden.scan import build_evidence
    except ModuleNotFoundError as exc:  # pragma: no cover - pipeline not assembled yet
        pytest.skip(f"scan pipeline not importable: {exc}")
    try:
        return build_evidence(apk, policy_path=policy, trace_path=trace, category=category)
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("appwarden."):
            pytest.skip(f"pipeline stage missing: {exc.name}")
        raise


@lru_cache(maxsize=1)
def _finding_validator() -> Any:
    """A validator of one report finding (the report schema's ``$defs/finding``, with its ``$defs``)."""
    import jsonschema

    from appwarden.report.json import load_schema

    schema = load_schema()
    return jsonschema.Draft202012Validator({"$ref": "#/$defs/finding", "$defs": schema["$defs"]})


def _subset(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            k in actual and _subset(v, actual[k]) for k, v in expected.items()
        )
    return expected == actual


def test_rules_and_fixtures_are_valid() -> None:
    assert check_rules(fixtures_root=HERE) == []


@pytest.mark.parametrize(("rule_id", "folder", "case"), _all_cases())
def test_rule_case(rule_id: str, folder: str, case: dict[str, Any]) -> None:
    if "error" in case:
        pytest.fail(case["error"])
    base = Path(folder)

    def ref(key: str) -> str | None:
        return str(resolve_fixture(base, case[key])) if case.get(key) else None

    evidence = _evidence(ref("apk"), ref("policy"), ref("trace"), case.get("category"))
    results: RuleResults = evaluate_rule(evidence, RULES[rule_id])
    expect = case["expect"]
    assert results.errors == [], f"rule raised: {results.errors}"
    if expect.get("not_evaluated"):
        assert [n.rule_id for n in results.not_evaluated] == [rule_id]
        assert results.findings == []
        return
    notes = [e.message for e in evidence.static.errors] if evidence.static is not None else []
    assert results.not_evaluated == [], f"not evaluated: {results.not_evaluated}; evidence errors: {notes}"
    findings = results.by_rule(rule_id)
    summary = [(f.owner, f.severity, f.confidence, len(f.evidence)) for f in findings]
    assert len(findings) == expect["findings"], f"{case['name']}: got {summary}"
    if "owners" in expect:
        assert sorted(f.owner for f in findings) == sorted(expect["owners"])
    if "severity" in expect:
        assert {f.severity for f in findings} == {expect["severity"]}
    if "confidence" in expect:
        assert {f.confidence for f in findings} == {expect["confidence"]}
    if "verdicts" in expect:  # owner -> confidence, exactly
        assert {f.owner: f.confidence for f in findings} == expect["verdicts"], case["name"]
    if "behaviour" in expect:
        assert {f.behaviour for f in findings} == {expect["behaviour"]}
    for wanted in expect.get("evidence_contains", []):
        items = [e for f in findings for e in f.evidence]
        assert any(_subset(wanted, e) for e in items), f"no evidence item contains {wanted}"
    if "clauses" in expect:
        assert all(set(expect["clauses"]) <= set(f.clauses) for f in findings)
    for f in findings:
        data = f.to_json()
        assert data["rule_id"] == rule_id and data["clauses"] and data["evidence"]
        assert data["notice_types"] == RULES[rule_id].notice_types  # the rule declares them, never a hit
        assert all(isinstance(e.get("type"), str) for e in data["evidence"])
        problems = [e.message for e in _finding_validator().iter_errors(data)]
        assert problems == [], f"{case['name']}: the finding breaks the report schema: {problems[:3]}"
