"""``appwarden.distributed.sandbox.run_isolated``: one scan in a child process, a hard wall-clock and memory limit,
and an outcome for every way a scan can end (the platform's workers and the distributed task rely on it)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from appwarden.distributed.sandbox import SandboxLimits, ScanFailed, run_isolated

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "apks" / "minimal.apk"
ENGINES = "tests.distributed.sandbox_engines"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def test_the_real_engine_runs_in_another_process(monkeypatch):
    report = run_isolated(MINIMAL)
    assert report["app"]["package"] == "com.example.fixture"
    monkeypatch.setenv("APPWARDEN_SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:pw@db/x")
    monkeypatch.setenv("APPWARDEN_SCAN_SOMETHING", "kept")
    echo = run_isolated(MINIMAL, engine=f"{ENGINES}:echo", category="N39-07")
    assert echo["pid"] != os.getpid()
    assert echo["kwargs"] == {"policy_path": None, "trace_path": None, "category": "N39-07"}
    # the platform's secrets stay out of the scan process; everything else is inherited
    assert "APPWARDEN_SECRET_KEY" not in echo["env"] and "DATABASE_URL" not in echo["env"]
    assert "APPWARDEN_SCAN_SOMETHING" in echo["env"]


def test_wall_clock_limit_kills_the_child(tmp_path, monkeypatch):
    marker = tmp_path / "pids"
    monkeypatch.setenv("APPWARDEN_TEST_MARKER", str(marker))
    started = time.monotonic()
    with pytest.raises(ScanFailed) as err:
        run_isolated(MINIMAL, engine=f"{ENGINES}:sleepy", limits=SandboxLimits(timeout=1.5))
    assert time.monotonic() - started < 20
    assert err.value.kind == "timeout"
    assert "扫描超时" in str(err.value) and "1.5 s" in str(err.value)
    assert not alive(int(marker.read_text().split()[0]))


def test_report_over_the_size_cap_is_refused():
    with pytest.raises(ScanFailed) as err:
        run_isolated(MINIMAL, engine=f"{ENGINES}:huge", limits=SandboxLimits(max_report_mb=1))
    assert err.value.kind == "crash"
    assert "报告过大" in str(err.value)


def test_engine_refusal_is_an_input_failure_without_server_paths():
    with pytest.raises(ScanFailed) as err:
        run_isolated(MINIMAL, engine=f"{ENGINES}:refuse", labels={str(MINIMAL): "app.apk"})
    assert err.value.kind == "input"
    assert str(err.value) == "app.apk: not a zip archive"


@pytest.mark.parametrize(
    ("engine", "kind", "words"),
    [
        (f"{ENGINES}:not_json", "engine", "internal error"),
        ("no_such_module:scan", "engine", "is not available"),
    ],
)
def test_engine_bugs_are_engine_failures(engine, kind, words):
    with pytest.raises(ScanFailed) as err:
        run_isolated(MINIMAL, engine=engine)
    assert err.value.kind == kind
    assert words in str(err.value)
    assert "\n" not in str(err.value)


KILL_PARENT = r"""
import sys
from appwarden.distributed.sandbox import run_isolated, SandboxLimits
run_isolated(sys.argv[1], engine="tests.distributed.sandbox_engines:sleepy", limits=SandboxLimits(timeout=600))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_the_child_dies_with_its_parent(tmp_path):
    """A worker killed mid-scan (SIGKILL: no clean-up runs) does not leave its scan running."""
    marker = tmp_path / "pids"
    env = {**os.environ, "APPWARDEN_TEST_MARKER": str(marker), "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c", KILL_PARENT, str(MINIMAL)], env=env, cwd=ROOT)
    child = 0
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() or not marker.read_text().strip():
            assert time.monotonic() < deadline and parent.poll() is None
            time.sleep(0.1)
        child = int(marker.read_text().split()[0])
        assert alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while alive(child):
            assert time.monotonic() < deadline, f"scan process {child} outlived its parent"
            time.sleep(0.1)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if child and alive(child):  # the failure case: do not leave the test's scan behind
            os.kill(child, signal.SIGKILL)


def test_distributed_task_records_a_timed_out_scan_as_a_failed_result(tmp_path, monkeypatch):
    """``scan_stored`` (the cluster task, called directly here) scans through the sandbox with the limits from the
    environment: a scan over the limit is a ``failed`` result with its kind, never a worker stuck on one APK."""
    import json

    from appwarden.distributed.storage import ContentStore
    from appwarden.distributed.tasks import scan_stored

    store = ContentStore(tmp_path / "store")
    sha = store.put_apk(MINIMAL)
    monkeypatch.setenv("APPWARDEN_SCAN_TIMEOUT", "0.001")  # less than an interpreter's start-up
    assert scan_stored.run(sha, str(store.root))["status"] == "failed"
    (result,) = store.results()
    data = json.loads(result.read_text(encoding="utf-8"))
    assert (data["status"], data["kind"]) == ("failed", "timeout")
    assert "扫描超时" in data["error"]
    result.unlink()
    monkeypatch.setenv("APPWARDEN_SCAN_TIMEOUT", "120")
    assert scan_stored.run(sha, str(store.root))["status"] == "ok"


def test_child_runs_without_the_cyclic_gc_and_still_runs_exit_handlers(tmp_path, monkeypatch):
    """The child scans one app and ends: the collector is off for its whole life and it ends without the
    interpreter's teardown, but its exit handlers run (e.g. temporary-directory clean-up)."""
    marker = tmp_path / "marker"
    monkeypatch.setenv("APPWARDEN_TEST_MARKER", str(marker))
    report = run_isolated(MINIMAL, engine=f"{ENGINES}:gc_state")
    assert report["gc_enabled"] is False
    assert marker.read_text() == "exit handlers ran"


def test_child_gets_huge_pages_for_glibc_malloc_unless_turned_off(monkeypatch):
    """The scan child is a new program: where the launcher would re-execute ``batch`` for them (glibc 2.35+, THP in
    madvise mode), it starts with ``glibc.malloc.hugetlb=1`` added to the parent's ``GLIBC_TUNABLES`` and its large
    blocks get 2 MB pages; ``APPWARDEN_MALLOC_HUGE_PAGES=0`` keeps the parent's value as it is."""
    from appwarden import launch

    if not launch.huge_pages_wanted({}):
        pytest.skip("needs glibc 2.35+ and transparent huge pages in madvise mode")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=4")
    monkeypatch.delenv("APPWARDEN_MALLOC_HUGE_PAGES", raising=False)
    on = run_isolated(MINIMAL, engine="tests.distributed.sandbox_engines:tunables")
    assert on["tunables"] == "glibc.malloc.arena_max=4:glibc.malloc.hugetlb=1"
    assert on["huge_kb"] >= 32 * 1024
    monkeypatch.setenv("APPWARDEN_MALLOC_HUGE_PAGES", "0")
    off = run_isolated(MINIMAL, engine="tests.distributed.sandbox_engines:tunables")
    assert off["tunables"] == "glibc.malloc.arena_max=4"
    assert off["huge_kb"] < on["huge_kb"]
