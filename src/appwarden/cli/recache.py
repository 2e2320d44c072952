"""Compiled regular expressions kept between processes: a per-scan fixed cost of the command line (issue #19).

Why: a cold ``appwarden scan`` compiles ~130-180 regular expressions (appwarden's own module constants and
knowledge patterns, and those of the standard library modules it imports): ~25-30 ms of CPU, most of it in
:mod:`re`'s pure-Python parser and code generator, the same work with the same result on every run.

What is kept: CPython's ``re._compiler.compile`` ends in ``_sre.compile(pattern, flags, code, groups, groupindex,
indexgroup)``, where ``code`` is a list of integers (the matcher's program). That call's arguments are kept per
``(pattern, flags)`` and, on the next run, ``_sre.compile`` is called with them directly, skipping the parse and
the code generation. ``_sre.compile`` checks the program it is given (``RuntimeError: invalid SRE code`` for a
malformed one), and the file carries a digest of its contents, so a damaged file is never used.

Contract of :func:`install`: from then on, :mod:`re` compiles a ``str``/``bytes`` pattern (without
``re.DEBUG``) to a pattern object equal to what it compiled before (same pattern, flags and program, same groups
and group names); the only change is where the program comes from. An entry is stored only after a normal
compile, when the arguments rebuilt here give an equal object, and when compiling it raised no warning (a cached
compile would not repeat the warning), while no other thread runs (checking for warnings swaps process-wide
state) and while a command runs (:func:`pause`). Invalid patterns are never stored: they raise :class:`re.error`
as before. New entries are written back at exit (atomically, at most :data:`MAX_ENTRIES`).

The file is ``regex-<key>.marshal`` in the knowledge cache directory (:func:`appwarden.knowledge.cache.cache_dir`,
like :mod:`appwarden.cli.codecache`), keyed by the Python version and build and by ``_sre``'s ``MAGIC``,
``CODESIZE`` and ``MAXREPEAT``/``MAXGROUPS``; a file for another interpreter is another name. It holds data only
(strings, integers, lists, tuples, dicts; never code objects or pickle). A missing, unreadable, foreign or
damaged file (digest mismatch, unexpected shapes, a program ``_sre`` rejects) means compiling as before;
``APPWARDEN_NO_CACHE=1`` disables it (nothing read or written). Only the command line installs it
(:func:`appwarden.cli.main`); a library user's process is left alone.
"""

from __future__ import annotations

import _sre
import sys
from typing import Any

# (pattern, flags) entries kept: a scan stores ~220, the whole corpus ~560; loading costs ~2 us an entry
MAX_ENTRIES = 2048
_DEBUG = 128  # re.DEBUG: such compiles print the program, never cached
_MAGIC = b"appwarden-regex-1\n"  # file format tag, then a 32-byte digest of the payload, then the payload

# "codes": (pattern, flags) -> args, "dirty", "recording" (misses are stored), "path", "original": stdlib compile
_state: dict[str, Any] = {}


def _cache_file() -> Any:
    """The cache file's path (a str); found without importing :mod:`appwarden.knowledge` (its :mod:`json` and
    :mod:`pathlib`), so that :func:`install` can come before any pattern those compile."""
    import hashlib
    import os

    from appwarden.cachedir import cache_base

    base = cache_base()
    if base is None:
        return None
    key = "\0".join(
        map(
            str,
            (
                sys.version,
                sys.implementation.cache_tag,
                _sre.MAGIC,
                _sre.CODESIZE,
                _sre.MAXREPEAT,
                _sre.MAXGROUPS,
            ),
        )
    )
    return os.path.join(base, f"regex-{hashlib.sha256(key.encode()).hexdigest()[:16]}.marshal")


def _digest(payload: bytes) -> bytes:
    import hashlib

    return hashlib.blake2b(payload, digest_size=32).digest()


def _load(path: Any) -> dict[tuple[Any, int], tuple]:
    import marshal

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        return {}
    if not raw.startswith(_MAGIC):
        return {}
    start = len(_MAGIC) + 32
    payload = raw[start:]
    if _digest(payload) != raw[len(_MAGIC) : start]:
        return {}
    try:
        data = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return {}
    return data if type(data) is dict else {}  # entries are checked when used (_from_cache)


