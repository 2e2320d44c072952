"""Import a proxy capture (HAR 1.2: Charles, mitmproxy, Fiddler, browser dev tools) as trace ``network`` events.

Each ``log.entries[]`` request becomes one ``network`` event: ``t`` = ms since the earliest request, ``host``,
``path``, ``method`` and ``pi``: the PI categories :mod:`appwarden.dynamic.pi_values` finds in the query string,
the request headers and cookies, and the body (``postData.text`` as JSON / form / raw text, or ``postData.params``).
Values are masked in the output. HAR has no stacks, so owners come from the domain map at analysis time, and no UI
events: pass ``marks`` (``[("consent_agree", 4200), ...]``, ms since the first request) when the tester noted when
the consent dialog was answered. Entries that cannot be read are listed in :attr:`ImportResult.errors` and skipped.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from appwarden.dynamic.pi_values import detect_pi, pairs_of
from appwarden.dynamic.trace import UI_EVENTS, TraceError, TraceWriter
from appwarden.errors import InputError, LimitExceeded, TraceFormatError, display_path
from appwarden.limits import DEFAULT_LIMITS, Limits, read_regular_file


@dataclass(slots=True)
class ImportResult:
    events: int = 0
    with_pi: int = 0
    errors: list[TraceError] = field(default_factory=list)


def _time(value: Any) -> _dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=_dt.UTC)


def _pairs(items: Any) -> list[tuple[str, str]]:
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            out.append((item["name"], str(item.get("value", ""))))
    return out


def request_pi(request: dict[str, Any]) -> list[dict[str, Any]]:
    """PI in one HAR request (query, headers, cookies, body), one item per (category, name)."""
    url = str(request.get("url", ""))
    parts = urlsplit(url)
    query_pairs = _pairs(request.get("queryString")) or parse_qsl(parts.query)
    found = detect_pi(parts.query, "query", query_pairs)
    found += detect_pi("", "header", [p for p in _pairs(request.get("headers")) if p[0].lower() != "cookie"])
    found += detect_pi("", "cookie", _pairs(request.get("cookies")))
    post = request.get("postData") if isinstance(request.get("postData"), dict) else {}
    body = post.get("text") if isinstance(post.get("text"), str) else ""
    body_pairs = _pairs(post.get("params")) or pairs_of(body)
    found += detect_pi(body, "body", body_pairs)
    seen: set[tuple[str, str | None]] = set()
    unique = []
    for item in found:
        key = (item["category"], item.get("name"))
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def import_har(
    src: str | Path,
    out: str | Path,
    package: str,
    marks: list[tuple[str, int]] = (),
    limits: Limits = DEFAULT_LIMITS,
    tester: str = "",
) -> ImportResult:
    """Convert ``src`` (HAR JSON) into the trace file ``out``. InputError/TraceFormatError when unreadable."""
    src = Path(src)
    try:  # a regular file only, its size checked before reading (a pipe or /dev/zero never hangs the import)
        raw = read_regular_file(src, limits.max_entry_size, "HAR file")
    except LimitExceeded as exc:
        raise InputError(str(exc)) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (
        UnicodeDecodeError,
        ValueError,
        RecursionError,
    ):  # RecursionError: nested deeper than json can parse
        raise TraceFormatError(f"{src}: not a HAR file (invalid JSON)") from None
    entries = (
        data.get("log", {}).get("entries")
        if isinstance(data, dict) and isinstance(data.get("log"), dict)
        else None
    )
    if not isinstance(entries, list):
        raise TraceFormatError(f"{src}: not a HAR file (no log.entries)")
    for event, _ms in marks:
        if event not in UI_EVENTS:
            raise InputError(f"unknown mark {event!r} (one of {', '.join(UI_EVENTS)})")
    result = ImportResult()
    timed: list[tuple[_dt.datetime, int, dict[str, Any]]] = []
    for i, entry in enumerate(entries):
        request = entry.get("request") if isinstance(entry, dict) else None
        stamp = _time(entry.get("startedDateTime")) if isinstance(entry, dict) else None
        if (
            not isinstance(request, dict)
            or stamp is None
            or not urlsplit(str(request.get("url", ""))).hostname
        ):
            result.errors.append(TraceError(i + 1, f"entry {i + 1}: no request URL or startedDateTime"))
            continue
        timed.append((stamp, i, request))
    timed.sort(key=lambda x: (x[0], x[1]))
    start = timed[0][0] if timed else _dt.datetime.now(_dt.UTC)
    events: list[dict[str, Any]] = []
    for stamp, _i, request in timed:
        parts = urlsplit(str(request["url"]))
        event: dict[str, Any] = {
            "type": "network",
            "t": int((stamp - start).total_seconds() * 1000),
            "host": parts.hostname or "",
            "path": parts.path or "/",
            "method": str(request.get("method", "GET")).upper(),
        }
        pi = request_pi(request)
        if pi:
            event["pi"] = pi
            result.with_pi += 1
        events.append(event)
    events += [{"type": "ui", "t": int(ms), "event": name, "label": "marked by tester"} for name, ms in marks]
    events.sort(key=lambda e: e["t"])
    header = {
        "app": {"package": package},
        "started_at": start.astimezone(_dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "source": "har",
        "tester": tester,
        "notes": f"imported from {display_path(src.name)}",
    }
    with Path(out).open("w", encoding="utf-8") as fh:
        writer = TraceWriter(fh, header)
        for event in events:
            writer.write(event)
        result.events = writer.count
    return result
