#!/usr/bin/env python3
"""Issue #20 round 3 rules over real inputs, for the hand-checks in ``docs/rules-eval.md`` (section "Round three").

One JSON (``-o``, default ``bench/results/<date>-round3-rules.json``) with, per run, the inputs each rule was
evaluated on and every finding (input, owner, confidence, first evidence item):

* ``capp130``: the policy-text rules on every CAPP-130 policy with a stand-in APK (``tests/rules/_apps/thirdparty.apk``);
* ``capp130_overseas_sdk``: ``policy.cross_border.undisclosed`` on every CAPP-130 policy with ``leads.apk`` (which embeds
  a Firebase Analytics stand-in): how often the policy side (no cross-border sentence) holds;
* ``cn_sdk``, ``global_sdk``, ``clean``: the static rules on every APK of those corpus sets (no policy supplied; a
  bundled policy is used when the APK has one).

The dynamic rules of round 3 need traces, which the corpus does not have; they are not run here.

Usage: ``.venv/bin/python bench/round3_rules_eval.py [--corpus ../shared/corpus] [-o FILE]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from round2_rules_eval import run  # noqa: E402

STATIC = (
    "ads.sdk.app_install", "ads.personalization.no_switch", "lure.identity_for_reward",
    "sub.auto_renewal.no_cancellation", "uninstall.launcher_hidden", "minors.third_party_device_ids",
)  # fmt: skip
POLICY = (
    "policy.right_correct.missing", "policy.right_delete.missing", "policy.retention.missing",
    "minors.child_age_definition",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--apk", type=Path, default=ROOT / "tests" / "rules" / "_apps" / "thirdparty.apk")
    ap.add_argument("-o", "--output", type=Path)
    args = ap.parse_args(argv)
    from appwarden.rules.loader import load_rules

    rules = {r.id: r for r in load_rules()}
    static = [rules[r] for r in STATIC]
    policy = [rules[r] for r in POLICY]
    policies = sorted((args.corpus / "policies" / "capp130" / "Original_policies").glob("*.txt"))
    out: dict = {"date": dt.date.today().isoformat(), "rules": [*STATIC, *POLICY]}
    out["capp130"] = run([(p.stem, str(args.apk), str(p)) for p in policies], policy)
    # the policy side of policy.cross_border.undisclosed: every CAPP-130 policy with an APK embedding an overseas SDK
    leads = ROOT / "tests" / "rules" / "_apps" / "leads.apk"
    out["capp130_overseas_sdk"] = run(
        [(p.stem, str(leads), str(p)) for p in policies], [rules["policy.cross_border.undisclosed"]]
    )
    for part in ("cn_sdk", "global_sdk", "clean"):
        apks = sorted((args.corpus / "apks" / part).glob("*.apk"))
        out[part] = run([(a.name, str(a), None) for a in apks], static)
    path = args.output or ROOT / "bench" / "results" / f"{out['date']}-round3-rules.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    for part in ("capp130", "capp130_overseas_sdk", "cn_sdk", "global_sdk", "clean"):
        for rid in sorted(out[part]["evaluated"]):
            fired = len(out[part]["findings"][rid])
            print(f"{part:10} {rid:40} evaluated {out[part]['evaluated'][rid]:4} fired {fired:4}")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
