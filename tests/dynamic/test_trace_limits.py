"""The trace reader's bounds (issue #17): regular files only, decompressed bytes capped, JSON depth checked before
parsing in linear time, stage deadline checked while reading."""

from __future__ import annotations

import gzip
import json
import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from appwarden.dynamic.importers.camille import match_notice
from appwarden.dynamic.trace import json_depth, read_trace
from appwarden.errors import InputError, StageTimeout, TraceFormatError
from appwarden.limits import Limits, cooperative_deadline

HEADER = {
    "type": "header",
    "format": "appwarden-trace",
    "schema_version": 1,
    "app": {"package": "com.example.fixture"},
    "started_at": "2026-11-23T14:00:00Z",
}
MARK = '{"t":1,"type":"ui","event":"mark"}\n'


def _events(path: Path, limits: Limits = Limits()) -> tuple[list, list]:
    _header, events, errors = read_trace(path, limits)
    return list(events), errors


def test_decompressed_size_is_capped_and_said(tmp_path: Path) -> None:
    trace = tmp_path / "t.jsonl.gz"
    trace.write_bytes(gzip.compress((json.dumps(HEADER) + "\n" + MARK * 3 + "\n" * (4 << 20)).encode()))
    events, errors = _events(trace, Limits(max_trace_size=1 << 20))
    assert len(events) == 3
    assert [e.message for e in errors][-1].startswith("trace is over the max_trace_size limit (1048576 bytes")


def test_deep_line_is_rejected_before_parsing_and_header_too(tmp_path: Path) -> None:
    trace = tmp_path / "t.jsonl"
    deep = '{"t":1,"type":"ui","event":"mark","x":' + "[" * 50_000 + "]" * 50_000 + "}\n"
    trace.write_text(json.dumps(HEADER) + "\n" + deep + MARK)
    events, errors = _events(trace)
    assert len(events) == 1 and [(e.line, e.message) for e in errors] == [
        (2, "JSON nested deeper than 64 levels; event skipped")
    ]
    trace.write_text("[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(TraceFormatError, match="header line 1 is nested deeper than 64 levels"):
        read_trace(trace)


@pytest.mark.parametrize(
    ("raw", "depth"),
    [
        (b"{}", 1),
        (b'{"a":[1,[2]],"s":"[[[["}', 3),
        (b'["\\"[[", [[]]]', 3),
        (b'"[[["', 0),
        (b'"["', 0),
        (b'["]"]', 1),
        (b"[[],[],[]]", 2),
    ],
)
def test_json_depth(raw: bytes, depth: int) -> None:
    assert json_depth(raw) == depth


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 1_000_000,
        b'"' + b"\\" * 1_000_000,
        b'"a' * 500_000,
        b'["' * 500_000,
        b'"\\"' * 300_000,
        b"[" + b'"\\\\' * 300_000,
    ],
)
def test_json_depth_is_linear_on_adversarial_lines(raw: bytes) -> None:
    started = time.monotonic()
    json_depth(raw)
    assert (
        time.monotonic() - started < 5
    )  # ~1 MB lines: milliseconds; super-linear backtracking takes minutes


def test_named_pipe_trace_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "trace.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_trace(fifo)


def test_newline_flood_stops_at_the_deadline(tmp_path: Path) -> None:
    trace = tmp_path / "t.jsonl"
    trace.write_text(json.dumps(HEADER) + "\n" + "\n" * (8 << 20))
    started = time.monotonic()
    with cooperative_deadline("trace", 0.05), pytest.raises(StageTimeout, match="'trace' exceeded"):
        _events(trace)
    assert time.monotonic() - started < 5


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ ab,:'),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text('[]{}"\\ab'), children, max_size=4)
    ),
    max_leaves=30,
)


@given(_JSON)
@settings(max_examples=500, deadline=None)
def test_json_depth_is_the_parsed_nesting_of_any_json(value: object) -> None:
    raw = json.dumps(value, ensure_ascii=False).encode()
    assert json_depth(raw) == _depth(value)


# the camille notice line: the lazy-group regular expression it used to be is the reference for the linear split
_OLD_NOTICE = re.compile(
    r"^\[\*\]\s*(?P<time>\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{1,2}:\d{1,2})\s*[，,]\s*APP行为[：:](?P<action>.*?)"
    r"[、,]\s*行为描述[：:](?P<message>.*?)[、,]\s*传入参数[：:](?P<args>.*)$"
)
_PARTS = [
    "[*] 2024-01-02 3:04:05",
    "，",
    ",",
    "、",
    " ",
    "APP行为：",
    "APP行为:",
    "行为描述：",
    "行为描述:",
    "传入参数：",
]
_PARTS += ["传入参数:", "获取IMEI", "x", "参数1：", "\n"]


@given(st.lists(st.sampled_from(_PARTS), max_size=14))
@settings(max_examples=800, deadline=None)
# a line break inside a separator's "\s*" (found by this test in CI), and one that ends the line (the final "$")
@example(["[*] 2024-01-02 3:04:05", "，", "\n", "APP行为：", ",", "行为描述：", "x", "、", "传入参数：", "x"])
@example(
    [
        "[*] 2024-01-02 3:04:05",
        "，",
        "APP行为：",
        "x",
        "、",
        "\n",
        "行为描述：",
        "、",
        "传入参数：",
        "x",
        "\n",
    ]
)
@example(
    ["[*] 2024-01-02 3:04:05", "，", "APP行为：", "、", "行为描述：", "x", "\n", "、", "传入参数：", "x"]
)
def test_camille_notice_split_equals_the_old_regex(parts: list[str]) -> None:
    line = "".join(parts)
    old = _OLD_NOTICE.match(line)
    new = match_notice(line)
    assert (None if old is None else old.groupdict()) == (None if new is None else dict(new))


def test_camille_notice_split_is_linear_on_repeated_separators() -> None:
    line = "[*] 2020-01-01 1:1:1, APP行为:" + "、行为描述:" * 200_000
    started = time.monotonic()
    assert match_notice(line) is None
    assert time.monotonic() - started < 5  # the lazy-group regex took 5 s at 8,000 repeats, quadratic
