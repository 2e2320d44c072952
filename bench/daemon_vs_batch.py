#!/usr/bin/env python3
"""What the retired scan daemon saved against ``appwarden batch`` and the cold command (issue #19, part 4).

The daemon is gone from the tree, so this script exports the last commit that had it (``--old-commit``) into a
temporary directory, runs that code's daemon (through its Python launcher, ``python -m appwarden`` with
``PYTHONPATH``), and measures in the same run, interleaved so load affects all alike:

- **small**: 40 DroidBench apps (every 3rd, sorted): ``appwarden scan`` through the old daemon, the current cold
  command, and the current ``appwarden batch --jobs 1`` over the same 40 (its own start-up included);
- **popular**: a built popular-size app (``bench/popular_apps.py --build-only``): daemon vs cold, 3 times each.

Usage: python bench/daemon_vs_batch.py [--old-commit 36449e9] [--big bench/work/popular-15mb.apk]
Writes bench/results/<date>-daemon-vs-batch.json. Linux only (the daemon was).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("APPWARDEN_SHARED", ROOT.parent / "shared")) / "corpus" / "apks"
PY = str(ROOT / ".venv" / "bin" / "python")
EXE = str(ROOT / ".venv" / "bin" / "appwarden")


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old-commit", default="36449e9", help="a commit that still has src/appwarden/daemon")
    ap.add_argument("--big", default=str(ROOT / "bench" / "work" / "popular-15mb.apk"))
    args = ap.parse_args()
    apks = sorted((CORPUS / "droidbench").glob("*.apk"))[::3][:40]
    work = Path(tempfile.mkdtemp(prefix="aw-dvb-"))
    os.chmod(work, 0o700)
    old = work / "old"
    old.mkdir()
    archive = subprocess.run(
        ["git", "archive", args.old_commit, "src"], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    for so in (ROOT / "src" / "appwarden" / "dex").glob("_dexscan*.so"):
        shutil.copy(so, old / "src" / "appwarden" / "dex" / so.name)
    (work / "in").mkdir()
    for a in apks:
        shutil.copy(a, work / "in" / a.name)
    base = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "APPWARDEN_NO_DAEMON")
    }
    old_env = {**base, "PYTHONPATH": str(old / "src"), "APPWARDEN_DAEMON_SOCKET": str(work / "s.sock")}
    subprocess.run([PY, "-m", "compileall", "-q", str(old / "src"), str(ROOT / "src")], env=base, check=False)

    def batch() -> float:
        shutil.rmtree(work / "out", ignore_errors=True)
        return run([EXE, "batch", str(work / "in"), "-o", str(work / "out"), "--jobs", "1"], base)[0]

    subprocess.run([PY, "-m", "appwarden", "daemon", "start"], env=old_env, check=True)
    res: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_start": os.getloadavg(),
        "old_commit": args.old_commit,
        "small": [],
        "batch_s": [],
        "big": [],
    }
    try:
        for rep in range(2):
            res["batch_s"].append(batch())
            for a in apks[rep::2]:
                d = run([PY, "-m", "appwarden", "scan", str(a), "-o", "/dev/null"], old_env)
                c = run([EXE, "scan", str(a), "-o", "/dev/null"], base)
                res["small"].append({"apk": a.name, "daemon_s": d[0], "cold_s": c[0], "rc": [d[1], c[1]]})
        for _ in range(3):
            d = run([PY, "-m", "appwarden", "scan", args.big, "-o", "/dev/null"], old_env)
            c = run([EXE, "scan", args.big, "-o", "/dev/null"], base)
            res["big"].append({"daemon_s": d[0], "cold_s": c[0], "rc": [d[1], c[1]]})
        status = subprocess.run(
            [PY, "-m", "appwarden", "daemon", "status"],
            env=old_env,
            capture_output=True,
            text=True,
            check=False,
        )
        res["daemon_status_end"] = status.stdout.strip()  # "fresh", or the daemon went stale mid-run
    finally:
        subprocess.run([PY, "-m", "appwarden", "daemon", "stop"], env=old_env, check=False)
    res["load_end"] = os.getloadavg()
    n = len(apks)
    res["summary"] = {
        "small_daemon_per_app_s": sum(r["daemon_s"] for r in res["small"]) / n,
        "small_cold_per_app_s": sum(r["cold_s"] for r in res["small"]) / n,
        "small_batch_jobs1_per_app_s": min(res["batch_s"]) / n,
        "big_daemon_s_median": statistics.median(r["daemon_s"] for r in res["big"]),
        "big_cold_s_median": statistics.median(r["cold_s"] for r in res["big"]),
    }
    out = ROOT / "bench" / "results" / f"{res['date'][:10]}-daemon-vs-batch.json"
    out.write_text(json.dumps(res, indent=2) + "\n")
    print(json.dumps(res["summary"], indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
