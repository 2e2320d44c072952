"""Permission behaviour from a runtime trace (``dynamic_permission_rerequest``, ``dynamic_permission_premature``).

``dynamic_permission_rerequest``: a permission requested again after the user denied it, sooner than
``min_interval_h`` hours after the denial (default: ``DynamicParams.rerequest_min_interval_h`` = 48). The 48 h figure
is an industry convention (OmniSDK docs, security-training material) recorded as M26-T3 in
``shared/regulations/miit26.md``; **no primary legal text with that number was found**, so the rules citing this
predicate stay at ``likely`` and the interval is a parameter. The re-request itself is what M164-2.1-S5/S6
("用户明确拒绝…后，仍向用户频繁弹窗申请") and M337-6 ("频繁申请权限") describe. One hit per requesting owner. A hit adds
M164-2.1-S6 ("重新运行时，仍向用户弹窗申请") when, for one of its re-requests, the trace shows the user starting the app
again (``process_start`` with cause ``launcher``/``user``) between the denial and the re-request. It adds M164-2.1-S1
("APP首次启动时…用户拒绝授权后…应用陷入弹窗循环，无法正常使用") when the trace starts from a fresh install (header
``app_state: fresh``), the first denial of a permission falls within ``DynamicParams.startup_window_ms`` and that
permission is asked again at least ``LOOP_MIN_REREQUESTS`` times, each within ``LOOP_MAX_GAP_MS`` of the previous
denial (a dialog that comes straight back: both numbers are this project's choice, the scenario gives none).

``dynamic_permission_premature``: a permission requested within the first ``startup_window_ms`` of the session,
granted, and then not used by any API that needs it within ``need_window_ms`` (M164-2.1-S7: "未见使用权限对应的相关
功能或服务时，不应提前向用户弹窗申请"). Denied requests are not judged. Permissions no PI API needs (per
``knowledge/pi_apis.yaml``) are not judged either. Params: ``ignore`` (permissions never reported).

``dynamic_permission_outside_consent``: a request for a permission that gives access to PI (any permission the
knowledge base lists for a PI category) before the user agreed to the privacy policy (``phase: before_consent``,
RD-3.1 "征得用户同意前…打开可收集个人信息的权限") or after a refusal/withdrawal (``phase: after_refusal``, RD-3.2).
A trace with no consent step at all lowers ``before_consent`` to ``likely`` (app started fresh) or ``possible``
(stored state unknown). Params: ``phase`` (required),
``ignore``.
"""

from __future__ import annotations

from appwarden.dynamic.model import DynamicEvidence, Rerequest
from appwarden.dynamic.pi_lookup import permission_categories
from appwarden.dynamic.refs import early_ref, permission_request_ref, rerequest_ref
from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate

RERUN_SCENARIO = "M164-2.1-S6"  # re-asked after the app was run again
RERUN_CAUSES = ("launcher", "user")  # a start the user made (not "unknown": it must be shown, not assumed)
LOOP_SCENARIO = "M164-2.1-S1"  # first launch: refusal answered by the same dialog again and again
LOOP_MAX_GAP_MS = 5_000  # project choice: the dialog is back within 5 s of the denial
LOOP_MIN_REREQUESTS = 2  # project choice: asked again twice in a row (three dialogs for one permission)


def _dialog_loop(dyn: DynamicEvidence, items: list[Rerequest]) -> bool:
    """Whether ``items`` (one owner's re-requests) show a permission dialog loop at first launch (see the docstring)."""
    if dyn.consent.app_state != "fresh":
        return False
    by_perm: dict[str, list] = {}
    for r in items:
        by_perm.setdefault(r.permission, []).append(r)
    return any(
        min(r.denied_at for r in rs) <= dyn.params.startup_window_ms
        and sum(1 for r in rs if r.gap_ms <= LOOP_MAX_GAP_MS) >= LOOP_MIN_REREQUESTS
        for rs in by_perm.values()
    )


