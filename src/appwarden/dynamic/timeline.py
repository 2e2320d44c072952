"""The first minute of a trace as an embeddable HTML fragment (Jinja2, autoescaped).

:func:`render_timeline(dyn)` returns one ``<section class="aw-timeline">`` with the consent timeline and a table of
the first-minute events (``DynamicEvidence.first_minute``): time, consent phase (before consent / after agreement /
after refusal), event, detail, PI category, owner and trace line. Rows that are PI accesses before consent or after
refusal carry the CSS class ``aw-flag``. Every value from the trace is escaped; the fragment has no script and no
inline style, so the report engineer can embed it and style it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from appwarden.dynamic.model import DynamicEvidence

PHASE_LABELS = {
    "before": "同意前 / before consent",
    "agreed": "已同意 / agreed",
    "refused": "已拒绝 / refused",
}


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("appwarden.dynamic", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _phase(t: int, dyn: DynamicEvidence) -> str:
    decisions = sorted(
        (e["t"], e["event"])
        for e in dyn.consent.events
        if e["event"] != "privacy_dialog_shown" and e["t"] <= t
    )
    if not decisions:
        return "before"
    return "agreed" if decisions[-1][1] == "consent_agree" else "refused"


def timeline_rows(dyn: DynamicEvidence, window_ms: int = 60_000, max_rows: int = 500) -> list[dict[str, Any]]:
    """The rows the fragment shows (also useful for text output)."""
    rows = []
    for item in dyn.first_minute:
        if item["t"] >= window_ms or len(rows) >= max_rows:
            break
        phase = _phase(item["t"], dyn)
        flag = item["type"] == "api_call" and phase in ("before", "refused")
        rows.append({**item, "phase": phase, "phase_label": PHASE_LABELS[phase], "flag": flag})
    return rows


def render_timeline(dyn: DynamicEvidence, window_ms: int = 60_000, max_rows: int = 500) -> str:
    """HTML fragment (str) of the first ``window_ms`` of the trace, at most ``max_rows`` rows."""
    rows = timeline_rows(dyn, window_ms, max_rows)
    shown = sum(1 for item in dyn.first_minute if item["t"] < window_ms)
    return (
        _env()
        .get_template("timeline.html")
        .render(
            package=dyn.package,
            consent=dyn.consent,
            rows=rows,
            window_ms=window_ms,
            truncated=shown > len(rows),
        )
    )
