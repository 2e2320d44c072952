#!/usr/bin/env python3
"""Findings per report across two versions of the engine (report audit: "list every change in findings count").

Scans the corpus APKs (``../shared/corpus/apks``) and the fixture apps with two source trees (as
``bench/report_equality.py`` exports and builds them), keeps each tree's reports in ``--out`` (``base/`` and
``after/``, one JSON per APK: its findings only, for reading later) and prints, per APK whose findings differ, the
count before and after and the (rule, owner) pairs gone and new; a finding that absorbed others names them
(``merged_rules``). One command, from the repo root::

    .venv/bin/python bench/finding_changes.py --base 351202f --out bench/work/findings        # vs the working tree
    .venv/bin/python bench/finding_changes.py --base 351202f --only cn_sdk --out /tmp/f
    .venv/bin/python bench/finding_changes.py --no-scan --out bench/work/findings    # compare what is kept

A tree already scanned into ``--out`` is not scanned again (delete its folder to rescan). Not a test: minutes of
scanning; ``docs/report-audit.md`` records what it found.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from report_equality import CORPUS, tree_for  # noqa: E402


def worker(src: str, out: str, apks: list[str]) -> None:
    """Write the findings of one report per APK into ``out`` with the engine under ``src``."""
    sys.path.insert(0, src)
    import appwarden.scan as scan
    from appwarden.errors import AppwardenError

    assert scan.__file__.startswith(src), scan.__file__
    folder = Path(out)
    for apk in apks:
        key = hashlib.sha256(apk.encode()).hexdigest()[:16]
        target = folder / f"{key}.json"
        if target.exists():
            continue
        try:
            findings = scan.scan_apk(apk)["findings"]
        except AppwardenError as exc:
            findings = {"error": str(exc)}
        target.write_text(json.dumps({"apk": apk, "findings": findings}, ensure_ascii=False, sort_keys=True))


def _pairs(findings: list[dict]) -> list[tuple[str, str]]:
    return sorted((f["rule_id"], f["owner"]) for f in findings)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="git revision of the 'before' engine")
    ap.add_argument(
        "--after", default=None, help="git revision of the 'after' engine (default: working tree)"
    )
    ap.add_argument("--out", required=False, help="folder for the kept findings (base/, after/)")
    ap.add_argument("--only", default="", help="only the APKs whose path contains this text")
    ap.add_argument("--seed", default="0", help="PYTHONHASHSEED of both runs (default 0)")
    ap.add_argument(
        "--no-scan",
        action="store_true",
        help="only compare the findings already kept in --out (base/, after/)",
    )
    ap.add_argument("--worker", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.worker[2:])
        return 0
    if not args.out or not (args.base or args.no_scan):
        ap.error("--out and --base (or --no-scan) are required")
    apks = [str(p) for p in sorted(CORPUS.rglob("*.apk"))]
    apks += [str(p) for p in sorted((ROOT / "tests" / "fixtures" / "apks").glob("*.apk"))]
    apks = [p for p in apks if args.only in p]
    outs = []
    for name, rev in (("base", args.base), ("after", args.after)):
        out = Path(args.out) / name
        out.mkdir(parents=True, exist_ok=True)
        outs.append(out)
        if args.no_scan:
            continue
        tree = tree_for(rev)
        env = {**os.environ, "PYTHONHASHSEED": args.seed}
        subprocess.run(
            [sys.executable, __file__, "--worker", str(tree / "src"), str(out), *apks], env=env, check=True
        )
    total = [0, 0]
    changed = 0
    for path in sorted(outs[0].glob("*.json")):
        a = json.loads(path.read_text())
        other = outs[1] / path.name
        if not other.exists() or a["apk"] not in apks:
            continue
        b = json.loads(other.read_text())
        fa, fb = a["findings"], b["findings"]
        if isinstance(fa, dict) or isinstance(fb, dict):
            if fa != fb:
                print(f"{a['apk']}: error {fa} -> {fb}")
            continue
        total[0] += len(fa)
        total[1] += len(fb)
        pa, pb = _pairs(fa), _pairs(fb)
        if pa == pb:
            continue
        changed += 1
        gone = [p for p in pa if p not in pb]
        new = [p for p in pb if p not in pa]
        print(f"{Path(a['apk']).relative_to(Path(a['apk']).parents[1])}: {len(fa)} -> {len(fb)}")
        for rid, owner in gone:
            into = [f["rule_id"] for f in fb if f["owner"] == owner and rid in (f.get("merged_rules") or [])]
            print(f"  - {rid} [{owner}]" + (f"  merged into {', '.join(into)}" if into else ""))
        for rid, owner in new:
            print(f"  + {rid} [{owner}]")
    print(f"{len(apks)} APKs, {changed} with other findings; findings {total[0]} -> {total[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
