"""Compiled dataclass methods kept between processes: a per-scan fixed cost of the command line (issue #19).

Why: :mod:`dataclasses` writes the source of each class's ``__init__`` / ``__repr__`` / ``__eq__`` / ``__hash__``
/ ``__setattr__`` ... and compiles it with ``exec`` every time a module defining a dataclass is imported. A scan
imports ~70 of them (evidence, manifest, rules, policy, screening, SDK models): ~260 generated functions, whose
compilation was ~20 % of a cold ``appwarden scan`` of a small app. The text depends only on the class's fields and
options, so the compiled code can be kept.

Contract of :func:`install`: from then on, the ``exec`` that :mod:`dataclasses` calls runs a code object compiled
from exactly the same text (``compile(text, "<string>", "exec")``, which is what ``exec`` of the text does), taken
from a dictionary text -> code object loaded from one cache file and completed on a miss; the classes, their
methods and their behaviour are identical, only the compile is skipped. When new texts were compiled, the
dictionary is written back at exit (atomically; at most :data:`MAX_ENTRIES` texts).

The file is ``dataclass-fns-<key>.marshal`` in the knowledge cache directory
(:func:`appwarden.knowledge.cache.cache_dir`: ``$APPWARDEN_CACHE_DIR``, else the user's cache directory), keyed by
the Python version, bytecode magic number and marshal version. It holds code objects (as ``__pycache__`` files
do); they are run only as the dataclass methods whose text they are stored under. The directory is the user's own,
like the user site-packages directory Python imports from by default, so the file gives no one a way in that
they did not have. A missing, unreadable or damaged file means compiling as before; ``APPWARDEN_NO_CACHE=1``
disables it (nothing read or written). Only the command line installs it (:func:`appwarden.cli.main`); a library
user's process is left alone.
"""

from __future__ import annotations

import builtins
import sys
from types import CodeType
from typing import Any

MAX_ENTRIES = 8192  # texts kept (a scan needs ~260; the whole package defines fewer than 1000 dataclasses)

_state: dict[str, Any] = {}  # "codes": text -> code, "dirty": bool, "path": cache file (or None)


def _cache_file() -> Any:
    import hashlib
    import marshal
    from importlib.util import MAGIC_NUMBER

    from appwarden.knowledge.cache import cache_dir

    base = cache_dir()
    if base is None:
        return None
    key = f"{sys.version}\0{MAGIC_NUMBER.hex()}\0{marshal.version}".encode()
    return base / f"dataclass-fns-{hashlib.sha256(key).hexdigest()[:16]}.marshal"


def _load(path: Any) -> dict[str, CodeType]:
    import marshal

    from appwarden.knowledge.cache import read_bytes

    raw = read_bytes(path)
    if raw is None:
        return {}
    try:
        data = marshal.loads(raw)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if type(k) is str and type(v) is CodeType}


def _exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
    """``exec`` for :mod:`dataclasses`: the cached code object of ``source`` when it is a str."""
    if type(source) is not str:
        return builtins.exec(source, globals, locals)
    codes = _state["codes"]
    code = codes.get(source)
    if code is None:
        code = compile(source, "<string>", "exec")
        if len(codes) < MAX_ENTRIES:
            codes[source] = code
            _state["dirty"] = True
    return builtins.exec(code, globals, locals)


def _save() -> None:
    import marshal

    from appwarden.knowledge.cache import write_bytes

    if not _state.get("dirty") or _state.get("path") is None:
        return
    _state["dirty"] = False
    try:
        raw = marshal.dumps(_state["codes"])
    except ValueError:
        return
    write_bytes(_state["path"], raw)


def install() -> bool:
    """Route :mod:`dataclasses`' ``exec`` through the cache (see the module docstring); once per process. False
    when the cache is disabled or this Python's :mod:`dataclasses` does not compile through ``exec``."""
    if "codes" in _state:
        return True
    import os

    if os.environ.get("APPWARDEN_NO_CACHE"):
        return False
    import dataclasses

    if not callable(getattr(dataclasses, "_create_fn", None)) and not hasattr(dataclasses, "_FuncBuilder"):
        return False  # an unknown implementation: leave it alone
    path = _cache_file()
    if path is None:
        return False
    import atexit

    _state["path"] = path
    _state["codes"] = _load(path)
    _state["dirty"] = False
    dataclasses.exec = _exec  # type: ignore[attr-defined]  # the module's global name shadows the builtin
    atexit.register(_save)
    return True


def uninstall() -> None:
    """Undo :func:`install` (tests), writing what was compiled."""
    import dataclasses

    _save()
    if getattr(dataclasses, "exec", None) is _exec:
        del dataclasses.exec  # type: ignore[attr-defined]
    _state.clear()
