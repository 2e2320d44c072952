"""What a forked child of the scan daemon does with one request.

Contract of :func:`serve` (never returns; the process ends with ``os._exit``): the child closes the server's
descriptors, enters the client's cwd, takes over the client's environment and umask, makes the client's fds its
own 0/1/2 and rebuilds ``sys.stdin/stdout/stderr`` on them with the client's encodings (buffering follows the real fds:
line-buffered on a terminal, block-buffered on a pipe or file, stderr line-buffered), sends ``pid N``, runs
``appwarden.cli.main(argv)`` (so exit codes and one-line errors are exactly the in-process ones, including 130 on
SIGINT), flushes, sends ``exit N`` and exits with N. If the client goes away meanwhile (its end of the connection
closes), the child is stopped (SIGIO on the connection), as an in-process scan would have been.

``APPWARDEN_DAEMON_TEST_DELAY`` (seconds, in the client's environment) makes the child sleep before scanning: a
test hook for interrupting a request in flight.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import locale
import os
import signal
import socket
import sys
import time
from collections.abc import Iterable, Mapping
from typing import NoReturn

from appwarden.daemon.protocol import Request

ENV_TEST_DELAY = "APPWARDEN_DAEMON_TEST_DELAY"
CLIENT_GONE = 143  # the exit status of a child whose client disappeared (as if SIGTERMed)


def serve(conn: socket.socket, fds: list[int], request: Request, close: Iterable[int]) -> NoReturn:
    """Run ``request`` in this (freshly forked) process and exit; see the module docstring."""
    code = 2
    try:
        for fd in close:
            close_quietly(fd)
        reset_signals()
        code = _run(conn, fds, request)
    except BaseException as exc:  # never a traceback from the daemon's own machinery
        _say(f"appwarden: internal error: scan daemon child: {type(exc).__name__}: {exc}")
    finally:
        os._exit(code)


def _run(conn: socket.socket, fds: list[int], request: Request) -> int:
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        close_quietly(fd)
    os.environ.clear()
    os.environ.update(request.environ)
    os.umask(request.umask)
    _rebuild_stdio(request.encodings)
    try:
        os.chdir(request.cwd)
    except OSError as exc:
        print(
            f"appwarden: error: cannot enter the working directory {request.cwd}: {exc.strerror}",
            file=sys.stderr,
        )
        return _finish(conn, 2)
    conn.sendall(f"pid {os.getpid()}\n".encode())
    _watch_client(conn)
    sys.argv = ["appwarden", *request.argv]
    code = _main(request.argv)
    return _finish(conn, code)


def _main(argv: list[str]) -> int:
    """``appwarden.cli.main(argv)`` with what the interpreter would do around it (SystemExit, KeyboardInterrupt, an
    uncaught exception: traceback and exit 1)."""
    import logging

    from appwarden.cli import main

    logging.root.handlers.clear()  # main() configures logging on the new sys.stderr, as in a fresh process
    logging.root.setLevel(logging.WARNING)
    try:
        delay = float(os.environ.get(ENV_TEST_DELAY) or 0)
    except ValueError:
        print(f"appwarden: error: {ENV_TEST_DELAY} must be a number of seconds", file=sys.stderr)
        return 2
    try:
        if delay > 0:
            time.sleep(delay)
        return main(argv)
    except KeyboardInterrupt:
        print("appwarden: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:  # argparse (--help, a usage error)
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code & 0xFF
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException:  # main() re-raises under --debug: do what the interpreter does
        return _uncaught()


def _uncaught() -> int:
    import traceback

    traceback.print_exc()
    return 1


def _finish(conn: socket.socket, code: int) -> int:
    """Flush the client's streams, then tell it the exit code (so all output precedes its exit)."""
    signal.signal(signal.SIGIO, signal.SIG_IGN)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: the client exits with the code anyway
            stream.flush()
    with contextlib.suppress(OSError):
        conn.sendall(f"exit {code}\n".encode())
    return code


# LC_CTYPE locales in which Python's stdin/stdout default to errors="surrogateescape" (the legacy C/POSIX locales
# and the targets of PEP 538's locale coercion)
_SURROGATE_LOCALES = frozenset({"C", "POSIX", "C.UTF-8", "C.utf8", "UTF-8"})


