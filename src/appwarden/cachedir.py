"""Where appwarden keeps its caches between processes, as a string, without importing anything but :mod:`os`.

:func:`cache_base` is ``$APPWARDEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/appwarden``, else ``~/.cache/appwarden``;
``None`` when ``APPWARDEN_NO_CACHE`` is set. :func:`appwarden.knowledge.cache.cache_dir` is the same directory as a
``Path``; the command line's regular-expression cache (:mod:`appwarden.cli.recache`) reads it from here, before
:mod:`json` and :mod:`pathlib` (whose patterns it then caches too) are imported.
"""

from __future__ import annotations

import os


def cache_base() -> str | None:
    """The cache directory (see the module docstring)."""
    if os.environ.get("APPWARDEN_NO_CACHE"):
        return None
    return os.environ.get("APPWARDEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "appwarden"
    )
