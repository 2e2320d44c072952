"""The on-disk cache of parsed knowledge, shared by every loader (YAML files, SDK knowledge base, rules).

Contract: :func:`cache_dir` is ``$APPWARDEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/appwarden``, else
``~/.cache/appwarden``; ``None`` when ``APPWARDEN_NO_CACHE`` is set. :func:`write_json` / :func:`write_bytes` write
atomically (a reader never sees half a file) and silently do nothing when the directory cannot be written (a
read-only home only means no cache). :func:`read_json` / :func:`read_bytes` return ``None`` for a missing or
unreadable file; callers re-parse then.
Cache files hold data only (JSON, or :mod:`marshal` of plain YAML data), never pickle: loading one runs no code.

Files are named ``<family>-<key>.<ext>`` (key: a content hash or version). Each write keeps the :data:`KEEP`
most recently written files of its family in its directory and deletes the older ones, so editing knowledge or
switching versions does not grow the cache without bound (a reader that loses a file to pruning parses again).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from appwarden.cachedir import cache_base

KEEP = 8  # files kept per family (several installed versions or checkouts may share one cache directory)


def cache_dir() -> Path | None:
    """Where parsed knowledge is cached between processes (see the module docstring)."""
    base = cache_base()
    return None if base is None else Path(base)


def read_json(path: Path | None) -> Any | None:
    """The JSON document at ``path``; None when absent or unreadable."""
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def write_json(path: Path | None, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` atomically; errors (read-only directory, full disk) are ignored."""
    if path is None:
        return
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):
        return
    write_bytes(path, text.encode("utf-8"))


def read_bytes(path: Path | None) -> bytes | None:
    """The bytes at ``path``; None when absent or unreadable."""
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_bytes(path: Path | None, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, then rename); OS errors are ignored."""
    if path is None:
        return
    import tempfile  # only when a cache is (re)written: not on the start-up path of a warm scan

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        return
    prune(path)


def prune(path: Path, keep: int = KEEP) -> None:
    """Delete all but the ``keep`` most recently modified files of ``path``'s family (same ``<family>-`` name
    prefix and extension, same directory); temporary files (leading dot) and other families are left alone."""
    family, sep, _key = path.name.rpartition("-")
    if not sep or not family:
        return
    suffix = path.suffix
    try:
        with os.scandir(path.parent) as it:
            same = []
            for entry in it:
                name = entry.name
                if name.startswith(".") or not name.endswith(suffix) or name.rpartition("-")[0] != family:
                    continue
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False):
                        same.append((entry.stat(follow_symlinks=False).st_mtime_ns, name))
    except OSError:
        return
    if len(same) <= keep:
        return
    same.sort(reverse=True)
    for _mtime, name in same[keep:]:
        with contextlib.suppress(OSError):
            os.unlink(path.parent / name)
