"""``appwarden batch``: scan a directory (or list) of APKs in parallel, resumable, deduplicated by sha256.

Exit 0 when every input was scanned (or was a duplicate or already done), 2 when any input failed (not an APK,
unreadable, a pipe, timed out, ...): the results are still all written and the failures listed in results.csv;
a rerun retries only the failures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from appwarden.cli.scan import add_limit_options, limits_from_args
from appwarden.report.sanitize import terminal_text


def register(sub: Any) -> None:
    p = sub.add_parser("batch", help="scan many APKs (批量检测)", description=__doc__)
    p.add_argument("inputs", nargs="+", help="directories, APK files, or @list.txt files (one path per line)")
    p.add_argument("-o", "--output", required=True, type=Path, help="results directory (resumable)")
    p.add_argument("-j", "--jobs", type=int, default=None, help="parallel scans (default: CPU count)")
    p.add_argument(
        "--timeout", type=float, default=300.0, help="seconds per app before it is killed (default 300)"
    )
    p.add_argument(
        "--memory-mb", type=int, default=4096, help="address-space cap per scan in MB (default 4096)"
    )
    p.add_argument("--html", action="store_true", help="also write an HTML report per app and an index.html")
    p.add_argument("--no-rules", action="store_true", help="collect evidence only")
    add_limit_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from appwarden.batch import BatchOptions, check_inputs, run_batch

    check_inputs(args.inputs)
    options = BatchOptions(
        timeout=args.timeout,
        memory_mb=args.memory_mb,
        limits=limits_from_args(args),
        run_rules=not args.no_rules,
        html=args.html,
    )
    if args.jobs:
        options.jobs = max(1, args.jobs)
    if sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn("[bold]扫描 scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        # auto_refresh=False: no background thread while the batch forks worker processes.
        with Progress(*columns, auto_refresh=False, transient=False) as bar:
            task = bar.add_task("scan", total=None, rate="")

            def progress(done: int, total: int, rec: dict[str, Any]) -> None:
                elapsed = bar.tasks[0].elapsed or 0.0
                rate = f"{done / elapsed:.1f} apps/s" if elapsed > 0 else ""
                bar.update(task, completed=done, total=total, rate=rate)
                bar.refresh()

            summary = run_batch(args.inputs, args.output, options, progress)
    else:
        summary = run_batch(args.inputs, args.output, options)
    if args.html:
        write_index(args.output)
    data = summary.to_json()
    print(
        f"scanned {data['scanned']}, failed {data['failed']}, duplicates {data['duplicates']}, "
        f"already done {data['skipped']} in {data['seconds']:.1f} s -> {args.output}"
    )
    for rule, count in sorted(data["findings_by_rule"].items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {count:5d}  {rule}")
    for failure in data["failures"][:20]:
        print(f"  failed: {terminal_text(failure['path'])}: {terminal_text(failure['error'])}")
    if len(data["failures"]) > 20:
        print(f"  ... {len(data['failures']) - 20} more failures in {args.output / 'results.csv'}")
    return 2 if data["failed"] else 0


INDEX_TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>appwarden 批量检测结果 Batch results</title>
<style>body{font-family:"Noto Sans CJK SC",sans-serif;margin:2em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px}th{background:#f0f0f0}.failed{color:#b00}</style></head>
<body><h1>批量检测结果 <small>Batch results</small></h1>
<table><tr><th>应用 App</th><th>版本 Version</th><th>状态 Status</th><th>高 High</th><th>中 Medium</th>
<th>低 Low</th><th>SDK</th><th>报告 Report</th></tr>
{% for r in records %}<tr><td>{{ r.label or r.package or r.path }}<br><small>{{ r.package }}</small></td>
<td>{{ r.version_name }}</td><td class="{{ r.status }}">{{ r.status }}{% if r.error %}: {{ r.error }}{% endif %}</td>
<td>{{ r.high }}</td><td>{{ r.medium }}</td><td>{{ r.low }}</td><td>{{ r.sdks }}</td>
<td>{% if r.status == 'ok' %}<a href="apps/{{ r.sha256 }}.html">HTML</a> · <a href="apps/{{ r.sha256 }}.json">JSON</a>{% endif %}</td></tr>
{% endfor %}</table></body></html>
"""


def write_index(out: Path) -> Path:
    """OUT/index.html: one row per input with links to its reports."""
    from jinja2 import Environment

    from appwarden.batch import json_text, load_done, readable_value

    records = sorted(load_done(out).values(), key=lambda r: r.get("path", ""))
    shown = [{key: readable_value(value) for key, value in r.items()} for r in records]  # names not UTF-8
    env = Environment(autoescape=True, finalize=lambda v: "—" if v is None else v)  # no Python "None" cells
    html = env.from_string(INDEX_TEMPLATE).render(records=shown)
    target = out / "index.html"
    target.write_text(html, encoding="utf-8")
    (out / "index.json").write_text(json_text(records, indent=1), encoding="utf-8")
    return target
