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
- A rule that declares ``supersedes: [general rule ids]`` (a specific scenario of a general violation, or a static
  rule over the API a dynamic rule observes) absorbs the general rule's finding for the same owner when the two
  share a 通报 problem type and state no contradicting phase (before consent / after refusal): each PI fact
  (category in a phase) of the general finding that a specific finding reports goes to it, which names the general
  rule (``merged_rules``, a note in the messages) and gains its clauses and problem types. When the specific
  findings report every fact the general finding is absorbed; when they report only some (a partial overlap) it
  stays, narrowed to the facts no other finding states, its message restated (its title, the categories it keeps,
  the rules that report the rest). One fact is stated once per problem type. Findings of different problem types
  stay separate (see ``_apply_supersedes``).
- Findings are sorted by severity (high first), rule id, then owner (``host`` before SDK ids).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from appwarden.evidence import ErrorNote, Evidence
from appwarden.lazylog import get_logger
from appwarden.limits import current_deadline
from appwarden.rules import predicates as predicate_registry
from appwarden.rules.model import CONFIDENCES, SEVERITIES, EvidenceMissing, Finding, Hit, NotEvaluated, Rule

log = get_logger(__name__)

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


# --------------------------------------------------------------- one behaviour, one finding per 通报 problem type
#
# A general rule's finding (e.g. dynamic.pi.pre_consent) and the findings of the rules that declare they supersede
# it (pi.startup.device_id, dynamic.sdk.undisclosed_pre_consent) often report one behaviour of one owner: the same
# call, trace event or network send. A 通报 must list it once per problem type. The merge is category- and
# phase-aware: each PI fact a general finding reports (a category in a phase: before consent, after refusal, in the
# background, a send before/after consent) that a superseding finding of the same owner sharing one of its 通报
# problem types reports goes to the finding(s) reporting it. A general finding all of whose facts went is absorbed;
# one with facts nobody else reports stays, narrowed to those (nothing hidden under a narrower title, nothing said
# twice), with a message the engine restates from its title and the categories it keeps, naming the receivers.

_MERGE_NOTE_ZH = "（同一行为亦符合{titles}，已合并为本条）"


def _item_phase(item: dict[str, Any]) -> str | None:
    """The phase an evidence item itself states: a network send before/after consent, a background trace read, a
    frequency run wholly in the background; None when the item does not say (the finding's behaviour applies)."""
    kind, event = item.get("type"), item.get("event")
    if kind == "network" and isinstance(item.get("before_consent"), bool):
        return "pre_consent" if item["before_consent"] else "after_consent"
    if kind == "trace" and event == "api_call_background":
        return "background"
    if kind == "trace" and event == "api_call_frequency":
        total = item.get("total")
        return "background" if total and item.get("background_calls") == total else "foreground"
    return None


def _item_categories(item: dict[str, Any]) -> list[str]:
    if item.get("type") == "network":
        return [str(c) for c in item.get("pi") or []]
    category = item.get("category")
    return [str(category)] if category and item.get("type") in ("callsite", "trace") else []


def _identity(item: dict[str, Any]) -> tuple[Any, ...] | None:
    """What makes two evidence items the same observed fact, whatever else each rule attached to it."""
    kind = item.get("type")
    if kind == "callsite":
        return (kind, item.get("caller"), item.get("api"), item.get("dex"), item.get("offset"))
    if kind == "trace" and item.get("ts") is not None and item.get("api"):
        return (kind, item.get("event"), item.get("ts"), item.get("api"), item.get("category"))
    if kind == "network" and item.get("ts") is not None:
        return (kind, item.get("ts"), item.get("host"), item.get("path"))
    return None


