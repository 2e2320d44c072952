"""The platform's only door into the engine: :func:`run_engine` runs ``appwarden.scan.scan_apk`` in a child process.

``APPWARDEN_ENGINE`` (``module:function``) may name another function with the same signature (a wrapper that adds
external engines, for instance). Every scan runs isolated (:func:`appwarden.distributed.sandbox.run_isolated`): a
fresh child process killed at ``APPWARDEN_SCAN_TIMEOUT`` seconds and capped at ``APPWARDEN_SCAN_MEMORY_MB``, so a
hostile APK can neither freeze the web server of ``appwarden serve`` (the worker thread only waits) nor exhaust a
Celery worker; a scan over a limit raises :class:`~appwarden.distributed.sandbox.ScanFailed` with its ``kind``.

Tests may replace the engine in-process with :func:`use_engine` when they need a report the fixture APKs cannot
produce (such a stand-in runs in the caller, not isolated); the end-to-end tests use the real one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from appwarden import __version__

EngineFn = Callable[..., dict[str, Any]]
_override: EngineFn | None = None


def use_engine(fn: EngineFn | None) -> None:
    """Replace the engine (``None`` restores ``appwarden.scan.scan_apk``)."""
    global _override
    _override = fn


@lru_cache(maxsize=1)
def rules_version() -> str:
    """The rules version: ``appwarden.rules.RULES_VERSION`` when defined, else a hash of the rule files and the
    screening knowledge files."""
    try:
        import appwarden.rules as rules_pkg

        declared = getattr(rules_pkg, "RULES_VERSION", None)
        if declared:
            return str(declared)
    except ImportError:  # pragma: no cover
        pass
    from appwarden.knowledge import KNOWLEDGE_DIR

    digest = hashlib.sha256()
    # the screening indicators (不良APP) decide the report's screening section: a change must not reuse old scans
    paths = sorted((KNOWLEDGE_DIR / "rules").glob("**/*.y*ml")) + sorted(
        (KNOWLEDGE_DIR / "screening").glob("*.yaml")
    )
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return "r-" + digest.hexdigest()[:12]


def engine_version() -> str:
    return __version__


def sandbox_limits() -> Any:
    """The per-scan limits from the platform settings (``APPWARDEN_SCAN_*``)."""
    from django.conf import settings

    from appwarden.distributed.sandbox import SandboxLimits

    return SandboxLimits(
        timeout=float(settings.APPWARDEN_SCAN_TIMEOUT),
        memory_mb=int(settings.APPWARDEN_SCAN_MEMORY_MB),
        max_report_mb=int(settings.APPWARDEN_SCAN_MAX_REPORT_MB),
    )


def run_engine(
    apk_path: Path,
    *,
    policy_path: Path | None = None,
    trace_path: Path | None = None,
    category: str | None = None,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Scan one APK in an isolated child process and return the report dict.

    Raises ``ScanFailed`` (with ``kind``: input, timeout, memory, crash, engine) when the scan ends without a
    report; ``labels`` maps the server paths given to the names shown in its message instead.
    """
    if _override is not None:
        return _override(apk_path, policy_path=policy_path, trace_path=trace_path, category=category)
    from django.conf import settings

    from appwarden.distributed.sandbox import run_isolated

    return run_isolated(
        apk_path,
        policy_path=policy_path,
        trace_path=trace_path,
        category=category or None,
        engine=getattr(settings, "APPWARDEN_ENGINE", "") or "appwarden.scan:scan_apk",
        limits=sandbox_limits(),
        labels=labels,
    )
