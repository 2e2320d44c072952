"""The console script installs the regular-expression cache before the command line's own imports (issue #19):
``appwarden.cli`` no longer imports argparse, and the cache directory is found without appwarden.knowledge, so a
warm one-shot scan compiles no pattern at all (argparse's gettext, json, urllib.parse and dataclasses included)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from appwarden.cachedir import cache_base
from appwarden.knowledge.cache import cache_dir

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "apks" / "minimal.apk"


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"APPWARDEN_CACHE_DIR": "/tmp/aw-cache"},
        {"XDG_CACHE_HOME": "/tmp/xdg"},
        {"APPWARDEN_CACHE_DIR": "/tmp/aw-cache", "XDG_CACHE_HOME": "/tmp/xdg"},
        {"APPWARDEN_NO_CACHE": "1", "APPWARDEN_CACHE_DIR": "/tmp/aw-cache"},
        {"APPWARDEN_CACHE_DIR": "", "XDG_CACHE_HOME": ""},
    ],
)
def test_cache_base_is_the_knowledge_cache_dir(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name in ("APPWARDEN_NO_CACHE", "APPWARDEN_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    expected = cache_dir()
    assert cache_base() == (None if expected is None else str(expected))


def _run(code: str, *args: str, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_cli_package_does_not_import_argparse() -> None:
    got = _run(
        """
import json, sys
import appwarden.cli
before = "argparse" in sys.modules
from appwarden.cli import ArgumentParser, HelpFormatter, terminal_columns
import argparse
print(json.dumps([before, issubclass(ArgumentParser, argparse.ArgumentParser), callable(terminal_columns)]))
""",
        env=dict(os.environ),
    )
    assert got == [False, True, True]


def test_a_warm_console_scan_compiles_no_pattern(tmp_path: Path) -> None:
    probe = """
import atexit, json, sys
import re._compiler as compiler
normal = compiler.compile
compiled = []
def counting(pattern, flags=0):
    compiled.append(str(pattern)[:60])
    return normal(pattern, flags)
compiler.compile = counting
atexit.register(lambda: print(json.dumps(compiled)))
sys.argv = ["appwarden", "scan", sys.argv[1], "-o", sys.argv[2], "-q"]
from appwarden.launch import main
main()
"""
    env = dict(os.environ, APPWARDEN_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("APPWARDEN_NO_CACHE", None)
    first = _run(probe, str(FIXTURE), str(tmp_path / "r1.json"), env=env)
    second = _run(probe, str(FIXTURE), str(tmp_path / "r2.json"), env=env)
    assert first  # the first scan compiled (and stored) them
    assert second == []
