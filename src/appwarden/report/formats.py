"""Registry of report output formats, for the CLI's ``--format`` and the platform's downloads.

Each :class:`ReportFormat` renders from report dicts only. ``multi`` formats (the 通报 table) take a list of reports
and produce one file for all of them; the others take one report. :func:`render` returns bytes ready to write;
:func:`write` writes them to a path. Unknown names raise :class:`~appwarden.report.json.ReportError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appwarden.report.json import ReportError

Report = Mapping[str, Any]


@dataclass(frozen=True)
class ReportFormat:
    """One output format: ``name`` (``--format`` value), file ``extension`` (with dot), MIME type, renderer."""

    name: str
    extension: str
    mime: str
    render: Callable[[Any], bytes]
    multi: bool = False  # takes a list of reports (one table for all)
    description: str = ""


def _json(report: Report) -> bytes:
    from appwarden.report.json import dumps_report

    return (dumps_report(report) + "\n").encode("utf-8")


def _text(report: Report) -> bytes:
    from appwarden.report.terminal import summary_text

    return summary_text(report).encode("utf-8")


def _html(report: Report) -> bytes:
    from appwarden.report.html import render_html

    return render_html(report).encode("utf-8")


def _pdf(report: Report) -> bytes:
    from appwarden.report.pdf import render_pdf

    return render_pdf(report)


def _sarif(report: Report) -> bytes:
    from appwarden.report.sarif import render_sarif

    return (render_sarif(report) + "\n").encode("utf-8")


def _notice_csv(reports: Iterable[Report]) -> bytes:
    from appwarden.report.notice import render_notice_csv

    return render_notice_csv(reports)


def _notice_xlsx(reports: Iterable[Report]) -> bytes:
    from appwarden.report.notice import render_notice_xlsx

    return render_notice_xlsx(reports)


FORMATS: dict[str, ReportFormat] = {
    f.name: f
    for f in (
        ReportFormat("json", ".json", "application/json", _json, description="report JSON (schema 1.x)"),
        ReportFormat(
            "html", ".html", "text/html; charset=utf-8", _html, description="single-file HTML report"
        ),
        ReportFormat("pdf", ".pdf", "application/pdf", _pdf, description="PDF report with CJK font"),
        ReportFormat("sarif", ".sarif", "application/sarif+json", _sarif, description="SARIF 2.1.0"),
        ReportFormat(
            "text", ".txt", "text/plain; charset=utf-8", _text, description="the terminal summary as text"
        ),
        ReportFormat(
            "notice-csv",
            ".csv",
            "text/csv; charset=utf-8",
            _notice_csv,
            multi=True,
            description="通报 table, CSV",
        ),
        ReportFormat(
            "notice-xlsx",
            ".xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _notice_xlsx,
            multi=True,
            description="通报 table, Excel",
        ),
    )
}


def get_format(name: str) -> ReportFormat:
    """The format registered under ``name``; ReportError listing the known names otherwise."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ReportError(f"unknown report format {name!r} (known: {', '.join(FORMATS)})") from None


def render(name: str | Report | Iterable[Report], reports: Report | Iterable[Report] | str) -> bytes:
    """Render one report (or, for ``multi`` formats, one or several) in format ``name``; returns the file bytes.

    ``render("html", report)`` is the canonical order; ``render(report, "html")`` is accepted too (the format name
    is the one ``str`` argument). A single-report format given a list renders its only element; a list of several
    is a ReportError.
    """
    if isinstance(reports, str) and not isinstance(name, str):
        name, reports = reports, name
    if not isinstance(name, str):
        raise ReportError("render() needs a format name (str) and a report")
    fmt = get_format(name)
    if isinstance(reports, Mapping):
        return fmt.render([reports] if fmt.multi else reports)
    items = list(reports)
    if fmt.multi:
        return fmt.render(items)
    if len(items) != 1:
        raise ReportError(f"format {name!r} renders one report at a time, got {len(items)}")
    return fmt.render(items[0])


def write(name: str, reports: Report | Iterable[Report], path: str | Path) -> Path:
    """Render and write to ``path`` (parents created); returns the path."""
    path = Path(path)
    data = render(name, reports)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise ReportError(f"{path}: cannot write {name} report: {exc}") from None
    return path