def _facts(finding: Finding) -> tuple[set[tuple[str, str | None]], set[tuple[Any, ...]]]:
    """(the (category, phase) facts a finding reports, the identities of its observed items)."""
    facts: set[tuple[str, str | None]] = set()
    ids: set[tuple[Any, ...]] = set()
    for item in finding.evidence:
        phase = _item_phase(item) or finding.behaviour
        facts.update((c, phase) for c in _item_categories(item))
        ident = _identity(item)
        if ident is not None:
            ids.add(ident)
    return facts, ids


def _covers(specific: Finding, facts: tuple[set, set], item: dict[str, Any], general: Finding) -> bool:
    """Whether ``specific`` reports the fact of the general finding's evidence ``item``: the same observed item, or
    the same PI category in the same stated phase (a static call site has no time: its category suffices when the
    specific finding reports that category in a phase the general finding does not contradict)."""
    ident = _identity(item)
    if ident is not None and ident in facts[1]:
        return True
    phase = _item_phase(item) or general.behaviour
    cats = _item_categories(item)
    if phase is None:
        if item.get("type") != "callsite":
            return False  # a trace event without a stated phase: only the same event is the same fact
        own = {c for c, _ in facts[0]}
        return all(c in own for c in cats)
    return all((c, phase) in facts[0] for c in cats)


def _mergeable(specific: Finding, general: Finding) -> bool:
    from appwarden.knowledge.notice_types import MAX_PER_RULE

    if specific.owner != general.owner:
        return False
    if specific.behaviour and general.behaviour and specific.behaviour != general.behaviour:
        return False  # before consent and after refusal are two behaviours
    shared = set(specific.notice_types) & set(general.notice_types)
    if general.notice_types and not shared:
        return False  # a different 通报 problem type is a different problem: it stays its own finding
    return len(set(specific.notice_types) | set(general.notice_types)) <= MAX_PER_RULE


def _plan(
    general: Finding, candidates: list[Finding]
) -> tuple[dict[int, list[dict[str, Any]]], list[dict[str, Any]]] | None:
    """(which of the general finding's evidence items each candidate receives, the general finding's PI items no
    candidate reports), or None when no candidate reports any of its PI facts (or it states none). Items without a
    PI fact (policy sentences, consent paths, SDK records) go with every part of the behaviour."""
    facts = {id(s): _facts(s) for s in candidates}
    plan: dict[int, list[dict[str, Any]]] = {}
    context: list[dict[str, Any]] = []
    left: list[dict[str, Any]] = []
    for item in general.evidence:
        if not _item_categories(item):
            context.append(item)  # policy sentences, consent paths, SDK records: they go with the behaviour
            continue
        takers = [s for s in candidates if _covers(s, facts[id(s)], item, general)]
        if not takers:
            left.append(item)  # a fact no other finding states: it stays with the general finding
            continue
        for s in takers:
            plan.setdefault(id(s), []).append(item)
    if not plan:
        return None
    for items in plan.values():
        items.extend(context)
    return plan, left


_PHASE_ZH = {"pre_consent": "同意前", "after_consent": "同意后", "background": "后台", "foreground": "前台"}


def _category_names(
    items: list[dict[str, Any]], behaviour: str | None, phased: set[str]
) -> tuple[list[str], list[str]]:
    """(Chinese, English) names of the PI categories of ``items`` in the knowledge base's order, each category of
    ``phased`` with the phase its item states (an IMEI send before consent kept, the one after given away)."""
    from appwarden.errors import KnowledgeError
    from appwarden.knowledge import pi_categories

    try:
        known = pi_categories()
    except KnowledgeError:
        known = {}
    rank = {c: i for i, c in enumerate(known)}
    facts: dict[tuple[str, str | None], None] = {}
    for item in items:
        phase = _item_phase(item) or behaviour
        for cat in _item_categories(item):
            facts[(cat, phase if cat in phased else None)] = None
    zh: list[str] = []
    en: list[str] = []
    for cat, phase in sorted(facts, key=lambda f: (rank.get(f[0], len(rank)), f[0], f[1] or "")):
        record = known.get(cat) or {}
        name_zh, name_en = str(record.get("name_zh") or cat), str(record.get("name_en") or cat)
        zh.append(f"{name_zh}（{_PHASE_ZH.get(phase, phase)}）" if phase else name_zh)
        en.append(f"{name_en} ({phase.replace('_', ' ')})" if phase else name_en)
    return zh, en


