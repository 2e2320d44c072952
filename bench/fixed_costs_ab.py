#!/usr/bin/env python3
"""Per-app fixed costs of a cold ``appwarden scan``, two engine trees side by side, on every corpus APK (issue #19's
"CPU <= 3 x the inflate floor + interpreter start-up", task F of 2026-12-06).

Runs each corpus APK's cold scan with tree A and tree B alternately (A, B, A, B, ...; ``--repeat`` each, best CPU
seconds kept), so load drifting on a shared machine hits both alike, and measures four candidate definitions of
"start-up" the same way (alternating, best of ``--repeat``):

- ``python``: ``python -c pass`` - the interpreter alone (with site-packages);
- ``import``: ``python -c "import appwarden.cli"`` - the interpreter and the command line's own import, what any
  ``appwarden`` command pays before doing anything;
- ``version``: ``appwarden --version`` - shown for reference only (it builds every command's parser, importing
  every command module, which a scan does not);
- ``fixture``: the cold scan of a 3 KB fixture APK (``tests/fixtures/apks/v1_only.apk``), as
  ``bench/corpus_budget.py`` defines start-up: the interpreter, imports, knowledge, rules and report, i.e. every
  fixed cost of a scan.

CPU seconds are the children's user+sys (``getrusage``); the floor is zipfile's inflate of every ``classes*.dex``
(``popular_apps.floor_cpu``, best of 3). Trees are source folders whose ``src`` goes first on ``PYTHONPATH`` (their
C extension built in place, as ``bench/report_equality.py`` builds them, and byte-compiled with ``python -m
compileall`` as ``make setup`` does: with ``PYTHONDONTWRITEBYTECODE=1`` set, an uncompiled tree compiles every
module on every cold scan, ~0.15 CPU s that no installed engine pays)::

    .venv/bin/python bench/fixed_costs_ab.py --a bench/work/tree-noF --b bench/work/tree-HEAD --out bench/results/x
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import popular_apps
import static_bench

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("APPWARDEN_SHARED", ROOT.parent / "shared")) / "corpus" / "apks"
FIXTURE = ROOT / "tests" / "fixtures" / "apks" / "v1_only.apk"
PY = str(ROOT / ".venv" / "bin" / "python")
EXE = str(ROOT / ".venv" / "bin" / "appwarden")
DEFS = ("python", "import", "version", "fixture")


def child_cpu(cmd: list[str], env: dict[str, str], timeout: float) -> tuple[float, int]:
    """(CPU seconds, exit code) of one child process."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        rc = subprocess.run(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout
        ).returncode
    except subprocess.TimeoutExpired:
        rc = -1
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime, rc


def commands(kind: str, out: str, apk: str | None = None) -> list[str]:
    if kind == "python":
        return [PY, "-c", "pass"]
    if kind == "import":
        return [PY, "-c", "import appwarden.cli"]
    if kind == "version":
        return [EXE, "--version"]
    return [EXE, "scan", apk or str(FIXTURE), "-o", out]


