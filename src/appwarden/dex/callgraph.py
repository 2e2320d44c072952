"""Call graph of an app: direct invoke edges, class-hierarchy edges inside app code, and Android async edges.

Contract: ``CallGraph(index)`` (usually ``index.callgraph``) builds on first use a graph whose nodes are full smali
method descriptors. Edges:

1. **Direct**: every ``invoke-*`` (35c/3rc/polymorphic) from the calling method to the method reference as written.
   ``invoke-custom`` (call sites) has no static callee and gives no edge.
2. **Class hierarchy** (virtual/interface/super calls whose reference class is defined in the app): the reference
   is resolved upwards to the app class that actually defines the method (inherited implementation), and edges
   are added to every override of ``name(proto)`` in app subclasses / implementors of the reference class. Calls
   whose reference class is a framework class get no hierarchy edges (``Object.toString`` would otherwise reach
   every ``toString`` of the app); the framework callbacks that matter are the synthetic edges below.
3. **Synthetic Android/Java async edges** (:data:`ASYNC_DISPATCH`): when a method calls one of these dispatch
   APIs, it gets edges to the listed callback methods of (a) every app class it instantiates (``new-instance``)
   in the same method, (b) its own class, and (c) the reference class of the dispatch call when that is an app
   class, provided that class is a subtype (through app classes) of the callback's base type:

   ==========================================================  ===============================================
   dispatch API (class->name)                                  callbacks
   ==========================================================  ===============================================
   ``Thread.start``                                            ``run()V`` of Thread / Runnable subtypes
   ``Executor.execute``, ``ExecutorService.execute/submit``,   ``run()V`` of Runnable, ``call()`` of Callable
   ``ThreadPoolExecutor.execute/submit``,
   ``ScheduledExecutorService.schedule*``
   ``Handler.post*``, ``View.post*``, ``Activity.runOnUiThread``  ``run()V`` of Runnable
   ``Timer.schedule/scheduleAtFixedRate``                      ``run()V`` of TimerTask
   ``AsyncTask.execute/executeOnExecutor``                     ``onPreExecute``, ``doInBackground``,
                                                               ``onProgressUpdate``, ``onPostExecute``
   ==========================================================  ===============================================

Queries: :meth:`callees`, :meth:`callers`, :meth:`reachable` (BFS; returns ``{method: parent}`` so a path can be
printed, entries map to ``None``), :meth:`path` (shortest path from any entry to a target, or ``None``).

Representation: every method descriptor gets an integer node id (one id space over all DEXes: the same method has a
different method id in each DEX). The direct edges of a DEX come from one pass of the C kernel ``call_edges`` over
its packed records. Hierarchy edges are computed once per distinct app-class reference ``(class, name+proto)``, not
per call: when a virtual/interface reference has several targets it gets a synthetic *virtual node* with edges to
them, and each call adds the edge caller -> virtual node next to caller -> reference (one target: a direct edge to
it; super calls: a direct edge to the inherited implementation). Virtual nodes never appear in a result: the BFS
(C kernel ``bfs``) crosses them at no cost, so depths, reachable sets and shortest paths are those of the graph
with the hierarchy edges written out. Async edges are computed in Python for the few methods that call a dispatch
API (found with the C ``select``).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING

from appwarden.dex import pywalk, walker
from appwarden.dex.records import (
    EV_INVOKE,
    EV_NEW_INSTANCE,
    EVENT_WORDS,
    METHOD_WORDS,
    OP_INVOKE_CUSTOM,
    OP_INVOKE_CUSTOM_RANGE,
    OP_INVOKE_INTERFACE,
    OP_INVOKE_SUPER,
    OP_INVOKE_VIRTUAL,
)

if TYPE_CHECKING:
    from appwarden.dex.index import CodeIndex, DexCode

_RUNNABLE = ("Ljava/lang/Runnable;", ("run()V",))
_CALLABLE = ("Ljava/util/concurrent/Callable;", ("call()Ljava/lang/Object;",))
_THREAD = ("Ljava/lang/Thread;", ("run()V",))
_TIMERTASK = ("Ljava/util/TimerTask;", ("run()V",))
_ASYNCTASK = (
    "Landroid/os/AsyncTask;",
    ("onPreExecute()V", "doInBackground(", "onProgressUpdate(", "onPostExecute("),
)

_EXECUTORS = (
    "Ljava/util/concurrent/Executor;",
    "Ljava/util/concurrent/ExecutorService;",
    "Ljava/util/concurrent/ThreadPoolExecutor;",
    "Ljava/util/concurrent/AbstractExecutorService;",
    "Ljava/util/concurrent/ScheduledExecutorService;",
    "Ljava/util/concurrent/ScheduledThreadPoolExecutor;",
)

# (class, method name) -> callback specs (base type, callback signatures; a signature ending in "(" is a prefix)
ASYNC_DISPATCH: dict[tuple[str, str], tuple[tuple[str, tuple[str, ...]], ...]] = {
    ("Ljava/lang/Thread;", "start"): (_THREAD, _RUNNABLE),
    **{
        (cls, name): (_RUNNABLE, _CALLABLE)
        for cls in _EXECUTORS
        for name in ("execute", "submit", "schedule", "scheduleAtFixedRate", "scheduleWithFixedDelay")
    },
    **{
        ("Landroid/os/Handler;", name): (_RUNNABLE,)
        for name in ("post", "postDelayed", "postAtTime", "postAtFrontOfQueue")
    },
    ("Landroid/view/View;", "post"): (_RUNNABLE,),
    ("Landroid/view/View;", "postDelayed"): (_RUNNABLE,),
    ("Landroid/app/Activity;", "runOnUiThread"): (_RUNNABLE,),
    ("Ljava/util/Timer;", "schedule"): (_TIMERTASK,),
    ("Ljava/util/Timer;", "scheduleAtFixedRate"): (_TIMERTASK,),
    ("Landroid/os/AsyncTask;", "execute"): (_ASYNCTASK,),
    ("Landroid/os/AsyncTask;", "executeOnExecutor"): (_ASYNCTASK,),
}

NONE = 0xFFFFFFFF  # "no node" in the u32 maps and parent arrays of the kernels

_VIRTUAL_OPS = bytes(sorted(OP_INVOKE_VIRTUAL | OP_INVOKE_INTERFACE))
_SUPER_OPS = bytes(sorted(OP_INVOKE_SUPER))
_CUSTOM = (OP_INVOKE_CUSTOM, OP_INVOKE_CUSTOM_RANGE)
_APP_DISPATCH_NAMES = ("start", "execute", "executeOnExecutor")
_MISSING = object()
_REACH_CACHE = 8  # reachable() results kept per graph (the rules ask for the same entries several times)


def _split(desc: str) -> tuple[str, str]:
    cls, _, rest = desc.partition("->")
    return cls, rest


def _u32(data: bytes) -> array:
    a = array("I")
    a.frombytes(data)
    return a


class CallGraph:
    """See the module docstring."""

    def __init__(self, index: CodeIndex) -> None:
        self.index = index
        self._gid: dict[str, int] = {}  # method descriptor -> node id
        self._names: list[str] = []  # node id -> descriptor (real nodes only)
        self._n_real = 0  # node ids >= _n_real are virtual nodes
        self._n_nodes = 0
        self._edges = b""  # (src, dst) u32 pairs, duplicates allowed
        self._csr: tuple[array, array] | None = None  # offsets, targets (deduplicated per source)
        self._rcsr: tuple[array, array] | None = None  # the same for the reversed edges
        self._reach: dict[tuple[str, ...], dict[str, str | None]] = {}
        self._edge_count: int | None = None
        self._parents: dict[str, tuple[str, ...]] = {}  # app class -> superclass + interfaces
        self._children: dict[str, list[str]] = {}
        # app class -> {"name(proto)ret": node} it defines (built on demand)
        self._defined: dict[str, dict[str, int]] = {}
        self._hier_cache: dict[tuple[str, str, bool], frozenset[int]] = {}
        self._desc_cache: dict[str, tuple[str, ...]] = {}
        self._anc_cache: dict[str, tuple[str, ...]] = {}
        self._maps: list[array] = []  # per DEX: method idx -> node id
        self._mids: list[list[int]] = []  # per DEX: method record -> method idx
        self._build()

    # -- construction ------------------------------------------------------------------------------------------

    def _node(self, desc: str) -> int:
        """Node id of a descriptor no DEX lists among its method ids (only in malformed DEX files)."""
        g = self._gid.get(desc)
        if g is None:
            g = self._gid[desc] = len(self._gid)
        return g

    def _build(self) -> None:
        index = self.index
        codes = index.codes
        gid = self._gid
        children = self._children
        for desc, (sup, ifaces) in index._all_class_supers().items():
            parents = self._parents[desc] = (sup, *ifaces) if sup is not None else ifaces
            for p in parents:
                children.setdefault(p, []).append(desc)

        # 1. a node per method id of every DEX (the same descriptor in two DEXes is one node)
        maps = self._maps
        for code in codes:
            descs = code.descs
            if not gid:  # first DEX: its method ids are the node ids
                gid.update(zip(descs, range(len(descs)), strict=True))
                if len(gid) == len(descs):
                    maps.append(array("I", range(len(descs))))
                    continue
                gid.clear()  # a descriptor listed twice (malformed DEX)
            maps.append(array("I", [gid.setdefault(d, len(gid)) for d in descs]))
        self._mids = [code.methods[1::METHOD_WORDS].tolist() for code in codes]

        # 2. hierarchy targets per distinct app-class reference; async targets of the dispatching methods. Targets
        #    are node ids; a malformed DEX can name one no method id has (a new node, numbered before virtual ones)
        scache: dict[str, int | None] = {}
        vnodes: dict[tuple[int, ...], int] = {}  # sorted targets -> virtual node number k (in creation order)
        virtual: list[list[tuple[int, int]]] = []  # per DEX: (method idx, node, or -1 - k for virtual node k)
        supers: list[list[tuple[int, int]]] = []  # per DEX: (method idx, node) of super refs
        async_edges = array("I")
        for ci, code in enumerate(codes):
            descs, gmap = code.descs, maps[ci]
            n = len(descs)
            virtual.append(
                self._virtual_refs(ci, _u32(walker.invoked_ids(code.events_raw, n, _VIRTUAL_OPS)), vnodes)
            )
            found_s: list[tuple[int, int]] = []
            for midx in _u32(walker.invoked_ids(code.events_raw, n, _SUPER_OPS)):
                d = descs[midx]
                y = scache.get(d, _MISSING)
                if y is _MISSING:
                    y = scache[d] = self._super_extra(d, gmap[midx])
                if y is not None:
                    found_s.append((midx, y))
            supers.append(found_s)
            self._add_async_edges(code, gmap, async_edges)

        # 3. number the virtual nodes after every real node; the C kernel emits the edges of each DEX
        n_real = self._n_real = len(gid)
        self._n_nodes = n_real + len(vnodes)
        chunks = []
        for ci, code in enumerate(codes):
            n = len(code.descs)
            vmap = array("I", [NONE]) * n
            for midx, x in virtual[ci]:
                vmap[midx] = x if x >= 0 else n_real - 1 - x
            smap = array("I", [NONE]) * n
            for midx, y in supers[ci]:
                smap[midx] = y
            chunks.append(
                walker.call_edges(
                    code.methods_raw, code.events_raw, maps[ci].tobytes(), vmap.tobytes(), smap.tobytes()
                )
            )
        vedges = array("I")
        for targets, k in vnodes.items():
            for t in targets:
                vedges.extend((n_real + k, t))
        chunks += [vedges.tobytes(), async_edges.tobytes()]
        self._edges = b"".join(chunks)
        self._names = list(gid)

    def _virtual_refs(self, ci: int, ids: array, vnodes: dict[tuple[int, ...], int]) -> list[tuple[int, int]]:
        """``(method idx, extra)`` for the method ids of DEX ``ci`` called with invoke-virtual/interface whose
        call also reaches other methods: extra is a node (one target) or ``-1 - k`` for virtual node ``k``.

        The ids come sorted, so grouped by class; each class's hierarchy is looked up once for its group.
        """
        code = self.index.codes[ci]
        types, descs, gmap = code.type_descs, code.descs, self._maps[ci]
        app, children = self.index._class_map, self._children
        out: list[tuple[int, int]] = []
        for t, group in groupby(ids, code.dex.method_class.__getitem__):
            cls = types[t]
            if "->" in cls:  # "Lcls;->name..." would not split at the class (hostile DEX): the general path
                for m in group:
                    ref_cls, sig = _split(descs[m])
                    if ref_cls in app:
                        self._add_extra(out, vnodes, m, gmap[m], self._hierarchy_targets(ref_cls, sig, False))
                continue
            where = app.get(cls)
            if where is None:
                continue
            subs = self._descendants(cls) if cls in children else ()
            if where[0] == ci and not subs:
                # the common case: a method of a class without subclasses, that the class defines itself
                rng = code.class_records(where[1])
                own = set(self._mids[ci][rng.start : rng.stop] if isinstance(rng, range) else ())
                group = [m for m in group if m not in own]
            chain = [self._defined_of(c) for c in self._ancestors(cls)]
            below = [self._defined_of(c) for c in subs]
            cut = len(cls) + 2
            for m in group:
                sig = descs[m][cut:]
                targets = set()
                for defined in chain:  # inherited implementation
                    node = defined.get(sig)
                    if node is not None:
                        targets.add(node)
                        break
                for defined in below:  # overrides in subclasses / implementors
                    node = defined.get(sig)
                    if node is not None:
                        targets.add(node)
                self._add_extra(out, vnodes, m, gmap[m], targets)
        return out

    @staticmethod
    def _add_extra(
        out: list[tuple[int, int]],
        vnodes: dict[tuple[int, ...], int],
        m: int,
        node: int,
        targets: Iterable[int],
    ) -> None:
        targets = set(targets)
        targets.discard(node)  # the call edge to the reference itself is there anyway
        if len(targets) == 1:
            out.append((m, targets.pop()))
        elif targets:
            key = tuple(sorted(targets))
            k = vnodes.get(key)
            if k is None:
                k = vnodes[key] = len(vnodes)
            out.append((m, -1 - k))

    def _super_extra(self, ref: str, node: int) -> int | None:
        cls, sig = _split(ref)
        if cls not in self.index._class_map:
            return None
        targets = self._hierarchy_targets(cls, sig, True)
        if not targets or node in targets:
            return None
        return next(iter(targets))

    def _dispatch_callers(self, code: DexCode) -> list[int]:
        """Method records of ``code`` that invoke a dispatch API (or start/execute on an app class)."""
        dex = code.dex
        app = self.index._class_map
        dex.prefetch_strings({s for key in ASYNC_DISPATCH for s in key} | set(_APP_DISPATCH_NAMES))
        ids: list[int] = []
        for cls, name in ASYNC_DISPATCH:
            ids += dex.find_methods(cls, name)
        descs = code.descs
        for name in _APP_DISPATCH_NAMES:
            sidx = dex.find_string(name)
            if sidx is None:
                continue
            i = -1
            while True:  # array.index scans in C
                try:
                    i = dex.method_name.index(sidx, i + 1)
                except ValueError:
                    break
                if _split(descs[i])[0] in app:
                    ids.append(i)
        records: set[int] = set()
        events = code.events
        for i in code.select(EV_INVOKE, ids, dex.method_ids_size):
            if events[i * EVENT_WORDS] & 0xFF not in _CUSTOM:
                records.add(code.record_of_event(i))
        return sorted(records)

    def _add_async_edges(self, code: DexCode, gmap: array, out: array) -> None:
        """Synthetic edges (:data:`ASYNC_DISPATCH`) of the methods of ``code`` that call a dispatch API."""
        app = self.index._class_map
        descs, types, methods, events = code.descs, code.type_descs, code.methods, code.events
        for r in self._dispatch_callers(code):
            base = r * METHOD_WORDS
            caller_idx, start, end = methods[base + 1], methods[base + 4], methods[base + 5]
            created: list[str] = []
            dispatch: list[tuple[str, str]] = []
            for i in range(start, end):
                k, idx = events[i * EVENT_WORDS], events[i * EVENT_WORDS + 2]
                kind = k >> 8
                if kind == EV_NEW_INSTANCE:
                    created.append(types[idx])  # a type index here, checked by the walker
                    continue
                if kind != EV_INVOKE or k & 0xFF in _CUSTOM:
                    continue
                cls, sig = _split(descs[idx])
                name = sig.partition("(")[0]
                if (cls, name) in ASYNC_DISPATCH:
                    dispatch.append((cls, name))
                elif name in _APP_DISPATCH_NAMES and cls in app:
                    for base_cls, name2 in (
                        ("Ljava/lang/Thread;", "start"),
                        ("Landroid/os/AsyncTask;", name),
                    ):
                        if name == name2 and self.is_subtype(cls, base_cls):
                            dispatch.append((base_cls, name2))
                            created.append(cls)
            if not dispatch:
                continue
            targets: set[int] = set()
            candidates = {*created, _split(descs[caller_idx])[0]}
            for key in dispatch:
                # .get: ("AsyncTask", "start") is appended above for start() on an AsyncTask subclass and has no
                # callbacks (the previous implementation raised KeyError there)
                for base_cls, callbacks in ASYNC_DISPATCH.get(key, ()):
                    for cand in candidates:
                        if cand in app and self.is_subtype(cand, base_cls):
                            targets.update(self._callbacks_of(cand, callbacks))
            src = gmap[caller_idx]
            for t in sorted(targets):
                out.extend((src, t))

    def _defined_of(self, cls: str) -> dict[str, int]:
        """``{"name(proto)ret": node}`` of the methods the app class ``cls`` defines (empty for other classes)."""
        got = self._defined.get(cls)
        if got is None:
            got = self._defined[cls] = {}
            where = self.index._class_map.get(cls)
            if where is not None:
                ci, cdi = where
                code = self.index.codes[ci]
                gmap, rd, rng = self._maps[ci], code.record_descs, code.class_records(cdi)
                if isinstance(rng, range) and "->" not in cls:
                    # the usual case: every method id of the class's records names the class itself, so each
                    # descriptor is f"{cls}->{sig}" and its node is the method id's
                    mids = self._mids[ci][rng.start : rng.stop]
                    mclass = code.dex.method_class
                    t = code.dex.class_defs[cdi * 8]
                    lo = bisect_left(mclass, t)
                    if not mids or (lo <= min(mids) and max(mids) < bisect_right(mclass, t, lo)):
                        cut = len(cls) + 2
                        descs = rd[rng.start : rng.stop]
                        got.update({d[cut:]: gmap[m] for d, m in zip(descs, mids, strict=True)})
                        return got
                mids = self._mids[ci]
                for r in rng:
                    c, _, sig = rd[r].partition("->")
                    if sig not in got:
                        # the node of f"{cls}->{sig}": the method's own unless its id names another class
                        got[sig] = gmap[mids[r]] if c == cls else self._node(f"{cls}->{sig}")
        return got

    def _callbacks_of(self, cls: str, callbacks: tuple[str, ...]) -> list[int]:
        """Methods of ``cls`` (or inherited from its app superclasses) matching the callback signatures."""
        found = []
        for c in self._ancestors(cls):
            for sig, node in self._defined_of(c).items():
                if any(sig.startswith(cb) if cb.endswith("(") else sig == cb for cb in callbacks):
                    found.append(node)
        return found

    def _ancestors(self, cls: str) -> tuple[str, ...]:
        """``cls`` and its app superclasses (nearest first)."""
        cached = self._anc_cache.get(cls)
        if cached is None:
            app = self.index._class_map
            chain: list[str] = []
            seen: set[str] = set()
            c: str | None = cls
            while c is not None and c in app and c not in seen:
                seen.add(c)
                chain.append(c)
                parents = self._parents.get(c, ())
                c = parents[0] if parents else None
            cached = self._anc_cache[cls] = tuple(chain)
        return cached

    def _hierarchy_targets(self, cls: str, sig: str, super_call: bool) -> frozenset[int]:
        """Nodes of the inherited implementation of ``cls->sig`` and (unless ``super_call``) of its overrides."""
        key = (cls, sig, super_call)
        cached = self._hier_cache.get(key)
        if cached is not None:
            return cached
        targets: set[int] = set()
        for c in self._ancestors(cls):  # inherited implementation
            node = self._defined_of(c).get(sig)
            if node is not None:
                targets.add(node)
                break
        if not super_call:
            for sub in self._descendants(cls):  # overrides in subclasses / implementors
                node = self._defined_of(sub).get(sig)
                if node is not None:
                    targets.add(node)
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

    # -- adjacency ---------------------------------------------------------------------------------------------

    def _forward(self) -> tuple[array, array]:
        if self._csr is None:
            off, tgt = _kernels().build_csr(self._edges, self._n_nodes)
            self._csr = (_u32(off), _u32(tgt))
        return self._csr

    def _backward(self) -> tuple[array, array]:
        if self._rcsr is None:
            fwd = _u32(self._edges)
            rev = array("I", bytes(len(self._edges)))
            rev[0::2] = fwd[1::2]
            rev[1::2] = fwd[0::2]
            off, tgt = _kernels().build_csr(rev.tobytes(), self._n_nodes)
            self._rcsr = (_u32(off), _u32(tgt))
        return self._rcsr

    def _expand(self, nodes: Iterable[int], csr: tuple[array, array]) -> set[str]:
        """Descriptors of ``nodes``, with each virtual node replaced by its own neighbours in ``csr``."""
        off, tgt = csr
        names, n_real = self._names, self._n_real
        out: set[str] = set()
        for t in nodes:
            if t < n_real:
                out.add(names[t])
            else:
                out.update(names[x] for x in tgt[off[t] : off[t + 1]] if x < n_real)
        return out

    # -- queries -----------------------------------------------------------------------------------------------

    def callees(self, method: str) -> set[str]:
        """Methods ``method`` may call (direct, hierarchy and synthetic edges)."""
        g = self._gid.get(method)
        if g is None:
            return set()
        off, tgt = csr = self._forward()
        return self._expand(tgt[off[g] : off[g + 1]], csr)

    def callers(self, method: str) -> set[str]:
        """Methods that may call ``method``."""
        g = self._gid.get(method)
        if g is None:
            return set()
        off, tgt = csr = self._backward()
        return self._expand(tgt[off[g] : off[g + 1]], csr)

    @property
    def edge_count(self) -> int:
        """Number of (caller, callee) pairs, hierarchy targets counted as direct edges (virtual nodes excluded)."""
        if self._edge_count is None:
            off, _tgt = self._forward()
            self._edge_count = sum(
                len(self.callees(self._names[g])) for g in range(self._n_real) if off[g] != off[g + 1]
            )
        return self._edge_count

    def _reachable(self, entries: tuple[str, ...]) -> dict[str, str | None]:
        """:meth:`reachable` without the defensive copy (cached per entries)."""
        got = self._reach.get(entries)
        if got is not None:
            return got
        gid, names = self._gid, self._names
        known = array("I", [g for e in entries if (g := gid.get(e)) is not None])
        off, tgt = self._forward()
        parents_raw, order_raw = _kernels().bfs(off.tobytes(), tgt.tobytes(), self._n_real, known.tobytes())
        parents, order = _u32(parents_raw), _u32(order_raw)
        found: dict[str, str | None] = dict.fromkeys(entries)
        rest = order[len(set(known)) :]  # the entries come first in the visit order
        found.update(zip([names[g] for g in rest], [names[parents[g]] for g in rest], strict=True))
        if len(self._reach) >= _REACH_CACHE:
            self._reach.pop(next(iter(self._reach)))
        self._reach[entries] = found
        return found

    def reachable(self, entries: Iterable[str]) -> dict[str, str | None]:
        """BFS from ``entries``: every reachable method -> the method it was first reached from (entries: None)."""
        return dict(self._reachable(tuple(entries)))

    def path(self, entries: Iterable[str], target: str) -> list[str] | None:
        """A shortest call path ``[entry, ..., target]``, or None when ``target`` is not reachable."""
        parents = self._reachable(tuple(entries))
        if target not in parents:
            return None
        chain = [target]
        while (p := parents[chain[-1]]) is not None:
            chain.append(p)
        return chain[::-1]


def _kernels():
    """The module with ``build_csr`` / ``bfs``."""
    return pywalk
