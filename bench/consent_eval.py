#!/usr/bin/env python3
"""Issue #18 consent analysis over the Chinese-SDK corpus, for ``docs/consent-eval.md``: verdicts and cost.

Two parts, one JSON (``-o``, default ``bench/results/<date>-consent.json``):

* ``apps``: for every APK of ``<corpus>/apks/cn_sdk/`` the report's ``consent`` section: per (owner, behaviour) the
  verdict (likely / possible / gated / confirmed), the rules, the gate recognised or the reason; and the consent
  moment (dialog methods, dialog libraries, split callbacks, flags, recognised).
* ``cost``: on the largest cn_sdk APK, ``--runs`` warm runs of ``scan_apk``, each with the time spent inside the
  consent analysis during that scan (model builder, per-site decisions, report section), interleaved with runs
  of scans without the analysis (:func:`run_cost`); medians, the share of the scan and what it adds to the scan
  without it. Machine and date are recorded; no timing is asserted anywhere.

``--src DIR`` puts another source tree first on ``sys.path`` (e.g. an exported older commit, ``git archive
<commit> src | tar -x -C /tmp/before``, with the built ``_dexscan`` extension copied in) to produce the "before"
numbers with the same script.

``--digests FILE`` instead writes, for every APK of the corpus (all of ``<corpus>/apks/*/``), the SHA-256 of the
report's whole ``consent`` section and of its consent findings (those with a ``behaviour``), canonical JSON; ``--check
FILE`` compares them with a file written earlier (exit 1 on any difference). That is how an optimisation of the
analysis is shown to change no result: digests of the old modules on a tree (``--src`` a copy of ``src`` with the
old files) checked against the new ones on the same tree (``bench/results/2026-12-06-consent-digests*.json``).

Usage: ``.venv/bin/python bench/consent_eval.py [--corpus ../shared/corpus] [--src DIR] [--runs 3] [-o FILE]``,
``… --digests FILE [--only cn_sdk]``, ``… --check FILE``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _entries(report: dict[str, Any]) -> list[dict[str, Any]]:
    section = report.get("consent") or {}
    out = []
    for e in section.get("owners") or []:
        gate = e.get("gate") or {}
        out.append(
            {
                "owner": e.get("owner"),
                "behaviour": e.get("behaviour"),
                "verdict": e.get("verdict"),
                "rules": sorted(set(e.get("rules") or [])),
                "categories": e.get("categories") or [],
                "gate": {k: gate.get(k) for k in ("kind", "flag", "method", "flag_type") if k in gate}
                or None,
                "reason": (e.get("reason") or "")[:240],
                "path": (e.get("path") or [])[:8],
            }
        )
    return out


def _moment(report: dict[str, Any]) -> dict[str, Any]:
    m = (report.get("consent") or {}).get("moment") or {}
    return {
        "dialogs": (m.get("dialogs") or [])[:10],
        "dialog_resources": (m.get("dialog_resources") or [])[:10],
        "dialog_libraries": m.get("dialog_libraries") or [],
        "agree_handlers": (m.get("agree_handlers") or [])[:10],
        "refuse_handlers": (m.get("refuse_handlers") or [])[:10],
        "split_handlers": (m.get("split_handlers") or [])[:10],
        "flags": (m.get("flags") or [])[:10],
        "recognised": m.get("recognised"),
        "unsure_reason": m.get("unsure_reason"),
    }


def run_apps(apks: list[Path]) -> list[dict[str, Any]]:
    from appwarden.scan import scan_apk

    out = []
    for apk in apks:
        report = scan_apk(apk)
        out.append(
            {
                "apk": apk.name,
                "status": report.get("status"),
                "consent": _entries(report),
                "moment": _moment(report),
                "consent_findings": sorted(
                    {
                        (f.get("rule_id"), f.get("owner") or "host", f.get("confidence"), f.get("behaviour"))
                        for f in report.get("findings") or []
                        if f.get("behaviour")
                    }
                ),
            }
        )
    return out


def consent_digest(report: dict[str, Any]) -> dict[str, str]:
    """SHA-256 (hex) of the report's ``consent`` section and of its consent findings (those with a
    ``behaviour``, whole), each as canonical JSON (sorted keys, no whitespace)."""
    import hashlib

    def h(value: Any) -> str:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    findings = [f for f in report.get("findings") or [] if f.get("behaviour")]
    return {"consent": h(report.get("consent")), "findings": h(findings), "n_findings": str(len(findings))}


def run_digests(corpus: Path, only: str | None) -> dict[str, dict[str, str]]:
    """``{"<dir>/<apk>": consent_digest(scan_apk(apk))}`` for every corpus APK (or those of ``only``)."""
    from appwarden.errors import AppwardenError
    from appwarden.scan import scan_apk

    out: dict[str, dict[str, str]] = {}
    for apk in sorted((corpus / "apks").glob("*/*.apk")):
        if only and apk.parent.name != only:
            continue
        try:
            out[f"{apk.parent.name}/{apk.name}"] = consent_digest(scan_apk(apk))
        except AppwardenError as exc:  # an APK the scan refuses (the edge corpus): the refusal is the result
            out[f"{apk.parent.name}/{apk.name}"] = {"error": type(exc).__name__}
    return out


def _patch(obj: Any, name: str, wrapper: Any) -> Any:
    inner = getattr(obj, name)
    setattr(obj, name, wrapper(inner))
    return inner


def run_cost(apk: Path, runs: int) -> dict[str, Any]:
    """Two measures of the consent analysis' cost on one APK, over ``runs`` warm ``scan_apk`` runs of each kind,
    interleaved (the machine's load changes over time, alike for both kinds):

    * ``inside``: with the analysis, the CPU/wall time spent inside it during each scan: the model's builder
      (``consent._build``: dialog search, resource route, handler and flag-reader decoding, both walks, contract
      calls; the call graph and call sites are the scan's own) plus the per-site work of the start-up rules
      (``ConsentModel.decide``/``after_refusal``/``record_gated``, the consent evidence item with its
      unconditional-prefix decoding) and the report's ``consent`` section. An upper bound: work the model shares
      with the rest of the scan (the layouts the navigation rules search again, the SDK contract calls the
      report lists) is counted here, and the rest of the scan then gets it for free.
    * ``ab``: the CPU time of whole scans with the analysis against whole scans without it (``consent_model``
      answering None to the start-up rules and to the navigation rules, which leave the consent dialog out of the
      policy taps with it: no consent findings, no section; everything else as usual), so shared work is counted
      once, on the side that pays it.

    Medians; ``share_of_scan`` = inside / scan, ``added_to_scan`` = inside / (scan - inside); ``ab_added`` =
    (with - without) / without. Noisy on a loaded machine: the per-run lists are kept."""
    from appwarden.rules import consent
    from appwarden.rules.predicates import pi_startup
    from appwarden.scan import scan_apk

    spent: list[tuple[float, float]] = []
    depth = [0]

    def timed(inner: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            if depth[0]:
                return inner(*args, **kwargs)
            depth[0] += 1
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                return inner(*args, **kwargs)
            finally:
                spent.append((time.perf_counter() - t0, time.process_time() - c0))
                depth[0] -= 1

        return run

    patched = [
        (consent, "_build"),
        (consent, "consent_section"),
        (consent.ConsentModel, "decide"),
        (consent.ConsentModel, "after_refusal"),
        (consent.ConsentModel, "record_gated"),
        (pi_startup, "_consent_item"),
    ]
    originals = [(obj, name, _patch(obj, name, timed)) for obj, name in patched]
    with_model = consent.consent_model
    none_model = lambda evidence: None  # noqa: E731 - "no analysis": what the start-up and navigation rules see
    scans, inside, scans_cpu, inside_cpu, without_cpu = [], [], [], [], []
    try:
        scan_apk(apk)  # warm: imports, knowledge, page cache
        for _ in range(runs):
            spent.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            scan_apk(apk)
            scans.append(time.perf_counter() - t0)
            scans_cpu.append(time.process_time() - c0)
            inside.append(sum(w for w, _c in spent))
            inside_cpu.append(sum(c for _w, c in spent))
            consent.consent_model = pi_startup.consent_model = none_model  # type: ignore[assignment]
            try:
                c0 = time.process_time()
                scan_apk(apk)
                without_cpu.append(time.process_time() - c0)
            finally:
                consent.consent_model = pi_startup.consent_model = with_model
    finally:
        consent.consent_model = pi_startup.consent_model = with_model
        for obj, name, inner in originals:
            setattr(obj, name, inner)
    out: dict[str, Any] = {"apk": apk.name, "bytes": apk.stat().st_size, "runs": runs}
    # wall time, and this process's CPU time (less sensitive to the other work on a shared machine)
    for label, sc, mo in (("", scans, inside), ("cpu_", scans_cpu, inside_cpu)):
        scan_med, model_med = statistics.median(sc), statistics.median(mo)
        out[f"{label}scan_s"] = [round(x, 4) for x in sc]
        out[f"{label}consent_model_s"] = [round(x, 4) for x in mo]
        out[f"{label}scan_median_s"] = round(scan_med, 4)
        out[f"{label}consent_model_median_s"] = round(model_med, 4)
        out[f"{label}share_of_scan"] = round(model_med / scan_med, 4) if scan_med else None
        out[f"{label}added_to_scan"] = (
            round(model_med / (scan_med - model_med), 4) if scan_med > model_med else None
        )
    without_med = statistics.median(without_cpu)
    out["cpu_scan_without_s"] = [round(x, 4) for x in without_cpu]
    out["cpu_scan_without_median_s"] = round(without_med, 4)
    out["cpu_ab_added"] = (
        round((statistics.median(scans_cpu) - without_med) / without_med, 4) if without_med else None
    )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--src", help="source tree to import appwarden from (the 'before' run)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-cost", action="store_true")
    ap.add_argument(
        "--cost-apk",
        action="append",
        default=[],
        help="also measure the cost on this cn_sdk APK (file name; repeatable): results under cost_more",
    )
    ap.add_argument("-o", "--output")
    ap.add_argument("--digests", help="write the per-APK consent digests of the whole corpus to this file")
    ap.add_argument(
        "--check", help="compare the per-APK consent digests with this file (exit 1 on a difference)"
    )
    ap.add_argument("--only", help="with --digests/--check: only this corpus directory (e.g. cn_sdk)")
    args = ap.parse_args(argv)
    if args.src:
        sys.path.insert(0, str(Path(args.src).resolve()))
    if args.digests or args.check:
        return _digest_main(Path(args.corpus), args.digests, args.check, args.only)
    apks = sorted((Path(args.corpus) / "apks" / "cn_sdk").glob("*.apk"))
    if not apks:
        print(f"no cn_sdk APKs under {args.corpus}", file=sys.stderr)
        return 2
    import appwarden

    result: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "note": "shared 2-core machine, other work running",
        },
        "appwarden_from": str(Path(appwarden.__file__).resolve().parent),
        "apps": run_apps(apks),
    }
    if not args.no_cost:
        result["cost"] = run_cost(max(apks, key=lambda p: p.stat().st_size), args.runs)
        by_name = {p.name: p for p in apks}
        more = [by_name[n] for n in args.cost_apk if n in by_name]
        if more:
            result["cost_more"] = [run_cost(p, args.runs) for p in more]
    out = Path(args.output or ROOT / "bench" / "results" / f"{result['date']}-consent.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    n = sum(len(a["consent"]) for a in result["apps"])
    print(f"{len(apks)} apps, {n} consent entries -> {out}")
    if "cost" in result:
        c = result["cost"]
        print(
            f"cost on {c['apk']}: consent model {c['consent_model_median_s']} s of a {c['scan_median_s']} s scan"
            f" (CPU: {c['cpu_consent_model_median_s']} s of {c['cpu_scan_median_s']} s, {c['cpu_share_of_scan']:.1%},"
            f" adds {c['cpu_added_to_scan']:.1%}; whole scans with/without: {c['cpu_ab_added']:.1%} added)"
        )
    return 0


def _digest_main(corpus: Path, write: str | None, check: str | None, only: str | None) -> int:
    if not (corpus / "apks").is_dir():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    expected = json.loads(Path(check).read_text(encoding="utf-8"))["apks"] if check else None
    got = run_digests(corpus, only)
    if write:
        Path(write).write_text(
            json.dumps({"date": dt.date.today().isoformat(), "apks": got}, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        print(f"{len(got)} APKs -> {write}")
    if expected is not None:
        wanted = {k: v for k, v in expected.items() if not only or k.startswith(only + "/")}
        diff = sorted(k for k in wanted.keys() | got.keys() if wanted.get(k) != got.get(k))
        for k in diff:
            print(f"differs: {k}: expected {wanted.get(k)}, got {got.get(k)}")
        print(f"{len(got)} APKs checked, {len(diff)} differ")
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
