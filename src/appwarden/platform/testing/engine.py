"""The platform's only door into the engine: :func:`run_engine` calls ``appwarden.scan.scan_apk``.

Tests may replace the engine with :func:`use_engine` (a function with the same signature) when they need a
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
    try:
        from appwarden.scan import scan_apk
    except ImportError as exc:
        raise AppwardenError(f"the scan engine is not available: {exc}") from None
    return scan_apk(
        str(apk_path),
        policy_path=str(policy_path) if policy_path else None,
        trace_path=str(trace_path) if trace_path else None,
        category=category or None,
    )
