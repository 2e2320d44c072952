"""Helpers the static predicates share: the code index, start-up entry points, owners, call paths.

Everything here reads :class:`~appwarden.evidence.Evidence` only. The code index is the one documented in
``docs/architecture.md`` (``CodeIndex.invokes``, ``callgraph.reachable/path``, ``class_info``,
``method_literals``, ``method_strings``); references (``Ref``) are read by attribute (``caller``, ``target``,
``dex``, ``offset``) with a tuple fallback, so a named tuple or a dataclass both work.
"""

from __future__ import annotations

import math
import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, MutableMapping
from collections.abc import Set as AbstractSet
from typing import Any

from appwarden.dex.records import EV_LITERAL, EV_STRING, EVENT_WORDS, METHOD_WORDS, literal_value
from appwarden.errors import RuleError
from appwarden.evidence import CallSite, Evidence
from appwarden.knowledge import pi_categories

APPLICATION = "Landroid/app/Application;"
PROVIDER = "Landroid/content/ContentProvider;"
STARTUP_METHODS = ("onCreate()V", "attachBaseContext(Landroid/content/Context;)V")
PROVIDER_STARTUP = ("onCreate()Z", "attachInfo(Landroid/content/Context;Landroid/content/pm/ProviderInfo;)V")


def java_to_desc(name: str) -> str:
    """``com.x.Foo`` -> ``Lcom/x/Foo;`` (already-descriptor input is returned unchanged)."""
    if name.startswith("L") and name.endswith(";"):
        return name
    return "L" + name.replace(".", "/") + ";"


def code_of(evidence: Evidence) -> Any | None:
    """The CodeIndex, or None when DEX code was not indexed."""
    return evidence.static.code if evidence.static is not None else None


def ref_parts(ref: Any) -> tuple[str, str, str, int]:
    """(caller, target, dex, offset) of a CodeIndex reference."""
    try:
        return (
            str(ref.caller),
            str(ref.target),
            str(getattr(ref, "dex", "")),
            int(getattr(ref, "offset", 0) or 0),
        )
    except AttributeError:
        seq = tuple(ref)
        return (
            str(seq[0]),
            str(seq[1]),
            str(seq[2]) if len(seq) > 2 else "",
            int(seq[3]) if len(seq) > 3 else 0,
        )


def invokes(code: Any, targets: Iterable[str]) -> list[tuple[str, str, str, int]]:
    """Every invoke of the given targets (``Lcls;->name`` or full descriptors), as ref tuples."""
    targets = list(targets)
    if not targets or code is None:
        return []
    return [ref_parts(r) for r in code.invokes(targets)]


def class_of(method: str) -> str:
    return method.split("->", 1)[0]


def superclasses(code: Any, cls: str, limit: int = 12) -> list[str]:
    """``cls`` and its superclasses as far as the app defines them (plus the first framework class)."""
    chain = [cls]
    current = cls
    for _ in range(limit):
        sup = superclass_of(code, current)
        if not sup or sup in chain:
            break
        chain.append(sup)
        current = sup
    return chain


def superclass_of(code: Any, cls: str) -> str | None:
    """The superclass of app class ``cls`` as its ClassInfo gives it (None when the app does not define ``cls``).

    With a :class:`~appwarden.dex.index.CodeIndex` it is read from the class def alone: ``class_info`` would make
    the descriptor of every method of every class on a superclass chain (the navigation graph asks whether each
    class a screen instantiates is a fragment: ~10k classes on a 50 MB app), which only the callers that list the
    methods need."""
    supers = getattr(code, "_class_supers", None)
    cmap = getattr(code, "_class_map", None)
    if supers is not None and isinstance(cmap, dict):
        return supers(cls)[0] if cls in cmap else None
    info = _class_info(code, cls)
    return getattr(info, "superclass", None) if info is not None else None


def _class_info(code: Any, cls: str) -> Any | None:
    try:
        return code.class_info(cls)
    except (KeyError, LookupError):
        return None


def interfaces_of(code: Any, cls: str) -> set[str]:
    """Interfaces implemented by ``cls`` or any superclass the app defines."""
    out: set[str] = set()
    for c in superclasses(code, cls):
        info = _class_info(code, c)
        if info is not None:
            out.update(getattr(info, "interfaces", ()) or ())
    return out


_IMPLEMENTERS: dict[int, tuple[Any, dict[str, list[str]]]] = {}


def implementers(code: Any, interface: str) -> list[str]:
    """Concrete app classes (not interfaces, not abstract) implementing ``interface`` directly or through an
    app-defined superclass (as :func:`interfaces_of`), sorted.

    With a code index that answers ``direct_implementers`` and ``subclasses`` (:class:`~appwarden.dex.index.CodeIndex`)
    only the classes below the direct implementers are visited; otherwise the interface map of every class is built
    once per code index (:func:`_implementer_table`)."""
    if hasattr(code, "direct_implementers") and hasattr(code, "subclasses"):
        memo = _memo(code).implementers  # the shake rules ask for SensorEventListener's twice
        got = memo.get(interface)
        if got is None:
            got = memo[interface] = tuple(_implementers_below(code, interface))
        return list(got)
    cached = _IMPLEMENTERS.get(id(code))
    if cached is None or cached[0] is not code:
        cached = (code, _implementer_table(code))
        _IMPLEMENTERS.clear()
        _IMPLEMENTERS[id(code)] = cached
    return list(cached[1].get(interface, []))


