"""The spare child: the next request's child, forked and warmed before the request arrives.

A child forked at request time pays for the fork and, during its scan, for a copy-on-write fault on every page of
the warm heap it writes (reference counts are writes), ~10-15 ms of a ~50 ms scan of a small app. The server keeps
one spare instead: forked while the daemon is idle, it scans the warm-up APK once (taking those faults ahead of
time), says it is ready, and waits. A ``scan`` request is handed to it, so its scan costs what a second scan in one
process costs; the server then forks the next spare.

Contract of :func:`run` (in the freshly forked spare; never returns): close every descriptor but the server link
and 0-2, reset signal dispositions, warm up (a failure is ignored: the request is served all the same), send
:data:`READY`, then wait for one hand-off on the link: a 4-byte big-endian length and that many bytes of request
payload (:mod:`appwarden.daemon.protocol`), with four descriptors attached (the client connection, then the
client's fds 0, 1, 2). The request is then served as any child serves it (:func:`appwarden.daemon.child.serve`).
End of stream before a complete hand-off (the server stopped or dismissed it) ends the spare with status 0.

:func:`hand_off` is the server's side.
"""

from __future__ import annotations

import contextlib
import os
import socket
from typing import NoReturn

from appwarden.daemon import child
from appwarden.daemon.protocol import MAX_REQUEST, decode_request

READY = b"R"
HANDOFF_FDS = 4  # the client connection, then the client's fds 0, 1, 2


def run(link: socket.socket) -> NoReturn:
    """The spare's life (see the module docstring)."""
    code = 0
    try:
        keep = link.fileno()
        child.close_all_but(keep)
        child.reset_signals()
        _warm_up()
        link.sendall(READY)
        got = _receive(link)
        if got is not None:
            payload, fds = got
            request = decode_request(payload)
            conn = socket.socket(fileno=fds[0])
            child.serve(conn, fds[1:], request, [keep])  # never returns
    except BaseException:
        code = 1  # the server replaces a spare that dies (and forks per request after repeated deaths)
    os._exit(code)


def _warm_up() -> None:
    """One scan of the warm-up APK: the copy-on-write faults of a scan, taken before any request waits on them."""
    from appwarden.daemon.warm import scan_warm_up_apk

    with contextlib.suppress(Exception):
        scan_warm_up_apk()


def _receive(link: socket.socket) -> tuple[bytes, list[int]] | None:
    """One hand-off (payload, 4 fds), or None at end of stream; ValueError when malformed."""
    data = b""
    fds: list[int] = []
    while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:4], "big"):
        if len(data) >= 4 and int.from_bytes(data[:4], "big") > MAX_REQUEST:
            raise ValueError("hand-off too large")
        msg, new_fds, _flags, _ = socket.recv_fds(link, 1 << 16, HANDOFF_FDS)
        fds += new_fds
        if not msg:
            for fd in fds:
                child.close_quietly(fd)
            return None
        data += msg
    if len(fds) != HANDOFF_FDS:
        raise ValueError(f"a hand-off carries {HANDOFF_FDS} descriptors, got {len(fds)}")
    return data[4 : 4 + int.from_bytes(data[:4], "big")], fds


def hand_off(
    link: socket.socket, payload: bytes, conn: socket.socket, fds: list[int], timeout: float = 5.0
) -> None:
    """Send a request to a ready spare over ``link`` (blocking, at most ``timeout`` seconds per send); OSError
    when the spare is gone or stuck."""
    link.settimeout(timeout)
    frame = len(payload).to_bytes(4, "big") + payload
    sent = socket.send_fds(link, [frame], [conn.fileno(), *fds])
    if sent < len(frame):
        link.sendall(frame[sent:])
