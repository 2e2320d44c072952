"""Clause coverage: which regulation items the rule catalogue automates, per instrument.

:func:`coverage` counts, per instrument of ``knowledge/regulations.yaml``:

- ``items``: the items that state an obligation (scope/definition articles excluded, counted in ``definitions``);
- ``automated``: items cited by at least one enabled rule (static, policy or dynamic), in ``clauses`` or in
  ``extra_clauses`` (clauses a finding adds case by case, e.g. the app's 39类 row);
- ``automated_static``: items cited by a rule that needs no policy and no trace (runs on an APK alone);
- ``manual_only``: items a machine cannot judge: ``detectable_by`` is only ``manual``, or the clause index gives a
  ``manual_reason`` (``scripts/build_regulations.py`` ``MANUAL_REASONS``), kept in ``manual_reasons`` (id -> reason);
- ``automatable_no_rule``: items a machine could judge (some non-manual evidence kind) but no rule cites yet;
- ``case_only``: automated items cited only through ``extra_clauses`` that the rule does not evaluate as a table
  (a scenario a finding adds when its trace shows it, e.g. M164-1.2-S2);
- ``table``: items cited as rows of a per-category clause table the rule declares (``category_table``) and its
  predicate evaluates, e.g. the 39 N39-xx rows of ``knowledge/necessary_pi.yaml`` that ``perm.beyond_category``
  applies to the app's category; counted as the rule's own (strict) only for rows with data (the loader rejects a
  table row without it, ``tests/rules/test_category_table.py`` exercises every row);
- ``ratio``: ``automated / items`` — the automation ratio (the national platform's target was about 30%), and
  ``ratio_strict``: the same without the case-only items.

A rule citing an item does not mean it decides the item fully: most static rules give ``possible`` leads. The
numbers are honest about *coverage*, not about *accuracy* (see ``docs/rules-eval.md``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from appwarden.knowledge import load_yaml
from appwarden.rules.loader import REGULATIONS_FILE, category_table_rows
from appwarden.rules.model import Rule

NON_STATIC = ("policy.text", "dynamic.trace")


@dataclass(slots=True)
class InstrumentCoverage:
    key: str
    name_zh: str
    items: int = 0
    definitions: int = 0
    automated: int = 0
    automated_static: int = 0
    # cited only through extra_clauses a finding adds (not a table the rule evaluates): not strict
    case_only: int = 0
    # cited as a row of a per-category clause table the rule evaluates (category_table): strict
    table: int = 0
    manual_only: int = 0
    automatable_no_rule: int = 0
    automated_ids: list[str] = field(default_factory=list)
    manual_ids: list[str] = field(default_factory=list)
    manual_reasons: dict[str, str] = field(
        default_factory=dict
    )  # id -> why a human must judge it (where given)

    @property
    def ratio(self) -> float:
        return self.automated / self.items if self.items else 0.0

    @property
    def ratio_strict(self) -> float:
        """Automation ratio counting only items a rule names in its own ``clauses``."""
        return (self.automated - self.case_only) / self.items if self.items else 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = round(self.ratio, 4)
        data["ratio_strict"] = round(self.ratio_strict, 4)
        return data


def coverage(rules: list[Rule]) -> list[InstrumentCoverage]:
    """Per-instrument coverage (order of ``regulations.yaml``) plus a final ``ALL`` total."""
    data = load_yaml(REGULATIONS_FILE)
    cited: dict[str, set[str]] = {}
    for rule in rules:
        if not rule.enabled:
            continue
        static = not any(n in NON_STATIC for n in rule.needs)
        for clause in rule.clauses:
            cited.setdefault(clause, set()).update(("static" if static else "other", "named"))
        table = category_table_rows(rule.category_table) if rule.category_table else {}
        for clause in rule.extra_clauses:
            kinds = cited.setdefault(clause, set())
            kinds.add("static" if static else "other")
            if clause in table:  # a row of the table the predicate evaluates: the rule's own check
                kinds.update(("named", "table"))
    out: dict[str, InstrumentCoverage] = {
        i["key"]: InstrumentCoverage(i["key"], i["name_zh"]) for i in data["instruments"]
    }
    total = InstrumentCoverage("ALL", "合计")
    for item in data["items"]:
        for cov in (out[item["instrument"]], total):
            if item.get("kind") == "definition":
                cov.definitions += 1
                continue
            cov.items += 1
            kinds = cited.get(item["id"], set())
            if kinds:
                cov.automated += 1
                cov.automated_ids.append(item["id"])
                if "static" in kinds:
                    cov.automated_static += 1
                if "named" not in kinds:
                    cov.case_only += 1
                if "table" in kinds:
                    cov.table += 1
            if not item.get("automatable"):
                cov.manual_only += 1
                cov.manual_ids.append(item["id"])
                if item.get("manual_reason"):
                    cov.manual_reasons[item["id"]] = str(item["manual_reason"])
            elif not kinds:
                cov.automatable_no_rule += 1
    return [*out.values(), total]
