"""The runtime-trace format (JSON Lines, schema version 1) and its streaming reader.

A trace file is UTF-8 JSON Lines (optionally gzip-compressed: ``trace.jsonl.gz`` is detected by its magic bytes). Line 1 is a **header** object, every other line one **event**::

    {"type": "header", "format": "appwarden-trace", "schema_version": 1,
     "device": {"id": "emulator-5554", "model": "Pixel 4"}, "android": {"release": "11", "sdk": 30},
     "app": {"package": "com.example", "sha256": "<64 hex>"}, "tester": "alice",
     "started_at": "2026-11-23T14:00:00Z", "source": "frida-agent"}
    {"t": 412, "type": "ui", "event": "privacy_dialog_shown"}
    {"t": 118, ...}                      <- clock went backwards: reported, skipped

Event types (:data:`EVENT_TYPES`) and their required keys are in :data:`REQUIRED`; the full JSON Schema is
``dynamic/schema/trace.schema.json`` (:func:`schema`). ``t`` is milliseconds since session start and must never
decrease.

:func:`read_trace` streams: it holds one line at a time (at most ``Limits.max_trace_line`` bytes; longer lines are
skipped without being loaded), so a 1 GB trace is read in bounded memory. Bounded work too: only a regular file is
opened (a named pipe, a device or a directory is an :class:`~appwarden.errors.InputError`, refused without
blocking); at most ``Limits.max_trace_size`` bytes are read *after decompression* (a gzip bomb stops there with an
error, events before it kept); a line nested deeper than ``Limits.max_json_depth`` is rejected before it reaches
the (recursive) JSON parser; and the reader checks the active stage deadline (:func:`appwarden.limits.check_deadline`)
as it goes, so a newline bomb ends with the stage's :class:`~appwarden.errors.StageTimeout`. A malformed header raises
:class:`~appwarden.errors.TraceFormatError`; a bad event line (not JSON, unknown type, missing keys, clock going
backwards, over-long) is recorded as a :class:`TraceError` with its line number and skipped, and every valid event
around it is kept. At most :data:`MAX_ERRORS` errors are kept; the rest are counted in one final summary error.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from appwarden.errors import LimitExceeded, StageTimeout, TraceFormatError
from appwarden.limits import DEFAULT_LIMITS, Limits, check_deadline, open_regular_file

SCHEMA_VERSION = 1
FORMAT_NAME = "appwarden-trace"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "trace.schema.json"
MAX_ERRORS = 1000

APP_STATES = ("fresh", "existing", "unknown")
EVENT_TYPES = ("api_call", "permission_request", "permission_result", "ui", "network", "sensor_register")
UI_EVENTS = (
    "privacy_dialog_shown",
    "consent_agree",
    "consent_refuse",
    "consent_withdraw",
    "screen",
    "app_background",
    "app_foreground",
    "process_start",
    "mark",
)
# required keys (besides "type" and "t") and their JSON types
REQUIRED: dict[str, dict[str, type | tuple[type, ...]]] = {
    "api_call": {"class": str, "method": str},
    "permission_request": {"permissions": list},
    "permission_result": {"permission": str, "granted": bool},
    "ui": {"event": str},
    "network": {"host": str},
    "sensor_register": {"sensor": str},
}
OPTIONAL: dict[str, dict[str, type | tuple[type, ...]]] = {
    "api_call": {"args": list, "stack": list, "category": str, "thread": str},
    "permission_request": {"stack": list},
    "permission_result": {},
    "ui": {"screen": str, "cause": str, "label": str, "stack": list},
    "network": {"path": str, "method": str, "pi": list, "stack": list},
    "sensor_register": {"sensor_type": int, "rate_us": int, "thresholds": dict, "stack": list},
}


@dataclass(frozen=True, slots=True)
class TraceError:
    """One problem in a trace file: 1-based line number (0 = whole file) and a one-line message."""

    line: int
    message: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The committed JSON Schema of one trace line (header or event)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_header(obj: Any) -> dict[str, Any]:
    """Return ``obj`` if it is a valid version-1 header; raise TraceFormatError saying what is wrong."""
    if not isinstance(obj, dict):
        raise TraceFormatError("trace header (line 1) is not a JSON object")
    if obj.get("type") != "header":
        raise TraceFormatError('trace line 1 is not a header (expected "type": "header")')
    version = obj.get("schema_version")
    if version != SCHEMA_VERSION:
        raise TraceFormatError(
            f"unsupported trace schema_version {version!r} (this reader knows {SCHEMA_VERSION})"
        )
    app = obj.get("app")
    if not isinstance(app, dict) or not isinstance(app.get("package"), str) or not app["package"]:
        raise TraceFormatError("trace header has no app.package")
    sha = app.get("sha256")
    if sha is not None and (
        not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)
    ):
        raise TraceFormatError("trace header app.sha256 is not 64 lower-case hex digits")
    if not isinstance(obj.get("started_at"), str):
        raise TraceFormatError("trace header has no started_at (ISO 8601 time of t=0)")
    if obj.get("app_state") not in (None, *APP_STATES):
        raise TraceFormatError(f"trace header app_state must be one of {', '.join(APP_STATES)}")
    return obj


def event_problem(obj: Any) -> str | None:
    """Why ``obj`` is not a valid event (a one-line message), or None when it is valid. Does not check ``t`` order."""
    if not isinstance(obj, dict):
        return "event is not a JSON object"
    kind = obj.get("type")
    if kind not in REQUIRED:
        return f"unknown event type {kind!r}"
    t = obj.get("t")
    if not isinstance(t, int) or isinstance(t, bool) or t < 0:
        return f"{kind}: 't' must be a non-negative integer (ms since session start)"
    for key, typ in REQUIRED[kind].items():
        value = obj.get(key)
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            return f"{kind}: missing or invalid {key!r}"
        if typ is str and not value:
            return f"{kind}: empty {key!r}"
    for key, typ in OPTIONAL[kind].items():
        value = obj.get(key)
        if value is not None and (not isinstance(value, typ) or (typ is int and isinstance(value, bool))):
            return f"{kind}: invalid {key!r}"
    if kind == "ui" and obj["event"] not in UI_EVENTS:
        return f"ui: unknown event {obj['event']!r}"
    if kind == "permission_request" and (
        not obj["permissions"] or not all(isinstance(p, str) and p for p in obj["permissions"])
    ):
        return "permission_request: permissions must be a non-empty list of names"
    if obj.get("stack") and not set(map(type, obj["stack"])) <= {str}:
        return f"{kind}: stack frames must be strings"
    if kind == "network" and obj.get("pi") is not None:
        for item in obj["pi"]:
            if not isinstance(item, dict) or not isinstance(item.get("category"), str):
                return "network: each pi item needs a 'category'"
    return None


class _Lines:
    """Bounded line splitter over a binary stream: yields (line_no, bytes | None); None = over-long line skipped.

    Counts every byte read (after decompression) and raises LimitExceeded past ``max_total``; checks the stage
    deadline every :data:`DEADLINE_EVERY` lines and while draining an over-long line."""

    def __init__(self, fh: IO[bytes], max_line: int, max_total: int) -> None:
        self.fh = fh
        self.max_line = max_line
        self.max_total = max_total
        self.total = 0

    def _read(self, limit: int) -> bytes:
        chunk = self.fh.readline(limit)
        self.total += len(chunk)
        if self.total > self.max_total:
            raise LimitExceeded(
                f"trace is over the max_trace_size limit ({self.max_total} bytes after decompression); "
                "the rest was not read"
            )
        return chunk

    def __iter__(self) -> Iterator[tuple[int, bytes | None]]:
        line_no = 0
        while True:
            chunk = self._read(self.max_line + 1)
            if not chunk:
                return
            line_no += 1
            if line_no % DEADLINE_EVERY == 0:
                check_deadline()
            if len(chunk) > self.max_line and not chunk.endswith(b"\n"):
                # over-long: drain the rest of this line without keeping it
                while chunk and not chunk.endswith(b"\n"):
                    chunk = self._read(64 * 1024)
                    check_deadline()
                yield line_no, None
                continue
            yield line_no, chunk


DEADLINE_EVERY = 1024
"""Lines read between two checks of the stage deadline."""


def _open(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> IO[bytes]:
    fh, _size = open_regular_file(path, limits.max_trace_size, "trace")
    if fh.read(2) == b"\x1f\x8b":  # gzip-compressed trace (trace.jsonl.gz): still streamed
        fh.seek(0)
        return gzip.GzipFile(fileobj=fh, mode="rb")  # type: ignore[return-value]
    fh.seek(0)
    return fh


def _guard(
    lines: Iterator[tuple[int, bytes | None]], errors: list[TraceError]
) -> Iterator[tuple[int, bytes | None]]:
    """Stop cleanly (one error) when a compressed trace is truncated or corrupt."""
    line_no = 0
    try:
        for line_no, raw in lines:
            yield line_no, raw
    except (OSError, EOFError, zlib.error) as exc:
        errors.append(TraceError(line_no + 1, f"compressed trace unreadable after this point: {exc}"))
    except StageTimeout:
        raise
    except LimitExceeded as exc:  # the size limit: what was read is kept, the rest is said to be missing
        errors.append(TraceError(line_no + 1, str(exc)))


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')  # a JSON string (linear: the alternatives are disjoint)
_BRACKET = re.compile(rb"[\[\]{}]")


class _TooDeep(ValueError):
    """A JSON line nested deeper than the limit (rejected before parsing)."""


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays/objects in one JSON text (brackets inside strings ignored); linear time and
    no recursion, so it is safe on any input the line limit lets through."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw) if b'"' in raw else raw):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _decode(raw: bytes, max_depth: int = DEFAULT_LIMITS.max_json_depth) -> Any:
    """One JSON line; _TooDeep (a ValueError) when nested deeper than ``max_depth`` (checked before parsing)."""
    if raw.count(b"[") + raw.count(b"{") > max_depth and json_depth(raw) > max_depth:
        raise _TooDeep(f"nested deeper than {max_depth} levels")
    return json.loads(raw.decode("utf-8"))


def read_trace(
    path: str | Path, limits: Limits = DEFAULT_LIMITS
) -> tuple[dict[str, Any], Iterator[dict[str, Any]], list[TraceError]]:
    """Open a trace: return ``(header, events, errors)``.

    ``header`` is the validated header dict (TraceFormatError when line 1 is missing or invalid). ``events`` is a
    one-shot iterator of valid event dicts in file order with non-decreasing ``t``, each with its 1-based line
    number added under ``"_line"``; it closes the file when exhausted. ``errors`` is a list that the iterator fills as it meets bad lines (inspect it after iterating).
    """
    fh = _open(path, limits)
    lines = iter(_Lines(fh, limits.max_trace_line, limits.max_trace_size))
    try:
        first = next(lines, None)
        # skip a UTF-8 BOM and blank lines before the header
        while first is not None and first[1] is not None and not first[1].strip().lstrip(b"\xef\xbb\xbf"):
            first = next(lines, None)
        if first is None:
            raise TraceFormatError(f"{path}: empty trace (no header line)")
        line_no, raw = first
        if raw is None:
            raise TraceFormatError(
                f"{path}: header line {line_no} is longer than {limits.max_trace_line} bytes"
            )
        try:
            obj = _decode(raw.lstrip(b"\xef\xbb\xbf"), limits.max_json_depth)
        except _TooDeep as exc:
            raise TraceFormatError(f"{path}: header line {line_no} is {exc}") from None
        except (UnicodeDecodeError, ValueError):
            raise TraceFormatError(f"{path}: header line {line_no} is not valid JSON") from None
        header = validate_header(obj)
    except (OSError, EOFError, zlib.error) as exc:  # unreadable / corrupt compressed file
        fh.close()
        raise TraceFormatError(f"{path}: cannot read the trace header: {exc}") from None
    except LimitExceeded as exc:
        fh.close()
        raise TraceFormatError(f"{path}: no header line: {exc}") from None
    except BaseException:
        fh.close()
        raise
    errors: list[TraceError] = []
    return header, _events(fh, lines, errors, limits), errors


def _events(
    fh: IO[bytes], lines: Iterator[tuple[int, bytes | None]], errors: list[TraceError], limits: Limits
) -> Iterator[dict[str, Any]]:
    suppressed = 0
    last_t = 0

    def note(line: int, message: str) -> None:
        nonlocal suppressed
        if len(errors) < MAX_ERRORS:
            errors.append(TraceError(line, message))
        else:
            suppressed += 1

    try:
        for line_no, raw in _guard(lines, errors):
            if raw is None:
                note(line_no, f"line longer than {limits.max_trace_line} bytes skipped")
                continue
            if not raw.strip():
                continue
            try:
                obj = _decode(raw, limits.max_json_depth)
            except _TooDeep as exc:
                note(line_no, f"JSON {exc}; event skipped")
                continue
            except (UnicodeDecodeError, ValueError):
                note(line_no, "not valid JSON")
                continue
            problem = event_problem(obj)
            if problem is not None:
                note(line_no, problem)
                continue
            if obj["t"] < last_t:
                note(line_no, f"clock went backwards ({obj['t']} ms after {last_t} ms); event skipped")
                continue
            last_t = obj["t"]
            obj["_line"] = line_no
            yield obj
    finally:
        fh.close()
        if suppressed:
            errors.append(TraceError(0, f"{suppressed} further errors not listed"))


def validate_trace(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> list[TraceError]:
    """Read the whole trace and return its errors (a validation pass; TraceFormatError for a bad header)."""
    _header, events, errors = read_trace(path, limits)
    for _ in events:
        pass
    return errors


class TraceWriter:
    """Write a trace file: the header first, then events (each one JSON line, compact, UTF-8)."""

    def __init__(self, fh: IO[str], header: dict[str, Any]) -> None:
        self.fh = fh
        header = {"type": "header", "format": FORMAT_NAME, "schema_version": SCHEMA_VERSION, **header}
        validate_header(header)
        self._write(header)
        self.count = 0

    def _write(self, obj: dict[str, Any]) -> None:
        self.fh.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")

    def write(self, event: dict[str, Any]) -> None:
        """Append one event; raise TraceFormatError when it is invalid (writers must not produce bad traces)."""
        problem = event_problem(event)
        if problem is not None:
            raise TraceFormatError(f"refusing to write invalid event: {problem}")
        self._write({k: v for k, v in event.items() if not k.startswith("_")})
        self.count += 1

    def flush(self) -> None:
        self.fh.flush()
