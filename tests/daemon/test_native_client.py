"""The native ``appwarden`` command (``daemon/client.c``): the Python launcher's behaviour, without the interpreter.

Every test runs the real binary, built from the source as setup.py builds it (``native_client`` fixture), against a
real daemon; "served" is read off the daemon's own request counter.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.daemon.conftest import APKS, Daemon
from tests.daemon.test_scan_through_daemon import _stable

MINIMAL = str(APKS / "minimal.apk")


def _same_as_in_process(d: Daemon, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``scan <args> -o X`` through the native client and in-process; assert identical results; the first."""
    served, local = d.root / "served" / "r.json", d.root / "local" / "r.json"
    served.parent.mkdir()
    local.parent.mkdir()
    a = d.run("scan", *args, "-o", "r.json", cwd=served.parent)
    b = d.run("scan", "--no-daemon", *args, "-o", "r.json", cwd=local.parent)
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)
    if a.returncode in (0, 1):
        assert _stable(json.loads(served.read_text(encoding="utf-8"))) == _stable(
            json.loads(local.read_text(encoding="utf-8"))
        )
    return a


@pytest.mark.parametrize("apk", ["minimal.apk", "pi_all.apk", "v1_only.apk"])
def test_a_scan_is_served_by_the_daemon_and_equals_the_in_process_one(
    native_daemon: Daemon, apk: str
) -> None:
    out = _same_as_in_process(native_daemon, str(APKS / apk), "-q")
    assert out.returncode == 0, out.stderr
    assert native_daemon.status()["requests"] == 1


def test_the_summary_and_its_chinese_text_reach_the_clients_stdout(native_daemon: Daemon) -> None:
    out = _same_as_in_process(native_daemon, str(APKS / "pi_all.apk"))
    assert "检测报告" in out.stdout
    assert native_daemon.status()["requests"] == 1


def test_relative_paths_and_exit_codes_are_the_clients(native_daemon: Daemon) -> None:
    (native_daemon.root / "in").mkdir()
    (native_daemon.root / "in" / "a.apk").write_bytes((APKS / "pi_all.apk").read_bytes())
    ok = native_daemon.run("scan", "a.apk", "-q", "-o", "r.json", cwd=native_daemon.root / "in")
    assert ok.returncode == 0, ok.stderr
    assert (native_daemon.root / "in" / "r.json").is_file()
    failing = native_daemon.run("scan", MINIMAL, "-q", "-o", os.devnull, "--fail-on", "info")
    bad = native_daemon.run("scan", str(native_daemon.root / "missing.apk"), "-q")
    assert failing.returncode == 1
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and bad.stderr.startswith("appwarden: error:")
    assert native_daemon.status()["requests"] == 3


def test_without_a_daemon_the_launcher_runs_the_scan(native_env: Daemon) -> None:
    out = _same_as_in_process(native_env, MINIMAL, "-q")
    assert out.returncode == 0, out.stderr
    assert not native_env.sock.exists()


def test_other_commands_go_to_the_python_launcher(native_daemon: Daemon) -> None:
    native = native_daemon.run("--help")
    python = subprocess.run(
        [sys.executable, "-m", "appwarden", "--help"], capture_output=True, text=True, env=native_daemon.env
    )
    assert native.returncode == python.returncode == 0
    assert native.stdout == python.stdout and "usage: appwarden" in native.stdout
    assert native_daemon.status()["requests"] == 0


@pytest.mark.parametrize(
    "how",
    [
        (["--no-daemon"], {}),
        ([], {"APPWARDEN_NO_DAEMON": "1"}),
    ],
)
def test_bypasses_are_not_served(native_daemon: Daemon, how: tuple[list[str], dict[str, str]]) -> None:
    flags, env = how
    out = native_daemon.run("scan", *flags, MINIMAL, "-q", "-o", str(native_daemon.root / "r.json"), env=env)
    assert out.returncode == 0, out.stderr
    assert (native_daemon.root / "r.json").is_file()
    assert native_daemon.status()["requests"] == 0


def test_with_pythonpath_set_python_decides_which_appwarden_runs(
    native_daemon: Daemon, tmp_path: Path
) -> None:
    """PYTHONPATH may hold another appwarden than the daemon's, which the native client cannot see: it defers to
    the launcher, which here imports the other one."""
    other = tmp_path / "other" / "appwarden"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("", encoding="utf-8")
    (other / "launch.py").write_text(
        "def main():\n    print('the other appwarden')\n    return 0\n", encoding="utf-8"
    )
    out = native_daemon.run("scan", MINIMAL, "-q", env={"PYTHONPATH": str(other.parent)})
    assert (out.returncode, out.stdout) == (0, "the other appwarden\n")
    assert native_daemon.status()["requests"] == 0


