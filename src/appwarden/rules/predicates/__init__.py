"""Predicate registry: one module per check, registered by name (like bandit's plugins).

A predicate is ``fn(evidence: Evidence, params: dict) -> list[Hit]``. Register it with::

    @predicate("callsite_reachable_before_consent", needs=("static.callsites", "static.entrypoints"))
    def check(evidence, params): ...

The module docstring is the predicate's documentation (``appwarden rules show`` prints it). ``needs`` lists the
evidence kinds (see :meth:`appwarden.evidence.Evidence.available`) without which the predicate cannot decide; a
rule's own ``needs`` may add more. :func:`load_all` imports every module of this package once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from appwarden.errors import RuleError

PredicateFn = Callable[..., list]


@dataclass(frozen=True, slots=True)
class Predicate:
    """A registered predicate: its function, the evidence it needs, its module and documentation."""

    name: str
    fn: PredicateFn
    needs: tuple[str, ...]
    module: str
    doc: str


PREDICATES: dict[str, Predicate] = {}
_loaded = False


def predicate(
    name: str, needs: tuple[str, ...] = (), validate: Callable[[dict[str, Any]], None] | None = None
) -> Callable[[PredicateFn], PredicateFn]:
    """Decorator registering ``fn`` under ``name``; a duplicate name is a programming error.

    ``validate(params)`` (optional) raises RuleError/ValueError for bad rule params; the loader calls it.
    """

    def register(fn: PredicateFn) -> PredicateFn:
        if validate is not None:
            fn.validate_params = validate  # type: ignore[attr-defined]
        if name in PREDICATES and PREDICATES[name].fn is not fn:
            raise RuleError(
                f"predicate {name!r} registered twice ({PREDICATES[name].module}, {fn.__module__})"
            )
        module = importlib.import_module(fn.__module__)
        PREDICATES[name] = Predicate(name, fn, tuple(needs), fn.__module__, (module.__doc__ or "").strip())
        return fn

    return register


def load_all() -> dict[str, Predicate]:
    """Import every predicate module of this package; return the registry."""
    global _loaded
    if not _loaded:
        import pkgutil  # only to list every module; a scan imports the few its rules name (get_in)

        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        _loaded = True
    return PREDICATES


def get(name: str) -> Predicate:
    """The predicate registered under ``name``; RuleError when unknown."""
    registry = load_all()
    if name not in registry:
        raise RuleError(f"unknown predicate {name!r}")
    return registry[name]


def get_in(name: str, module: str) -> Predicate:
    """The predicate ``name`` registered by ``module``, importing only that module (start-up of a single scan
    must not import every predicate and what they import); falls back to :func:`get`."""
    found = PREDICATES.get(name)
    if found is None and module.startswith(f"{__name__}."):
        importlib.import_module(module)
        found = PREDICATES.get(name)
    return found if found is not None else get(name)


def param(params: dict[str, Any], key: str, default: Any = None) -> Any:
    """Read a rule parameter with a default (helper for predicates)."""
    value = params.get(key, default)
    return default if value is None else value
