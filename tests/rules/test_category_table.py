"""The 39类 rows as a per-category clause table (``category_table: necessary_pi``, issue #20).

``rules coverage`` counts an N39 row as automated (strict) because ``perm.beyond_category`` evaluates that row for an
app of that category. These tests fail when a category lacks the data the predicate reads, or when a row is cited
without being applied: for every one of the 39 types, an app asking for every PI permission gets a finding that
cites exactly that row and reports exactly the permissions that row does not justify, and an app asking only for the
row's justified permissions gets none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.apk.model import Manifest, UsesPermission
from appwarden.errors import RuleError
from appwarden.evidence import AppInfo, Evidence, StaticEvidence
from appwarden.knowledge import load_yaml
from appwarden.rules.category import necessary_pi
from appwarden.rules.coverage import coverage
from appwarden.rules.engine import evaluate_rule
from appwarden.rules.loader import (
    REGULATIONS_FILE,
    category_table_problem,
    category_table_rows,
    load_rules,
)
from appwarden.rules.predicates.permissions import DANGEROUS, DEFAULT_IGNORE

RULE_ID = "perm.beyond_category"


def _n39_items() -> list[str]:
    data = load_yaml(REGULATIONS_FILE)
    return [
        str(i["id"])
        for i in data["items"]
        if i["instrument"] == "N39" and i.get("kind") != "definition" and str(i["id"])[4:].isdigit()
    ]


N39 = _n39_items()


def _rule():
    (rule,) = [r for r in load_rules() if r.id == RULE_ID]
    return rule


def _evidence(category: str, permissions: list[str]) -> Evidence:
    manifest = Manifest(uses_permissions=[UsesPermission(name=p) for p in permissions])
    static = StaticEvidence(app=AppInfo(sha256="0" * 64, package="com.example.app"), manifest=manifest)
    return Evidence(static=static, category=category)


def _considered() -> set[str]:
    return (set(necessary_pi()["permission_categories"]) & DANGEROUS) - set(DEFAULT_IGNORE)


def test_every_39_type_is_a_table_row_with_data() -> None:
    assert len(N39) == 39
    rows = category_table_rows("necessary_pi")
    missing = [c for c in N39 if c not in rows]
    assert not missing, f"N39 types without necessary-PI data: {missing}"
    for cid in N39:
        rec = rows[cid]
        assert rec.get("name_zh"), cid
        assert isinstance(rec["justified_permissions"], list), cid


def test_the_rule_declares_the_table_with_every_row() -> None:
    rule = _rule()
    assert rule.category_table == "necessary_pi"
    assert sorted(c for c in rule.extra_clauses if c.startswith("N39-")) == sorted(N39)


@pytest.mark.parametrize("category", N39)
def test_each_category_row_is_applied(category: str) -> None:
    rule = _rule()
    justified = set(necessary_pi()["types"][category]["justified_permissions"])
    everything = sorted(_considered())
    res = evaluate_rule(_evidence(category, everything), rule)
    assert not res.errors and not res.not_evaluated
    (finding,) = res.findings
    assert category in finding.clauses
    assert [c for c in finding.clauses if c.startswith("N39-")] == [category]
    reported = {e["name"] for e in finding.evidence if e["type"] == "permission"}
    assert reported == set(everything) - justified
    # only what the row justifies: silent
    ok = sorted(justified & set(everything))
    assert evaluate_rule(_evidence(category, ok), rule).findings == []


def test_rows_differ_so_the_category_decides() -> None:
    """Location is justified for maps (N39-01) and not for news (N39-30): the row, not a fixed list, decides."""
    rule = _rule()
    perms = ["android.permission.ACCESS_FINE_LOCATION"]
    assert evaluate_rule(_evidence("N39-01", perms), rule).findings == []
    assert len(evaluate_rule(_evidence("N39-30", perms), rule).findings) == 1


def test_coverage_counts_the_rows_as_table_items() -> None:
    (n39,) = [c for c in coverage(load_rules()) if c.key == "N39"]
    assert n39.table == 39
    assert n39.case_only == 0


def test_a_row_without_data_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    import appwarden.rules.category as category

    data = dict(necessary_pi())
    types = dict(data["types"])
    types["N39-07"] = {k: v for k, v in types["N39-07"].items() if k != "justified_permissions"}
    data["types"] = types
    monkeypatch.setattr(category, "necessary_pi", lambda: data)
    problem = category_table_problem("necessary_pi", ["N39-06", "N39-07"])
    assert problem is not None and "N39-07" in problem
    assert category_table_problem("necessary_pi", ["N39-06"]) is None
    assert "unknown category_table" in (category_table_problem("nope", ["N39-06"]) or "")


def test_loader_rejects_a_bad_table(tmp_path: Path) -> None:
    from appwarden.rules.loader import _parse_rule

    src = Path(_rule().source).read_text(encoding="utf-8")
    bad = tmp_path / f"{RULE_ID}.yaml"
    bad.write_text(
        src.replace("category_table: necessary_pi", "category_table: other_table"), encoding="utf-8"
    )
    with pytest.raises(RuleError, match="unknown category_table"):
        _parse_rule(bad)
