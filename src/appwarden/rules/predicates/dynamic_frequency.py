"""PI read too often, from a runtime trace (``dynamic_frequency_exceeded``).

For each (API, owner) the analyzer keeps the largest number of calls inside any 60 s sliding window. A peak above
``max_per_minute`` fires, one hit per owner. 164号文 (M164-1.2-S2/S4) names "every 30 s" and "every 2 s" only as
*examples* of collection beyond the minimum frequency a function needs — there is no normative number — so the
limit is a parameter (default: the analysis parameter ``DynamicParams.max_calls_per_minute``, 10) and a human
decides whether the function needs that rate (``needs_review``).

Params: ``max_per_minute`` (int), ``categories`` / ``exclude_categories`` (as ``dynamic_pi_before_consent``).
"""

from __future__ import annotations

from appwarden.dynamic.refs import frequency_ref
from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.predicates.dynamic_consent import DEFAULT_EXCLUDE, validate_categories


def _validate(params: dict) -> None:
    validate_categories(params)
    limit = params.get("max_per_minute")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise RuleError("'max_per_minute' must be a positive integer")


@predicate("dynamic_frequency_exceeded", needs=("dynamic.trace",), validate=_validate)
def dynamic_frequency_exceeded(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    limit = int(param(params, "max_per_minute", dyn.params.max_calls_per_minute))
    only = set(param(params, "categories", ()))
    exclude = set(param(params, "exclude_categories", DEFAULT_EXCLUDE))
    grouped: dict[str, list] = {}
    for peak in dyn.frequency_exceeded(limit):
        if (only and peak.category not in only) or peak.category in exclude:
            continue
        grouped.setdefault(peak.owner, []).append(peak)
    hits = []
    for owner, peaks in grouped.items():
        top = max(peaks, key=lambda p: p.peak_per_minute)
        hits.append(
            Hit(
                evidence=[frequency_ref(p, limit) for p in peaks],
                owner=owner,
                message_zh=f"{top.api} 在一分钟内被调用 {top.peak_per_minute} 次（阈值 {limit} 次/分钟）",
                message_en=f"{top.api} called {top.peak_per_minute} times within one minute (limit {limit}/min)",
            )
        )
    return hits
