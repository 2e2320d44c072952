"""Optional YARA rules over an app's bytes, from a folder the user controls (``yara-python``, extra ``yara``).

Contract: :func:`load_yara(folder)` compiles every ``*.yar`` / ``*.yara`` file of the folder (each file its own
namespace) and checks each rule's ``meta``: ``category`` from the closed list
(:data:`~appwarden.screening.model.CATEGORIES`, required), ``weight`` 1..100 (default 30), optional
``description`` / ``description_zh``. Any problem (yara-python missing, no rule file, a syntax error, bad meta)
raises :class:`~appwarden.errors.InputError` with one line naming the file: rules the user supplied are never
silently dropped. :func:`run_yara` matches the compiled rules against the DEX files, native libraries and assets
of an opened APK (read through the APK reader's limits; at most :data:`MAX_FILES` files and :data:`MAX_BYTES`
bytes in all, :data:`MAX_FILE` each), and returns one :class:`~appwarden.screening.model.IndicatorHit` per rule
that matched (id ``yara.<file>.<rule>``), with the files, offsets and string identifiers as evidence. Nothing is
executed: YARA only reads bytes.

The scan pipeline reads the folder from the ``APPWARDEN_YARA_RULES`` environment variable (:data:`YARA_ENV`).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from appwarden.errors import AppwardenError, InputError, StageTimeout
from appwarden.limits import current_deadline
from appwarden.screening.model import CATEGORIES, IndicatorHit, IndicatorSpec

YARA_ENV = "APPWARDEN_YARA_RULES"
MAX_FILES = 2000
MAX_FILE = 16 * 1024 * 1024
MAX_BYTES = 256 * 1024 * 1024
MATCH_TIMEOUT = 30  # seconds per file, at most (less when the stage deadline is nearer)
_NAME = re.compile(r"[^a-z0-9_]+")


@dataclass(frozen=True)
class YaraRules:
    """Compiled rules and each rule's checked meta, keyed by ``(namespace, rule)``."""

    folder: str
    compiled: Any
    specs: dict[tuple[str, str], IndicatorSpec]


def yara_folder_from_env() -> str | None:
    """The rules folder named by :data:`YARA_ENV`, or None when unset/empty."""
    value = os.environ.get(YARA_ENV, "").strip()
    return value or None


def load_yara(folder: str | Path) -> YaraRules:
    """Compile and check the rules of ``folder`` (see the module docstring); cached per folder and file times."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError(f"{path}: the YARA rules folder ({YARA_ENV}) is not a directory")
    files = sorted(p for p in path.iterdir() if p.suffix in (".yar", ".yara") and p.is_file())
    if not files:
        raise InputError(f"{path}: no .yar or .yara file in the YARA rules folder")
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _compile(str(path), stamp)


@lru_cache(maxsize=4)
def _compile(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> YaraRules:
    try:
        import yara
    except ImportError:
        raise InputError(
            f"YARA rules given ({YARA_ENV}={folder}) but yara-python is not installed: pip install 'appwarden[yara]'"
        ) from None
    namespaces = {_NAME.sub("_", Path(f).stem.lower()) or "rules": f for f, _m, _s in stamp}
    try:
        compiled = yara.compile(filepaths=namespaces)
    except yara.Error as exc:
        raise InputError(f"YARA rules in {folder} do not compile: {' '.join(str(exc).split())}") from None
    specs: dict[tuple[str, str], IndicatorSpec] = {}
    for namespace, file in namespaces.items():
        for rule in yara.compile(filepath=file):  # compiled above already: this cannot fail now
            specs[(namespace, rule.identifier)] = _spec(namespace, file, rule.identifier, dict(rule.meta))
    return YaraRules(folder=folder, compiled=compiled, specs=specs)


def _spec(namespace: str, file: str, identifier: str, meta: dict[str, Any]) -> IndicatorSpec:
    """The indicator a rule stands for, from its checked meta (InputError naming file and rule otherwise)."""
    where = f"{file}: rule {identifier}"
    category = str(meta.get("category", ""))
    if category not in CATEGORIES:
        raise InputError(f"{where}: meta category must be one of {', '.join(CATEGORIES)}")
    weight = meta.get("weight", 30)
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
        raise InputError(f"{where}: meta weight must be an integer 1..100")
    description = str(meta.get("description") or f"YARA rule {identifier} matched")
    return IndicatorSpec(
        id=f"yara.{namespace}.{_NAME.sub('_', identifier.lower())}",
        category=category,
        weight=weight,
        evidence="assets",
        detector="yara",
        description=description,
        description_zh=str(meta.get("description_zh") or description),
        source=f"user YARA rule {file}",
        path=file,
    )


def _targets(static: Any) -> list[str]:
    names = list(static.entry_names)
    dex = [n for n in names if re.fullmatch(r"classes\d*\.dex", n)]
    libs = [n for n in names if n.startswith("lib/") and n.endswith(".so")]
    assets = [n for n in names if n.startswith("assets/") and not n.endswith("/")]
    return (dex + libs + assets)[:MAX_FILES]


def _kind(name: str) -> str:
    if name.endswith(".dex"):
        return "code"
    if name.startswith("lib/"):
        return "native"
    return "assets"


def run_yara(rules: YaraRules, static: Any, apk: Any, notes: list[str]) -> list[IndicatorHit]:
    """Match ``rules`` against the app's DEX, native and asset bytes (bounded); one hit per matching rule."""
    import yara

    if apk is None:
        notes.append("YARA rules not run: the APK's bytes were not available")
        return []
    found: dict[tuple[str, str], list[dict[str, Any]]] = {}
    total = 0
    for name in _targets(static):
        try:
            size = apk.archive.info(name).uncompressed_size
        except (AppwardenError, KeyError):
            continue
        if size > MAX_FILE or total + size > MAX_BYTES:
            notes.append(f"{name}: not matched against YARA rules (over the size bounds)")
            continue
        try:
            data = apk.read(name)
        except StageTimeout:
            raise
        except AppwardenError as exc:
            notes.append(f"{name}: not matched against YARA rules: {exc}")
            continue
        total += len(data)
        deadline = current_deadline()
        timeout = MATCH_TIMEOUT
        if deadline is not None:
            timeout = max(1, min(timeout, int(deadline.expires_at - time.monotonic())))
        try:
            matches = rules.compiled.match(data=data, timeout=timeout)
        except yara.TimeoutError:
            notes.append(f"{name}: YARA matching stopped after {timeout} s")
            continue
        except yara.Error as exc:
            notes.append(f"{name}: YARA matching failed: {' '.join(str(exc).split())}")
            continue
        if deadline is not None and deadline.expired():
            raise StageTimeout(deadline.message())
        for match in matches:
            strings = [s.identifier for s in match.strings][:5]
            offsets = [inst.offset for s in match.strings for inst in s.instances][:3]
            found.setdefault((match.namespace, match.rule), []).append(
                {"path": name, "kind": _kind(name), "strings": strings, "offsets": offsets}
            )
    hits: list[IndicatorHit] = []
    for key, items in found.items():
        spec = rules.specs.get(key)
        if spec is None:
            continue
        kind = items[0]["kind"]
        spec = IndicatorSpec(**{**_spec_fields(spec), "evidence": kind})
        hits.append(IndicatorHit(spec=spec, evidence=items, count=len(items)))
    return hits


def _spec_fields(spec: IndicatorSpec) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in IndicatorSpec.__dataclass_fields__}
