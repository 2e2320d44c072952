"""``appwarden scan`` handed to a running scan daemon gives what the in-process scan gives."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from tests.daemon.conftest import APKS, Daemon, children_of, wait_for

VOLATILE = {"timings", "generated_at"}  # differ from run to run, whoever runs the scan


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


@pytest.mark.parametrize("apk", sorted(p.name for p in APKS.glob("*.apk")))
def test_report_through_the_daemon_equals_the_in_process_one(daemon: Daemon, apk: str) -> None:
    served, local = daemon.root / "served.json", daemon.root / "local.json"
    a = daemon.run("scan", str(APKS / apk), "-q", "-o", str(served))
    b = daemon.run("scan", "--no-daemon", str(APKS / apk), "-q", "-o", str(local))
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)
    assert daemon.status()["requests"] == 1  # the first scan was the daemon's, the second was not
    assert _stable(json.loads(served.read_text(encoding="utf-8"))) == _stable(
        json.loads(local.read_text(encoding="utf-8"))
    )


def test_relative_paths_resolve_against_the_clients_cwd(daemon: Daemon) -> None:
    work = daemon.root / "work"
    work.mkdir()
    shutil.copy(APKS / "minimal.apk", work / "app.apk")
    out = daemon.run("scan", "app.apk", "-q", "-o", "out/report.json", cwd=work)
    assert out.returncode == 0, out.stderr
    report = json.loads((work / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["app"]["package"]
    assert daemon.status()["requests"] == 1


def test_the_summary_arrives_on_the_clients_stdout(daemon: Daemon) -> None:
    out = daemon.run("scan", str(APKS / "pi_all.apk"), "-o", str(daemon.root / "r.json"))
    assert out.returncode == 0, out.stderr
    # the plain-text summary (stdout is a pipe)
    assert "com.appwarden.fixture.pi" in out.stdout and "个人信息调用点" in out.stdout
    assert out.stdout.rstrip().endswith(f"report written to {daemon.root / 'r.json'} (json)")
    assert out.stderr == ""
    assert daemon.status()["requests"] == 1


def test_report_on_stdout_through_the_daemon(daemon: Daemon) -> None:
    out = daemon.run("scan", str(APKS / "minimal.apk"), "-o", "-")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["app"]["package"]


def test_a_bad_apk_gives_exit_2_and_one_error_line(daemon: Daemon) -> None:
    bad = daemon.root / "bad.apk"
    bad.write_bytes(b"this is not a zip archive\n" * 10)
    out = daemon.run("scan", str(bad), "-o", str(daemon.root / "r.json"))
    assert out.returncode == 2
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("appwarden: error:"), out.stderr
    assert "Traceback" not in out.stderr
    assert daemon.status()["requests"] == 1


def test_usage_errors_and_help_behave_as_in_process(daemon: Daemon) -> None:
    usage = daemon.run("scan", str(APKS / "minimal.apk"), "--fail-on", "bogus")
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
    helped = daemon.run("scan", "--help")
    assert helped.returncode == 0 and "usage: appwarden scan" in helped.stdout
    assert daemon.status()["requests"] == 2


def test_fail_on_exit_code_1_is_propagated(daemon: Daemon) -> None:
    out = daemon.run(
        "scan", str(APKS / "pi_all.apk"), "-q", "-o", str(daemon.root / "r.json"), "--fail-on", "info"
    )
    assert out.returncode == 1, out.stderr
    assert daemon.status()["requests"] == 1


def test_no_daemon_flag_and_environment_bypass_the_daemon(daemon: Daemon) -> None:
    flag = daemon.run(
        "scan", "--no-daemon", str(APKS / "minimal.apk"), "-q", "-o", str(daemon.root / "a.json")
    )
    env = daemon.run(
        "scan",
        str(APKS / "minimal.apk"),
        "-q",
        "-o",
        str(daemon.root / "b.json"),
        env={"APPWARDEN_NO_DAEMON": "1"},
    )
    assert flag.returncode == 0 and env.returncode == 0, flag.stderr + env.stderr
    assert (daemon.root / "a.json").is_file() and (daemon.root / "b.json").is_file()
    assert daemon.status()["requests"] == 0


def test_a_stale_daemon_makes_the_client_scan_in_process_and_exits(daemon: Daemon) -> None:
    pid = daemon.status()["pid"]
    daemon.extra.write_text("changed: a bigger file", encoding="utf-8")  # a file the stamp covers
    assert daemon.status()["stamp"] == "stale"
    out = daemon.run("scan", str(APKS / "minimal.apk"), "-q", "-o", str(daemon.root / "r.json"))
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert json.loads((daemon.root / "r.json").read_text(encoding="utf-8"))["app"]["package"]
    assert daemon.wait_stopped(), "the stale daemon did not exit"
    assert not daemon.sock.exists()
    assert daemon.lock_pid() == pid
    assert not daemon.status()["running"]


def test_concurrent_scans(daemon: Daemon) -> None:
    procs = [
        daemon.popen("scan", str(APKS / "pi_all.apk"), "-q", "-o", str(daemon.root / f"r{i}.json"))
        for i in range(6)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0] * 6
    reports = [json.loads((daemon.root / f"r{i}.json").read_text(encoding="utf-8")) for i in range(6)]
    assert len({json.dumps(_stable(r), sort_keys=True) for r in reports}) == 1
    assert daemon.status()["requests"] == 6
    assert wait_for(lambda: daemon.status()["active"] == 0)
    # reaped, no zombies: only the spare is left
    assert wait_for(lambda: children_of(daemon.status()["pid"]) == [daemon.status()["spare"]])


def test_debug_shows_the_traceback_as_in_process(daemon: Daemon) -> None:
    missing = str(daemon.root / "missing.apk")
    served = daemon.run("--debug", "scan", missing)
    local = daemon.run("--debug", "scan", "--no-daemon", missing)
    assert served.returncode == local.returncode == 1
    assert (
        served.stderr.startswith("Traceback")
        and served.stderr.splitlines()[-1] == local.stderr.splitlines()[-1]
    )
    assert "InputError: no such file" in served.stderr
    assert daemon.status()["requests"] == 1
