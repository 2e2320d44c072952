"""The staleness stamp: what the running daemon's code and knowledge were built from.

Contract: :func:`compute_stamp` returns a value that changes whenever the appwarden version changes or a file under
the installed ``appwarden`` package directory (code, knowledge YAML, schemas, the C extension; not ``__pycache__``
nor ``platform/``) is added, removed, resized or touched. The server takes it once before importing anything and
re-computes it on every request (``os.scandir`` and ``stat`` of ~600 files: 1-4 ms depending on the machine); a different stamp
means the warm process no longer matches what an in-process run would load, so it answers "stale" and stops.

``APPWARDEN_DAEMON_STAMP_EXTRA`` (read by the server at start-up) names one more file whose (size, mtime) is part
of the stamp: a test hook, so that a test can make a daemon stale without touching the installed package.
"""

from __future__ import annotations

import os
from typing import Any

import appwarden

ENV_EXTRA = "APPWARDEN_DAEMON_STAMP_EXTRA"
SKIP_DIRS = frozenset({"__pycache__"})
SKIP_TOP = frozenset({"platform"})  # the Django platform is not used by `appwarden scan`

Stamp = tuple[Any, ...]


def package_dir() -> str:
    """The directory of the installed ``appwarden`` package."""
    return os.path.dirname(os.path.abspath(appwarden.__file__))


def compute_stamp(root: str | None = None, extra: str | None = None) -> Stamp:
    """The stamp of ``root`` (default: the installed package) plus the file ``extra`` (see the module docstring)."""
    root = root or package_dir()
    entries: list[tuple[str, int, int]] = []
    stack = [(root, "")]
    while stack:
        directory, rel = stack.pop()
        try:  # scandir of an open directory: each stat then resolves one name, not the whole path
            fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            entries.append((rel, -1, -1))
            continue
        try:
            with os.scandir(fd) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name in SKIP_DIRS or (not rel and entry.name in SKIP_TOP):
                            continue
                        stack.append((os.path.join(directory, entry.name), f"{rel}{entry.name}/"))
                        continue
                    try:
                        st = entry.stat()
                    except OSError:  # vanished or a dangling link: its absence is what is recorded
                        continue
                    entries.append((rel + entry.name, st.st_size, st.st_mtime_ns))
        finally:
            os.close(fd)
    entries.sort()
    return (appwarden.__version__, root, _file_stamp(extra), tuple(entries))


def _file_stamp(path: str | None) -> tuple[str, int, int] | None:
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return (path, -1, -1)
    return (path, st.st_size, st.st_mtime_ns)
