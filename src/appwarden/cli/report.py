"""``appwarden report``: render a stored JSON report in another format, or validate it.

Every output is rendered from the one JSON report (never from engine internals), so a report scanned once can
be turned into HTML, PDF, SARIF or a 通报 table later, e.g. after review.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="render or validate stored reports (报告转换)", description=__doc__)
    rsub = p.add_subparsers(dest="report_command", metavar="SUBCOMMAND", required=True)
    r = rsub.add_parser("render", help="render one report (or several, for notice tables)")
    r.add_argument("reports", nargs="+", type=Path, help="report JSON file(s)")
    r.add_argument("--format", required=True, help="html, pdf, sarif, text, notice-csv, notice-xlsx, json")
    r.add_argument("-o", "--output", required=True, type=Path)
    r.set_defaults(func=run_render)
    v = rsub.add_parser("validate", help="check reports against the JSON Schema")
    v.add_argument("reports", nargs="+", type=Path)
    v.set_defaults(func=run_validate)


def run_render(args: argparse.Namespace) -> int:
    from appwarden.report.formats import write
    from appwarden.report.json import load_report

    reports = [load_report(p) for p in args.reports]
    write(args.format, reports if len(reports) > 1 else reports[0], args.output)
    if args.format in ("notice-csv", "notice-xlsx"):
        from appwarden.cli.scan import warn_empty_notice

        warn_empty_notice(reports)
    print(f"written {args.output} ({args.format})")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    from appwarden.report.json import load_report, validate_report

    for path in args.reports:
        validate_report(load_report(path))
        print(f"{path}: valid")
    return 0
