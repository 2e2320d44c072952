"""Loader validation: every malformed rule is rejected with file and line; the packaged rules load."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.errors import RuleError
from appwarden.rules.loader import check_rules, clause_index, load_cases, load_rules, rules_version

GOOD = """\
id: t.example
title_zh: 示例
title_en: Example
clauses: [RD-3.1]
needs: [static.manifest]
predicate: manifest_flag
params: {flag: debuggable}
severity: medium
confidence: confirmed
remediation_zh: 修复
description: test rule
notice_types: []
"""


def write_rule(tmp_path: Path, text: str, name: str = "t.example") -> Path:
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    (d / f"{name}.yaml").write_text(text, encoding="utf-8")
    return d


def test_good_rule_loads(tmp_path: Path) -> None:
    rules = load_rules(write_rule(tmp_path, GOOD))
    assert [r.id for r in rules] == ["t.example"]
    assert rules[0].needs_review is True
    assert rules[0].params == {"flag": "debuggable"}


@pytest.mark.parametrize(
    ("old", "new", "message", "line"),
    [
        ("clauses: [RD-3.1]", "clauses: [RD-99.9]", "unknown clause ID 'RD-99.9'", 4),
        ("clauses: [RD-3.1]", "clauses: []", "non-empty list", 4),
        ("needs: [static.manifest]", "needs: [static.bogus]", "unknown evidence kind 'static.bogus'", 5),
        ("predicate: manifest_flag", "predicate: nope", "unknown predicate 'nope'", 6),
        ("params: {flag: debuggable}", "params: {flag: nope}", "bad params", 7),
        ("severity: medium", "severity: critical", "severity 'critical'", 8),
        ("confidence: confirmed", "confidence: sure", "confidence 'sure'", 9),
        ("id: t.example", "id: other", "must equal the file name", 1),
        ("description: test rule", "clause: [RD-3.1]", "unknown key 'clause'", 11),
    ],
)
def test_bad_rules_name_file_and_line(tmp_path: Path, old: str, new: str, message: str, line: int) -> None:
    d = write_rule(tmp_path, GOOD.replace(old, new))
    with pytest.raises(RuleError) as err:
        load_rules(d)
    text = str(err.value)
    assert message in text
    assert f"t.example.yaml:{line}:" in text


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("notice_types: [M337-99]", "unknown notice type 'M337-99'"),
        ("notice_types: [M337-1, M337-2, M337-3]", "at most 2"),
        ("notice_types: [M337-1, M337-1]", "lists a type twice"),
        ("notice_types: M337-1", "must be a list"),
        ("notice_types:", "must be a list"),
    ],
)
def test_bad_notice_types_name_file_and_line(tmp_path: Path, new: str, message: str) -> None:
    d = write_rule(tmp_path, GOOD.replace("notice_types: []", new))
    with pytest.raises(RuleError) as err:
        load_rules(d)
    assert message in str(err.value)
    assert "t.example.yaml:12:" in str(err.value)


def test_a_rule_without_notice_types_fails_rules_check(tmp_path: Path) -> None:
    """Even "no type" must be written down: a rule without the key is invalid."""
    d = write_rule(tmp_path, GOOD.replace("notice_types: []\n", ""))
    problems = check_rules(d)
    assert len(problems) == 1 and "missing required key 'notice_types'" in problems[0]
    assert load_rules(write_rule(tmp_path, GOOD))[0].notice_types == []
    typed = GOOD.replace("notice_types: []", "notice_types: [M337-7, M337-2]")
    assert load_rules(write_rule(tmp_path, typed))[0].notice_types == ["M337-7", "M337-2"]


def test_security_hygiene_rules_may_not_declare_pi_types(tmp_path: Path) -> None:
    sec = GOOD.replace("t.example", "sec.example").replace("notice_types: []", "notice_types: [M337-1]")
    d = write_rule(tmp_path, sec, name="sec.example")
    with pytest.raises(
        RuleError, match=r"security-hygiene rule 'sec\.example' may not declare PI problem types"
    ):
        load_rules(d)


def test_missing_key_and_yaml_syntax(tmp_path: Path) -> None:
    d = write_rule(tmp_path, GOOD.replace("title_en: Example\n", ""))
    with pytest.raises(RuleError, match="missing required key 'title_en'"):
        load_rules(d)
    d = write_rule(tmp_path, GOOD + "params: [unclosed\n")
    problems = check_rules(d)
    assert len(problems) == 1 and "t.example.yaml:" in problems[0]


def test_check_requires_fixtures(tmp_path: Path) -> None:
    d = write_rule(tmp_path, GOOD)
    fixtures = tmp_path / "fx"
    fixtures.mkdir()
    problems = check_rules(d, fixtures)
    assert problems and "missing fixtures" in problems[0]
    case_dir = fixtures / "t.example"
    case_dir.mkdir()
    (case_dir / "a.apk").write_bytes(b"x")
    (case_dir / "cases.yaml").write_text(
        "cases:\n  - {name: fires, apk: a.apk, expect: {findings: 1}}\n", encoding="utf-8"
    )
    problems = check_rules(d, fixtures)
    assert problems and "non-firing" in problems[0]
    (case_dir / "cases.yaml").write_text(
        "cases:\n  - {name: fires, apk: a.apk, expect: {findings: 1}}\n"
        "  - {name: quiet, apk: missing.apk, expect: {findings: 0}}\n",
        encoding="utf-8",
    )
    problems = check_rules(d, fixtures)
    assert problems and "cases.yaml:3:" in problems[0] and "not found" in problems[0]
    (case_dir / "cases.yaml").write_text(
        "cases:\n  - {name: fires, apk: a.apk, expect: {findings: 1}}\n"
        "  - {name: quiet, apk: a.apk, expect: {findings: 0}}\n",
        encoding="utf-8",
    )
    assert check_rules(d, fixtures) == []
    folder, cases = load_cases("t.example", fixtures)
    assert folder == case_dir and [c["name"] for c in cases] == ["fires", "quiet"]


def test_packaged_rules_are_valid() -> None:
    rules = load_rules()
    assert rules, "no packaged rules"
    known = clause_index()
    for rule in rules:
        assert all(c in known for c in rule.clauses)
    assert len(rules_version()) == 12
