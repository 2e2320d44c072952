"""The call graph as it was before the integer graph (string sets per method), kept to check the new one against.

Copied unchanged from ``appwarden/dex/callgraph.py`` (commit 333c0b9) except for this docstring, reusing
the production ``ASYNC_DISPATCH`` table, and the reflective edges added since (written here the plain way: the
const-strings of each method that invokes a class-loading and a method-lookup API, strings compared as strings):
the corpus test compares the reachable sets of both.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

from appwarden.dex.callgraph import ASYNC_DISPATCH, REFLECTIVE_CLASS_LOADS, REFLECTIVE_METHOD_LOOKUPS
from appwarden.dex.reader import NO_INDEX
from appwarden.dex.records import (
    EV_INVOKE,
    EV_NEW_INSTANCE,
    EV_STRING,
    EVENT_WORDS,
    METHOD_WORDS,
    OP_INVOKE_CUSTOM,
    OP_INVOKE_CUSTOM_RANGE,
    OP_INVOKE_INTERFACE,
    OP_INVOKE_SUPER,
    OP_INVOKE_VIRTUAL,
)
from appwarden.errors import DexFormatError

if TYPE_CHECKING:
    from appwarden.dex.index import CodeIndex, DexCode

_VIRTUALISH = OP_INVOKE_VIRTUAL | OP_INVOKE_INTERFACE | OP_INVOKE_SUPER


def _split(desc: str) -> tuple[str, str]:
    cls, _, rest = desc.partition("->")
    return cls, rest


class ReferenceCallGraph:
    """The previous implementation (see the module docstring)."""

    def __init__(self, index: CodeIndex) -> None:
        self.index = index
        self._out: dict[str, set[str]] = {}
        self._in: dict[str, set[str]] | None = None
        self._parents: dict[str, tuple[str, ...]] = {}
        self._children: dict[str, set[str]] = {}
        self._defined: dict[str, set[str]] = {}  # class -> {"name(proto)ret"} it defines
        self._hier_cache: dict[tuple[str, str, bool], frozenset[str]] = {}
        self._desc_cache: dict[str, tuple[str, ...]] = {}
        self._build()

    # -- construction ------------------------------------------------------------------------------------------

    def _build(self) -> None:
        index = self.index
        class_map = index._class_map
        for ci, code in enumerate(index.codes):
            dex = code.dex
            by_class = code.by_class()
            methods = code.methods
            for cdi, desc in enumerate(dex.class_descriptors):
                if class_map.get(desc) != (ci, cdi):
                    continue  # a later duplicate definition: Android uses the first one
                _cls, _flags, sup, ifaces_off, *_ = dex.class_def(cdi)
                try:
                    parents = ((dex.type_desc(sup),) if sup != NO_INDEX else ()) + tuple(
                        dex.type_list(ifaces_off)
                    )
                except DexFormatError:
                    parents = ()
                self._parents[desc] = parents
                for p in parents:
                    self._children.setdefault(p, set()).add(desc)
                self._defined[desc] = {
                    _split(code.method_desc(methods[r * METHOD_WORDS + 1]))[1] for r in by_class.get(cdi, ())
                }
        for code in index.codes:
            self._add_code_edges(code)

    def _add_code_edges(self, code: DexCode) -> None:
        dex = code.dex
        methods = code.methods
        kinds = code.events[0::EVENT_WORDS].tolist()
        idxs = code.events[2::EVENT_WORDS].tolist()
        app = self.index._class_map
        # per referenced method id: (descriptor, class, "name(proto)ret", name) - computed once per DEX
        info: dict[int, tuple[str, str, str, str]] = {}
        for r in range(code.n_methods):
            base = r * METHOD_WORDS
            start, end = methods[base + 4], methods[base + 5]
            if start == end:
                continue
            caller = code.method_desc(methods[base + 1])
            out = self._out.setdefault(caller, set())
            created: list[str] = []
            dispatch: list[tuple[str, str]] = []
            strings: set[str] = set()
            loads = lookups = False
            for k, midx in zip(kinds[start:end], idxs[start:end], strict=True):
                kind = k >> 8
                if kind == EV_STRING:
                    strings.add(dex.string(midx))
                    continue
                if kind == EV_NEW_INSTANCE:
                    created.append(dex.type_desc(midx))  # a type index here, checked by the walker
                    continue
                op = k & 0xFF
                if kind != EV_INVOKE or op in (OP_INVOKE_CUSTOM, OP_INVOKE_CUSTOM_RANGE):
                    continue
                got = info.get(midx)
                if got is None:
                    callee = code.method_desc(midx)
                    cls, sig = _split(callee)
                    got = info[midx] = (callee, cls, sig, sig.partition("(")[0])
                callee, cls, sig, name = got
                out.add(callee)
                loads = loads or (cls, name) in REFLECTIVE_CLASS_LOADS
                lookups = lookups or (cls, name) in REFLECTIVE_METHOD_LOOKUPS
                if (cls, name) in ASYNC_DISPATCH:
                    dispatch.append((cls, name))
                elif name in ("start", "execute", "executeOnExecutor") and cls in app:
                    for base_cls, name2 in (
                        ("Ljava/lang/Thread;", "start"),
                        ("Landroid/os/AsyncTask;", name),
                    ):
                        if name == name2 and self.is_subtype(cls, base_cls):
                            dispatch.append((base_cls, name2))
                            created.append(cls)
                if op in _VIRTUALISH and cls in app:
                    out.update(self._hierarchy_targets(cls, sig, op in OP_INVOKE_SUPER))
            if loads and lookups:
                for text in strings:
                    target = "L" + text.replace(".", "/") + ";"
                    if "/" in text or ";" in text or text.startswith("[") or target not in app:
                        continue
                    hits = {
                        f"{target}->{sig}"
                        for sig in self._defined[target]
                        if sig.partition("(")[0] in strings and not sig.startswith("<")
                    }
                    if hits and "<clinit>()V" in self._defined[target]:
                        hits.add(f"{target}-><clinit>()V")
                    out.update(hits)
            if dispatch:
                candidates = {*created, _split(caller)[0]}
                for key in dispatch:
                    for base_cls, callbacks in ASYNC_DISPATCH[key]:
                        for cand in candidates:
                            if cand in app and self.is_subtype(cand, base_cls):
                                out.update(self._callbacks_of(cand, callbacks))

    def _callbacks_of(self, cls: str, callbacks: tuple[str, ...]) -> list[str]:
        """Methods of ``cls`` (or inherited from its app superclasses) matching the callback signatures."""
        found = []
        for c in self._ancestors(cls):
            for sig in self._defined.get(c, ()):
                if any(sig.startswith(cb) if cb.endswith("(") else sig == cb for cb in callbacks):
                    found.append(f"{c}->{sig}")
        return found

    def _ancestors(self, cls: str) -> list[str]:
        """``cls`` and its app superclasses (nearest first)."""
        chain, seen = [], set()
        c: str | None = cls
        while c is not None and c in self._defined and c not in seen:
            seen.add(c)
            chain.append(c)
            parents = self._parents.get(c, ())
            c = parents[0] if parents else None
        return chain

    def _hierarchy_targets(self, cls: str, sig: str, super_call: bool) -> frozenset[str]:
        key = (cls, sig, super_call)
        cached = self._hier_cache.get(key)
        if cached is not None:
            return cached
        targets: set[str] = set()
        for c in self._ancestors(cls):  # inherited implementation
            if sig in self._defined.get(c, ()):
                targets.add(f"{c}->{sig}")
                break
        if not super_call:
            for sub in self._descendants(cls):  # overrides in subclasses / implementors
                if sig in self._defined.get(sub, ()):
                    targets.add(f"{sub}->{sig}")
        result = self._hier_cache[key] = frozenset(targets)
        return result

    def _descendants(self, cls: str) -> tuple[str, ...]:
        cached = self._desc_cache.get(cls)
        if cached is None:
            todo, seen = [cls], {cls}
            while todo:
                for sub in self._children.get(todo.pop(), ()):
                    if sub not in seen:
                        seen.add(sub)
                        todo.append(sub)
            seen.discard(cls)
            cached = self._desc_cache[cls] = tuple(seen)
        return cached

    def is_subtype(self, cls: str, base: str) -> bool:
        """Whether ``cls`` is ``base`` or reaches it through app superclasses / interfaces."""
        todo, seen = [cls], set()
        while todo:
            c = todo.pop()
            if c == base:
                return True
            if c in seen:
                continue
            seen.add(c)
            todo.extend(self._parents.get(c, ()))
        return False

    # -- queries -----------------------------------------------------------------------------------------------

    def callees(self, method: str) -> set[str]:
        """Methods ``method`` may call (direct, hierarchy and synthetic edges)."""
        return set(self._out.get(method, ()))

    def callers(self, method: str) -> set[str]:
        """Methods that may call ``method``."""
        if self._in is None:
            inv: dict[str, set[str]] = {}
            for src, dsts in self._out.items():
                for d in dsts:
                    inv.setdefault(d, set()).add(src)
            self._in = inv
        return set(self._in.get(method, ()))

    @property
    def edge_count(self) -> int:
        return sum(len(v) for v in self._out.values())

    def reachable(self, entries: Iterable[str]) -> dict[str, str | None]:
        """BFS from ``entries``: every reachable method -> the method it was first reached from (entries: None)."""
        parents: dict[str, str | None] = {}
        queue: deque[str] = deque()
        for e in entries:
            if e not in parents:
                parents[e] = None
                queue.append(e)
        while queue:
            m = queue.popleft()
            for callee in self._out.get(m, ()):
                if callee not in parents:
                    parents[callee] = m
                    queue.append(callee)
        return parents

    def path(self, entries: Iterable[str], target: str) -> list[str] | None:
        """A shortest call path ``[entry, ..., target]``, or None when ``target`` is not reachable."""
        parents = self.reachable(entries)
        if target not in parents:
            return None
        chain = [target]
        while (p := parents[chain[-1]]) is not None:
            chain.append(p)
        return chain[::-1]


def depths(parents: dict[str, str | None]) -> dict[str, int]:
    """BFS depth of every method of a ``reachable()`` result (entries: 0)."""
    out: dict[str, int] = {}
    for m in parents:
        chain = []
        node: str | None = m
        while node is not None and node not in out:
            chain.append(node)
            node = parents[node]
        d = -1 if node is None else out[node]
        for n in reversed(chain):
            d += 1
            out[n] = d
    return out


def assert_same_reachability(new, old: ReferenceCallGraph, entries: list[str], where: object = None) -> None:
    """Same reachable set and the same depth for each method; every parent the new graph reports is a caller of
    the method in the reference graph (so paths differ at most in which equally short path is chosen)."""
    got, want = new.reachable(entries), old.reachable(entries)
    assert got.keys() == want.keys(), (where, got.keys() ^ want.keys())
    assert depths(got) == depths(want), where
    for m, p in got.items():
        if p is not None:
            assert m in old.callees(p), (where, p, m)
        else:
            assert m in entries, (where, m)