def stdio_encodings(environ: Mapping[str, str]) -> list[str]:
    """(encoding, errors) of stdin, stdout and stderr, flattened, that a Python started with ``environ`` would give
    its standard streams (PYTHONIOENCODING, UTF-8 mode (PEP 540), locale coercion (PEP 538), else the locale's
    codeset). ``environ`` must be this process's environment: the LC_CTYPE locale is set from it, as Python's
    start-up does, which leaves this process in the locale a fresh interpreter would have."""
    try:
        name = locale.setlocale(locale.LC_CTYPE, "")
    except locale.Error:  # a locale that is not installed: the C locale, as for a fresh interpreter
        name = locale.setlocale(locale.LC_CTYPE, "C")
    legacy = name in ("C", "POSIX")
    utf8 = {"1": True, "0": False}.get(environ.get("PYTHONUTF8", ""), legacy)
    coerced = legacy and environ.get("PYTHONCOERCECLOCALE", "") != "0"
    encoding = "utf-8" if utf8 or coerced else (locale.nl_langinfo(locale.CODESET) or "utf-8")
    errors = "surrogateescape" if utf8 or coerced or name in _SURROGATE_LOCALES else "strict"
    io_encoding, _, io_errors = environ.get("PYTHONIOENCODING", "").partition(":")
    if io_encoding and not io_errors:  # PYTHONIOENCODING=latin-1 means latin-1:strict
        io_errors = "strict"
    encoding, errors = io_encoding or encoding, io_errors or errors
    return [encoding, errors, encoding, errors, encoding, "backslashreplace"]


def _rebuild_stdio(encodings: list[str]) -> None:
    """New text streams on fds 0-2 with the client's (encoding, errors), or, when the client sent none (the native
    client), those :func:`stdio_encodings` derives; isatty and buffering from the fds."""
    if not any(encodings):
        encodings = stdio_encodings(os.environ)
    (in_enc, in_err, out_enc, out_err, err_enc, err_err) = encodings
    sys.stdin = sys.__stdin__ = _stream(0, "r", in_enc, in_err)
    sys.stdout = sys.__stdout__ = _stream(1, "w", out_enc, out_err)
    sys.stderr = sys.__stderr__ = _stream(2, "w", err_enc, err_err, line_buffering=True)


def _stream(fd: int, mode: str, encoding: str, errors: str, line_buffering: bool = False) -> io.TextIOWrapper:
    """A text stream on ``fd`` as Python builds ``sys.std*``: line-buffered when interactive (or asked)."""
    raw = io.FileIO(fd, mode, closefd=False)
    buffer: io.BufferedIOBase = io.BufferedReader(raw) if mode == "r" else io.BufferedWriter(raw)
    try:
        return io.TextIOWrapper(
            buffer, encoding=encoding, errors=errors, line_buffering=line_buffering or raw.isatty()
        )
    except LookupError:  # an encoding this interpreter does not know: what Python would pick
        return io.TextIOWrapper(
            buffer, encoding="utf-8", errors=errors, line_buffering=line_buffering or raw.isatty()
        )


def reset_signals() -> None:
    """The signal dispositions of a fresh interpreter (the server's handlers and wake-up fd are not ours)."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def _watch_client(conn: socket.socket) -> None:
    """Exit when the client's end of ``conn`` closes (it sends nothing after its request, so readable = gone)."""

    def on_io(signum: int, frame: object) -> None:
        try:
            data = conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            os._exit(CLIENT_GONE)

    signal.signal(signal.SIGIO, on_io)
    fd = conn.fileno()
    fcntl.fcntl(fd, fcntl.F_SETOWN, os.getpid())
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_ASYNC)
    on_io(signal.SIGIO, None)  # it may have gone before the signal was armed


def close_all_but(keep: int) -> None:
    """Close every descriptor from 3 up except ``keep`` (what a forked or daemonised process inherited and must
    not hold: a client's pipe held open elsewhere never reaches end of file)."""
    try:
        limit = max(256, min(os.sysconf("SC_OPEN_MAX"), 1 << 20))
    except (OSError, ValueError):
        limit = 4096
    os.closerange(3, keep)
    os.closerange(keep + 1, max(limit, keep + 1))


def close_quietly(fd: int) -> None:
    """Close ``fd``, ignoring errors (already closed, never open)."""
    with contextlib.suppress(OSError):
        os.close(fd)


def _say(line: str) -> None:
    """Write one line to fd 2 without relying on sys.stderr (which may be half-built)."""
    with contextlib.suppress(OSError):
        os.write(2, (line[:500] + "\n").encode("utf-8", "replace"))
