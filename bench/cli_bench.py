#!/usr/bin/env python3
"""Whole-command speed: ``appwarden scan X -o /dev/null`` (interpreter start-up, imports, every stage, rules,
report) vs androguard's ``AnalyzeAPK`` + xrefs (in-process time, start-up not counted), on the same sample of
corpus APKs in the same run, on an otherwise idle machine.

The full static benchmark (``bench/static_bench.py``) measures the engine on every APK; this one re-measures only
the CLI ratio quickly, on every N-th APK of the corpus, with byte-compiled modules as pip installs them and the
rules disk cache warm (as after the first scan on a machine).

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
            f"{rows[-1]['apk']}: cli {cli if cli is None else round(cli, 2)}s rc {rc} "
            f"androguard {ag_s if ag_s is None else round(ag_s, 2)}s",
            flush=True,
        )
    both = [r for r in rows if r["cli_s"] and r["androguard_s"] and r["cli_rc"] in (0, 1)]
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": static_bench.machine_info(),
        "load_start_end": os.getloadavg(),
        "sample": f"every {args.every}th corpus APK (sorted by path), {len(apks)} APKs, {len(both)} read by both",
        "cli_total_s": sum(r["cli_s"] for r in both),
        "androguard_total_s": sum(r["androguard_s"] for r in both),
        "cli_median_s": statistics.median(r["cli_s"] for r in both),
        "speedup_total": sum(r["androguard_s"] for r in both) / sum(r["cli_s"] for r in both),
        "speedup_median": statistics.median(r["androguard_s"] / r["cli_s"] for r in both),
        # informational: androguard's own process (interpreter start-up and imports included), like ours
        "androguard_process_total_s": sum(r["androguard_process_s"] or 0 for r in both),
        "speedup_total_vs_androguard_process": sum(r["androguard_process_s"] or 0 for r in both)
        / sum(r["cli_s"] for r in both),
        "by_folder": {
            folder: {
                "apks": len(rs),
                "cli_total_s": sum(r["cli_s"] for r in rs),
                "androguard_total_s": sum(r["androguard_s"] for r in rs),
                "speedup_total": sum(r["androguard_s"] for r in rs) / sum(r["cli_s"] for r in rs),
            }
            for folder in sorted({r["apk"].split("/")[0] for r in both})
            for rs in [[r for r in both if r["apk"].split("/")[0] == folder]]
        },
        "rows": rows,
    }
    out = ROOT / "bench" / "results" / f"{result['date'][:10]}-cli.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=2))


if __name__ == "__main__":
    main()
