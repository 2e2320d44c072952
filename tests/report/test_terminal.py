"""The terminal summary: plain text off a terminal, rich on one."""

from __future__ import annotations

import io

from report_samples import CERT_SHA, ENGINE, Results, make_evidence
from rich.console import Console

from appwarden.knowledge import pi_categories
from appwarden.report.json import build_report
from appwarden.report.terminal import render_summary, summary_text


def test_summary_sections_in_order(report):
    text = summary_text(report)
    order = [
        "检测报告",
        "权限 Permissions",
        "导出组件",
        "个人信息调用点",
        "第三方SDK清单",
        "问题 Findings",
        "未能分析",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_summary_app_identity(report):
    text = summary_text(report, width=200)
    assert "com.example.demo" in text and "4.2.0 (42)" in text and "测试应用" in text
    assert "CN=Demo Dev, O=示例科技有限公司, C=CN" in text
    assert CERT_SHA in text


def test_summary_groups_callsites_by_category_then_owner(report):
    text = summary_text(report, width=200)
    imei = pi_categories()["imei"]
    heading = f"{imei['name_zh']} ({imei['name_en']}) — 2"
    assert heading in text
    block = text[text.index(heading) :]
    host, sdk = block.index("应用自身 (host app): 1"), block.index("友盟统计 (Umeng Analytics): 1")
    assert host < sdk  # host first, then each SDK


def test_summary_findings_by_severity_and_errors(report):
    text = summary_text(report, width=200)
    assert text.index("[高危 High] 1") < text.index("[中危 Medium] 2") < text.index("[低危 Low] 1")
    assert "归属 owner: 友盟统计 (Umeng Analytics)" in text
    assert "dex [classes3.dex]: classes3.dex: bad magic" in text
    assert "pi.dynamic.frequency" in text  # not-evaluated rules are listed


def test_dangerous_permission_highlighted(report):
    text = summary_text(report, width=200)
    line = next(ln for ln in text.splitlines() if "READ_PHONE_STATE" in ln)
    assert "危险 dangerous" in line
    line = next(ln for ln in text.splitlines() if "android.permission.INTERNET" in ln)
    assert "普通 normal" in line


def test_no_tty_output_is_plain_text(report):
    buf = io.StringIO()
    render_summary(report, Console(file=buf, width=120))  # a StringIO is not a terminal
    assert "\x1b[" not in buf.getvalue()
    assert "第三方SDK清单" in buf.getvalue()


def test_app_strings_are_not_rich_markup():
    ev = make_evidence(label="[bold red]x[/bold red] [link=http://evil]y[/link]")
    report = build_report(ev, Results(), engine=ENGINE)
    text = summary_text(report, width=200)
    assert "[bold red]x[/bold red] [link=http://evil]y[/link]" in text


def test_rules_not_run_is_said(evidence):
    text = summary_text(build_report(evidence, None, engine=ENGINE))
    assert "未运行规则 (rules not run)" in text


def test_findings_owner_breakdown(report):
    assert "按归属 (by owner): 应用自身 3, 友盟统计 1" in summary_text(report, width=200)


def test_big_reports_are_summarised_not_dumped(report):
    from appwarden.report.terminal import MAX_OWNERS_PER_CATEGORY

    base = report["callsites"][0]
    extra = [
        dict(base, owner=f"sdk{i}", caller=f"Lx/S{i};->m()V") for i in range(MAX_OWNERS_PER_CATEGORY + 4)
    ]
    report["callsites"] = report["callsites"] + extra * 3
    text = summary_text(report, width=200)
    assert "… 另有 6 个归属方共 16 处 (6 more owners)" in text  # sdk5..sdk9 (3 each) and umeng (1)
    assert text.count("Lx/S0;->m()V") == 3  # three examples per owner (it has three)


def test_plain_tables_align_wide_characters():
    from appwarden.report.terminal import _PlainOut, _width

    assert _width("危险 dangerous") == len("危险 dangerous") + 2
    buf = io.StringIO()
    _PlainOut(buf).table(("名称 Name", "值"), [[("中文名", ""), ("1", "")], [("ascii", ""), ("2", "")]])
    rows = buf.getvalue().splitlines()
    # the second column starts at the same display column on every row
    starts = [_width(r[: r.rindex(v)]) for r, v in zip(rows[2:], ("1", "2"), strict=True)]
    assert len(set(starts)) == 1 and rows[1].strip().startswith("━")


def test_render_summary_without_console_writes_plain_text_to_a_file(report):
    buf = io.StringIO()
    render_summary(report, file=buf)
    assert buf.getvalue() == summary_text(report)
    assert "\x1b[" not in buf.getvalue()


def test_rich_console_still_renders_the_same_sections(report):
    buf = io.StringIO()
    render_summary(report, Console(file=buf, width=200, force_terminal=True))
    out = buf.getvalue()
    assert "\x1b[" in out  # colours on a terminal
    for marker in ("检测报告", "权限 Permissions", "第三方SDK清单", "问题 Findings", "READ_PHONE_STATE"):
        assert marker in out


def test_summary_says_what_the_notice_table_will_hold():
    """``--format notice-csv`` lists only confirmed findings' 通报 types: BaiduPushDemo's 16 findings gave a table with
    a header and no row, and nothing said why. The summary names the types that go in and those that need review
    first (report audit)."""
    from pathlib import Path

    from appwarden.scan import scan_apk

    apk = Path(__file__).resolve().parents[1] / "fixtures" / "apks" / "pi_all.apk"
    text = summary_text(scan_apk(apk))
    line = next(x for x in text.splitlines() if "通报" in x and "confirmed" in x)
    assert "无" in line  # static findings only: nothing confirmed with a 通报 type
    review = next(x for x in text.splitlines() if "待人工复核" in x)
    assert "私自收集个人信息" in review
