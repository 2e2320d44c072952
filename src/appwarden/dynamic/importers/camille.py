"""Import the console output of camille-style Frida privacy scripts as a trace.

Format (from ``zhengjim/camille``: ``camille.py`` ``my_message_handler`` prints each ``notice`` that ``script.js``
``alertSend`` sends; the stack is ``getStackTrace()``: one ``StackTraceElement`` per line, indented 3 spaces)::

    ------------------------------start---------------------------------
    [*] 2021-2-25 16:46:18，APP行为：获取电话相关信息、行为描述：获取IMEI、传入参数：无参数
    [*] 调用堆栈：
       android.telephony.TelephonyManager.getDeviceId(Native Method)
       com.example.App.onCreate(App.java:22)
    -------------------------------end----------------------------------

Notes on the source format: the date uses JavaScript ``getMonth()`` (0-based: ``2021-2-25`` is 25 March) and has
second precision, so ``t`` has 1 s resolution (only differences are used); arguments are ``参数0：<JSON>，参数1：…``.
The API is taken from the stack's first frame that names a hookable API of ``knowledge/pi_apis.yaml``; when the
stack does not name one, from the 行为描述 text (:data:`MESSAGE_CATEGORIES`). ``申请权限`` notices become
``permission_request`` events (permissions from 参数1). camille has no consent markers: pass ``marks`` as for HAR.
Unrecognised notices (file operations, ``getType``...) are counted, not errors; malformed blocks are errors.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appwarden.dynamic.attribution import frame_class
from appwarden.dynamic.importers.har import ImportResult
from appwarden.dynamic.pi_lookup import ALIASES, api_table, categorize
from appwarden.dynamic.trace import UI_EVENTS, TraceError, TraceWriter
from appwarden.errors import InputError, LimitExceeded, display_path
from appwarden.limits import DEFAULT_LIMITS, Limits, read_regular_file

START = re.compile(r"^-{10,}\s*start\s*-{10,}\s*$")
END = re.compile(r"^-{10,}\s*end\s*-{10,}\s*$")
NOTICE_HEAD = re.compile(
    r"^\[\*\]\s*(?P<time>\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{1,2}:\d{1,2})\s*[，,]\s*APP行为[：:]"
)
_MESSAGE_SEP = re.compile(r"[、,]\s*行为描述[：:]")
_ARGS_SEP = re.compile(r"[、,]\s*传入参数[：:]")


class _Notice(dict):
    """The fields of one notice line: ``time``, ``action``, ``message``, ``args`` (read like a match object)."""


def match_notice(line: str) -> _Notice | None:
    """Split a camille notice line ``[*] <time>，APP行为：<action>、行为描述：<message>、传入参数：<args>``.

    The same split as the single regular expression with lazy groups it replaces (the action ends at the first
    行为描述 separator, the message at the first 传入参数 separator after it), found with three linear searches:
    the lazy groups backtracked quadratically on a line of repeated separators (8,000 repeats: 5 s)."""
    head = NOTICE_HEAD.match(line)
    if head is None:
        return None
    sep1 = _MESSAGE_SEP.search(line, head.end())
    if sep1 is None:
        return None
    sep2 = _ARGS_SEP.search(line, sep1.end())
    if sep2 is None:
        return None
    action, message, args = (
        line[head.end() : sep1.start()],
        line[sep1.end() : sep2.start()],
        line[sep2.end() :],
    )
    if args.endswith("\n"):  # the expression's final "$" also matches before a newline that ends the line
        args = args[:-1]
    # its groups (".*") hold no newline, while its separators' "\s*" may (a line break after "，" or "、")
    if "\n" in action or "\n" in message or "\n" in args:
        return None
    return _Notice(time=head["time"], action=action, message=message, args=args)


STACK_HEAD = re.compile(r"^\[\*\]\s*调用堆栈[：:]?\s*$")
ARG = re.compile(r"参数(\d+)[：:]")

# 行为描述 (camille script.js messages) -> PI category, used when the stack does not name the API
MESSAGE_CATEGORIES: list[tuple[str, str]] = [
    ("IMSI/iccid", "iccid"), ("IMEI", "imei"), ("MEID", "imei"), ("IMSI", "imsi"), ("电话号码", "phone_number"),
    ("安卓ID", "android_id"), ("序列号", "serial"), ("mac地址", "mac"), ("Mac地址", "mac"), ("剪切板", "clipboard"),
    ("其他app信息", "app_list"), ("正在运行的App", "app_list"), ("位置信息", "location"), ("基站", "cell"),
    ("wifi", "wifi"), ("IP地址", "network_info"), ("蓝牙", "bluetooth"), ("摄像头", "camera"), ("通信录", "contacts"),
    ("日历", "calendar"), ("相册", "photos_storage"), ("MCC/MNC", "carrier"), ("SIM卡国家代码", "carrier"),
]  # fmt: skip


@dataclass(slots=True)
class Notice:
    line: int
    time: str
    action: str
    message: str
    args: list[str]
    stack: list[str] = field(default_factory=list)


def parse_args(text: str) -> list[str]:
    """``参数0："a"，参数1：["x"]`` -> ``['a', '["x"]']`` (JSON strings unquoted); ``无参数`` -> ``[]``."""
    text = text.strip()
    if not text or text == "无参数":
        return []
    marks = list(ARG.finditer(text))
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        value = text[m.end() : end].strip().rstrip("，,").strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            try:
                value = json.loads(value)
            except (ValueError, RecursionError):
                value = value[1:-1]
        out.append(str(value))
    return out


def parse_camille(lines: list[str]) -> tuple[list[Notice], list[TraceError]]:
    """Split console text into notices; malformed blocks become errors (line numbers 1-based)."""
    notices: list[Notice] = []
    errors: list[TraceError] = []
    current: Notice | None = None
    in_block = False
    in_stack = False
    block_start = 0
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if START.match(line):
            if in_block:
                errors.append(TraceError(block_start, "notice block not closed before the next one"))
            in_block, in_stack, current, block_start = True, False, None, n
            continue
        if not in_block:
            continue
        if END.match(line):
            if current is None:
                errors.append(TraceError(block_start, "notice block without an APP行为 line"))
            else:
                notices.append(current)
            in_block, current = False, None
            continue
        m = match_notice(line.strip())
        if m:
            current = Notice(n, m["time"], m["action"].strip(), m["message"].strip(), parse_args(m["args"]))
            continue
        if STACK_HEAD.match(line.strip()):
            in_stack = True
            continue
        if in_stack and current is not None and line.strip():
            for frame in line.replace("\r", "\n").split("\n"):
                if frame.strip():
                    current.stack.append(frame.strip())
    if in_block:
        errors.append(TraceError(block_start, "notice block not closed at end of input"))
    return notices, errors


def _when(text: str) -> _dt.datetime | None:
    m = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{1,2}):(\d{1,2})", text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) for x in m.groups())
    try:
        return _dt.datetime(y, mo + 1, d, h, mi, s, tzinfo=_dt.UTC)  # getMonth() is 0-based
    except ValueError:
        return None


def _api_from_stack(stack: list[str]) -> tuple[str, str] | None:
    table = api_table()
    for frame in stack[:8]:
        cls = frame_class(frame)
        if cls is None:
            continue
        cls = ALIASES.get(cls, cls)
        method = frame.split("(", 1)[0].rsplit(".", 1)[-1]
        if method == "<init>":
            method = "$init"
        if (cls, method) in table:
            return cls, method
    return None


def notice_event(notice: Notice, t: int) -> dict[str, Any] | None:
    """The trace event for one notice, or None when it is not a PI access or permission request."""
    if notice.action == "申请权限":
        perms: list[str] = []
        for arg in notice.args:
            try:
                value = json.loads(arg)
            except (ValueError, RecursionError):
                continue
            if isinstance(value, list) and all(isinstance(p, str) for p in value):
                perms = value
                break
        if not perms:
            return None
        return {"type": "permission_request", "t": t, "permissions": perms, "stack": notice.stack}
    api = _api_from_stack(notice.stack)
    if (
        api is not None
    ):  # the stack names the API: its arguments decide (Settings.getString("bluetooth_name") is not PI)
        category = categorize(api[0], api[1], notice.args or None)
    else:
        category = next((cat for text, cat in MESSAGE_CATEGORIES if text in notice.message), None)
    if category is None:
        return None
    cls, method = api if api else ("camille", notice.message or notice.action)
    return {
        "type": "api_call", "t": t, "class": cls, "method": method, "args": notice.args, "category": category,
        "stack": notice.stack,
    }  # fmt: skip


def import_camille(
    src: str | Path,
    out: str | Path,
    package: str,
    marks: list[tuple[str, int]] = (),
    limits: Limits = DEFAULT_LIMITS,
    tester: str = "",
) -> ImportResult:
    """Convert camille console output ``src`` into the trace file ``out``."""
    src = Path(src)
    try:  # a regular file only, its size checked before reading
        text = read_regular_file(src, limits.max_entry_size, "camille output").decode(
            "utf-8", errors="replace"
        )
    except LimitExceeded as exc:
        raise InputError(str(exc)) from None
    for event, _ms in marks:
        if event not in UI_EVENTS:
            raise InputError(f"unknown mark {event!r} (one of {', '.join(UI_EVENTS)})")
    notices, errors = parse_camille(text.splitlines())
    result = ImportResult(errors=errors)
    start = None
    events: list[dict[str, Any]] = []
    last = 0
    for notice in notices:
        when = _when(notice.time)
        if when is None:
            result.errors.append(
                TraceError(notice.line, f"unreadable time {notice.time!r}; previous time used")
            )
            t = last
        else:
            start = start or when
            t = max(last, int((when - start).total_seconds() * 1000))
        last = t
        event = notice_event(notice, t)
        if event is not None:
            events.append(event)
    events += [{"type": "ui", "t": int(ms), "event": name, "label": "marked by tester"} for name, ms in marks]
    events.sort(key=lambda e: e["t"])
    header = {
        "app": {"package": package},
        "started_at": (start or _dt.datetime.now(_dt.UTC)).isoformat().replace("+00:00", "Z"),
        "source": "camille",
        "tester": tester,
        "notes": f"imported from {display_path(src.name)} (camille console output; 1 s time resolution)",
    }
    with Path(out).open("w", encoding="utf-8") as fh:
        writer = TraceWriter(fh, header)
        for event in events:
            writer.write(event)
        result.events = writer.count
    result.with_pi = sum(1 for e in events if e["type"] == "api_call")
    return result
