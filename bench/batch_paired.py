#!/usr/bin/env python3
"""CPU of ``appwarden batch`` per app, two source trees taking turns (issue #19: the launcher's huge pages).

Each run is one ``appwarden batch -j 1`` process (the console-script path: ``python -m appwarden``, so the
launcher's re-exec happens as in production) over the same inputs into a fresh results directory. Its CPU
(user + system) and minor faults come from ``wait4``, which includes every worker the batch waited for, so the
per-app figure also carries the batch's fixed costs (start-up, one warm-up scan) divided by the number of apps.
The trees alternate, in rotated order, each run; the reports of both trees are compared (normalized as
``bench/report_equality.py``).

    .venv/bin/python bench/batch_paired.py --base main --runs 5 --copies 6 bench/work/popular-20mb.apk

``--copies N`` writes N copies of each APK that differ only in the ZIP comment (distinct sha256, so the batch's
dedupe scans every one).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))


def copies(apk: Path, n: int, dest: Path) -> list[Path]:
    """``n`` copies of ``apk`` with a 4-byte ZIP comment each (the EOCD must have none to start with)."""
    data = bytearray(apk.read_bytes())
    if data[-22:-18] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        raise SystemExit(f"{apk}: needs an end-of-central-directory record without a comment")
    out = []
    for i in range(n):
        copy = bytearray(data)
        copy[-2:] = (4).to_bytes(2, "little")
        copy += f"c{i:03d}".encode()
        path = dest / f"{apk.stem}-{i:03d}.apk"
        path.write_bytes(copy)
        out.append(path)
    return out


def reports(results: Path) -> str:
    """One digest over the per-app reports ``results/apps/*.json`` (minus ``timings``/``generated_at``/version
    stamps, as ``bench/malloc_bench.py``)."""
    from malloc_bench import normalized

    digest = hashlib.sha256()
    paths = sorted((results / "apps").glob("*.json"))
    for path in paths:
        digest.update(path.name.encode() + (normalized(path) or "").encode())
    return f"{len(paths)}:{digest.hexdigest()}"


def run(src: Path, inputs: Path, env: dict[str, str]) -> dict:
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "appwarden", "batch", str(inputs), "-o", out, "-j", "1"],
            env={**env, "PYTHONPATH": str(src / "src")},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"batch failed: {err[-2000:]}")
        return {
            "cpu": usage.ru_utime + usage.ru_stime,
            "sys": usage.ru_stime,
            "minflt": usage.ru_minflt,
            "reports": reports(Path(out)),
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="main")
    ap.add_argument("--after", default=None, help="default: the working tree")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--copies", type=int, default=6)
    ap.add_argument("apks", nargs="+", type=Path)
    args = ap.parse_args()
    from report_equality import tree_for

    trees = {"base": tree_for(args.base), "after": tree_for(args.after)}
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "GLIBC_TUNABLES")}
    env["PYTHONHASHSEED"] = "0"
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "apks"
        inputs.mkdir()
        apps = [p for apk in args.apks for p in copies(apk, args.copies, inputs)]
        envs = {}
        for name, path in trees.items():
            cache = (
                ROOT / "bench" / "work" / "pycache" / path.resolve().as_posix().strip("/").replace("/", "_")
            )
            envs[name] = {
                **env,
                "PYTHONPYCACHEPREFIX": str(cache),
                "APPWARDEN_CACHE_DIR": str(Path(tmp) / name),
            }
            run(path, inputs, envs[name])  # bytecode and knowledge caches filled
        print(f"{len(apps)} apps per batch, load average at start: {os.getloadavg()}")
        rows: dict[str, list[dict]] = {n: [] for n in trees}
        names = list(trees)
        for i in range(args.runs):
            k = i % len(names)
            for name in names[k:] + names[:k]:
                rows[name].append(run(trees[name], inputs, envs[name]))
    print("\n| tree | CPU s per app median | min | sys s per app median | minor faults per app median |")
    print("|---|---:|---:|---:|---:|")
    n = len(apps)
    for name, rs in rows.items():
        cpu = [r["cpu"] / n for r in rs]
        print(
            f"| {name} | {statistics.median(cpu):.3f} | {min(cpu):.3f} | "
            f"{statistics.median(r['sys'] / n for r in rs):.3f} | {statistics.median(r['minflt'] / n for r in rs):.0f} |"
        )
    digests = {r["reports"] for rs in rows.values() for r in rs}
    print(f"\nreports: {'the same in every run of both trees' if len(digests) == 1 else 'DIFFER'}")
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