def _single_threaded() -> bool:
    """No other thread runs: :func:`_rebuild` records warnings with :class:`warnings.catch_warnings`, which swaps
    process-wide state and could swallow another thread's warning. In a threaded process misses are not stored."""
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _rebuild(pattern: str | bytes, flags: int) -> tuple | None:
    """The arguments ``re._compiler.compile`` passes to ``_sre.compile`` for ``pattern`` (its own steps, CPython
    3.11-3.13); None when compiling warned or the steps are not what this Python has."""
    import re._compiler as compiler
    import warnings
    from array import array

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parsed = compiler._parser.parse(pattern, flags)
            code = compiler._code(parsed, flags)
        if caught:
            return None
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        program = array("I", code)  # CODESIZE 4 (checked by install): one bytes object instead of N ints
        return (
            int(flags | parsed.state.flags),
            program.tobytes(),
            parsed.state.groups - 1,
            groupindex,
            tuple(indexgroup),
        )
    except Exception:  # not the internals this module knows: just do not cache
        return None


def _from_cache(p: Any, args: Any) -> Any:
    """The pattern object built from a cache entry; raises (TypeError, ValueError, RuntimeError: invalid SRE
    code) when the entry is not well formed."""
    flags, program, groups, groupindex, indexgroup = args
    if type(flags) is not int or type(program) is not bytes or type(groups) is not int:
        raise TypeError("malformed entry")
    if type(groupindex) is not dict or type(indexgroup) is not tuple or len(indexgroup) != groups + 1:
        raise TypeError("malformed entry")
    return _sre.compile(p, flags, memoryview(program).cast("I").tolist(), groups, groupindex, indexgroup)


def _same(a: Any, b: Any) -> bool:
    return a == b and a.groups == b.groups and a.groupindex == b.groupindex


def _compile(p: Any, flags: int = 0) -> Any:
    """``re._compiler.compile``, taking the program of a known ``(pattern, flags)`` from the cache."""
    original = _state["original"]
    if (type(p) is not str and type(p) is not bytes) or type(flags) is not int or flags & _DEBUG:
        return original(p, flags)
    codes = _state["codes"]
    key = (p, flags)
    args = codes.get(key)
    if args is not None:
        try:
            return _from_cache(p, args)
        except Exception:  # a malformed entry or a program _sre rejects: compile normally
            codes.pop(key, None)
            _state["dirty"] = True
    obj = original(p, flags)  # raises re.error (and warns) exactly as before
    if _state["recording"] and len(codes) < MAX_ENTRIES:
        args = _rebuild(p, flags) if _single_threaded() else None
        if args is not None:
            try:
                same = _same(_from_cache(p, args), obj)
            except Exception:
                same = False
            if same:
                codes[key] = args
                _state["dirty"] = True
    return obj


def _save() -> None:
    import marshal
    from pathlib import Path

    from appwarden.knowledge.cache import write_bytes

    if not _state.get("dirty") or _state.get("path") is None:
        return
    _state["dirty"] = False
    try:
        payload = marshal.dumps(dict(_state["codes"]))
    except ValueError:
        return
    write_bytes(Path(_state["path"]), _MAGIC + _digest(payload) + payload)


def install() -> bool:
    """Route :mod:`re`'s compiler through the cache (see the module docstring); once per process. False when the
    cache is disabled or this Python's :mod:`re` is not the one this module knows."""
    if "codes" in _state:
        _state["recording"] = True
        return True
    import os

    if os.environ.get("APPWARDEN_NO_CACHE"):
        return False
    import re

    compiler = getattr(re, "_compiler", None)
    original = getattr(compiler, "compile", None)
    if (
        sys.implementation.name != "cpython"
        or not callable(original)
        or not callable(getattr(compiler, "_code", None))
        or not callable(getattr(getattr(compiler, "_parser", None), "parse", None))
        or _sre.CODESIZE != 4
        or memoryview(b"").cast("I").itemsize != 4
    ):
        return False
    path = _cache_file()
    if path is None:
        return False
    import atexit

    _state["path"] = path
    _state["codes"] = _load(path)
    _state["dirty"] = False
    _state["recording"] = True
    _state["original"] = original
    compiler.compile = _compile
    atexit.register(_save)
    return True


def pause() -> None:
    """Stop storing newly compiled patterns until the next :func:`install` (cached ones are still served):
    :func:`appwarden.cli.main` calls it when a command ends, so a process that embeds it (a test run, a batch
    wrapper) does not fill the file with its own patterns."""
    if "codes" in _state:
        _state["recording"] = False


def uninstall() -> None:
    """Undo :func:`install` (tests), writing what was compiled."""
    import re

    _save()
    if getattr(re._compiler, "compile", None) is _compile:
        re._compiler.compile = _state["original"]
    _state.clear()
