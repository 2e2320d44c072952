"""Findings ranked for case officers: severity high → medium → low → info, then confidence confirmed → likely →
possible, then id (oldest first). The one ordering used by the review queue, job pages and order (case) pages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, IntegerField, QuerySet, Value, When

from appwarden.platform.testing.models import CONFIDENCE, SEVERITY, Finding

SEVERITY_RANK = {key: i for i, (key, _label) in enumerate(SEVERITY)}
CONFIDENCE_RANK = {key: i for i, (key, _label) in enumerate(CONFIDENCE)}


def _rank_expr(field: str, ranks: dict[str, int]) -> Case:
    """An SQL rank for ``field`` (unknown values after the known ones)."""
    return Case(
        *(When(**{field: key}, then=Value(i)) for key, i in ranks.items()),
        default=Value(len(ranks)),
        output_field=IntegerField(),
    )


def ranked(qs: QuerySet) -> QuerySet:
    """``qs`` (findings, or rows with ``severity``/``confidence``) ordered by severity, confidence, then id."""
    return qs.annotate(
        _sev_rank=_rank_expr("severity", SEVERITY_RANK), _conf_rank=_rank_expr("confidence", CONFIDENCE_RANK)
    ).order_by("_sev_rank", "_conf_rank", "id")


def rank_key(finding: Finding) -> tuple[int, int, int]:
    """The Python sort key of :func:`ranked` (for lists already loaded)."""
    return (
        SEVERITY_RANK.get(finding.severity, len(SEVERITY_RANK)),
        CONFIDENCE_RANK.get(finding.confidence, len(CONFIDENCE_RANK)),
        finding.pk or 0,
    )


def by_owner(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Ranked findings grouped by owner; the groups in the order of their most severe finding (so the page opens
    with the most severe problem whoever owns it) and each group ranked."""
    groups: dict[str, list[Finding]] = {}
    for f in sorted(findings, key=rank_key):
        groups.setdefault(f.owner, []).append(f)
    return list(groups.items())
