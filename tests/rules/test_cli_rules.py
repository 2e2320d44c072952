"""`appwarden rules ...` end to end through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

from appwarden.cli import main
from appwarden.rules.docs import render_markdown
from appwarden.rules.loader import load_rules

ROOT = Path(__file__).resolve().parents[2]


def test_list_and_show(capsys) -> None:
    assert main(["rules", "list", "--json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    ids = {r["id"] for r in rules}
    assert {"pi.startup.device_id", "sec.trust_all_tls", "perm.beyond_category"} <= ids
    assert main(["rules", "show", "pi.startup.device_id"]) == 0
    out = capsys.readouterr().out
    assert "RD-3.1" in out and "同意前收集" in out and "Application" in out
    assert main(["rules", "show", "no.such.rule"]) == 2
    assert "no rule 'no.such.rule'" in capsys.readouterr().err


def test_coverage_json_is_consistent(capsys) -> None:
    assert main(["rules", "coverage", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    total = rows[-1]
    assert total["key"] == "ALL"
    assert total["items"] == sum(r["items"] for r in rows[:-1])
    assert total["automated"] == sum(r["automated"] for r in rows[:-1])
    assert 0 < total["ratio"] < 1
    for r in rows:
        assert r["automated"] + r["automatable_no_rule"] + r["manual_only"] >= r["items"]
        assert r["automated_static"] <= r["automated"]
        assert r["case_only"] <= r["automated"] and r["ratio_strict"] <= r["ratio"]
    n39 = next(r for r in rows if r["key"] == "N39")
    # the 39 type rows are a per-category table perm.beyond_category evaluates (category_table), counted strict
    assert n39["table"] == 39 and n39["case_only"] == 0


def test_check_reports_file_and_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "x.bad.yaml").write_text("id: x.bad\ntitle_zh: a\n", encoding="utf-8")
    assert main(["rules", "check", "--rules", str(tmp_path), "--no-fixtures"]) == 2
    out = capsys.readouterr().out
    assert "x.bad.yaml:1: missing required key" in out
    assert main(["rules", "check"]) == 0


def test_check_fails_a_rule_without_notice_types(tmp_path: Path, capsys) -> None:
    """Every rule states its 通报 problem types; "none" is an explicit empty list."""
    rule = (ROOT / "src" / "appwarden" / "knowledge" / "rules" / "sec.debuggable.yaml").read_text("utf-8")
    assert "\nnotice_types: []" in rule
    (tmp_path / "sec.debuggable.yaml").write_text(
        "\n".join(ln for ln in rule.splitlines() if not ln.startswith("notice_types:")) + "\n", "utf-8"
    )
    assert main(["rules", "check", "--rules", str(tmp_path), "--no-fixtures"]) == 2
    assert "sec.debuggable.yaml:1: missing required key 'notice_types'" in capsys.readouterr().out
    (tmp_path / "sec.debuggable.yaml").write_text(rule, "utf-8")
    assert main(["rules", "check", "--rules", str(tmp_path), "--no-fixtures"]) == 0


def test_docs_generated_and_committed_copy_is_current(tmp_path: Path) -> None:
    out = tmp_path / "rules.md"
    assert main(["rules", "docs", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for rule in load_rules():
        assert f"### {rule.id}" in text
    assert text == render_markdown(load_rules())
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    stale = [r.id for r in load_rules() if f"### {r.id}\n" not in committed]
    assert not stale, f"docs/rules.md lacks {stale}: run `make docs`"
