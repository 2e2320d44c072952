"""Load and check the screening knowledge: ``knowledge/screening/*.yaml``.

Contract: every YAML file in the folder with a top-level ``indicators:`` list is an indicator family; each entry
needs ``id`` (unique), ``category`` (from :data:`~appwarden.screening.model.CATEGORIES`), ``weight`` (1..100),
``evidence`` (from :data:`~appwarden.screening.model.EVIDENCE_KINDS`), ``detector`` (a registered detector),
``description``, ``description_zh``, ``source`` and ``fixtures`` (``fires`` and ``clean``: fixture app names);
``params`` is optional and checked by the detector's own ``check``; ``supersedes`` (optional) lists other indicators'
ids that this one replaces when both fire (:func:`~appwarden.screening.model.drop_superseded`); ``group`` and
``group_cap`` (optional, together; one cap per group) cap what a tool-like behaviour's indicators count alone
(:func:`~appwarden.screening.model.capped_groups`, round seven). ``known_apps.yaml`` (top-level ``apps:``) is
the counterfeit registry: ``package`` (and ``packages``: the same owner's other official apps), ``names``,
``signers`` (SHA-256 of the DER certificate; optional: without them only the name checks apply), ``kind``
(``app``, ``bank``, ``carrier``, ``payment``), ``source`` and ``client_libraries`` (optional: sub-namespaces of the
app's package that hold public client libraries other apps embed, e.g. the Play Store's licensing library). Any problem raises :class:`~appwarden.errors.KnowledgeError` naming the file and the entry.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from appwarden.errors import KnowledgeError
from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml
from appwarden.screening.model import CATEGORIES, EVIDENCE_KINDS, IndicatorSpec

SCREENING_DIR = KNOWLEDGE_DIR / "screening"
KNOWN_APPS = "known_apps.yaml"
_REQUIRED = ("id", "category", "weight", "evidence", "detector", "description", "description_zh", "source")
_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
_GROUP = re.compile(r"^[a-z][a-z0-9_]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
APP_KINDS = ("app", "bank", "carrier", "payment")


def _check_indicator(raw: Any, where: str) -> IndicatorSpec:
    from appwarden.screening.detectors import DETECTORS

    if not isinstance(raw, dict):
        raise KnowledgeError(f"{where}: an indicator is a mapping")
    missing = [k for k in _REQUIRED if raw.get(k) in (None, "")]
    if missing:
        raise KnowledgeError(f"{where}: missing {', '.join(missing)}")
    ident = str(raw["id"])
    where = f"{where} ({ident})"
    unknown = set(raw) - {*_REQUIRED, "params", "fixtures", "supersedes", "group", "group_cap"}
    if unknown:
        raise KnowledgeError(f"{where}: unknown keys {sorted(unknown)}")
    if not _ID.match(ident):
        raise KnowledgeError(f"{where}: id must be dotted lower-case words")
    if raw["category"] not in CATEGORIES:
        raise KnowledgeError(f"{where}: category {raw['category']!r} is not one of {', '.join(CATEGORIES)}")
    weight = raw["weight"]
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 100:
        raise KnowledgeError(f"{where}: weight must be an integer 1..100")
    if raw["evidence"] not in EVIDENCE_KINDS:
        raise KnowledgeError(
            f"{where}: evidence {raw['evidence']!r} is not one of {', '.join(EVIDENCE_KINDS)}"
        )
    detector = DETECTORS.get(str(raw["detector"]))
    if detector is None:
        raise KnowledgeError(f"{where}: unknown detector {raw['detector']!r}")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise KnowledgeError(f"{where}: params must be a mapping")
    unknown_params = set(params) - detector.params
    if unknown_params:
        raise KnowledgeError(
            f"{where}: params {sorted(unknown_params)} are not read by detector {detector.name}"
        )
    problem = detector.check(params)
    if problem:
        raise KnowledgeError(f"{where}: params: {problem}")
    supersedes = raw.get("supersedes") or []
    if not isinstance(supersedes, list) or not all(isinstance(x, str) and _ID.match(x) for x in supersedes):
        raise KnowledgeError(f"{where}: supersedes must be a list of indicator ids")
    fixtures = raw.get("fixtures") or {}
    if not isinstance(fixtures, dict) or not fixtures.get("fires") or not fixtures.get("clean"):
        raise KnowledgeError(f"{where}: fixtures needs a 'fires' and a 'clean' fixture")
    group = raw.get("group", "")
    group_cap = raw.get("group_cap", 0)
    if not isinstance(group, str) or (group and not _GROUP.match(group)):
        raise KnowledgeError(f"{where}: group must be a lower-case name")
    if bool(group) != ("group_cap" in raw) or not isinstance(group_cap, int) or isinstance(group_cap, bool):
        raise KnowledgeError(f"{where}: group and group_cap (an integer) go together")
    if group and not 1 <= group_cap <= 100:
        raise KnowledgeError(f"{where}: group_cap must be an integer 1..100")
    return IndicatorSpec(
        id=ident,
        category=str(raw["category"]),
        weight=weight,
        evidence=str(raw["evidence"]),
        detector=str(raw["detector"]),
        description=" ".join(str(raw["description"]).split()),
        description_zh=" ".join(str(raw["description_zh"]).split()),
        source=" ".join(str(raw["source"]).split()),
        params=params,
        fixtures={k: list(v) if isinstance(v, list) else [v] for k, v in fixtures.items()},
        path=where.split(" ", 1)[0],
        supersedes=tuple(supersedes),
        group=group,
        group_cap=group_cap,
    )


def load_indicators(folder: str | Path | None = None) -> list[IndicatorSpec]:
    """Every indicator of the folder (default: the packaged ``knowledge/screening``), in file then list order."""
    if folder is None:
        return list(_packaged())
    return _load(Path(folder))


@lru_cache(maxsize=1)
def _packaged() -> tuple[IndicatorSpec, ...]:
    return tuple(_load(SCREENING_DIR))


def _load(folder: Path) -> list[IndicatorSpec]:
    specs: list[IndicatorSpec] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == KNOWN_APPS:
            continue
        data = load_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("indicators"), list):
            raise KnowledgeError(f"{path}: a screening file has a top-level 'indicators' list")
        for i, raw in enumerate(data["indicators"]):
            spec = _check_indicator(raw, f"{path.name}[{i}]")
            if spec.id in seen:
                raise KnowledgeError(f"{path.name}: indicator {spec.id} also defined in {seen[spec.id]}")
            seen[spec.id] = path.name
            specs.append(spec)
    group_caps: dict[str, int] = {}
    for spec in specs:
        if spec.group and group_caps.setdefault(spec.group, spec.group_cap) != spec.group_cap:
            raise KnowledgeError(f"{spec.path} ({spec.id}): group {spec.group} has more than one group_cap")
        missing = [x for x in spec.supersedes if x not in seen or x == spec.id]
        if missing:
            raise KnowledgeError(f"{spec.path} ({spec.id}): supersedes unknown indicators {missing}")
    return specs


def load_known_apps(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The counterfeit registry: ``[{package, packages, names, signers, kind, source}]`` (module docstring)."""
    if path is None:
        return [dict(a) for a in _packaged_apps()]
    return _load_apps(Path(path))