def _implementers_below(code: Any, interface: str) -> list[str]:
    """:func:`implementers` walking down from the classes that name ``interface`` themselves: a class inherits their
    interfaces when one of them is at most 12 superclass steps above it (the :func:`superclasses` walk; each class
    has one superclass, so the breadth-first depth below a root is that class's step count up to it)."""
    found: set[str] = set()
    roots = _direct_implementers(code, interface)
    for root in code.direct_implementers(interface) if roots is None else roots:
        level, seen = [root], {root}
        for depth in range(13):
            found.update(level)
            if depth == 12:
                break
            level = [sub for cls in level for sub in subclasses(code, cls) if sub not in seen]
            seen.update(level)
            if not level:
                break
    concrete = []
    for cls in sorted(found):
        info = _class_info(code, cls)
        if info is not None and not getattr(info, "access_flags", 0) & 0x600:  # ACC_INTERFACE | ACC_ABSTRACT
            concrete.append(cls)
    return concrete


# positions _direct_implementers / _subclasses examine in one DEX at most (else the index is asked)
MAX_LIST_HITS = 1 << 16


def _type_ids(code: Any, ci: int, desc: str) -> list[int]:
    """The type ids of DEX ``ci`` whose descriptor is ``desc``: by bisection when its type descriptors are strictly
    increasing (``CallGraph._is_ordered``, as every installable DEX has them; remembered per DEX), else by a scan of
    them all."""
    types = code.codes[ci].type_descs
    if _ordered(code, ci):
        t = bisect_left(types, desc)
        return [t] if t < len(types) and types[t] == desc else []
    tids: list[int] = []
    i = -1
    while True:  # list.index scans in C: every type id with that descriptor
        try:
            i = types.index(desc, i + 1)
        except ValueError:
            break
        tids.append(i)
    return tids


def _ordered(code: Any, ci: int) -> bool:
    """Whether the type descriptors of DEX ``ci`` are strictly increasing (``CallGraph._is_ordered``, as every
    installable DEX has them), remembered per DEX; taken from the call graph when it has found every DEX so."""
    ordered = _memo(code).ordered
    ok = ordered.get(ci)
    if ok is None and getattr(vars(code).get("callgraph"), "_ordered", None) is True:
        ok = ordered[ci] = (
            True  # the call graph found every DEX so (CallGraph._lookup), asking the same kernel
        )
    if ok is None:
        from appwarden.dex.callgraph import CallGraph

        try:
            ok = ordered[ci] = CallGraph._is_ordered(code.codes[ci])
        except Exception:  # a table the kernel refuses: not bisected
            ok = ordered[ci] = False
    return ok


def classes_with_prefix(code: Any, prefix: str) -> list[str] | None:
    """The app classes (``code.classes``) whose descriptor starts with ``prefix``, sorted; found by bisecting each
    DEX's type descriptors (every app class is a type of the DEX defining it), so None when the index is not a
    :class:`~appwarden.dex.index.CodeIndex` or a DEX's type descriptors are not strictly increasing."""
    cmap = getattr(code, "_class_map", None)
    if not isinstance(cmap, dict) or not hasattr(code, "codes"):
        return None
    found: set[str] = set()
    for ci, dc in enumerate(code.codes):
        if not _ordered(code, ci):
            return None
        types = dc.type_descs
        i = bisect_left(types, prefix)
        while i < len(types) and types[i].startswith(prefix):
            if types[i] in cmap:
                found.add(types[i])
            i += 1
    return sorted(found)


def subclasses(code: Any, cls: str) -> list[str]:
    """``code.subclasses(cls)`` (the app classes whose superclass is ``cls``, in load order), remembered per code
    index and, on a :class:`~appwarden.dex.index.CodeIndex`, found without the index's table of every class under
    its superclass (issue #19: the rules ask for the classes below ~60 classes, the table names every class of
    every DEX): in each DEX the class defs whose superclass column holds the type id of ``cls``
    (:func:`_subclasses`)."""
    memo = _memo(code).subclasses
    got = memo.get(cls)
    if got is None:
        found = _subclasses(code, cls)
        got = memo[cls] = tuple(code.subclasses(cls) if found is None else found)
    return list(got)


