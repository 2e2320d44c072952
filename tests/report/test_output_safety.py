"""Output safety (issue #17 part 4): app-controlled text never becomes a spreadsheet formula or a terminal escape.

The hostile app is built in the test: a manifest whose android:label is a formula plus an ANSI "clear screen"
sequence, scanned by the real pipeline; the real writers (batch results.csv, the 通报 CSV/XLSX, the terminal summary,
the CLI) are then checked.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from tests.apk.apk_zipbuild import Node, a, build_axml, manifest_node

from appwarden.report.sanitize import spreadsheet_cell, terminal_text

FORMULA_LABEL = '=HYPERLINK("http://x","y")'
ESCAPE_LABEL = "Evil\x1b[2J\x1b]0;owned\x07App\u202e"


def hostile_apk(path: Path, label: str, package: str = "com.example.hostile") -> Path:
    """A small APK (manifest only) whose application label is ``label``."""
    manifest = manifest_node(package, Node("application", [a("label", label)]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("AndroidManifest.xml", build_axml(manifest))
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    from appwarden.scan import scan_apk

    base = tmp_path_factory.mktemp("hostile")
    return {
        "formula": scan_apk(hostile_apk(base / "formula.apk", FORMULA_LABEL)),
        "escape": scan_apk(hostile_apk(base / "escape.apk", ESCAPE_LABEL, "com.example.escape")),
    }


def test_spreadsheet_cell_neutralises_every_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert spreadsheet_cell(f"{start}1+1").startswith("'"), repr(start)
    assert spreadsheet_cell("  =1+1") == "'  =1+1"  # leading blanks do not hide a formula
    assert spreadsheet_cell("\x00=1+1") == "'=1+1"  # nor a control character stripped afterwards
    assert spreadsheet_cell("a\x00b\x1b[31mc") == "abc"
    assert spreadsheet_cell("第一行\n第二行") == "第一行\n第二行"
    assert spreadsheet_cell("正常 a=b") == "正常 a=b"
    assert spreadsheet_cell(3) == 3 and spreadsheet_cell(None) is None


def test_terminal_text_strips_escapes_and_controls() -> None:
    assert terminal_text(ESCAPE_LABEL) == "EvilApp"
    assert terminal_text("a\nb\tc\rd") == "a b c d"
    assert terminal_text("\x9b2J中文\x07") == "中文"
    assert terminal_text(None) == "" and terminal_text(12) == "12"


def test_the_pipeline_keeps_the_hostile_label(hostile_reports: dict[str, dict[str, Any]]) -> None:
    # The report JSON is data: it keeps the label as the APK has it; only the writers below neutralise it.
    assert hostile_reports["formula"]["app"]["label"] == FORMULA_LABEL
    assert hostile_reports["escape"]["app"]["label"] == ESCAPE_LABEL


def test_notice_csv_and_xlsx_neutralise_the_label(hostile_reports: dict[str, dict[str, Any]]) -> None:
    from openpyxl import load_workbook

    from appwarden.report.notice import render_notice_csv, render_notice_xlsx

    reports = list(hostile_reports.values())
    rows = list(csv.reader(io.StringIO(render_notice_csv(reports, include_clean=True).decode("utf-8-sig"))))
    labels = [r[1] for r in rows[1:]]
    assert labels == ["'" + FORMULA_LABEL, "EvilApp\u202e"]
    ws = load_workbook(io.BytesIO(render_notice_xlsx(reports, include_clean=True))).active
    cell = ws.cell(row=2, column=2)
    assert cell.value == "'" + FORMULA_LABEL and cell.data_type == "s"
    assert "\x1b" not in str(ws.cell(row=3, column=2).value)


def test_batch_results_csv_neutralises_the_label(tmp_path: Path) -> None:
    from appwarden.batch import BatchOptions, run_batch

    inbox = tmp_path / "in"
    inbox.mkdir()
    hostile_apk(inbox / "formula.apk", FORMULA_LABEL)
    hostile_apk(inbox / "escape.apk", ESCAPE_LABEL, "com.example.escape")
    out = tmp_path / "out"
    run_batch([inbox], out, BatchOptions(jobs=1, timeout=120))
    text = (out / "results.csv").read_text(encoding="utf-8-sig")
    rows = {Path(r["path"]).name: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["formula.apk"]["label"] == "'" + FORMULA_LABEL
    assert rows["escape.apk"]["label"] == "EvilApp\u202e"
    assert "\x1b" not in text


def test_terminal_summary_prints_no_escape_sequence(hostile_reports: dict[str, dict[str, Any]]) -> None:
    from rich.console import Console

    from appwarden.report.terminal import render_summary, summary_text

    text = summary_text(hostile_reports["escape"])
    assert "EvilApp" in text and "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    buf = io.StringIO()  # the rich back end (a terminal) gets the same cleaned text; colours are its own
    render_summary(hostile_reports["escape"], Console(file=buf, force_terminal=True, width=120))
    assert "\x1b[2J" not in buf.getvalue() and "\x1b]0;" not in buf.getvalue() and "EvilApp" in buf.getvalue()


def test_cli_scan_summary_prints_no_escape_sequence(tmp_path: Path) -> None:
    apk = hostile_apk(tmp_path / "escape.apk", ESCAPE_LABEL, "com.example.escape")
    proc = subprocess.run(
        [sys.executable, "-m", "appwarden", "scan", "--no-daemon", str(apk), "-o", str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "EvilApp" in proc.stdout
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout and "\u202e" not in proc.stdout


def test_batch_index_and_csv_of_a_failed_input_show_no_python_none(tmp_path: Path) -> None:
    from appwarden.batch import BatchOptions, run_batch
    from appwarden.cli.batch import write_index

    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "=broken.apk").write_bytes(b"PK not really")
    out = tmp_path / "out"
    run_batch([inbox], out, BatchOptions(jobs=1, timeout=120))
    page = write_index(out).read_text(encoding="utf-8")
    assert ">None<" not in page and "None</td>" not in page
    rows = list(csv.DictReader(io.StringIO((out / "results.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0]["status"] == "failed" and rows[0]["version_name"] == ""
