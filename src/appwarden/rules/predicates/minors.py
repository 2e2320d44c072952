"""Minors: an app for children/education collecting PI without guardian-consent evidence (儿童规定 §9, PIPL §31).

``minor_pi_without_guardian_consent`` needs the app category, the code and **a privacy policy**: without a policy
the rule is ``not_evaluated`` (static evidence alone cannot tell whether a guardian consent step exists). It fires
when the category is one of ``categories`` (default ``N39-19`` 学习教育类), the code collects PI of
``pi_categories`` (default: device identifiers, location, contacts, SMS, call log, app list, camera, microphone),
and the policy has no sentence naming the guardian (监护人/家长) together with consent (同意/授权). A policy object
that was not found (``PolicyEvidence.found`` false: none bundled, none supplied) leaves the rule ``not_evaluated``
(``EvidenceMissing``): the policy may be online only. The policy's ``minors`` element
(from the policy stage) is cited when present.
"""

from __future__ import annotations

import re

from appwarden.evidence import Evidence
from appwarden.rules.model import EvidenceMissing, Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import callsite_item

DEFAULT_PI = ("imei", "imsi", "mac", "android_id", "serial", "location", "contacts", "sms", "call_log", "app_list",
              "camera", "microphone")  # fmt: skip
GUARDIAN = re.compile(r"监护人|家长|父母")
CONSENT = re.compile(r"同意|授权|许可")


def guardian_consent_sentences(policy) -> list[dict]:
    """Policy sentences naming a guardian together with consent, as ``policy`` evidence items."""
    out = []
    for s in getattr(policy, "sentences", None) or []:
        text = getattr(s, "text", "")
        if GUARDIAN.search(text) and CONSENT.search(text):
            out.append({"type": "policy", "sentence": text[:200], "start": s.start, "end": s.end})
    if not out and getattr(policy, "text", ""):  # no sentence split: look at the raw text
        for m in GUARDIAN.finditer(policy.text):
            window = policy.text[max(0, m.start() - 60) : m.end() + 60]
            if CONSENT.search(window):
                out.append(
                    {
                        "type": "policy",
                        "sentence": window,
                        "start": max(0, m.start() - 60),
                        "end": m.end() + 60,
                    }
                )
                break
    return out


@predicate("minor_pi_without_guardian_consent", needs=("app.category", "policy.text", "static.callsites"))
def minor_pi_without_guardian_consent(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    if static is None or evidence.category not in set(param(params, "categories", ("N39-19",))):
        return []
    wanted = set(param(params, "pi_categories", DEFAULT_PI))
    sites = [
        s for s in static.callsites if s.category in wanted and s.kind in ("invoke", "field", "reflection")
    ]
    if not sites:
        return []
    policy = evidence.policy
    if not getattr(policy, "found", True):
        raise EvidenceMissing(
            "policy.text", "no privacy policy found in the APK and none supplied (--policy)"
        )
    if guardian_consent_sentences(policy):
        return []
    items = [callsite_item(s) for s in sites[: int(param(params, "max_sites", 50))]]
    element = (getattr(policy, "elements", None) or {}).get("minors")
    if element is not None:
        items.append({"type": "policy", "element": "minors", "present": bool(getattr(element, "present", False)),
                      "sentence": "", "start": 0, "end": 0})  # fmt: skip
    cats = sorted({s.category for s in sites})
    return [
        Hit(
            evidence=items,
            owner="host",
            confidence="possible" if evidence.category_inferred else None,
            message_zh=f"面向未成年人的应用（{evidence.category}）收集{'、'.join(cats)}，隐私政策中未见征得监护人同意的说明。",
            message_en=f"App for minors ({evidence.category}) collects {', '.join(cats)}; the policy shows no guardian consent.",
        )
    ]
