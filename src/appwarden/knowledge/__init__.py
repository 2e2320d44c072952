"""Knowledge is data: SDKs, PI APIs, rules, necessary-PI lists and the clause index live here as YAML.

:func:`load_yaml` is the one way to read a knowledge file: a malformed file raises
:class:`~appwarden.errors.KnowledgeError` naming the file and line, never a bare YAML traceback.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from appwarden.errors import KnowledgeError
from appwarden.knowledge.cache import cache_dir, read_bytes, write_bytes

KNOWLEDGE_DIR = Path(__file__).resolve().parent
_CACHE_FORMAT = 1


def load_yaml(path: str | Path) -> Any:
    """Parse one YAML file; raise KnowledgeError("<file>:<line>: <problem>") when it is malformed.

    The packaged knowledge files (under :data:`KNOWLEDGE_DIR`) are cached in the knowledge cache directory
    (:func:`appwarden.knowledge.cache.cache_dir`) in :mod:`marshal` form, keyed by a hash of their content and the
    Python version: reading it is ~50x faster than parsing YAML, which matters for the start-up of a single
    ``appwarden scan``. marshal keeps exactly the plain types YAML gives (including integer keys) and runs no code
    on load; data it cannot hold (YAML dates) is parsed every time. Other files (user rules, fixtures) are always
    parsed.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc}") from None
    base = cache_dir() if _packaged(path) else None
    cache_file = None
    if base is not None:
        salt = f"\0{_CACHE_FORMAT}\0{sys.version}\0{marshal.version}".encode()
        digest = hashlib.sha256(raw + salt).hexdigest()[:24]
        cache_file = base / "yaml" / f"{path.stem}-{digest}.marshal"
        cached = read_bytes(cache_file)
        if cached is not None:
            try:
                return marshal.loads(cached)
            except (EOFError, ValueError, TypeError):
                pass  # damaged: parse again and rewrite
    data = _parse_yaml(path, raw)
    if cache_file is not None:
        with contextlib.suppress(ValueError):  # not plain data (a YAML date): no cache for this file
            write_bytes(cache_file, marshal.dumps(data))
    return data


_KNOWLEDGE_PREFIX = str(KNOWLEDGE_DIR) + os.sep


def _packaged(path: Path) -> bool:
    """Whether ``path`` is a packaged knowledge file (under :data:`KNOWLEDGE_DIR`). An absolute path spelled under
    it without ``..`` is decided by its text (the usual case: the loaders join onto KNOWLEDGE_DIR), saving the
    ``realpath`` system calls of a resolve on each of the ~40 files a scan loads; anything else is resolved."""
    text = str(path)
    if text.startswith(_KNOWLEDGE_PREFIX) and ".." not in path.parts:
        return True
    return path.resolve().is_relative_to(KNOWLEDGE_DIR)


def _parse_yaml(path: Path, raw: bytes) -> Any:
    import yaml  # imported only on a cache miss: it costs ~25 ms of start-up

    loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster, when built
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError(f"{path}: cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=loader)  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise KnowledgeError(f"{path}{line}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path}: {exc}") from None


@lru_cache(maxsize=1)
def pi_categories() -> dict[str, dict[str, Any]]:
    """The PI taxonomy from ``pi_apis.yaml``: category key -> its record (names, group, apis, permissions, ...)."""
    data = load_yaml(KNOWLEDGE_DIR / "pi_apis.yaml")
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise KnowledgeError(f"{KNOWLEDGE_DIR / 'pi_apis.yaml'}: missing 'categories' mapping")
    return data["categories"]
