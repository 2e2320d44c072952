"""Upgrade static findings with runtime evidence: what static analysis said *can* happen, a trace shows *did*.

Contract for the rule engine / pipeline (``appwarden.scan``):

* :func:`confirmations(dyn, behaviour)` -> ``set[(category, owner)]``: the PI categories each owner was observed
  accessing in the trace, for one behaviour: ``"access"`` (any time), ``"pre_consent"``, ``"after_refusal"``,
  ``"background"``, ``"third_party"`` (sent to a third-party host). Owners are SDK ids or ``"host"``, attributed
  from Java stacks the same way the static stage attributes call sites (so the pairs are comparable).
* :func:`owner_confirmations(dyn, behaviour)` -> ``set[owner]`` for owner-level behaviours: ``"self_start"``
  (process started without the user: only ``"host"``), ``"shake"`` (registered a motion-sensor listener),
  ``"shake_sensitive"`` (with thresholds below T/TAF 078.7).
* :func:`upgrade_findings(findings, dyn, predicate_of)` -> new list: every finding whose confidence is ``possible``
  or ``likely``, whose rule's predicate maps to a behaviour in :data:`PREDICATE_BEHAVIOUR`, and whose evidence the
  trace confirms, becomes ``confirmed``; its evidence gets a marker item
  ``{"type": "trace", "event": "confirmation", "behaviour": ..., "categories": [...]}`` followed by the confirming
  trace references. ``categories`` (call-site findings only; owner-level behaviours have none) are the PI
  categories of the finding's call sites that the trace showed: the confidence covers the whole finding, so the
  report states them as the finding's ``confirmed_categories`` (report/json.py; report audit item 3) and the other
  call-site categories stay static-analysis results.
  ``predicate_of`` maps rule id -> predicate name (``{r.id: r.predicate for r in rules}``).

The upgrade raises the confidence only; it never adds or keeps a 通报 problem type on its own account. A trace that
confirms a plain read (``pi_callsites``: ``pi.device_id.read`` ...) shows the read ran, not that it exceeds what the
app's service needs: ``scan.evaluate`` then calls ``report.notice.scope_notice_types``, which keeps 超范围 on such a
finding only when the declared 39类 type does not need a category the trace confirmed (report audit).

A call-site finding is confirmed when one of its ``callsite`` evidence items has a (category, owner) pair in the
behaviour's confirmations; an owner-level finding when its owner is confirmed. Nothing is ever downgraded: a trace
that did not exercise a path proves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from appwarden.dynamic.model import DynamicEvidence, Observation
from appwarden.dynamic.refs import observation_ref, sensor_ref, start_ref, transmission_ref
from appwarden.rules.model import Finding

# static predicate -> the runtime behaviour that confirms it
PREDICATE_BEHAVIOUR: dict[str, str] = {
    "pi_api_at_startup": "pre_consent",
    "pi_api_after_refusal": "after_refusal",
    "callsite_reachable_before_consent": "pre_consent",
    "pi_callsites": "access",
    "self_start_receivers": "self_start",
    "push_wakeup_components": "self_start",
    "sticky_service": "self_start",
    "shake_listener": "shake",
    "shake_threshold_below": "shake_sensitive",
}
PAIR_BEHAVIOURS = ("access", "pre_consent", "after_refusal", "background", "third_party")
OWNER_BEHAVIOURS = ("self_start", "shake", "shake_sensitive")


def _observations(dyn: DynamicEvidence, behaviour: str) -> list[Observation]:
    return {
        "access": dyn.api_summary,
        "pre_consent": dyn.pre_consent,
        "after_refusal": dyn.after_refusal,
        "background": dyn.background,
    }[behaviour]


def confirmations(dyn: DynamicEvidence, behaviour: str = "access") -> set[tuple[str, str]]:
    """(category, owner) pairs the trace shows for ``behaviour`` (one of :data:`PAIR_BEHAVIOURS`)."""
    if behaviour not in PAIR_BEHAVIOURS:
        raise ValueError(f"unknown behaviour {behaviour!r}; expected one of {PAIR_BEHAVIOURS}")
    if behaviour == "third_party":
        return {(c, x.owner) for x in dyn.third_party_transmissions() for c in x.categories}
    return {(o.category, o.owner) for o in _observations(dyn, behaviour)}


def owner_confirmations(dyn: DynamicEvidence, behaviour: str) -> set[str]:
    """Owners the trace shows for an owner-level ``behaviour`` (one of :data:`OWNER_BEHAVIOURS`)."""
    if behaviour == "self_start":
        return {"host"} if dyn.self_starts() else set()
    if behaviour == "shake":
        return {s.owner for s in dyn.sensors}
    if behaviour == "shake_sensitive":
        return {s.owner for s in dyn.too_sensitive_sensors()}
    raise ValueError(f"unknown behaviour {behaviour!r}; expected one of {OWNER_BEHAVIOURS}")


def _pair_refs(dyn: DynamicEvidence, behaviour: str, pairs: set[tuple[str, str]]) -> list[dict[str, Any]]:
    if behaviour == "third_party":
        return [
            transmission_ref(x)
            for x in dyn.third_party_transmissions()
            if any((c, x.owner) in pairs for c in x.categories)
        ]
    return [observation_ref(o) for o in _observations(dyn, behaviour) if (o.category, o.owner) in pairs]


def _owner_refs(dyn: DynamicEvidence, behaviour: str, owner: str) -> list[dict[str, Any]]:
    criteria = {
        "accel_mps2": dyn.params.shake_accel_mps2,
        "rotation_deg": dyn.params.shake_rotation_deg,
        "duration_s": dyn.params.shake_duration_s,
    }
    if behaviour == "self_start":
        return [start_ref(p) for p in dyn.self_starts()]
    sensors = dyn.too_sensitive_sensors() if behaviour == "shake_sensitive" else dyn.sensors
    return [sensor_ref(s, criteria) for s in sensors if s.owner == owner]


def upgrade_finding(finding: Finding, dyn: DynamicEvidence, behaviour: str) -> Finding | None:
    """A confirmed copy of ``finding`` when the trace shows ``behaviour`` for its evidence; else None."""
    if finding.confidence == "confirmed":
        return None
    categories: list[str] | None = None  # the PI categories confirmed (pair behaviours only)
    if behaviour in OWNER_BEHAVIOURS:
        if finding.owner not in owner_confirmations(dyn, behaviour):
            return None
        refs = _owner_refs(dyn, behaviour, finding.owner)
    else:
        seen = confirmations(dyn, behaviour)
        wanted = {
            (item.get("category"), item.get("owner", finding.owner))
            for item in finding.evidence
            if item.get("type") == "callsite"
        }
        hit = {p for p in wanted if p in seen}
        if not hit:
            return None
        refs = _pair_refs(dyn, behaviour, hit)  # type: ignore[arg-type]
        categories = sorted({str(c) for c, _ in hit if c})
    marker: dict[str, Any] = {
        "type": "trace",
        "event": "confirmation",
        "behaviour": behaviour,
        "package": dyn.package,
    }
    if categories is not None:
        marker["categories"] = categories
    return replace(finding, confidence="confirmed", evidence=[*finding.evidence, marker, *refs])


def upgrade_findings(
    findings: Iterable[Finding], dyn: DynamicEvidence | None, predicate_of: Mapping[str, str]
) -> list[Finding]:
    """Return ``findings`` with every trace-confirmed static finding upgraded to ``confirmed`` (order kept)."""
    out = []
    for finding in findings:
        behaviour = PREDICATE_BEHAVIOUR.get(predicate_of.get(finding.rule_id, ""))
        upgraded = upgrade_finding(finding, dyn, behaviour) if dyn is not None and behaviour else None
        out.append(upgraded or finding)
    return out