def _phased(items: list[dict[str, Any]], behaviour: str | None) -> set[str]:
    """The categories ``items`` state in more than one phase: their names need the phase to tell them apart."""
    phases: dict[str, set[str | None]] = {}
    for item in items:
        phase = _item_phase(item) or behaviour
        for cat in _item_categories(item):
            phases.setdefault(cat, set()).add(phase)
    return {c for c, p in phases.items() if len(p) > 1}


def _narrow(general: Finding, left: list[dict[str, Any]], given: list[dict[str, Any]]) -> set[str]:
    """Keep in ``general`` only the PI items no other finding states (``left``) and its items without a PI fact;
    return the categories to name with their phase (stated in several phases by the kept and given items)."""
    phased = _phased([*left, *given], general.behaviour)
    keep = {id(i) for i in left}
    general.evidence = [i for i in general.evidence if id(i) in keep or not _item_categories(i)]
    return phased


_NARROW_NOTE_ZH = "（同一行为中{gone}已由{titles}报告，不在本条重复）"


def _restate(
    finding: Finding,
    given: list[dict[str, Any]],
    phased: set[str],
    carriers: list[Finding],
    rules: dict[str, Rule],
) -> None:
    """Rewrite the message of a general finding narrowed to the facts no other finding states: its title and the
    categories it still reports, then which categories the findings of which rules report (its predicate's message
    named them all, and the engine cannot rewrite a predicate's sentence)."""
    kept_zh, kept_en = _category_names(finding.evidence, finding.behaviour, phased)
    gone_zh, gone_en = _category_names(given, finding.behaviour, phased)
    gone_zh = [n for n in gone_zh if n not in kept_zh]
    gone_en = [n for n in gone_en if n not in kept_en]
    rids = list(dict.fromkeys(f.rule_id for f in carriers))
    titles = "".join(f"“{rules[r].title_zh if r in rules else r}”" for r in rids)
    finding.message_zh = f"{finding.title_zh}：{'、'.join(kept_zh)}。" + _NARROW_NOTE_ZH.format(
        gone="、".join(gone_zh) or "其余个人信息", titles=titles
    )
    finding.message_en = (
        f"{finding.title_en}: {', '.join(kept_en)}. (In the same behaviour, {', '.join(gone_en) or 'the other PI'} "
        f"is reported by rule(s) {', '.join(rids)}; not repeated here.)"
    )


def _absorb(finding: Finding, general: Finding, items: list[dict[str, Any]]) -> None:
    """Merge ``general`` (its evidence ``items`` for this finding) into ``finding``."""
    raised = _CONFIDENCE_RANK.get(general.confidence, 9) < _CONFIDENCE_RANK.get(finding.confidence, 9)
    seen = {_evidence_key(i) for i in finding.evidence}
    if raised and general.confidence == "confirmed":
        # a runtime observation raised a static finding: say which of its call-site categories it showed
        # (the marker dynamic.confirm writes; report/json.py states it as confirmed_categories)
        shown = {c for i in items if i.get("type") in ("trace", "network") for c in _item_categories(i)}
        static = [
            str(i["category"]) for i in finding.evidence if i.get("type") == "callsite" and i.get("category")
        ]
        if static and not any(i.get("event") == "confirmation" for i in finding.evidence):
            marker = {
                "type": "trace",
                "event": "confirmation",
                "behaviour": finding.behaviour or general.behaviour or "access",
                "categories": [c for c in dict.fromkeys(static) if c in shown],
            }
            _add_unique(finding.evidence, [marker], seen)
    # the same call site, trace event or network send, as the other rule recorded it: listed once
    known = {i for i in map(_identity, finding.evidence) if i is not None}
    _add_unique(
        finding.evidence, [i for i in items if _identity(i) is None or _identity(i) not in known], seen
    )
    finding.clauses.extend(c for c in general.clauses if c not in finding.clauses)
    finding.notice_types.extend(t for t in general.notice_types if t not in finding.notice_types)
    if raised:
        finding.confidence = general.confidence
    if _SEVERITY_RANK.get(general.severity, 9) < _SEVERITY_RANK.get(finding.severity, 9):
        finding.severity = general.severity
    finding.behaviour = finding.behaviour or general.behaviour
    for rid in (general.rule_id, *general.merged_rules):
        if rid not in finding.merged_rules and rid != finding.rule_id:
            finding.merged_rules.append(rid)


