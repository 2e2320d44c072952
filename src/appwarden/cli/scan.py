"""``appwarden scan``: scan one APK, print a summary, write the report.

The terminal summary goes to stdout (unless ``-q``); the report is written to ``-o`` in ``--format`` (default
json; ``-o -`` writes it to stdout and suppresses the summary). Exit 1 when a finding at or above ``--fail-on``
exists or the 不良APP screening verdict is at or above ``--fail-on-screening`` (a screening that was not evaluated
fails that gate too: its verdict is unknown), 2 on error: an APK that cannot be read, an unknown ``--category``, and a ``--policy`` or ``--trace`` file
that cannot be read (missing, empty, binary, a directory, a pipe or device): an input given is never dropped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from appwarden.limits import DEFAULT_LIMITS, MB, Limits

SEVERITY_ORDER = ("info", "low", "medium", "high")
SCREENING_ORDER = ("suspicious", "harmful")


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """Options overriding the safety limits (shared by scan and batch)."""
    group = parser.add_argument_group("limits")
    group.add_argument(
        "--max-apk-mb", type=int, help=f"largest APK accepted (default {DEFAULT_LIMITS.max_apk_size // MB})"
    )
    group.add_argument(
        "--max-dex-mb", type=int, help=f"largest DEX accepted (default {DEFAULT_LIMITS.max_dex_size // MB})"
    )
    group.add_argument(
        "--stage-timeout", type=float, help=f"seconds per stage (default {DEFAULT_LIMITS.stage_timeout:g})"
    )


def limits_from_args(args: argparse.Namespace) -> Limits:
    return DEFAULT_LIMITS.with_overrides(
        max_apk_size=args.max_apk_mb * MB if getattr(args, "max_apk_mb", None) else None,
        max_dex_size=args.max_dex_mb * MB if getattr(args, "max_dex_mb", None) else None,
        stage_timeout=getattr(args, "stage_timeout", None),
    )


class CategoryAction(argparse.Action):
    """``--category``: validated while parsing (an unknown type is an InputError: exit 2, one line); ``list``
    prints the 39 types and exits 0, like ``--help``."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option: Any = None
    ) -> None:
        from appwarden.scan import category_choices, category_key

        if str(values).strip().lower() == "list":
            for key, name_zh, name_en in category_choices():
                print(f"{key}  {name_zh}  {name_en}")
            parser.exit(0)
        setattr(namespace, self.dest, category_key(str(values)))


