"""Fixtures of the scan-daemon tests: real processes, one daemon per test on its own socket.

Each test gets an environment (``daemon_env``) with its own ``APPWARDEN_DAEMON_SOCKET`` and
``APPWARDEN_CACHE_DIR`` under ``tmp_path`` and a stamp test hook file; ``daemon`` starts a daemon in it and stops
it (SIGKILL as a last resort) in the finaliser, whatever the test did.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

APKS = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
CLI = [sys.executable, "-m", "appwarden"]


class Daemon:
    """The environment of one test's daemon and helpers to drive the CLI in it."""

    def __init__(self, tmp_path: Path, cli: list[str] | None = None) -> None:
        self.root = tmp_path
        self.cli = list(cli or CLI)  # the client command: the Python launcher, or the native client
        self.sock = tmp_path / "d" / "scan.sock"
        self.extra = tmp_path / "stamp-extra"
        self.extra.write_text("1", encoding="utf-8")
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("APPWARDEN_NO_DAEMON", "APPWARDEN_DAEMON_TEST_DELAY")
        }
        env.update(
            APPWARDEN_DAEMON_SOCKET=str(self.sock),
            APPWARDEN_CACHE_DIR=str(tmp_path / "cache"),
            APPWARDEN_DAEMON_STAMP_EXTRA=str(self.extra),
        )
        self.env = env

    def run(
        self, *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """``appwarden <args>`` through this daemon's client command, output captured."""
        return subprocess.run(
            [*self.cli, *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env={**self.env, **(env or {})},
            timeout=timeout,
        )

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*self.cli, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**self.env, **(env or {})},
        )

    def start(self, *args: str) -> int:
        """Start the daemon (``daemon start`` returns once it accepts scans); its pid."""
        out = self.run("daemon", "start", *args)
        assert out.returncode == 0, out.stderr
        status = self.status()
        assert status["running"], status
        return int(status["pid"])

    def status(self) -> dict:
        out = self.run("daemon", "status", "--json")
        assert out.returncode in (0, 1), out.stderr
        return json.loads(out.stdout)

    def lock_pid(self) -> int | None:
        """The pid recorded in the lock file (the last server that ran on this socket)."""
        try:
            text = Path(f"{self.sock}.lock").read_text(encoding="ascii").strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def wait_stopped(self, timeout: float = 10.0) -> bool:
        """True once no server holds the socket's lock (it has exited)."""
        from appwarden.daemon.server import lock_holder

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if lock_holder(str(self.sock)) is None:
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        """Stop the daemon; SIGKILL when it does not go (finaliser use)."""
        if self.wait_stopped(0):
            return
        self.run("daemon", "stop", timeout=30)
        pid = self.lock_pid()
        if not self.wait_stopped(5) and pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


@contextlib.contextmanager
def _environment(tmp_path: Path, cli: list[str] | None = None) -> Iterator[Daemon]:
    """A daemon environment driven through ``cli``; any daemon started in it is stopped afterwards."""
    d = Daemon(tmp_path, cli=cli)
    try:
        yield d
    finally:
        d.stop()


@pytest.fixture
def daemon_env(tmp_path: Path) -> Iterator[Daemon]:
    """A daemon environment (not started), driven through the Python launcher."""
    with _environment(tmp_path) as d:
        yield d


@pytest.fixture
def daemon(daemon_env: Daemon) -> Daemon:
    """A started daemon (stopped afterwards by ``daemon_env``)."""
    daemon_env.start()
    return daemon_env


@pytest.fixture(scope="session")
def native_client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The native client (``src/appwarden/daemon/client.c``) built as setup.py builds it, in a bin directory of its
    own beside an ``appwarden-py`` launcher for this interpreter (as pip installs the console script)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the native client is built on Linux only")
    cc = shutil.which(os.environ.get("CC") or "cc")
    if cc is None:
        pytest.skip("no C compiler (cc) to build the native client")
    import appwarden

    bin_dir = tmp_path_factory.mktemp("native") / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "appwarden"
    source = Path(appwarden.__file__).parent / "daemon" / "client.c"
    flags = [
        "-O2",
        "-std=gnu99",
        "-Wall",
        "-Wextra",
        "-Werror",
        f'-DAPPWARDEN_VERSION="{appwarden.__version__}"',
    ]
    build = subprocess.run(
        [cc, *flags, "-o", str(exe), str(source)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    launcher = bin_dir / "appwarden-py"
    launcher.write_text(
        f"#!{sys.executable}\nimport sys\nfrom appwarden.launch import main\nsys.exit(main())\n",
        encoding="utf-8",
    )
    launcher.chmod(0o755)
    return exe


@pytest.fixture
def native_env(tmp_path: Path, native_client: Path) -> Iterator[Daemon]:
    """A daemon environment (not started) whose client command is the native client."""
    with _environment(tmp_path, [str(native_client)]) as d:
        yield d


@pytest.fixture
def native_daemon(native_env: Daemon) -> Daemon:
    """A started daemon driven through the native client."""
    native_env.start()
    return native_env


@pytest.fixture(params=["python launcher", "native client"])
def either_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Daemon]:
    """A started daemon, driven once through each client command."""
    cli = [str(request.getfixturevalue("native_client"))] if request.param == "native client" else None
    with _environment(tmp_path, cli) as d:
        d.start()
        yield d


@contextlib.contextmanager
def reaped(proc: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """``proc`` for the block; killed and waited for afterwards if it is still running (a failed assertion
    must not leave a client or a foreground daemon behind)."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def request_child(d: Daemon) -> int:
    """The pid of the one child serving a request now (the spare, if any, is not one)."""
    assert wait_for(lambda: len(d.status()["children"]) == 1), "no child took the request"
    (child,) = d.status()["children"]
    return int(child)


def children_of(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            out.append(int(entry))
    return out


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.02) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
