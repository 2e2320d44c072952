"""Starting, stopping and asking about the scan daemon; interrupts, crashes, timeouts and who may connect."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from appwarden import __version__
from appwarden.daemon.protocol import encode_request, scan_fields
from tests.daemon.conftest import APKS, CLI, Daemon, alive, reaped, request_child, wait_for


def test_status_start_stop(daemon_env: Daemon) -> None:
    d = daemon_env
    none = d.run("daemon", "status")
    assert none.returncode == 1 and none.stdout.startswith("no scan daemon running")
    assert d.run("daemon", "stop").returncode == 0  # nothing to stop is not an error
    started = d.run("daemon", "start")
    assert started.returncode == 0 and started.stdout.startswith("scan daemon started (pid "), started.stderr
    again = d.run("daemon", "start")
    assert again.returncode == 0 and "already running" in again.stdout
    status = d.run("daemon", "status")
    assert status.returncode == 0, status.stderr
    pid = d.status()["pid"]
    for label in (
        f"pid:                {pid}",
        f"socket:             {d.sock}",
        "uptime:",
        "requests served:    0",
    ):
        assert label in status.stdout
    assert "code and knowledge: fresh" in status.stdout
    assert re.search(r"spare child: +(pid \d+, (ready|warming up)|none)\n", status.stdout), status.stdout
    assert oct(d.sock.parent.stat().st_mode & 0o777) == "0o700"
    assert oct(d.sock.stat().st_mode & 0o777) == "0o600"
    stopped = d.run("daemon", "stop")
    assert stopped.returncode == 0 and stopped.stdout.strip() == f"scan daemon stopped (pid {pid})"
    assert not alive(pid) and not d.sock.exists()
    assert d.run("daemon", "status").returncode == 1


def test_foreground_daemon_stops_on_sigterm(daemon_env: Daemon) -> None:
    d = daemon_env
    proc = subprocess.Popen(
        [*CLI, "daemon", "start", "--foreground"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=d.env,
    )
    with reaped(proc):
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith(f"scan daemon listening on {d.sock} (pid {proc.pid})")
        assert d.run("scan", str(APKS / "minimal.apk"), "-q", "-o", os.devnull).returncode == 0
        assert d.status()["requests"] == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert not d.sock.exists()
        assert "stopped: signal SIGTERM" in (proc.stderr.read() if proc.stderr else "")


def test_an_open_socket_directory_is_refused(daemon_env: Daemon) -> None:
    d = daemon_env
    d.sock.parent.mkdir(mode=0o700)
    os.chmod(d.sock.parent, 0o777)
    out = d.run("daemon", "start")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("appwarden: error:") and "0777" in out.stderr
    assert not d.sock.exists()
    fg = d.run("daemon", "start", "--foreground")
    assert fg.returncode == 2 and fg.stderr.startswith("appwarden: error:") and "Traceback" not in fg.stderr
    scan = d.run("scan", str(APKS / "minimal.apk"), "-q", "-o", str(d.root / "r.json"))  # in-process instead
    assert scan.returncode == 0 and (d.root / "r.json").is_file(), scan.stderr


def test_a_socket_path_that_is_too_long_is_one_error_line(daemon_env: Daemon) -> None:
    d = daemon_env
    out = d.run("daemon", "start", env={"APPWARDEN_DAEMON_SOCKET": str(d.root / ("x" * 120) / "scan.sock")})
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "too long" in out.stderr


def test_idle_timeout_ends_the_daemon(daemon_env: Daemon) -> None:
    d = daemon_env
    pid = d.start("--idle-timeout", "0.5")
    assert d.wait_stopped(10), "the idle daemon did not exit"
    assert not d.sock.exists()
    assert wait_for(lambda: not alive(pid))  # the lock is released just before the process ends


def _scan_in_flight(daemon: Daemon) -> tuple[subprocess.Popen[str], int]:
    """A client whose scan is held in its daemon child (test delay of 30 s), and that child's pid."""
    client = daemon.popen(
        "scan", str(APKS / "minimal.apk"), "-q", "-o", os.devnull, env={"APPWARDEN_DAEMON_TEST_DELAY": "30"}
    )
    child = request_child(daemon)
    time.sleep(0.2)  # the client has the child's pid by now (or forwards a SIGINT once it has)
    return client, child


