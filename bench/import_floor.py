#!/usr/bin/env python3
"""The import floor of one ``appwarden scan``: how long a fresh interpreter takes to import exactly the modules a
plain scan imports (in the order the scan imported them) and do nothing else, next to ``python -c pass`` and a
whole scan of a small APK. It bounds what any per-APK process can reach in ``bench/cli_bench.py``.

Usage: python bench/import_floor.py [APK]  -> bench/results/<date>-import-floor.json (medians of 7 runs)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import static_bench

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
DEFAULT_APK = ROOT / "tests" / "fixtures" / "apks" / "pi_all.apk"

_PROBE = """
import json, os, sys
before = set(sys.modules)
from appwarden.cli import main
with open(os.devnull, "w") as sink:
    out, sys.stdout = sys.stdout, sink
    main(["scan", sys.argv[1], "-o", os.devnull])
    sys.stdout = out
print(json.dumps([m for m in sys.modules if m not in before]))
"""


def _median_time(cmd: list[str], env: dict[str, str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    apk = sys.argv[1] if len(sys.argv) > 1 else str(DEFAULT_APK)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "src")], check=False, env=env)
    subprocess.run([PY, "-c", _PROBE, apk], env=env, check=True, capture_output=True)  # warm the caches
    out = subprocess.run([PY, "-c", _PROBE, apk], env=env, check=True, capture_output=True, text=True)
    modules = json.loads(out.stdout)
    imports = "\n".join(f"try:\n    import {m}\nexcept Exception:\n    pass" for m in modules)
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": static_bench.machine_info(),
        "load": os.getloadavg(),
        "apk": str(Path(apk).resolve().relative_to(ROOT.parent)),
        "modules_imported_by_a_scan": len(modules),
        "python_pass_s": _median_time([PY, "-c", "pass"], env),
        "imports_only_s": _median_time([PY, "-c", imports], env),
        "whole_scan_s": _median_time([PY, "-m", "appwarden", "scan", apk, "-o", os.devnull], env),
    }
    path = ROOT / "bench" / "results" / f"{result['date'][:10]}-import-floor.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