def _subclasses(code: Any, cls: str) -> list[str] | None:
    """:func:`subclasses` from a byte search of each DEX's superclass column (the class defs' superclass_idx words)
    for the type id of ``cls``, each class def found checked as the index checks it (first definition of its class, its
    superclass as ``CodeIndex._class_supers`` reads it); None when the index is not a CodeIndex, a DEX's type
    descriptors are not strictly increasing, or there are too many positions to examine."""
    cmap = getattr(code, "_class_map", None)
    supers = getattr(code, "_class_supers", None)
    if not isinstance(cmap, dict) or supers is None or not hasattr(code, "codes"):
        return None
    found: list[str] = []
    tables = _memo(code).class_defs
    for ci, dc in enumerate(code.codes):
        if not _ordered(code, ci):
            return None
        tids = _type_ids(code, ci, cls)
        if not tids:
            continue
        cd = dc.dex.class_defs
        raw = tables.get(ci)
        if raw is None:
            raw = tables[ci] = cd[2::8].tobytes()  # the superclass_idx column
        types = dc.type_descs
        needle = struct.pack("=I", tids[0])  # the table's own (native) order
        examined = 0
        p = raw.find(needle)
        while p >= 0:
            examined += 1
            if examined > MAX_LIST_HITS:
                return None
            if not p & 3:  # the superclass_idx of class def p // 4
                cdi = p >> 2
                desc = types[cd[cdi * 8]]
                if cmap.get(desc) == (ci, cdi) and supers(desc)[0] == cls:
                    found.append(desc)
            p = raw.find(needle, p + 1)
    return found


def _direct_implementers(code: Any, interface: str) -> list[str] | None:
    """``code.direct_implementers(interface)`` (the app classes whose own interface list names ``interface``, in load
    order) without the index's table of every interface list (issue #19: the rules ask for three interfaces; the
    table reads and names every list of every DEX): in each DEX whose type ids name ``interface``, a byte search
    of the span of the class defs' interface lists for those type ids (u16 items) finds the lists holding one; the
    class defs pointing at them are then checked as the index checks them (first definition of their class, the
    class's own interface list naming ``interface``). None when the index is not a
    :class:`~appwarden.dex.index.CodeIndex` or a DEX's lists cannot be searched so (overlapping lists, too many
    positions to examine): the index is then asked."""
    cmap = getattr(code, "_class_map", None)
    supers = getattr(code, "_class_supers", None)
    if not isinstance(cmap, dict) or supers is None or not hasattr(code, "codes"):
        return None
    found: list[str] = []
    for ci, dc in enumerate(code.codes):
        types = dc.type_descs
        tids = _type_ids(code, ci, interface)
        if not tids:
            continue
        lists = _interface_lists(code, ci)
        if lists is None:
            return None
        offs, ends, column = lists
        if not offs:
            continue
        data = dc.dex.data
        lo, hi = offs[0] + 4, ends[-1]
        hits: set[int] = set()
        examined = 0
        for t in tids:
            needle = struct.pack("<H", t)
            p = data.find(needle, lo, hi)
            while p >= 0:
                examined += 1
                if examined > MAX_LIST_HITS:
                    return None
                if not p & 1:  # lists start 4-aligned: an item starts at an even position
                    k = bisect_right(offs, p - 4) - 1
                    if k >= 0 and p < ends[k]:
                        hits.add(offs[k])
                p = data.find(needle, p + 1, hi)
        if not hits:
            continue
        from appwarden.dex.callgraph import reach  # (built by now: the call graph came first)

        cdis: list[int] = []
        for off in hits:  # the class defs pointing at the list: the column's u32 words equal to its offset
            cdis += array("I", reach.u32_positions(column, off))
        cd = dc.dex.class_defs
        for cdi in sorted(cdis):
            desc = types[cd[cdi * 8]]
            if cmap.get(desc) == (ci, cdi) and interface in supers(desc)[1]:
                found.append(desc)
    return found


def _interface_lists(code: Any, ci: int) -> tuple[list[int], list[int], bytes] | None:
    """(the distinct offsets of the interface lists of DEX ``ci``'s class defs that ``DexFile.type_list_ids`` can
    read, ascending; where each list's items end; the class defs' interfaces_off column as bytes, a u32 word per
    class def in native order), remembered per code index; None when two of the lists overlap (a malformed DEX: a
    position may then be in two lists)."""
    memo = _memo(code).ifaces
    if ci in memo:
        return memo[ci]
    dex = code.codes[ci].dex
    words_col = dex.class_defs[3::8]
    column = words_col.tobytes()
    data, size = dex.data, dex.container_size
    # no list, or one type_list_ids refuses (no interface, as the index reads it): left out
    cand = [off for off in sorted(set(words_col)) if off and not off & 3 and off + 4 <= size]
    if sys.byteorder == "little":  # the lists' sizes read as u32 words of the file (offsets are 4-aligned)
        with memoryview(data) as mv, mv[: size & ~3] as part, part.cast("I") as words:
            counts = [words[off >> 2] for off in cand]
    else:
        counts = [struct.unpack_from("<I", data, off)[0] for off in cand]
    offs: list[int] = []
    ends: list[int] = []
    for off, n in zip(cand, counts, strict=True):
        end = off + 4 + 2 * n
        if end <= size:
            offs.append(off)
            ends.append(end)
    got: tuple[list[int], list[int], bytes] | None = (offs, ends, column)
    if any(e > o for e, o in zip(ends[:-1], offs[1:], strict=True)):
        got = None
    memo[ci] = got
    return got


