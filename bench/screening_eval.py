#!/usr/bin/env python3
"""False-alarm data for the 不良APP screening: the screening verdict of every APK of the shared corpus.

Runs the real static stage and the screening stage (``appwarden.scan.build_evidence``, which screens every app) on
every APK listed in ``<corpus>/MANIFEST.tsv`` and writes ``bench/results/<date>-screening.json``: per app its set,
verdict, score, categories and fired indicators (with the first evidence item), per set the counts of each
verdict, and the apps that could not be scanned with their one-line error. ``docs/screening-eval.md`` is written
from it. Every corpus app is benign by provenance (SDK demos, DroidBench test apps, open-source apps, edge cases).

Usage: ``.venv/bin/python bench/screening_eval.py [--corpus ../shared/corpus] [--timeout 300] [-o FILE]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def screen_one(path: Path) -> dict[str, Any]:
    """The screening section of one APK, or ``{"error": ...}`` when it cannot be read at all."""
    from appwarden.errors import AppwardenError
    from appwarden.scan import build_evidence

    t = time.perf_counter()
    try:
        evidence = build_evidence(path, find_bundled_policy=False)
    except AppwardenError as exc:
        return {"error": str(exc), "seconds": round(time.perf_counter() - t, 2)}
    section = evidence.screening or {}
    return {
        "verdict": section.get("verdict"),
        "score": section.get("score"),
        "categories": section.get("categories"),
        "indicators": [
            {
                "id": i["id"],
                "weight": i["weight"],
                "count": i.get("count"),
                "first": (i.get("evidence") or [None])[0],
            }
            for i in section.get("indicators") or []
        ],
        "evaluated": section.get("evaluated"),
        "packer": evidence.static.app.packer if evidence.static else None,
        "seconds": round(time.perf_counter() - t, 2),
    }


def markdown_tables(out: dict[str, Any]) -> str:
    """The per-set verdict counts and the per-app table of ``docs/screening-eval.md``."""
    lines = [
        "| set | apps | none | suspicious | harmful | not an APK (clear error) |",
        "|---|---|---|---|---|---|",
    ]
    for name, counts in out["by_set"].items():
        total = sum(counts.values())
        lines.append(
            f"| {name} | {total} | {counts.get('none', 0)} | {counts.get('suspicious', 0)} | "
            f"{counts.get('harmful', 0)} | {counts.get('error', 0)} |"
        )
    lines += ["", "| app | verdict | score | indicators fired (weight) |", "|---|---|---|---|"]
    for app in out["apps"]:
        if app.get("error"):
            lines.append(f"| `{app['file']}` | error | — | {app['error']} |")
            continue
        fired = ", ".join(f"`{i['id']}` ({i['weight']})" for i in app["indicators"]) or "—"
        lines.append(f"| `{app['file']}` | {app['verdict']} | {app['score']} | {fired} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("-o", "--output", default=None)
    parser.add_argument(
        "--markdown", default=None, help="also write the per-set and per-app tables (Markdown)"
    )
    args = parser.parse_args(argv)
    corpus = Path(args.corpus)
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r.get("file", "").endswith(".apk")]
    apps: list[dict[str, Any]] = []
    for row in rows:
        path = corpus / row["file"]
        result = screen_one(path)
        result.update(
            {"file": row["file"], "set": row["file"].split("/")[1], "notes": row.get("notes", "")[:160]}
        )
        apps.append(result)
        print(f"{result.get('verdict') or 'ERROR'}\t{result.get('score')}\t{row['file']}", file=sys.stderr)
    by_set: dict[str, Counter[str]] = defaultdict(Counter)
    for app in apps:
        by_set[app["set"]][app.get("verdict") or "error"] += 1
    out = {
        "date": dt.date.today().isoformat(),
        "apps": apps,
        "by_set": {k: dict(v) for k, v in sorted(by_set.items())},
        "total": dict(Counter(a.get("verdict") or "error" for a in apps)),
    }
    if args.markdown:
        Path(args.markdown).write_text(markdown_tables(out), encoding="utf-8")
    target = Path(args.output or ROOT / "bench" / "results" / f"{out['date']}-screening.json")
    target.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(out["by_set"], ensure_ascii=False), file=sys.stderr)
    print(f"written {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
