"""Screening data: indicator specs (from YAML), the hits they produce and the verdict they add up to.

Contract: an :class:`IndicatorSpec` is one entry of ``knowledge/screening/*.yaml`` (validated by
:mod:`appwarden.screening.loader`); a detector turns it into zero or more evidence items; an indicator *fires*
when it has at least one item, and its :class:`IndicatorHit` carries the spec's weight and category. The verdict
(:func:`verdict_for`) is the sum of the fired weights, capped at 100:

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
        return min(100, sum(h.spec.weight for h in self.hits))

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
            "notes": list(self.notes),
        }


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
