"""The scan daemon's server: a warm parent that forks one child per ``appwarden scan`` request.

Contract of :class:`Server`:

* :meth:`Server.start` takes the lock ``<socket>.lock`` (one server per socket; :class:`AlreadyRunning` otherwise),
  records the staleness stamp, preloads everything a scan needs (:mod:`appwarden.daemon.warm`), ``gc.freeze()``\\ s
  and listens on the socket (mode 0600, in a 0700 directory owned by us: :class:`DaemonError` otherwise).
* :meth:`Server.serve` accepts connections until stopped. Each connection's peer must have our uid (SO_PEERCRED;
  others are closed unanswered). A ``scan`` request is checked against the stamp (re-computed unless inotify saw
  nothing change within the last second: :mod:`appwarden.daemon.watch`) and against the client's ``__version__``,
  ``sys.executable`` and appwarden package directory (another installation or checkout): on any mismatch the
  answer is ``stale`` and the server stops (the client then runs the scan in-process); else the request goes to
  the spare child when one is ready (:mod:`appwarden.daemon.spare`: forked and warmed while the server was idle),
  or to a child forked for it (:mod:`appwarden.daemon.child`). At most ``max_children`` requests run at once;
  further connections wait in the listen backlog. ``status`` and ``stop`` are answered by the parent itself.
* With ``spare`` (the default), one spare child is kept: forked when none exists and no request is being
  accepted, replaced after each hand-off, dismissed (SIGTERM) when the server stops. A spare that dies or cannot be
  handed a request is replaced; a fork that fails, or MAX_SPARE_DEATHS spares in a row dying idle, turns spares
  off for the rest of the server's life.
* Children are reaped as they exit (SIGCHLD wakes the loop). The server stops on SIGTERM/SIGINT, on ``stop``,
  when stale, and after ``idle_timeout`` seconds without a scan request and with no child running (0: never).
  Stopping closes and removes the socket at once; children still running finish their requests on their own.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import json
import os
import select
import signal
import socket
import struct
import sys
import time
from collections.abc import Callable

import appwarden
from appwarden.daemon import paths, spare
from appwarden.daemon.protocol import MAX_REQUEST, Request, decode_request
from appwarden.daemon.stamp import ENV_EXTRA, Stamp, compute_stamp, package_dir
from appwarden.daemon.watch import FULL_CHECK_INTERVAL, Watcher, make_watcher
from appwarden.errors import AppwardenError

DEFAULT_IDLE_TIMEOUT = 1800.0
REQUEST_TIMEOUT = 5.0  # seconds a connected client has to send its request
BACKLOG = 128
MAX_SPARE_DEATHS = 3  # spare children dying idle in a row before the server stops keeping one


class DaemonError(AppwardenError):
    """The scan daemon cannot start or be reached as asked (one line for the user)."""

    code = "daemon"


class AlreadyRunning(DaemonError):
    """Another server holds the socket's lock; ``pid`` is its pid when known."""

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