def test_interrupted_client_exits_130_and_the_child_is_gone(either_client: Daemon) -> None:
    daemon = either_client
    client, child = _scan_in_flight(daemon)
    with reaped(client):
        client.send_signal(signal.SIGINT)
        _, err = client.communicate(timeout=10)
        assert client.returncode == 130
        assert err.strip() == "appwarden: interrupted"
        assert wait_for(lambda: not alive(child)), "the child survived the interrupt"
        assert wait_for(lambda: daemon.status()["active"] == 0)


def test_a_killed_client_takes_its_child_with_it(either_client: Daemon) -> None:
    daemon = either_client
    client, child = _scan_in_flight(daemon)
    client.kill()
    client.wait()
    assert wait_for(lambda: not alive(child), timeout=5), "the child outlived its client"


def test_a_daemon_child_dying_mid_request_is_one_error_line(either_client: Daemon) -> None:
    daemon = either_client
    client, child = _scan_in_flight(daemon)
    with reaped(client):
        os.kill(child, signal.SIGKILL)
        _, err = client.communicate(timeout=10)
        assert client.returncode == 2
        assert err == "appwarden: error: scan daemon exited during the request\n"


def test_a_daemon_killed_before_answering_means_in_process(daemon: Daemon) -> None:
    pid = daemon.status()["pid"]
    os.kill(pid, signal.SIGKILL)
    assert wait_for(lambda: not alive(pid))
    assert daemon.sock.exists()  # left behind: connecting is refused, the client falls back
    out = daemon.run("scan", str(APKS / "minimal.apk"), "-q", "-o", str(daemon.root / "r.json"))
    assert out.returncode == 0 and out.stderr == "" and (daemon.root / "r.json").is_file()
    restarted = daemon.run("daemon", "start")  # replaces the dead daemon's socket
    assert restarted.returncode == 0, restarted.stderr
    assert daemon.status()["pid"] != pid


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to connect as another user")
def test_other_users_are_not_served(daemon: Daemon) -> None:
    # let another user reach the socket: the check under test is the server's SO_PEERCRED one
    os.chmod(daemon.sock.parent, 0o711)
    os.chmod(daemon.sock, 0o777)
    probe = (  # the directory is opened as root (the ancestors of tmp_path are private), then connect as nobody
        "import os, socket, sys\n"
        "d = os.open(sys.argv[1], os.O_PATH)\n"
        "os.setgid(65534); os.setuid(65534)\n"
        "s = socket.socket(socket.AF_UNIX); s.connect(f'/proc/self/fd/{d}/scan.sock')\n"
        "try:\n"
        "    s.sendall(b'\\x00\\x00\\x00\\x1eappwarden-daemon/1\\x00status\\x00x\\x00y')\n"
        "    s.settimeout(10); print(repr(s.recv(100)))\n"
        "except (ConnectionResetError, BrokenPipeError):\n"
        "    print('closed')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(daemon.sock.parent)], capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() in ("b''", "closed")  # closed unanswered
    log = (daemon.root / "d" / "scan.sock.log").read_text(encoding="utf-8")
    assert "refused a connection from uid 65534" in log
    os.chmod(daemon.sock.parent, 0o700)
    assert daemon.status()["running"]


def test_a_request_that_is_not_one_is_dropped(daemon: Daemon) -> None:
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(daemon.sock))
        s.sendall(b"\x00\x00\x00\x05hello")
        s.settimeout(10)
        assert s.recv(100) == b""
    assert daemon.status()["running"]


def test_a_client_of_another_installation_is_not_served(daemon: Daemon) -> None:
    fields = scan_fields(str(daemon.root), 0o022, ["utf-8", "strict"] * 3, ["scan", "x.apk"], {})
    frame = encode_request("scan", __version__, sys.executable, "/elsewhere/appwarden", fields)
    null = os.open(os.devnull, os.O_RDWR)
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(daemon.sock))
            socket.send_fds(s, [frame], [null, null, null])
            s.settimeout(10)
            reply = s.recv(200)
    finally:
        os.close(null)
    assert reply.startswith(b"stale client appwarden package /elsewhere/appwarden != daemon package ")
    assert daemon.wait_stopped()


def test_the_daemon_keeps_none_of_the_starting_process_descriptors(daemon_env: Daemon) -> None:
    read_end, write_end = os.pipe()
    try:
        proc = subprocess.Popen(
            [*CLI, "daemon", "start"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=daemon_env.env,
            pass_fds=(write_end,),
        )
        os.close(write_end)
        write_end = -1
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert daemon_env.status()["running"]
        os.set_blocking(read_end, False)
        assert os.read(read_end, 1) == b""  # every writer is gone: the daemon did not keep the inherited pipe
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
