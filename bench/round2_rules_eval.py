#!/usr/bin/env python3
"""Issue #20 rules over real inputs, for the hand-checks in ``docs/rules-eval.md`` (section "Round two").

Two runs, one JSON (``-o``, default ``bench/results/<date>-round2-rules.json``):

* ``capp130``: every CAPP-130 policy text (``<corpus>/policies/capp130/Original_policies/*.txt``) paired with a
  stand-in APK (``--apk``, default ``tests/rules/_apps/thirdparty.apk``: WeChat OpenSDK + Tinker, no ad SDK), for
  the policy-text rules; per rule the policies it fired on and the first evidence sentence.
* ``cn_sdk``: every APK of ``<corpus>/apks/cn_sdk/`` with its bundled policy when one is found (a policy searched
  for and not found gives no policy finding), for the static rules.
* ``cn_sdk_silent_policy``: the same APKs with ``tests/fixtures/policies/minimal_policy.txt`` (a policy that names
  no SDK, no login, no ads), for the rules that combine SDKs or call sites with the policy: what their SDK/code side
  fires on.

Usage: ``.venv/bin/python bench/round2_rules_eval.py [--corpus ../shared/corpus] [--rules id,id,...] [-o FILE]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ROUND2 = (
    "policy.update_notice.missing", "policy.forced_consent.whole_app", "policy.consent.forced_purpose",
    "policy.sharing.no_consent_basis", "policy.third_party_app.undisclosed", "policy.deletion.unreasonable_conditions",
    "policy.response_time.excessive", "policy.targeted_push.no_opt_out", "policy.targeted_push.undisclosed",
    "policy.pi.denied_but_collected", "policy.dual_lists.missing", "consent.checkbox.prechecked",
    "policy.simplified_chinese.missing", "minors.children_rules.missing",
)  # fmt: skip


def _first(finding: Any) -> str:
    for e in finding.evidence:
        if e.get("type") == "policy" and e.get("sentence"):
            return str(e["sentence"])[:160]
    e = finding.evidence[0] if finding.evidence else {}
    return json.dumps(e, ensure_ascii=False)[:160]


def run(inputs: list[tuple[str, str, str | None]], rules: list[Any]) -> dict[str, Any]:
    from appwarden.errors import AppwardenError
    from appwarden.rules.engine import evaluate_rule
    from appwarden.scan import build_evidence

    per_rule: dict[str, list[dict[str, Any]]] = {r.id: [] for r in rules}
    evaluated = {r.id: 0 for r in rules}
    errors = []
    for name, apk, policy in inputs:
        try:
            ev = build_evidence(apk, policy_path=policy)
        except AppwardenError as exc:
            errors.append({"input": name, "error": str(exc)[:200]})
            continue
        for rule in rules:
            res = evaluate_rule(ev, rule)
            if not res.not_evaluated:
                evaluated[rule.id] += 1
            for f in res.by_rule(rule.id):
                per_rule[rule.id].append(
                    {"input": name, "owner": f.owner, "confidence": f.confidence, "first": _first(f)}
                )
        print(name, file=sys.stderr)
    return {"evaluated": evaluated, "findings": per_rule, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--apk", type=Path, default=ROOT / "tests" / "rules" / "_apps" / "thirdparty.apk")
    ap.add_argument("--rules", default=",".join(ROUND2))
    ap.add_argument("-o", "--output", type=Path)
    args = ap.parse_args(argv)
    from appwarden.rules.loader import load_rules

    wanted = set(args.rules.split(","))
    rules = [r for r in load_rules() if r.id in wanted]
    policies = sorted((args.corpus / "policies" / "capp130" / "Original_policies").glob("*.txt"))
    apks = sorted((args.corpus / "apks" / "cn_sdk").glob("*.apk"))
    silent = ROOT / "tests" / "fixtures" / "policies" / "minimal_policy.txt"
    mixed = [r for r in rules if "policy.text" in r.needs and len(r.needs) > 1]
    out = {
        "date": dt.date.today().isoformat(),
        "rules": sorted(r.id for r in rules),
        "capp130": run(
            [(p.stem, str(args.apk), str(p)) for p in policies],
            [r for r in rules if "policy.text" in r.needs],
        ),
        "cn_sdk": run([(a.name, str(a), None) for a in apks], rules),
        "cn_sdk_silent_policy": run([(a.name, str(a), str(silent)) for a in apks], mixed),
    }
    path = args.output or ROOT / "bench" / "results" / f"{out['date']}-round2-rules.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    for part in ("capp130", "cn_sdk", "cn_sdk_silent_policy"):
        for rid in sorted(out[part]["evaluated"]):
            print(
                f"{part:8} {rid:42} evaluated {out[part]['evaluated'][rid]:4} fired {len(out[part]['findings'][rid]):4}"
            )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
