"""Static findings upgraded to confirmed by a trace; never downgraded, never upgraded without matching evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.dynamic.analyze import load_dynamic_evidence
from appwarden.dynamic.attribution import PrefixAttributor
from appwarden.dynamic.confirm import confirmations, owner_confirmations, upgrade_findings
from appwarden.rules.model import Finding

TRACES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
SDKS = PrefixAttributor(
    {"com.umeng": "umeng", "cn.jpush": "jpush", "com.bytedance.sdk": "pangle"}, {"umeng.com": "umeng"}
)


def finding(rule_id: str, owner: str, category: str | None, confidence: str = "possible") -> Finding:
    evidence = [
        {"type": "callsite", "caller": "Lx;->y()V", "api": "Lz;->w()V", "category": category, "owner": owner}
    ]
    return Finding(
        rule_id, "t", "t", ["RD-3.1"], "high", confidence, True, evidence if category else [], owner=owner
    )


def load(name: str):
    return load_dynamic_evidence(TRACES / name, attributor=SDKS)


def test_confirmation_sets() -> None:
    dyn = load("sdk_android_id_pre_consent.jsonl")
    assert confirmations(dyn, "pre_consent") == {("android_id", "umeng")}
    assert confirmations(dyn, "third_party") == {("android_id", "umeng")}
    assert confirmations(dyn, "after_refusal") == set()
    assert owner_confirmations(load("self_start_push.jsonl"), "self_start") == {"host"}
    assert owner_confirmations(load("shake_sensitive.jsonl"), "shake_sensitive") == {"pangle"}
    assert owner_confirmations(load("shake_ok.jsonl"), "shake_sensitive") == set()
    with pytest.raises(ValueError):
        confirmations(dyn, "teleport")


def test_upgrade_only_matching_possible_findings() -> None:
    dyn = load("sdk_android_id_pre_consent.jsonl")
    predicate_of = {"pi.startup.device_id": "pi_api_at_startup", "sec.debuggable": "manifest_flag"}
    findings = [
        finding("pi.startup.device_id", "umeng", "android_id"),  # confirmed by the trace
        finding("pi.startup.device_id", "umeng", "imei"),  # other category: stays possible
        finding("pi.startup.device_id", "host", "android_id"),  # other owner: stays possible
        finding("sec.debuggable", "umeng", "android_id"),  # no behaviour mapping: untouched
    ]
    out = upgrade_findings(findings, dyn, predicate_of)
    assert [f.confidence for f in out] == ["confirmed", "possible", "possible", "possible"]
    assert out[0].evidence[1] == {
        "type": "trace", "event": "confirmation", "behaviour": "pre_consent", "package": "com.example.shop",
        "categories": ["android_id"],
    }  # fmt: skip
    assert out[0].evidence[2]["ts"] == 310 and out[0].evidence[2]["owner"] == "umeng"
    assert findings[0].confidence == "possible"  # inputs are not mutated
    assert upgrade_findings(findings, None, predicate_of) == findings


def test_after_consent_trace_does_not_confirm_pre_consent_rule() -> None:
    dyn = load("sdk_android_id_after_consent.jsonl")
    out = upgrade_findings([finding("r", "umeng", "android_id")], dyn, {"r": "pi_api_at_startup"})
    assert out[0].confidence == "possible"
    out2 = upgrade_findings([finding("r", "umeng", "android_id")], dyn, {"r": "pi_callsites"})
    assert out2[0].confidence == "confirmed"
    marker = next(e for e in out2[0].evidence if e.get("event") == "confirmation")
    # what the trace showed, for the report's confirmed_categories
    assert marker["categories"] == ["android_id"]


def test_owner_level_upgrade() -> None:
    dyn = load("self_start_push.jsonl")
    f = finding("selfstart", "host", None, "likely")
    out = upgrade_findings([f], dyn, {"selfstart": "self_start_receivers"})
    assert out[0].confidence == "confirmed"
    assert out[0].evidence[-1]["cause"] == "push"
    marker = next(e for e in out[0].evidence if e.get("event") == "confirmation")
    assert "categories" not in marker  # a self-start confirms no PI category
    calm = load("mac_after_consent.jsonl")
    assert upgrade_findings([f], calm, {"selfstart": "self_start_receivers"})[0].confidence == "likely"
