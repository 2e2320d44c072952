"""A real ``appwarden worker`` (Celery) process for the platform's service tests, and the scripts they run beside it.

Contract: :func:`migrate` creates the schema of the database ``env`` names; :func:`worker` starts
``appwarden worker`` with ``env`` in a session of its own (so its pool's children end with it), logging to
``<log_dir>/worker.log``, and on leaving the block stops the whole group (SIGTERM, then SIGKILL after 30 s), whatever
the block raised; :func:`worker_log` is that log's tail for assertion messages; :func:`run_json` runs a Python
snippet with ``env`` and returns the JSON of its last output line, failing the test with its stderr when it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def migrate(env: dict[str, str]) -> None:
    """``python -m appwarden.platform migrate`` against the database of ``env``."""
    subprocess.run(
        [sys.executable, "-m", "appwarden.platform", "migrate", "-v", "0"],
        env=env,
        check=True,
        timeout=120,
        cwd=ROOT,
    )


@contextlib.contextmanager
def worker(env: dict[str, str], log_dir: Path, concurrency: int = 1) -> Iterator[subprocess.Popen]:
    """A running ``appwarden worker --concurrency N`` for the duration of the block (see the module docstring)."""
    with (log_dir / "worker.log").open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "appwarden", "worker", "--concurrency", str(concurrency)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def worker_log(log_dir: Path, tail: int = 3000) -> str:
    """The last ``tail`` characters of the worker's log."""
    return (log_dir / "worker.log").read_text(errors="replace")[-tail:]


def run_json(env: dict[str, str], code: str, *args: str, timeout: float = 240) -> object:
    """Run ``python -c code args…`` with ``env``; the JSON of its last stdout line."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])
