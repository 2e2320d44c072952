#!/usr/bin/env python3
"""Scale benchmark for the local batch runner (issue: national-scale scanning).

Builds at least 2,000 scan inputs from ``../shared/corpus/apks`` (every corpus APK copied with a distinct EOCD
comment, so each copy has its own sha256 and dedupe cannot skip it, plus true byte-for-byte duplicates), then runs
``appwarden.batch.run_batch`` with 1 and with 2 worker processes on the same inputs and reports: throughput
(apps/s), the 2-vs-1 scaling ratio, peak RSS per worker, the share of time in I/O (open + inflate) vs analysis,
and the capacity this implies for 1.8 million apps a year, both at the corpus' median size and extrapolated to
popular apps with tens of MB of DEX (seconds per MB of DEX measured on the largest corpus APKs, times the DEX size).

Usage: python bench/batch_bench.py [--scans 2000] [--dup-every 20]
Writes bench/results/<date>-batch.json and prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("APPWARDEN_SHARED", ROOT.parent / "shared")) / "corpus" / "apks"
WORK = ROOT / "bench" / "work" / "batch"
APPS_PER_YEAR = 1_800_000
SECONDS_PER_YEAR = 365 * 24 * 3600


def with_comment(data: bytes, comment: bytes) -> bytes | None:
    pos = data.rfind(b"PK\x05\x06")
    if pos < 0 or len(data) - pos < 22:
        return None
    eocd = bytearray(data[pos : pos + 22])
    struct.pack_into("<H", eocd, 20, len(comment))
    return data[:pos] + bytes(eocd) + comment


def dex_size(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as zf:
            return sum(
                i.file_size
                for i in zf.infolist()
                if i.filename.startswith("classes") and i.filename.endswith(".dex")
            )
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def build_inputs(scans: int, dup_every: int) -> tuple[Path, int, int]:
    if WORK.exists():
        shutil.rmtree(WORK)
    src = WORK / "inputs"
    src.mkdir(parents=True)
    corpus = sorted(p for p in CORPUS.rglob("*.apk") if p.is_file())
    made = dups = 0
    i = 0
    while made + dups < scans:
        original = corpus[i % len(corpus)]
        data = original.read_bytes()
        copy = with_comment(data, f"appwarden bench copy {i}".encode())
        if copy is None:  # not a zip: keep it as is once (a failure record), never copied again
            if i < len(corpus):
                (src / f"{i:05d}_{original.name}").write_bytes(data)
                made += 1
            i += 1
            continue
        (src / f"{i:05d}_{original.name}").write_bytes(copy)
        made += 1
        if dup_every and i % dup_every == 0:
            (src / f"{i:05d}_dup_{original.name}").write_bytes(copy)
            dups += 1
        i += 1
    return src, made, dups


def run(src: Path, jobs: int) -> dict:
    out = WORK / f"out-{jobs}"
    if out.exists():
        shutil.rmtree(out)
    code = (
        "import json,resource,sys,time\n"
        "from appwarden.batch import BatchOptions, run_batch\n"
        f"t=time.perf_counter(); s=run_batch([{str(src)!r}], {str(out)!r}, BatchOptions(jobs={jobs}, timeout=300))\n"
        "print(json.dumps({'summary': s.to_json(), 'wall': time.perf_counter()-t,"
        " 'children_maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
        " 'parent_maxrss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    io_s = analysis_s = 0.0
    per_app: list[tuple[float, int, str]] = []
    for rec_line in (out / "results.jsonl").read_text().splitlines():
        rec = json.loads(rec_line)
        if rec.get("status") != "ok":
            continue
        report = json.loads((out / "apps" / f"{rec['sha256']}.json").read_text())
        t = report.get("timings", {})
        io_s += t.get("apk", 0) + t.get("inflate", 0)
        analysis_s += sum(v for k, v in t.items() if k not in ("apk", "inflate", "total"))
        per_app.append((rec["seconds"], report["app"].get("size", 0), rec["path"]))
    result.update(io_seconds=io_s, analysis_seconds=analysis_s, per_app=per_app)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scans", type=int, default=2000)
    ap.add_argument("--dup-every", type=int, default=20)
    args = ap.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    src, made, dups = build_inputs(args.scans, args.dup_every)
    runs = {jobs: run(src, jobs) for jobs in (1, 2)}
    one, two = runs[1], runs[2]
    scanned = one["summary"]["scanned"]
    rate1 = scanned / one["wall"]
    rate2 = two["summary"]["scanned"] / two["wall"]
    sizes = sorted(size for _, size, _ in one["per_app"])
    seconds = [s for s, _, _ in one["per_app"]]
    # Extrapolation to popular apps: seconds per MB of DEX on the 10 largest-DEX corpus APKs (1 process).
    dex_of = {}
    for s, _, path in one["per_app"]:
        name = Path(path).name.split("_", 1)[1]
        original = next(iter(CORPUS.rglob(name)), None)
        if original is not None:
            dex_of.setdefault(name, (dex_size(original), []))[1].append(s)
    largest = sorted(dex_of.items(), key=lambda kv: -kv[1][0])[:10]
    s_per_mb = statistics.median(statistics.median(v[1]) / (v[0] / 2**20) for _, v in largest if v[0])
    popular = {}
    for mb in (20, 50, 100):
        per_app_s = s_per_mb * mb
        rate = 2 / per_app_s * (rate2 / rate1 / 2 if rate1 else 1)  # 2 processes at the measured efficiency
        popular[f"{mb}MB_dex"] = {
            "seconds_per_app_1proc": round(per_app_s, 3),
            "apps_per_year_per_2core_machine": int(rate * SECONDS_PER_YEAR),
            "machines_for_1.8M": round(APPS_PER_YEAR / (rate * SECONDS_PER_YEAR), 3),
        }
    result = {
        "date": dt.date.today().isoformat(),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "cpu_model": next(
                (
                    ln.split(":", 1)[1].strip()
                    for ln in Path("/proc/cpuinfo").read_text().splitlines()
                    if ln.startswith("model name")
                ),
                "?",
            ),
            "cores": os.cpu_count(),
            "ram_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            "python": platform.python_version(),
            "load_before": os.getloadavg(),
        },
        "inputs": {
            "distinct_copies": made,
            "true_duplicates": dups,
            "corpus_apks": len(list(CORPUS.rglob("*.apk"))),
        },
        "runs": {
            str(j): {k: v for k, v in r.items() if k != "per_app"}
            | {"apps_per_s": round(r["summary"]["scanned"] / r["wall"], 3)}
            for j, r in runs.items()
        },
        "scaling_2_vs_1": round(rate2 / rate1, 3),
        "io_share": round(one["io_seconds"] / max(1e-9, one["io_seconds"] + one["analysis_seconds"]), 3),
        "median_app_bytes": sizes[len(sizes) // 2] if sizes else 0,
        "median_seconds_per_app_1proc": statistics.median(seconds) if seconds else 0,
        "capacity_corpus_mix": {
            "apps_per_year_per_2core_machine": int(rate2 * SECONDS_PER_YEAR),
            "machines_for_1.8M": round(APPS_PER_YEAR / (rate2 * SECONDS_PER_YEAR), 4),
        },
        "seconds_per_mb_dex_largest10": round(s_per_mb, 4),
        "capacity_popular_apps": popular,
        "peak_rss_mb": {
            "worker_max": round(max(one["children_maxrss_kb"], two["children_maxrss_kb"]) / 1024, 1)
        },
    }
    out = ROOT / "bench" / "results" / f"{result['date']}-batch.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
