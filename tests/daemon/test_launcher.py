"""The lean launcher and client: what they import, and the request format."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from appwarden.daemon.protocol import decode_request, encode_request, scan_fields
from appwarden.launch import _command_of, _strip_no_daemon

_PROBE = """
import json, sys
before = set(sys.modules)
from appwarden import launch
code = launch.via_daemon(["scan", "x.apk"])
print(json.dumps({"code": code, "new": sorted(set(sys.modules) - before)}))
"""


def _probe(env: dict[str, str], code: str = _PROBE) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout)


def test_without_a_daemon_the_launcher_imports_almost_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "APPWARDEN_DAEMON_SOCKET": str(tmp_path / "d" / "scan.sock")}
    env.pop("APPWARDEN_NO_DAEMON", None)
    result = _probe(env)
    assert result["code"] is None
    assert set(result["new"]) <= {
        "appwarden",
        "appwarden.launch",
        "appwarden.daemon",
        "appwarden.daemon.paths",
    }
    off = _probe({**env, "APPWARDEN_NO_DAEMON": "1"})
    assert off["code"] is None and set(off["new"]) <= {"appwarden", "appwarden.launch"}


def test_the_client_imports_only_what_the_interpreter_has_plus_socket_primitives() -> None:
    code = (
        "import json, sys\nbefore = set(sys.modules)\nimport appwarden.daemon.client\n"
        "print(json.dumps({'code': 0, 'new': sorted(set(sys.modules) - before)}))"
    )
    new = set(_probe(dict(os.environ), code)["new"])
    assert new <= {
        "appwarden",
        "appwarden.daemon",
        "appwarden.daemon.client",
        "appwarden.daemon.paths",
        "appwarden.daemon.protocol",
        "_socket",
    }, new


def test_command_detection_and_no_daemon_flag() -> None:
    assert _command_of(["--debug", "scan", "a.apk"]) == "scan"
    assert _command_of(["--version"]) is None
    assert _strip_no_daemon(["scan", "--no-daemon", "a.apk"]) == (["scan", "a.apk"], True)
    assert _strip_no_daemon(["scan", "a.apk"]) == (["scan", "a.apk"], False)
    assert _strip_no_daemon(["scan", "--", "--no-daemon"]) == (["scan", "--", "--no-daemon"], False)


def test_request_round_trip() -> None:
    argv = ["scan", "ä.apk", "", "-o", "x y\nz"]
    environ = {"A": "1", "EMPTY": "", "WITH_EQ": "a=b", "BYTES": "\udcff"}
    fields = scan_fields(
        "/tmp/ä", 0o027, ["utf-8", "strict", "ascii", "replace", "utf-8", "backslashreplace"], argv, environ
    )
    frame = encode_request("scan", "9.9", "/usr/bin/python3", "/pkg", fields)
    assert int.from_bytes(frame[:4], "big") == len(frame) - 4
    req = decode_request(frame[4:])
    assert (req.op, req.version, req.executable, req.cwd, req.umask) == (
        "scan",
        "9.9",
        "/usr/bin/python3",
        "/tmp/ä",
        0o027,
    )
    assert req.package == "/pkg" and req.argv == argv and req.environ == environ
    assert req.encodings[2:4] == ["ascii", "replace"]
    status = decode_request(encode_request("status", "1", "py", "/pkg")[4:])
    assert status.op == "status" and status.argv == []


def test_exit_now_runs_exit_handlers_and_flushes_streams(tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "atexit-ran"
    code = (
        "import atexit, sys, tempfile, weakref\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').write('yes'))\n"
        f"keep = tempfile.TemporaryDirectory(dir={str(tmp_path)!r})\n"  # cleaned by a weakref.finalize at exit
        "print('summary line', end='')\n"
        "sys.stderr.write('a warning')\n"
        "from appwarden.launch import exit_now\n"
        "exit_now(3)\n"
        "print('not reached')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 3
    assert out.stdout == "summary line" and out.stderr == "a warning"
    assert marker.read_text() == "yes"
    assert [p.name for p in tmp_path.iterdir()] == ["atexit-ran"]  # the temporary directory is gone


def test_console_script_scan_writes_its_report_and_summary(tmp_path, fixtures_dir) -> None:  # type: ignore[no-untyped-def]
    """The console script's in-process scan ends with exit_now: the report file and the summary are complete."""
    exe = os.path.join(os.path.dirname(sys.executable), "appwarden")
    env = {**os.environ, "APPWARDEN_NO_DAEMON": "1", "APPWARDEN_CACHE_DIR": str(tmp_path / "cache")}
    report = tmp_path / "r.json"
    out = subprocess.run(
        [exe, "scan", str(fixtures_dir / "apks" / "pi_all.apk"), "-o", str(report)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(report.read_text())["app"]["package"]
    assert out.stdout.rstrip().endswith(f"report written to {report} (json)")
