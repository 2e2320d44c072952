"""``appwarden daemon start|stop|status``: what the commands do (the parsers are in ``appwarden.cli.daemon``).

Contracts (exit codes as the CLI's: 0 ok, 2 error with one line on stderr):

* :func:`start`: with ``foreground``, serve in this process until stopped. Otherwise daemonise (fork, setsid,
  fork; stdin from /dev/null, stdout/stderr appended to ``<socket>.log``) and return once the socket accepts
  connections, or raise :class:`DaemonError` when it could not start within ``START_TIMEOUT`` seconds. A daemon
  already running on the socket is reported and is not an error.
* :func:`stop`: ask the daemon to stop (SIGTERM when it does not answer) and wait until it has released its lock.
  No daemon running is not an error.
* :func:`status`: print pid, socket, uptime, requests served and whether the stamp is fresh; 0 when a daemon is
  running, 1 when none is.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
import time
from typing import Any

from appwarden.daemon import paths
from appwarden.daemon.child import close_all_but
from appwarden.daemon.client import simple_request
from appwarden.daemon.server import (
    DEFAULT_IDLE_TIMEOUT,
    AlreadyRunning,
    DaemonError,
    Server,
    lock_holder,
    log,
)

START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


def start(sock: str, *, foreground: bool = False, idle_timeout: float = DEFAULT_IDLE_TIMEOUT) -> int:
    """Start a daemon on ``sock`` (see the module docstring)."""
    if foreground:
        return _start_foreground(sock, idle_timeout)
    problem = paths.prepare_directory(sock)
    if problem:
        raise DaemonError(problem)
    running = _running(sock)
    if running is not None:
        print(f"scan daemon already running (pid {running.get('pid')}, socket {sock})")
        return 0
    return _start_background(sock, idle_timeout)


def _start_foreground(sock: str, idle_timeout: float) -> int:
    server = Server(sock, idle_timeout=idle_timeout)
    try:
        server.start()
    except AlreadyRunning as exc:
        print(f"scan daemon already running{f' (pid {exc.pid})' if exc.pid else ''} on {sock}")
        return 0
    print(f"scan daemon listening on {sock} (pid {os.getpid()})", flush=True)
    server.serve()
    return 0


def _start_background(sock: str, idle_timeout: float) -> int:
    log_file = paths.log_path(sock)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or the children would write our buffered output again
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the intermediate child: a new session, whose own child is the daemon
        code = 2
        try:
            os.close(read_end)
            os.setsid()
            code = _daemon_main(sock, idle_timeout, write_end, log_file) if os.fork() == 0 else 0
        finally:
            os._exit(code)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end, "rb") as pipe:
        outcome, daemon_pid = _await_start(pipe)
    if outcome == "ready":
        print(f"scan daemon started (pid {daemon_pid}, socket {sock}, log {log_file})")
        return 0
    if outcome.startswith("running"):
        print(f"scan daemon already running (pid {outcome.partition(' ')[2] or '?'}, socket {sock})")
        return 0
    if outcome.startswith("error "):
        raise DaemonError(outcome[len("error ") :])
    if daemon_pid:
        _kill(daemon_pid, signal.SIGTERM)
    if outcome == "timeout":
        raise DaemonError(f"the scan daemon did not start within {START_TIMEOUT:g} s (see {log_file})")
    raise DaemonError(f"the scan daemon exited while starting (see {log_file})")


def _await_start(pipe: Any) -> tuple[str, int]:
    """Read the daemon's start-up report: (``ready`` | ``running PID`` | ``error MSG`` | ``timeout`` | ``exited``,
    its pid or 0)."""
    deadline = time.monotonic() + START_TIMEOUT
    buf = b""
    daemon_pid = 0
    while True:
        while b"\n" in buf:
            raw, _, buf = buf.partition(b"\n")
            line = raw.decode("utf-8", "replace")
            if line.startswith("pid ") and line[4:].isdigit():
                daemon_pid = int(line[4:])
            elif line:
                return line, daemon_pid
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return "timeout", daemon_pid
        ready, _, _ = select.select([pipe], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(pipe.fileno(), 4096)
        if not chunk:
            return "exited", daemon_pid
        buf += chunk


def _daemon_main(sock: str, idle_timeout: float, report_fd: int, log_file: str) -> int:
    """The daemonised process: redirect stdio, start (reporting the outcome on ``report_fd``), serve."""

    def report(line: str) -> None:
        with contextlib.suppress(OSError):
            os.write(report_fd, (" ".join(line.split()) + "\n").encode("utf-8", "replace"))

    report(f"pid {os.getpid()}")
    try:
        os.chdir("/")
        null = os.open(os.devnull, os.O_RDWR)
        out = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(null)
        os.close(out)
        # nothing the starting shell left open may be held for the daemon's lifetime (pipes would never close)
        close_all_but(report_fd)
        server = Server(sock, idle_timeout=idle_timeout)
        server.start()
    except AlreadyRunning as exc:
        report(f"running {exc.pid or ''}")
        return 0
    except DaemonError as exc:
        log(f"cannot start: {exc}")
        report(f"error {exc}")
        return 2
    except OSError as exc:
        report(f"error cannot start the scan daemon: {exc}")
        return 2
    except Exception as exc:
        log(f"cannot start: {type(exc).__name__}: {exc}")
        report(f"error internal error starting the scan daemon: {type(exc).__name__}: {exc}")
        return 2
    report("ready")
    os.close(report_fd)
    server.serve()
    return 0


def stop(sock: str) -> int:
    """Stop the daemon on ``sock`` (see the module docstring)."""
    _check_directory(sock)
    reply = simple_request("stop", sock)
    pid: int | None = None
    if reply is not None and reply.startswith("stopping "):
        pid = int(reply.split()[1]) if reply.split()[1].isdigit() else None
    else:
        holder = lock_holder(sock)
        if holder is None:
            print(f"no scan daemon running (socket {sock})")
            return 0
        if holder > 0:  # holds the lock but does not answer: starting up, or wedged
            pid = holder
            _kill(holder, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while lock_holder(sock) is not None:
        if time.monotonic() > deadline:
            raise DaemonError(
                f"the scan daemon{f' (pid {pid})' if pid else ''} did not stop within {STOP_TIMEOUT:g} s"
            )
        time.sleep(0.02)
    print(f"scan daemon stopped{f' (pid {pid})' if pid else ''}")
    return 0


def status(sock: str, *, as_json: bool = False) -> int:
    """Print the daemon's status (see the module docstring)."""
    _check_directory(sock)
    info = _running(sock)
    if info is None:
        holder = lock_holder(sock)
        info = {"running": False, "socket": sock}
        if holder:
            info["starting_pid"] = holder
        if as_json:
            print(json.dumps(info))
        elif holder:
            print(f"scan daemon starting or not answering (pid {holder}, socket {sock})")
        else:
            print(f"no scan daemon running (socket {sock})")
        return 1
    info = {"running": True, **info}
    if as_json:
        print(json.dumps(info))
        return 0
    print("scan daemon running")
    for key, label in (
        ("pid", "pid"),
        ("socket", "socket"),
        ("uptime", "uptime"),
        ("requests", "requests served"),
        ("active", "scans running"),
        ("spare", "spare child"),
        ("stamp", "code and knowledge"),
        ("version", "version"),
        ("idle_timeout", "idle timeout"),
    ):
        value = info.get(key)
        if key == "uptime" and isinstance(value, int | float):
            value = _duration(float(value))
        elif key == "spare":
            value = (
                "none"
                if value is None
                else f"pid {value}, {'ready' if info.get('spare_ready') else 'warming up'}"
            )
        elif key == "idle_timeout" and isinstance(value, int | float):
            value = "never" if value <= 0 else _duration(float(value))
        print(f"  {label + ':':<20}{value}")
    return 0


def _running(sock: str) -> dict[str, Any] | None:
    """The status of the daemon answering on ``sock``, or None."""
    reply = simple_request("status", sock)
    if reply is None or not reply.startswith("status "):
        return None
    try:
        info = json.loads(reply[len("status ") :])
    except ValueError:
        return None
    return info if isinstance(info, dict) else None


def _check_directory(sock: str) -> None:
    directory = os.path.dirname(sock)
    if os.path.lexists(directory):
        problem = paths.directory_problem(directory)
        if problem:
            raise DaemonError(problem)


def _kill(pid: int, sig: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, sig)


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {sec:02d} s"
