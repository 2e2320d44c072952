"""PI read too often, from a runtime trace (``dynamic_frequency_exceeded``).

Two triggers, per (API, owner); one hit per owner listing every (API) that meets either:

* **periodic reads** (164号文 M164-1.2-S2: "存在以特定频率（如每30s）读取收集IMEI、IMSI、设备MAC地址、软件安装列表、位置…
  超出实现产品或服务的业务功能所必需的最低频率"): the API is read at least ``periodic_min_reads`` times (default 4),
  the mean interval between the first and the last read is at most ``periodic_max_interval_s`` (default 30 s — the
  scenario's own example, so an app polling every 30 s is caught), and the reads are spread, not one burst: the
  busiest 60 s window holds no more reads than that mean interval predicts, plus one
  (``peak <= 60 s / mean interval + 1``). The 4-read minimum (three intervals, 90 s of polling at the example's
  rate) is this project's choice, not a number from a legal text: with fewer reads, a read plus one retry, or a
  read in ``onCreate`` and again in ``onResume``, would count as "a specific frequency".
* **bursts above a per-minute limit**: more than ``max_per_minute`` calls in some 60 s sliding window (default: the
  analysis parameter ``DynamicParams.max_calls_per_minute``, 10). No legal text gives a per-minute number; 164号文
  M164-1.2-S4 names "每2秒读取一次IMEI、位置信息" (30 per minute) as an example, and 10 per minute is this
  project's default below it.

Neither number is a normative limit: whether the function needs the observed rate is for a reviewer to judge
(``needs_review``). Params: ``max_per_minute`` (int), ``periodic_max_interval_s`` (number, 0 turns the periodic
trigger off), ``periodic_min_reads`` (int >= 2), ``categories`` / ``exclude_categories`` (as
``dynamic_pi_before_consent``).
"""

from __future__ import annotations

from typing import Any

from appwarden.dynamic.refs import frequency_ref
from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.predicates.dynamic_consent import DEFAULT_EXCLUDE, validate_categories

PERIODIC_MAX_INTERVAL_S = 30.0  # 164号文 M164-1.2-S2's example "以特定频率（如每30s）读取"
PERIODIC_MIN_READS = 4  # project choice (three intervals): see the module docstring
WINDOW_S = 60.0  # the analyzer's sliding window (appwarden.dynamic.analyze.WINDOW_MS)


def _validate(params: dict) -> None:
    validate_categories(params)
    limit = params.get("max_per_minute")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise RuleError("'max_per_minute' must be a positive integer")
    interval = params.get("periodic_max_interval_s")
    if interval is not None and (
        not isinstance(interval, int | float) or isinstance(interval, bool) or interval < 0
    ):
        raise RuleError("'periodic_max_interval_s' must be a number >= 0 (0: periodic trigger off)")
    reads = params.get("periodic_min_reads")
    if reads is not None and (not isinstance(reads, int) or isinstance(reads, bool) or reads < 2):
        raise RuleError("'periodic_min_reads' must be an integer >= 2")


def periodic_interval_s(
    total: int, first_ms: int, last_ms: int, peak_per_minute: int, min_reads: int
) -> float | None:
    """The mean interval (s) of ``total`` reads between ``first_ms`` and ``last_ms`` when they look periodic — at
    least ``min_reads`` reads, and no 60 s window holding more than ``60 s / interval + 1`` of them (a burst) — else
    None."""
    if total < min_reads or last_ms <= first_ms:
        return None
    interval = (last_ms - first_ms) / 1000.0 / (total - 1)
    if peak_per_minute > WINDOW_S / interval + 1:
        return None
    return interval


@predicate("dynamic_frequency_exceeded", needs=("dynamic.trace",), validate=_validate)
def dynamic_frequency_exceeded(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    limit = int(param(params, "max_per_minute", dyn.params.max_calls_per_minute))
    max_interval = float(param(params, "periodic_max_interval_s", PERIODIC_MAX_INTERVAL_S))
    min_reads = int(param(params, "periodic_min_reads", PERIODIC_MIN_READS))
    only = set(param(params, "categories", ()))
    exclude = set(param(params, "exclude_categories", DEFAULT_EXCLUDE))
    spans = {(o.api, o.owner): (o.t, o.last_t if o.last_t is not None else o.t) for o in dyn.api_summary}
    grouped: dict[str, list[tuple[Any, float | None]]] = {}
    for peak in dyn.frequency:
        if (only and peak.category not in only) or peak.category in exclude:
            continue
        first, last = spans.get((peak.api, peak.owner), (peak.window_start, peak.window_start))
        interval = periodic_interval_s(peak.total, first, last, peak.peak_per_minute, min_reads)
        periodic = (
            interval if interval is not None and max_interval > 0 and interval <= max_interval else None
        )
        if peak.peak_per_minute > limit or periodic is not None:
            grouped.setdefault(peak.owner, []).append((peak, periodic))
    hits = []
    for owner, peaks in grouped.items():
        items = []
        for p, periodic in peaks:
            item = frequency_ref(p, limit)
            if periodic is not None:
                first, last = spans.get((p.api, p.owner), (p.window_start, p.window_start))
                item |= {
                    "periodic_interval_s": round(periodic, 1),
                    "periodic_max_interval_s": max_interval,
                    "span_s": round((last - first) / 1000.0, 1),
                }
            items.append(item)
        top, top_periodic = max(peaks, key=lambda x: (x[0].peak_per_minute > limit, x[0].peak_per_minute))
        if top.peak_per_minute > limit:
            zh = f"{top.api} 在一分钟内被调用 {top.peak_per_minute} 次（阈值 {limit} 次/分钟）"
            en = f"{top.api} called {top.peak_per_minute} times within one minute (limit {limit}/min)"
        else:
            assert top_periodic is not None
            secs = f"{top_periodic:.0f}"
            zh = (
                f"{top.api} 约每{secs}秒读取一次（共{top.total}次），属于164号文所举“以特定频率（如每30s）读取”的情形"
                f"（阈值：平均间隔不超过{max_interval:g}秒且至少{min_reads}次）"
            )
            en = (
                f"{top.api} read about every {secs} s ({top.total} reads): the periodic reading 164号文 names "
                f"('e.g. every 30 s'; limit: mean interval <= {max_interval:g} s over >= {min_reads} reads)"
            )
        hits.append(Hit(evidence=items, owner=owner, message_zh=zh, message_en=en))
    return hits
