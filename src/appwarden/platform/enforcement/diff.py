"""The re-test diff: which ordered findings were fixed, which persist, which are new, which were not re-tested.

Findings are matched by ``rule_id@owner``. An ordered finding counts as **fixed** only when the re-test evaluated
its rule with every kind of evidence the original finding rested on:

* the *kinds* of evidence are ``static`` (APK code, manifest, SDKs), ``policy`` (privacy-policy text) and
  ``dynamic`` (a runtime trace). A finding's kinds come from its evidence references (``trace``/``network`` →
  dynamic, ``policy`` → policy, everything else → static): a static finding that a trace *confirmed* carries
  trace references, so it needs a new trace too;
* the kinds a scan job evaluated come from its stored report (nothing new is stored on the job): ``static`` when
  the APK was read (``app.package``), ``policy`` when its ``policy`` section is present and found, ``dynamic`` when
  its ``dynamic`` section is present (a trace of another app is ignored by the scan and leaves it null);
* the rule itself must have been evaluated: in the report's ``evaluated_rules`` (when the report lists them) and
  not in its ``not_evaluated`` (a rule whose ``needs`` were missing, e.g. ``dynamic.trace``).

An ordered finding whose behaviour the re-test reports inside another finding of the same owner (the engine merged
it: the rule id is in that finding's ``merged_rules``, e.g. ``dynamic.pi.pre_consent`` carried by
``pi.startup.device_id``) was found again too: **persisting** (``merged_into`` names the carrier), and the carrier is
not **new**. An ordered finding the re-test found again is **persisting** whatever the evidence; one it did not find without
meeting the conditions above is **not re-tested** (with the reason in Chinese), never fixed. ``passed`` is true
only when nothing persists, nothing is new and nothing is left not re-tested.

A re-test whose analysis did not complete (:func:`appwarden.completeness.incomplete`: a packed or unreadable DEX, a
stage past its time limit, rules that did not all run, a policy or trace refused) proves nothing absent: every
ordered finding it did not find is **not re-tested**, never fixed. Otherwise a company could pack its "rectified"
build so that the code findings vanish.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appwarden.completeness import incomplete
from appwarden.platform.testing.models import F_REJECTED, Finding

STATIC, POLICY, DYNAMIC = "static", "policy", "dynamic"
KIND_NAMES_ZH = {STATIC: "静态代码", POLICY: "隐私政策文本", DYNAMIC: "运行时轨迹"}
_REF_KIND = {"trace": DYNAMIC, "network": DYNAMIC, "policy": POLICY}
_ORDER = (STATIC, POLICY, DYNAMIC)


def finding_key(f: Finding) -> str:
    return f"{f.rule_id}@{f.owner}"


def finding_kinds(f: Finding) -> set[str]:
    """The kinds of evidence a finding rests on (from its evidence references' ``type``)."""
    return {_REF_KIND.get(str(ref.get("type")), STATIC) for ref in f.evidence or [] if isinstance(ref, dict)}


@dataclass(slots=True)
class Coverage:
    """What a scan job's report says it evaluated."""

    kinds: set[str] = field(default_factory=set)
    evaluated: set[str] | None = None  # rule ids that ran to completion; None: the report does not list them
    not_evaluated: dict[str, list[str]] = field(default_factory=dict)  # rule id -> missing evidence needs
    incomplete: str | None = None  # why the analysis did not complete (completeness.incomplete); None: it did

    def rule_evaluated(self, rule_id: str) -> bool:
        if rule_id in self.not_evaluated:
            return False
        return self.evaluated is None or rule_id in self.evaluated


def coverage(report: Any) -> Coverage:
    """The :class:`Coverage` of a stored report (an empty one when there is no report)."""
    if not isinstance(report, dict):
        return Coverage(evaluated=set())
    kinds = set()
    app = report.get("app")
    if isinstance(app, dict) and app.get("package"):
        kinds.add(STATIC)
    policy = report.get("policy")
    if isinstance(policy, dict) and policy.get("found", True) is not False:
        kinds.add(POLICY)
    if isinstance(report.get("dynamic"), dict):
        kinds.add(DYNAMIC)
    not_evaluated = {
        str(n["rule_id"]): [str(m) for m in n.get("missing") or []]
        for n in report.get("not_evaluated") or []
        if isinstance(n, dict) and n.get("rule_id")
    }
    if report.get("rules_evaluated") is False:
        evaluated: set[str] | None = set()
    elif isinstance(report.get("evaluated_rules"), list):
        evaluated = {str(r) for r in report["evaluated_rules"]}
    else:
        evaluated = None
    return Coverage(
        kinds=kinds, evaluated=evaluated, not_evaluated=not_evaluated, incomplete=incomplete(report)
    )


def _row(key: str, f: Finding) -> dict[str, Any]:
    return {
        "key": key,
        "rule_id": f.rule_id,
        "title_zh": f.title_zh,
        "owner": f.owner,
        "evidence_kinds": [k for k in _ORDER if k in finding_kinds(f)],
    }


def _not_retested_reason(f: Finding, cov: Coverage) -> str | None:
    """Why ``f`` (absent from the re-test) cannot count as fixed, in Chinese; ``None`` when it can."""
    if not cov.rule_evaluated(f.rule_id):
        missing = cov.not_evaluated.get(f.rule_id)
        return "复测未评估该规则" + (f"（缺少 {'、'.join(missing)}）" if missing else "")
    lacking = [k for k in _ORDER if k in finding_kinds(f) - cov.kinds]
    if lacking:
        names = "、".join(KIND_NAMES_ZH[k] for k in lacking)
        return f"原问题有{names}证据，复测没有{names}，不能认定已整改"
    if cov.incomplete:
        return f"复测分析未完成（{cov.incomplete[:200]}），不能认定已整改"
    return None


def merged_keys(report: Any) -> dict[str, str]:
    """``rule_id@owner`` of each finding the engine merged into another (the report's ``merged_rules``) -> the key of
    the finding that carries it."""
    out: dict[str, str] = {}
    if not isinstance(report, dict):
        return out
    for f in report.get("findings") or []:
        if not isinstance(f, dict) or not f.get("rule_id"):
            continue
        owner = str(f.get("owner") or "host")
        for rid in f.get("merged_rules") or []:
            out.setdefault(f"{rid}@{owner}", f"{f['rule_id']}@{owner}")
    return out


def diff_findings(
    original: list[Finding], retest: list[Finding], report: Any, rejected: list[Finding] | None = None
) -> dict[str, Any]:
    """Compare the ordered findings with the re-test's (rejected ones ignored) by ``rule_id@owner``.

    ``report``: the re-test job's stored report, for :func:`coverage` (``None``: nothing counts as evaluated).
    ``rejected``: findings a reviewer rejected in the ordered scan(s); a re-test finding with one of their keys is
    that same judged-false finding again, so it is listed under ``previously_rejected`` and is neither **new** nor
    a reason for the re-test not to pass.
    Returns ``{fixed, persisting, new, previously_rejected, not_retested, passed, evidence_kinds}``;
    each row has ``key``, ``rule_id``, ``title_zh``, ``owner``, ``evidence_kinds`` (and ``reason_zh`` when not
    re-tested); ``evidence_kinds`` at the top is what the re-test evaluated."""
    cov = coverage(report)
    old = {finding_key(f): f for f in original}
    new = {finding_key(f): f for f in retest if f.status != F_REJECTED}
    judged = {finding_key(f) for f in rejected or []} - set(old)
    merged = merged_keys(report)
    carriers: set[str] = set()
    fixed, persisting, not_retested = [], [], []
    for key in sorted(old):
        f = old[key]
        if key in new:
            persisting.append(_row(key, new[key]))
            continue
        if merged.get(key) in new:  # the same behaviour, reported inside another finding: not fixed
            carriers.add(merged[key])
            persisting.append({**_row(key, f), "merged_into": merged[key]})
            continue
        reason = _not_retested_reason(f, cov)
        if reason is None:
            fixed.append(_row(key, f))
        else:
            not_retested.append({**_row(key, f), "reason_zh": reason})
    added = [_row(key, new[key]) for key in sorted(set(new) - set(old) - carriers - judged)]
    again = [_row(key, new[key]) for key in sorted((set(new) & judged) - carriers)]
    return {
        "fixed": fixed,
        "persisting": persisting,
        "new": added,
        "previously_rejected": again,
        "not_retested": not_retested,
        "passed": not persisting and not added and not not_retested,
        "evidence_kinds": [k for k in _ORDER if k in cov.kinds],
    }
