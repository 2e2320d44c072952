"""Run the Frida agent against an app on a device and stream its messages into a trace file.

Two layers:

* :func:`message_to_events(message, state)` — **pure**: one Frida message (``{"type": "send", "payload": {...}}`` or
  ``{"type": "error", ...}``) -> zero or more trace events (schema version 1). It decides each ``api_call``'s PI
  category with :func:`appwarden.dynamic.pi_lookup.categorize` (non-PI calls are dropped and counted), detects PI
  in network URLs (:mod:`appwarden.dynamic.pi_values`, including exact values earlier calls returned), keeps ``t``
  monotonic (a message that arrives with an earlier time from another thread is clamped and counted), and records
  agent errors in the state. Tests feed it recorded agent messages.
* :func:`run_trace` — spawns the package with the ``frida`` package (optional extra ``device``; imported lazily,
  :class:`~appwarden.errors.AppwardenError` with the install hint when missing), loads the generated agent,
  resumes the app and writes events until the timeout, Ctrl-C, or the app's death; the file is always closed with
  every event received so far.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appwarden.dynamic.pi_lookup import categorize
from appwarden.dynamic.pi_values import detect_in_url
from appwarden.dynamic.trace import TraceWriter, event_problem
from appwarden.errors import AppwardenError, InputError

log = logging.getLogger(__name__)

EVENT_KEYS = {
    "ui": ("event", "screen", "cause", "label", "stack"),
    "permission_request": ("permissions", "stack"),
    "permission_result": ("permission", "granted"),
    "sensor_register": ("sensor", "sensor_type", "rate_us", "thresholds", "stack"),
}
MAX_KNOWN = 512  # distinct PI values remembered for network matching


@dataclass(slots=True)
class RunnerState:
    """What the message handler has seen so far (mutable; one per session)."""

    last_t: int = 0
    events: int = 0
    non_pi_calls: int = 0
    clamped: int = 0
    ignored: int = 0
    hooked: int | None = None
    pending_hooks: list[str] = field(default_factory=list)
    agent_errors: list[str] = field(default_factory=list)
    known_values: dict[str, str] = field(
        default_factory=dict
    )  # full PI value -> category (never written out)

    def note_error(self, message: str) -> None:
        if len(self.agent_errors) < 200:
            self.agent_errors.append(" ".join(str(message).split())[:300])


def _time(payload: dict[str, Any], state: RunnerState, offset_ms: int = 0) -> int:
    raw = payload.get("t")
    valid = isinstance(raw, int | float) and not isinstance(raw, bool) and raw >= 0
    t = int(raw) + offset_ms if valid else state.last_t
    if t < state.last_t:
        state.clamped += 1
        t = state.last_t
    state.last_t = t
    return t


def message_to_events(message: Any, state: RunnerState, offset_ms: int = 0) -> list[dict[str, Any]]:
    """Convert one Frida message into trace events (see the module docstring). Never raises on bad input.

    ``offset_ms`` is added to the agent's clock: each agent instance counts from its own start, so messages of a
    process started later in the session (a restart) are shifted by the time that process started."""
    if not isinstance(message, dict):
        state.ignored += 1
        return []
    if message.get("type") == "error":
        state.note_error(
            f"agent script error: {message.get('description') or message.get('stack') or message}"
        )
        return []
    payload = message.get("payload") if message.get("type") == "send" else None
    if not isinstance(payload, dict) or payload.get("aw") != 1:
        state.ignored += 1
        return []
    kind = payload.get("type")
    if kind == "agent_ready" or kind == "agent_status":
        if isinstance(payload.get("hooked"), int):
            state.hooked = payload["hooked"]
        if isinstance(payload.get("pending"), list):
            state.pending_hooks = [str(p) for p in payload["pending"]]
        return []
    if kind == "agent_error":
        state.note_error(str(payload.get("message")))
        return []
    event: dict[str, Any]
    if kind == "api_call":
        cls, method = payload.get("class"), payload.get("method")
        if not isinstance(cls, str) or not isinstance(method, str):
            state.note_error("api_call without class/method")
            return []
        args = [str(a) for a in payload.get("args") or []] if isinstance(payload.get("args"), list) else []
        receiver = payload.get("self") if isinstance(payload.get("self"), str) else None
        category = categorize(cls, method, args, receiver)
        if category is None:
            state.non_pi_calls += 1
            return []
        event = {"type": "api_call", "t": _time(payload, state, offset_ms), "class": cls, "method": method, "args": args,
                 "category": category}  # fmt: skip
        for key in ("ret", "thread"):
            if isinstance(payload.get(key), str):
                event[key] = payload[key]
        if isinstance(payload.get("stack"), list):
            event["stack"] = [str(f) for f in payload["stack"]]
        value = payload.get("value")  # an agent may send the clear value for matching; never written out
        if isinstance(value, str) and len(value) >= 6 and len(state.known_values) < MAX_KNOWN:
            state.known_values.setdefault(value, category)
    elif kind == "network":
        host = payload.get("host")
        if not isinstance(host, str) or not host:
            state.note_error("network message without host")
            return []
        url = payload.get("url") if isinstance(payload.get("url"), str) else ""
        pi = [
            p for p in payload.get("pi") or [] if isinstance(p, dict) and isinstance(p.get("category"), str)
        ]
        seen = {p["category"] for p in pi}
        pi += [p for p in detect_in_url(url, state.known_values) if p["category"] not in seen]
        event = {"type": "network", "t": _time(payload, state, offset_ms), "host": host}
        for key in ("path", "method"):
            if isinstance(payload.get(key), str):
                event[key] = payload[key]
        if pi:
            event["pi"] = pi
        if isinstance(payload.get("stack"), list):
            event["stack"] = [str(f) for f in payload["stack"]]
    elif kind in EVENT_KEYS:
        event = {"type": kind, "t": _time(payload, state, offset_ms)}
        for key in EVENT_KEYS[kind]:
            if key in payload and payload[key] is not None:
                event[key] = payload[key]
    else:
        state.ignored += 1
        return []
    problem = event_problem(event)
    if problem is not None:
        state.note_error(f"agent sent an invalid {kind} message: {problem}")
        return []
    state.events += 1
    return [event]


# ---- device side (needs the optional `frida` package and a device: not exercised by the unit tests) ------------
def _frida() -> Any:
    try:
        import frida  # type: ignore[import-not-found]
    except ImportError:
        raise AppwardenError(
            "the 'frida' package is not installed: pip install 'appwarden[device]' (and run a matching "
            "frida-server on the device)"
        ) from None
    return frida


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(slots=True)
class RunResult:
    path: Path
    events: int
    state: RunnerState
    stopped_by: str  # timeout | interrupt | app_exit


def restart_event(process_name: str, package: str, t: int) -> dict[str, Any]:
    """The event recorded when a process of ``package`` appears while the session runs (spawn gating):
    the main process coming back after it died is a start the tester did not cause (``process_start``, cause
    ``self_restart``); another process of the app (``com.x:push``) is only noted (``mark``)."""
    if process_name == package:
        return {
            "type": "ui",
            "t": t,
            "event": "process_start",
            "cause": "self_restart",
            "label": process_name,
        }
    return {"type": "ui", "t": t, "event": "mark", "label": f"process {process_name} started"}


class _Session:
    """Frida plumbing for one recording: spawns the app, loads the agent into it (and, with ``follow``, into every
    later process of the package caught by spawn gating), and queues (offset_ms, message) pairs."""

    def __init__(self, frida: Any, device: Any, package: str, source: str, follow: bool) -> None:
        self.frida, self.device, self.package, self.source, self.follow = (
            frida,
            device,
            package,
            source,
            follow,
        )
        self.inbox: queue.Queue[tuple[int, Any]] = queue.Queue()
        self.t0 = time.monotonic()
        self.sessions: list[Any] = []
        self.scripts: list[Any] = []
        self.alive = 0
        self.lock = threading.Lock()
        self.gone = threading.Event()

    def now_ms(self) -> int:
        return int((time.monotonic() - self.t0) * 1000)

    def _attach(self, pid: int) -> None:
        offset = self.now_ms()
        session = self.device.attach(pid)
        with self.lock:
            self.alive += 1
            self.sessions.append(session)
        session.on("detached", lambda *_a: self._detached())
        script = session.create_script(self.source)
        script.on("message", lambda message, _data, off=offset: self.inbox.put((off, message)))
        script.load()
        self.scripts.append(script)

    def _detached(self) -> None:
        with self.lock:
            self.alive -= 1
            if self.alive <= 0 and not self.follow:
                self.gone.set()

    def _spawn_added(self, spawn: Any) -> None:
        name = str(getattr(spawn, "identifier", "") or "")
        try:
            if name == self.package or name.startswith(self.package + ":"):
                self.inbox.put((0, {"type": "appwarden-restart", "name": name, "t": self.now_ms()}))
                self._attach(spawn.pid)
        except Exception as exc:  # a process that died at once, or attach refused
            self.inbox.put((0, {"type": "error", "description": f"attach to {name}: {exc}"}))
        finally:
            try:
                self.device.resume(spawn.pid)
            except Exception:
                log.debug("resume of spawn %s failed", name, exc_info=True)

    def start(self) -> None:
        try:
            pid = self.device.spawn([self.package])
            self._attach(pid)
        except Exception as exc:
            raise AppwardenError(f"cannot spawn {self.package}: {exc}") from None
        if self.follow:
            self.device.on("spawn-added", self._spawn_added)
            self.device.enable_spawn_gating()
        self.device.resume(pid)

    def close(self) -> None:
        if self.follow:
            for call in (
                self.device.disable_spawn_gating,
                lambda: self.device.off("spawn-added", self._spawn_added),
            ):
                try:
                    call()
                except Exception:
                    log.debug("spawn gating cleanup failed", exc_info=True)
        for closer in [*(s.unload for s in self.scripts), *(s.detach for s in self.sessions)]:
            try:
                closer()
            except Exception:  # the app may already be gone
                log.debug("cleanup failed", exc_info=True)


def run_trace(
    package: str,
    out: str | Path,
    device_id: str | None = None,
    timeout: float | None = 300.0,
    tester: str = "",
    apk: str | Path | None = None,
    agent_source: str | None = None,
    follow_restarts: bool = False,
    app_state: str = "unknown",
) -> RunResult:
    """Spawn ``package`` on the device, trace it until ``timeout`` seconds / Ctrl-C / app exit, write ``out``.

    With ``follow_restarts`` the device's spawn gating stays on: when the app's main process comes back after
    dying (push wake-up, alarm, another app), the agent is loaded into it and a ``process_start`` with cause
    ``self_restart`` is recorded; the session then ends only on timeout or Ctrl-C.
    """
    from appwarden.dynamic.agent.generate import generate_agent

    frida = _frida()
    try:
        device = frida.get_device(device_id, timeout=10) if device_id else frida.get_usb_device(timeout=10)
    except Exception as exc:  # frida raises its own exception family
        raise AppwardenError(f"cannot reach device {device_id or '(usb)'}: {exc}") from None
    header: dict[str, Any] = {
        "app": {"package": package},
        "device": {"id": str(getattr(device, "id", device_id or ""))},
        "tester": tester,
        "app_state": app_state,
        "started_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "source": "frida-agent",
        "agent": {"frida": getattr(frida, "__version__", "?"), "follow_restarts": follow_restarts},
    }
    if apk is not None:
        apk = Path(apk)
        if not apk.is_file():
            raise InputError(f"{apk}: not a file")
        header["app"]["sha256"] = _sha256(apk)
    try:
        params = device.query_system_parameters()
        header["android"] = {"release": str(params.get("os", {}).get("version", ""))}
        if isinstance(params.get("api-level"), int):
            header["android"]["sdk"] = params["api-level"]
    except Exception:  # older frida-server: no system parameters
        log.debug("device system parameters unavailable", exc_info=True)

    state = RunnerState()
    out = Path(out)
    stopped_by = "timeout"
    session = _Session(frida, device, package, agent_source or generate_agent(), follow_restarts)

    def drain_one(offset: int, message: Any) -> None:
        if isinstance(message, dict) and message.get("type") == "appwarden-restart":
            state.last_t = max(int(message["t"]), state.last_t)
            writer.write(restart_event(str(message["name"]), package, state.last_t))
            return
        for event in message_to_events(message, state, offset):
            writer.write(event)

    with out.open("w", encoding="utf-8") as fh:
        writer = TraceWriter(fh, header)
        writer.write({"type": "ui", "t": 0, "event": "process_start", "cause": "launcher"})
        session.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                if deadline is not None and time.monotonic() >= deadline:
                    stopped_by = "timeout"
                    break
                if session.gone.is_set() and session.inbox.empty():
                    stopped_by = "app_exit"
                    break
                try:
                    offset, message = session.inbox.get(timeout=0.2)
                except queue.Empty:
                    continue
                drain_one(offset, message)
        except KeyboardInterrupt:
            stopped_by = "interrupt"
        finally:
            session.close()
            while not session.inbox.empty():  # keep what already arrived
                drain_one(*session.inbox.get_nowait())
            writer.flush()
    return RunResult(out, writer.count, state, stopped_by)
