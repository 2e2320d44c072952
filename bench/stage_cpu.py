#!/usr/bin/env python3
"""CPU seconds per scan stage, two engine versions alternating in the same run (issue #19).

For each APK and each run, the two source trees take turns (base, after, after, base, ...), each in a fresh
interpreter with the same ``PYTHONHASHSEED``:

- **in-process**: ``scan_apk`` with the knowledge bases loaded first (``warm_up``), the CPU seconds
  (``time.process_time``) of each stage as ``scan.stage_deadline`` sees it (apk, dex, sdk, reachability,
  screening, policy, rules, report) and of the whole call;
- **cold**: ``appwarden scan APK -o report.json`` as a fresh process (start-up and imports included), its CPU
  seconds (user + system, ``wait4``), in the environment as it is (with ``PYTHONDONTWRITEBYTECODE=1``, as on the
  shared development machines, every module is compiled from source on every start: ~0.15 CPU s; a tree that has
  ``__pycache__``, as a working tree after ``make``, is read from it, so the run says when only one tree has it);
- **cold_pyc**: the same with the modules' bytecode cached (``PYTHONPYCACHEPREFIX`` under ``bench/work/``, filled
  by one scan first), as an installed package has it.

Prints the median and the minimum of the runs per tree, one markdown table per APK. One command, from the repo root::

    .venv/bin/python bench/stage_cpu.py --base HEAD~3 bench/work/popular-40mb.apk bench/work/popular-100mb.apk

``--base`` / ``--after`` are git revisions, exported and built as ``bench/report_equality.py`` does, or
directories holding a built source tree (``src/appwarden``); ``--after`` defaults to the working tree. On a machine shared with other jobs compare CPU seconds, not wall.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
sys.path.insert(0, str(ROOT / "bench"))

STAGES = ("apk", "dex", "sdk", "reachability", "screening", "policy", "rules", "report")


def inprocess_worker(src: str, apk: str) -> None:
    sys.path.insert(0, src)
    import appwarden.scan as scan

    assert scan.__file__.startswith(src), scan.__file__
    scan.warm_up()
    cpu: dict[str, float] = {}
    inner = scan.stage_deadline

    @contextlib.contextmanager
    def measured(stage: str, seconds: float):  # same contract as scan.stage_deadline
        c = time.process_time()
        try:
            with inner(stage, seconds):
                yield
        finally:
            cpu[stage] = cpu.get(stage, 0.0) + time.process_time() - c

    scan.stage_deadline = measured
    c = time.process_time()
    scan.scan_apk(apk)
    cpu["total"] = time.process_time() - c
    print(json.dumps(cpu))


def cold(src: str, apk: str, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        code = "import sys; sys.path.insert(0, sys.argv.pop(1)); from appwarden.launch import main; sys.exit(main())"
        proc = subprocess.Popen(
            [sys.executable, "-c", code, src, "scan", apk, "-o", str(Path(tmp) / "r.json"), "-q"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode not in (0, 1):
            raise SystemExit(f"cold scan failed ({proc.returncode}): {err[-2000:]}")
        return usage.ru_utime + usage.ru_stime


def inprocess(src: str, apk: str, env: dict[str, str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", src, apk], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="git revision of the 'before' engine")
    ap.add_argument(
        "--after", default=None, help="git revision of the 'after' engine (default: working tree)"
    )
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", default="0")
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("apks", nargs="*")
    args = ap.parse_args()
    if args.worker:
        inprocess_worker(*args.worker)
        return 0
    if not args.base or not args.apks:
        ap.error("--base and at least one APK are required")
    from report_equality import tree_for

    def tree(rev: str | None) -> Path:  # a revision, or a directory holding a built source tree
        return Path(rev) if rev is not None and (Path(rev) / "src" / "appwarden").is_dir() else tree_for(rev)

    trees = {"before": tree(args.base), "after": tree(args.after)}
    env = {**os.environ, "PYTHONHASHSEED": args.seed}
    # "cold_pyc": the modules' bytecode cached as an installed package has it (compiled at install), whatever
    # PYTHONDONTWRITEBYTECODE says; one scan first fills the cache (kept outside the trees). The in-process rows use it
    # too: a module first imported inside a stage would otherwise be compiled from source there, in that stage's time
    compiled = {name: any((p / "src" / "appwarden").glob("__pycache__/*.pyc")) for name, p in trees.items()}
    if len(set(compiled.values())) > 1:  # "cold" reads a tree's __pycache__ where it has one
        print(
            "note: the 'cold' column is not comparable in this run: only one tree has __pycache__ "
            f"({', '.join(n for n, c in compiled.items() if c)}); compare 'cold_pyc'"
        )
    pyc_env = {}
    for name, path in trees.items():
        cache = WORK / "pycache" / path.resolve().as_posix().strip("/").replace("/", "_")
        pyc_env[name] = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        pyc_env[name]["PYTHONPYCACHEPREFIX"] = str(cache)
        cold(str(path / "src"), args.apks[0], pyc_env[name])
    print(f"load average at start: {os.getloadavg()}")
    for apk in args.apks:
        results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for run in range(args.runs):
            order = ("before", "after") if run % 2 == 0 else ("after", "before")
            for name in order:
                src = str(trees[name] / "src")
                row = inprocess(src, apk, pyc_env[name])  # bytecode cached: no stage pays to compile a module
                row["cold"] = cold(src, apk, env)
                row["cold_pyc"] = cold(src, apk, pyc_env[name])
                results[name].append(row)
        cols = ["cold", "cold_pyc", "total", *STAGES]
        print(f"\n{Path(apk).name} (CPU s of {args.runs} runs; load average now {os.getloadavg()})\n")
        print("| tree | " + " | ".join(cols) + " |")
        print("|---" * (len(cols) + 1) + "|")
        # the median, and the minimum: on a shared machine other jobs only ever add CPU time (cache, memory
        # bandwidth), so the least of several runs is the steadier estimate of what the code itself costs
        for stat, how in (("median", statistics.median), ("min", min)):
            for name, rows in results.items():
                cells = [f"{how(r.get(c, 0.0) for r in rows):.3f}" for c in cols]
                print(f"| {name} ({stat}) | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
