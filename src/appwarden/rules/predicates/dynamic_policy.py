"""A runtime trace read against the privacy policy: the 164号文 scenarios that need both (issue #20).

Each predicate needs ``dynamic.trace`` and ``policy.text`` (without them the rule is ``not_evaluated``); a policy that
was searched for and not found gives no finding, as in every policy-consistency rule (the missing policy is
``policy.missing``'s finding, not every consequence of it). What the
policy "declares" is read as in ``policy.pi.undeclared`` (:func:`appwarden.policy.consistency.declared_categories`:
a category or a covering one, e.g. 基站 by 位置; plus the categories listed in an SDK's own entry of the policy's SDK
list), and an SDK counts as disclosed when the policy lists it, names it, its vendor, or its brand next to an SDK
function word (:func:`appwarden.policy.sdkmatch.disclosure`) — the same leniency as ``policy.sdk.undisclosed``, so a
finding here is never weaker than the static one it joins. Owners come from the trace's stacks (SDK knowledge base).

``dynamic_pi_undeclared_after_consent`` (param ``owners``): PI the trace shows read at or after the user's agreement
(``consent_agree``; a header ``app_state: existing`` counts as agreed from the start) in a category the policy does
not declare. ``owners: host`` — the app's own reads (M164-1.1-S3: "用户同意隐私政策后，存在收集软件列表、设备MAC地址的
行为", not "清晰明示"); ``owners: sdk_disclosed`` — reads by an SDK the policy does name (M164-1.1-S6). A trace with no
agreement at all fires nothing (what happens before consent is ``dynamic.pi.pre_consent``'s).

``dynamic_undisclosed_sdk_collection`` (param ``phase``): reads by an SDK the policy never names.
``phase: pre_consent`` — before the first agreement (M164-1.1-S4); the confidence follows
``dynamic.pi.pre_consent`` (lowered when the trace shows no consent step). ``phase: background`` — while the app
was in the background, in ``categories`` (M164-1.2-S7: 通讯录、短信、通话记录、相机). With ``periodic: true`` only an
API read periodically (the frequency rule's periodic test: ≥ 4 calls over ≥ 60 s, every gap ≤ 33 s) with every
call in the background counts (M164-1.2-S8: "按照一定频次").

``dynamic_transfer_undisclosed`` (param ``mode``): third-party network sends of PI (``dynamic.transmissions``
with ``third_party``). ``mode: party`` — after the agreement, sent by an SDK the policy never names (M164-1.3-S2:
"未见明示分享的第三方名称…用户同意隐私政策后…发送给第三方SDK"); sends whose owner is only the host (no SDK in the
stack or domain) are skipped: the third party cannot be named. ``mode: categories`` — any time, carrying PI
categories the policy does not declare at all (M164-1.3-S1: "未向用户明示个人信息处理的目的、方式和范围").

Params shared: ``categories`` / ``exclude_categories`` (default ``network_info, sensors, runtime_evasion``).
Limits: the policy reading is phrase-based (``docs/policy-eval.md``); the trace shows only what the agent hooked.
"""

from __future__ import annotations

from typing import Any

from appwarden.dynamic.model import Observation
from appwarden.dynamic.refs import observation_ref, transmission_ref
from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.knowledge import pi_categories
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.predicates.dynamic_consent import DEFAULT_EXCLUDE, by_owner, select, validate_categories
from appwarden.rules.predicates.dynamic_frequency import (
    PERIODIC_MIN_READS,
    PERIODIC_MIN_SPAN_S,
    periodic_interval_s,
)
from appwarden.rules.static_support import owner_label_zh


def _policy(evidence: Evidence) -> Any | None:
    """The analysed policy, or None when it was searched for and not found (nothing to compare: no finding)."""
    policy = evidence.policy
    if policy is None or not getattr(policy, "found", True):
        return None
    return policy


def declared(policy: Any, owner: str) -> set[str]:
    """PI categories the policy declares for ``owner``: the policy's own (widened as ``policy.pi.undeclared`` does)
    plus those listed in the owner's SDK-list entry."""
    from appwarden.policy.consistency import declared_categories

    out = set(declared_categories(policy))
    for sdk in getattr(policy, "declared_sdks", []) or []:
        if sdk.sdk_id and sdk.sdk_id == owner:
            out.update(sdk.pi)
    return out


