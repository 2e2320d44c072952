#!/usr/bin/env python3
"""Rule ``policy.access.too_many_taps`` (认定方法 RD-1.3, static navigation) over every corpus APK, for the
hand-check in ``docs/rules-eval.md`` (section "RD-1.3: taps to the privacy policy").

Per APK: the main screen, the fewest taps found to a policy mark (or none), the blind-spot reason, routers, the
number of screens built, the finding (severity, message) if any, and the time the rule took.

Usage: ``.venv/bin/python bench/policy_access_eval.py [--corpus ../shared/corpus] [-o FILE]``
(default output ``bench/results/<date>-policy-access.json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RULE = "policy.access.too_many_taps"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    ap.add_argument("-o", "--output", default="")
    args = ap.parse_args(argv)
    from appwarden.errors import AppwardenError
    from appwarden.rules.engine import evaluate_rule
    from appwarden.rules.loader import load_rules
    from appwarden.rules.navigation import navigation
    from appwarden.scan import build_evidence

    rule = next(r for r in load_rules() if r.id == RULE)
    apks = sorted(Path(args.corpus, "apks").rglob("*.apk"))
    rows: list[dict[str, Any]] = []
    for apk in apks:
        name = str(apk.relative_to(Path(args.corpus, "apks")))
        try:
            ev = build_evidence(str(apk))
        except AppwardenError as exc:
            rows.append({"apk": name, "error": str(exc)[:200]})
            continue
        t = time.perf_counter()
        res = evaluate_rule(ev, rule)
        took = time.perf_counter() - t
        nav = navigation(ev)
        row: dict[str, Any] = {"apk": name, "seconds": round(took, 3)}
        if res.not_evaluated:
            row["not_evaluated"] = (
                res.not_evaluated[0].reason if hasattr(res.not_evaluated[0], "reason") else True
            )
        if res.errors:
            row["errors"] = [e.message for e in res.errors]
        if nav is not None:
            row.update(
                main=nav.main,
                taps=nav.taps,
                path=[[s, n, v] for s, n, v in nav.path()] if nav.taps is not None else [],
                mark=(nav.policy_mark.method, nav.policy_mark.what) if nav.policy_mark else None,
                unreached=[[s, m.method, m.what] for s, m in nav.unreached_marks],
                dialog_only=nav.dialog_only,
                blind=nav.blind,
                routers=nav.routers,
                screens=len(nav.screens),
                notes=nav.notes,
            )
        row["findings"] = [
            {"severity": f.severity, "confidence": f.confidence, "message_en": f.message_en}
            for f in res.findings
        ]
        rows.append(row)
        print(
            name,
            row.get("taps"),
            row.get("blind") or "",
            [f["message_en"][:90] for f in row["findings"]],
            file=sys.stderr,
            flush=True,
        )
    out = Path(args.output or ROOT / "bench" / "results" / f"{dt.date.today()}-policy-access.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"rule": RULE, "date": str(dt.date.today()), "machine": "2-core shared dev VM", "apks": rows}
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
