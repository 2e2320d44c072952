"""``appwarden scan`` never drops an input the user supplied, and ends hostile input within its limits (issues
#16 part 3 and #17), through the real command line in a subprocess: exit code, one line on stderr, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

APKS = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
APK = str(APKS / "minimal.apk")


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "APPWARDEN_NO_DAEMON": "1"}
    return subprocess.run(
        [sys.executable, "-m", "appwarden", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("appwarden: error: "), proc.stderr
    return lines[0]


# -- --category -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["N39-07", "n39-7", "餐饮外卖类", "餐饮外卖", "food delivery"])
def test_category_by_id_or_name(tmp_path: Path, value: str) -> None:
    out = tmp_path / "r.json"
    proc = run_cli("scan", APK, "-q", "-o", str(out), "--category", value)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert (report["meta"]["category"], report["meta"]["category_inferred"]) == ("N39-07", False)


@pytest.mark.parametrize("value", ["N39-40", "外卖", "bogus", ""])
def test_unknown_category_is_exit_2_saying_how_to_list(value: str) -> None:
    line = one_line_error(run_cli("scan", APK, "-q", "--category", value))
    assert "unknown app category" in line and "--category list" in line


def test_category_list_prints_the_39_types() -> None:
    proc = run_cli("scan", "--category", "list")
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.strip().splitlines()
    assert len(rows) == 39 and rows[6].split()[:2] == ["N39-07", "餐饮外卖类"]