def log(message: str) -> None:
    """One timestamped line on stderr (the log file of a daemonised server)."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    try:
        sys.stderr.write(f"{stamp} appwarden-daemon[{os.getpid()}]: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


class Server:
    """One scan daemon on ``sock_path`` (see the module docstring)."""

    def __init__(
        self,
        sock_path: str | None = None,
        *,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_children: int | None = None,
        spare: bool = True,
    ) -> None:
        self.sock_path = sock_path or paths.socket_path()
        self.idle_timeout = idle_timeout
        self.max_children = max_children or 2 * (os.cpu_count() or 1)
        self.listener: socket.socket | None = None
        self.children: set[int] = set()
        self.requests = 0
        self.started = time.time()
        self.last_activity = time.monotonic()
        self.stop_reason: str | None = None
        self._lock_fd = -1
        self._sock_ino: tuple[int, int] | None = None
        self._wake_r = self._wake_w = -1
        self._stamp: Stamp = ()
        self._extra = os.environ.get(ENV_EXTRA) or None
        self._watcher: Watcher | None = None
        self._last_full_check = 0.0
        self.package = os.path.realpath(package_dir())
        self._changed = False  # sticky: once the stamp differed, this server never serves again
        self.spares = spare
        self._spare: _Spare | None = None
        self._spare_deaths = 0  # spares that died before taking a request, since the last hand-off

    # ------------------------------------------------------------------------------------------------ start-up

    def start(self, preload: bool = True) -> list[str]:
        """Lock, stamp, preload, listen (see the module docstring); returns the preload problems (logged)."""
        if not hasattr(socket, "SO_PEERCRED"):
            raise DaemonError("the scan daemon needs Linux (SO_PEERCRED); scans run in-process here")
        if len(os.fsencode(self.sock_path)) > paths.MAX_SOCKET_PATH:
            raise DaemonError(
                f"socket path is too long ({len(os.fsencode(self.sock_path))} bytes, at most "
                f"{paths.MAX_SOCKET_PATH}): {self.sock_path} (set APPWARDEN_DAEMON_SOCKET to a shorter path)"
            )
        problem = paths.prepare_directory(self.sock_path)
        if problem:
            raise DaemonError(problem)
        self._lock()
        # watch, then stamp, then import: a change at any point after the watch is set up reads as stale
        self._watcher = make_watcher(extra=self._extra)
        self._stamp = compute_stamp(extra=self._extra)
        self._last_full_check = time.monotonic()
        problems: list[str] = []
        if preload:
            from appwarden.daemon.warm import preload as warm

            problems = warm()
            for line in problems:
                log(f"preload: {line} (loaded on demand instead)")
        gc.collect()
        gc.freeze()  # the warm heap is shared copy-on-write with every child: keep the collector off it
        self._listen()
        self._wake_r, self._wake_w = os.pipe()
        for fd in (self._wake_r, self._wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self._wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # only to wake the poll
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        self.started = time.time()
        self.last_activity = time.monotonic()
        limits = f"max {self.max_children} concurrent scans, idle timeout {self.idle_timeout:g} s"
        log(f"listening on {self.sock_path} ({limits})")
        return problems

    def _lock(self) -> None:
        lock = paths.lock_path(self.sock_path)
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise DaemonError(f"cannot open the lock file {lock}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            pid = _read_pid(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise AlreadyRunning(
                    f"a scan daemon is already running on {self.sock_path}"
                    + (f" (pid {pid})" if pid else ""),
                    pid,
                ) from None
            raise DaemonError(f"cannot lock {lock}: {exc.strerror}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd

    def _listen(self) -> None:
        try:
            # a socket left by a server that died: we hold the lock, so it is not live
            os.unlink(self.sock_path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise DaemonError(f"cannot remove the old socket {self.sock_path}: {exc.strerror}") from None
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            listener.bind(self.sock_path)
            listener.listen(BACKLOG)
        except OSError as exc:
            listener.close()
            raise DaemonError(f"cannot listen on {self.sock_path}: {exc.strerror or exc}") from None
        finally:
            os.umask(old_umask)
        listener.setblocking(False)
        st = os.stat(self.sock_path)
        self._sock_ino = (st.st_dev, st.st_ino)
        self.listener = listener

    # ------------------------------------------------------------------------------------------------ the loop

    def serve(self) -> str:
        """Serve until stopped; returns why it stopped. Always closes and removes the socket."""
        assert self.listener is not None, "start() first"
        poller = select.poll()
        poller.register(self._wake_r, select.POLLIN)
        listening = False
        try:
            while self.stop_reason is None:
                self._reap()
                if self.spares and self._spare is None:
                    self._make_spare()  # here, with no request's descriptors open (the spare would hold them)
                want = len(self.children) < self.max_children
                if want != listening:
                    if want:
                        poller.register(self.listener.fileno(), select.POLLIN)
                    else:
                        poller.unregister(self.listener.fileno())
                    listening = want
                timeout = self._poll_timeout()
                if timeout is not None and timeout <= 0:
                    self.stop_reason = f"idle for {self.idle_timeout:g} s"
                    break
                try:
                    events = poller.poll(None if timeout is None else max(1, int(timeout * 1000)))
                except InterruptedError:
                    continue
                for fd, _ in events:
                    if fd == self._wake_r:
                        self._drain_wakeups()
                    elif self.stop_reason is None:
                        self._accept()
        finally:
            self.close()
        log(f"stopped: {self.stop_reason}")
        return self.stop_reason or "stopped"

    def _poll_timeout(self) -> float | None:
        """Seconds until the idle deadline; None when there is none (disabled, or children running)."""
        if self.idle_timeout <= 0 or self.children:
            return None
        return self.last_activity + self.idle_timeout - time.monotonic()

    def _drain_wakeups(self) -> None:
        try:
            while os.read(self._wake_r, 512):
                pass
        except BlockingIOError:
            pass

    def _reap(self) -> None:
        while True:
            try:
                pid, _status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                break
            if pid == 0:
                break
            if pid in self.children:
                self.children.discard(pid)
                self.last_activity = time.monotonic()
            elif self._spare is not None and pid == self._spare.pid:
                self._spare.link.close()
                self._spare = None  # died idle: the loop forks another, unless they keep dying
                self._spare_deaths += 1
                if self._spare_deaths >= MAX_SPARE_DEATHS:
                    self.spares = False
                    log(f"{self._spare_deaths} spare children died idle; requests fork their own from now on")

    def _on_stop_signal(self, signum: int, frame: object) -> None:
        self.stop_reason = f"signal {signal.Signals(signum).name}"

    # ------------------------------------------------------------------------------------------------ requests

    def _accept(self) -> None:
        assert self.listener is not None
        try:
            conn, _ = self.listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            log(f"accept failed: {exc}")
            return
        fds: list[int] = []
        try:
            conn.settimeout(REQUEST_TIMEOUT)
            peer_pid, peer_uid = _peer(conn)
            if peer_uid != os.getuid():
                log(f"refused a connection from uid {peer_uid} (pid {peer_pid})")
                return
            request, fds = _receive(conn)
            self._handle(conn, request, fds)
        except (OSError, ValueError) as exc:
            log(f"bad request: {type(exc).__name__}: {exc}")
        finally:
            for fd in fds:
                _close(fd)
            conn.close()

    def _handle(self, conn: socket.socket, request: Request, fds: list[int]) -> None:
        if request.op == "status":
            conn.sendall(f"status {json.dumps(self.status())}\n".encode())
            return
        if request.op == "stop":
            self.stop_reason = "asked to stop"
            conn.sendall(f"stopping {os.getpid()}\n".encode())
            return
        if len(fds) != 3:
            conn.sendall(b"error a scan request carries exactly three file descriptors\n")
            return
        stale = self.staleness(request)
        if stale:
            log(f"stale: {stale}; stopping")
            conn.sendall(f"stale {stale}\n".encode())
            self.stop_reason = f"stale: {stale}"
            return
        if not self._hand_off(conn, request, fds):
            self._fork(conn, request, fds)

    def staleness(self, request: Request | None = None) -> str | None:
        """Why this server must not serve ``request`` (changed code or knowledge, another client); None when fresh."""
        if request is not None:
            if request.version != appwarden.__version__:
                return f"client version {request.version} != daemon version {appwarden.__version__}"
            if request.executable != sys.executable:
                return f"client interpreter {request.executable} != daemon interpreter {sys.executable}"
            if request.package and request.package != self.package:  # empty: the native client (client.c)
                return f"client appwarden package {request.package} != daemon package {self.package}"
        if self._stamp_changed():
            return "the installed appwarden code or knowledge changed since the daemon started"
        return None

    def _stamp_changed(self) -> bool:
        """Whether the stamp differs from the one taken at start-up. The full stamp (a stat of every file) is
        skipped when the inotify watcher saw nothing and the last full check is under FULL_CHECK_INTERVAL old."""
        if self._changed:
            return True
        now = time.monotonic()
        watcher = self._watcher
        if (
            watcher is not None
            and not watcher.changed()
            and now - self._last_full_check < FULL_CHECK_INTERVAL
        ):
            return False
        self._last_full_check = now
        changed = self._changed = compute_stamp(extra=self._extra) != self._stamp
        if not changed and watcher is not None:
            try:
                watcher.resync()  # directories created since (their files are in the stamp from now on)
            except OSError:
                watcher.close()
                self._watcher = None
        return changed

    def _make_spare(self) -> None:
        """Fork the spare child (see :mod:`appwarden.daemon.spare`)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            pid = os.fork()
        except OSError as exc:
            ours.close()
            theirs.close()
            self.spares = False
            log(f"cannot fork a spare child ({exc.strerror or exc}); requests fork their own from now on")
            return
        if pid == 0:  # the spare: never returns
            ours.detach()
            spare.run(theirs)
        theirs.close()
        ours.setblocking(False)  # readiness is polled; a hand-off sets a timeout
        self._spare = _Spare(pid, ours)

    def _hand_off(self, conn: socket.socket, request: Request, fds: list[int]) -> bool:
        """Give the request to the spare when it is ready; False when there is none (fork a child instead)."""
        current = self._spare
        if current is None or not current.is_ready():
            return False
        self._spare = None
        try:
            spare.hand_off(current.link, request.payload, conn, fds)
        except OSError as exc:
            log(f"the spare child {current.pid} could not take a request ({exc}); forking one")
            current.dismiss()
            return False
        finally:
            current.link.close()
        self.children.add(current.pid)
        self._spare_deaths = 0
        self.requests += 1
        self.last_activity = time.monotonic()
        return True

    def _fork(self, conn: socket.socket, request: Request, fds: list[int]) -> None:
        from appwarden.daemon import child

        inherited = [
            self._wake_r,
            self._wake_w,
            self._lock_fd,
            self._watcher.fd if self._watcher else -1,
            # the spare's link: the spare must see EOF when the server closes its end
            self._spare.link.fileno() if self._spare is not None else -1,
        ]
        assert self.listener is not None
        listener_fd = self.listener.fileno()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            conn.settimeout(None)
            self.listener.detach()
            child.serve(conn, list(fds), request, [listener_fd, *inherited])
        self.children.add(pid)
        self.requests += 1
        self.last_activity = time.monotonic()

    def status(self) -> dict[str, object]:
        """What ``appwarden daemon status`` shows."""
        return {
            "pid": os.getpid(),
            "socket": self.sock_path,
            "version": appwarden.__version__,
            "executable": sys.executable,
            "package": self.package,
            "uptime": round(time.time() - self.started, 3),
            "requests": self.requests,
            "active": len(self.children),
            "children": sorted(self.children),
            "spare": self._spare.pid if self._spare is not None else None,
            "spare_ready": self._spare is not None and self._spare.is_ready(),
            "max_children": self.max_children,
            "idle_timeout": self.idle_timeout,
            "stamp": "stale" if self.staleness() else "fresh",
        }

    # ------------------------------------------------------------------------------------------------ shutdown

    def close(self) -> None:
        """Stop listening: close and remove the socket (when it is still ours), dismiss the spare and release the
        lock."""
        if self._spare is not None:
            self._spare.dismiss()
            self._spare.link.close()
            self._spare = None
        if self.listener is not None:
            self.listener.close()
            self.listener = None
            try:
                st = os.stat(self.sock_path)
                if (st.st_dev, st.st_ino) == self._sock_ino:
                    os.unlink(self.sock_path)
            except OSError:
                pass
        signal.set_wakeup_fd(-1)
        for fd in (self._wake_r, self._wake_w):
            _close(fd)
        self._wake_r = self._wake_w = -1
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        if self._lock_fd >= 0:
            _close(self._lock_fd)  # releases the flock: `daemon stop` waits for this
            self._lock_fd = -1


