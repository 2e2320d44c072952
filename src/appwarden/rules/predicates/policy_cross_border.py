"""Overseas SDKs and a policy silent on cross-border transfer (GB/T 35273 §9.8) — ``policy_cross_border_undisclosed``.

The APK embeds SDKs whose vendor the knowledge base records as not Chinese (``chinese: false``) and that collect PI
(call sites of the SDK in this APK, or the vendor's own documentation in the KB record, ``pi_collected``), and the
policy has no sentence on cross-border transfer (the policy stage's ``cross_border`` element: 跨境、出境、境外、传输至
国外/海外). One finding naming the SDKs; when the policy does state where PI is stored (``storage_location``, typically
"境内收集的个人信息存储在境内") the message says so: the overseas SDKs may contradict it. Params: ``ignore_categories`` (KB categories not counted, default
``security_packer``, ``other``: general-purpose libraries), ``require_callsites`` (default false: the KB record is
enough).

Limits: an overseas SDK may be configured to a mainland endpoint (a China edition): the finding is a lead
(``possible``); whether data really leaves the country is a network question; a policy hosted online must be supplied.
"""

from __future__ import annotations

from typing import Any

from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate


@predicate("policy_cross_border_undisclosed", needs=("policy.text", "static.sdks"))
def policy_cross_border_undisclosed(evidence: Evidence, params: dict) -> list[Hit]:
    policy = evidence.policy
    static = evidence.static
    if policy is None or not getattr(policy, "found", True) or static is None:
        return []
    from appwarden.policy.absence import absence_ref
    from appwarden.policy.consistency import missing_elements
    from appwarden.sdk.kb import load_kb

    if not missing_elements(evidence, ("cross_border",)):
        return []
    kb = load_kb()
    ignore = set(param(params, "ignore_categories", ("security_packer", "other")))
    need_sites = bool(param(params, "require_callsites", False))
    with_sites = {s.owner for s in static.callsites if s.owner != "host" and not s.unresolved}
    refs: list[dict[str, Any]] = []
    names = []
    for hit in static.sdks:
        record = kb.get(hit.id)
        if record is None or getattr(record, "chinese", True) or hit.category in ignore:
            continue
        collects = hit.id in with_sites or (not need_sites and bool(getattr(record, "pi_collected", ())))
        if not collects:
            continue
        refs.append({"type": "sdk", "id": hit.id, "name_en": hit.name_en, "vendor": hit.vendor, "chinese": False,
                     "pi_categories": list(hit.pi_categories or record.pi_collected or [])})  # fmt: skip
        names.append(hit.name_en or hit.id)
    if not refs:
        return []
    refs.append(absence_ref(policy, "cross_border", "隐私政策中未找到跨境传输（出境）相关说明"))
    sdks = "、".join(names)
    if policy.has(
        "storage_location"
    ):  # e.g. 境内收集的个人信息存储在境内: a statement the overseas SDKs may contradict
        zh = f"隐私政策只说明个人信息存储地点（如存储在境内），未说明出境；但App集成境外SDK（{sdks}）收集个人信息，需核实是否出境"
        en = f"the policy states where PI is stored (e.g. in China) but not any transfer abroad, while overseas SDKs ({', '.join(names)}) collect PI"
    else:
        zh = f"App集成境外SDK（{sdks}）收集个人信息，隐私政策未说明个人信息出境/跨境传输"
        en = f"overseas SDKs ({', '.join(names)}) collect PI and the policy says nothing of cross-border transfer"
    return [Hit(evidence=refs, owner="host", message_zh=zh, message_en=en)]
