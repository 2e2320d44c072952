"""A large trace streams through the reader and the analyzer in bounded memory (tracemalloc peak, no timing)."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from appwarden.dynamic.analyze import analyze_trace
from appwarden.dynamic.attribution import PrefixAttributor
from appwarden.dynamic.trace import read_trace

MB = 1024 * 1024
# real agent stacks run 20-40 frames (~2 KB per line): fewer, longer lines, as on a device
STACK = [
    "android.telephony.TelephonyManager.getDeviceId(Native Method)",
    "com.umeng.commonsdk.statistics.common.DeviceConfig.getImei(DeviceConfig.java:88)",
    *[f"com.example.shop.feature{i}.Handler{i}.dispatch(Handler{i}.java:{100 + i})" for i in range(26)],
    "com.example.shop.App.onCreate(App.java:25)",
    "android.app.ActivityThread.main(ActivityThread.java:7656)",
]


def make_trace(path: Path, target_bytes: int) -> int:
    """Write a trace of about ``target_bytes`` with a bad line every 1,000 lines; return the line count."""
    header = {
        "type": "header", "schema_version": 1, "app": {"package": "com.example.shop"},
        "started_at": "2026-11-23T14:00:00Z",
    }  # fmt: skip
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        written = 0
        t = 0
        while written < target_bytes:
            t += 50
            if n % 1000 == 999:
                line = '{"t": broken\n'
            else:
                ev = {"type": "api_call", "t": t, "class": "android.telephony.TelephonyManager",
                      "method": "getDeviceId", "args": [], "ret": "86" + "0" * 13, "stack": STACK,
                      "thread": f"pool-{n % 7}"}  # fmt: skip
                line = json.dumps(ev, separators=(",", ":")) + "\n"
            fh.write(line)
            written += len(line)
            n += 1
    return n


def stream(path: Path) -> tuple[int, int, int]:
    """Read + analyse; return (events analysed, errors, tracemalloc peak bytes)."""
    tracemalloc.start()
    try:
        header, events, errors = read_trace(path)
        seen = 0

        def counted():
            nonlocal seen
            for ev in events:
                seen += 1
                yield ev

        evidence = analyze_trace(header, counted(), attributor=PrefixAttributor({"com.umeng": "umeng"}))
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert evidence.api_summary[0].count == seen
    return seen, len(errors), peak


def test_small_trace_memory_is_far_below_file_size(tmp_path: Path) -> None:
    path = tmp_path / "small.jsonl"
    n = make_trace(path, 8 * MB)
    seen, errors, peak = stream(path)
    assert seen + errors == n
    assert errors == n // 1000 > 0
    assert peak < 4 * MB, f"peak {peak / MB:.1f} MB for an 8 MB trace"


@pytest.mark.slow
def test_200mb_trace_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    n = make_trace(path, 200 * MB)
    assert path.stat().st_size >= 200 * MB
    seen, errors, peak = stream(path)
    assert seen + errors == n
    # bounded: the 60 s frequency window (1,200 calls at 20/s) and one line dominate; nothing grows with the file
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB for a 200 MB trace"