def register(sub: Any) -> None:
    p = sub.add_parser("scan", help="scan one APK (扫描单个应用)", description=__doc__)
    p.add_argument("apk", type=Path, help="the APK file")
    p.add_argument("-o", "--output", help="write the report here ('-' for stdout)")
    p.add_argument(
        "--format",
        default="json",
        help="report format: json, html, pdf, sarif, notice-csv, notice-xlsx (default json)",
    )
    p.add_argument(
        "--policy",
        type=Path,
        help="privacy policy file (HTML/TXT/MD/PDF); default: the one bundled in the APK",
    )
    p.add_argument("--trace", type=Path, help="runtime trace (JSONL) to merge dynamic evidence")
    p.add_argument(
        "--category",
        action=CategoryAction,
        help="the app's 39类 type: N39-xx or its Chinese name ('--category list' shows all); else inferred",
    )
    p.add_argument(
        "--fail-on",
        choices=(*SEVERITY_ORDER, "none"),
        default="none",
        help="exit 1 at this severity or above, or when the analysis did not complete (a DEX not read, a packed "
        "app, a stage past its time limit, a policy or trace not analysed): a finding-free report of an "
        "incomplete analysis is no pass",
    )
    p.add_argument(
        "--fail-on-screening",
        choices=(*SCREENING_ORDER, "none"),
        default="none",
        help="exit 1 when the 不良APP screening verdict is this or worse (harmful > suspicious), or when the "
        "screening was not evaluated; default none: the verdict does not change the exit code",
    )
    p.add_argument("--no-rules", action="store_true", help="collect evidence only, do not evaluate rules")
    p.add_argument(
        "--engine", action="append", default=[], help="also run an external engine (androguard); repeatable"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no terminal summary")
    p.add_argument(  # deprecated: the scan daemon was retired; accepted without effect for one release
        "--no-daemon", action="store_true", help=argparse.SUPPRESS
    )
    add_limit_options(p)
    p.set_defaults(func=run)


def fails(report: dict[str, Any], threshold: str) -> bool:
    """True when a finding's severity is at or above ``threshold`` ("none" never fails)."""
    if threshold == "none":
        return False
    floor = SEVERITY_ORDER.index(threshold)
    return any(SEVERITY_ORDER.index(f.get("severity", "info")) >= floor for f in report.get("findings", []))


def fails_screening(report: dict[str, Any], threshold: str) -> str | None:
    """Why the screening gate ``threshold`` fails (a one-line reason), or None when it passes ("none" always
    passes). A screening section that was not evaluated fails the gate: an unknown verdict is not a pass."""
    if threshold == "none":
        return None
    section = report.get("screening") or {}
    if not section.get("evaluated", False):
        return "screening not evaluated (see the report's errors): the gate cannot pass on an unknown verdict"
    verdict = section.get("verdict", "none")
    if verdict in SCREENING_ORDER and SCREENING_ORDER.index(verdict) >= SCREENING_ORDER.index(threshold):
        return f"screening verdict {verdict} (score {section.get('score')}) is at or above {threshold}"
    return None


def write_report(report: dict[str, Any], fmt: str, output: str) -> None:
    """Render ``report`` in ``fmt`` and write it to ``output`` ('-' = stdout)."""
    from appwarden.report.formats import render

    data = render(fmt, report)
    if output == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        sys.stdout.flush()
        return
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def warn_empty_notice(reports: list[dict[str, Any]]) -> None:
    """One stderr line (even with ``-q``) when the 通报 table of ``reports`` has no row: only confirmed findings
    are listed, so an empty table must not be read as clean apps while likely/possible findings wait for review."""
    from appwarden.errors import KnowledgeError
    from appwarden.report.notice import notice_status

    pending: list[str] = []
    try:
        for report in reports:
            confirmed, waiting = notice_status(report)
            if confirmed:
                return
            pending += [p for p in waiting if p not in pending]
    except KnowledgeError:
        return
    if pending:
        print(
            f"appwarden: 通报表无数据行：没有已确认的问题；待人工复核后方可列入通报：{'；'.join(pending)} "
            "(notice table empty: no confirmed finding; review the likely/possible ones first)",
            file=sys.stderr,
        )


def run(args: argparse.Namespace) -> int:
    from appwarden.scan import scan_apk

    limits = limits_from_args(args)
    report = scan_apk(
        args.apk,
        policy_path=args.policy,
        trace_path=args.trace,
        category=args.category,
        limits=limits,
        run_rules=not args.no_rules,
        engines=args.engine,
    )
    if args.output:
        from appwarden.scan import stage_deadline

        with stage_deadline(
            "report", limits.stage_timeout
        ):  # rendering (HTML, PDF) is part of the report stage
            write_report(report, args.format, args.output)
        if args.format in ("notice-csv", "notice-xlsx"):
            warn_empty_notice([report])
    if not args.quiet and args.output != "-":
        from appwarden.report.terminal import render_summary

        render_summary(report)  # rich on a terminal, plain text on a pipe or file
        if args.output:
            print(f"report written to {args.output} ({args.format})")
    gate = fails_screening(report, args.fail_on_screening)
    if gate:
        print(f"appwarden: --fail-on-screening {args.fail_on_screening}: {gate}", file=sys.stderr)
    from appwarden.completeness import incomplete

    unfinished = incomplete(report) if args.fail_on != "none" else None
    if unfinished:
        print(
            f"appwarden: --fail-on {args.fail_on}: {unfinished} (an incomplete analysis cannot pass the gate)",
            file=sys.stderr,
        )
    return 1 if fails(report, args.fail_on) or unfinished or gate else 0
