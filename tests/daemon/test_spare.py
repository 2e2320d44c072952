"""The spare child: forked and warmed ahead of a request, handed the next scan, replaced, dismissed at stop."""

from __future__ import annotations

import json
import os
import signal

from tests.daemon.conftest import APKS, Daemon, alive, children_of, reaped, request_child, wait_for


def _ready_spare(d: Daemon) -> int:
    assert wait_for(lambda: d.status()["spare_ready"], timeout=30), "no spare warmed up"
    return int(d.status()["spare"])


def test_the_ready_spare_takes_the_next_request_and_is_replaced(daemon: Daemon) -> None:
    spare = _ready_spare(daemon)
    client = daemon.popen(
        "scan", str(APKS / "minimal.apk"), "-q", "-o", os.devnull, env={"APPWARDEN_DAEMON_TEST_DELAY": "30"}
    )
    with reaped(client):
        assert request_child(daemon) == spare
        assert wait_for(lambda: daemon.status()["spare"] not in (None, spare)), "no new spare"
        assert sorted(children_of(daemon.status()["pid"])) == sorted([spare, daemon.status()["spare"]])


def test_a_scan_served_by_the_spare_equals_the_in_process_one(daemon: Daemon) -> None:
    _ready_spare(daemon)
    served = daemon.run("scan", str(APKS / "pi_all.apk"), "-o", "-")
    local = daemon.run("scan", "--no-daemon", str(APKS / "pi_all.apk"), "-o", "-")
    assert served.returncode == local.returncode == 0, served.stderr + local.stderr
    drop = {"timings", "generated_at"}
    assert {k: v for k, v in json.loads(served.stdout).items() if k not in drop} == {
        k: v for k, v in json.loads(local.stdout).items() if k not in drop
    }
    assert daemon.status()["requests"] == 1


def test_a_spare_that_dies_idle_is_replaced(daemon: Daemon) -> None:
    spare = _ready_spare(daemon)
    os.kill(spare, signal.SIGKILL)
    assert wait_for(lambda: daemon.status()["spare"] not in (None, spare)), "the dead spare was not replaced"
    assert not alive(spare)  # reaped, not a zombie
    out = daemon.run("scan", str(APKS / "minimal.apk"), "-q", "-o", os.devnull)
    assert out.returncode == 0, out.stderr


def test_spares_that_keep_dying_are_given_up(daemon: Daemon) -> None:
    for _ in range(3):
        assert wait_for(lambda: daemon.status()["spare"] is not None), "no spare"
        spare = int(daemon.status()["spare"])
        os.kill(spare, signal.SIGKILL)
        assert wait_for(lambda s=spare: daemon.status()["spare"] != s)
    assert wait_for(lambda: daemon.status()["spare"] is None)
    out = daemon.run("scan", str(APKS / "minimal.apk"), "-q", "-o", os.devnull)
    assert out.returncode == 0, out.stderr  # requests fork their own child
    assert daemon.status()["requests"] == 1 and daemon.status()["spare"] is None


def test_stopping_the_daemon_dismisses_the_spare(daemon: Daemon) -> None:
    spare = _ready_spare(daemon)
    assert daemon.run("daemon", "stop").returncode == 0
    assert wait_for(lambda: not alive(spare)), "the spare outlived its daemon"
