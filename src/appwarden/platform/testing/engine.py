"""The platform's only door into the engine: :func:`run_engine` calls ``appwarden.scan.scan_apk``.

``APPWARDEN_ENGINE`` (``module:function``) may name another function with the same signature (a wrapper that adds
external engines, for instance). Tests may replace the engine in-process with :func:`use_engine` when they need a
report the fixture APKs cannot produce; the end-to-end tests use the real one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from appwarden import __version__
from appwarden.errors import AppwardenError

EngineFn = Callable[..., dict[str, Any]]
_override: EngineFn | None = None


def use_engine(fn: EngineFn | None) -> None:
    """Replace the engine (``None`` restores ``appwarden.scan.scan_apk``)."""
    global _override
    _override = fn


@lru_cache(maxsize=1)
def rules_version() -> str:
    """The rules version: ``appwarden.rules.RULES_VERSION`` when defined, else a hash of the rule files."""
    try:
        import appwarden.rules as rules_pkg

        declared = getattr(rules_pkg, "RULES_VERSION", None)
        if declared:
            return str(declared)
    except ImportError:  # pragma: no cover
        pass
    from appwarden.knowledge import KNOWLEDGE_DIR

    digest = hashlib.sha256()
    for path in sorted((KNOWLEDGE_DIR / "rules").glob("**/*.y*ml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "r-" + digest.hexdigest()[:12]


def engine_version() -> str:
    return __version__


def _configured_engine() -> EngineFn:
    """``settings.APPWARDEN_ENGINE`` (``module:function``, default ``appwarden.scan:scan_apk``)."""
    import importlib

    from django.conf import settings

    spec = getattr(settings, "APPWARDEN_ENGINE", "") or "appwarden.scan:scan_apk"
    module_name, _, func = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), func or "scan_apk")
    except (ImportError, AttributeError) as exc:
        raise AppwardenError(f"the scan engine {spec!r} is not available: {exc}") from None


def run_engine(
    apk_path: Path,
    *,
    policy_path: Path | None = None,
    trace_path: Path | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    """Scan one APK and return the report dict (raises AppwardenError on bad input)."""
    if _override is not None:
        return _override(apk_path, policy_path=policy_path, trace_path=trace_path, category=category)
    scan_apk = _configured_engine()
    return scan_apk(
        str(apk_path),
        policy_path=str(policy_path) if policy_path else None,
        trace_path=str(trace_path) if trace_path else None,
        category=category or None,
    )
