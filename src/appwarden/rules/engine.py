"""The rule engine: ``evaluate(evidence, rules) -> RuleResults``.

Contract:

- Pure: no I/O; the same evidence and rules give the same results in the same order.
- A rule whose evidence needs (``rule.needs`` ∪ its predicate's ``needs``) are not all available is reported in
  ``not_evaluated`` with the missing kinds: never a silent pass. Disabled rules are skipped silently (they are
  disabled on purpose, and listed as such by ``appwarden rules list``).
- A predicate may raise :class:`~appwarden.rules.model.EvidenceMissing` when evidence is present but empty (a
  policy object with ``found=False``): the rule is then ``not_evaluated`` too.
- On a packed app (``StaticEvidence.packer`` set) a rule needing code evidence that finds nothing is reported
  ``not_evaluated`` (the real code is encrypted), not as a pass; findings it does make are kept.
- A predicate that raises anything else becomes one ``errors`` entry (``ErrorNote(stage="rules")``) for that rule; the other
  rules still run.
- Hits of one rule are merged per owner (``host`` or an SDK id) into **one** finding whose evidence is the
  de-duplicated concatenation; the strongest confidence and severity override among the merged hits wins.
- Every finding carries its rule's ``notice_types`` (通报 problem types; the rule declares them, never a hit).
- A rule that declares ``supersedes: [general rule ids]`` (a specific scenario of a general violation) absorbs the
  general rule's finding for the same owner: one behaviour is one finding, never two rows for a reviewer or a 通报.
- Findings are sorted by severity (high first), rule id, then owner (``host`` before SDK ids).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from appwarden.evidence import ErrorNote, Evidence
from appwarden.limits import current_deadline
from appwarden.rules import predicates as predicate_registry
from appwarden.rules.model import CONFIDENCES, SEVERITIES, EvidenceMissing, Finding, Hit, NotEvaluated, Rule

log = logging.getLogger(__name__)

_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_CONFIDENCE_RANK = {c: i for i, c in enumerate(CONFIDENCES)}

CODE_KINDS = ("static.callsites", "static.code", "static.entrypoints")

MISSING_REASONS = {
    "static.manifest": "no APK evidence",
    "static.sdks": "no APK evidence",
    "static.callsites": "DEX code was not indexed",
    "static.code": "DEX code was not indexed",
    "static.entrypoints": "DEX code was not indexed",
    "policy.text": "no privacy policy supplied (--policy)",
    "dynamic.trace": "no runtime trace supplied (--trace)",
    "app.category": "app category unknown (--category N39-xx)",
}


@dataclass(slots=True)
class RuleResults:
    """What the engine returns: findings, rules not evaluated (and why), and rules that failed."""

    findings: list[Finding] = field(default_factory=list)
    not_evaluated: list[NotEvaluated] = field(default_factory=list)
    errors: list[ErrorNote] = field(default_factory=list)
    evaluated: list[str] = field(default_factory=list)  # ids of rules that ran to completion

    def to_json(self) -> dict[str, Any]:
        return {
            "findings": [f.to_json() for f in self.findings],
            "not_evaluated": [n.to_json() for n in self.not_evaluated],
            "errors": [e.to_json() for e in self.errors],
            "evaluated": list(self.evaluated),
        }

    def by_rule(self, rule_id: str) -> list[Finding]:
        """The findings of one rule."""
        return [f for f in self.findings if f.rule_id == rule_id]


def _evidence_key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)


def _add_unique(evidence: list[dict[str, Any]], items: Iterable[dict[str, Any]], seen: set[str]) -> None:
    """Append each item of ``items`` not already in ``evidence`` (``seen``: the keys of ``evidence``, updated)."""
    for item in items:
        key = _evidence_key(item)
        if key not in seen:
            seen.add(key)
            evidence.append(item)


def _merge(rule: Rule, owner: str, hits: list[Hit]) -> Finding:
    evidence: list[dict[str, Any]] = []
    seen: set[str] = set()
    for hit in hits:
        _add_unique(evidence, hit.evidence, seen)
    confidences = [h.confidence for h in hits if h.confidence in _CONFIDENCE_RANK]
    severities = [h.severity for h in hits if h.severity in _SEVERITY_RANK]
    confidence = min(confidences, key=_CONFIDENCE_RANK.__getitem__) if confidences else rule.confidence
    severity = min(severities, key=_SEVERITY_RANK.__getitem__) if severities else rule.severity
    first = next((h for h in hits if h.message_zh or h.message_en), hits[0])
    clauses = list(rule.clauses)
    for hit in hits:
        for clause in hit.clauses:
            if clause not in rule.extra_clauses:
                raise ValueError(f"hit clause {clause!r} not declared in the rule's extra_clauses")
            if clause not in clauses:
                clauses.append(clause)
    return Finding(
        rule_id=rule.id,
        title_zh=rule.title_zh,
        title_en=rule.title_en,
        clauses=clauses,
        severity=severity,
        confidence=confidence,
        needs_review=rule.needs_review,
        evidence=evidence,
        remediation_zh=rule.remediation_zh,
        owner=owner,
        message_zh=first.message_zh,
        message_en=first.message_en,
        notice_types=list(rule.notice_types),
        behaviour=next((h.behaviour for h in hits if h.behaviour), None),
    )


def _owner_key(owner: str) -> tuple[int, str]:
    return (0 if owner == "host" else 1, owner)


def evaluate_rule(evidence: Evidence, rule: Rule, available: set[str] | None = None) -> RuleResults:
    """Evaluate one rule (same contract as :func:`evaluate`)."""
    results = RuleResults()
    if not rule.enabled:
        return results
    available = evidence.available() if available is None else available
    pred = None
    try:
        if rule.predicate_module:  # a loaded rule knows its predicate's needs: import only when it can run
            pred_needs = rule.predicate_needs
        else:
            pred = predicate_registry.get(rule.predicate)
            pred_needs = list(pred.needs)
    except Exception as exc:  # unknown predicate at run time: the loader normally catches this
        results.errors.append(ErrorNote("rules", f"{rule.id}: {exc}", rule.source or None))
        return results
    needed = list(dict.fromkeys([*rule.needs, *pred_needs]))
    missing = [n for n in needed if n not in available]
    if missing:
        reasons = sorted({MISSING_REASONS.get(m, m) for m in missing})
        results.not_evaluated.append(NotEvaluated(rule.id, missing, "; ".join(reasons)))
        return results
    if pred is None:
        try:
            pred = predicate_registry.get_in(rule.predicate, rule.predicate_module)
        except Exception as exc:
            results.errors.append(ErrorNote("rules", f"{rule.id}: {exc}", rule.source or None))
            return results
    try:
        hits = pred.fn(evidence, dict(rule.params))
        if hits is None:
            hits = []
        hits = list(hits)
        for hit in hits:
            if not isinstance(hit, Hit):
                raise TypeError(f"predicate returned {type(hit).__name__}, expected Hit")
    except EvidenceMissing as exc:
        results.not_evaluated.append(NotEvaluated(rule.id, exc.missing, exc.reason or str(exc)))
        return results
    except Exception as exc:  # a failing predicate must never abort the scan
        log.debug("rule %s failed", rule.id, exc_info=True)
        msg = " ".join(str(exc).split())[:300]
        results.errors.append(
            ErrorNote("rules", f"{rule.id}: {type(exc).__name__}: {msg}", rule.source or None)
        )
        return results
    grouped: dict[str, list[Hit]] = {}
    for hit in hits:
        if hit.evidence:
            grouped.setdefault(hit.owner or "host", []).append(hit)
    packer = evidence.static.packer if evidence.static is not None else None
    if not grouped and packer is not None and any(n in CODE_KINDS for n in needed):
        # a packed app's real code is encrypted: "nothing found in the code" is not a pass
        name = getattr(packer, "name", None) or getattr(packer, "id", "a packer")
        reason = f"app is packed ({name}): its code is hidden, so a code check cannot clear it"
        results.not_evaluated.append(NotEvaluated(rule.id, [n for n in needed if n in CODE_KINDS], reason))
        return results
    try:
        merged = [_merge(rule, owner, grouped[owner]) for owner in sorted(grouped, key=_owner_key)]
    except ValueError as exc:
        results.errors.append(ErrorNote("rules", f"{rule.id}: {exc}", rule.source or None))
        return results
    results.findings.extend(merged)
    results.evaluated.append(rule.id)
    return results


def _apply_supersedes(findings: list[Finding], rules: dict[str, Rule]) -> list[Finding]:
    """Merge each finding of a rule named in another rule's ``supersedes`` into that rule's finding for the same
    owner (one behaviour, one finding: the specific scenario keeps its title and notice types and gains the general
    finding's clauses and evidence, and the stronger confidence and severity); findings without such a partner stay.
    """
    by_key = {(f.rule_id, f.owner): f for f in findings}
    absorbed: set[int] = set()
    for finding in findings:
        rule = rules.get(finding.rule_id)
        if rule is None or not rule.supersedes:
            continue
        for general_id in rule.supersedes:
            general = by_key.get((general_id, finding.owner))
            if general is None or id(general) in absorbed or general is finding:
                continue
            absorbed.add(id(general))
            _add_unique(finding.evidence, general.evidence, {_evidence_key(i) for i in finding.evidence})
            finding.clauses.extend(c for c in general.clauses if c not in finding.clauses)
            if _CONFIDENCE_RANK.get(general.confidence, 9) < _CONFIDENCE_RANK.get(finding.confidence, 9):
                finding.confidence = general.confidence
            if _SEVERITY_RANK.get(general.severity, 9) < _SEVERITY_RANK.get(finding.severity, 9):
                finding.severity = general.severity
            finding.behaviour = finding.behaviour or general.behaviour
            general_title = rules[general_id].title_zh if general_id in rules else general_id
            finding.message_zh = _join(
                finding.message_zh, f"（同一行为亦符合“{general_title}”，已合并为本条）"
            )
            finding.message_en = _join(
                finding.message_en,
                f"(The same behaviour also meets rule {general_id}; merged into this finding.)",
            )
    return [f for f in findings if id(f) not in absorbed]


def _join(message: str, note: str) -> str:
    return f"{message} {note}" if message else note


def evaluate(evidence: Evidence, rules: Iterable[Rule]) -> RuleResults:
    """Run every enabled rule on ``evidence``; see the module docstring for the contract."""
    out = RuleResults()
    available = evidence.available()
    deadline = current_deadline()  # the pipeline's rules-stage deadline, if any
    rules = sorted(rules, key=lambda r: r.id)
    for rule in rules:
        if deadline is not None and deadline.expired():  # the rest is said to be not evaluated, never passed
            out.not_evaluated.append(NotEvaluated(rule.id, [], deadline.message()))
            continue
        one = evaluate_rule(evidence, rule, available)
        out.findings.extend(one.findings)
        out.not_evaluated.extend(one.not_evaluated)
        out.errors.extend(one.errors)
        out.evaluated.extend(one.evaluated)
    out.findings = _apply_supersedes(out.findings, {r.id: r for r in rules})
    out.findings.sort(key=lambda f: (_SEVERITY_RANK.get(f.severity, 9), f.rule_id, _owner_key(f.owner)))
    return out