def _implementer_table(code: Any) -> dict[str, list[str]]:
    """Interface -> sorted concrete app classes implementing it: :func:`interfaces_of` of every class, with the
    ClassInfo of each app class looked up once instead of once per class on every superclass chain."""
    classes = sorted(getattr(code, "classes", ()) or ())
    infos = {cls: _class_info(code, cls) for cls in classes}
    table: dict[str, list[str]] = {}
    for cls in classes:
        info = infos[cls]
        if info is None or getattr(info, "access_flags", 0) & 0x600:  # ACC_INTERFACE | ACC_ABSTRACT
            continue
        found: set[str] = set()
        chain = [cls]
        current: Any = info
        for _ in range(12):  # the superclasses() walk: at most 12 steps, stops at a cycle or outside the app
            found.update(getattr(current, "interfaces", ()) or ())
            sup = getattr(current, "superclass", None)
            if not sup or sup in chain:
                break
            chain.append(sup)
            current = infos[sup] if sup in infos else _class_info(code, sup)
            if current is None:
                break
        else:
            if current is not None:
                found.update(getattr(current, "interfaces", ()) or ())
        for iface in found:
            table.setdefault(iface, []).append(cls)
    return table


def methods_of(code: Any, cls: str) -> list[str]:
    """Full descriptors of the methods ``cls`` defines (``Lcls;->name(args)ret``), as its ClassInfo lists them;
    remembered per code index (the navigation graph, the consent model and several predicates list the same
    classes' methods)."""
    memo = _memo(code).methods
    got = memo.get(cls)
    if got is None:
        own = _own(code, cls)
        if own is not None:
            got = tuple(f"{cls}->{sig}" for sig in own[2])
        else:
            info = _class_info(code, cls)
            out = []
            for m in (getattr(info, "methods", ()) or ()) if info is not None else ():
                name = getattr(m, "descriptor", None) or getattr(m, "name", None) or str(m)
                out.append(name if "->" in name else f"{cls}->{name}")
            got = tuple(out)
        memo[cls] = got
    return list(got)


class _CodeMemo:
    """What the rules of one scan ask the same code index again and again (:func:`_memo`)."""

    __slots__ = (
        "class_defs",
        "code",
        "events",
        "expected",
        "ifaces",
        "implementers",
        "methods",
        "ordered",
        "own",
        "records",
        "string_sets",
        "strings",
        "subclasses",
    )

    def __init__(self, code: Any) -> None:
        self.code = code
        self.methods: dict[str, tuple[str, ...]] = {}  # class -> methods_of
        self.implementers: dict[str, tuple[str, ...]] = {}  # interface -> implementers
        self.ifaces: dict[int, Any] = {}  # dex number -> _interface_lists
        self.ordered: dict[int, bool] = {}  # dex number -> type descriptors strictly increasing (_type_ids)
        self.class_defs: dict[
            int, bytes
        ] = {}  # dex number -> its class defs' superclass column (_subclasses)
        self.subclasses: dict[str, tuple[str, ...]] = {}  # class -> subclasses
        self.own: dict[str, tuple[int, range, tuple[str, ...]] | None] = {}  # class -> _own
        # class -> (dex number, signature -> record number or the list of them when a signature repeats)
        self.records: dict[str, tuple[int, dict[str, Any]]] = {}
        self.strings: tuple[frozenset[str], list[Any]] | None = None  # the last strings_containing search
        self.expected: tuple[str, ...] = ()  # needles searched along (expect_needles)
        self.string_sets: dict[str, frozenset[str]] = {}  # method -> its const-strings (filter_sites)
        self.events: dict[
            str, Any
        ] = {}  # method -> (its const-strings, its literals) or None (_method_events)


_MEMO: list[_CodeMemo] = []


def _plain_needle(needle: str) -> bool:
    """Whether ``needle`` is found in a string exactly when its UTF-8 bytes are found in the string's MUTF-8 bytes
    (the code index's byte search): not empty, no NUL, every character in the BMP and not a surrogate."""
    return bool(needle) and all(0 < ord(ch) < 0xD800 or 0xE000 <= ord(ch) < 0x10000 for ch in needle)