def _validate_rerequest(params: dict) -> None:
    value = params.get("min_interval_h")
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool) or value <= 0):
        raise RuleError("'min_interval_h' must be a positive number of hours")


@predicate("dynamic_permission_rerequest", needs=("dynamic.trace",), validate=_validate_rerequest)
def dynamic_permission_rerequest(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    hours = float(param(params, "min_interval_h", dyn.params.rerequest_min_interval_h))
    grouped: dict[str, list] = {}
    for r in dyn.rerequests_within(hours):
        grouped.setdefault(r.owner, []).append(r)
    hits = []
    for owner, items in grouped.items():
        perms = ", ".join(dict.fromkeys(r.permission.rsplit(".", 1)[-1] for r in items))
        shortest = min(r.gap_ms for r in items)
        rerun = any(
            p.cause in RERUN_CAUSES and r.denied_at < p.t <= r.requested_at
            for r in items
            for p in dyn.process_starts
        )
        hits.append(
            Hit(
                evidence=[rerequest_ref(r, hours) for r in items],
                owner=owner,
                message_zh=f"用户拒绝后再次申请权限 {perms}（最短间隔 {shortest / 1000:.0f} 秒，少于 {hours:g} 小时），共 {len(items)} 次",
                message_en=f"re-requested {perms} after denial {len(items)} times (shortest gap {shortest / 1000:.0f} s < {hours:g} h)",
                clauses=([RERUN_SCENARIO] if rerun else [])
                + ([LOOP_SCENARIO] if _dialog_loop(dyn, items) else []),
            )
        )
    return hits


@predicate("dynamic_permission_premature", needs=("dynamic.trace",))
def dynamic_permission_premature(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    ignore = set(param(params, "ignore", ()))
    grouped: dict[str, list] = {}
    for r in dyn.early_requests:
        if r.permission not in ignore:
            grouped.setdefault(r.owner, []).append(r)
    hits = []
    for owner, items in grouped.items():
        perms = ", ".join(dict.fromkeys(r.permission.rsplit(".", 1)[-1] for r in items))
        hits.append(
            Hit(
                evidence=[early_ref(r) for r in items],
                owner=owner,
                message_zh=f"启动时即申请权限 {perms}，但随后未使用相应功能",
                message_en=f"requested {perms} at start-up, then no API needing them was used",
            )
        )
    return hits


PHASES = ("before_consent", "after_refusal")


def _validate_phase(params: dict) -> None:
    if params.get("phase") not in PHASES:
        raise RuleError(f"'phase' must be one of {', '.join(PHASES)}")


@predicate("dynamic_permission_outside_consent", needs=("dynamic.trace",), validate=_validate_phase)
def dynamic_permission_outside_consent(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    phase = params["phase"]
    ignore = set(param(params, "ignore", ()))
    pi_perms = permission_categories()
    grouped: dict[str, list] = {}
    for r in dyn.permission_requests:
        if not (r.before_consent if phase == "before_consent" else r.after_refusal):
            continue
        perms = [p for p in r.permissions if p in pi_perms and p not in ignore]
        if perms:
            grouped.setdefault(r.owner, []).append(permission_request_ref(r, perms, phase))
    hits = []
    for owner, refs in grouped.items():
        names = ", ".join(dict.fromkeys(p.rsplit(".", 1)[-1] for ref in refs for p in ref["permissions"]))
        before = phase == "before_consent"
        hits.append(
            Hit(
                evidence=refs,
                owner=owner,
                message_zh=("同意隐私政策前" if before else "用户拒绝或撤回同意后")
                + f"申请可收集个人信息的权限 {names}",
                message_en=f"requested PI permissions {names} "
                + (
                    "before the user agreed to the privacy policy"
                    if before
                    else "after the user refused consent"
                ),
                confidence=dyn.consent.pre_consent_confidence() if before else None,
            )
        )
    return hits
