"""PI read too often, from a runtime trace (``dynamic_frequency_exceeded``).

Two triggers, per (API, owner); one hit per owner listing every API that meets either:

* **periodic reads** (164号文 M164-1.2-S2: "存在以特定频率（如每30s）读取收集IMEI、IMSI、设备MAC地址、软件安装列表、位置…
  超出实现产品或服务的业务功能所必需的最低频率"): the analyzer finds, per (API, owner), the longest-lasting run of calls
  whose every gap is at most ``DynamicParams.periodic_max_gap_ms`` (33 s: the scenario's own "30 s" example plus
  10% for timer jitter, the 10% a project choice), so an app polling every 30 s is caught. The run counts when it
  holds at least ``periodic_min_reads`` calls (default 4: three intervals, 90 s of polling at the example's rate)
  and lasts at least ``periodic_min_span_s`` (default 60 s): a burst of reads within a few seconds, or one read and
  a burst later, is not "a specific frequency". Both minimums are this project's choice; no legal text gives one.
* **bursts above a per-minute limit**: more than ``max_per_minute`` calls in some 60 s sliding window (default: the
  analysis parameter ``DynamicParams.max_calls_per_minute``, 10). No legal text gives a per-minute number; 164号文
  M164-1.2-S4 names "每2秒读取一次IMEI、位置信息" (30 per minute) as an example, and 10 per minute is this
  project's default below it.

Neither number is a normative limit: whether the function needs the observed rate is for a reviewer to judge
(``needs_review``). Params: ``max_per_minute`` (int), ``periodic_min_reads`` (int >= 2), ``periodic_min_span_s``
(number >= 0), ``categories`` / ``exclude_categories`` (as ``dynamic_pi_before_consent``).
"""

from __future__ import annotations

from typing import Any

from appwarden.dynamic.refs import frequency_ref
from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.knowledge import pi_categories
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.predicates.dynamic_consent import DEFAULT_EXCLUDE, validate_categories

PERIODIC_MIN_READS = 4  # project choice (three intervals): see the module docstring
PERIODIC_MIN_SPAN_S = 60.0  # project choice: the steady reading lasts at least one analysis window (60 s)
# Scenario clauses a finding adds (the rule's ``extra_clauses``): M164-1.2-S2 ("以特定频率（如每30s）读取") when an API is
# read periodically; M164-1.2-S4 ("每2秒读取一次IMEI、位置信息") when an API reaches the example's own rate, 30 calls
# in a minute (one every 2 s), so a finding cites S4 only when the trace shows at least the rate S4 describes.
SCENARIO_PERIODIC = "M164-1.2-S2"
SCENARIO_EVERY_2S = "M164-1.2-S4"
EVERY_2S_PER_MINUTE = 30


def _validate(params: dict) -> None:
    validate_categories(params)
    limit = params.get("max_per_minute")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise RuleError("'max_per_minute' must be a positive integer")
    reads = params.get("periodic_min_reads")
    if reads is not None and (not isinstance(reads, int) or isinstance(reads, bool) or reads < 2):
        raise RuleError("'periodic_min_reads' must be an integer >= 2")
    span = params.get("periodic_min_span_s")
    if span is not None and (not isinstance(span, int | float) or isinstance(span, bool) or span < 0):
        raise RuleError("'periodic_min_span_s' must be a number >= 0")


def periodic_interval_s(peak: Any, min_reads: int, min_span_s: float) -> float | None:
    """The mean interval (s) of a peak's longest steady run (``run_calls`` calls from ``run_start`` to ``run_end``,
    every gap at most ``DynamicParams.periodic_max_gap_ms``) when it holds at least ``min_reads`` calls and lasts at
    least ``min_span_s``; else None."""
    calls = int(getattr(peak, "run_calls", 0) or 0)
    start, end = getattr(peak, "run_start", None), getattr(peak, "run_end", None)
    if calls < min_reads or start is None or end is None or (end - start) / 1000.0 < min_span_s:
        return None
    return (end - start) / 1000.0 / (calls - 1)


@predicate("dynamic_frequency_exceeded", needs=("dynamic.trace",), validate=_validate)
def dynamic_frequency_exceeded(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    limit = int(param(params, "max_per_minute", dyn.params.max_calls_per_minute))
    min_reads = int(param(params, "periodic_min_reads", PERIODIC_MIN_READS))
    min_span = float(param(params, "periodic_min_span_s", PERIODIC_MIN_SPAN_S))
    max_gap_s = dyn.params.periodic_max_gap_ms / 1000.0
    only = set(param(params, "categories", ()))
    exclude = set(param(params, "exclude_categories", DEFAULT_EXCLUDE))
    grouped: dict[str, list[tuple[Any, float | None]]] = {}
    for peak in dyn.frequency:
        if (only and peak.category not in only) or peak.category in exclude:
            continue
        periodic = periodic_interval_s(peak, min_reads, min_span)
        if peak.peak_per_minute > limit or periodic is not None:
            grouped.setdefault(peak.owner, []).append((peak, periodic))
    hits = []
    for owner, peaks in grouped.items():
        items = []
        for p, periodic in peaks:
            item = frequency_ref(p, limit)
            if periodic is not None:
                item |= {
                    "periodic_interval_s": round(periodic, 1),
                    "periodic_max_gap_s": max_gap_s,
                    "periodic_reads": p.run_calls,
                    "periodic_from": p.run_start,
                    "span_s": round((p.run_end - p.run_start) / 1000.0, 1),
                }
            items.append(item)
        top, top_periodic = max(peaks, key=lambda x: (x[0].peak_per_minute > limit, x[0].peak_per_minute))
        what = f"{pi_categories().get(top.category, {}).get('name_zh', top.category)}接口 {top.api}"
        if top.peak_per_minute > limit:
            zh = f"{what} 在一分钟内被调用 {top.peak_per_minute} 次（阈值 {limit} 次/分钟）"
            en = f"{top.api} called {top.peak_per_minute} times within one minute (limit {limit}/min)"
        else:
            assert top_periodic is not None
            secs = f"{top_periodic:.0f}"
            zh = (
                f"{what} 约每{secs}秒读取一次（连续{top.run_calls}次），属于164号文所举“以特定频率（如每30s）读取”的情形"
                f"（阈值：相邻两次间隔不超过{max_gap_s:g}秒、至少{min_reads}次、持续至少{min_span:g}秒）"
            )
            en = (
                f"{top.api} read about every {secs} s ({top.run_calls} reads in a row): the periodic reading 164号文 "
                f"names ('e.g. every 30 s'; limit: every gap <= {max_gap_s:g} s, >= {min_reads} reads over "
                f">= {min_span:g} s)"
            )
        clauses = []
        if any(periodic is not None for _, periodic in peaks):
            clauses.append(SCENARIO_PERIODIC)
        if any(p.peak_per_minute >= EVERY_2S_PER_MINUTE for p, _ in peaks):
            clauses.append(SCENARIO_EVERY_2S)
        hits.append(Hit(evidence=items, owner=owner, message_zh=zh, message_en=en, clauses=clauses))
    return hits
