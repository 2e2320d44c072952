"""``appwarden rules list|show|coverage|check|docs``: the rule catalogue (规则目录).

* ``rules list [--json]`` - one line per rule: id, severity, confidence, clauses, title.
* ``rules show <id> [--json]`` - every field of one rule plus its predicate's documentation.
* ``rules coverage [--json]`` - per instrument: items, items with ≥1 rule, static-only, manual-only, automation ratio.
* ``rules check [--rules DIR] [--fixtures DIR]`` - validate every rule and its fixtures; ``file:line: problem`` lines
  and exit 2 when something is wrong, 0 when clean.
* ``rules docs -o docs/rules.md`` - write the generated catalogue.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

from appwarden.errors import RuleError
from appwarden.rules import predicates as predicate_registry
from appwarden.rules.coverage import coverage
from appwarden.rules.docs import render_markdown
from appwarden.rules.loader import check_rules, clause_index, default_fixtures_root, load_rules


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "rules", help="rule catalogue: list, show, coverage, check, docs (规则目录)"
    )
    sub = parser.add_subparsers(dest="rules_command", metavar="SUBCOMMAND")

    p = sub.add_parser("list", help="list rules (列出规则)")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument("--rules", help="rules directory (default: the shipped rules)")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("show", help="show one rule (查看规则)")
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument("--rules", help="rules directory (default: the shipped rules)")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("coverage", help="clause coverage and automation ratio (条款覆盖率)")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument("--rules", help="rules directory (default: the shipped rules)")
    p.set_defaults(func=_cmd_coverage)

    p = sub.add_parser("check", help="validate rules and fixtures (校验规则)")
    p.add_argument("--rules", help="rules directory (default: the shipped rules)")
    p.add_argument("--fixtures", help="fixtures root (default: tests/rules of a source checkout)")
    p.add_argument("--no-fixtures", action="store_true", help="do not require fixtures")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("docs", help="write the generated rule catalogue (生成规则文档)")
    p.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
    p.add_argument("--rules", help="rules directory (default: the shipped rules)")
    p.set_defaults(func=_cmd_docs)
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])


def _rules(args: Any) -> list:
    return load_rules(getattr(args, "rules", None))


def _cmd_list(args: Any) -> int:
    rules = _rules(args)
    if args.json:
        print(json.dumps([r.to_json() for r in rules], ensure_ascii=False, indent=2))
        return 0
    for r in rules:
        flag = "" if r.enabled else " [disabled]"
        print(f"{r.id:32} {r.severity:6} {r.confidence:9} {','.join(r.clauses):40} {r.title_zh}{flag}")
    print(f"{len(rules)} rules", file=sys.stderr)
    return 0


def _cmd_show(args: Any) -> int:
    rules = {r.id: r for r in _rules(args)}
    rule = rules.get(args.id)
    if rule is None:
        raise RuleError(f"no rule {args.id!r} (see `appwarden rules list`)")
    pred = predicate_registry.get(rule.predicate)
    clauses = clause_index()
    if args.json:
        data = rule.to_json() | {"predicate_doc": pred.doc, "predicate_needs": list(pred.needs)}
        data["clause_titles"] = {c: clauses[c].get("title_zh", "") for c in rule.clauses}
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{rule.id}  [{rule.severity} / {rule.confidence}{' / needs review' if rule.needs_review else ''}]")
    print(f"  {rule.title_zh}")
    print(f"  {rule.title_en}")
    print("clauses:")
    for c in rule.clauses:
        print(f"  {c:16} {clauses[c].get('title_zh', '')}")
    print(f"needs: {', '.join(dict.fromkeys([*rule.needs, *pred.needs]))}")
    print(f"predicate: {rule.predicate} ({pred.module})" + (f" params={rule.params}" if rule.params else ""))
    print(f"source: {rule.source}")
    print()
    print(rule.description)
    print()
    print(f"整改建议: {rule.remediation_zh}")
    print()
    print("predicate documentation:")
    print(pred.doc)
    return 0


def _cmd_coverage(args: Any) -> int:
    rows = coverage(_rules(args))
    if args.json:
        print(json.dumps([c.to_json() for c in rows], ensure_ascii=False, indent=2))
        return 0
    head = (
        f"{'instrument':28} {'items':>5} {'rule≥1':>6} {'static':>6} {'table':>5} {'case':>5} {'manual':>6} "
        f"{'no rule':>7} {'ratio':>6} {'strict':>6}"
    )
    print(head)
    print("-" * len(head))
    for c in rows:
        name = _pad(f"{c.key} {c.name_zh}", 28)
        print(
            f"{name} {c.items:5} {c.automated:6} {c.automated_static:6} {c.table:5} {c.case_only:5} {c.manual_only:6} "
            f"{c.automatable_no_rule:7} {c.ratio:6.0%} {c.ratio_strict:6.0%}"
        )
    print(
        "\nrule≥1: items cited by at least one rule; static: by a rule that runs on the APK alone; table: rows of a "
        "per-category clause table a rule evaluates (category_table: the 39 N39 rows of necessary_pi.yaml that "
        "perm.beyond_category applies to the app's category; counted strict); case: cited only per finding when the "
        "evidence shows it (extra_clauses, not counted strict); manual: only a human can judge; no rule: automatable "
        "but not covered yet; strict: ratio without the case-only items. A cited item is a lead, not a verdict: most "
        "static rules are 'possible'.",
    )
    reasons = rows[-1].manual_reasons if rows else {}
    if reasons:
        print("\nmanual (needs a human), with the clause index's reason:")
        for cid, reason in reasons.items():
            print(f"  {cid}: {reason}")
    return 0


def _pad(text: str, width: int) -> str:
    """Pad/cut to a display width, counting CJK characters as two columns."""
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def _cmd_check(args: Any) -> int:
    fixtures = None
    if not args.no_fixtures:
        fixtures = Path(args.fixtures) if args.fixtures else default_fixtures_root()
        if fixtures is None:
            print("appwarden: warning: no tests/rules folder found; fixtures not checked", file=sys.stderr)
    problems = check_rules(args.rules, fixtures)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problems", file=sys.stderr)
        return 2
    n = len(load_rules(args.rules))
    print(f"{n} rules OK" + ("" if fixtures is None else " (with fixtures)"), file=sys.stderr)
    return 0


def _cmd_docs(args: Any) -> int:
    text = render_markdown(_rules(args))
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    return 0
