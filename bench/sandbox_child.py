#!/usr/bin/env python3
"""CPU seconds of the platform's scan sandbox child (``appwarden.distributed.sandbox.run_isolated``), two source
trees alternating in the same run (issue #19).

Each run is a fresh interpreter that calls ``run_isolated(APK)`` with the real engine and reports the CPU seconds
(user + system) its children used: the sandbox child ``python -m appwarden.distributed.sandbox`` from start-up
to exit, i.e. what the platform's embedded worker and every Celery worker pay per scan. The trees take turns (base,
after, base, after, ...), each with its own ``APPWARDEN_CACHE_DIR``; the median and minimum per tree are printed
and written as JSON and markdown. One command, from the repo root::

    .venv/bin/python bench/sandbox_child.py --base /work/wt-base --after . --runs 5 \\
        tests/fixtures/apks/minimal.apk bench/work/popular-20mb.apk --out bench/results/X.json --markdown X.md

``--base`` / ``--after`` are directories holding a built source tree (``src/appwarden`` with its C extensions,
e.g. a ``git worktree``). Compare CPU seconds, not wall: the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import json, resource, sys
from appwarden.distributed.sandbox import run_isolated
before = resource.getrusage(resource.RUSAGE_CHILDREN)
report = run_isolated(sys.argv[1])
after = resource.getrusage(resource.RUSAGE_CHILDREN)
assert report.get("app"), "no report"
print(json.dumps(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime))
"""


def child_cpu(tree: Path, apk: Path, cache: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree / "src"), APPWARDEN_CACHE_DIR=str(cache))
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(apk)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tree,
        timeout=900,
    )
    if out.returncode != 0:
        raise SystemExit(f"sandbox run failed in {tree}: {out.stderr.strip().splitlines()[-1:]}")
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", type=Path, required=True)
    ap.add_argument("--after", type=Path, default=Path("."))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--markdown", type=Path)
    ap.add_argument("apks", nargs="+", type=Path)
    args = ap.parse_args()
    trees = {"base": args.base.resolve(), "after": args.after.resolve()}
    rows = []
    for apk in args.apks:
        apk = apk.resolve()
        cpu: dict[str, list[float]] = {"base": [], "after": []}
        for _ in range(args.runs):
            for tag, tree in trees.items():
                cpu[tag].append(child_cpu(tree, apk, Path("/tmp") / f"appwarden-bench-cache-{tag}"))
        b, a = statistics.median(cpu["base"]), statistics.median(cpu["after"])
        rows.append({"apk": apk.name, "runs": cpu, "base_median": b, "after_median": a, "change": a / b - 1})
        print(
            f"{apk.name}: base {b:.3f} after {a:.3f} ({(a / b - 1) * 100:+.1f} %) CPU s, min "
            f"{min(cpu['base']):.3f} / {min(cpu['after']):.3f}"
        )
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_at_end": os.getloadavg(),
        },
        "trees": {k: str(v) for k, v in trees.items()},
        "rows": rows,
    }
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.markdown:
        lines = [
            f"# Sandbox child CPU, two trees alternating ({result['date']})",
            "",
            f"Machine: {result['machine']}. Trees: {result['trees']}. {args.runs} runs per tree and APK.",
            "",
            "| APK | base median CPU s | after median | change | min base / after |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['apk']} | {r['base_median']:.3f} | {r['after_median']:.3f} | {r['change'] * 100:+.1f} % "
            f"| {min(r['runs']['base']):.3f} / {min(r['runs']['after']):.3f} |"
            for r in rows
        ]
        args.markdown.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
