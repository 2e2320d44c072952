"""PI API reachable before the user can consent (``pi_api_at_startup``) or after a refusal (``pi_api_after_refusal``).

``pi_api_at_startup``: pre-consent entry points are the methods Android runs when the process starts, before the
user can answer the privacy dialog: ``Application.attachBaseContext/onCreate`` (the manifest's application class
and the superclasses the app defines), every declared ``ContentProvider.onCreate/attachInfo`` (providers start
before ``Application.onCreate``; SDKs use them to initialise themselves), the ``AppComponentFactory``, the static
initialisers of those classes, and the launcher activity's ``onCreate`` (which shows the dialog). A PI call site
(``static.callsites``) whose caller is reachable from one of them in the call graph — directly or through an SDK
``init`` called there — is decided by the consent analysis (:mod:`appwarden.rules.consent`):

* **gated** (every path passes a branch on the app's consent flag, read directly or through a helper): no finding;
  the gate is noted in the report's ``consent`` section;
* **ungated** with a recognised consent flag: confidence ``likely``, the evidence carries the ungated path and the
  reason (``consent`` item: no branch on the flag on this path);
* the app's consent flag was not recognised: ``possible``, with the reason the analysis is unsure.

Every hit has ``behaviour: pre_consent``; a runtime trace with a consent timeline confirms it.

``pi_api_after_refusal``: PI call sites reachable from a refuse handler of the privacy dialog (a handler that
leaves the app or stores "not agreed") without a consent check, ``behaviour: after_refusal``, ``likely``.

Params (both): ``categories`` (PI category keys, required), ``kinds`` (call-site kinds to count, default
``invoke, field, reflection``: plain strings and content-URI literals alone are not a call), ``apis`` and
``require_strings`` (see ``pi_callsites``), ``sdk_clauses`` (clause IDs added to SDK-owned findings; the rule
must list them in ``extra_clauses``). One hit per owner (host or SDK) with every call site and one call path per
site as evidence.
"""

from __future__ import annotations

from appwarden.evidence import Evidence
from appwarden.knowledge import pi_categories
from appwarden.rules.consent import (
    ConsentModel,
    Decision,
    consent_model,
    contract_for,
    unconditional_prefix,
)
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import (
    callsite_item,
    class_of,
    code_of,
    filter_sites,
    owner_label_zh,
    owner_of,
    validate_categories,
)

DEFAULT_KINDS = ("invoke", "field", "reflection")


def _validate(params: dict) -> None:
    validate_categories(params)


def _sites(evidence: Evidence, params: dict, code) -> list:
    static = evidence.static
    categories = set(params["categories"])
    kinds = set(param(params, "kinds", DEFAULT_KINDS))
    sites = [s for s in static.callsites if s.category in categories and s.kind in kinds]
    return filter_sites(sites, params, code)


def _consent_item(evidence: Evidence, decision: Decision, model: ConsentModel, owner: str) -> dict:
    """The evidence item saying why no consent check guards the path (or why the analysis is unsure)."""
    told = model.told_agreed.get(owner)
    tested: list[str] | None = None
    if told is not None:
        reason = (
            f"the vendor's agree API {told['api']} is called with true at start-up ({told['caller']}), before the"
            " user can answer the privacy dialog"
        )
        reason_zh = (
            f"启动阶段即以 true 调用厂商的同意接口 {told['api']}（{told['caller']}），早于用户作出选择"
        )
    elif model.recognised:
        flags = ", ".join(model.flag_names()[:3])
        reason = f"no branch on the consent flag ({flags}) on this path"
        reason_zh = f"路径上没有对同意标志（{flags}）的判断"
    elif (tested := unconditional_prefix(evidence, model, decision.path)) is not None:
        what = ", ".join(tested[:4])
        reason = (
            "no consent flag recognised, but the app's own code on this path tests no condition that could be a"
            + (
                f" consent decision (it tests only: {what})"
                if what
                else " consent decision (it tests none at all)"
            )
        )
        reason_zh = "未识别出同意标志，但路径上应用自身代码没有任何可能是同意判断的条件" + (
            f"（仅判断：{what}）" if what else "（没有任何条件判断）"
        )
    elif decision.path and owner_of(evidence, class_of(decision.path[0])) != "host":
        start = decision.path[0]
        reason = f"{model.unsure_reason}; the path starts in SDK code ({start}), whose own conditions are not judged"
        reason_zh = f"未识别出应用的同意标志；路径从SDK自身代码（{start}）开始，未评估SDK内部的条件"
    else:
        reason = model.unsure_reason
        reason_zh = "未识别出应用的同意标志（如弹窗在WebView或资源中、标志为整数/字符串或实例字段），未评估路径上的条件"
    sure = model.recognised or told is not None or tested is not None
    if model.truncated and told is None:
        sure = False
        reason = f"{reason}; but the analysis reached its bound of decoded methods, so a consent check may be unseen"
        reason_zh = f"{reason_zh}；但分析已达到解码方法数上限，可能有未识别的同意判断"
    item = {
        "type": "consent",
        "verdict": "ungated" if sure else "unsure",
        "reason": reason,
        "reason_zh": reason_zh,
    }
    item["path"] = list(decision.path)
    contracts = contract_for(model, owner)
    if contracts:
        item["contracts"] = contracts[:5]
    return item


