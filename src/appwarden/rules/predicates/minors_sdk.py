"""Apps for children whose advertising or analytics SDKs read device identifiers (儿童个人信息网络保护规定 §11, §16, §17).

``children_sdk_device_ids``: the app is one for children by its own name — the launcher label or a package-name
segment matches ``label_pattern`` / ``package_tokens`` (儿童、少儿、幼儿、宝宝、启蒙、早教、儿歌、绘本…; kids, child, baby…)
— and an SDK of a KB category in ``sdk_categories`` (default ``advertising``, ``analytics``) has call sites of a
device-identifier category (``categories``, default IMEI, IMSI, ICCID, MAC, Android ID, serial, OAID). One hit per
SDK; unresolved call sites are ignored as in every call-site rule. A device identifier is not needed to serve a
child (§11: 不得收集与其提供的服务无关的儿童个人信息), and an SDK reading it means a third party processes or receives
children's PI (§16 委托, §17 转移), which requires a security assessment nobody can see in an APK: the finding is the
lead for that check. The 39类 category alone (学习教育类) is not used: education apps serve adults too.

Limits: an app for children whose name says nothing of it is missed; an SDK configured to skip identifiers for
child users is reported (the configuration is a server or init-time choice): ``possible``.
"""

from __future__ import annotations

import re

from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import callsite_item, owner_label_zh

DEFAULT_LABEL = (
    r"儿童|少儿|幼儿|宝宝|宝贝|启蒙|早教|儿歌|绘本|识字|幼儿园|小学生|亲子|童话|kids?\b|children|baby|toddler"
)
DEFAULT_TOKENS = (
    "kid",
    "kids",
    "child",
    "children",
    "baby",
    "babies",
    "toddler",
    "preschool",
    "ertong",
    "baobao",
)
DEFAULT_IDS = ("imei", "imsi", "iccid", "mac", "android_id", "serial", "oaid")


def child_signals(evidence: Evidence, params: dict) -> list[dict]:
    """Evidence items showing the app is for children (label or package segment), empty when none."""
    static = evidence.static
    if static is None:
        return []
    out = []
    label = (static.manifest.label if static.manifest is not None else None) or static.app.label or ""
    rx = re.compile(str(param(params, "label_pattern", DEFAULT_LABEL)), re.IGNORECASE)
    if label and rx.search(label):
        out.append({"type": "manifest", "attribute": "android:label", "value": label})
    tokens = set(param(params, "package_tokens", DEFAULT_TOKENS))
    package = static.app.package or ""
    segments = package.lower().split(".")[1:]  # the first segment (com, cn, ...) says nothing
    if any(s in tokens for s in segments):
        out.append({"type": "manifest", "attribute": "package", "value": package})
    return out


@predicate("children_sdk_device_ids", needs=("static.callsites", "static.sdks"))
def children_sdk_device_ids(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    if static is None:
        return []
    signals = child_signals(evidence, params)
    if not signals:
        return []
    wanted = {c.lower() for c in param(params, "sdk_categories", ("advertising", "analytics"))}
    cats = set(param(params, "categories", DEFAULT_IDS))
    sdk_cat = {h.id: str(h.category or "").lower() for h in static.sdks}
    per_owner: dict[str, list] = {}
    for site in static.callsites:
        if site.owner == "host" or site.unresolved or site.category not in cats:
            continue
        if sdk_cat.get(site.owner) not in wanted:
            continue
        per_owner.setdefault(site.owner, []).append(site)
    hits = []
    for owner, sites in per_owner.items():
        found = list(dict.fromkeys(s.category for s in sites))
        items = [*signals, {"type": "sdk", "id": owner, "category": sdk_cat.get(owner)}]
        items += [callsite_item(s) for s in sites[:6]]
        hits.append(
            Hit(
                evidence=items,
                owner=owner,
                message_zh=f"面向儿童的App中，{owner_label_zh(evidence, owner)}读取设备标识符（{'、'.join(found)}）："
                "与儿童服务无关，且意味着第三方处理儿童个人信息，需核查安全评估和监护人同意",
                message_en=f"in an app for children, {owner} reads device identifiers ({', '.join(found)}): not "
                "needed to serve a child, and a third party processes children's PI (check the assessment)",
            )
        )
    return hits
