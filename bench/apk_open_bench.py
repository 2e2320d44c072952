"""Benchmark ``appwarden.apk.open_apk`` (zip + manifest + resources index + signing; no DEX) (preliminary; the lead
reruns it on a quiet machine).

    .venv/bin/python bench/apk_open_bench.py [--size-mb 10] [--repeat 20]

Builds a synthetic APK of about --size-mb MB from tests/fixtures/apks/pi_all.apk plus incompressible assets and a
large stored+deflated payload, re-signs it with apksigner (v1+v2+v3) when apksigner and the fixture key are
available, then times open_apk in a warm process (median and best of --repeat) and the first open in a fresh
interpreter (imports included). If ../shared/corpus is present, also times every corpus APK once (warm) and reports
the slowest. Writes bench/results/apk_open_bench.json and bench/results/apk_open_bench.md (machine and date).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from appwarden.apk import open_apk  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "apks"
RESULTS = ROOT / "bench" / "results"


def build_apk(out: Path, size_mb: int) -> bool:
    """Write the synthetic APK; return whether it was re-signed (v1+v2+v3)."""
    unsigned = out.with_suffix(".unsigned.apk")
    rng = os.urandom
    with zipfile.ZipFile(FIXTURES / "pi_all.apk") as zin, zipfile.ZipFile(unsigned, "w") as zout:
        for info in zin.infolist():
            if not info.filename.startswith("META-INF/"):
                zout.writestr(info, zin.read(info.filename))
        per = 512 * 1024
        for i in range(max(1, size_mb * 2 - 2)):
            method = zipfile.ZIP_STORED if i % 2 else zipfile.ZIP_DEFLATED
            zout.writestr(f"assets/blob{i:03d}.bin", rng(per), compress_type=method)
        zout.writestr(
            "res/raw/text.txt", ("隐私政策 privacy " * 20000).encode(), compress_type=zipfile.ZIP_DEFLATED
        )
    signer = shutil.which("apksigner")
    key = FIXTURES / "fixture-key.jks"
    if signer and key.is_file():
        subprocess.run(
            [signer, "sign", "--ks", str(key), "--ks-pass", "pass:fixture", "--out", str(out), str(unsigned)],
            check=True,
            capture_output=True,
        )
        unsigned.unlink()
        Path(str(out) + ".idsig").unlink(missing_ok=True)
        return True
    unsigned.rename(out)
    return False


def time_warm(path: Path, repeat: int) -> list[float]:
    open_apk(path)  # warm-up: imports (cryptography, asn1crypto) and page cache
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        apk = open_apk(path)
        apk.app_info()
        times.append(time.perf_counter() - t)
    return times


def time_cold(path: Path) -> float:
    code = (
        "import sys,time; sys.path.insert(0, {!r}); t=time.perf_counter(); "
        "from appwarden.apk import open_apk; open_apk({!r}).app_info(); print(time.perf_counter()-t)"
    ).format(str(ROOT / "src"), str(path))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return float(out.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    result: dict = {
        "benchmark": "apk_open",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
        },
        "note": "preliminary: shared, busy machine; rerun on a quiet one",
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.apk"
        signed = build_apk(path, args.size_mb)
        apk = open_apk(path)
        warm = time_warm(path, args.repeat)
        result["synthetic"] = {
            "bytes": path.stat().st_size,
            "entries": len(apk.entry_names),
            "schemes": apk.signing.schemes,
            "resigned": signed,
            "warm_median_ms": round(statistics.median(warm) * 1000, 2),
            "warm_best_ms": round(min(warm) * 1000, 2),
            "cold_first_open_ms": round(time_cold(path) * 1000, 1),
            "repeat": args.repeat,
        }
    corpus = ROOT.parent / "shared" / "corpus" / "apks"
    if corpus.is_dir():
        rows = []
        for p in sorted(corpus.rglob("*.apk")):
            t = time.perf_counter()
            try:
                open_apk(p)
                status = "ok"
            except Exception as exc:  # the bench records failures; the tests assert they are AppwardenErrors
                status = type(exc).__name__
            rows.append((time.perf_counter() - t, p.stat().st_size, str(p.relative_to(corpus)), status))
        rows.sort(reverse=True)
        result["corpus"] = {
            "files": len(rows),
            "total_ms": round(sum(r[0] for r in rows) * 1000, 1),
            "slowest": [
                {"file": f, "bytes": b, "ms": round(s * 1000, 2), "status": st} for s, b, f, st in rows[:5]
            ],
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "apk_open_bench.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    s = result["synthetic"]
    lines = [
        "# apk_open_bench",
        "",
        f"{result['date']} on {result['machine']['platform']}, Python {result['machine']['python']}, "
        f"{result['machine']['cpus']} CPUs ({result['note']}).",
        "",
        "| input | bytes | entries | schemes | warm median ms | warm best ms | cold first open ms |",
        "|---|---|---|---|---|---|---|",
        f"| synthetic | {s['bytes']} | {s['entries']} | {'+'.join(s['schemes'])} | {s['warm_median_ms']} | "
        f"{s['warm_best_ms']} | {s['cold_first_open_ms']} |",
    ]
    if "corpus" in result:
        c = result["corpus"]
        lines += ["", f"Corpus: {c['files']} APKs opened in {c['total_ms']} ms total (warm). Slowest:", ""]
        lines += ["| file | bytes | ms | status |", "|---|---|---|---|"]
        lines += [f"| {r['file']} | {r['bytes']} | {r['ms']} | {r['status']} |" for r in c["slowest"]]
    (RESULTS / "apk_open_bench.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
