"""Screening data: indicator specs (from YAML), the hits they produce and the verdict they add up to.

Contract: an :class:`IndicatorSpec` is one entry of ``knowledge/screening/*.yaml`` (validated by
:mod:`appwarden.screening.loader`); a detector turns it into zero or more evidence items; an indicator *fires*
when it has at least one item, and its :class:`IndicatorHit` carries the spec's weight and category. The verdict
(:func:`verdict_for`) is the sum of the fired weights, capped at 100 (:func:`capped_score`; round seven: a group of
indicators of one tool-like behaviour counts at most its ``group_cap`` when no fired indicator outside it weighs
:data:`SECOND_SIGN_WEIGHT` or more, and a note says so):

* ``harmful`` when the score is at least :data:`HARMFUL_SCORE` (70),
* ``suspicious`` when it is at least :data:`SUSPICIOUS_SCORE` (40),
* ``none`` otherwise.

``categories`` lists the categories of the fired indicators, heaviest first, and only when the verdict is not
``none`` (a single weak sign names no category). An indicator that ``supersedes`` others (a data flow proving what
a co-occurrence only suggests) removes them from the hits when both fire, so one behaviour is not counted twice
(:func:`drop_superseded`; the superseding indicator's ``supersedes`` names them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CATEGORIES = (
    "sms_fraud",
    "spyware",
    "banker",
    "dropper",
    "ransomware",
    "adware",
    "fraud_loan",
    "phishing",
    "gambling",
    "counterfeit",
    "other",
)
"""The closed list of 不良APP categories (report contract)."""

CATEGORY_NAMES_ZH = {
    "sms_fraud": "短信扣费/诈骗",
    "spyware": "间谍窃密",
    "banker": "银行木马",
    "dropper": "恶意下载/加载",
    "ransomware": "勒索锁屏",
    "adware": "恶意广告/隐藏",
    "fraud_loan": "虚假贷款/投资",
    "phishing": "钓鱼仿冒",
    "gambling": "赌博彩票",
    "counterfeit": "仿冒应用",
    "other": "其他恶意行为",
}
VERDICT_NAMES_ZH = {"harmful": "有害", "suspicious": "可疑", "none": "未发现"}

EVIDENCE_KINDS = ("code", "manifest", "strings", "assets", "native", "certificate")
"""What an indicator looks at: bytecode, the manifest, text (DEX strings, resources, layouts, bundled HTML),
asset bytes, native libraries, or the signing certificates."""

VERDICTS = ("harmful", "suspicious", "none")
HARMFUL_SCORE = 70
SUSPICIOUS_SCORE = 40
MAX_EVIDENCE = 10  # evidence items kept per indicator (the count says how many there were)


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One indicator as written in YAML."""

    id: str
    category: str
    weight: int
    evidence: str  # one of EVIDENCE_KINDS
    detector: str  # name of a function in appwarden.screening.detectors.DETECTORS
    description: str
    description_zh: str
    source: str
    params: dict[str, Any] = field(default_factory=dict)
    fixtures: dict[str, Any] = field(default_factory=dict)  # {fires: [...], clean: [...]} fixture app names
    path: str = ""  # the YAML file it came from
    supersedes: tuple[str, ...] = ()  # weaker indicators of the same behaviour it replaces when both fire
    # round seven: indicators of one tool-like behaviour whose sum is capped alone; group_cap is the most the group
    # counts when no fired indicator outside it weighs SECOND_SIGN_WEIGHT or more (capped_groups)
    group: str = ""
    group_cap: int = 0


@dataclass(slots=True)
class IndicatorHit:
    """A fired indicator with its evidence items (dicts: call sites, manifest entries, strings, files, certs)."""

    spec: IndicatorSpec
    evidence: list[dict[str, Any]]
    count: int = 0
    replaced: list[str] = field(default_factory=list)  # fired indicators it superseded (drop_superseded)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.spec.id,
            "category": self.spec.category,
            "weight": self.spec.weight,
            "evidence_kind": self.spec.evidence,
            "description": self.spec.description,
            "description_zh": self.spec.description_zh,
            "count": self.count or len(self.evidence),
            "evidence": self.evidence[:MAX_EVIDENCE],
            **({"supersedes": list(self.replaced)} if self.replaced else {}),
        }


