"""PI API knowledge as lookup tables, and the call-site finder.

Contract: :meth:`PiApiIndex.load` reads ``knowledge/pi_apis.yaml`` (cached; ``KnowledgeError`` when malformed).
:func:`find_callsites(index, pi)` returns ``[CallSite]`` (``appwarden.evidence.CallSite``) sorted by
(dex, offset, category, kind), with ``caller`` a full method descriptor, ``offset`` the instruction's byte offset in
the DEX file and ``dex`` the entry name:

- ``invoke``: an ``invoke-*`` of an entry of ``apis`` or ``sdk_apis`` (``Lcls;->name`` = every overload), written
  against that class or against an app subclass that does not override it (``api`` is then the framework
  descriptor). ``api`` is the full descriptor of the reference.
- ``field``: an ``sget*`` of an entry of ``fields``; ``api`` is the full field descriptor.
- ``string`` / ``content_uri``: a ``const-string`` matching an entry of ``strings`` (``content_uri`` when the
  entry starts with ``content://``); ``api`` is the literal as written in the code. Matching: equal; or, for
  ``content://`` entries, a prefix ending at an authority/path boundary (``content://sms`` matches
  ``content://sms/inbox``, not ``content://smsx``); or, for command/path-like entries (containing a space or ``/``,
  at least 8 characters), contained in the literal (``cat /sys/class/net/wlan0/address``).
- ``reflection``: a method that loads as ``const-string`` both the class name of a PI API (``a.b.C`` or
  ``La/b/C;``) and its method name, and calls ``Class.forName``/``Class.getMethod``/``getDeclaredMethod``/
  ``Method.invoke``; ``api`` is ``Lcls;->name`` (no prototype: the parameter types are not known statically), the
  offset is that of the method-name ``const-string``.

``arg_filters`` (``arg0_in``, ``arg1_equals``, ``uri_authority_in``, ``sensor_type_in``; ``argN`` counts declared
parameters, not ``this``) are applied by resolving the argument register inside the calling method with
:func:`appwarden.dex.regs.register_states` (last linear writer: ``const-string``, ``const*``, ``sget`` of a
``CONTENT_URI``-like field listed under some category's ``fields``, ``Uri.parse(const-string)``,
``Uri.withAppendedPath(uri, ...)``). A call whose argument resolves to a value no filter accepts is dropped (for
example ``Settings.Secure.getString(cr, "bluetooth_name")``). A call whose argument cannot be resolved is kept once,
with ``unresolved=True`` and the *first* category in ``pi_apis.yaml`` order that filters that API (the most
likely reading, fixed so results are reproducible): ``ContentResolver.query`` / ``ContentProviderClient.query`` ->
``contacts``; ``Settings$Secure/System.getString`` -> ``android_id``; ``SystemProperties.get`` -> ``serial``;
``SensorManager.getDefaultSensor`` -> ``sensors``. ``find_callsites(..., apply_filters=False)`` skips filtering (one
``invoke`` site per API and category; used by the benchmark's comparison with androguard).

A ``reflection`` site of an API that has arg filters (``SystemProperties.get`` by reflection) cannot have its
argument resolved either: it is kept as evidence only when the calling method holds, as a ``const-string``, a value
some filter of that API accepts (``ro.serialno``), and is otherwise marked ``unresolved`` like an invoke.

Platform libraries (:data:`PLATFORM_LIBRARIES`: ``androidx.``, ``android.support.``, ``kotlin.``, ``kotlinx.``,
``java.``, ``javax.``, ``com.google.android.material.``, matched at a package boundary) call these APIs on behalf of
the app with arguments the app passes in: such a call whose argument is unresolved is not evidence of any category
and is dropped (a ``CursorLoader``'s ``ContentResolver.query`` is not a contacts read, ``DisplayCompat`` reading a
system property by reflection is not a serial-number read). Their generic reflection and shell calls (the
``runtime_evasion`` category: ``Class.forName``, ``Method.invoke``...) are dropped too: a support library's
reflection is not evasion; so are their clipboard reads (:data:`LIBRARY_USER_ACTION`): a text field's paste menu
item reads the clipboard because the user chose "paste". A library call whose argument resolves to an accepted value (``Settings.Secure.getString(cr,
"android_id")``) stays evidence as from any other code.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from appwarden.dex.index import CodeIndex, DexCode
from appwarden.dex.records import (
    EV_INVOKE,
    EVENT_WORDS,
    METHOD_WORDS,
    OP_INVOKE_CUSTOM,
    OP_INVOKE_CUSTOM_RANGE,
    OP_INVOKE_STATIC,
    invoke_arg_registers,
)
from appwarden.dex.regs import register_states
from appwarden.errors import KnowledgeError
from appwarden.evidence import CallSite
from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml

REFLECTION_APIS = (
    "Ljava/lang/Class;->forName",
    "Ljava/lang/Class;->getMethod",
    "Ljava/lang/Class;->getDeclaredMethod",
    "Ljava/lang/reflect/Method;->invoke",
)
_CUSTOM_OPS = frozenset((OP_INVOKE_CUSTOM, OP_INVOKE_CUSTOM_RANGE))  # idx: a call-site id, not a method id
_URI_PARSERS = {"Landroid/net/Uri;->parse", "Landroid/net/Uri;->withAppendedPath"}
PLATFORM_LIBRARIES = (
    "Landroidx/",
    "Landroid/support/",
    "Lkotlin/",
    "Lkotlinx/",
    "Ljava/",
    "Ljavax/",
    "Lcom/google/android/material/",
)
INDIRECT_CATEGORY = "runtime_evasion"
LIBRARY_USER_ACTION = frozenset(
    {"clipboard"}
)  # what platform libraries read only on the user's action (paste)


def is_platform_library(method_or_class: str) -> bool:
    """Whether a method descriptor or class descriptor belongs to a platform library (:data:`PLATFORM_LIBRARIES`;
    the trailing ``/`` keeps the package boundary: ``Landroidxyz/`` is not ``androidx``)."""
    return method_or_class.startswith(PLATFORM_LIBRARIES)


@dataclass
class PiApiIndex:
    """Lookup tables built from ``pi_apis.yaml``: member or string -> categories (in file order)."""

    categories: dict[str, dict[str, Any]]
    apis: dict[str, list[str]] = field(default_factory=dict)  # "Lcls;->name" -> categories
    fields: dict[str, list[str]] = field(default_factory=dict)  # "Lcls;->name" -> categories
    strings: dict[str, list[str]] = field(default_factory=dict)  # literal -> categories
    filters: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # api -> {category: filter}

    @classmethod
    def load(cls, path: str | Path | None = None) -> PiApiIndex:
        """Read ``pi_apis.yaml`` (the packaged one by default; cached)."""
        return _load(str(path or KNOWLEDGE_DIR / "pi_apis.yaml"))

    @classmethod
    def from_categories(cls, categories: dict[str, dict[str, Any]], where: str = "pi_apis") -> PiApiIndex:
        """Build the tables from a ``categories`` mapping (raises KnowledgeError on a malformed entry)."""
        idx = cls(categories)
        for cat, rec in categories.items():
            if not isinstance(rec, dict):
                raise KnowledgeError(f"{where}: category {cat!r} is not a mapping")
            for key in ("apis", "sdk_apis"):
                for api in rec.get(key) or []:
                    if not isinstance(api, str) or "->" not in api:
                        raise KnowledgeError(f"{where}: {cat}.{key}: not a member descriptor: {api!r}")
                    idx.apis.setdefault(_member_key(api), []).append(cat)
            for fld in rec.get("fields") or []:
                if not isinstance(fld, str) or "->" not in fld:
                    raise KnowledgeError(f"{where}: {cat}.fields: not a member descriptor: {fld!r}")
                idx.fields.setdefault(_member_key(fld), []).append(cat)
            for s in rec.get("strings") or []:
                if not isinstance(s, str) or not s:
                    raise KnowledgeError(f"{where}: {cat}.strings: not a string: {s!r}")
                idx.strings.setdefault(s, []).append(cat)
            for api, flt in (rec.get("arg_filters") or {}).items():
                if not isinstance(flt, dict):
                    raise KnowledgeError(f"{where}: {cat}.arg_filters.{api}: not a mapping")
                idx.filters.setdefault(_member_key(api), {})[cat] = flt
        return idx

    def field_category(self, field_desc: str) -> list[str]:
        """Categories listing a field (``Lcls;->name:Type`` or ``Lcls;->name``)."""
        return self.fields.get(_member_key(field_desc), [])


@lru_cache(maxsize=4)
def _load(path: str) -> PiApiIndex:
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        raise KnowledgeError(f"{path}: missing 'categories' mapping")
    return PiApiIndex.from_categories(data["categories"], path)


@lru_cache(maxsize=8192)  # the finder asks for the key of every matched reference, mostly the same few
def _member_key(desc: str) -> str:
    """``Lcls;->name(...)R`` / ``Lcls;->name:T`` -> ``Lcls;->name``."""
    cls, _, rest = desc.partition("->")
    return cls + "->" + rest.split("(", 1)[0].split(":", 1)[0]


def _uri_authority(uri: str) -> str | None:
    if not uri.startswith("content://"):
        return None
    return uri[len("content://") :].split("/", 1)[0].split("?", 1)[0]


def _string_matches(literal: str, key: str) -> bool:
    if literal == key:
        return True
    if key.startswith("content://"):
        return literal.startswith(key) and (
            key.endswith("/") or len(literal) == len(key) or literal[len(key)] in "/?#"
        )
    return _containment_key(key) and key in literal


def _containment_key(key: str) -> bool:
    """Command- or path-like string entries also match when contained in a longer literal."""
    return (" " in key or "/" in key) and len(key) >= 8


# -- argument resolution -----------------------------------------------------------------------------------------


class _Resolver:
    """Turns register Values (see :mod:`appwarden.dex.regs`) into strings / literals / categories."""

    def __init__(self, code: DexCode, pi: PiApiIndex) -> None:
        self.code = code
        self.pi = pi

    def as_string(self, value: tuple) -> str | None:
        return value[1] if value[0] == "string" else None

    def as_literal(self, value: tuple) -> int | None:
        return value[1] if value[0] == "literal" else None

    def as_uri(self, value: tuple, depth: int = 0) -> tuple[str, str] | None:
        """("uri", text) for a URI string, or ("field", descriptor) for a URI constant; None when unknown."""
        if depth > 4:
            return None
        if value[0] == "string":
            return ("uri", value[1])
        if value[0] == "field":
            return ("field", self.code.dex.field_desc(value[1]))
        if value[0] == "result":
            callee = self.code.method_desc(value[1])
            if _member_key(callee) in _URI_PARSERS and value[2]:
                return self.as_uri(value[2][0], depth + 1)
        return None


def _filter_decision(
    flt: dict[str, Any], cat: str, args: list[tuple], res: _Resolver
) -> tuple[bool | None, str]:
    """(True = accepted, False = rejected, None = unresolved; the resolved argument as text)."""
    for kind, expected in flt.items():
        if kind.startswith("arg") and (kind.endswith("_in") or kind.endswith("_equals")):
            n = int(kind[3 : kind.index("_")])
            if n >= len(args):
                return None, ""
            s = res.as_string(args[n])
            if s is None:
                return None, ""
            ok = s in expected if kind.endswith("_in") else s == expected
            return ok, s
        if kind == "uri_authority_in":
            if not args:
                return None, ""
            uri = res.as_uri(args[0])
            if uri is None:
                return None, ""
            if uri[0] == "field":
                cats = res.pi.field_category(uri[1])
                return (cat in cats if cats else None), uri[1]
            auth = _uri_authority(uri[1])
            return (auth in expected if auth is not None else False), uri[1]
        if kind == "sensor_type_in":
            if not args:
                return None, ""
            v = res.as_literal(args[0])
            if v is None:
                return None, ""
            keys = {int(k) for k in expected}
            return v in keys, str(v)
    return None, ""  # unknown filter kind: keep, unresolved


def _declared_arg_registers(code: DexCode, op: int, a: int, midx: int) -> list[int]:
    """Register of each declared parameter (``this`` skipped, wide types take two registers)."""
    regs = invoke_arg_registers(op, a)
    pos = 0 if op in OP_INVOKE_STATIC else 1
    out = []
    for t in code.dex.method_param_types(midx):
        if pos >= len(regs):
            break
        out.append(regs[pos])
        pos += 2 if t in ("J", "D") else 1
    return out


# -- the finder --------------------------------------------------------------------------------------------------


# A call site while the finder collects them: the fields of a CallSite, in its field order (owner "host", no
# reachable_from), so that the set of them hashes, compares and iterates as a set of those CallSites would; the
# CallSites are made once, for the sorted result (a frozen dataclass costs a Python-level __init__ and __hash__).
_Site = tuple


def _site(
    caller: str,
    api: str,
    category: str,
    kind: str,
    dex: str,
    offset: int,
    arg: str | None = None,
    unresolved: bool = False,
) -> _Site:
    return (caller, api, category, kind, dex, offset, "host", arg, unresolved, ())


_SORT_KEY = itemgetter(4, 5, 2, 3, 1)  # (dex, offset, category, kind, api) of a _Site


def find_callsites(index: CodeIndex, pi: PiApiIndex, apply_filters: bool = True) -> list[CallSite]:
    """Every PI call site of the app (see the module docstring for kinds, matching and arg filters)."""
    sites: set[_Site] = set()
    _invoke_sites(index, pi, apply_filters, sites)
    for ref in index.field_reads(list(pi.fields)):
        for cat in pi.field_category(ref.target):
            sites.add(_site(ref.caller, ref.target, cat, "field", ref.dex, ref.offset))
    _string_sites(index, pi, sites)
    _reflection_sites(index, pi, sites)
    if apply_filters:
        sites = {s for s in sites if not _library_noise(s)}
    return [CallSite(*s) for s in sorted(sites, key=_SORT_KEY)]


def _library_noise(site: _Site) -> bool:
    """A platform library's unresolved call, generic reflection or paste (see the module docstring): not evidence
    (the cheap tests of the site's fields first, the caller's package only for those)."""
    category = site[2]
    return (
        site[8] or category == INDIRECT_CATEGORY or category in LIBRARY_USER_ACTION
    ) and is_platform_library(site[0])


def _invoke_sites(index: CodeIndex, pi: PiApiIndex, apply_filters: bool, sites: set[_Site]) -> None:
    pending: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(
        list
    )  # (dex, record) -> [(event, api)]
    # per target: (the categories taken without a filter, whether some category filters it)
    plan: dict[str, tuple[list[str], bool]] = {}
    for ci, code, events, ids in index._dex_matches(EV_INVOKE, list(pi.apis), False, True):
        ev = code.events
        name = code.name
        # the calling records of the DEX's matches (invoke-custom's too: dropped below), named with one C call
        records = code.records_of_events(events)
        callers = code.callers_of_records(records)
        for i, r in zip(events, records, strict=True):
            op = ev[i * EVENT_WORDS] & 0xFF
            if op in _CUSTOM_OPS:
                continue  # idx is a call-site id there, not a method id
            idx = ev[i * EVENT_WORDS + 2]
            target = ids[idx]
            if target is None:  # the reference itself, named once for all its events
                target = ids[idx] = code.method_desc(idx)
            got = plan.get(target)
            if got is None:
                key = _member_key(target)
                filters = pi.filters.get(key, {}) if apply_filters else {}
                got = plan[target] = ([c for c in pi.apis[key] if c not in filters], bool(filters))
            unfiltered, filtered = got
            if unfiltered:
                caller = callers[r]
                off = ev[i * EVENT_WORDS + 1]
                for cat in unfiltered:  # _site(caller, target, cat, "invoke", name, off), built in place
                    sites.add((caller, target, cat, "invoke", name, off, "host", None, False, ()))
            if filtered:
                pending[(ci, r)].append((i, target))
    for (ci, r), items in pending.items():
        code = index.codes[ci]
        res = _Resolver(code, pi)
        code_off = code.methods[r * METHOD_WORDS + 3]
        caller = code.caller_of_record(r)  # (named with the DEX's other callers above)
        offsets = {code.events[i * EVENT_WORDS + 1] for i, _t in items}
        states = register_states(code.dex, code_off, offsets)
        for i, target in items:
            k, off, midx, a, _b = code.events[i * EVENT_WORDS : (i + 1) * EVENT_WORDS]
            regs = states.get(off, {})
            args = [regs.get(reg, ("unknown",)) for reg in _declared_arg_registers(code, k & 0xFF, a, midx)]
            key = _member_key(target)
            accepted = False
            unresolved = False
            for cat, flt in pi.filters[key].items():
                ok, text = _filter_decision(flt, cat, args, res)
                if ok:
                    sites.add(_site(caller, target, cat, "invoke", code.name, off, arg=text or None))
                    accepted = True
                elif ok is None:
                    unresolved = True
            if not accepted and unresolved:
                first = next(iter(pi.filters[key]))
                sites.add(_site(caller, target, first, "invoke", code.name, off, unresolved=True))


def _string_sites(index: CodeIndex, pi: PiApiIndex, sites: set[_Site]) -> None:
    if not pi.strings:
        return
    keys = list(pi.strings)
    prefixes = [k for k in keys if k.startswith("content://") and k.isascii()]
    needles = [k for k in keys if _containment_key(k) and not k.startswith("content://")]
    refs = {
        (r.dex, r.offset): r
        for r in (
            *index.strings_matching(keys),
            *index.strings_starting_with(prefixes),
            *(index.strings_containing(needles) if needles else ()),
        )
    }
    for ref in refs.values():
        for key, cats in pi.strings.items():
            if not _string_matches(ref.target, key):
                continue
            kind = "content_uri" if key.startswith("content://") else "string"
            for cat in cats:
                sites.add(_site(ref.caller, ref.target, cat, kind, ref.dex, ref.offset))


def _reflection_sites(index: CodeIndex, pi: PiApiIndex, sites: set[_Site]) -> None:
    by_class: dict[str, list[tuple[str, str]]] = defaultdict(list)  # class string -> [(api key, method name)]
    for key in pi.apis:
        cls, _, name = key.partition("->")
        if name.startswith("<"):
            continue
        dotted = cls[1:-1].replace("/", ".")
        by_class[dotted].append((key, name))
        by_class[cls].append((key, name))
    class_hits = index.strings_matching(set(by_class))
    if not class_hits:
        return
    wanted = {r.target for r in class_hits}
    names = {n for c in wanted for _k, n in by_class[c]}
    hits = class_hits + index.strings_matching(names)
    reflective = index.invoke_callers(REFLECTION_APIS)
    per_method: dict[str, list] = defaultdict(list)
    for ref in hits:
        if ref.caller in reflective:
            per_method[ref.caller].append(ref)
    for caller, refs in per_method.items():
        values = {r.target for r in refs}
        literals: set[str] | None = None
        for cls_string in values & by_class.keys():
            for key, name in by_class[cls_string]:
                if name not in values:
                    continue
                name_ref = next(r for r in refs if r.target == name)
                filters = pi.filters.get(key, {})
                if filters and literals is None:
                    literals = set(index.method_strings(caller) or ())
                accepted = [
                    c
                    for c in pi.apis[key]
                    if c not in filters or _accepts_literal(filters[c], literals or set())
                ]
                for cat in accepted:
                    sites.add(_site(caller, key, cat, "reflection", name_ref.dex, name_ref.offset))
                if filters and not any(c in filters for c in accepted):
                    first = next(iter(filters))
                    sites.add(
                        _site(
                            caller, key, first, "reflection", name_ref.dex, name_ref.offset, unresolved=True
                        )
                    )


def _accepts_literal(flt: dict[str, Any], literals: set[str]) -> bool:
    """Whether some string constant of the method is a value the ``argN_in``/``argN_equals`` filter accepts."""
    for kind, expected in flt.items():
        if kind.endswith("_in") and kind.startswith("arg"):
            return any(str(e) in literals for e in expected)
        if kind.endswith("_equals") and kind.startswith("arg"):
            return str(expected) in literals
    return False