def strings_containing(code: Any, needles: Iterable[str], also: Iterable[str] = ()) -> list[Any]:
    """``code.strings_containing(needles)`` (the ``const-string`` uses whose value holds a needle, in the index's
    order), with one byte search of the string tables serving several callers (issue #19: the consent model and
    the navigation graph search for policy titles): the search also looks for the needles of ``also`` that no
    needle of ``needles`` is part of, and is remembered per code index; a later call whose every needle holds a
    needle searched then (隐私政策 holds 隐私) is answered by filtering those results. Only plain needles
    (:func:`_plain_needle`) take part: then the filter (``needle in value``) keeps exactly what the byte search for
    them finds. The needles announced with :func:`expect_needles` are searched along as ``also`` is."""
    needles = list(needles)
    if not hasattr(code, "codes") or not all(map(_plain_needle, needles)):
        return list(code.strings_containing(needles))
    memo = _memo(code)
    if memo.strings is not None and all(any(n in t for n in memo.strings[0]) for t in needles):
        return [r for r in memo.strings[1] if any(t in str(r.target) for t in needles)]
    extra = [
        t
        for t in dict.fromkeys([*also, *memo.expected])
        if _plain_needle(t) and not any(n in t for n in needles)
    ]
    refs = list(code.strings_containing([*needles, *extra]))
    memo.strings = (frozenset([*needles, *extra]), refs)
    if not extra:
        return list(refs)
    return [r for r in refs if any(t in str(r.target) for t in needles)]


def expect_needles(code: Any, needles: Iterable[str]) -> None:
    """Announce needles that rules of this scan will ask :func:`strings_containing` for: each search made from then
    on looks for them too (as for its ``also``), so a later call for them is answered from a search made for
    another caller (issue #19: the text rules' needles ride along with the consent model's search) instead of one
    more pass over the string tables. Changes no answer: only what is searched together."""
    if code is None or not hasattr(code, "codes"):
        return
    memo = _memo(code)
    memo.expected = tuple(dict.fromkeys([*memo.expected, *(n for n in needles if _plain_needle(n))]))


def _memo(code: Any) -> _CodeMemo:
    """The memo of ``code`` (one code index at a time: a new scan's index replaces the last one's)."""
    if _MEMO and _MEMO[0].code is code:
        return _MEMO[0]
    _MEMO.clear()
    _MEMO.append(_CodeMemo(code))
    return _MEMO[0]


def _own_methods(code: Any, cls: str) -> tuple[list[tuple[int, int]], tuple[str, ...]] | None:
    """(the ``(dex number, record number)`` of each method record of app class ``cls``, the signature of each:
    its descriptor after ``cls->``) from a :class:`~appwarden.dex.index.CodeIndex`, the signatures made with one C
    call per class (the descriptor of a method of the class is the class's own descriptor, "->" and the
    signature); None when the index is not one, the class is not defined,
    or its records are not the plain case ``CodeIndex.method_records`` searches in the DEX tables (a range of
    records whose method ids all belong to the class): the index is then asked as it is."""
    got = _own(code, cls)
    return None if got is None else ([(got[0], r) for r in got[1]], got[2])


def _own(code: Any, cls: str) -> tuple[int, range, tuple[str, ...]] | None:
    """:func:`_own_methods` as (dex number, the range of record numbers, the signatures), remembered per code
    index (no tuple per record: the navigation graph looks up methods of ~2.6k classes on a 50 MB app)."""
    memo = _memo(code).own
    if cls in memo:
        return memo[cls]
    got = None
    cmap = getattr(code, "_class_map", None)
    where = cmap.get(cls) if isinstance(cmap, dict) else None
    if where is not None and hasattr(code, "codes"):
        ci, cdi = where
        try:
            dc = code.codes[ci]
            records = dc.class_records(cdi)
            if type(records) is range:
                dex = dc.dex
                t = dex.class_defs[cdi * 8]
                lo = bisect_left(dex.method_class, t)
                hi = bisect_right(dex.method_class, t, lo)
                mids = dc.methods[1::METHOD_WORDS][records.start : records.stop].tolist()
                if not mids:
                    got = (ci, records, ())
                elif lo <= min(mids) and max(mids) < hi:
                    got = (ci, records, tuple(dc.method_sigs(mids)))
        except Exception:  # a malformed DEX: the index's own lookups say what is wrong
            got = None
    memo[cls] = got
    return got


def method_records(code: Any, method: str) -> list[tuple[int, int]]:
    """``code.method_records(method)`` (``(dex number, record number)`` of an app method), answered from a table
    of the method's class made once per code index (:func:`_own_methods`: the records whose descriptor is
    ``method``, as the index finds them with one search of the DEX tables per method)."""
    cls, sep, sig = method.partition("->")
    if not sep or not cls:
        return code.method_records(method)
    memo = _memo(code).records
    table = memo.get(cls)
    if table is None:
        own = _own(code, cls)
        if own is None:
            return code.method_records(method)
        ci, records, sigs = own
        by_sig: dict[str, Any] = dict(zip(sigs, records, strict=True))
        if len(by_sig) != len(
            sigs
        ):  # a signature defined twice (a malformed DEX): every record of it, in order
            by_sig = {}
            for r, own_sig in zip(records, sigs, strict=True):
                by_sig.setdefault(own_sig, []).append(r)
        table = memo[cls] = (ci, by_sig)
    ci, by_sig = table
    got = by_sig.get(sig)
    if got is None:
        return []
    if type(got) is int:
        return [(ci, got)]
    return [(ci, r) for r in got]