def sdk_disclosed(policy: Any, sdk_id: str) -> bool:
    """Whether the policy lists or names the SDK ``sdk_id`` (an SDK unknown to the knowledge base: only by id)."""
    if any(d.sdk_id == sdk_id for d in getattr(policy, "declared_sdks", []) or []):
        return True
    from appwarden.policy.sdkmatch import disclosure, names_for
    from appwarden.sdk.kb import load_kb

    record = load_kb().get(sdk_id)
    if record is None:
        return False
    return disclosure(names_for(record), getattr(policy, "text", "") or "") is not None


def _absence(policy: Any, what: str, text: str, **extra: Any) -> dict[str, Any]:
    from appwarden.policy.absence import absence_ref

    return absence_ref(policy, what, text, **extra)


def _sdk_zh(evidence: Evidence, owner: str) -> str:
    """The SDK's Chinese name for ``message_zh`` and evidence notes (个推, not getui_push)."""
    return owner_label_zh(evidence, owner).removeprefix("第三方SDK（").removesuffix("）")


def _cat_names(cats: list[str]) -> str:
    records = pi_categories()
    return "、".join(str(records.get(c, {}).get("name_zh", c)) for c in cats)


def _agreed_at(evidence: Evidence) -> int | None:
    """When the user agreed (ms), 0 for an app whose agreement is stored (``app_state: existing``), else None."""
    consent = evidence.dynamic.consent
    if consent.agreed is not None:
        return int(consent.agreed)
    return 0 if consent.app_state == "existing" else None


def _validate_owners(params: dict) -> None:
    validate_categories(params)
    if params.get("owners", "host") not in ("host", "sdk_disclosed"):
        raise RuleError("'owners' must be 'host' or 'sdk_disclosed'")


