"""Engines for tests/distributed/test_sandbox.py, resolved by name in the sandbox's child process."""

from __future__ import annotations

import os
import time
from pathlib import Path


def _mark() -> None:
    if os.environ.get("APPWARDEN_TEST_MARKER"):
        with Path(os.environ["APPWARDEN_TEST_MARKER"]).open("a") as fh:
            fh.write(f"{os.getpid()}\n")


def sleepy(apk_path, **kwargs):
    """Sleep far beyond any test's limit (after writing this pid to ``APPWARDEN_TEST_MARKER``)."""
    _mark()
    time.sleep(3600)


def huge(apk_path, **kwargs):
    """A report of about 3 MB."""
    return {"app": {"package": "com.huge"}, "padding": "x" * (3 * 1024 * 1024)}


def echo(apk_path, **kwargs):
    """A report naming what the engine was given (and this process's pid and environment variable names)."""
    return {
        "app": {"package": "com.echo"},
        "apk": str(apk_path),
        "kwargs": kwargs,
        "pid": os.getpid(),
        "env": sorted(os.environ),
    }


def refuse(apk_path, **kwargs):
    from appwarden.errors import InputError

    raise InputError(f"{apk_path}: not a zip archive")


def not_json(apk_path, **kwargs):
    return {"app": {"package": "com.bad"}, "value": object()}


def gc_state(apk_path, **kwargs):
    """A report saying whether the cyclic garbage collector is on in the child, and registering an exit handler
    that writes a marker (to show the child's exit handlers still run)."""
    import atexit
    import gc

    marker = os.environ.get("APPWARDEN_TEST_MARKER")
    if marker:
        atexit.register(lambda: Path(marker).write_text("exit handlers ran"))
    return {"app": {"package": "com.gc"}, "gc_enabled": gc.isenabled()}


def tunables(apk_path, **kwargs):
    """A report naming the child's ``GLIBC_TUNABLES`` and how much of its heap is in huge pages after a 64 MB
    allocation (``AnonHugePages`` of ``/proc/self/smaps_rollup``, kB; -1 when unreadable)."""
    block = bytearray(64 * 1024 * 1024)
    block[::4096] = b"\x01" * len(block[::4096])
    huge = -1
    try:
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            if line.startswith("AnonHugePages:"):
                huge = int(line.split()[1])
    except OSError:
        pass
    return {"app": {"package": "com.tunables"}, "tunables": os.environ.get("GLIBC_TUNABLES"), "huge_kb": huge}
