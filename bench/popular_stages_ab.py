#!/usr/bin/env python3
"""CPU seconds of the ``sdk`` and ``screening`` stages, two engine trees side by side, on the popular-app APKs
(issue #19; task F of 2026-12-06).

For each APK and tree (a source folder whose ``src`` goes first on ``sys.path``, C extension built in place), a
fresh interpreter builds the static evidence once, then runs each stage ``--repeat`` times on it and keeps the
best CPU seconds (``time.process_time``): ``sdk`` is ``appwarden.scan._identify_sdks`` on the evidence as the DEX
stage left it (call sites restored before each run), ``screening`` is ``appwarden.screening.screen`` (a fresh
context each run, so its per-app caches are rebuilt, as in a scan). Trees alternate per APK. It also checks that
both trees give the same SDK list, call-site owners and screening section::

    .venv/bin/python bench/popular_stages_ab.py --a bench/work/tree-A --b bench/work/tree-B bench/work/popular-*.apk
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


def worker(src: str, apk: str, repeat: int) -> None:
    sys.path.insert(0, src)
    import dataclasses
    import time

    import appwarden.scan as scan

    assert scan.__file__.startswith(src), scan.__file__
    from appwarden.apk import open_apk
    from appwarden.screening import screen

    identify = scan._identify_sdks
    scan._identify_sdks = lambda evidence: None  # the evidence as the DEX stage leaves it
    static = scan.build_static_evidence(apk)
    scan._identify_sdks = identify
    sites = list(static.callsites)
    best_sdk = float("inf")
    for _ in range(repeat):
        static.callsites = list(sites)
        t = time.process_time()
        identify(static)
        best_sdk = min(best_sdk, time.process_time() - t)
    sdk_digest = hashlib.sha256(
        json.dumps(
            [
                [dataclasses.asdict(h) for h in static.sdks],
                [(c.caller, c.api, c.owner) for c in static.callsites],
                repr(static.packer),
            ],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    best_screen = float("inf")
    with open_apk(apk) as opened:
        for _ in range(repeat):
            t = time.process_time()
            result = screen(static, opened)
            best_screen = min(best_screen, time.process_time() - t)
    screen_digest = hashlib.sha256(
        json.dumps(result.to_json(), sort_keys=True, default=str).encode()
    ).hexdigest()
    print(
        json.dumps(
            {
                "sdk_s": best_sdk,
                "screening_s": best_screen,
                "sdk_digest": sdk_digest,
                "screen_digest": screen_digest,
            }
        )
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", type=Path, help="tree A (before)")
    ap.add_argument("--b", type=Path, help="tree B (after)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("apks", nargs="*")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]))
        return 0
    print(f"load average {os.getloadavg()}")
    print("| APK | sdk A / B CPU s | screening A / B CPU s | same SDKs, owners, screening |")
    print("|---|---|---|---|")
    for apk in args.apks:
        out = {}
        for name, tree in (("A", args.a), ("B", args.b)):
            proc = subprocess.run(
                [sys.executable, __file__, "--worker", str(tree.resolve() / "src"), str(Path(apk).resolve()),
                 str(args.repeat)],
                capture_output=True, text=True, cwd=ROOT, check=True,
            )  # fmt: skip
            out[name] = json.loads(proc.stdout.strip().splitlines()[-1])
        a, b = out["A"], out["B"]
        same = a["sdk_digest"] == b["sdk_digest"] and a["screen_digest"] == b["screen_digest"]
        print(
            f"| {Path(apk).name} | {a['sdk_s']:.3f} / {b['sdk_s']:.3f} | {a['screening_s']:.3f} / "
            f"{b['screening_s']:.3f} | {'yes' if same else '**no**'} |",
            flush=True,
        )
    print(f"load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