def startup_entries(evidence: Evidence) -> list[str]:
    """Methods that run when the app process starts, before any UI: Application.attachBaseContext/onCreate
    (of the manifest's application class and the app-defined superclasses), every declared ContentProvider's
    onCreate/attachInfo, and the AppComponentFactory's instantiate* methods."""
    static = evidence.static
    manifest = static.manifest if static is not None else None
    code = code_of(evidence)
    if manifest is None or code is None:
        return []
    entries: list[str] = []
    defined = getattr(code, "classes", ()) or ()
    if not isinstance(defined, AbstractSet):  # a code index's are a set-like view: not copied
        defined = set(defined)
    if manifest.application_class:
        for cls in superclasses(code, java_to_desc(manifest.application_class)):
            if defined and cls not in defined:
                break
            entries.extend(f"{cls}->{m}" for m in STARTUP_METHODS)
    for comp in manifest.components_of("provider"):
        if not comp.enabled:
            continue
        for cls in superclasses(code, java_to_desc(comp.name)):
            if defined and cls not in defined:
                break
            entries.extend(f"{cls}->{m}" for m in PROVIDER_STARTUP)
    if manifest.app_component_factory:
        cls = java_to_desc(manifest.app_component_factory)
        entries.extend(m for m in methods_of(code, cls) if "->instantiate" in m)
    return list(dict.fromkeys(entries))


def _is_callback(method: str) -> bool:
    """Lifecycle/callback-like methods Android or the UI can call: ``on*``, ``attachBaseContext``, constructors,
    ``handleMessage``/``run``, and ``(Landroid/view/View;)V`` methods (XML ``android:onClick`` handlers)."""
    sig = method.split("->", 1)[1] if "->" in method else method
    name = sig.split("(", 1)[0]
    return (
        name.startswith("on")
        or name in ("attachBaseContext", "<init>", "<clinit>", "run", "handleMessage", "call", "doWork")
        or sig.endswith("(Landroid/view/View;)V")
    )


_ENTRIES: dict[int, tuple[Any, Any, Any, tuple[str, ...]]] = {}  # component entries of the last evidence seen


def component_entries(evidence: Evidence) -> list[str]:
    """Callback-like methods (:func:`_is_callback`) of every manifest component class, its app-defined
    superclasses, and the application class: what Android can call. Used to tell 'reachable from some entry point'
    from 'dead library code'; the call graph adds listener/async edges from there.

    Computed once per (static evidence, manifest, code index): the reachability stage and several rules ask."""
    static = evidence.static
    manifest = static.manifest if static is not None else None
    code = code_of(evidence)
    if manifest is None or code is None:
        return []
    cached = _ENTRIES.get(id(static))
    if cached is None or cached[0] is not static or cached[1] is not manifest or cached[2] is not code:
        cached = (static, manifest, code, tuple(_component_entries(manifest, code)))
        _ENTRIES.clear()
        _ENTRIES[id(static)] = cached
    return list(cached[3])


def _component_entries(manifest: Any, code: Any) -> list[str]:
    """:func:`component_entries` of a manifest and code index, computed."""
    classes = [java_to_desc(c.name) for c in manifest.components]
    if manifest.application_class:
        classes.append(java_to_desc(manifest.application_class))
    out: list[str] = []
    callbacks: dict[str, list[str]] = {}  # per class: app superclasses are shared by many components
    for cls in dict.fromkeys(classes):
        for c in superclasses(code, cls):
            got = callbacks.get(c)
            if got is None:
                got = callbacks[c] = [m for m in methods_of(code, c) if _is_callback(m)]
            out += got
    return list(dict.fromkeys(out))


def reachable(code: Any, entries: list[str]) -> MutableMapping[str, str | None]:
    """Every method reachable from ``entries`` -> the method it was first reached from (entries map to None).

    A mapping of the caller's own (changes stay in it) that makes a method's descriptor only when asked for
    (``CallGraph.reachable``): a dict of every reachable descriptor would hold most of the app's methods."""
    if code is None or not entries:
        return {}
    return code.callgraph.reachable(entries)


def call_path(parents: dict[str, str | None], target: str, limit: int = 64) -> list[str]:
    """The call path ``[entry, ..., target]`` recorded in a :func:`reachable` result (empty when unreachable)."""
    if target not in parents:
        return []
    chain = [target]
    while (p := parents.get(chain[-1])) is not None and len(chain) < limit:
        chain.append(p)
    return chain[::-1]


