"""Privacy policy versus behaviour (隐私政策与实际行为一致性), and required policy contents.

``policy_missing``: a policy was searched for (bundled in the APK, or supplied) and none was found
(``PolicyEvidence.found`` false). Evidence: an absence item naming what was searched. When nobody searched
(``Evidence.policy`` is None) the rule is not evaluated.

``policy_pi_undeclared``: PI categories the app uses — static call sites (``static.callsites``) and, when a trace is
supplied, runtime API calls — that the policy does not declare, one finding per owner (host or SDK). A category is
declared when the policy names it or a covering category (基站 by 位置), or generic device-identifier wording; a
category listed in the SDK's own entry of the policy's SDK list counts for that SDK. Confidence: ``likely`` when
seen at runtime or reachable in the call graph through a resolved call site, else ``possible`` (library code that
may never run). Static call sites marked ``unresolved`` (an arg-filtered API such as ``ContentResolver.query`` whose
URI could not be resolved: not evidence of the category the PI stage guessed) are left out, as in every call-site
rule, except in an SDK whose knowledge-base record (the vendor's documentation) lists that category as collected
(JPush builds the ``Settings.Secure`` key at run time and documents collecting the Android ID): those stay, and never
make a finding ``likely``. Platform-library code with an unresolved argument never reaches this rule
(:func:`appwarden.dex.api_index.find_callsites` drops it). Params: ``ignore`` (categories not to report),
``include_unresolved`` (default false: keep every unresolved site).

``policy_sdk_undisclosed``: SDKs identified in the app that the policy (and its SDK list) never names — not by name,
vendor, or brand next to an SDK function word. Packers are ignored (``ignore_categories``). Severity is lowered to
``low`` for an SDK with no PI call sites (presence is not use).

``policy_permission_unexplained``: dangerous permissions requested in the manifest that the policy neither names
(``相机权限``, ``android.permission.CAMERA``) nor explains through a PI category they guard. Params: ``permissions``
(default: the runtime permissions that guard PI), ``accept_pi_declaration`` (default true).

``policy_element_missing``: required policy elements (params ``elements``) absent from the policy text, e.g.
account deletion (注销账号) or consent withdrawal (撤回同意); ``require_all_absent`` fires only when all are absent.

Limits: the policy analysis is phrase-based (see ``docs/policy-eval.md`` for measured precision/recall); a policy
hosted only online must be supplied with ``--policy``; every finding needs review.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.knowledge import pi_categories
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.predicates.permissions import DANGEROUS
from appwarden.rules.static_support import code_of, filter_sites, owner_label_zh

# ``appwarden.policy.consistency`` (and the text matchers it imports) is loaded only when a policy was found: a
# scan of an APK without one must not pay for the policy analysis modules.


def _found(evidence: Evidence) -> bool:
    """Whether a policy was found and analysed (the consistency checks treat anything else as 'nothing to check')."""
    policy = getattr(evidence, "policy", None)
    return policy is not None and bool(getattr(policy, "found", True))


@predicate("policy_missing", needs=("policy.text",))
def check_policy_missing(evidence: Evidence, params: dict) -> list[Hit]:
    from appwarden.policy.absence import policy_missing

    ref = policy_missing(evidence)
    if ref is None:
        return []
    return [
        Hit(
            evidence=[ref],
            message_zh="未找到隐私政策：APK内未内置隐私政策，也未提供隐私政策文件；请核实App是否以其他方式公开收集使用规则。",
            message_en="No privacy policy found: none bundled in the APK and none supplied; check whether the app "
            "publishes its rules in another way.",
        )
    ]


def _names(categories: list[str]) -> tuple[str, str]:
    cats = pi_categories()
    zh = "、".join(str(cats[c].get("name_zh", c)) for c in categories)
    en = ", ".join(str(cats[c].get("name_en", c)) for c in categories)
    return zh, en


@predicate("policy_pi_undeclared", needs=("policy.text", "static.callsites"))
def check_policy_pi_undeclared(evidence: Evidence, params: dict) -> list[Hit]:
    if not _found(evidence):
        return []
    from appwarden.policy.consistency import undeclared_pi

    ignore = tuple(param(params, "ignore", ()))
    hits: list[Hit] = []
    kept = _resolved_only(evidence, params)
    static = kept.static
    resolved_live = {
        (cs.owner, cs.category)
        for cs in (static.callsites if static is not None else [])
        if cs.reachable_from and not cs.unresolved
    }
    for entry in undeclared_pi(kept, ignore=ignore):
        zh, en = _names(entry.categories)
        who_zh = owner_label_zh(kept, entry.owner, host="App自身")
        who_en = "the app" if entry.owner == "host" else f"SDK {entry.owner}"
        live = entry.reachable and any((entry.owner, c) in resolved_live for c in entry.categories)
        confidence = "likely" if (entry.observed_at_runtime or live) else "possible"
        hits.append(
            Hit(
                evidence=entry.evidence,
                owner=entry.owner,
                message_zh=f"{who_zh}使用了隐私政策未声明的个人信息：{zh}",
                message_en=f"{who_en} uses personal information the privacy policy does not declare: {en}",
                confidence=confidence,
            )
        )
    return hits


def _resolved_only(evidence: Evidence, params: dict) -> Evidence:
    """``evidence`` with the static call sites marked ``unresolved`` left out (unless ``include_unresolved``), except
    an SDK's whose knowledge-base record lists the site's category as collected (:func:`_documented`); and, for a
    category named in ``category_filters``, only the sites its filter keeps (:func:`filter_sites`)."""
    static = evidence.static
    if static is None:
        return evidence
    filters: dict[str, dict] = dict(param(params, "category_filters", {}) or {})
    kept = list(static.callsites)
    if filters:
        code = code_of(evidence)
        passed = {
            id(s)
            for cat, spec in filters.items()
            for s in filter_sites(
                [s for s in kept if s.category == cat], {**spec, "include_unresolved": True}, code
            )
        }
        kept = [s for s in kept if s.category not in filters or id(s) in passed]
    if not param(params, "include_unresolved", False):
        kept = [s for s in kept if not s.unresolved or _documented(s.owner, s.category)]
    if len(kept) == len(static.callsites):
        return evidence
    return replace(evidence, static=replace(static, callsites=kept))


def _documented(owner: str, category: str) -> bool:
    """Whether the SDK ``owner``'s knowledge-base record (vendor documentation) lists ``category`` as collected."""
    if owner == "host":
        return False
    try:
        from appwarden.sdk.kb import load_kb

        record = load_kb().get(owner)
    except Exception:  # KB problems are reported by the SDK stage
        return False
    return record is not None and category in (record.pi_collected or ())