@lru_cache(maxsize=1)
def _packaged_apps() -> tuple[dict[str, Any], ...]:
    return tuple(_load_apps(SCREENING_DIR / KNOWN_APPS))


def _load_apps(path: Path) -> list[dict[str, Any]]:
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("apps"), list):
        raise KnowledgeError(f"{path}: the known-apps registry has a top-level 'apps' list")
    apps: list[dict[str, Any]] = []
    for i, raw in enumerate(data["apps"]):
        where = f"{path.name}[{i}]"
        if not isinstance(raw, dict) or not raw.get("package") or not raw.get("source"):
            raise KnowledgeError(f"{where}: an app needs package and source")
        unknown = set(raw) - {"package", "packages", "names", "signers", "kind", "source", "client_libraries"}
        if unknown:
            raise KnowledgeError(f"{where}: unknown keys {sorted(unknown)}")
        signers = [str(s).replace(":", "").lower() for s in raw.get("signers") or []]
        if not all(_SHA256.match(s) for s in signers):
            raise KnowledgeError(f"{where}: signers must be SHA-256 certificate digests (64 hex digits)")
        kind = str(raw.get("kind") or "app")
        if kind not in APP_KINDS:
            raise KnowledgeError(f"{where}: kind must be one of {', '.join(APP_KINDS)}")
        names = [str(n) for n in raw.get("names") or []]
        if not signers and not names:
            raise KnowledgeError(f"{where}: an app needs signers or names")
        apps.append(
            {
                "package": str(raw["package"]),
                "packages": [str(raw["package"]), *(str(p) for p in raw.get("packages") or [])],
                "names": names,
                "signers": signers,
                "kind": kind,
                "source": raw["source"],
                "client_libraries": [str(c) for c in raw.get("client_libraries") or []],
            }
        )
    return apps
