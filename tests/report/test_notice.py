"""The 通报 table: the finding -> problem-type mapping (finding_notice_types), rows, CSV (BOM) and XLSX read back."""

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
    developer_of,
    finding_notice_types,
    notice_rows,
    problem_types,
    render_notice_csv,
    render_notice_xlsx,
    report_problems,
)


def test_vocabulary_names_the_eight_337_types():
    types = problem_types()
    assert [t for t in types if t.startswith("M337-")] == [f"M337-{n}" for n in range(1, 9)]
    assert types["M337-1"]["name_zh"] == "私自收集个人信息"
    assert types["M337-8"]["name_zh"] == "账号注销难"


def test_verbatim_names_are_verbatim_in_the_regulation_files(shared_dir):
    regs = shared_dir / "regulations"
    files = {"M337": "miit337.md", "M164": "miit164.md", "RD": "rendingfangfa.md", "M26": "miit26.md"}
    checked = 0
    for tid, rec in problem_types().items():
        if rec["name_status"] != "verbatim":
            assert rec.get("note"), tid  # who else names it, or that it is appwarden's reading
            continue
        text = (regs / files[rec["source"]["instrument"]]).read_text(encoding="utf-8")
        item, name = rec["source"]["item"], rec["name_zh"]
        if rec["source"]["instrument"] == "M337":
            assert f'### {item} "{name}"' in text, tid
        elif rec["source"]["instrument"] == "M164":
            assert f"### {item} {name} (" in text, tid
        else:  # 认定方法 chapter titles: the quoted name of the chapter heading
            chapter = item.split(".")[0]
            assert re.search(rf'^## {re.escape(chapter)} .*"{re.escape(name)}"', text, re.M), tid
        checked += 1
    assert checked >= 14


def test_sources_and_equivalents_exist_in_the_regulations_index(shared_dir):
    index = yaml.safe_load((shared_dir / "regulations" / "index.yaml").read_text(encoding="utf-8"))
    ids = {item["id"] for item in index["items"]}
    for tid, rec in problem_types().items():
        assert rec["source"]["item"] in ids, tid
        assert set(rec["same_as"]) <= ids, tid


def test_finding_notice_types_is_what_the_finding_declares():
    assert finding_notice_types({"rule_id": "x", "notice_types": ["M337-7", "M337-2"]}) == [
        "M337-7",
        "M337-2",
    ]
    # clauses play no part any more: the rule declares its types
    assert finding_notice_types({"rule_id": "x", "clauses": ["RD-3.1", "M164-1.1"], "notice_types": []}) == []
    assert finding_notice_types({"rule_id": "x", "notice_types": ["M337-1", "M337-1"]}) == ["M337-1"]


def test_a_report_without_notice_types_gets_its_rules_types():
    assert finding_notice_types({"rule_id": "pi.startup.device_id", "clauses": ["RD-3.1"]}) == ["M337-1"]
    assert finding_notice_types({"rule_id": "sec.debuggable", "clauses": ["GB35273-6.3"]}) == []
    assert finding_notice_types({"rule_id": "no.such.rule", "clauses": ["RD-3.1"]}) == []


@pytest.mark.parametrize(
    ("types", "message"),
    [
        (["M337-9"], "unknown 通报 problem type"),
        (["M337-1", "M337-2", "M337-3"], "at most 2"),
        ("M337-1", "must be a list"),
    ],
)
def test_bad_notice_types_in_a_report_are_refused(types, message):
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        finding_notice_types({"rule_id": "x", "notice_types": types})


def test_problems_use_confirmed_findings_only_by_default(report):
    assert report_problems(report) == ["私自收集个人信息", "过度索取权限"]
    assert report_problems(report, min_confidence="likely") == [
        "私自收集个人信息",
        "过度索取权限",
        "APP频繁自启动和关联启动",
    ]
    with pytest.raises(KnowledgeError):
        report_problems(report, min_confidence="sure")


def test_findings_without_types_are_left_out_unless_asked():
    findings = make_findings()[:1]
    findings[0].notice_types = []
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


def test_bad_vocabulary_is_a_knowledge_error(tmp_path, monkeypatch):
    import appwarden.knowledge.notice_types as nt

    bad = tmp_path / "notice_types.yaml"
    bad.write_text(
        "types:\n  X-1: {name_zh: x, name_en: x, name_status: verbatim, source: {instrument: M337, item: M337-9},"
        " same_as: [], kind: pi_collection, group: collection}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(nt, "NOTICE_TYPES_FILE", bad)
    nt.vocabulary.cache_clear()
    try:
        with pytest.raises(KnowledgeError, match=re.escape("source.item must be a clause ID")):
            nt.vocabulary()
    finally:
        monkeypatch.undo()
        nt.vocabulary.cache_clear()
