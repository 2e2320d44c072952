"""Property: whatever follows a valid header, the reader never raises, yields only valid events in time order,
and accounts for every non-blank line as an event or an error."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from appwarden.dynamic.analyze import analyze_trace, trace_mismatch
from appwarden.dynamic.attribution import PrefixAttributor
from appwarden.dynamic.trace import event_problem, read_trace
from appwarden.limits import Limits

HEADER = {"type": "header", "schema_version": 1, "app": {"package": "com.x"}, "started_at": "x"}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
event_like = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["api_call", "ui", "network", "permission_request", "permission_result",
                                 "sensor_register", "bogus"]),
        "t": st.integers(-1, 100_000),
    },
    optional={
        "class": st.sampled_from(["android.telephony.TelephonyManager", "", "x"]),
        "method": st.sampled_from(["getDeviceId", "getImei", ""]),
        "event": st.sampled_from(["consent_agree", "app_background", "privacy_dialog_shown", "nope"]),
        "host": st.text(max_size=10), "permissions": st.lists(st.text(max_size=5), max_size=2),
        "permission": st.text(max_size=5), "granted": json_values, "sensor": st.text(max_size=5),
        "stack": st.lists(st.text(max_size=30), max_size=3), "args": json_values, "pi": json_values,
        "thresholds": json_values,
    },
)  # fmt: skip
lines = st.lists(
    st.one_of(event_like.map(json.dumps), json_values.map(json.dumps), st.text(max_size=60)), max_size=40
)


@settings(max_examples=150, deadline=None)
@given(lines)
def test_reader_and_analyzer_survive_anything(body: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsonl"
        text = (
            json.dumps(HEADER) + "\n" + "\n".join(line.replace("\n", " ").replace("\r", " ") for line in body)
        )
        path.write_text(text + "\n", encoding="utf-8", errors="surrogatepass")
        header, events, errors = read_trace(path, Limits(max_trace_line=200))
        kept = list(events)
        assert all(event_problem(e) is None for e in kept)
        assert [e["t"] for e in kept] == sorted(e["t"] for e in kept)
        non_blank = sum(1 for raw in path.read_bytes().split(b"\n")[1:] if raw.strip())
        assert len(kept) + len(errors) == non_blank
        dyn = analyze_trace(header, iter(kept), attributor=PrefixAttributor({}))
        json.dumps(dyn.to_json())


def test_trace_mismatch() -> None:
    dyn = analyze_trace({**HEADER, "app": {"package": "com.x", "sha256": "a" * 64}}, iter([]))
    assert trace_mismatch(dyn, "com.x", "A" * 64) is None
    assert "com.y" in trace_mismatch(dyn, "com.y", None)
    assert "sha256" in trace_mismatch(dyn, "com.x", "b" * 64)