def callsite_item(site: CallSite, path: list[str] | None = None) -> dict[str, Any]:
    """The report's ``callsite`` evidence dict for a CallSite."""
    item: dict[str, Any] = {
        "type": "callsite",
        "caller": site.caller,
        "api": site.api,
        "category": site.category,
        "owner": site.owner,
        "dex": site.dex,
        "offset": site.offset,
        "kind": site.kind,
    }
    if path:
        item["path"] = list(path)
    return item


def filter_sites(sites: list[CallSite], params: dict[str, Any], code: Any) -> list[CallSite]:
    """Apply the common call-site params (call sites marked ``unresolved`` are dropped unless
    ``include_unresolved``): ``apis`` (API prefixes to keep; default all) and ``require_strings``
    (API prefix -> strings of which one must appear in the calling method, e.g. ``queryIntentActivities`` only
    with ``android.intent.category.LAUNCHER``: a query for one intent is not the app list) and
    ``exclude_if_calls`` (API prefix -> callee prefixes that disqualify the calling method, e.g. a launcher query
    narrowed with ``Intent.setPackage`` only lists the app's own activities)."""
    apis = tuple(params.get("apis") or ())
    required: dict[str, list[str]] = dict(params.get("require_strings") or {})
    excluded: dict[str, list[str]] = dict(params.get("exclude_if_calls") or {})
    out = []
    strings_cache: dict[str, set[str]] = {}
    keep_unresolved = bool(params.get("include_unresolved", False))
    for site in sites:
        if site.unresolved and not keep_unresolved:
            continue  # an arg filter applied but the argument is unknown: not evidence of this category
        if apis and not site.api.startswith(apis):
            continue
        needs = [v for k, v in required.items() if site.api.startswith(k)]
        if needs and code is not None:
            if site.caller not in strings_cache:
                strings_cache[site.caller] = _string_set(code, site.caller)
            if not any(s in strings_cache[site.caller] for group in needs for s in group):
                continue
        banned = [v for k, v in excluded.items() if site.api.startswith(k)]
        if banned and code is not None:
            called = callees(code, site.caller)
            if any(c.startswith(tuple(group)) for group in banned for c in called):
                continue
        out.append(site)
    return out


def _string_set(code: Any, method: str) -> frozenset[str]:
    """The set of :func:`method_strings` of ``method``, remembered per code index (the call-site rules filter the
    same callers' strings rule after rule)."""
    memo = _memo(code).string_sets
    got = memo.get(method)
    if got is None:
        got = memo[method] = frozenset(method_strings(code, method))
    return got


def sdk_owner_prefixes(evidence: Evidence) -> list[tuple[str, str]]:
    """(class-descriptor package prefix, owner) pairs learned from the attributed call sites, longest first."""
    pairs: dict[str, str] = {}
    static = evidence.static
    for site in static.callsites if static is not None else []:
        if site.owner and site.owner != "host":
            parts = site.caller_class.strip("L;").split("/")
            prefix = "L" + "/".join(parts[: max(2, min(3, len(parts) - 1))]) + "/"
            pairs.setdefault(prefix, site.owner)
    return sorted(pairs.items(), key=lambda p: -len(p[0]))


_MATCHER: list[Any] = []
_HOSTS: dict[int, tuple[Any, list[str]]] = {}  # host packages of the last evidence seen


def _sdk_matcher() -> Any | None:
    """The SDK stage's Matcher over the shipped knowledge base (built once), or None when unavailable."""
    if not _MATCHER:
        try:
            from appwarden.sdk.kb import load_kb
            from appwarden.sdk.match import Matcher

            _MATCHER.append(Matcher(load_kb()))
        except Exception:  # SDK stage absent or its KB unreadable: fall back to call-site prefixes
            _MATCHER.append(None)
    return _MATCHER[0]


def owner_of(evidence: Evidence, cls: str) -> str:
    """The owner (SDK id or ``host``) of a class (descriptor or dotted name), with the SDK stage's lookup
    (``Matcher.owner_of`` protecting the host's own packages), else the package prefixes of attributed call
    sites."""
    desc = java_to_desc(cls)
    matcher = _sdk_matcher()
    if matcher is not None:
        static = evidence.static
        cached = _HOSTS.get(id(static))
        if cached is None or cached[0] is not static:
            manifest = static.manifest if static is not None else None
            app_package = static.app.package if static is not None else None
            cached = (static, matcher.host_packages(manifest, app_package))
            _HOSTS.clear()
            _HOSTS[id(static)] = cached
        return str(matcher.owner_of(desc, cached[1]))
    for prefix, owner in sdk_owner_prefixes(evidence):
        if desc.startswith(prefix):
            return owner
    return "host"


def sdk_record(evidence: Evidence, owner: str) -> Any | None:
    static = evidence.static
    for hit in static.sdks if static is not None else []:
        if hit.id == owner:
            return hit
    return None