def _hits(
    evidence: Evidence,
    params: dict,
    by_owner: dict,
    cats_by_owner: dict,
    reason_items: dict,
    behaviour: str,
    confidence: str | None,
) -> list[Hit]:
    names = pi_categories()
    hits = []
    for owner, items in by_owner.items():
        cats = sorted(cats_by_owner[owner])
        zh = "、".join(names[c].get("name_zh", c) for c in cats)
        who = owner_label_zh(evidence, owner)
        if behaviour == "after_refusal":
            msg_zh = f"{who}在用户拒绝隐私政策后仍可调用{zh}相关接口，共{len(items)}处（拒绝处理代码未经同意判断即到达）。"
            msg_en = f"{owner}: {', '.join(cats)} API reached from the privacy dialog's refuse handler ({len(items)} call sites)."
        elif confidence == "likely":
            msg_zh = (
                f"{who}在用户同意隐私政策前即调用{zh}相关接口，共{len(items)}处，调用路径上没有同意判断。"
            )
            msg_en = f"{owner}: {', '.join(cats)} API reached from app start-up with no consent check on the path ({len(items)} call sites)."
        else:
            msg_zh = f"{who}在应用启动阶段（用户交互前）即可调用{zh}相关接口，共{len(items)}处。"
            msg_en = f"{owner}: {', '.join(cats)} API reachable from app start-up ({len(items)} call sites)."
        hits.append(
            Hit(
                evidence=[*items, *reason_items.get(owner, [])],
                owner=owner,
                clauses=[] if owner == "host" else list(param(params, "sdk_clauses", [])),
                message_zh=msg_zh,
                message_en=msg_en,
                confidence=confidence,
                behaviour=behaviour,
            )
        )
    return hits


@predicate("pi_api_at_startup", needs=("static.callsites", "static.entrypoints"), validate=_validate)
def pi_api_at_startup(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    code = code_of(evidence)
    if static is None or code is None:
        return []
    sites = _sites(evidence, params, code)
    if not sites:
        return []
    model = consent_model(evidence)
    if model is None:
        return []
    by_owner: dict[str, list[dict]] = {}
    cats_by_owner: dict[str, set[str]] = {}
    reasons: dict[str, list[dict]] = {}
    for site in sites:
        decision = model.decide(site)
        if decision.status == "unreached":
            continue
        if decision.status == "gated":
            model.record_gated(site.owner, site, decision)
            continue
        by_owner.setdefault(site.owner, []).append(callsite_item(site, decision.path or [site.caller]))
        cats_by_owner.setdefault(site.owner, set()).add(site.category)
        if site.owner not in reasons:
            reasons[site.owner] = [_consent_item(evidence, decision, model, site.owner)]
    hits = _hits(evidence, params, by_owner, cats_by_owner, reasons, "pre_consent", "likely")
    for hit in hits:  # unsure unless the consent item could say why nothing gates the path
        if not any(e.get("type") == "consent" and e.get("verdict") == "ungated" for e in hit.evidence):
            hit.confidence = "possible"
            hit.message_zh = hit.message_zh.replace(
                "在用户同意隐私政策前即调用", "在应用启动阶段（用户交互前）即可调用"
            )
            hit.message_zh = hit.message_zh.replace("，调用路径上没有同意判断。", "。")
            hit.message_en = hit.message_en.replace(
                "with no consent check on the path", "(consent check not evaluated)"
            )
    return hits


@predicate("pi_api_after_refusal", needs=("static.callsites", "static.entrypoints"), validate=_validate)
def pi_api_after_refusal(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    code = code_of(evidence)
    if static is None or code is None:
        return []
    sites = _sites(evidence, params, code)
    model = consent_model(evidence) if sites else None
    if model is None or not model.refuse_handlers:
        return []
    by_owner: dict[str, list[dict]] = {}
    cats_by_owner: dict[str, set[str]] = {}
    reasons: dict[str, list[dict]] = {}
    for site in sites:
        decision = model.after_refusal(site)
        if decision.status != "ungated":
            continue
        by_owner.setdefault(site.owner, []).append(callsite_item(site, decision.path))
        cats_by_owner.setdefault(site.owner, set()).add(site.category)
        reasons.setdefault(
            site.owner,
            [
                {
                    "type": "consent",
                    "verdict": "after_refusal",
                    "reason": f"reached from the refuse handler {decision.path[0]} without a consent check",
                    "reason_zh": f"从拒绝处理代码 {decision.path[0]} 出发、未经同意判断即可到达",
                    "path": list(decision.path),
                }
            ],
        )
    return _hits(evidence, params, by_owner, cats_by_owner, reasons, "after_refusal", "likely")
