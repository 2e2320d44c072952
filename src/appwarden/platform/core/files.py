"""Private files for the platform's data: the data directory is created ``0700`` and the SQLite database ``0600``,
whatever the process umask, so other local users can read neither the database (accounts, token hashes, reports)
nor the stored APKs.

Pure ``os`` calls, importable from ``settings.py`` before Django is set up.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) if needed; a directory this call creates gets mode ``0700``.

    An existing directory is left as it is (it may be shared on purpose); parents created on the way get the
    umask's default as ``mkdir -p`` gives them. Returns ``path``. Raises ``OSError`` if it cannot be created.
    """
    path = Path(path)
    if path.is_dir():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(path, DIR_MODE)
    except FileExistsError:
        return path
    os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask; chmod is not
    return path


def private_file(path: Path) -> Path:
    """Make sure ``path`` exists as a regular file with mode ``0600`` (created empty if missing, tightened if it is
    readable by group or others). Returns ``path``. Raises ``OSError`` when it cannot."""
    path = Path(path)
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        os.close(fd)
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, FILE_MODE)
    return path


def private_sqlite(name: str) -> None:
    """For an SQLite database file ``name`` (not ``:memory:``): its directory as :func:`private_dir`, the file
    (and its ``-wal`` / ``-shm`` companions when they exist) as :func:`private_file`. SQLite creates the companions
    with the database file's mode. Errors are left to SQLite to report when it opens the file."""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    try:
        private_dir(path.parent)
        private_file(path)
        for suffix in ("-wal", "-shm", "-journal"):
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                private_file(companion)
    except OSError:
        pass  # a read-only or foreign location: SQLite gives the one-line error when it opens it