@dataclass(slots=True)
class Screening:
    """The result of screening one app (the report's ``screening`` section)."""

    hits: list[IndicatorHit] = field(default_factory=list)
    evaluated: bool = True  # False when the screening stage could not run (then verdict is none)
    notes: list[str] = field(default_factory=list)  # what could not be screened and why

    @property
    def score(self) -> int:
        return capped_score(self.hits)

    @property
    def verdict(self) -> str:
        return verdict_for(self.score)

    @property
    def categories(self) -> list[str]:
        if self.verdict == "none":
            return []
        weights: dict[str, int] = {}
        for hit in self.hits:
            weights[hit.spec.category] = weights.get(hit.spec.category, 0) + hit.spec.weight
        return sorted(weights, key=lambda c: (-weights[c], CATEGORIES.index(c)))

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "score": self.score,
            "categories": self.categories,
            "indicators": [h.to_json() for h in sorted(self.hits, key=lambda h: (-h.spec.weight, h.spec.id))],
            "evaluated": self.evaluated,
            "thresholds": {"harmful": HARMFUL_SCORE, "suspicious": SUSPICIOUS_SCORE},
            "notes": list(self.notes) + cap_notes(self.hits),
        }


SECOND_SIGN_WEIGHT = 20
"""Round seven: an indicator of at least this weight outside a group is a second behaviour's sign, which lifts the
group's cap (see :func:`capped_groups`)."""


def capped_groups(hits: list[IndicatorHit]) -> dict[str, tuple[int, int]]:
    """``{group: (sum of its fired weights, cap)}`` for each group whose cap applies: its fired indicators weigh more
    than its ``group_cap`` and no fired indicator outside it weighs :data:`SECOND_SIGN_WEIGHT` or more.

    A group is one tool-like behaviour that legitimate apps show openly (an accessibility auto-clicker; a root or
    ADB tool): alone it says "review this app" (suspicious at most), never "harmful"; with a second behaviour's
    sign (SMS interception, an overlay, icon hiding, a data leak ...) it counts in full (round seven, issue #23)."""
    sums: dict[str, int] = {}
    caps: dict[str, int] = {}
    for hit in hits:
        if hit.spec.group:
            sums[hit.spec.group] = sums.get(hit.spec.group, 0) + hit.spec.weight
            caps[hit.spec.group] = hit.spec.group_cap
    out: dict[str, tuple[int, int]] = {}
    for group, total in sums.items():
        if total <= caps[group]:
            continue
        if any(h.spec.group != group and h.spec.weight >= SECOND_SIGN_WEIGHT for h in hits):
            continue
        out[group] = (total, caps[group])
    return out


def capped_score(hits: list[IndicatorHit]) -> int:
    """The summed weights of ``hits`` with each applicable group cap (:func:`capped_groups`), at most 100."""
    total = sum(h.spec.weight for h in hits)
    for group_sum, cap in capped_groups(hits).values():
        total -= group_sum - cap
    return min(100, total)


def cap_notes(hits: list[IndicatorHit]) -> list[str]:
    """One note per applied group cap (the report says why the score is less than the sum of the weights)."""
    return [
        f"group {group}: its indicators weigh {total} but count {cap}, with no other behaviour's sign "
        f"(weight {SECOND_SIGN_WEIGHT} or more) / 同一工具类行为的指标合计 {total}，无其他行为迹象时只计 {cap}"
        for group, (total, cap) in sorted(capped_groups(hits).items())
    ]


def verdict_for(score: int) -> str:
    """``harmful`` / ``suspicious`` / ``none`` for a score (see the module docstring)."""
    if score >= HARMFUL_SCORE:
        return "harmful"
    if score >= SUSPICIOUS_SCORE:
        return "suspicious"
    return "none"


def drop_superseded(hits: list[IndicatorHit]) -> list[IndicatorHit]:
    """The hits without those a fired indicator ``supersedes``; each superseding hit names what it replaced
    (``supersedes`` in its JSON)."""
    fired = {h.spec.id for h in hits}
    replaced = {old for h in hits for old in h.spec.supersedes}
    kept = [h for h in hits if h.spec.id not in replaced]
    for hit in kept:
        hit.replaced = sorted(set(hit.spec.supersedes) & fired)
    return kept


def not_screened(reason: str) -> dict[str, Any]:
    """The ``screening`` section of a report whose app could not be screened (verdict ``none``, said why)."""
    result = Screening(evaluated=False, notes=[reason])
    return result.to_json()
