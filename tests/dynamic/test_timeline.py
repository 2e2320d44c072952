"""The first-minute timeline fragment: escaped, flags pre-consent PI rows, bounded."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from appwarden.dynamic.analyze import analyze_trace, load_dynamic_evidence
from appwarden.dynamic.timeline import render_timeline, timeline_rows

TRACES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
HEADER = {"type": "header", "schema_version": 1, "app": {"package": "com.x<y>"}, "started_at": "x"}


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.flagged_rows = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        if tag == "tr" and "aw-flag" in (dict(attrs).get("class") or ""):
            self.flagged_rows += 1


def test_trace_text_is_escaped() -> None:
    events = [
        {"type": "ui", "t": 1, "event": "privacy_dialog_shown", "label": "<script>alert(1)</script>"},
        {"type": "ui", "t": 2, "event": "screen", "screen": "<img src=x onerror=alert(1)>"},
    ]
    html = render_timeline(analyze_trace(HEADER, iter(events)))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and 'data-package="com.x&lt;y&gt;"' in html
    parser = Tags()
    parser.feed(html)
    assert "script" not in parser.tags and "img" not in parser.tags


def test_pre_consent_pi_rows_are_flagged() -> None:
    dyn = load_dynamic_evidence(TRACES / "mac_before_dialog.jsonl")
    parser = Tags()
    parser.feed(render_timeline(dyn))
    assert parser.flagged_rows == 1
    rows = timeline_rows(dyn)
    assert [r["phase"] for r in rows if r["type"] == "api_call"] == ["before"]
    after = timeline_rows(load_dynamic_evidence(TRACES / "mac_after_consent.jsonl"))
    assert [(r["phase"], r["flag"]) for r in after if r["type"] == "api_call"] == [("agreed", False)]
    refused = timeline_rows(load_dynamic_evidence(TRACES / "collects_after_refusal.jsonl"))
    assert {r["phase"] for r in refused if r["type"] == "api_call"} == {"refused"}


def test_rows_are_bounded() -> None:
    dyn = load_dynamic_evidence(TRACES / "applist_background_polling.jsonl")
    assert len(timeline_rows(dyn, max_rows=5)) == 5
    assert all(r["t"] < 20_000 for r in timeline_rows(dyn, window_ms=20_000))
    assert "first 5 events shown" in render_timeline(dyn, max_rows=5)
