"""Policy versus behaviour: what the app does (static call sites, SDKs, permissions, runtime trace) that its privacy
policy does not say. Pure functions over :class:`~appwarden.evidence.Evidence`; the rule predicates in
``appwarden.rules.predicates.policy_consistency`` turn their results into findings.

Every function returns ``[]`` when the evidence it needs is absent, and treats a policy with ``found=False`` as
"nothing declared" only in :func:`appwarden.policy.absence.policy_missing` (the other checks then return ``[]``:
the missing policy is the finding, not every consequence of it).

Leniency, on purpose (a false accusation costs more than a missed one; a reviewer confirms every finding):
* a PI category counts as declared when the policy names it or a category that covers it (:data:`COVERED_BY`,
  e.g. base-station info by 位置信息), or generic device-identifier wording;
* an SDK counts as disclosed when the policy lists it, names it, names its vendor, or names its brand next to an SDK
  function word (:func:`appwarden.policy.sdkmatch.disclosure`); general-purpose libraries (KB category ``other``)
  with no PI call sites and no known PI collection are not required to be listed;
* a permission counts as explained when the policy names it or declares a PI category it guards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appwarden.knowledge import pi_categories
from appwarden.policy.absence import absence_ref
from appwarden.policy.sdkmatch import disclosure, names_for
from appwarden.policy.textmatch import ascii_lower

# category -> categories whose declaration also covers it
COVERED_BY: dict[str, tuple[str, ...]] = {
    "cell": ("location",),
    "carrier": ("network_info", "iccid", "imsi"),
    "wifi": ("network_info",),
    "iccid": ("imsi",),
}
NOT_PI = frozenset({"runtime_evasion"})


@dataclass(slots=True)
class UndeclaredPi:
    """PI categories one owner (``host`` or an SDK id) was seen using, that the policy does not declare."""

    owner: str
    categories: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    observed_at_runtime: bool = False
    reachable: bool = False


def _policy_ok(evidence: Any) -> Any | None:
    policy = getattr(evidence, "policy", None)
    if policy is None or not getattr(policy, "found", True):
        return None
    return policy


def declared_categories(policy: Any) -> set[str]:
    """Categories the policy declares, widened by :data:`COVERED_BY`."""
    declared = {d.category for d in getattr(policy, "declared_pi", []) or []}
    widened = set(declared)
    for cat, covers in COVERED_BY.items():
        if any(c in declared for c in covers):
            widened.add(cat)
    return widened


def undeclared_pi(evidence: Any, *, ignore: tuple[str, ...] = (), max_refs: int = 3) -> list[UndeclaredPi]:
    """Per owner, PI categories used in code (static call sites) or at runtime (trace) but not declared."""
    policy = _policy_ok(evidence)
    if policy is None:
        return []
    declared = declared_categories(policy)
    per_sdk: dict[str, set[str]] = {}
    for sdk in getattr(policy, "declared_sdks", []) or []:
        if sdk.sdk_id:
            per_sdk.setdefault(sdk.sdk_id, set()).update(sdk.pi)
    skip = NOT_PI | set(ignore)
    known = set(pi_categories())
    results: dict[str, UndeclaredPi] = {}
    refs_per: dict[tuple[str, str], int] = {}

    def undeclared(owner: str, cat: str) -> bool:
        return (
            cat in known and cat not in skip and cat not in declared and cat not in per_sdk.get(owner, set())
        )

    static = getattr(evidence, "static", None)
    for cs in getattr(static, "callsites", []) or []:
        if not undeclared(cs.owner, cs.category):
            continue
        entry = results.setdefault(cs.owner, UndeclaredPi(owner=cs.owner))
        if cs.category not in entry.categories:
            entry.categories.append(cs.category)
        entry.reachable = entry.reachable or bool(cs.reachable_from)
        key = (cs.owner, cs.category)
        if refs_per.get(key, 0) < max_refs:
            refs_per[key] = refs_per.get(key, 0) + 1
            ref = {"type": "callsite", **cs.to_json()}
            entry.evidence.append(ref)
    dynamic = getattr(evidence, "dynamic", None)
    for obs in getattr(dynamic, "api_summary", []) or []:
        if not undeclared(obs.owner, obs.category):
            continue
        entry = results.setdefault(obs.owner, UndeclaredPi(owner=obs.owner))
        if obs.category not in entry.categories:
            entry.categories.append(obs.category)
        entry.observed_at_runtime = True
        key = (obs.owner, "trace:" + obs.category)
        if refs_per.get(key, 0) < max_refs:
            refs_per[key] = refs_per.get(key, 0) + 1
            ref = {
                "type": "trace",
                "event": "api_call",
                "ts": obs.t,
                "api": obs.api,
                "category": obs.category,
            }
            if obs.line is not None:
                ref["line"] = obs.line
            if obs.stack:
                ref["stack"] = list(obs.stack[:8])
            entry.evidence.append(ref)
    order = list(pi_categories())
    for entry in results.values():
        entry.categories.sort(key=order.index)
        names = "、".join(str(pi_categories()[c].get("name_zh", c)) for c in entry.categories)
        entry.evidence.append(
            absence_ref(
                policy, "declared_pi", f"隐私政策未声明收集：{names}", categories=list(entry.categories)
            )
        )
    return sorted(results.values(), key=lambda e: (e.owner != "host", e.owner))


@dataclass(slots=True)
class UndisclosedSdk:
    sdk: Any  # appwarden.evidence.SdkHit
    evidence: list[dict[str, Any]] = field(default_factory=list)
    uses_pi: bool = False


def _kb_record(sdk_id: str) -> Any:
    try:
        from appwarden.sdk.kb import load_kb

        return load_kb().get(sdk_id)
    except Exception:  # KB problems are reported by the SDK stage
        return None


def undisclosed_sdks(
    evidence: Any, *, ignore_categories: tuple[str, ...] = ("security_packer",)
) -> list[UndisclosedSdk]:
    """SDKs identified in the app that the policy neither lists nor names (see module doc for leniency)."""
    policy = _policy_ok(evidence)
    static = getattr(evidence, "static", None)
    if policy is None or static is None:
        return []
    listed = {d.sdk_id for d in getattr(policy, "declared_sdks", []) or [] if d.sdk_id}
    text = getattr(policy, "text", "") or ""
    low = ascii_lower(text)
    out: list[UndisclosedSdk] = []
    for hit in getattr(static, "sdks", []) or []:
        if hit.category in ignore_categories or hit.id in listed:
            continue
        record = _kb_record(hit.id) or hit
        if hit.category == "other" and not hit.pi_categories and not getattr(record, "pi_collected", ()):
            continue  # a general-purpose library with no PI use known or seen: not a PI-sharing third party
        if disclosure(names_for(record), text, low) is not None:
            continue
        sdk_ref = {
            "type": "sdk",
            "id": hit.id,
            "name_zh": hit.name_zh,
            "name_en": hit.name_en,
            "vendor": hit.vendor,
        }
        if hit.matched:
            sdk_ref["matched"] = list(hit.matched[:5])
        if hit.pi_categories:
            sdk_ref["pi_categories"] = list(hit.pi_categories)
        refs = [
            sdk_ref,
            absence_ref(
                policy,
                "sdk_list",
                f"隐私政策及第三方SDK清单中未列出：{hit.name_zh}（{hit.vendor}）",
                sdk=hit.id,
            ),
        ]
        out.append(UndisclosedSdk(sdk=hit, evidence=refs, uses_pi=bool(hit.pi_categories)))
    return out


def _permission_categories() -> dict[str, set[str]]:
    perm_cats: dict[str, set[str]] = {}
    for cat, rec in pi_categories().items():
        for perm in rec.get("permissions") or []:
            perm_cats.setdefault(perm, set()).add(cat)
    return perm_cats


def unexplained_permissions(
    evidence: Any, *, permissions: frozenset[str] | set[str], accept_pi_declaration: bool = True
) -> list[dict[str, Any]]:
    """Permissions from ``permissions`` the manifest requests and the policy does not explain: evidence items
    (``permission`` refs, then one ``policy`` absence item), or ``[]``."""
    policy = _policy_ok(evidence)
    static = getattr(evidence, "static", None)
    manifest = getattr(static, "manifest", None)
    if policy is None or manifest is None:
        return []
    explained = {d.permission for d in getattr(policy, "declared_permissions", []) or []}
    declared = declared_categories(policy)
    perm_cats = _permission_categories()
    missing: list[str] = []
    for perm in manifest.permissions:
        if perm not in permissions or perm in explained:
            continue
        if accept_pi_declaration and perm_cats.get(perm, set()) & declared:
            continue
        missing.append(perm)
    if not missing:
        return []
    refs: list[dict[str, Any]] = [{"type": "permission", "name": p} for p in missing]
    short = "、".join(p.rsplit(".", 1)[-1] for p in missing)
    refs.append(
        absence_ref(
            policy, "declared_permissions", f"隐私政策未说明申请以下权限的目的：{short}", permissions=missing
        )
    )
    return refs


def missing_elements(
    evidence: Any, elements: tuple[str, ...], *, require_all_absent: bool = False
) -> list[str]:
    """Names from ``elements`` that the (found) policy lacks; with ``require_all_absent``, ``[]`` unless every one
    of them is absent (e.g. neither a complaint channel nor any contact)."""
    policy = _policy_ok(evidence)
    if policy is None:
        return []
    absent = [e for e in elements if not policy.has(e)]
    if require_all_absent and len(absent) != len(elements):
        return []
    return absent
