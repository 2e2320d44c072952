"""PI sent off the device to third parties, from a runtime trace or a proxy capture (``dynamic_pi_to_third_party``).

A ``network`` event carrying PI (categories detected in query, body, headers or cookies) to a host that is not the
app operator's own (``attribution.is_first_party``: the header's ``app.first_party_domains``, else the package's
reversed prefix) fires, one hit per owner: the SDK in the request's stack, else the SDK owning the domain, else the
host app. Whether the transfer is disclosed and consented is a policy question: sends *before consent* are raised to
``confirmed`` / ``high`` (M164-1.3 together with M164-1.1); sends after consent stay at the rule's defaults, a lead
for comparison with the policy's third-party list (M164-1.3-S2).

Params: ``categories`` (only these), ``include_first_party`` (default false).
"""

from __future__ import annotations

from appwarden.dynamic.refs import transmission_ref
from appwarden.evidence import Evidence
from appwarden.knowledge import pi_categories
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.predicates.dynamic_consent import validate_categories


@predicate("dynamic_pi_to_third_party", needs=("dynamic.trace",), validate=validate_categories)
def dynamic_pi_to_third_party(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    only = set(param(params, "categories", ()))
    first_party_too = bool(param(params, "include_first_party", False))
    grouped: dict[str, list] = {}
    for x in dyn.transmissions:
        if not (x.third_party or first_party_too):
            continue
        if only and not only.intersection(x.categories):
            continue
        grouped.setdefault(x.owner, []).append(x)
    hits = []
    for owner, items in grouped.items():
        hosts = ", ".join(dict.fromkeys(x.host for x in items))
        cats = ", ".join(dict.fromkeys(c for x in items for c in x.categories))
        records = pi_categories()
        cats_zh = "、".join(
            str(records.get(c, {}).get("name_zh", c))
            for c in dict.fromkeys(c for x in items for c in x.categories)
        )
        early = any(x.before_consent for x in items)
        hits.append(
            Hit(
                evidence=[transmission_ref(x) for x in items],
                owner=owner,
                message_zh=("同意隐私政策前" if early else "")
                + f"向第三方 {hosts} 发送个人信息（{cats_zh}）",
                message_en=f"sent PI ({cats}) to third-party {hosts}" + (" before consent" if early else ""),
                confidence="confirmed" if early else None,
                severity="high" if early else None,
            )
        )
    return hits
