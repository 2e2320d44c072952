"""``appwarden --version`` answers without building every command's parser (issue #19, start-up): same output as
argparse's version action, exit 0, and no command module imported."""

from __future__ import annotations

import json
import subprocess
import sys

from appwarden import __version__


def test_version_output_and_exit_code() -> None:
    for args in (["--version"], ["--debug", "--version"]):
        out = subprocess.run(
            [sys.executable, "-m", "appwarden", *args], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0 and out.stdout == f"appwarden {__version__}\n" and not out.stderr


def test_version_imports_no_command_module() -> None:
    probe = (
        "import json, sys\n"
        "from appwarden.cli import main\n"
        "code = main(['--version'])\n"
        "print(json.dumps({'code': code, 'mods': sorted(m for m in sys.modules if m.startswith('appwarden.'))}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    assert not [m for m in result["mods"] if m.startswith("appwarden.cli.") or m == "appwarden.scan"]


def test_version_with_a_command_is_left_to_argparse() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "appwarden", "scan", "--version"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2 and "usage: appwarden scan" in out.stderr  # argparse's answer, as before
