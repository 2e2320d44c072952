#!/usr/bin/env python3
"""Cold ``appwarden scan`` CPU, minor faults and peak RSS with and without allocator tuning (issue #19).

Each variant is a source tree plus an optional ``mallopt`` prelude run before ``appwarden.launch.main``; the
variants take turns in every run (rotated order), each a fresh process with the modules' bytecode cached
(``PYTHONPYCACHEPREFIX``, as ``bench/stage_cpu.py``'s ``cold_pyc``). Per scan: CPU s (user + system, ``wait4``),
minor faults (``ru_minflt``) and peak RSS (the child's own ``VmHWM`` from ``/proc/self/status``, read by an exit
handler; ``ru_maxrss`` from ``wait4`` is kept as ``ru_maxrss_mb`` but is not the child's own figure: Linux carries
the high-water mark of the mm replaced at ``exec`` into it, and with ``vfork`` that is this launcher's, which
grows past a 20 MB app's peak after a few parsed 100 MB reports). The RSS budget is 2 x DEX MB + 150 (MB of 10^6 bytes).

    .venv/bin/python bench/malloc_bench.py --base main --runs 7 bench/work/popular-100mb-intact.apk
    .venv/bin/python bench/malloc_bench.py --base main --variant 'm256=base:mmap=256M,trim=256M' APK ...
    .venv/bin/python bench/malloc_bench.py --phases --after . APK      # CPU and faults per phase of one cold scan

A variant is ``NAME=TREE:SPEC``: TREE ``base`` or ``after``, SPEC comma-separated ``mmap=``, ``trim=``, ``pad=``
(bytes, with K/M suffixes) for ``M_MMAP_THRESHOLD``, ``M_TRIM_THRESHOLD``, ``M_TOP_PAD``, or empty.
``--env-variant NAME=TREE:VAR=VALUE`` is a variant that runs TREE with one more environment variable (for example
``thp=base:GLIBC_TUNABLES=glibc.malloc.hugetlb=1``, glibc's malloc asking for transparent huge pages). The rows
``base`` (the base tree as it is) and ``after`` (the working tree as it is) are always measured.

``--phases``: in one cold scan per run, ``time.process_time`` and ``ru_minflt`` at the start of the prelude (the
interpreter up), when ``scan_apk`` is called and returns, when ``write_report`` returns, and when ``exit_now`` is
entered and after its exit handlers; plus the whole process from ``wait4`` (the rest is the exit path).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

SUFFIX = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
OPTS = {"trim": -1, "pad": -2, "mmap": -3, "arena": -8}

PRELUDE = """
import sys, ctypes, atexit, os
sys.path.insert(0, sys.argv.pop(1))
def _hwm(path=os.environ["MALLOC_BENCH_HWM"]):
    with open("/proc/self/status") as fh:
        kb = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    with open(path, "w") as fh:
        fh.write(str(kb))
atexit.register(_hwm)
spec = {spec!r}
if spec:
    libc = ctypes.CDLL(None)
    for param, value in spec:
        assert libc.mallopt(param, value) == 1, (param, value)
"""

PHASES = """
import time, resource, json, os
def mark(name, _out=[]):
    _out.append((name, time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_minflt))
    return _out
mark("prelude")
import appwarden.launch as launch
import importlib.abc, importlib.machinery
class Hook(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in ("appwarden.scan", "appwarden.cli.scan"):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        inner = spec.loader.exec_module
        def exec_module(module):
            inner(module)
            attr = "scan_apk" if name == "appwarden.scan" else "write_report"
            fn = getattr(module, attr)
            def wrapped(*a, **k):
                mark(attr + " called")
                try:
                    return fn(*a, **k)
                finally:
                    mark(attr + " returned")
            setattr(module, attr, wrapped)
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, Hook())
real_exit = launch.exit_now
real_os_exit = os._exit
def exit_now(code):
    mark("exit_now")
    def os_exit(c):
        out = mark("exit handlers done")
        with open(os.environ["MALLOC_BENCH_PHASES"], "w") as fh:
            json.dump(out, fh)
        real_os_exit(c)
    os._exit = os_exit
    real_exit(code)
