"""The launcher's re-exec with glibc's ``glibc.malloc.hugetlb=1`` (``appwarden.launch.exec_with_huge_pages``).

Asserted: when it re-executes (glibc 2.35+ and the kernel's transparent huge pages in ``madvise`` mode) and when it
does not (turned off, already done, another kernel mode), that the re-executed process runs the same command line
with the tunable added to what was already in ``GLIBC_TUNABLES``, that ``appwarden batch`` runs it and ``scan``
does not, and that a scan writes the same report with and without the tunable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from appwarden import launch

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "apks"


def _host_qualifies() -> bool:
    try:
        with open(launch.THP_ENABLED, encoding="ascii") as fh:
            mode = fh.read()
    except OSError:
        return False
    libc, _, version = (os.confstr("CS_GNU_LIBC_VERSION") or "").partition(" ")
    return (
        "[madvise]" in mode and libc == "glibc" and tuple(int(x) for x in version.split(".")[:2]) >= (2, 35)
    )


needs_host = pytest.mark.skipif(not _host_qualifies(), reason="needs glibc 2.35+ and THP in madvise mode")


@needs_host
def test_wanted_unless_turned_off_or_done() -> None:
    assert launch.huge_pages_wanted({})
    assert launch.huge_pages_wanted({"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"})
    assert launch.huge_pages_wanted({"APPWARDEN_MALLOC_HUGE_PAGES": "1"})
    assert not launch.huge_pages_wanted({"APPWARDEN_MALLOC_HUGE_PAGES": "0"})
    assert not launch.huge_pages_wanted({"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"})


def test_not_wanted_when_kernel_mode_is_not_madvise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for mode in ("[always] madvise never\n", "always madvise [never]\n"):
        fake = tmp_path / "enabled"
        fake.write_text(mode)
        monkeypatch.setattr(launch, "THP_ENABLED", str(fake))
        assert not launch.huge_pages_wanted({})
    monkeypatch.setattr(launch, "THP_ENABLED", str(tmp_path / "absent"))
    assert not launch.huge_pages_wanted({})


_PROBE = """
import json, os, sys
from appwarden import launch
launch.exec_with_huge_pages()
print(json.dumps({"tunables": os.environ.get("GLIBC_TUNABLES"), "argv": sys.argv[1:]}))
"""


def _env(**extra: str) -> dict[str, str]:
    env = {"PATH": "/usr/bin:/bin", **extra}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env


@needs_host
def test_reexec_runs_the_same_command_line_with_the_tunable_added() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, "a", "b c"],
        capture_output=True,
        text=True,
        env=_env(GLIBC_TUNABLES="glibc.malloc.arena_max=4"),
        check=True,
    )
    lines = out.stdout.splitlines()
    assert len(lines) == 1  # printed once: by the re-executed process, the first one never got there
    assert json.loads(lines[0]) == {
        "tunables": "glibc.malloc.arena_max=4:glibc.malloc.hugetlb=1",
        "argv": ["a", "b c"],
    }
    off = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        env=_env(APPWARDEN_MALLOC_HUGE_PAGES="0"),
        check=True,
    )
    assert json.loads(off.stdout)["tunables"] is None


def _report(apk: Path, out: Path, cache: Path, **extra: str) -> dict:
    subprocess.run(
        [sys.executable, "-m", "appwarden", "scan", str(apk), "-o", str(out), "-q"],
        capture_output=True,
        env=_env(APPWARDEN_CACHE_DIR=str(cache), **extra),
        check=False,
    )
    report = json.loads(out.read_text(encoding="utf-8"))
    for key in ("timings", "generated_at"):
        report.pop(key, None)
    return report


@needs_host
def test_scan_report_is_the_same_with_huge_pages(tmp_path: Path) -> None:
    apk = min(FIXTURES.glob("*.apk"), key=lambda p: p.stat().st_size)
    cache = tmp_path / "cache"
    plain = _report(apk, tmp_path / "plain.json", cache)
    huge = _report(apk, tmp_path / "huge.json", cache, GLIBC_TUNABLES="glibc.malloc.hugetlb=1")
    assert plain == huge


_COMMAND_PROBE = """
import os, sys
from appwarden import launch
launch.exec_with_huge_pages = lambda: print("re-exec asked", flush=True)
sys.argv = ["appwarden", *sys.argv[1:]]
launch.main()
"""


@pytest.mark.parametrize(("command", "asked"), [("batch", True), ("scan", False)])
def test_only_batch_asks_for_the_reexec(tmp_path: Path, command: str, asked: bool) -> None:
    out = subprocess.run(
        [sys.executable, "-c", _COMMAND_PROBE, command, "--help"],
        capture_output=True,
        text=True,
        env=_env(APPWARDEN_CACHE_DIR=str(tmp_path)),
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert ("re-exec asked" in out.stdout) is asked
