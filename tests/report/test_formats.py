"""The format registry the CLI's --format uses."""

from __future__ import annotations

import json

import pytest

from appwarden.report import formats
from appwarden.report.json import ReportError, load_report


def test_registry_names_and_extensions():
    assert {n: f.extension for n, f in formats.FORMATS.items()} == {
        "json": ".json",
        "html": ".html",
        "pdf": ".pdf",
        "sarif": ".sarif",
        "text": ".txt",
        "notice-csv": ".csv",
        "notice-xlsx": ".xlsx",
    }
    assert {n for n, f in formats.FORMATS.items() if f.multi} == {"notice-csv", "notice-xlsx"}


@pytest.mark.parametrize("name", list(formats.FORMATS))
def test_every_format_writes_a_file(report, tmp_path, name):
    fmt = formats.get_format(name)
    path = formats.write(name, report, tmp_path / f"out{fmt.extension}")
    data = path.read_bytes()
    assert len(data) > 100
    magic = {"pdf": b"%PDF-", "notice-xlsx": b"PK", "notice-csv": b"\xef\xbb\xbf", "html": b"<!DOCTYPE html>"}
    if name in magic:
        assert data.startswith(magic[name])
    if name in ("json", "sarif"):
        json.loads(data)


def test_json_format_roundtrips(report, tmp_path):
    path = formats.write("json", report, tmp_path / "r.json")
    assert load_report(path) == report


def test_unknown_format_and_wrong_arity(report):
    with pytest.raises(ReportError, match="unknown report format 'docx'"):
        formats.get_format("docx")
    with pytest.raises(ReportError, match="one report at a time"):
        formats.render("html", [report, report])
    assert formats.render("html", [report]) == formats.render("html", report)
    csv_two = formats.render("notice-csv", [report, report]).decode("utf-8-sig")
    assert len(csv_two.strip().splitlines()) == 3


def test_render_accepts_report_first(report):
    assert formats.render(report, "sarif") == formats.render("sarif", report)
    with pytest.raises(ReportError):
        formats.render(report, report)