def test_a_stale_daemon_means_in_process_and_the_daemon_exits(native_daemon: Daemon) -> None:
    native_daemon.extra.write_text("changed: a bigger file", encoding="utf-8")
    out = native_daemon.run("scan", MINIMAL, "-q", "-o", str(native_daemon.root / "r.json"))
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert json.loads((native_daemon.root / "r.json").read_text(encoding="utf-8"))["app"]["package"]
    assert native_daemon.wait_stopped(), "the stale daemon did not exit"


def test_a_missing_launcher_is_one_error_line(native_client: Path, tmp_path: Path) -> None:
    lonely = tmp_path / "appwarden"
    lonely.write_bytes(native_client.read_bytes())
    lonely.chmod(0o755)
    out = subprocess.run([str(lonely), "--help"], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr == f"appwarden: error: cannot run {tmp_path}/appwarden-py: No such file or directory\n"


# Ctrl-C, a killed client and a child dying mid-request: test_lifecycle.py runs them through both clients.


# --------------------------------------------------------------------------------------- stdio encodings

_PROBE = (
    "import codecs, json, os, sys\n"
    "got = [[codecs.lookup(s.encoding).name, s.errors] for s in (sys.stdin, sys.stdout, sys.stderr)]\n"
    "os.write(1, json.dumps(got).encode())\n"
)
_DERIVE = (
    "import codecs, json, os, sys\n"
    "os.environ.clear()\n"
    "os.environ.update(json.loads(sys.argv[1]))\n"
    "from appwarden.daemon.child import stdio_encodings\n"
    "e = stdio_encodings(os.environ)\n"
    "os.write(1, json.dumps([[codecs.lookup(e[i]).name, e[i + 1]] for i in (0, 2, 4)]).encode())\n"
)


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"LANG": "C"},
        {"LANG": "C.UTF-8"},
        {"LC_ALL": "POSIX"},
        {"LANG": "xx_YY.NOT-INSTALLED"},
        {"LC_ALL": "C", "LC_CTYPE": "C.UTF-8"},
        {"LANG": "C", "PYTHONUTF8": "0"},
        {"LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
        {"LANG": "C.UTF-8", "PYTHONUTF8": "1"},
        {"PYTHONIOENCODING": "latin-1"},
        {"PYTHONIOENCODING": "latin-1:", "LANG": "C"},
        {"PYTHONIOENCODING": ":replace", "LANG": "C.UTF-8"},
        {"PYTHONIOENCODING": "ascii:replace", "PYTHONUTF8": "1"},
    ],
)
def test_derived_stdio_encodings_are_what_python_gives_its_streams(env: dict[str, str]) -> None:
    """What the child derives for the native client (which sends no encodings) equals what a Python interpreter
    started with that environment gives its standard streams."""
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    real = subprocess.run(
        [sys.executable, "-c", _PROBE], env=full, capture_output=True, stdin=subprocess.DEVNULL
    )
    derived = subprocess.run(
        [sys.executable, "-c", _DERIVE, json.dumps(full)],
        env={"PATH": full["PATH"], "LANG": "C.UTF-8"},  # a different locale: only the argument may count
        capture_output=True,
    )
    assert real.returncode == derived.returncode == 0, (real.stderr, derived.stderr)
    assert json.loads(derived.stdout) == json.loads(real.stdout)
    assert codecs.lookup(json.loads(real.stdout)[0][0])  # the probe really ran


def test_the_installed_command_is_native_where_it_can_be_built() -> None:
    """setup.py installs `appwarden` as the native client beside the `appwarden-py` launcher (on Linux with cc);
    a silent fallback to the Python script would cost every daemon scan ~20 ms."""
    bin_dir = Path(sys.executable).parent
    command, launcher = bin_dir / "appwarden", bin_dir / "appwarden-py"
    if not (command.exists() and launcher.exists()):
        pytest.skip(f"appwarden is not installed beside {sys.executable}")
    if not sys.platform.startswith("linux") or not any(
        os.access(os.path.join(p, "cc"), os.X_OK) for p in os.environ.get("PATH", "").split(os.pathsep)
    ):
        pytest.skip("the native client is built on Linux with a C compiler only")
    assert command.read_bytes()[:4] == b"\x7fELF", f"{command} is not the native client: re-run `make setup`"
