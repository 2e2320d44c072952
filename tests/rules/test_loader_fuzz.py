"""Arbitrary rule files never crash the loader: every problem is a one-line RuleError/KnowledgeError."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.rules.loader import check_rules

KEYS = ["id", "title_zh", "title_en", "clauses", "needs", "predicate", "params", "severity", "confidence",
        "remediation_zh", "description", "needs_review", "tags", "enabled", "extra_clauses", "bogus"]  # fmt: skip
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=12),
    st.sampled_from(["RD-3.1", "high", "possible", "manifest_flag", "static.manifest", "x.rule"]),
)  # fmt: skip
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)  # fmt: skip
documents = st.one_of(st.dictionaries(st.sampled_from(KEYS), values, max_size=12), values)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents, raw=st.booleans(), garbage=st.text(max_size=40))
def test_any_rule_file_gives_problems_not_crashes(doc: object, raw: bool, garbage: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.rule.yaml"
        text = garbage if raw else yaml.safe_dump(doc, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        problems = check_rules(tmp)
        for p in problems:
            assert "\n" not in p and str(path) in p