launch.exit_now = exit_now
"""

RUN = "from appwarden.launch import main; sys.exit(main())"


def parse_spec(text: str) -> list[tuple[int, int]]:
    out = []
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        mult = SUFFIX.get(value[-1:].upper(), 1)
        out.append((OPTS[key], int(value.rstrip("KMGkmg")) * mult))
    return out


def dex_mb(apk: str) -> float:
    """MB of ``classes*.dex`` (0 for an archive zipfile cannot read: the budget is then 150 MB)."""
    try:
        with zipfile.ZipFile(apk) as z:
            return (
                sum(
                    i.file_size
                    for i in z.infolist()
                    if i.filename.startswith("classes") and i.filename.endswith(".dex")
                )
                / 1e6
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0.0


def normalized(path: Path) -> str | None:
    """The report file without what differs run to run (as ``bench/report_equality.py``: ``timings``,
    ``generated_at``, the engine's version stamps); None when the scan wrote none."""
    if not path.exists():
        return None
    report = json.loads(path.read_text(encoding="utf-8"))
    report.pop("timings", None)
    report.pop("generated_at", None)
    report.get("engine", {}).pop("version", None)
    report.get("engine", {}).pop("rules_version", None)
    return json.dumps(report, ensure_ascii=False, sort_keys=True)


def cold(src: str, spec: list, apk: str, env: dict[str, str], phases: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        code = PRELUDE.format(spec=spec) + (PHASES if phases else "") + RUN
        env = {
            **env,
            "MALLOC_BENCH_PHASES": str(Path(tmp) / "phases.json"),
            "MALLOC_BENCH_HWM": str(Path(tmp) / "hwm"),
        }
        proc = subprocess.Popen(
            [sys.executable, "-c", code, src, "scan", apk, "-o", str(Path(tmp) / "r.json"), "-q"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        err = proc.stderr.read().decode() if proc.stderr else ""
        rc = os.waitstatus_to_exitcode(status)
        if rc not in (0, 1, 2):  # 2: an APK the scan rejects (the corpus has a few), still a measured process
            raise SystemExit(f"cold scan failed ({rc}): {err[-2000:]}")
        row = {
            "rc": rc,
            "cpu": usage.ru_utime + usage.ru_stime,
            "user": usage.ru_utime,
            "sys": usage.ru_stime,
            "minflt": usage.ru_minflt,
            "ru_maxrss_mb": usage.ru_maxrss * 1024 / 1e6,
        }
        hwm = Path(tmp) / "hwm"
        row["rss_mb"] = int(hwm.read_text()) * 1024 / 1e6 if hwm.exists() else row["ru_maxrss_mb"]
        text = normalized(Path(tmp) / "r.json")
        row["report"] = None if text is None else hashlib.sha256(text.encode()).hexdigest()
        if phases:
            marks = json.loads((Path(tmp) / "phases.json").read_text())
            prev = None
            for name, cpu, flt in marks:
                if prev is not None:
                    row[f"{prev[0]} -> {name}"] = [cpu - prev[1], flt - prev[2]]
                prev = (name, cpu, flt)
            row["exit (after handlers)"] = [row["cpu"] - prev[1], row["minflt"] - prev[2]]
            row["start-up (before prelude)"] = [marks[0][1], marks[0][2]]
        return row


def summary(raw: dict, names: list[str]) -> None:
    """Many APKs: the total CPU per variant (sum of the per-APK medians), and per variant the smallest RSS margin
    (budget - peak) and the largest peak RSS change against the first variant."""
    first = names[0]
    print(f"\n{len(raw)} APKs (CPU s: sum of per-APK medians and of mins; RSS: per-APK max of the runs)\n")
    print(
        "| variant | CPU s (sum of medians) | CPU s (sum of mins) | minor faults (sum of medians) | smallest margin MB (APK) | largest peak RSS change MB vs "
        + first
        + " | over budget |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in names:
        cpu_med = sum(statistics.median(r["cpu"] for r in a["rows"][name]) for a in raw.values())
        cpu_min = sum(min(r["cpu"] for r in a["rows"][name]) for a in raw.values())
        flt = sum(statistics.median(r["minflt"] for r in a["rows"][name]) for a in raw.values())
        margins = {apk: a["budget_mb"] - max(r["rss_mb"] for r in a["rows"][name]) for apk, a in raw.items()}
        worst = min(margins, key=margins.get)
        change = max(
            max(r["rss_mb"] for r in a["rows"][name]) - max(r["rss_mb"] for r in a["rows"][first])
            for a in raw.values()
        )
        over = sum(1 for m in margins.values() if m < 0)
        print(
            f"| {name} | {cpu_med:.2f} | {cpu_min:.2f} | {flt:.0f} | {margins[worst]:.0f} ({Path(worst).name}) | "
            f"{change:+.1f} | {over} |"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="main", help="git revision (or a directory with a built src/appwarden)")
    ap.add_argument("--after", default=None, help="'after' tree (default: the working tree)")
    ap.add_argument(
        "--variant", action="append", default=[], help="NAME=TREE:SPEC (see the module docstring)"
    )
    ap.add_argument(
        "--env-variant",
        action="append",
        default=[],
        help="NAME=TREE:VAR=VALUE (TREE with one more environment variable)",
    )
    ap.add_argument("--only", nargs="*", help="measure only these rows")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--phases", action="store_true")
    ap.add_argument("--json", help="also write the raw rows here")
    ap.add_argument("apks", nargs="+")
    args = ap.parse_args()
    from report_equality import tree_for

    def tree(rev: str | None) -> Path:
        return Path(rev) if rev is not None and (Path(rev) / "src" / "appwarden").is_dir() else tree_for(rev)

    trees = {"base": tree(args.base), "after": tree(args.after)}
    variants: dict[str, tuple[str, list, dict[str, str]]] = {
        "base": ("base", [], {}),
        "after": ("after", [], {}),
    }
    for v in args.variant:
        name, _, rest = v.partition("=")
        t, _, spec = rest.partition(":")
        variants[name] = (t, parse_spec(spec), {})
    for v in args.env_variant:
        name, _, rest = v.partition("=")
        t, _, assign = rest.partition(":")
        var, _, value = assign.partition("=")
        variants[name] = (t, [], {var: value})
    if args.only:
        variants = {k: v for k, v in variants.items() if k in args.only}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONHASHSEED"] = "0"
    envs = {}
    for name, path in trees.items():
        cache = ROOT / "bench" / "work" / "pycache" / path.resolve().as_posix().strip("/").replace("/", "_")
        envs[name] = {**env, "PYTHONPYCACHEPREFIX": str(cache)}
        cold(str(path / "src"), [], args.apks[0], envs[name])
    print(f"load average at start: {os.getloadavg()}")
    raw: dict = {}
    differ: list[str] = []
    names = list(variants)
    for apk in args.apks:
        rows: dict[str, list[dict]] = {n: [] for n in names}
        for run in range(args.runs):
            k = run % len(names)
            for name in names[k:] + names[:k]:
                t, spec, extra = variants[name]
                rows[name].append(cold(str(trees[t] / "src"), spec, apk, {**envs[t], **extra}, args.phases))
        dmb = dex_mb(apk)
        budget = 2 * dmb + 150
        reports = {r.pop("report") for rs in rows.values() for r in rs}
        if len(reports) > 1:  # every variant and run must write the same report (the CLI path, tuned or not)
            differ.append(apk)
        raw[apk] = {"dex_mb": dmb, "budget_mb": budget, "rows": rows}
        if len(args.apks) > 6 and not args.phases:
            continue  # many APKs: one summary table at the end
        print(
            f"\n{Path(apk).name}: DEX {dmb:.1f} MB, budget {budget:.0f} MB ({args.runs} runs, load {os.getloadavg()})\n"
        )
        print(
            "| variant | CPU s median | CPU s min | user s median | sys s median / min | minor faults median | peak RSS MB max | margin MB |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, rs in rows.items():
            cpu = [r["cpu"] for r in rs]
            rss = max(r["rss_mb"] for r in rs)
            print(
                f"| {name} | {statistics.median(cpu):.3f} | {min(cpu):.3f} | "
                f"{statistics.median(r['user'] for r in rs):.3f} | "
                f"{statistics.median(r['sys'] for r in rs):.3f} / {min(r['sys'] for r in rs):.3f} | "
                f"{statistics.median(r['minflt'] for r in rs):.0f} | "
                f"{rss:.0f} | {budget - rss:.0f} |"
            )
        if args.phases:
            for name, rs in rows.items():
                print(f"\nphases, {name} (CPU ms median / min, minor faults median):\n")
                for key in rs[0]:
                    if isinstance(rs[0][key], list):
                        c = [r[key][0] * 1000 for r in rs]
                        f = [r[key][1] for r in rs]
                        print(
                            f"- {key}: {statistics.median(c):.1f} / {min(c):.1f} ms, {statistics.median(f):.0f} faults"
                        )
    if len(args.apks) > 6:
        summary(raw, names)
    print(
        f"\nreports (CLI, normalized as bench/report_equality.py): {len(differ)} of {len(args.apks)} APKs differ"
    )
    for apk in differ:
        print(f"  differs: {apk}")
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