def _depths(rules: dict[str, Rule]) -> dict[str, int]:
    """Rule id -> how many supersedes steps lie below it (0: supersedes nothing); generals are merged first."""
    depth: dict[str, int] = {}

    def walk(rid: str, trail: tuple[str, ...]) -> int:
        if rid in depth:
            return depth[rid]
        rule = rules.get(rid)
        below = [g for g in (rule.supersedes if rule else []) if g in rules and g not in trail]
        depth[rid] = max((1 + walk(g, (*trail, rid)) for g in below), default=0)
        return depth[rid]

    for rid in rules:
        walk(rid, ())
    return depth


def _apply_supersedes(findings: list[Finding], rules: dict[str, Rule]) -> list[Finding]:
    """One behaviour, one finding per 通报 problem type (see the comment above): each finding of a rule named in
    other rules' ``supersedes`` gives each of its PI facts to their findings of the same owner that report it; a
    receiving finding keeps its title, gains the general finding's clauses, problem types, the evidence of the facts
    it reports, the stronger confidence (only from a runtime observation when the overlap is partial) and severity,
    and names it (``merged_rules``; a note in the messages). A general finding that gave every fact away is
    dropped; one that kept some is narrowed to them and restated (:func:`_restate`). Findings without such partners
    stay as they are."""
    superseded_by: dict[str, list[str]] = {}
    for rule in rules.values():
        for general_id in rule.supersedes:
            superseded_by.setdefault(general_id, []).append(rule.id)
    if not superseded_by:
        return findings
    depth = _depths(rules)
    absorbed: set[int] = set()
    # id(general) -> (its items given away, categories named with their phase, the findings that received them)
    narrowed: dict[int, tuple[list[dict[str, Any]], set[str], list[Finding]]] = {}
    carried_by: dict[int, list[Finding]] = {}  # id(absorbed finding) -> the findings that received its facts
    merged_any = False
    for general in sorted(findings, key=lambda f: (depth.get(f.rule_id, 0), f.rule_id, _owner_key(f.owner))):
        specifics = superseded_by.get(general.rule_id)
        if not specifics:
            continue
        candidates = [
            f
            for f in findings
            if f.rule_id in specifics
            and id(f) not in absorbed
            and f is not general
            and _mergeable(f, general)
        ]
        planned = _plan(general, candidates) if candidates else None
        if planned is None:
            continue
        plan, left = planned
        receivers = [f for f in candidates if id(f) in plan]
        given = [i for f in receivers for i in plan[id(f)] if _item_categories(i)]
        general_copy = _copy_for_absorb(general, given) if left else general
        for finding in receivers:
            _absorb(finding, general_copy, plan[id(finding)])
        merged_any = True
        if not left:
            absorbed.add(id(general))
            carried_by[id(general)] = receivers
            continue
        # a partial overlap: the facts other findings state leave this one, which keeps only the rest
        before = narrowed.get(id(general), ([], set(), []))
        phased = _narrow(general, left, [*before[0], *given])
        if general.confidence == "confirmed" and not _runtime(left) and _runtime(given):
            # its runtime observations went to the other findings: what it keeps is the rule's static judgement
            declared = rules[general.rule_id].confidence if general.rule_id in rules else "likely"
            general.confidence = declared if declared != "confirmed" else "likely"
        narrowed[id(general)] = ([*before[0], *given], before[1] | phased, [*before[2], *receivers])
    if not merged_any:
        return findings
    out = [f for f in findings if id(f) not in absorbed]

    def carriers(found: Finding, trail: tuple[int, ...] = ()) -> list[Finding]:
        """The findings of the report that carry ``found``'s facts (itself, or where an absorbed one went)."""
        if id(found) not in absorbed or id(found) in trail:
            return [found]
        return [c for r in carried_by[id(found)] for c in carriers(r, (*trail, id(found)))]

    for finding in out:
        if id(finding) in narrowed:
            given, phased, receivers = narrowed[id(finding)]
            final = list({id(c): c for r in receivers for c in carriers(r)}.values())
            _restate(finding, given, phased, final, rules)
        if finding.merged_rules:
            titles = "".join(f"“{rules[r].title_zh if r in rules else r}”" for r in finding.merged_rules)
            note = _MERGE_NOTE_ZH.format(titles=titles)
            finding.message_zh = f"{finding.message_zh}{note}" if finding.message_zh else note
            finding.message_en = _join(
                finding.message_en,
                f"(The same behaviour also meets rule(s) {', '.join(finding.merged_rules)}; merged into this finding.)",
            )
    return out