@predicate(
    "dynamic_pi_undeclared_after_consent", needs=("dynamic.trace", "policy.text"), validate=_validate_owners
)
def dynamic_pi_undeclared_after_consent(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    policy = _policy(evidence)
    agreed = _agreed_at(evidence)
    if policy is None or agreed is None:
        return []
    mode = param(params, "owners", "host")
    after = [
        o for o in select(dyn.api_summary, params) if (o.last_t if o.last_t is not None else o.t) >= agreed
    ]
    hits = []
    for owner, obs in by_owner(after).items():
        if (owner == "host") != (mode == "host"):
            continue
        if mode == "sdk_disclosed" and not sdk_disclosed(policy, owner):
            continue
        known = declared(policy, owner)
        undeclared = [o for o in obs if o.category not in known]
        if not undeclared:
            continue
        cats = list(dict.fromkeys(o.category for o in undeclared))
        names = _cat_names(cats)
        who = "App" if owner == "host" else f"隐私政策已列明的{owner_label_zh(evidence, owner)}"
        refs = [observation_ref(o) for o in undeclared]
        refs.append(_absence(policy, "declared_pi", f"隐私政策未声明收集：{names}", categories=cats))
        hits.append(
            Hit(
                evidence=refs,
                owner=owner,
                message_zh=f"用户同意隐私政策后，{who}收集了隐私政策未明示的个人信息：{names}",
                message_en=f"after the user agreed, {'the app' if owner == 'host' else 'disclosed SDK ' + owner} "
                f"collected PI the policy does not declare: {', '.join(cats)}",
            )
        )
    return hits


def _validate_phase(params: dict) -> None:
    validate_categories(params)
    if params.get("phase") not in ("pre_consent", "background"):
        raise RuleError("'phase' must be 'pre_consent' or 'background'")
    if not isinstance(params.get("periodic", False), bool):
        raise RuleError("'periodic' must be true or false")


def _periodic_background(dyn: Any, owner: str, api: str) -> bool:
    return any(
        p.owner == owner
        and p.api == api
        and p.total > 0
        and p.background_calls == p.total
        and periodic_interval_s(p, PERIODIC_MIN_READS, PERIODIC_MIN_SPAN_S) is not None
        for p in dyn.frequency
    )


@predicate(
    "dynamic_undisclosed_sdk_collection", needs=("dynamic.trace", "policy.text"), validate=_validate_phase
)
def dynamic_undisclosed_sdk_collection(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    policy = _policy(evidence)
    if policy is None:
        return []
    phase = params["phase"]
    periodic = bool(param(params, "periodic", False))
    source: list[Observation] = dyn.pre_consent if phase == "pre_consent" else dyn.background
    hits = []
    for owner, obs in by_owner(select(source, params)).items():
        if owner == "host" or sdk_disclosed(policy, owner):
            continue
        if periodic:
            obs = [o for o in obs if _periodic_background(dyn, owner, o.api)]
            if not obs:
                continue
        cats = list(dict.fromkeys(o.category for o in obs))
        names = _cat_names(cats)
        when = {
            "pre_consent": "在用户同意隐私政策前",
            "background": "在App后台运行时" + ("按一定频次" if periodic else ""),
        }[phase]
        refs = [
            observation_ref(o, "api_call" if phase == "pre_consent" else "api_call_background") for o in obs
        ]
        refs.append(
            _absence(
                policy, "sdk_list", f"隐私政策及第三方SDK清单中未列出：{_sdk_zh(evidence, owner)}", sdk=owner
            )
        )
        hits.append(
            Hit(
                evidence=refs,
                owner=owner,
                message_zh=f"隐私政策未明示的{owner_label_zh(evidence, owner)}{when}收集了{names}",
                message_en=f"SDK {owner}, not named in the policy, collected {', '.join(cats)} "
                + ("before consent" if phase == "pre_consent" else "in the background")
                + (" periodically" if periodic else ""),
                confidence=dyn.consent.pre_consent_confidence() if phase == "pre_consent" else None,
                behaviour="pre_consent" if phase == "pre_consent" else None,
            )
        )
    return hits


def _validate_mode(params: dict) -> None:
    validate_categories(params)
    if params.get("mode") not in ("party", "categories"):
        raise RuleError("'mode' must be 'party' or 'categories'")


@predicate("dynamic_transfer_undisclosed", needs=("dynamic.trace", "policy.text"), validate=_validate_mode)
def dynamic_transfer_undisclosed(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    policy = _policy(evidence)
    if policy is None:
        return []
    mode = params["mode"]
    only = set(param(params, "categories", ()))
    exclude = set(param(params, "exclude_categories", DEFAULT_EXCLUDE))
    agreed = _agreed_at(evidence)
    grouped: dict[str, list[tuple[Any, list[str]]]] = {}
    for x in dyn.third_party_transmissions():
        cats = [c for c in x.categories if (not only or c in only) and c not in exclude]
        if not cats:
            continue
        if mode == "party":
            if agreed is None or x.t < agreed or x.owner == "host" or sdk_disclosed(policy, x.owner):
                continue
        else:
            known = declared(policy, "host")
            cats = [c for c in cats if c not in known]
            if not cats:
                continue
        grouped.setdefault(x.owner, []).append((x, cats))
    hits = []
    for owner, items in grouped.items():
        hosts = ", ".join(dict.fromkeys(x.host for x, _ in items))
        cats = list(dict.fromkeys(c for _, cs in items for c in cs))
        names = _cat_names(cats)
        refs = [transmission_ref(x) for x, _ in items]
        if mode == "party":
            sdk_zh = _sdk_zh(evidence, owner)
            refs.append(_absence(policy, "sdk_list", f"隐私政策及第三方SDK清单中未列出：{sdk_zh}", sdk=owner))
            zh = f"用户同意隐私政策后，向隐私政策未列明的第三方SDK（{sdk_zh}，{hosts}）发送个人信息：{names}"
            en = f"after consent, sent PI ({', '.join(cats)}) to third party {owner} ({hosts}), not named in the policy"
        else:
            refs.append(_absence(policy, "declared_pi", f"隐私政策未声明收集：{names}", categories=cats))
            zh = f"向第三方 {hosts} 发送隐私政策未明示的个人信息：{names}"
            en = f"sent PI the policy does not declare ({', '.join(cats)}) to third party {hosts}"
        hits.append(Hit(evidence=refs, owner=owner, message_zh=zh, message_en=en))
    return hits


UNCLEAR_AGREE_LABELS = ("好的", "我知道了", "知道了", "好", "ok", "okay", "got it", "i know", "i see")


def _validate_labels(params: dict) -> None:
    labels = params.get("labels")
    if labels is not None and (not isinstance(labels, list) or not all(isinstance(x, str) for x in labels)):
        raise RuleError("'labels' must be a list of strings")


@predicate("dynamic_consent_unclear_button", needs=("dynamic.trace",), validate=_validate_labels)
def dynamic_consent_unclear_button(evidence: Evidence, params: dict) -> list[Hit]:
    """The tap the trace records as the user's agreement (``consent_agree``) was on a button whose label is not a
    clear agreement (M164-1.1-S7: "使用'好的''我知道了'等词语"). The label is compared whole, after trimming
    whitespace and punctuation, case-insensitively; a label that contains 同意/agree (同意并继续) never fires."""
    dyn = evidence.dynamic
    if dyn is None:
        return []
    labels = {x.lower() for x in param(params, "labels", UNCLEAR_AGREE_LABELS)}
    bad = []
    for ev in dyn.consent.events:
        if ev.get("event") != "consent_agree":
            continue
        label = str(ev.get("label") or "").strip().strip("。！!.，, ").lower()
        if label in labels and "同意" not in label and "agree" not in label:
            bad.append(ev)
    if not bad:
        return []
    refs = [
        {k: v for k, v in {"type": "trace", "ts": ev.get("t"), "event": "consent_agree",
                           "label": ev.get("label"), "line": ev.get("line")}.items() if v is not None}
        for ev in bad
    ]  # fmt: skip
    shown = "、".join(dict.fromkeys(f"“{ev.get('label')}”" for ev in bad))
    return [
        Hit(
            evidence=refs,
            owner="host",
            message_zh=f"征求同意环节的同意按钮为{shown}，不是明确的同意或拒绝选项",
            message_en=f"the consent step's agree button reads {shown}: not a clear agree/refuse choice",
        )
    ]


def _validate_prompt(params: dict) -> None:
    value = params.get("min_duration_ms", 10_000)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuleError("'min_duration_ms' must be a non-negative integer")


@predicate("dynamic_no_privacy_prompt", needs=("dynamic.trace",), validate=_validate_prompt)
def dynamic_no_privacy_prompt(evidence: Evidence, params: dict) -> list[Hit]:
    """A first run with no privacy prompt (认定方法 一.2): the trace header says the app started ``fresh`` (data
    cleared or newly installed), the user started it (``process_start`` with cause ``launcher`` or ``user``), the
    session lasted at least ``min_duration_ms`` (default 10 s), and the trace holds no consent step at all (no
    ``privacy_dialog_shown``, agree, refuse or withdraw). Likely, not confirmed: the agent may not recognise a
    custom-drawn dialog (the tester can mark it, ``rpc.exports.mark``); a session started by a push or at boot is not
    a first run by the user and never fires."""
    dyn = evidence.dynamic
    if dyn is None:
        return []
    consent = dyn.consent
    if consent.app_state != "fresh" or consent.observed:
        return []
    starts = [p for p in dyn.process_starts if p.cause in ("launcher", "user")]
    if not starts or dyn.duration_ms < int(param(params, "min_duration_ms", 10_000)):
        return []
    first = starts[0]
    refs = [
        {k: v for k, v in {"type": "trace", "ts": first.t, "event": "process_start", "cause": first.cause,
                           "line": first.line}.items() if v is not None},
        {"type": "trace", "event": "privacy_dialog_shown", "present": False, "duration_ms": dyn.duration_ms,
         "app_state": "fresh"},
    ]  # fmt: skip
    return [
        Hit(
            evidence=refs,
            owner="host",
            message_zh=f"App首次运行（全新状态）的 {dyn.duration_ms // 1000} 秒内未出现提示阅读隐私政策的弹窗或同意环节",
            message_en=f"first run from a fresh state: no privacy-policy prompt or consent step in {dyn.duration_ms // 1000} s",
        )
    ]
