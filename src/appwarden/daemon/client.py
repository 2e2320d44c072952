"""The scan client: hand one ``appwarden scan`` to a running scan daemon.

Lean: imported by the launcher of every ``appwarden scan`` before anything else, so it uses only modules already
loaded at interpreter start-up (``os``, ``sys``, ``_signal``) plus ``_socket`` (``socket`` itself costs ~10 ms:
it imports ``enum``, ``selectors``, ``array``).

Contract of :func:`run_scan`: it returns the scan's exit code when a daemon ran it, and None when no daemon could
(no socket, refused, unsafe directory or peer, stale or refusing daemon, or the peer closed before a child took
the request): the caller then runs the command in-process, so the user always gets the right answer. Once a child
has taken the request it is never repeated: a daemon dying after that prints one line
(``appwarden: error: scan daemon exited during the request``) and gives exit code 2. SIGINT (Ctrl-C) is
forwarded to the child, which prints ``appwarden: interrupted`` and exits 130; a third SIGINT kills the child and
raises KeyboardInterrupt here.
"""

import _signal
import _socket
import os
import sys

from appwarden import __version__
from appwarden.daemon import paths, protocol

DIED = "appwarden: error: scan daemon exited during the request"
PACKAGE = os.path.realpath(os.path.dirname(os.path.dirname(__file__)))  # this appwarden's package directory
_UCRED = 12  # struct ucred {pid_t pid; uid_t uid; gid_t gid;}
_SIGKILL = 9


def connect(sock_path: str, timeout: float | None = None) -> _socket.socket | None:
    """A socket connected to a daemon run by this user on ``sock_path``, or None (none, unsafe, or not ours)."""
    if not (hasattr(_socket, "AF_UNIX") and hasattr(_socket, "SO_PEERCRED")):
        return None
    if paths.directory_problem(os.path.dirname(sock_path)) is not None:
        return None
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(sock_path)
        cred = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, _UCRED)
        if int.from_bytes(cred[4:8], sys.byteorder) != os.getuid():
            sock.close()
            return None
    except OSError:
        sock.close()
        return None
    return sock


class _Lines:
    """Reply lines read from a socket."""

    def __init__(self, sock: _socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def next(self) -> str | None:
        """The next line (without newline), or None at end of stream or on a socket error."""
        while b"\n" not in self.buf:
            try:
                chunk = self.sock.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode("utf-8", "replace")


def _stream_encodings() -> list[str] | None:
    """(encoding, errors) of stdin, stdout, stderr, flattened; None when one of them is missing."""
    out: list[str] = []
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if stream is None:
            return None
        out += [getattr(stream, "encoding", None) or "utf-8", getattr(stream, "errors", None) or "strict"]
    return out


def run_scan(argv: list[str], sock_path: str | None = None) -> int | None:
    """Run ``appwarden <argv>`` in a daemon child with this process's cwd, environment and fds 0/1/2.

    Returns the exit code, or None when the caller must run the command itself (see the module docstring).
    """
    encodings = _stream_encodings()
    if encodings is None:
        return None
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    sock = connect(sock_path or paths.socket_path())
    if sock is None:
        return None
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        fields = protocol.scan_fields(cwd, umask, encodings, list(argv), dict(os.environ))
        frame = protocol.encode_request("scan", __version__, sys.executable, PACKAGE, fields)
        fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))
        try:
            sent = sock.sendmsg([frame], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
            if sent < len(frame):
                sock.sendall(frame[sent:])
        except OSError:  # e.g. a closed fd 0-2, or the server went away: run in-process
            return None
        return _wait(sock)
    finally:
        sock.close()


def _wait(sock: _socket.socket) -> int | None:
    """Read the replies of a scan request: the child's pid, then its exit code."""
    state: dict[str, int] = {"pid": 0, "interrupts": 0}

    def on_sigint(signum: int, frame: object) -> None:
        state["interrupts"] += 1
        if state["pid"]:
            _forward(state["pid"], state["interrupts"])

    previous = _signal.signal(_signal.SIGINT, on_sigint)
    try:
        lines = _Lines(sock)
        while True:
            line = lines.next()
            if line is None:
                if state["pid"]:
                    print(DIED, file=sys.stderr)
                    return 2
                if state["interrupts"]:
                    print("appwarden: interrupted", file=sys.stderr)
                    return 130
                return None  # nobody took the request: run in-process
            word, _, rest = line.partition(" ")
            if word == "pid" and rest.isdigit():
                state["pid"] = int(rest)
                if state["interrupts"]:
                    _forward(state["pid"], state["interrupts"])
            elif word == "exit" and rest.isdigit():
                return int(rest) & 0xFF
            elif word in ("stale", "error") and not state["pid"]:
                return None
    finally:
        _signal.signal(_signal.SIGINT, previous)


def _forward(pid: int, interrupts: int) -> None:
    """Pass the user's SIGINT on to the child; the third one kills it and interrupts the client too."""
    try:  # noqa: SIM105 (contextlib is not loaded at start-up: the client stays lean)
        os.kill(pid, _SIGKILL if interrupts >= 3 else _signal.SIGINT)
    except OSError:
        pass  # already gone: its exit code (or the closed connection) follows
    if interrupts >= 3:
        raise KeyboardInterrupt


def simple_request(op: str, sock_path: str, timeout: float = 10.0) -> str | None:
    """Send a ``status`` or ``stop`` request; the reply line, or None when no daemon answered."""
    sock = connect(sock_path, timeout)
    if sock is None:
        return None
    try:
        sock.sendall(protocol.encode_request(op, __version__, sys.executable, PACKAGE))
        return _Lines(sock).next()
    except OSError:
        return None
    finally:
        sock.close()