NOT_PI_BY_ITSELF = frozenset({"runtime_evasion"})


def _kb_pi_collected(sdk_id: str) -> bool:
    """Whether the SDK's knowledge-base record (vendor documentation) lists PI it collects."""
    try:
        from appwarden.sdk.kb import load_kb

        record = load_kb().get(sdk_id)
    except Exception:  # KB problems are reported by the SDK stage
        return False
    return bool(record is not None and record.pi_collected)


@predicate("policy_sdk_undisclosed", needs=("policy.text", "static.sdks"))
def check_policy_sdk_undisclosed(evidence: Evidence, params: dict) -> list[Hit]:
    if not _found(evidence):
        return []
    from appwarden.policy.consistency import undisclosed_sdks

    ignore = tuple(param(params, "ignore_categories", ("security_packer",)))
    hits: list[Hit] = []
    for item in undisclosed_sdks(evidence, ignore_categories=ignore):
        sdk = item.sdk
        # reflection / shell call sites (runtime_evasion) are a way to reach PI, not PI: an SDK seen only using them
        # is not a PI user, and a general-purpose library (category other) with nothing else is no third party
        uses_pi = any(c not in NOT_PI_BY_ITSELF for c in sdk.pi_categories or ())
        if not uses_pi and sdk.category == "other" and not _kb_pi_collected(sdk.id):
            continue
        hits.append(
            Hit(
                evidence=item.evidence,
                owner=sdk.id,
                message_zh=f"App集成的第三方SDK“{sdk.name_zh}”（{sdk.vendor}）未在隐私政策或第三方SDK清单中披露",
                message_en=f"Third-party SDK {sdk.name_en or sdk.id} ({sdk.vendor}) is not disclosed in the privacy policy",
                severity=None if uses_pi else "low",
                confidence=None if uses_pi else "possible",
            )
        )
    return hits


def _validate_permissions(params: dict) -> None:
    perms = params.get("permissions")
    if perms is not None and (not isinstance(perms, list) or not all(isinstance(p, str) for p in perms)):
        raise RuleError("policy_permission_unexplained: 'permissions' must be a list of permission names")


@predicate("policy_permission_unexplained", needs=("policy.text", "static.manifest"))
def check_policy_permission_unexplained(evidence: Evidence, params: dict) -> list[Hit]:
    if not _found(evidence):
        return []
    from appwarden.policy.consistency import unexplained_permissions

    perms = frozenset(param(params, "permissions", ())) or DANGEROUS
    refs = unexplained_permissions(
        evidence, permissions=perms, accept_pi_declaration=bool(param(params, "accept_pi_declaration", True))
    )
    if not refs:
        return []
    names = [r["name"].rsplit(".", 1)[-1] for r in refs if r["type"] == "permission"]
    return [
        Hit(
            evidence=refs,
            message_zh=f"App申请的权限未在隐私政策中说明目的：{'、'.join(names)}",
            message_en=f"Permissions requested without explanation in the privacy policy: {', '.join(names)}",
        )
    ]


check_policy_permission_unexplained.validate_params = _validate_permissions  # type: ignore[attr-defined]


def _validate_elements(params: dict) -> None:
    from appwarden.policy.elements import ELEMENTS

    elements = params.get("elements")
    if not isinstance(elements, list) or not elements:
        raise RuleError("policy_element_missing: 'elements' must be a non-empty list")
    unknown = [e for e in elements if e not in ELEMENTS]
    if unknown:
        raise RuleError(f"policy_element_missing: unknown element(s) {unknown}; known: {sorted(ELEMENTS)}")


@predicate("policy_element_missing", needs=("policy.text",))
def check_policy_element_missing(evidence: Evidence, params: dict) -> list[Hit]:
    if not _found(evidence):
        return []
    from appwarden.policy.absence import absence_ref
    from appwarden.policy.consistency import missing_elements
    from appwarden.policy.elements import ELEMENTS

    elements = tuple(param(params, "elements", ()))
    absent = missing_elements(
        evidence, elements, require_all_absent=bool(param(params, "require_all_absent", False))
    )
    if not absent:
        return []
    policy: Any = evidence.policy
    titles = [ELEMENTS[e].title_zh if e in ELEMENTS else e for e in absent]
    refs = [
        absence_ref(
            policy,
            e,
            f"隐私政策中未找到“{t}”相关内容",
            clauses=list(ELEMENTS[e].clauses) if e in ELEMENTS else [],
        )
        for e, t in zip(absent, titles, strict=True)
    ]
    return [
        Hit(
            evidence=refs,
            message_zh=f"隐私政策未说明：{'、'.join(titles)}",
            message_en=f"The privacy policy does not describe: {', '.join(absent)}",
        )
    ]


check_policy_element_missing.validate_params = _validate_elements  # type: ignore[attr-defined]
