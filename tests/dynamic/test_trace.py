"""The trace format: header validation, the streaming reader's recovery from bad lines, schema agreement."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from appwarden.dynamic.trace import (
    REQUIRED,
    TraceWriter,
    event_problem,
    read_trace,
    schema,
    validate_trace,
)
from appwarden.errors import InputError, TraceFormatError
from appwarden.limits import Limits

TRACES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
HEADER = {
    "type": "header",
    "format": "appwarden-trace",
    "schema_version": 1,
    "app": {"package": "com.example.shop", "sha256": "b" * 64},
    "started_at": "2026-11-23T14:00:00Z",
}


def write_lines(path: Path, lines: list[str | dict]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for line in lines:
            fh.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    return path


def test_every_fixture_line_validates_against_the_committed_schema() -> None:
    validator = jsonschema.Draft202012Validator(schema())
    checked = 0
    for path in sorted(TRACES.glob("*.jsonl")):
        if path.name == "bad_lines.jsonl":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            obj = json.loads(line)
            errors = list(validator.iter_errors(obj))
            assert not errors, f"{path.name}:{n}: {errors[0].message}"
            checked += 1
    assert checked > 100


@pytest.mark.parametrize(
    "obj",
    [
        {"type": "api_call", "t": 5, "class": "a.B", "method": "c"},
        {"type": "api_call", "t": 5, "class": "a.B"},
        {"type": "api_call", "t": -1, "class": "a.B", "method": "c"},
        {"type": "api_call", "t": 1.5, "class": "a.B", "method": "c"},
        {"type": "ui", "t": 1, "event": "consent_agree"},
        {"type": "ui", "t": 1, "event": "dance"},
        {"type": "permission_request", "t": 1, "permissions": ["android.permission.CAMERA"]},
        {"type": "permission_request", "t": 1, "permissions": []},
        {"type": "permission_result", "t": 1, "permission": "x", "granted": "yes"},
        {"type": "network", "t": 1, "host": "a.com", "pi": [{"category": "imei", "where": "query"}]},
        {"type": "network", "t": 1, "host": "a.com", "pi": [{"where": "query"}]},
        {"type": "sensor_register", "t": 1, "sensor": "accelerometer", "thresholds": {"accel_mps2": 11}},
        {"type": "sensor_register", "t": 1},
        {"type": "teleport", "t": 1},
    ],
)
def test_hand_validator_agrees_with_json_schema(obj: dict) -> None:
    schema_ok = jsonschema.Draft202012Validator(schema()).is_valid(obj)
    assert (event_problem(obj) is None) == schema_ok, event_problem(obj)


def test_bad_lines_are_reported_with_line_numbers_and_good_events_kept() -> None:
    header, events, errors = read_trace(TRACES / "bad_lines.jsonl")
    kept = list(events)
    assert header["app"]["package"] == "com.example.shop"
    assert [e["t"] for e in kept] == [0, 300, 400, 600]
    assert [e["_line"] for e in kept] == [2, 5, 7, 11]
    by_line = {e.line: e.message for e in errors}
    assert set(by_line) == {3, 4, 6, 8, 9}
    assert "JSON" in by_line[3]
    assert "teleport" in by_line[4]
    assert "backwards" in by_line[6]
    assert "method" in by_line[8]


def test_overlong_line_is_skipped_without_losing_neighbours(tmp_path: Path) -> None:
    big = {"type": "api_call", "t": 2, "class": "a.B", "method": "c", "args": ["x" * 5000]}
    path = write_lines(
        tmp_path / "t.jsonl",
        [HEADER, {"type": "ui", "t": 1, "event": "screen"}, big, {"type": "ui", "t": 3, "event": "mark"}],
    )
    _h, events, errors = read_trace(path, Limits(max_trace_line=1024))
    assert [e["t"] for e in events] == [1, 3]
    assert len(errors) == 1 and errors[0].line == 3 and "longer" in errors[0].message


def test_error_list_is_capped(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "t.jsonl", [HEADER, *["{bad"] * 1500, {"type": "ui", "t": 1, "event": "mark"}]
    )
    _h, events, errors = read_trace(path)
    assert [e["t"] for e in events] == [1]
    assert len(errors) == 1001
    assert errors[-1].line == 0 and "500 further" in errors[-1].message


@pytest.mark.parametrize(
    ("lines", "needle"),
    [
        ([], "empty"),
        (["not json"], "not valid JSON"),
        ([{"type": "ui", "t": 0, "event": "mark"}], "not a header"),
        ([{**HEADER, "schema_version": 2}], "schema_version"),
        ([{**HEADER, "app": {}}], "app.package"),
        ([{**HEADER, "app": {"package": "x", "sha256": "XYZ"}}], "sha256"),
        ([{k: v for k, v in HEADER.items() if k != "started_at"}], "started_at"),
        (["[1]"], "not a JSON object"),
    ],
)
def test_bad_header_raises_trace_format_error(tmp_path: Path, lines: list, needle: str) -> None:
    path = write_lines(tmp_path / "t.jsonl", lines)
    with pytest.raises(TraceFormatError, match=needle):
        read_trace(path)


def test_missing_file_and_directory_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_trace(tmp_path / "nope.jsonl")
    with pytest.raises(InputError):
        read_trace(tmp_path)


def test_bom_and_blank_lines_before_header_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf\n" + json.dumps(HEADER).encode() + b"\n" + b'{"type":"ui","t":1,"event":"mark"}\n'
    )
    _h, events, errors = read_trace(path)
    assert len(list(events)) == 1 and errors == []


def test_writer_round_trips_and_refuses_invalid_events(tmp_path: Path) -> None:
    buf = io.StringIO()
    writer = TraceWriter(buf, {"app": {"package": "com.x"}, "started_at": "2026-01-01T00:00:00Z"})
    writer.write({"type": "ui", "t": 0, "event": "consent_agree", "_line": 99})
    with pytest.raises(TraceFormatError):
        writer.write({"type": "ui", "t": 1, "event": "nonsense"})
    path = tmp_path / "w.jsonl"
    path.write_text(buf.getvalue(), encoding="utf-8")
    header, events, _errors = read_trace(path)
    assert header["schema_version"] == 1
    out = list(events)
    assert out == [{"type": "ui", "t": 0, "event": "consent_agree", "_line": 2}]
    assert validate_trace(path) == []


def test_required_keys_table_covers_every_schema_event_type() -> None:
    defs = schema()["$defs"]
    for kind, req in REQUIRED.items():
        assert set(req) | {"type", "t"} == set(defs[kind]["required"]), kind


def test_gzip_trace_streams_and_truncation_is_one_error(tmp_path: Path) -> None:
    import gzip

    lines = [json.dumps(HEADER)] + [json.dumps({"type": "ui", "t": i, "event": "mark"}) for i in range(2000)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "t.jsonl.gz"
    path.write_bytes(data)
    _h, events, errors = read_trace(path)
    assert len(list(events)) == 2000 and errors == []
    path.write_bytes(data[: len(data) // 2])
    _h, events, errors = read_trace(path)
    kept = list(events)
    assert 0 < len(kept) < 2000
    assert len(errors) == 1 and "compressed trace unreadable" in errors[0].message


def test_long_labels_are_truncated_in_the_timeline_rows(tmp_path: Path) -> None:
    from appwarden.dynamic.analyze import load_dynamic_evidence

    path = write_lines(
        tmp_path / "t.jsonl", [HEADER, {"type": "ui", "t": 1, "event": "mark", "label": "x" * 5000}]
    )
    row = load_dynamic_evidence(path).first_minute[0]
    assert len(row["label"]) <= 201 and row["label"].endswith("…")


def test_corrupt_gzip_header_is_a_trace_format_error(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage-not-deflate")
    with pytest.raises(TraceFormatError, match="header"):
        read_trace(path)