def paired(
    kind: str, envs: dict[str, dict[str, str]], repeat: int, out: str, apk: str | None, timeout: float
):
    best = {name: float("inf") for name in envs}
    codes = {name: None for name in envs}
    for _ in range(repeat):
        for name, env in envs.items():
            cpu, rc = child_cpu(commands(kind, out, apk), env, timeout)
            best[name] = min(best[name], cpu)
            codes[name] = rc
    return best, codes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, type=Path, help="tree A (before)")
    ap.add_argument("--b", required=True, type=Path, help="tree B (after)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--note", default="")
    ap.add_argument("--out", type=Path, required=True, help="results stem: <out>.json and <out>.md")
    args = ap.parse_args()
    envs = {}
    for name, tree in (("A", args.a), ("B", args.b)):
        env = {**os.environ, "PYTHONPATH": str(tree.resolve() / "src")}
        env.pop("APPWARDEN_NO_CACHE", None)
        # each tree its own cache directory: other jobs' cache files cannot evict this tree's (the cache keeps the
        # newest 8 files of each kind), so every scan after the first finds its caches warm
        env["APPWARDEN_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / f"appwarden-ab-cache-{name}")
        envs[name] = env
    cpu0, wall0 = popular_apps._cpu_with_children(), time.perf_counter()
    load_start = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "r.json")
        for env in envs.values():  # fill each tree's caches (bytecode, knowledge, dataclass code) first
            child_cpu(commands("fixture", out), env, args.timeout)
        startup = {}
        for kind in DEFS:
            startup[kind], _ = paired(kind, envs, max(args.repeat, 5), out, None, args.timeout)
            print(f"start-up {kind}: {startup[kind]}", flush=True)
        apks = sorted(CORPUS.rglob("*.apk"))[: args.limit or None]
        rows = []
        for n, path in enumerate(apks, 1):
            floor = None
            try:
                floor = popular_apps.floor_cpu(path)
            except Exception:  # an input zipfile cannot inflate has no floor
                floor = None
            cpu, codes = paired("scan", envs, args.repeat, out, str(path), args.timeout)
            row = {
                "apk": str(path.relative_to(CORPUS)),
                "floor_cpu_s": floor,
                "cpu_s": cpu,
                "rc": codes,
                "load1": round(os.getloadavg()[0], 2),
            }
            rows.append(row)
            print(f"[{n}/{len(apks)}] {json.dumps(row)}", flush=True)
    summary = {}
    for name in envs:
        scanned = [r for r in rows if r["rc"][name] in (0, 1) and r["floor_cpu_s"]]
        per_def = {}
        for kind in DEFS:
            s = startup[kind][name]
            per_def[kind] = sum(1 for r in scanned if r["cpu_s"][name] <= 3 * r["floor_cpu_s"] + s)
        above = sorted(r["cpu_s"][name] - startup["fixture"][name] for r in scanned)
        cpus = sorted(r["cpu_s"][name] for r in scanned)
        summary[name] = {
            "timed": len(scanned),
            "met": per_def,
            "median_cpu_s": cpus[len(cpus) // 2] if cpus else None,
            "total_cpu_s": sum(cpus),
            "median_above_fixture_s": above[len(above) // 2] if above else None,
        }
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": static_bench.machine_info(),
        "trees": {"A": str(args.a), "B": str(args.b)},
        "repeat": args.repeat,
        "note": args.note,
        "load_start": load_start,
        "load_end": [round(x, 2) for x in os.getloadavg()],
        "cpu_s_total": popular_apps._cpu_with_children() - cpu0,
        "wall_s_total": time.perf_counter() - wall0,
        "startup": startup,
        "summary": summary,
        "apks": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=1) + "\n")
    args.out.with_suffix(".md").write_text(markdown(result))
    print(markdown(result))
    return 0


def markdown(result: dict) -> str:
    m, s, st = result["machine"], result["summary"], result["startup"]
    lines = [
        f"# Cold-scan fixed costs, two trees side by side, {result['date']}",
        "",
        f"Machine: {m.get('cpu')}, {m.get('cores')} cores, Python {m.get('python')}. Load average at start / end: "
        f"{result['load_start']} / {result['load_end']}; whole run {result['cpu_s_total']:.0f} CPU s in "
        f"{result['wall_s_total']:.0f} s. A = `{result['trees']['A']}`, B = `{result['trees']['B']}`; each "
        f"measurement best of {result['repeat']} (start-ups best of >= 5), A and B alternating."
        + (f" **{result['note']}**" if result.get("note") else ""),
        "",
        "| start-up definition | A CPU s | B CPU s |",
        "|---|---|---|",
    ]
    for kind in DEFS:
        lines.append(f"| {kind} | {st[kind]['A']:.3f} | {st[kind]['B']:.3f} |")
    lines += [
        "",
        "APKs meeting CPU <= 3 x floor + start-up, per definition (of those scanned with a floor):",
        "",
        "| tree | timed | python | import | version | fixture | median scan CPU s | total CPU s | median above fixture s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("A", "B"):
        x = s[name]
        lines.append(
            f"| {name} | {x['timed']} | {x['met']['python']} | {x['met']['import']} | {x['met']['version']} "
            f"| {x['met']['fixture']} | {x['median_cpu_s']:.3f} | {x['total_cpu_s']:.1f} "
            f"| {x['median_above_fixture_s']:.3f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