class _Spare:
    """The server's handle on its spare child: pid and the link a request is handed over on."""

    def __init__(self, pid: int, link: socket.socket) -> None:
        self.pid = pid
        self.link = link
        self.ready = False

    def is_ready(self) -> bool:
        """Whether the spare has warmed up (it sends READY once); False while warming, or when it has died."""
        if not self.ready:
            try:
                self.ready = self.link.recv(1, socket.MSG_DONTWAIT) == spare.READY
            except (BlockingIOError, InterruptedError):
                return False
            except OSError:
                return False
        return self.ready

    def dismiss(self) -> None:
        """Stop the spare (it is reaped by the server's loop, or by init once the server has exited)."""
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGTERM)


def run_server(
    sock_path: str | None = None,
    *,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ready: Callable[[Server], None] | None = None,
) -> str:
    """Start a server and serve until it stops; ``ready(server)`` is called once it accepts connections."""
    server = Server(sock_path, idle_timeout=idle_timeout)
    server.start()
    if ready is not None:
        ready(server)
    return server.serve()


def lock_holder(sock_path: str) -> int | None:
    """The pid of the server holding ``sock_path``'s lock; None when no server holds it."""
    try:
        fd = os.open(paths.lock_path(sock_path), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return _read_pid(fd) or -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _peer(conn: socket.socket) -> tuple[int, int]:
    """(pid, uid) of the process at the other end of ``conn``."""
    size = struct.calcsize("3i")
    pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, size))
    return pid, uid


def _receive(conn: socket.socket) -> tuple[Request, list[int]]:
    """Read one request frame and the descriptors sent with it (closed by the caller)."""
    fds: list[int] = []
    data = b""
    try:
        while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:4], "big"):
            if len(data) >= 4 and int.from_bytes(data[:4], "big") > MAX_REQUEST:
                raise ValueError("request too large")
            msg, new_fds, flags, _ = socket.recv_fds(conn, 65536, 8)
            fds += new_fds
            if flags & socket.MSG_CTRUNC:
                raise ValueError("too many file descriptors")
            if not msg:
                raise ValueError("connection closed before a complete request")
            data += msg
        return decode_request(data[4 : 4 + int.from_bytes(data[:4], "big")]), fds
    except BaseException:
        for fd in fds:
            _close(fd)
        raise


def _close(fd: int) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)