def _runtime(items: list[dict[str, Any]]) -> bool:
    return any(i.get("type") in ("trace", "network") for i in items)


def _copy_for_absorb(general: Finding, given: list[dict[str, Any]]) -> Finding:
    """The general finding as the receivers of part of it absorb it (its clauses, types, severity, behaviour and
    name), its lists copied so that narrowing it changes nothing they took. Its confidence comes along only when
    the part given holds a runtime observation (trace, network): a static call site it gives away is no more
    certain because the general finding's runtime evidence of another category was."""
    from dataclasses import replace

    return replace(
        general,
        evidence=list(general.evidence),
        merged_rules=list(general.merged_rules),
        confidence=general.confidence if _runtime(given) else CONFIDENCES[-1],
    )


def _join(message: str, note: str) -> str:
    return f"{message} {note}" if message else note


def _announce_needles(evidence: Evidence, rules: list[Rule]) -> None:
    """The ``needles`` of the enabled ``text_pattern`` rules, announced to the code index's string search
    (``static_support.expect_needles``) with the consent model's and the navigation graph's: the first search of
    the scan takes them along, so the others are answered from it instead of each making a pass over the string
    tables (issue #19). No result changes."""
    code = evidence.static.code if evidence.static is not None else None
    if code is None:
        return
    needles = [
        n
        for r in rules
        if r.enabled and r.predicate == "text_pattern" and isinstance(r.params.get("needles"), list)
        for n in r.params["needles"]
        if isinstance(n, str) and n
    ]
    if needles:
        from appwarden.rules.consent import consent_knowledge
        from appwarden.rules.navigation import POLICY_TEXTS
        from appwarden.rules.static_support import expect_needles

        # and what the consent model and the navigation graph search for (consent._build): whichever rule asks
        # first, one pass serves them all
        k = consent_knowledge()
        expect_needles(code, [*needles, *k.key_needles, *k.dialog_texts, *POLICY_TEXTS])


def evaluate(evidence: Evidence, rules: Iterable[Rule]) -> RuleResults:
    """Run every enabled rule on ``evidence``; see the module docstring for the contract."""
    out = RuleResults()
    available = evidence.available()
    deadline = current_deadline()  # the pipeline's rules-stage deadline, if any
    rules = sorted(rules, key=lambda r: r.id)
    _announce_needles(evidence, rules)
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
