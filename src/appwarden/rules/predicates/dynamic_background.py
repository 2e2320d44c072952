"""Collection in the background and self-start, from a runtime trace (``dynamic_background_collection``,
``dynamic_self_start``).

``dynamic_background_collection``: PI accesses while the app was in the background (after ``app_background`` and
before ``app_foreground``, or after a process start not caused by the user), one hit per owner (M164-1.2-S5..S8:
"在后台运行时…收集"). A hit adds M164-1.2-S6 ("在静默状态下或在后台运行时，存在按照一定频次收集…") when one of the
owner's background APIs was read periodically (the ``dynamic_frequency_exceeded`` periodic test with its defaults) and
every call of that API by that owner was made in the background, so the steady run is wholly in the background.
Params: ``categories`` / ``exclude_categories``.

``dynamic_self_start``: the process was started by something other than the user (``process_start`` with cause
``boot``, ``push``, ``alarm``, ``other_app``, ...; 自启动/关联启动, M164-2.2). A start before any consent is
stated in the evidence (M164-2.2-S2). The trace can only show starts the agent witnessed (the tester must leave the
agent attached, e.g. with ``frida -W`` / spawn gating), so absence proves nothing. Params: ``causes`` (the causes
that count; default: every cause except ``launcher``, ``user``, ``unknown``).
"""

from __future__ import annotations

from appwarden.dynamic.refs import observation_ref, start_ref
from appwarden.evidence import Evidence
from appwarden.knowledge import pi_categories
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.predicates.dynamic_consent import by_owner, select, validate_categories
from appwarden.rules.predicates.dynamic_frequency import (
    PERIODIC_MIN_READS,
    PERIODIC_MIN_SPAN_S,
    periodic_interval_s,
)
from appwarden.rules.static_support import owner_label_zh

# how a process start not made by the user is named in message_zh (trace ``cause`` values, docs/dynamic.md)
START_CAUSES_ZH = {
    "boot": "开机启动",
    "push": "推送唤醒",
    "alarm": "定时任务唤醒",
    "other_app": "其他应用拉起",
    "self_restart": "进程被杀后自行重启",
}

PERIODIC_BACKGROUND_SCENARIO = "M164-1.2-S6"  # periodic collection wholly in the background


@predicate("dynamic_background_collection", needs=("dynamic.trace",), validate=validate_categories)
def dynamic_background_collection(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    hits = []
    for owner, obs in by_owner(select(dyn.background, params)).items():
        total = sum(o.count for o in obs)
        apis = {o.api for o in obs}
        periodic = any(
            p.owner == owner
            and p.api in apis
            and p.total > 0
            and p.background_calls == p.total
            and periodic_interval_s(p, PERIODIC_MIN_READS, PERIODIC_MIN_SPAN_S) is not None
            for p in dyn.frequency
        )
        cats = ", ".join(dict.fromkeys(o.category for o in obs))
        records = pi_categories()
        cats_zh = "、".join(
            str(records.get(c, {}).get("name_zh", c)) for c in dict.fromkeys(o.category for o in obs)
        )
        hits.append(
            Hit(
                evidence=[observation_ref(o, "api_call_background") for o in obs],
                owner=owner,
                message_zh=(
                    "应用在后台运行时"
                    if owner == "host"
                    else f"{owner_label_zh(evidence, owner)}在应用后台运行时"
                )
                + f"收集个人信息（{cats_zh}，共 {total} 次）",
                message_en=f"collected PI ({cats}) {total} times while the app was in the background",
                clauses=[PERIODIC_BACKGROUND_SCENARIO] if periodic else [],
            )
        )
    return hits


# M164-2.2-S2 "APP虽然有向用户明示并经用户同意环节，但频繁自启动或关联启动发生在用户同意前": added when the trace itself shows
# the consent step (a consent_agree) and a start not caused by the user before it.
BEFORE_CONSENT_SCENARIO = "M164-2.2-S2"


@predicate("dynamic_self_start", needs=("dynamic.trace",))
def dynamic_self_start(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    causes = param(params, "causes", None)
    starts = [p for p in dyn.self_starts() if causes is None or p.cause in causes]
    if not starts:
        return []
    kinds = ", ".join(dict.fromkeys(p.cause for p in starts))
    kinds_zh = "、".join(START_CAUSES_ZH.get(c, "其他原因") for c in dict.fromkeys(p.cause for p in starts))
    agreed = dyn.consent.agreed
    before = agreed is not None and any(p.t < agreed for p in starts)
    return [
        Hit(
            evidence=[start_ref(p) for p in starts],
            owner="host",
            message_zh=f"应用进程在无用户操作时被启动（{kinds_zh}），共 {len(starts)} 次",
            message_en=f"the app process was started without user action ({kinds}), {len(starts)} times",
            clauses=[BEFORE_CONSENT_SCENARIO] if before else [],
        )
    ]