def literal_numbers(value: int) -> Iterator[float]:
    """Plausible numeric readings of a raw DEX literal: the integer itself, and the IEEE float/double whose bits
    it holds (``const v0, 0x41700000`` is 15.0f)."""
    yield float(value)
    if -(1 << 31) <= value < (1 << 32):
        f = struct.unpack("<f", struct.pack("<I", value & 0xFFFFFFFF))[0]
        if math.isfinite(f) and f != 0.0:
            yield f
    else:
        d = struct.unpack("<d", struct.pack("<Q", value & 0xFFFFFFFFFFFFFFFF))[0]
        if math.isfinite(d) and d != 0.0:
            yield d


def method_literals(code: Any, method: str) -> list[int]:
    """``code.method_literals(method)`` as ints ([] when the method cannot be looked up); on a
    :class:`~appwarden.dex.index.CodeIndex` read with the strings in one pass (:func:`_method_events`) and
    remembered per code index."""
    got = _method_events(code, method)
    if got is not None:
        return list(got[1])
    try:
        return [int(v) for v in code.method_literals(method) or []]
    except (KeyError, LookupError):
        return []


def method_strings(code: Any, method: str) -> list[str]:
    """``code.method_strings(method)`` as strs ([] when the method cannot be looked up); on a
    :class:`~appwarden.dex.index.CodeIndex` read with the literals in one pass (:func:`_method_events`) and
    remembered per code index."""
    got = _method_events(code, method)
    if got is not None:
        return list(got[0])
    try:
        return [str(v) for v in code.method_strings(method) or []]
    except (KeyError, LookupError):
        return []


def _method_events(code: Any, method: str) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """(the ``const-string`` values, the numeric literals) of an app method, in instruction order, as
    ``CodeIndex.method_strings`` / ``method_literals`` give them, from one slice of each of its records' events
    (the index walks them event by event, twice); remembered per code index (issue #19: the call-site and crypto
    rules read ~300 methods' strings on a 50 MB app). None when the index is not a CodeIndex or a record's events
    are not the plain case (the index's own reads then say what they say)."""
    if not hasattr(code, "codes") or not isinstance(getattr(code, "_class_map", None), dict):
        return None
    memo = _memo(code).events
    if method in memo:
        return memo[method]
    got: tuple[tuple[str, ...], tuple[int, ...]] | None = None
    try:
        strings: list[str] = []
        literals: list[int] = []
        for ci, r in method_records(code, method):
            dc = code.codes[ci]
            string = dc.dex.string
            for k, idx, b in record_events(dc, r):
                kind = k >> 8
                if kind == EV_STRING:
                    strings.append(str(string(idx)))
                elif kind == EV_LITERAL:
                    literals.append(literal_value(idx, b))
        got = (tuple(strings), tuple(literals))
    except Exception:  # events not one plain slice (IndexError), or what the index's reads raise
        got = None
    memo[method] = got
    return got


def record_events(dc: Any, r: int) -> Iterator[tuple[int, int, int]]:
    """(kind word, index, extra) of each event of method record ``r`` of the DEX code ``dc``, in order: the
    record's events (``DexCode.events_of_record``) read as three columns of one slice of the event table, the
    kind in the word's high bits (``>> 8``). IndexError when the table is shorter than the record says."""
    base = r * METHOD_WORDS
    start, end = dc.methods[base + 4] * EVENT_WORDS, dc.methods[base + 5] * EVENT_WORDS
    rows = dc.events[start:end]
    if len(rows) != max(end - start, 0):
        raise IndexError("event table shorter than its method records")
    return zip(rows[0::EVENT_WORDS], rows[2::EVENT_WORDS], rows[4::EVENT_WORDS], strict=True)


def callees(code: Any, method: str) -> list[str]:
    try:
        return list(code.callgraph.callees(method) or [])
    except (KeyError, LookupError):
        return []


def validate_categories(params: dict) -> None:
    """Rule-load check shared by the PI call-site predicates: ``categories`` is a non-empty list of PI category
    keys of ``knowledge/pi_apis.yaml``."""
    cats = params.get("categories")
    if not isinstance(cats, list) or not cats:
        raise RuleError("'categories' must be a non-empty list of PI category keys")
    unknown = [c for c in cats if c not in pi_categories()]
    if unknown:
        raise RuleError(f"unknown PI categories {unknown}")


def owner_label_zh(evidence: Evidence, owner: str, host: str = "应用自身代码") -> str:
    """The Chinese phrase naming a finding's owner in ``message_zh``: ``host`` for the app itself, else
    ``第三方SDK（<name_zh>）`` with the SDK's Chinese name from the scan's SDK list (or the knowledge base), never its
    id (阿里UTDID, not alibaba_utdid). An owner nobody knows keeps its id."""
    if owner == "host":
        return host
    name = ""
    static = evidence.static
    if static is not None:
        name = next((s.name_zh for s in static.sdks if s.id == owner and s.name_zh), "")
    if not name:
        from appwarden.sdk.kb import load_kb

        record = load_kb().get(owner)
        name = getattr(record, "name_zh", "") or owner
    return f"第三方SDK（{name}）"
