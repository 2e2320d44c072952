"""Runtime API -> PI category, from ``knowledge/pi_apis.yaml`` (the one source of truth, shared with the agent).

:func:`categorize` decides the category of one observed call from its Java class, method name and argument
summaries, applying the knowledge base's ``arg_filters`` (``arg1_equals``, ``arg0_in``, ``uri_authority_in``,
``sensor_type_in``) the way the static stage does. A call whose API is listed but whose arguments fail every
filter (``Settings.Secure.getString(cr, "bluetooth_name")``) is not PI: the result is None. When the arguments are
unknown, a single-category API keeps its category; a multi-category API (``ContentResolver.query``) gets None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from appwarden.knowledge import pi_categories


def smali_to_java(descriptor: str) -> tuple[str, str]:
    """``Landroid/os/Build;->getSerial`` -> (``android.os.Build``, ``getSerial``); ``<init>`` -> ``$init``."""
    cls, _, member = descriptor.partition("->")
    member = member.split("(", 1)[0].split(":", 1)[0]
    if member == "<init>":
        member = "$init"
    return cls[1:-1].replace("/", "."), member


def java_to_smali(java_class: str, method: str) -> str:
    """Inverse of :func:`smali_to_java` (without the method signature)."""
    name = "<init>" if method == "$init" else method
    return "L" + java_class.replace(".", "/") + ";->" + name


# Abstract framework classes whose methods are implemented by a hidden concrete class: hooks must target the
# implementation (hooking an abstract method intercepts nothing) and stacks name it.
IMPLEMENTATIONS: dict[str, tuple[str, ...]] = {
    "android.content.pm.PackageManager": ("android.app.ApplicationPackageManager",),
}
ALIASES: dict[str, str] = {impl: base for base, impls in IMPLEMENTATIONS.items() for impl in impls}
ALIASES["android.app.ContextImpl$ApplicationContentResolver"] = "android.content.ContentResolver"


@dataclass(slots=True)
class ApiEntry:
    """One hookable API (class + method name, all overloads) and the categories it can mean."""

    java_class: str
    method: str
    smali: str
    categories: list[str] = field(default_factory=list)
    filters: dict[str, dict[str, Any]] = field(default_factory=dict)  # category -> arg filter
    sdk_api: bool = False  # an SDK's API (oaid/location SDKs) rather than the platform's


@lru_cache(maxsize=1)
def api_table() -> dict[tuple[str, str], ApiEntry]:
    """Every API of every category: (java class, method) -> :class:`ApiEntry`, in knowledge-base order."""
    table: dict[tuple[str, str], ApiEntry] = {}
    for cat, rec in pi_categories().items():
        filters = rec.get("arg_filters") or {}
        for key, is_sdk in (("apis", False), ("sdk_apis", True)):
            for smali in rec.get(key) or []:
                cls, method = smali_to_java(smali)
                entry = table.setdefault((cls, method), ApiEntry(cls, method, smali, sdk_api=is_sdk))
                if cat not in entry.categories:
                    entry.categories.append(cat)
                if smali in filters:
                    entry.filters[cat] = filters[smali]
    return table


@lru_cache(maxsize=1)
def permission_categories() -> dict[str, list[str]]:
    """Android permission -> PI categories whose APIs need it (from the knowledge base)."""
    out: dict[str, list[str]] = {}
    for cat, rec in pi_categories().items():
        for perm in rec.get("permissions") or []:
            out.setdefault(perm, []).append(cat)
    return out


def _plain(arg: Any) -> str:
    text = str(arg).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return text


def _authority(uri: str) -> str | None:
    if "://" not in uri:
        return None
    rest = uri.split("://", 1)[1]
    return rest.split("/", 1)[0].split("?", 1)[0] or None


def _passes(flt: dict[str, Any], args: Sequence[Any]) -> bool:
    for kind, value in flt.items():
        if kind == "arg1_equals":
            if len(args) < 2 or _plain(args[1]) != str(value):
                return False
        elif kind == "arg0_in":
            if not args or _plain(args[0]) not in {str(v) for v in value}:
                return False
        elif kind == "uri_authority_in":
            if not args or _authority(_plain(args[0])) not in {str(v) for v in value}:
                return False
        elif kind == "sensor_type_in":
            try:
                if not args or int(_plain(args[0])) not in {int(k) for k in value}:
                    return False
            except ValueError:
                return False
    return True


INDIRECT = "runtime_evasion"


@lru_cache(maxsize=1)
def indirect_markers() -> list[tuple[str, str]]:
    """(text, category) pairs that reveal what a shell command or reflective call reads: every category's
    ``strings`` (``ro.serialno``, ``/sys/class/net/wlan0/address``, ``pm list package``...) and the
    ``class.method`` names of every hookable API (for ``Method.invoke`` / ``Class.forName``). Longest first."""
    pairs: dict[str, str] = {}
    for cat, rec in pi_categories().items():
        if cat == INDIRECT:
            continue
        for text in rec.get("strings") or []:
            if isinstance(text, str) and len(text) >= 5 and "://" not in text:
                pairs.setdefault(text, cat)
    for (cls, method), entry in api_table().items():
        cats = [c for c in entry.categories if c != INDIRECT and c not in entry.filters]
        if cats and method != "$init":
            pairs.setdefault(f"{cls}.{method}", cats[0])
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


def indirect_category(texts: Sequence[Any]) -> str | None:
    """The category an indirect access (shell command, reflection) reveals in its arguments, or None."""
    joined = " ".join(str(t) for t in texts)
    for text, cat in indirect_markers():
        if text in joined:
            return cat
    return None


def categorize(
    java_class: str, method: str, args: Sequence[Any] | None = None, receiver: str | None = None
) -> str | None:
    """The PI category of a call of ``java_class.method(args)``, or None when it is not a PI access.

    Shell commands and reflective calls (the ``runtime_evasion`` category: ``Runtime.exec``, ``Method.invoke``...)
    get the category their arguments (or, for ``Method.invoke``, the ``receiver`` Method's description) reveal,
    e.g. ``getprop ro.serialno`` -> ``serial``; without such a marker they are not reported as PI."""
    table = api_table()
    entry = table.get((java_class, method)) or table.get((ALIASES.get(java_class, ""), method))
    if entry is None:
        return None
    if entry.categories == [INDIRECT]:
        return indirect_category([*(args or []), receiver or ""])
    if args is None or len(args) == 0:
        unfiltered = [c for c in entry.categories if c not in entry.filters]
        if unfiltered:
            return unfiltered[0]
        return entry.categories[0] if len(entry.categories) == 1 else None
    for cat in entry.categories:
        flt = entry.filters.get(cat)
        if flt is None or _passes(flt, args):
            return cat
    return None
