#!/usr/bin/env python3
"""Issue #19's ratio, paired: per APK, N rounds of (the zlib inflate floor, best of 3, then a cold
``appwarden scan`` of tree A and of tree B, their order alternating), each cold scan's CPU seconds (user + system,
``wait4``) with byte-compiled modules; prints a markdown row per APK with the median floor, the median (and min) cold
CPU of each tree and ``(cold - 0.05) / floor`` per tree (0.05 s: interpreter start-up and the command line's
imports). Both trees meet the same host state, which moves a single run's ratio by more than a session's code does.

Usage, from the repo root::

    .venv/bin/python bench/ratio_paired.py 7 bench/work/tree-REV/src src bench/work/popular-*.apk

``SRC_A`` / ``SRC_B`` are directories holding ``appwarden`` with its C extensions built (``bench/stage_cpu.py`` and
``bench/report_equality.py`` export a revision into ``bench/work/tree-*``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import popular_apps  # noqa: E402

STARTUP = 0.05


def cold(src: str, apk: str) -> float:
    env = dict(
        os.environ,
        PYTHONPYCACHEPREFIX=str(ROOT / "bench" / "work" / "pycache-ratio" / src.strip("/").replace("/", "_")),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    code = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); from appwarden.launch import main; sys.exit(main())"
    )
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, src, "scan", apk, "-o", f"{tmp}/r.json", "-q"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, _status, usage = os.wait4(proc.pid, 0)
        return usage.ru_utime + usage.ru_stime


def main() -> int:
    if len(sys.argv) < 5:
        print(__doc__)
        return 2
    rounds, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    print(f"A={a}\nB={b}\n")
    print(
        "| app | floor s | A cold s (min) | B cold s (min) | A (cold-0.05)/floor | B (cold-0.05)/floor | load |"
    )
    print("|---|---|---|---|---|---|---|")
    for apk in sys.argv[4:]:
        cold(a, apk), cold(b, apk)  # fill the bytecode caches
        floors, ca, cb = [], [], []
        for i in range(rounds):
            floors.append(popular_apps.floor_cpu(Path(apk)))
            for src, out in ((b, cb), (a, ca)) if i % 2 else ((a, ca), (b, cb)):
                out.append(cold(src, apk))
        f, ma, mb = statistics.median(floors), statistics.median(ca), statistics.median(cb)
        print(
            f"| {Path(apk).stem} | {f:.3f} | {ma:.3f} ({min(ca):.3f}) | {mb:.3f} ({min(cb):.3f}) "
            f"| {(ma - STARTUP) / f:.2f}x | {(mb - STARTUP) / f:.2f}x | {os.getloadavg()[0]:.1f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
