"""External detection engines: other tools' results merged into our report, labelled by engine.

The national platform integrates several vendors' engines. An engine plug-in takes an APK path and returns
findings in our schema (:class:`~appwarden.rules.model.Finding` with ``engine`` set to its name). Plug-ins register
in :data:`ENGINES`; :func:`run_engines` runs the requested ones and never lets one engine's failure abort the scan
(it becomes an error entry). Engines are optional: an engine whose package is missing reports itself unavailable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appwarden.errors import AppwardenError, InputError
from appwarden.evidence import ErrorNote
from appwarden.rules.model import Finding


@dataclass(frozen=True)
class EngineSpec:
    name: str
    description: str
    available: Callable[[], bool]
    analyze: Callable[[Path], list[Finding]]


def _androguard() -> EngineSpec:
    from appwarden.engines import androguard_engine as mod

    return EngineSpec("androguard", mod.__doc__.strip().splitlines()[0], mod.available, mod.analyze)


ENGINES: dict[str, Callable[[], EngineSpec]] = {"androguard": _androguard}


def get_engine(name: str) -> EngineSpec:
    if name not in ENGINES:
        raise InputError(f"unknown engine {name!r} (known: {', '.join(sorted(ENGINES))})")
    spec = ENGINES[name]()
    if not spec.available():
        raise InputError(f"engine {name!r} is not installed (pip install 'appwarden[bench]')")
    return spec


def run_engines(apk_path: str | Path, names: list[str]) -> tuple[list[dict[str, Any]], list[ErrorNote]]:
    """Findings (as JSON dicts, ``engine`` = plug-in name) and errors from every requested engine."""
    findings: list[dict[str, Any]] = []
    errors: list[ErrorNote] = []
    for name in names:
        try:
            spec = get_engine(name)
            findings.extend(f.to_json() for f in spec.analyze(Path(apk_path)))
        except AppwardenError as exc:
            errors.append(ErrorNote(f"engine:{name}", str(exc)))
        except Exception as exc:  # another tool's bug must not abort our scan
            errors.append(
                ErrorNote(f"engine:{name}", f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
            )
    return findings, errors
