#!/usr/bin/env python3
"""Peak RSS of a cold ``appwarden scan`` and per-stage peak RSS, for several engine trees (issue #19, r8).

For each tree (a revision exported and built under ``bench/work/`` as ``bench/report_equality.py`` does) and each
APK: ``python -m appwarden scan APK -o <tmp>`` ``--runs`` times in a fresh interpreter with ``PYTHONPATH=<tree>/src``,
its peak RSS from ``wait4`` (``ru_maxrss``, KiB: the same number as ``/usr/bin/time -f %M``), and once
the tree's ``bench/popular_apps.py --inprocess-worker`` (each stage's ``VmHWM``, reset at the stage's start;
``--runs 0``: only that). Peak RSS does not
depend on the machine's load (CPU time does; it is printed but not compared here). Writes JSON to stdout::

    .venv/bin/python bench/memory_r8.py --revs f5f53f8 fa43689 a428988 --apks bench/work/popular-100mb.apk
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from report_equality import tree_for  # noqa: E402


def cold(tree: Path, apk: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": str(tree / "src")}
        t = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "appwarden", "scan", apk, "-o", f"{tmp}/r.json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        return {
            "maxrss_kib": usage.ru_maxrss,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "wall_s": time.perf_counter() - t,
            "rc": os.waitstatus_to_exitcode(status),
        }


def stages(tree: Path, apk: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    out = subprocess.run(
        # the tree's own copy: popular_apps.py puts its tree's src/ first on sys.path
        [
            sys.executable,
            str(tree / "bench" / "popular_apps.py"),
            "--inprocess-worker",
            str(Path(apk).resolve()),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    got = json.loads(lines[-1]) if lines else {"error": out.stderr[-500:]}
    return {"peak_rss_mib": got.get("peak_rss_mb"), "cpu": got.get("cpu"), "error": got.get("error")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--revs", nargs="+", required=True)
    ap.add_argument("--apks", nargs="+", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-stages", action="store_true")
    args = ap.parse_args()
    rows = []
    for rev in args.revs:
        tree = tree_for(rev)
        for apk in args.apks:
            runs = [cold(tree, apk) for _ in range(args.runs)]
            row = {"rev": rev, "tree": tree.name, "apk": apk, "cold": runs, "load": os.getloadavg()}
            if not args.no_stages:
                row["stages"] = stages(tree, apk)
            print(json.dumps(row), flush=True)
            rows.append(row)


if __name__ == "__main__":
    main()
