"""通报 problem types per rule (issue #16 part 2): exhaustive over the packaged rules, and a property test of the
loader's validation over generated rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dynamic.confirm import PREDICATE_BEHAVIOUR
from appwarden.errors import RuleError
from appwarden.knowledge.notice_types import MAX_PER_RULE, PI_KINDS, vocabulary
from appwarden.rules.loader import load_rules

RULES = load_rules()
TYPES = vocabulary()
PREDICATES_DIR = Path(__file__).resolve().parents[2] / "src" / "appwarden" / "rules" / "predicates"


def _can_confirm(rule) -> bool:
    """A rule can produce a ``confirmed`` finding: its default, a trace upgrade (dynamic.confirm), or a predicate
    that sets confirmed itself (dynamic rules)."""
    if rule.confidence == "confirmed" or rule.predicate in PREDICATE_BEHAVIOUR:
        return True
    module = rule.predicate_module.rsplit(".", 1)[-1]
    return "confirmed" in (PREDICATES_DIR / f"{module}.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_declares_at_most_two_types_from_the_vocabulary(rule) -> None:
    assert isinstance(rule.notice_types, list)
    assert set(rule.notice_types) <= set(TYPES), rule.id
    assert len(rule.notice_types) <= MAX_PER_RULE
    assert len(set(rule.notice_types)) == len(rule.notice_types)


def test_security_hygiene_rules_never_carry_pi_types() -> None:
    sec = [r for r in RULES if r.id.startswith("sec.")]
    assert {r.id for r in sec} >= {"sec.allow_backup", "sec.debuggable", "sec.cleartext", "sec.weak_cipher"}
    for rule in sec:
        assert not [t for t in rule.notice_types if TYPES[t]["kind"] in PI_KINDS], rule.id


def test_every_rule_that_can_confirm_a_pi_finding_has_a_type() -> None:
    confirmable = [r for r in RULES if not r.id.startswith("sec.") and _can_confirm(r)]
    assert len(confirmable) >= 15
    missing = [r.id for r in confirmable if not r.notice_types]
    assert missing == []
    # stronger: no rule outside security hygiene is without a type
    assert [r.id for r in RULES if not r.id.startswith("sec.") and not r.notice_types] == []


@pytest.mark.parametrize(
    ("rule_id", "expected"),
    [
        ("dynamic.shake.too_sensitive", ["M26-4.shake"]),
        ("shake.threshold_below", ["M26-4.shake"]),
        ("minors.guardian_consent", ["M337-1"]),
        ("policy.complaint_channel.missing", ["RD-6.complaint"]),
        ("policy.withdraw_consent.missing", ["RD-3"]),
        ("policy.account_deletion.missing", ["M337-8"]),
        ("policy.sdk.undisclosed", ["M26-A"]),
        ("dynamic.pi.pre_consent", ["M337-1"]),
        ("dynamic.pi.frequency", ["M337-2"]),
        ("perm.target_sdk_below_23", ["M337-5"]),
        ("dynamic.permission.rerequest", ["M337-6"]),
        ("selfstart.receivers", ["M164-2.2"]),
        ("sec.debuggable", []),
        ("sec.allow_backup", []),
        ("sec.cleartext", []),
        ("sec.weak_cipher", []),
    ],
)
def test_named_rules_have_their_types(rule_id: str, expected: list[str]) -> None:
    assert {r.id: r.notice_types for r in RULES}[rule_id] == expected


@pytest.mark.parametrize(
    ("rule_id", "clause"),
    [
        ("policy.account_deletion.missing", "M337-8"),  # 337号文 item 8 账号注销难
        ("dynamic.pi.frequency", "RD-4.4"),  # 认定方法 4.4 收集频度超出业务需要
        ("policy.sdk.undisclosed", "M26-A"),  # 26号文: the app operator discloses its SDKs
    ],
)
def test_missing_citations_are_added(rule_id: str, clause: str) -> None:
    assert clause in {r.id: r.clauses for r in RULES}[rule_id]


def test_targeted_push_is_a_violation_item() -> None:
    from appwarden.rules.loader import clause_index

    item = clause_index()["RD-3.6"]
    assert item["kind"] == "obligation" and item["automatable"] is True


RULE = """\
id: {rid}
title_zh: 示例
title_en: Example
clauses: [RD-3.1]
notice_types: {types}
needs: [static.manifest]
predicate: manifest_flag
params: {{flag: debuggable}}
severity: medium
confidence: confirmed
remediation_zh: 修复
description: generated rule
"""

_ids = st.sampled_from([*TYPES, "M337-9", "RD-4", "other"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(types=st.lists(_ids, max_size=4), security=st.booleans())
def test_loader_accepts_exactly_the_valid_type_lists(
    tmp_path_factory, types: list[str], security: bool
) -> None:
    rid = "sec.gen" if security else "gen.rule"
    folder = tmp_path_factory.mktemp("rules")
    (folder / f"{rid}.yaml").write_text(RULE.format(rid=rid, types="[" + ", ".join(types) + "]"), "utf-8")
    valid = (
        all(t in TYPES for t in types)
        and len(set(types)) == len(types)
        and len(types) <= MAX_PER_RULE
        and not (security and any(TYPES[t]["kind"] in PI_KINDS for t in types))
    )
    if valid:
        (rule,) = load_rules(folder)
        assert rule.notice_types == types
    else:
        with pytest.raises(RuleError, match=f"{rid}.yaml:5:"):
            load_rules(folder)
