#!/usr/bin/env python3
"""Whole-command speed: ``appwarden scan X -o /dev/null`` (interpreter start-up, imports, every stage, rules,
report) vs androguard's ``AnalyzeAPK`` + xrefs (in-process time, start-up not counted), on the same corpus APKs in
the same run, on an otherwise idle machine.

Our command is measured **cold**: a fresh process that imports everything and scans, as in CI. (Until
2026-12-06 it was also measured through the opt-in scan daemon, since retired: ``docs/performance.md``.)

The full static benchmark (``bench/static_bench.py``) measures the engine on every APK; this one re-measures only
the CLI ratios, on every N-th APK of the corpus, with byte-compiled modules as pip installs them and the knowledge
disk caches warm (as after the first scan on a machine).

Usage: python bench/cli_bench.py [--every 6]  -> bench/results/<date>-cli.json (--every 1: the whole corpus)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import static_bench

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("APPWARDEN_SHARED", ROOT.parent / "shared")) / "corpus" / "apks"
EXE = ROOT / ".venv" / "bin" / "appwarden"


def _totals(rows: list[dict], key: str) -> dict:
    return {
        "cli_total_s": sum(r[key] for r in rows),
        "androguard_total_s": sum(r["androguard_s"] for r in rows),
        "speedup_total": sum(r["androguard_s"] for r in rows) / sum(r[key] for r in rows),
    }


def summarise(rows: list[dict], key: str) -> dict:
    """Totals, medians and per-folder ratios of one way of running the command (``key``: cli_s)."""
    both = [r for r in rows if r.get(key) and r["androguard_s"] and r[f"{key[:-2]}_rc"] in (0, 1)]
    if not both:
        return {}
    slow = [r for r in both if r["androguard_s"] >= 2.0]
    real = [r for r in both if r["apk"].split("/")[0] in ("cn_sdk", "global_sdk", "clean")]
    return {
        "apks": len(both),
        **_totals(both, key),
        "cli_median_s": statistics.median(r[key] for r in both),
        "cli_min_max_s": [min(r[key] for r in both), max(r[key] for r in both)],
        "speedup_median": statistics.median(r["androguard_s"] / r[key] for r in both),
        "speedup_total_vs_androguard_process": sum(r["androguard_process_s"] or 0 for r in both)
        / sum(r[key] for r in both),
        "real_apps": _totals(real, key) if real else {},
        "androguard_at_least_2s": _totals(slow, key) if slow else {},
        "by_folder": {
            folder: {"apks": len(rs), **_totals(rs, key)}
            for folder in sorted({r["apk"].split("/")[0] for r in both})
            for rs in [[r for r in both if r["apk"].split("/")[0] == folder]]
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=int, default=6)
    args = ap.parse_args()
    apks = sorted(p for p in CORPUS.rglob("*.apk"))[:: args.every]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=False, env=env)
    static_bench.cli_time(apks[0], 300)  # warm the rules and SDK disk caches once
    rows = []
    for path in apks:
        cli, rc = static_bench.cli_time(path, 300)
        ag, err, wall = static_bench.sub_json(
            [sys.executable, str(Path(static_bench.__file__)), "--androguard-worker", str(path)], 600
        )
        ag_s = (ag["analyze"] + ag["xref"]) if ag else None
        rows.append(
            {
                "apk": str(path.relative_to(CORPUS)),
                "cli_s": cli,
                "cli_rc": rc,
                "androguard_s": ag_s,
                "androguard_process_s": wall if ag else None,
                "error": err,
            }
        )
        print(
            f"{rows[-1]['apk']}: cold {cli if cli is None else round(cli, 3)}s rc {rc}, "
            f"androguard {ag_s if ag_s is None else round(ag_s, 2)}s",
            flush=True,
        )
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": static_bench.machine_info(),
        "load_start_end": os.getloadavg(),
        "sample": f"every {args.every}th corpus APK (sorted by path), {len(apks)} APKs",
        "timing": "wall time of each process, waited for with a blocking wait (no polling)",
        "cold": summarise(rows, "cli_s"),
        "androguard_process_total_s": sum(r["androguard_process_s"] or 0 for r in rows if r["androguard_s"]),
        "rows": rows,
    }
    out = ROOT / "bench" / "results" / f"{result['date'][:10]}-cli.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=2))


if __name__ == "__main__":
    main()
