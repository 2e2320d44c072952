"""Benchmark trace reading + analysis (preliminary; the lead reruns it on a quiet machine).

    .venv/bin/python bench/dynamic_bench.py [--size-mb 200]

Generates a synthetic trace of about --size-mb MB in bench/work/ (api_call events with 30-frame stacks, one call
every 50 ms, a consent step, a background phase, network and permission events, a bad line every 1,000), then in a
fresh interpreter reads and analyses it (``load_dynamic_evidence``) and records wall time, events per second and the
process's peak RSS (``resource.getrusage``), once without and once with tracemalloc (Python-heap peak). Writes
bench/results/dynamic_bench.json and bench/results/dynamic_bench.md (machine and date).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
MB = 1024 * 1024

STACK = [
    "android.telephony.TelephonyManager.getDeviceId(Native Method)",
    "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:88)",
    *[f"com.example.shop.feature{i}.Handler{i}.dispatch(Handler{i}.java:{100 + i})" for i in range(26)],
    "com.example.shop.App.onCreate(App.java:25)",
    "android.app.ActivityThread.main(ActivityThread.java:7656)",
]

MEASURE = r"""
import json, resource, sys, time, tracemalloc
sys.path.insert(0, sys.argv[1])
from appwarden.dynamic.analyze import load_dynamic_evidence
from appwarden.limits import Limits
trace, use_tm = sys.argv[2], sys.argv[3] == "1"
if use_tm:
    tracemalloc.start()
t0 = time.perf_counter()
dyn = load_dynamic_evidence(trace)
wall = time.perf_counter() - t0
peak_heap = tracemalloc.get_traced_memory()[1] if use_tm else None
print(json.dumps({"wall_s": wall, "events": sum(dyn.event_counts.values()), "errors": len(dyn.errors),
                  "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "tracemalloc_peak": peak_heap,
                  "pre_consent": len(dyn.pre_consent), "frequency_exceeded": len(dyn.frequency_exceeded())}))
"""


def make_trace(path: Path, size_mb: int) -> int:
    header = {"type": "header", "schema_version": 1, "app": {"package": "com.example.shop"},
              "started_at": "2026-11-23T14:00:00Z", "source": "bench"}  # fmt: skip
    written = n = 0
    t = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        fh.write('{"t":0,"type":"ui","event":"privacy_dialog_shown"}\n')
        while written < size_mb * MB:
            t += 50
            if n == 100:
                line = json.dumps({"t": t, "type": "ui", "event": "consent_agree"})
            elif n % 5000 == 2500:
                line = json.dumps({"t": t, "type": "ui", "event": "app_background"})
            elif n % 5000 == 4999:
                line = json.dumps({"t": t, "type": "ui", "event": "app_foreground"})
            elif n % 1000 == 999:
                line = '{"t": broken'
            elif n % 997 == 0:
                line = json.dumps({"t": t, "type": "network", "host": "ulogs.umeng.com", "path": "/u",
                                   "pi": [{"category": "imei", "where": "body"}]})  # fmt: skip
            else:
                line = json.dumps({"type": "api_call", "t": t, "class": "android.telephony.TelephonyManager",
                                   "method": "getDeviceId", "args": [], "ret": "86****00", "stack": STACK,
                                   "thread": f"pool-{n % 7}"}, separators=(",", ":"))  # fmt: skip
            fh.write(line + "\n")
            written += len(line) + 1
            n += 1
    return n


def measure(trace: Path, tracemalloc_on: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(ROOT / "src"), str(trace), "1" if tracemalloc_on else "0"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=200)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    trace = WORK / f"dynamic_bench_{args.size_mb}mb.jsonl"
    lines = make_trace(trace, args.size_mb)
    plain = measure(trace, False)
    traced = measure(trace, True)
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "note": "preliminary: shared, busy machine; rerun on a quiet machine",
        "trace_bytes": trace.stat().st_size,
        "trace_lines": lines + 2,
        "plain": {**plain, "events_per_s": round(plain["events"] / plain["wall_s"])},
        "tracemalloc": traced,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dynamic_bench.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    md = [
        "# Trace read + analysis benchmark (preliminary)",
        "",
        f"{result['date']} · {result['machine']['platform']} · Python {result['machine']['python']} · "
        f"{result['machine']['cpus']} CPUs · shared machine, rerun on a quiet one",
        "",
        "| trace | lines | events analysed | bad lines | wall (s) | events/s | peak RSS (MB) | Python heap peak, tracemalloc (MB) |",
        "|---|---|---|---|---|---|---|---|",
        f"| {result['trace_bytes'] / MB:.0f} MB | {result['trace_lines']} | {plain['events']} | {plain['errors']} | "
        f"{plain['wall_s']:.1f} | {result['plain']['events_per_s']} | {plain['peak_rss_kb'] / 1024:.0f} | "
        f"{traced['tracemalloc_peak'] / MB:.2f} |",
        "",
        "Re-run: `.venv/bin/python bench/dynamic_bench.py --size-mb 200`.",
    ]
    (RESULTS / "dynamic_bench.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    print("\n".join(md))
    trace.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
