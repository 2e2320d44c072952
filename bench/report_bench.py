"""Benchmark the report renderers on a large synthetic report (preliminary; the lead reruns it on a quiet machine).

    .venv/bin/python bench/report_bench.py [--callsites 20000] [--findings 300] [--repeat 3]

Builds one report with N call sites spread over 40 owners and 20 PI categories and M findings (each with 10
evidence references), then times build_report + validate_report and every format in appwarden.report.formats
(best of --repeat), and the peak Python heap (tracemalloc) per renderer. Writes bench/results/report_bench.json and
bench/results/report_bench.md (machine and date included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from appwarden.evidence import AppInfo, CallSite, Evidence, SdkHit, StaticEvidence  # noqa: E402
from appwarden.report import formats  # noqa: E402
from appwarden.report.json import build_report, validate_report  # noqa: E402
from appwarden.rules.model import Finding  # noqa: E402

CATEGORIES = [
    "imei", "imsi", "iccid", "phone_number", "serial", "android_id", "oaid", "mac", "carrier", "cell",
    "location", "wifi", "network_info", "bluetooth", "app_list", "clipboard", "contacts", "call_log", "sms", "camera",
]  # fmt: skip


def synthetic(n_callsites: int, n_findings: int) -> tuple[Evidence, list[Finding]]:
    owners = ["host"] + [f"sdk{i}" for i in range(39)]
    callsites = [
        CallSite(
            caller=f"Lcom/vendor{i % 40}/pkg/C{i};->m{i % 7}(Landroid/content/Context;)Ljava/lang/String;",
            api="Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
            category=CATEGORIES[i % len(CATEGORIES)],
            dex=f"classes{1 + i % 5 if i % 5 else ''}.dex",
            offset=i * 4,
            owner=owners[i % len(owners)],
        )
        for i in range(n_callsites)
    ]
    sdks = [SdkHit(id=o, name_zh=f"SDK {o}", name_en=o, vendor="v", category="analytics") for o in owners[1:]]
    static = StaticEvidence(app=AppInfo(sha256="ab" * 32, package="com.bench", label="基准"), manifest=None,
                            callsites=callsites, sdks=sdks)  # fmt: skip
    findings = [
        Finding(
            rule_id=f"bench.rule{i % 25}",
            title_zh="基准问题",
            title_en="bench finding",
            clauses=["RD-3.1", "M164-1.1"],
            severity=("high", "medium", "low", "info")[i % 4],
            confidence=("confirmed", "likely", "possible")[i % 3],
            needs_review=bool(i % 2),
            evidence=[
                {"type": "callsite", **callsites[(i * 10 + k) % n_callsites].to_json()} for k in range(10)
            ],
            owner=owners[i % len(owners)],
        )
        for i in range(n_findings)
    ]
    return Evidence(static=static), findings


def timed(fn, repeat: int) -> tuple[float, float]:
    """(best seconds, peak MiB of Python heap during one run)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--callsites", type=int, default=20000)
    ap.add_argument("--findings", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = ap.parse_args()

    evidence, findings = synthetic(args.callsites, args.findings)
    engine = {"name": "appwarden", "version": "bench", "rules_version": "bench"}
    report = build_report(evidence, findings, engine=engine)
    rows = []
    secs, peak = timed(lambda: build_report(evidence, findings, engine=engine), args.repeat)
    rows.append(
        {"step": "build_report", "seconds": round(secs, 4), "peak_mib": round(peak, 1), "bytes": None}
    )
    secs, peak = timed(lambda: validate_report(report), args.repeat)
    rows.append(
        {"step": "validate_report", "seconds": round(secs, 4), "peak_mib": round(peak, 1), "bytes": None}
    )
    for name in formats.FORMATS:
        size = len(formats.render(name, report))
        secs, peak = timed(lambda name=name: formats.render(name, report), args.repeat)
        rows.append(
            {"step": f"render {name}", "seconds": round(secs, 4), "peak_mib": round(peak, 1), "bytes": size}
        )

    meta = {
        "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "callsites": args.callsites,
        "findings": args.findings,
        "repeat": args.repeat,
        "note": "preliminary: shared machine",
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report_bench.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n", encoding="utf-8"
    )
    lines = [
        "# Report renderer benchmark",
        "",
        f"{meta['date']} · {meta['machine']} · {args.callsites} call sites, {args.findings} findings · best of "
        f"{args.repeat} · {meta['note']}. Rerun: `.venv/bin/python bench/report_bench.py`.",
        "",
        "| step | seconds | peak Python heap (MiB) | output bytes |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {r['step']} | {r['seconds']} | {r['peak_mib']} | {r['bytes'] or ''} |" for r in rows]
    (out / "report_bench.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
