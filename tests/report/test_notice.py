"""The 通报 table: clause → problem-type mapping, rows, CSV (BOM) and XLSX read back."""

from __future__ import annotations

import copy
import csv
import io
import re

import pytest
import yaml
from openpyxl import load_workbook
from report_samples import ENGINE, Results, make_evidence, make_findings

from appwarden.errors import KnowledgeError
from appwarden.report.json import build_report
from appwarden.report.notice import (
    NOTICE_COLUMNS,
    clause_types,
    developer_of,
    finding_problem_types,
    load_notice_map,
    notice_rows,
    problem_types,
    render_notice_csv,
    render_notice_xlsx,
    report_problems,
)


def test_map_loads_and_names_the_eight_337_types():
    types = problem_types()
    assert [t for t in types if t.startswith("M337-")] == [f"M337-{n}" for n in range(1, 9)]
    assert types["M337-1"]["name_zh"] == "私自收集个人信息"
    assert types["M337-8"]["name_zh"] == "账号注销难"


def test_337_names_are_verbatim_from_the_regulation(shared_dir):
    text = (shared_dir / "regulations" / "miit337.md").read_text(encoding="utf-8")
    for tid, rec in problem_types().items():
        if rec["instrument"] == "M337":
            assert f'### {tid} "{rec["name_zh"]}"' in text, tid


def test_every_mapped_clause_exists_in_the_regulations_index(shared_dir):
    index = yaml.safe_load((shared_dir / "regulations" / "index.yaml").read_text(encoding="utf-8"))
    ids = {item["id"] for item in index["items"]}
    for clause in load_notice_map()["clauses"]:
        if clause.endswith("*"):
            assert any(i.startswith(clause[:-1]) for i in ids), clause
        else:
            assert clause in ids, clause
    for tid in problem_types():
        assert tid in ids, tid


@pytest.mark.parametrize(
    ("clauses", "expected"),
    [
        (["RD-3.1", "M164-1.1"], ["M337-1"]),
        (["RD-4.1", "M164-2.1"], ["M337-7"]),  # intersection picks 过度索取权限
        (["RD-4.1", "M164-1.2"], ["M337-2"]),
        (["RD-4.1"], ["M337-2", "M337-7"]),
        (["RD-3.1", "RD-5.1"], ["M337-1", "M337-3"]),  # two decisive clauses: both
        (["M164-1.2", "RD-4.1", "M164-1.1-S1"], ["M337-1", "M337-2"]),  # RD-4.1 resolved by a decisive clause
        (["RD-4.6", "RD-4.1"], ["M337-7"]),  # two ambiguous clauses: what they share
        (["N39-08"], ["M337-2"]),  # prefix entry
        (["M164-2.2"], ["M164-2.2"]),
        (["M164-1.1-S2"], ["M337-1"]),  # a scenario maps like its item
        (["M164-2.2-S1", "M26-6"], ["M164-2.2"]),
        (["XX-1"], []),
        ([], []),
    ],
)
def test_finding_problem_types(clauses, expected):
    assert finding_problem_types({"clauses": clauses}) == expected


def test_clause_types_prefers_exact_entries():
    assert clause_types("RD-3.2") == ["M337-6"]
    assert clause_types("N39-A1") == ["M337-2"]
    assert clause_types("nope") == []


def test_problems_use_confirmed_findings_only_by_default(report):
    assert report_problems(report) == ["私自收集个人信息", "过度索取权限"]
    assert report_problems(report, min_confidence="likely") == [
        "私自收集个人信息",
        "过度索取权限",
        "APP频繁自启动和关联启动",
    ]
    with pytest.raises(KnowledgeError):
        report_problems(report, min_confidence="sure")


def test_unmapped_clauses_are_left_out_unless_asked():
    findings = make_findings()[:1]
    findings[0].clauses = ["CH-9", "GB35273-6.3"]
    report = build_report(make_evidence(), Results(findings=findings), engine=ENGINE)
    assert report_problems(report) == []
    assert notice_rows(report) == []
    assert report_problems(report, include_unmapped=True) == [findings[0].title_zh]
    assert notice_rows(report, include_unmapped=True)[0]["所涉问题"] == findings[0].title_zh


def test_duplicates_are_merged(report):
    doubled = copy.deepcopy(report)
    doubled["findings"] += copy.deepcopy(doubled["findings"])
    assert report_problems(doubled) == report_problems(report)


def test_rows_and_developer(report):
    clean = build_report(make_evidence(label="干净应用", package="com.clean"), Results(), engine=ENGINE)
    rows = notice_rows([report, clean])
    assert len(rows) == 1
    assert rows[0] == {
        "序号": 1,
        "应用名称": "测试应用",
        "应用开发者": "示例科技有限公司",
        "应用来源": "应用宝",
        "应用版本": "4.2.0",
        "所涉问题": "私自收集个人信息；过度索取权限",
    }
    both = notice_rows([report, clean], include_clean=True, start=7)
    assert [r["序号"] for r in both] == [7, 8] and both[1]["所涉问题"] == ""
    assert developer_of({"meta": {"developer": "某公司"}}) == "某公司"
    assert developer_of({"app": {"signers": [{"subject": "CN=Only Name"}]}}) == "Only Name"
    assert developer_of({"app": {"signers": []}}) == ""


def test_csv_has_bom_and_reads_back(report):
    data = render_notice_csv([report, report])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == NOTICE_COLUMNS
    assert rows[1] == [
        "1",
        "测试应用",
        "示例科技有限公司",
        "应用宝",
        "4.2.0",
        "私自收集个人信息；过度索取权限",
    ]
    assert rows[2][0] == "2"


def test_xlsx_reads_back(report, tmp_path):
    path = tmp_path / "notice.xlsx"
    path.write_bytes(render_notice_xlsx(report))
    ws = load_workbook(path).active
    assert ws.title == "通报"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert tuple(values[0]) == NOTICE_COLUMNS
    assert values[1] == [
        1,
        "测试应用",
        "示例科技有限公司",
        "应用宝",
        "4.2.0",
        "私自收集个人信息；过度索取权限",
    ]


def test_formulas_and_control_characters_are_neutralised(hostile_report, tmp_path):
    hostile_report["app"]["label"] = '=HYPERLINK("http://evil","x")\x07'
    data = render_notice_csv(hostile_report).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(data)))[1]
    assert row[1].startswith("'=HYPERLINK") and "\x07" not in row[1]
    assert row[3] == "'=1+1"  # meta.source
    path = tmp_path / "h.xlsx"
    path.write_bytes(render_notice_xlsx(hostile_report))
    ws = load_workbook(path).active
    for cell in ws[2]:
        assert cell.data_type != "f", cell.value
    assert ws["B2"].value.startswith("'=HYPERLINK")


def test_bad_map_is_a_knowledge_error(tmp_path, monkeypatch):
    import appwarden.report.notice as notice

    bad = tmp_path / "map.yaml"
    bad.write_text(
        "problem_types:\n  M337-1: {name_zh: x}\nclauses:\n  RD-3.1: {types: [M337-9], basis: stated}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(notice, "NOTICE_MAP_PATH", bad)
    notice.load_notice_map.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match=re.escape("unknown type(s)")):
            notice.load_notice_map()
    finally:
        monkeypatch.undo()
        notice.load_notice_map.cache_clear()
