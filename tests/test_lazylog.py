"""appwarden.lazylog: loggers and the command line's basicConfig without importing logging until it is used.

Each check runs in a fresh interpreter (this test process has imported logging long ago)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_logger_is_the_real_one_once_logging_is_imported() -> None:
    import logging

    from appwarden.lazylog import get_logger

    assert get_logger("appwarden.x") is logging.getLogger("appwarden.x")


@pytest.mark.parametrize("debug", [False, True])
def test_deferred_config_equals_basic_config(debug: bool) -> None:
    probe = f"""
import json, sys
from appwarden.lazylog import LazyLogger, basic_config, get_logger
assert "logging" not in sys.modules
log = get_logger("appwarden.probe")
assert isinstance(log, LazyLogger) and log.name == "appwarden.probe"
basic_config({debug})
basic_config({not debug})  # pending: changes nothing, as a second basicConfig would
assert "logging" not in sys.modules
log.debug("a %s", "debug")
log.warning("a %s", "warning")
import logging
root = logging.getLogger()
assert log.isEnabledFor(logging.DEBUG) is {debug}
print(json.dumps({{
    "level": root.level,
    "handlers": [type(h).__name__ for h in root.handlers],
    "fmt": root.handlers[0].formatter._fmt,
    "loader_ok": logging.__loader__ is logging.__spec__.loader and type(logging.__loader__).__module__ != "appwarden.lazylog",
    "hooks": [type(f).__name__ for f in sys.meta_path if type(f).__module__ == "appwarden.lazylog"],
    "same": log.getEffectiveLevel() == logging.getLogger("appwarden.probe").getEffectiveLevel(),
}}))
"""
    reference = f"""
import json, logging, sys
logging.basicConfig(level=logging.DEBUG if {debug} else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
log = logging.getLogger("appwarden.probe")
log.debug("a %s", "debug")
log.warning("a %s", "warning")
root = logging.getLogger()
print(json.dumps({{"level": root.level, "handlers": [type(h).__name__ for h in root.handlers],
                  "fmt": root.handlers[0].formatter._fmt}}))
"""
    out, ref = _run(probe), _run(reference)
    assert out.returncode == 0, out.stderr
    assert ref.returncode == 0, ref.stderr
    got, want = json.loads(out.stdout), json.loads(ref.stdout)
    assert {k: got[k] for k in want} == want
    assert got["loader_ok"] and got["same"] and got["hooks"] == []
    assert out.stderr == ref.stderr  # the same lines, in the same format
    assert ("DEBUG appwarden.probe: a debug" in out.stderr) is debug


def test_another_importer_of_logging_gets_the_configuration() -> None:
    out = _run(
        """
import sys
from appwarden.lazylog import basic_config
basic_config(False)
import logging  # e.g. a library
logging.getLogger("lib").warning("from a library")
"""
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == "WARNING lib: from a library\n"


def test_cli_main_configures_logging_as_before() -> None:
    out = _run(
        """
import contextlib, io, json, sys
from appwarden.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(["--debug", "--version"])
import logging
root = logging.getLogger()
print(json.dumps([root.level, root.handlers[0].formatter._fmt]))
"""
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [10, "%(levelname)s %(name)s: %(message)s"]
