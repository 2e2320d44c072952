#!/usr/bin/env python3
"""Acceptance data for the rule catalogue: findings per rule over the shared APK corpus.

Runs the real pipeline (``appwarden.scan.build_evidence`` + ``appwarden.rules.engine.evaluate``) on every APK of
``<corpus>/apks/<set>/`` and writes ``bench/results/<date>-rules.json``: machine and date, per rule the number of
findings and of apps it fired on (per corpus set, per severity/confidence, host vs SDK owners), and per app the
compact list of findings (rule, owner, severity, confidence, evidence count, first evidence) for hand-checking
(``docs/rules-eval.md``). Apps that fail to scan are listed with their one-line error.

Each finding carries its owner, its 通报 problem types (``notice_types``), its message and its first evidence items
(call sites with the calling method, API, category, owner and reachability). ``hand_check`` lists the findings to
check by hand (``docs/rules-eval.md``): every ``high`` finding of the ``--check-set`` (default ``cn_sdk``) and a
sample of ``--sample`` (default 40) ``medium`` ones, drawn round-robin over the rules (each rule's findings shuffled
with ``--seed``, default 16) so every rule with medium findings is represented.

Usage: ``.venv/bin/python bench/rules_eval.py [--corpus ../shared/corpus] [--sets cn_sdk,clean,...] [--jobs 2]
[--timeout 300] [--check-set cn_sdk] [--sample 40] [--seed 16] [-o bench/results/<date>-rules.json]``.
Preliminary on a shared machine; re-run on a quiet one.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS = ("cn_sdk", "global_sdk", "clean", "droidbench", "edge")


def scan_one(path: str) -> dict[str, Any]:
    """Scan one APK; never raises (errors are returned)."""
    from appwarden.errors import AppwardenError
    from appwarden.rules.engine import evaluate
    from appwarden.rules.loader import load_rules
    from appwarden.scan import build_evidence

    t0 = time.perf_counter()
    out: dict[str, Any] = {"file": path}
    try:
        evidence = build_evidence(path)
        t1 = time.perf_counter()
        results = evaluate(evidence, load_rules())
    except AppwardenError as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["seconds"] = round(time.perf_counter() - t0, 3)
        return out
    except Exception as exc:  # a bug: recorded, the run goes on
        out["error"] = f"internal {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        out["seconds"] = round(time.perf_counter() - t0, 3)
        return out
    static = evidence.static
    out.update(
        package=static.app.package if static else None,
        packer=static.packer.id if static and static.packer else None,
        sdks=[s.id for s in static.sdks] if static else [],
        category=evidence.category,
        category_inferred=evidence.category_inferred,
        callsites=len(static.callsites) if static else 0,
        seconds_evidence=round(t1 - t0, 3),
        seconds_rules=round(time.perf_counter() - t1, 3),
        findings=[
            {
                "rule_id": f.rule_id,
                "owner": f.owner,
                "severity": f.severity,
                "confidence": f.confidence,
                "notice_types": list(getattr(f, "notice_types", []) or []),
                "message_zh": f.message_zh,
                "evidence": len(f.evidence),
                "first": compact_item(f.evidence[0]) if f.evidence else None,
                "items": [compact_item(e) for e in f.evidence[:EVIDENCE_ITEMS]],
            }
            for f in results.findings
        ],
        rule_errors=[e.message for e in results.errors],
        not_evaluated=sorted({n.rule_id for n in results.not_evaluated}),
    )
    return out


EVIDENCE_ITEMS = 4  # evidence items kept per finding for the hand-check

FIRST_KEYS = (
    "type",
    "caller",
    "api",
    "category",
    "owner",
    "arg",
    "reachable",
    "path",
    "weaknesses",
    "element",
    "present",
    "event",
    "per_minute",
    "name",
    "attribute",
    "value",
    "kind",
    "actions",
    "algorithms",
)


def compact_item(item: dict[str, Any]) -> dict[str, Any]:
    """The identifying keys of an evidence item (keeps the results file small; a call path is cut to its first
    three and last two methods, file paths are left out)."""
    out = {k: item[k] for k in FIRST_KEYS if k in item}
    path = out.get("path")
    if isinstance(path, list) and len(path) > 5:
        out["path"] = [*path[:3], "…", *path[-2:]]
    return out


def hand_check(apps: list[dict[str, Any]], check_set: str, sample: int, seed: int) -> list[dict[str, Any]]:
    """The findings to check by hand: every ``high`` finding of ``check_set`` and ``sample`` ``medium`` ones drawn
    round-robin over the rules (each rule's list shuffled with ``seed``), each with its app and index."""
    rows: list[dict[str, Any]] = []
    medium: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for app in apps:
        if app.get("set") != check_set:
            continue
        for i, f in enumerate(app.get("findings", [])):
            row = {"app": Path(app["file"]).stem, "index": i, **f}
            if f["severity"] == "high":
                rows.append(row | {"sampled_as": "high"})
            elif f["severity"] == "medium":
                medium[f["rule_id"]].append(row | {"sampled_as": "medium"})
    return rows + round_robin(medium, sample, seed, "app")


def round_robin(
    per_rule: dict[str, list[dict[str, Any]]], sample: int, seed: int, name: str
) -> list[dict[str, Any]]:
    """Up to ``sample`` rows drawn round-robin over the rules (sorted by id), each rule's rows in ``(row[name],
    row["index"])`` order shuffled with ``seed``; returned sorted by rule, ``name`` and index. Consumes the lists."""
    rng = random.Random(seed)
    queues = []
    for rule in sorted(per_rule):
        items = sorted(per_rule[rule], key=lambda r: (r[name], r["index"]))
        rng.shuffle(items)
        queues.append(items)
    picked: list[dict[str, Any]] = []
    while len(picked) < sample and any(queues):
        for q in queues:
            if q and len(picked) < sample:
                picked.append(q.pop(0))
    return sorted(picked, key=lambda r: (r["rule_id"], r[name], r["index"]))


def aggregate(apps: list[dict[str, Any]]) -> dict[str, Any]:
    per_rule: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "findings": 0,
            "apps": 0,
            "by_set": Counter(),
            "by_severity": Counter(),
            "by_confidence": Counter(),
            "host": 0,
            "sdk": 0,
        }
    )
    for app in apps:
        fired: set[str] = set()
        for f in app.get("findings", []):
            r = per_rule[f["rule_id"]]
            r["findings"] += 1
            r["by_set"][app["set"]] += 1
            r["by_severity"][f["severity"]] += 1
            r["by_confidence"][f["confidence"]] += 1
            r["host" if f["owner"] == "host" else "sdk"] += 1
            fired.add(f["rule_id"])
        for rid in fired:
            per_rule[rid]["apps"] += 1
    return {
        k: {kk: dict(vv) if isinstance(vv, Counter) else vv for kk, vv in v.items()}
        for k, v in sorted(per_rule.items())
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--sets", default=",".join(DEFAULT_SETS))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per app")
    ap.add_argument(
        "--check-set", default="cn_sdk", help="corpus set whose findings are listed for hand-checking"
    )
    ap.add_argument("--sample", type=int, default=40, help="medium findings sampled for hand-checking")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("-o", "--output", type=Path)
    args = ap.parse_args(argv)
    apks_dir = args.corpus / "apks"
    if not apks_dir.is_dir():
        print(f"rules_eval: corpus not found at {apks_dir}", file=sys.stderr)
        return 2
    files = []
    for s in args.sets.split(","):
        files += [(s, str(p)) for p in sorted((apks_dir / s).glob("*.apk"))]
    t0 = time.perf_counter()
    apps: list[dict[str, Any]] = []

    def record(s: str, path: str, res: dict[str, Any]) -> None:
        res["set"] = s
        res["file"] = os.path.relpath(path, args.corpus)
        apps.append(res)
        print(f"{len(apps):4}/{len(files)} {res['file']}: {len(res.get('findings', []))} findings"
              + (f" ERROR {res['error']}" if "error" in res else ""), file=sys.stderr)  # fmt: skip

    if args.jobs <= 1:  # in-process (debugging, tests); no per-app timeout
        for s, path in files:
            record(s, path, scan_one(path))
    else:
        with cf.ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = {pool.submit(scan_one, path): (s, path) for s, path in files}
            for fut in cf.as_completed(futures):
                s, path = futures[fut]
                try:
                    res = fut.result(timeout=args.timeout)
                except Exception as exc:
                    res = {"file": path, "error": f"worker {type(exc).__name__}: {exc}"}
                record(s, path, res)
    apps.sort(key=lambda a: a["file"])
    from appwarden import __version__
    from appwarden.rules.loader import rules_version

    date = dt.date.today().isoformat()
    report = {
        "benchmark": "rules_eval",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "note": "preliminary: shared machine with other jobs running",
        },
        "appwarden": __version__,
        "rules_version": rules_version(),
        "corpus_sets": args.sets.split(","),
        "apps": len(apps),
        "apps_failed": sum(1 for a in apps if "error" in a),
        "wall_seconds": round(time.perf_counter() - t0, 1),
        "per_rule": aggregate(apps),
        "hand_check": hand_check(apps, args.check_set, args.sample, args.seed),
        "per_app": apps,
    }
    out = args.output or ROOT / "bench" / "results" / f"{date}-rules.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
