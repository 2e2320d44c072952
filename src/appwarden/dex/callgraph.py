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

4. **Reflective edges** (constant-string reflection, :meth:`_add_reflection_edges`): a method that invokes a
   class-loading API (:data:`REFLECTIVE_CLASS_LOADS`: ``Class.forName``, ``ClassLoader.loadClass`` and the dalvik
   class loaders' ``loadClass``) and a method-lookup API (:data:`REFLECTIVE_METHOD_LOOKUPS`: ``Class.getMethod``,
   ``Class.getDeclaredMethod``) gets edges to every method (all overloads) of an app class ``C`` whose name is one
   of its ``const-string``s, plus ``C``'s ``<clinit>``, when another of its ``const-string``s is ``C``'s Java name
   ("a.b.C" for ``La/b/C;``). Both strings must be constants of that one method (as the reflection call sites of
   :mod:`appwarden.dex.api_index`); a class no DEX of the app defines gives no edge. The methods that call both
   kinds of API and their const-strings come from the C kernel ``reflect_scan`` (over the records of the
   class-loading invokes the C ``select`` finds); the strings are matched in Python.

Queries: :meth:`callees`, :meth:`callers`, :meth:`reachable` (BFS; returns a mapping ``{method: parent}`` so a path
can be printed, entries map to ``None``), :meth:`path` (shortest path from any entry to a target, or ``None``),
:meth:`walk` (the consent model's BFS: callees in descriptor order, cut edges, skipped prefixes, a closed set;
its loop in the C kernel ``_reach.walk`` over node ids and the CSR, the order and the prefix test from the C kernel
``class_ranks`` - the rank of each node's class among the class descriptors and a prefix flag, once per graph and
prefixes, no string per node; names are compared only between callees of one class (``sort_nodes``) or for a node
whose prefix flag needs its descriptor, once per node - and a mapping like :meth:`reachable`'s as result:
descriptors made only for what is asked of it).

Representation: every method descriptor gets an integer node id (one id space over all DEXes: the same method has a
different method id in each DEX), in first-seen order over the DEX files, from one call of the C kernel
``_reach.intern_all``, which hashes each method from its class's, name's and proto's hashes (each made once per DEX
from the DEX tables) and compares the parts' bytes only when two hash alike: no descriptor string, no
descriptor -> id dict and no int object per method (when it declines - a table check fails, or a class descriptor
with "->" or a name with "(" - ``intern_methods`` numbers them DEX by DEX from the built descriptors, and raises
the table's error). A node keeps one representative (DEX, method id); its
descriptor is decoded only when a query answers with it (then kept), and a query finds a descriptor's node by
bisecting the sorted type and method id tables of the DEX files (see ``_lookup``). :meth:`reachable` returns a
mapping over the kernel's parent array that makes descriptors on demand, so a scan makes strings for the
methods it reports, the paths it prints and the methods the rules ask about, not for every method of the app.
The direct edges of a DEX come from its packed records and events, read once: ``_reach.invoke_lists`` gives the
invoked ids below and a compact list of the invokes (4 bytes each, in record order), from which
``_reach.call_edges_from`` appends the edges ``call_edges`` would give, in the same order, to the edge list (when
``invoke_lists`` declines - records whose events do not follow one another, an index out of range -, the C kernels
``invoked_pair`` and ``call_edges`` each make a pass, and raise their errors), with two per-method-id maps of what
a call also reaches through the class hierarchy (invoke-virtual/interface; invoke-super). Those maps come from one
call of the C kernel ``_reach.hierarchy_all`` (which hashes each sig from its name's and proto's cached hashes, read from ``intern_all``), which resolves
each distinct referenced method of every DEX once over app-wide class numbers (a class, its superclass and its
subclasses may each be defined in another classesN.dex, as in any big multidex app), when the descriptors
compare bytewise exactly as Python compares them (it reads the name and proto of each method from the DEX
tables); the references it leaves (a class descriptor with "->", a name or proto that is not ASCII) are resolved
in Python with the same definitions. When it declines (records whose bytes would not compare as Python strings),
the graph goes DEX by DEX: the C kernel ``hierarchy_extras`` for hierarchies inside one DEX, Python for the rest,
with the same result (its arguments: the type statuses from ``_reach.class_numbers``, the invoked ids from
``invoke_lists``, else one pass of ``_reach.invoked_pair`` over each DEX's events). :meth:`is_subtype` answers the
async edges' base types (Thread, Runnable, Callable, TimerTask, AsyncTask) from the C kernel ``subtype_masks`` (one
byte per app class). A reference with several targets gets a synthetic *virtual node* with edges to them, and the call the edge caller -> virtual node next to caller -> reference. Virtual
nodes never appear in a result: the BFS (C kernel ``bfs``) crosses them at no cost, so depths, reachable sets and
shortest paths are those of the graph with the hierarchy edges written out; its work is linear in the adjacency
(a node is queued once, a virtual node expanded once) and it stops at the active stage deadline, as do
``hierarchy_all`` and ``hierarchy_extras`` (whose work grows with referenced classes x their descendants); the
construction also checks
the deadline between DEX files and every 1024 Python resolutions (``call_edges`` and ``build_csr`` are linear in
one DEX's records and in the edges). Async edges: the few methods that call a dispatch API are found with the C
``select``, their (candidate class, callback spec) pairs by the C kernel ``async_asks`` and the callbacks of those
pairs (each candidate's app superclass chain over app-wide class numbers, and the methods of its classes whose
"name(params)ret" matches a callback, from the DEX tables) by the C kernel ``async_callbacks``, one call per DEX; in
Python when they decline. Every kernel has a pure-Python twin in
:mod:`appwarden.dex.pywalk`, used for the ``_reach`` ones too when that extension is not built or the Python backend
is forced (``APPWARDEN_DEX_BACKEND=python``).
"""

from __future__ import annotations

import itertools
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    Sequence,
    ValuesView,
)
from typing import TYPE_CHECKING, Any

from appwarden.dex import backend, timed_out, walker
from appwarden.dex.reader import NO_INDEX
from appwarden.dex.records import (
    EV_INVOKE,
    EVENT_WORDS,
    METHOD_WORDS,
    OP_INVOKE_CUSTOM,
    OP_INVOKE_CUSTOM_RANGE,
    OP_INVOKE_INTERFACE,
    OP_INVOKE_SUPER,
    OP_INVOKE_VIRTUAL,
)
from appwarden.errors import DexFormatError
from appwarden.limits import check_deadline, deadline_monotonic

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

# ASYNC_DISPATCH's classes, each with its dispatch names (the async edges look each class's method ids up once)
_DISPATCH_BY_CLASS: dict[str, tuple[str, ...]] = {}
for _cls, _name in ASYNC_DISPATCH:
    _DISPATCH_BY_CLASS[_cls] = (*_DISPATCH_BY_CLASS.get(_cls, ()), _name)

# the callbacks' names (a signature's part before its first "("): _callbacks_of reads only the methods whose name may
# be one of them (see _callback_methods)
_CALLBACK_NAMES = sorted(
    {
        cb.partition("(")[0].encode("ascii")
        for specs in ASYNC_DISPATCH.values()
        for _b, cbs in specs
        for cb in cbs
    }
)

# the base types is_subtype answers from the C kernel subtype_masks (one bit each): those of the async edges
_SUBTYPE_BITS = {
    base: 1 << i
    for i, base in enumerate(
        sorted({b for specs in ASYNC_DISPATCH.values() for b, _ in specs} | {"Ljava/lang/Thread;"})
    )
}
assert len(_SUBTYPE_BITS) <= 8

# the callback specs of ASYNC_DISPATCH, numbered for the kernel async_asks: per spec the subtype_masks bit of its base
# type, and per dispatch key the bit set of its specs (spec k: bit 1 << k)
_SPECS: list[tuple[str, tuple[str, ...]]] = list(
    dict.fromkeys(s for specs in ASYNC_DISPATCH.values() for s in specs)
)
assert len(_SPECS) <= 8
_SPEC_BASEBITS = bytes(_SUBTYPE_BITS[base] for base, _cbs in _SPECS)
# per spec its callbacks as bytes (the kernel async_callbacks matches the methods' "name(params)ret" bytes with them)
_SPEC_CALLBACKS = [tuple(cb.encode("ascii") for cb in cbs) for _base, cbs in _SPECS]
_SPEC_MASK: dict[tuple[str, str], int] = {
    key: sum({1 << _SPECS.index(spec) for spec in specs}) for key, specs in ASYNC_DISPATCH.items()
}

# reflective call edges (see the module docstring, edge kind 4): the APIs that load a class by name, and those that
# look a method up by name on a Class object ((class, name) pairs, every overload)
REFLECTIVE_CLASS_LOADS: tuple[tuple[str, str], ...] = (
    ("Ljava/lang/Class;", "forName"),
    ("Ljava/lang/ClassLoader;", "loadClass"),
    ("Ldalvik/system/BaseDexClassLoader;", "loadClass"),
    ("Ldalvik/system/DexClassLoader;", "loadClass"),
    ("Ldalvik/system/PathClassLoader;", "loadClass"),
    ("Ldalvik/system/InMemoryDexClassLoader;", "loadClass"),
    ("Ldalvik/system/DelegateLastClassLoader;", "loadClass"),
)
REFLECTIVE_METHOD_LOOKUPS: tuple[tuple[str, str], ...] = (
    ("Ljava/lang/Class;", "getMethod"),
    ("Ljava/lang/Class;", "getDeclaredMethod"),
)

NONE = 0xFFFFFFFF  # "no node" in the u32 maps and parent arrays of the kernels
SPLIT = 0xFFFFFFFE  # hierarchy_extras: a class whose first definition is in another DEX

_VIRTUAL_OPS = bytes(sorted(OP_INVOKE_VIRTUAL | OP_INVOKE_INTERFACE))
_SUPER_OPS = bytes(sorted(OP_INVOKE_SUPER))
_CUSTOM = (OP_INVOKE_CUSTOM, OP_INVOKE_CUSTOM_RANGE)
_APP_DISPATCH_NAMES = ("start", "execute", "executeOnExecutor")
_UNSET: Any = object()


def _first(row: tuple[str, str, Any]) -> str:
    return row[0]


_REACH_CACHE = 8  # reachable() results kept per graph (the rules ask for the same entries several times)


def _load_reach() -> Any:
    """The reachability kernels: the C extension ``_reach`` beside ``_dexscan``, else (extension not built, or the
    Python backend forced) their pure-Python twins in :mod:`appwarden.dex.pywalk`."""
    if backend() == "c":
        try:
            from appwarden.dex import _reach
        except ImportError:
            pass
        else:
            return _reach
    from appwarden.dex import pywalk  # only now: a scan with the C extensions never imports it

    return pywalk


reach: Any = _load_reach()


_CALLBACK_KINDS: dict[tuple[str, ...], tuple[list[str], tuple[str, ...]]] = {}


def _callback_kinds(callbacks: tuple[str, ...]) -> tuple[list[str], tuple[str, ...]]:
    """(exact signatures, prefixes) of callback signatures (a signature ending in "(" is a prefix); kept."""
    got = _CALLBACK_KINDS.get(callbacks)
    if got is None:
        got = _CALLBACK_KINDS[callbacks] = (
            [cb for cb in callbacks if not cb.endswith("(")],
            tuple(cb for cb in callbacks if cb.endswith("(")),
        )
    return got


def _method_ids(dex: Any, pairs: tuple[tuple[str, str], ...]) -> list[int]:
    """The method ids of ``dex`` of each ``(class, name)`` of ``pairs`` (``find_methods(cls, name)``, every
    overload)."""
    return [m for cls, name in pairs for m in dex.find_methods(cls, name)]


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
        self._gid: dict[str, int] | None = None  # method descriptor -> node id, only if needed (see _lookup)
        self._ordered: bool | None = None  # whether _lookup can bisect every DEX's id tables (see _lookup)
        self._home: dict[str, tuple[int, ...]] = {}  # _lookup: class -> (its DEX, its method id range) or ()
        # node names: no string per node; a real node's descriptor is decoded when asked for (then kept in
        # _name_cache) from its representative (DEX number, method id) in _reps
        self._reps = array("I")  # 2 u32 per node listed by a DEX (ids 0 .. _n_real - 1)
        self._n_real = 0
        self._n = 0  # nodes in all: the listed ones, then virtual ones and _extra ones as they are made
        self._extra: dict[int, str] = {}  # node -> descriptor of a node no DEX lists (see _node)
        self._name_cache: dict[int, str] = {}
        # descriptor -> node (None: no node) of every name made and every descriptor looked up (a query's answer
        # is usually asked about next: membership in a reachable set, callees of a callee)
        self._node_of: dict[str, int | None] = {}
        self._vranges: list[tuple[int, int]] = []  # (first id, count) of the virtual nodes
        self._virtual = b""  # one byte per node, 1 for a virtual node (the BFS kernel's view)
        self._edges: bytes | bytearray = b""  # (src, dst) u32 pairs, duplicates allowed
        # offsets, targets (deduplicated per source)
        self._csr: tuple[Sequence[int], Sequence[int]] | None = None
        self._rcsr: tuple[array, array] | None = None  # the same for the reversed edges
        self._reach: dict[tuple[str, ...], Reached] = {}
        # walk: skip prefixes -> (class rank, prefix flag) per node, None: the walk names (see _walk_order)
        self._walk_ranks: dict[tuple[str, ...], tuple[array, bytearray] | None] = {}
        self._edge_count: int | None = None
        self._parents: dict[str, tuple[str, ...]] = {}  # app class -> superclass + interfaces (on demand)
        self._children: dict[str, list[str]] | None = None  # type -> app classes extending it (on demand)
        self._splits: list[bytearray] | None = None
        # app class -> {"name(proto)ret": node} it defines (built on demand, for the Python paths)
        self._defined: dict[str, dict[str, int]] = {}
        self._hier_cache: dict[tuple[str, str, bool], tuple[int, ...]] = {}
        self._desc_cache: dict[str, tuple[str, ...]] = {}
        self._anc_cache: dict[str, tuple[str, ...]] = {}
        self._own: dict[str, tuple[list[str], list[int]] | None] = {}
        # app class -> _own_methods' answer restricted to the methods a callback may be (see _callback_methods)
        self._cb_own: dict[str, tuple[list[str], Sequence[int]] | None] = {}
        self._cb_cache: dict[tuple[str, tuple[str, ...]], list[int]] = {}
        self._subtype: dict[tuple[str, str], bool] = {}
        # subtype_masks' byte per app-wide class number (class def index + _cls_base[DEX]), None: Python only
        self._masks: bytes | None = None
        self._cls_base: list[int] = []
        # per DEX: class_numbers' u32 per type id (app-wide class number, NONE), kept from _hierarchy_all for the
        # async edges (kernel async_asks) while the graph is built; None: the Python path
        self._status: list[bytes] | None = None
        # async_callbacks' per-DEX tables and class number bases, made on first use while the graph is built
        self._cb_dexes: list[tuple] | None = None
        self._cb_base = b""
        self._maps: list[array] = []  # per DEX: method idx -> node id
        self._hints: list[bytes] | None = None  # intern_all's sig hashes, until hierarchy_all has read them
        # per DEX: method record -> method idx (views of the records; None after unpickling, until used)
        self._mids: list[memoryview] | None = []
        self._build()

    def __getstate__(self) -> dict[str, Any]:
        # memoryviews cannot be pickled (process pools pickle results): _mids is rebuilt from the index's records
        state = dict(self.__dict__)
        state["_mids"] = None
        state["_walk_ranks"] = {}  # rebuilt on the next walk
        if self._csr is not None:  # views of build_csr's bytes (see _forward): pickled as arrays
            state["_csr"] = tuple(_u32(m.tobytes()) for m in self._csr)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)  # _mids stays None until used (the index may not be restored yet)
        self.__dict__.setdefault("_walk_ranks", {})

    def _mids_of(self, ci: int) -> memoryview:
        """Method record -> method idx of DEX ``ci`` (a view of its records)."""
        if self._mids is None:
            self._mids = [code.methods[1::METHOD_WORDS] for code in self.index.codes]
        return self._mids[ci]

    # -- construction ------------------------------------------------------------------------------------------

    def _node(self, desc: str) -> int:
        """Node id of a descriptor no DEX lists among its method ids (only in malformed DEX files)."""
        gid = self._complete_map()
        g = gid.get(desc)
        if g is None:
            g = gid[desc] = self._n
            self._n += 1
            self._extra[g] = desc
            self._node_of.pop(desc, None)
        return g

    def _virtual_ids(self) -> set[int]:
        return {g for first, count in self._vranges for g in range(first, first + count)}

    def _name(self, g: int) -> str | None:
        """The descriptor of node ``g`` (decoded on first use, then kept), None for a virtual node."""
        got = self._name_cache.get(g)
        if got is None:
            if g < self._n_real:
                code, m = self.index.codes[self._reps[2 * g]], self._reps[2 * g + 1]
                # the tables passed method_descs' checks when intern_methods numbered the nodes
                # (the id_args property's call skipped once they are made: nodes are named by the thousand)
                args = code._id_args
                got = (
                    code._descs[m]
                    if code._descs is not None
                    else walker.method_desc(args if args is not None else code.id_args, m)
                )
                if got is None:  # not ASCII: the reader's MUTF-8 decoder
                    got = code.dex.method_desc(m)
            else:
                got = self._extra.get(g)
                if got is None:
                    return None
            self._name_cache[g] = got
            self._node_of[got] = g
        return got

    def node_names(self) -> list[str | None]:
        """Every node's descriptor (None for a virtual node), decoded now and not kept: for tests and the
        complete map only (a scan never needs them all)."""
        virtual = self._virtual_ids()
        out: list[str | None] = []
        codes, reps = self.index.codes, self._reps
        for g in range(self._n):
            if g in virtual:
                out.append(None)
            elif g < self._n_real:
                out.append(self._name_cache.get(g) or codes[reps[2 * g]].method_desc(reps[2 * g + 1]))
            else:
                out.append(self._extra[g])
        return out

    def _complete_map(self) -> dict[str, int]:
        """descriptor -> node id of every real node, built on first need: only for descriptors no DEX lists or
        DEX files whose id tables :meth:`_lookup` cannot bisect (malformed or hostile files)."""
        if self._gid is None:
            names = self.node_names()
            gid = dict(zip(names, range(len(names)), strict=True))
            gid.pop(None, None)  # type: ignore[call-overload]  # virtual nodes
            self._gid = gid
        return self._gid

    def _lookup(self, desc: str) -> int | None:
        """Node id of a method descriptor, None when the app's DEX files neither call nor define it (cached, see
        :meth:`_find`)."""
        got = self._node_of.get(desc, _UNSET)
        if got is _UNSET:
            got = self._node_of[desc] = self._find(desc)
        return got

    def lookup_many(self, descs: Iterable[str]) -> None:
        """Look ``descs`` up at once (the answers cached for :meth:`_lookup`, the same as one by one): each new
        descriptor's method id in the range of its class's own DEX by one C call (``_reach.find_first``) per DEX
        instead of one per descriptor; the rest one by one (:meth:`_find`)."""
        node_of = self._node_of
        todo = [d for d in dict.fromkeys(descs) if d not in node_of]
        if not todo:
            return
        if self._ordered is None:
            self._ordered = all(map(self._is_ordered, self.index.codes))
        if self._gid is not None or not self._ordered:
            for d in todo:
                self._lookup(d)
            return
        codes = self.index.codes
        homes = self._home
        # the descriptors checked, split and grouped by the DEX of their class in C (twin pywalk.lookup_groups): the
        # classes without a home yet get theirs first (_homes_of), then the grouping is asked for again
        got = reach.lookup_groups(todo, homes)
        if got is not None and got[0] is None:
            self._homes_of(got[2])
            got = reach.lookup_groups(todo, homes)
        if got is not None and got[0] is not None:
            groups, rest, _missing = got
            queries = {ci: g[0] for ci, g in groups.items()}
            asked = {ci: g[1] for ci, g in groups.items()}
        else:
            queries, asked, rest = self._lookup_groups_py(todo)
        for ci, qs in queries.items():
            check_deadline()
            code = codes[ci]
            code.check_descs()
            gmap = self._maps[ci]
            # (the checks ran: a query stops at its first match)
            checked = code._checked or code._descs is not None
            for d, m in zip(asked[ci], reach.find_first(code.id_args, qs, checked), strict=True):
                if m >= 0:
                    node_of[d] = gmap[m]
                else:  # not in its class's own DEX (or a range find_methods refuses): the whole search
                    rest.append(d)
        for d in rest:
            self._lookup(d)

    def _lookup_groups_py(
        self, todo: list
    ) -> tuple[dict[int, list[tuple[int, int, bytes]]], dict[int, list[str]], list]:
        """``lookup_groups`` in Python (kept for homes it does not take): per DEX the queries of the descriptors
        whose class it defines and those descriptors, the descriptors to look up one by one."""
        queries: dict[int, list[tuple[int, int, bytes]]] = {}
        asked: dict[int, list[str]] = {}
        rest = []
        homes = self._home
        self._homes_of({d.partition("->")[0] for d in todo if type(d) is str} - homes.keys())
        for d in todo:
            if type(d) is not str or d.count("->") != 1 or not d.isascii() or "\x00" in d:
                rest.append(d)
                continue
            cls = d.partition("->")[0]
            home = homes.get(cls)
            if home is None:
                home = self._home_of(cls)
            if not home:
                rest.append(d)
                continue
            ci, lo, hi = home
            queries.setdefault(ci, []).append((lo, hi, d.encode("ascii")))
            asked.setdefault(ci, []).append(d)
        return queries, asked, rest

    def _homes_of(self, classes: Iterable[str]) -> None:
        """:meth:`_home_of` of many classes at once: one C call per DEX for their method id ranges."""
        app, codes = self.index._class_map, self.index.codes
        by_dex: dict[int, list[tuple[str, int]]] = {}
        for cls in classes:
            where = app.get(cls)
            if where is None:
                self._home[cls] = ()
            else:
                by_dex.setdefault(where[0], []).append((cls, where[1]))
        for ci, items in by_dex.items():
            dex = codes[ci].dex
            types = array("I", [dex.class_defs[cdi * 8] for _cls, cdi in items])
            got = _u32(reach.u16_ranges(memoryview(dex.method_class).cast("B"), types.tobytes()))
            for k, (cls, _cdi) in enumerate(items):
                self._home[cls] = (ci, got[2 * k], got[2 * k + 1])

    def _home_of(self, cls: str) -> tuple[int, ...]:
        """(DEX, first method id, end) of the method ids of the app class ``cls`` in the DEX defining it (its class
        def names its type), () for a class the app does not define; kept per class."""
        home = self._home.get(cls)
        if home is None:
            where = self.index._class_map.get(cls)
            if where is None:
                home = ()
            else:
                ci, cdi = where
                dex = self.index.codes[ci].dex
                mclass, t = dex.method_class, dex.class_defs[cdi * 8]
                lo = bisect_left(mclass, t)
                home = (ci, lo, bisect_right(mclass, t, lo))
            self._home[cls] = home
        return home

    def _find(self, desc: str) -> int | None:
        """:meth:`_lookup`, uncached.

        Without a descriptor -> node dict (built only for malformed DEX files, see :meth:`_complete_map`): a
        descriptor with a single "->" can only be a method id of the type named before it, in a DEX that lists
        that type. In a DEX whose type descriptors are strictly increasing (distinct, sorted as Python compares
        them) and whose method ids are sorted by class (as the format requires), that type is found by bisection
        and the descriptor in its range of method ids; every DEX listing the descriptor maps it to the same node.
        The DEX defining the class is tried first (its class def names the type; the range is kept per class asked
        for). Any DEX not so ordered sends every lookup to the dict."""
        if self._gid is not None:
            return self._gid.get(desc)
        if desc.count("->") != 1:
            return self._complete_map().get(desc)
        codes = self.index.codes
        ordered = self._ordered
        if ordered is None:
            ordered = self._ordered = all(map(self._is_ordered, codes))
        if not ordered:
            return self._complete_map().get(desc)
        cls = desc.partition("->")[0]
        home = self._home_of(cls)  # the method ids of the class in the DEX defining it
        if home:
            ci, lo, hi = home
            found = codes[ci].find_method_ids(desc, lo, hi)
            if found:
                return self._maps[ci][found[0]]
        skip = home[0] if home else -1
        for ci, code in enumerate(
            codes
        ):  # a class defined nowhere, or a method id written in another DEX only
            if ci == skip:
                continue
            types = code.type_descs
            t = bisect_left(types, cls)
            if t == len(types) or types[t] != cls:
                continue
            mclass = code.dex.method_class
            lo = bisect_left(mclass, t)
            found = code.find_method_ids(desc, lo, bisect_right(mclass, t, lo))
            if found:
                return self._maps[ci][found[0]]
        return None

    @staticmethod
    def _is_ordered(code: DexCode) -> bool:
        """Whether the type descriptors of ``code``'s DEX are strictly increasing str and its method ids sorted by
        class (what :meth:`_lookup`'s bisection needs)."""
        return bool(reach.ids_ordered(code.type_descs, memoryview(code.dex.method_class).cast("B")))

    def _new_virtual(self, count: int) -> int:
        """Allocate ``count`` virtual node ids; returns the first."""
        first = self._n
        self._n += count
        self._vranges.append((first, count))
        return first

    def _build(self) -> None:
        index = self.index
        codes = index.codes

        # 1. a node per method id of every DEX (the same descriptor in two DEXes is one node), in first-seen order
        #    over the DEX files (as a descriptor -> id dict filled DEX by DEX would give them; one DEX with
        #    distinct descriptors: the method ids), from ``_reach.intern_all`` (see _intern_all) or, when it
        #    declines, the C kernel ``intern_methods`` DEX by DEX, which hashes and compares
        #    each descriptor's bytes in the DEX tables: no descriptor string, no dict and no int object per method
        #    (strings were 84 MB and a dict 31 MB on a 100 MB-DEX app). A node keeps one representative
        #    (DEX, method id) to be named on demand; lookups go through each DEX's sorted id tables (see _lookup).
        maps = self._maps
        if self._intern_all():
            self._build_edges()
            return
        total = sum(code.dex.method_ids_size for code in codes)
        cap = 16
        while cap < 2 * total + 2:
            cap <<= 1
        table, hashes, reps = bytearray(4 * cap), bytearray(), bytearray()
        other: dict[str, int] = {}
        dexes = [code.id_args for code in codes]
        for ci, code in enumerate(codes):
            check_deadline()
            try:
                raw = walker.intern_methods(
                    dexes, ci, table, hashes, reps, other, code.dex.method_desc, deadline_monotonic()
                )
            except TimeoutError:
                timed_out()
            except ValueError as exc:  # what DexCode.descs raises for these tables
                raise DexFormatError(f"{code.dex.name}: {exc}") from None
            # intern_methods ran method_descs' checks on these tables (same order, same budget): a descriptor
            # decoded later (DexCode.method_desc) need not run them again (a pass over every method id per DEX)
            code._checked = True
            maps.append(_u32(raw))
        del table, hashes, other, dexes
        self._reps = _u32(bytes(reps))
        del reps
        self._n = self._n_real = len(self._reps) // 2
        self._build_edges()

    def _intern_all(self) -> bool:
        """Step 1 of :meth:`_build` with one call of the kernel ``intern_all`` (the same numbering as
        ``intern_methods`` DEX by DEX, a method hashed from its class's, name's and proto's hashes); False when it
        declines (a table check fails - ``intern_methods`` then raises its error -, or hostile descriptors)."""
        codes = self.index.codes
        check_deadline()
        try:  # with hints for hierarchy_all (each method's sig hash, made here from its parts at no extra cost)
            got = reach.intern_all(
                [code.id_args for code in codes],
                [code.dex.method_desc for code in codes],
                deadline_monotonic(),
                True,
            )
        except TimeoutError:
            timed_out()
        except ValueError:
            got = None
        if got is None:
            return False
        raw_maps, reps, self._hints = got
        for code, raw in zip(codes, raw_maps, strict=True):
            code._checked = True  # method_descs' checks passed (see _build)
            self._maps.append(_u32(raw))
        self._reps = _u32(reps)
        self._n = self._n_real = len(self._reps) // 2
        return True

    def _build_edges(self) -> None:
        """Step 2 of :meth:`_build`, once the nodes are numbered."""
        index = self.index
        codes = index.codes
        maps = self._maps
        self._mids = [code.methods[1::METHOD_WORDS] for code in codes]  # views: no int object per record

        # 2. per DEX: what virtual/interface and super calls add (class hierarchy), async dispatch edges, and the
        #    direct edges from the C kernel with both extra maps
        chunks = (
            bytearray()
        )  # the edges, appended DEX by DEX (no list of parts joined at the end: half the peak)
        # per DEX: invoke_lists' invokes, when _hierarchy_all_args read them (call_edges_from then gives its edges)
        self._calls: list[bytes | None] = [None] * len(codes)
        async_edges = array("I")
        reflect_edges = array("I")
        every = self._hierarchy_all(chunks)  # None: DEX by DEX (see _hierarchy_all)
        for ci, code in enumerate(codes):
            check_deadline()  # the calling stage's deadline, in any thread (the C kernels run between checks)
            if every is not None:
                vmap, smap = every[ci]
                every[ci] = None  # type: ignore[call-overload]  # each DEX's maps released once used
            else:
                vmap, smap = self._hierarchy_maps(ci, chunks)
            self._add_async_edges(code, maps[ci], async_edges, ci)
            self._add_reflection_edges(ci, reflect_edges)
            calls, self._calls[ci] = self._calls[ci], None
            if calls is not None:  # the invokes _hierarchy_all_args kept (the same edges, no second pass)
                reach.call_edges_from(calls, maps[ci], vmap, smap, chunks)  # appended to chunks
                del calls
                continue
            chunks += walker.call_edges(
                code.methods_raw, code.events_raw, maps[ci].tobytes(), vmap.tobytes(), smap.tobytes()
            )
        chunks += async_edges.tobytes()
        chunks += reflect_edges.tobytes()
        self._status = None
        self._cb_dexes = None
        self._edges = chunks
        virtual = bytearray(self._n)
        for first, count in self._vranges:
            virtual[first : first + count] = b"\x01" * count
        self._virtual = bytes(virtual)
        self._drop_build_caches()

    def _drop_build_caches(self) -> None:
        """Release what only the construction reads (the Python hierarchy resolution's per-class methods,
        signatures, ancestors and descendants, the class-hierarchy maps): on a 100 MB-DEX app with hierarchies
        spread over the DEX files tens of MB, which the later stages can reuse. :meth:`is_subtype` refills what
        it needs if asked again."""
        self._own = {}
        self._cb_own = {}
        self._defined = {}
        self._hier_cache = {}
        self._cb_cache = {}
        self._desc_cache = {}
        self._anc_cache = {}
        self._subtype = {}
        self._parents = {}
        self._children = None
        self._splits = None

    def _hierarchy_maps(self, ci: int, chunks: bytearray) -> tuple[array, array]:
        """``(vmap, smap)``: per method id of DEX ``ci``, the node an invoke-virtual/interface (vmap) or an
        invoke-super (smap) of it also reaches through the class hierarchy, NONE for nothing. Several targets
        (never for super calls) share a virtual node, whose edges go to ``chunks``.

        The C kernel ``hierarchy_extras`` resolves the references whose class hierarchy lies in this DEX; the
        others (a hierarchy spread over DEXes, hostile descriptors) are resolved here, with the same result."""
        index = self.index
        code = index.codes[ci]
        n_ids = code.dex.method_ids_size
        args = self._hierarchy_args(ci)
        vids, sids = args[8], args[9]
        try:  # the kernel's work can grow with classes x descendants: it stops at the stage's deadline
            got = walker.hierarchy_extras(*args, self._n, deadline_monotonic())
        except TimeoutError:
            timed_out()
        if got is None:  # descriptors the kernel cannot compare as Python does: all of them here
            maps = (array("I", [NONE]) * n_ids, array("I", [NONE]) * n_ids)
            rest = [(0, m) for m in _u32(vids)] + [(1, m) for m in _u32(sids)]
        else:
            vmap_raw, smap_raw, vedges, n_v, rest_raw = got
            if n_v:
                self._new_virtual(n_v)
            chunks += vedges
            maps = (_u32(vmap_raw), _u32(smap_raw))
            words = _u32(rest_raw)
            rest = list(zip(words[0::2], words[1::2], strict=True))
        self._resolve_rest(ci, maps, rest, chunks)
        return maps

    def _resolve_rest(
        self, ci: int, maps: tuple[array, array], rest: list[tuple[int, int]], chunks: bytearray
    ) -> None:
        """Resolve in Python the references ``rest`` ((kind, method id) of DEX ``ci``: 0 virtual/interface, 1
        super) a kernel left, into ``maps`` (several targets: a new virtual node, its edges to ``chunks``)."""
        code, gmap = self.index.codes[ci], self._maps[ci]
        app = self.index._class_map
        vnodes: dict[tuple[int, ...], int] = {}
        vedges_py = array("I")
        for step, (kind, m) in enumerate(rest):
            if not step & 1023:
                check_deadline()
            cls, sig = _split(code.method_desc(m))
            if cls not in app:
                continue
            cls, sig = sys.intern(cls), sys.intern(sig)  # kept in _hier_cache's keys until the graph is built
            targets = set(self._hierarchy_targets(cls, sig, kind == 1))
            targets.discard(gmap[m])  # the call edge to the reference itself is there anyway
            if len(targets) == 1:
                maps[kind][m] = targets.pop()
            elif targets:
                key = tuple(sorted(targets))
                vnode = vnodes.get(key)
                if vnode is None:
                    vnode = vnodes[key] = self._new_virtual(1)
                    for t in key:
                        vedges_py.extend((vnode, t))
                maps[kind][m] = vnode
        chunks += vedges_py.tobytes()

    def _hierarchy_all(self, chunks: bytearray) -> list[tuple[array, array]] | None:
        """``(vmap, smap)`` of every DEX (see :meth:`_hierarchy_maps`) from one call of the C kernel
        ``hierarchy_all``, which resolves the class hierarchy across the DEX files (a class, its superclass and its
        subclasses may be defined in different files, as in every big multidex app) over app-wide class numbers;
        the few references it leaves (a class descriptor with "->", a name or proto that is not ASCII) are
        resolved in Python. None when the kernel cannot compare the descriptors as Python does (then
        :meth:`_hierarchy_maps` runs DEX by DEX, with the same result)."""
        dexes = self._hierarchy_all_args()
        self._subtype_masks(dexes)
        self._status = [d[6] for d in dexes] if self._masks is not None else None
        try:  # the kernel's work can grow with classes x descendants: it stops at the stage's deadline
            got = reach.hierarchy_all(dexes, self._n, deadline_monotonic(), self._hints)
        except TimeoutError:
            timed_out()
        except ValueError:  # inconsistent tables: the DEX-by-DEX path (which reports them as it always did)
            return None
        finally:
            self._hints = None  # (3 MB at 50 MB of DEX)
        del dexes
        if got is None:
            return None
        maps_raw, vedges, n_v, rests = got
        del got
        if n_v:
            self._new_virtual(n_v)
        chunks += vedges
        del vedges
        out: list[tuple[array, array]] = []
        for ci, rest_raw in enumerate(rests):
            vmap_raw, smap_raw = maps_raw[ci]
            maps_raw[ci] = None
            maps = (_u32(vmap_raw), _u32(smap_raw))
            if rest_raw:
                check_deadline()
                words = _u32(rest_raw)
                self._resolve_rest(ci, maps, list(zip(words[0::2], words[1::2], strict=True)), chunks)
            out.append(maps)
        return out

    def _subtype_masks(self, dexes: list[tuple]) -> None:
        """Fill ``_masks`` (see :meth:`is_subtype`) from the C kernel ``subtype_masks`` over ``dexes`` (the
        arguments of ``hierarchy_all``); left None when the kernel refuses the tables."""
        try:
            self._masks = walker.subtype_masks(dexes, self._subtype_bits())
        except ValueError:
            self._masks = None
            return
        self._cls_base = list(
            itertools.accumulate((code.dex.class_defs_size for code in self.index.codes), initial=0)
        )

    def _subtype_bits(self) -> list[bytes]:
        """The ``bits`` of ``subtype_masks``: per DEX, a byte per type id, the bit of its descriptor in
        ``_SUBTYPE_BITS`` (0 for the other types)."""
        bits = []
        if self._ordered is None:  # (lookup_many needs it next anyway)
            self._ordered = all(map(self._is_ordered, self.index.codes))
        for code in self.index.codes:
            types = code.type_descs
            b = bytearray(len(types))
            for base, bit in _SUBTYPE_BITS.items():
                if self._ordered:  # strictly increasing descriptors: each at most once, found by bisection
                    i = bisect_left(types, base)
                    if i < len(types) and types[i] == base:
                        b[i] |= bit
                    continue
                i = -1
                while True:  # list.index scans in C; every type id with that descriptor
                    try:
                        i = types.index(base, i + 1)
                    except ValueError:
                        break
                    b[i] |= bit
            bits.append(bytes(b))
        return bits

    def _hierarchy_all_args(self) -> list[tuple]:
        """The first argument of ``hierarchy_all``: per DEX, what ``hierarchy_extras`` takes but the split flags,
        the type statuses being app-wide class numbers (class def index plus the class defs of the DEX files
        before)."""
        codes, app = self.index.codes, self.index._class_map
        base = list(itertools.accumulate((code.dex.class_defs_size for code in codes), initial=0))
        dexes = []
        unique = len(app) == base[-1]  # no class defined twice: a class def's type is its first definition
        for ci, code in enumerate(codes):
            # per type: its app-wide class number (C: a dict lookup per type but for the DEX's own classes when no
            # class is defined twice, no int object); the method ids the DEX invokes virtually and with super (one
            # pass over its events for both)
            status = (
                reach.class_numbers(code.type_descs, app, base, code.dex.class_defs, ci)
                if unique
                else reach.class_numbers(code.type_descs, app, base)
            )
            # ... and, in the same pass, the invokes call_edges would read again (call_edges_from in _build_edges);
            # None (anything out of the ordinary): invoked_pair, and call_edges later, as before
            got = reach.invoke_lists(
                code.methods_raw, code.events_raw, self._maps[ci], code.dex.method_ids_size
            )
            if got is None:
                vids, sids = reach.invoked_pair(code.events_raw, code.dex.method_ids_size)
            else:
                vids, sids, self._calls[ci] = got
            dexes.append((*self._kernel_tables(ci), status, vids, sids))
        return dexes

    def _kernel_tables(self, ci: int) -> tuple:
        """The first arguments of ``hierarchy_extras`` / ``hierarchy_all`` for DEX ``ci``: id tables, type
        descriptors, the DEX's bytes, class and method tables, method records, node map."""
        code = self.index.codes[ci]
        dex = code.dex
        tables = (
            dex.type_ids_size,
            dex.class_defs_off,
            dex.class_defs_size,
            dex.method_ids_off,
            dex.method_ids_size,
        )
        return (
            (
                dex.string_ids_off,
                dex.string_ids_size,
                dex.type_ids_off,
                dex.proto_ids_off,
                dex.proto_ids_size,
            ),
            code.type_descs,
            memoryview(dex.data)[: dex.container_size],
            tables,
            code.methods_raw,
            self._maps[ci].tobytes(),
        )

    def _hierarchy_args(self, ci: int) -> tuple:
        """The arguments of ``hierarchy_extras`` for DEX ``ci``, but ``vbase``."""
        code = self.index.codes[ci]
        n_ids = code.dex.method_ids_size
        status = array(
            "I",
            [
                NONE if w is None else w[1] if w[0] == ci else SPLIT
                for w in map(self.index._class_map.get, code.type_descs)
            ],
        )
        return (
            *self._kernel_tables(ci),
            status.tobytes(),
            self._split_flags(ci),
            walker.invoked_ids(code.events_raw, n_ids, _VIRTUAL_OPS),
            walker.invoked_ids(code.events_raw, n_ids, _SUPER_OPS),
        )

    def _split_flags(self, ci: int) -> bytes:
        """One byte per class def of DEX ``ci``: 1 when the class has subclasses/implementors defined (first) in
        another DEX (then the kernel leaves its references to Python)."""
        n = self.index.codes[ci].dex.class_defs_size
        if len(self.index.codes) == 1:
            return bytes(n)
        if self._splits is None:
            app = self.index._class_map
            self._splits = [bytearray(c.dex.class_defs_size) for c in self.index.codes]
            for parent, kids in self._child_map().items():
                where = app.get(parent)
                if where is not None and any(app[k][0] != where[0] for k in kids):
                    self._splits[where[0]][where[1]] = 1
        return bytes(self._splits[ci])

    def _child_map(self) -> dict[str, list[str]]:
        """App class or framework type -> the app classes that extend or implement it (built on first use).

        Reads every class def once, DEX by DEX (the order of ``index._class_map``), with what
        :meth:`_parents_of` gives each class (the same definitions, inlined: this runs over every class of the
        app), and fills the :meth:`_parents_of` cache on the way."""
        if self._children is None:
            index = self.index
            app, known = index._class_map, self._parents
            children: dict[str, list[str]] = {}
            for ci, code in enumerate(index.codes):
                types, cd = code.type_descs, code.dex.class_defs
                n_types = len(types)
                for cdi, (t, sup, ifaces_off) in enumerate(
                    zip(cd[0::8].tolist(), cd[2::8].tolist(), cd[3::8].tolist(), strict=True)
                ):
                    desc = types[t]
                    if app[desc] != (ci, cdi):  # a later definition: the first one wins
                        continue
                    got = known.get(desc)
                    if got is None:
                        got = self._read_parents(ci, sup, ifaces_off, n_types, types)
                        known[desc] = got
                    for p in got:
                        children.setdefault(p, []).append(desc)
            self._children = children
        return self._children

    def _read_parents(
        self, ci: int, sup: int, ifaces_off: int, n_types: int, types: list[str]
    ) -> tuple[str, ...]:
        """Superclass then interfaces from a class def's fields, as ``CodeIndex._read_supers`` reads them
        (nothing when the superclass index is out of range or the interface list is malformed)."""
        if sup == NO_INDEX:
            superclass = None
        elif sup < n_types:
            superclass = types[sup]
        else:
            return ()
        if ifaces_off:
            try:
                ifaces = self.index._type_list(ci, ifaces_off)
            except DexFormatError:
                return ()
        else:
            ifaces = ()
        return (superclass, *ifaces) if superclass is not None else ifaces

    def _parents_of(self, cls: str) -> tuple[str, ...]:
        """Superclass then interfaces of an app class (empty for other classes)."""
        got = self._parents.get(cls)
        if got is None:
            if cls in self.index._class_map:
                sup, ifaces = self.index._class_supers(cls)
                got = (sup, *ifaces) if sup is not None else ifaces
            else:
                got = ()
            self._parents[cls] = got
        return got

    def _dispatch_callers(self, code: DexCode, ci: int | None = None) -> tuple[list[int], set[int]]:
        """``(records, ids)``: the method ids of ``code``'s DEX (DEX ``ci``) that dispatch (an
        :data:`ASYNC_DISPATCH` API, or start()/execute()/executeOnExecutor() on an app subtype of Thread /
        AsyncTask), and the method records that invoke one of them."""
        dex = code.dex
        app = self.index._class_map
        dex.prefetch_strings({s for key in ASYNC_DISPATCH for s in key} | set(_APP_DISPATCH_NAMES))
        ids = self._dispatch_ids(code)
        types, mclass = code.type_descs, dex.method_class
        # the class numbers of the DEX's types and subtype_masks' bytes, when kept (is_subtype's answers without
        # a call and a class map lookup per method)
        status = masks = None
        if ci is not None and self._status is not None and self._masks is not None:
            status, masks = memoryview(self._status[ci]).cast("I"), self._masks
        thread, asynctask = _SUBTYPE_BITS["Ljava/lang/Thread;"], _SUBTYPE_BITS["Landroid/os/AsyncTask;"]
        for name in _APP_DISPATCH_NAMES:
            sidx = dex.find_string(name)
            if sidx is None:
                continue
            bits = (thread | asynctask) if name == "start" else asynctask
            # the method ids whose name is `name` (one C pass over the method names), ascending
            for m in _u32(reach.u32_positions(memoryview(dex.method_name).cast("B"), sidx)):
                t = types[mclass[m]]  # the class part of its descriptor, without making the descriptor
                if status is not None and "->" not in t:
                    k = status[mclass[m]]  # t's app-wide class number, NONE when the app does not define t
                    if k != NONE and masks[k] & bits:  # type: ignore[index]
                        ids.append(m)
                    continue
                cls = t if "->" not in t else _split(code.method_desc(m))[0]
                # start()/execute() on an app class dispatches only on a Thread / AsyncTask subtype (see below)
                if cls in app and (
                    (name == "start" and self.is_subtype(cls, "Ljava/lang/Thread;"))
                    or self.is_subtype(cls, "Landroid/os/AsyncTask;")
                ):
                    ids.append(m)
        records: set[int] = set()
        events = code.events
        for i in code.select(EV_INVOKE, ids, dex.method_ids_size):
            if events[i * EVENT_WORDS] & 0xFF not in _CUSTOM:
                records.add(code.record_of_event(i))
        return sorted(records), set(ids)

    def _dispatch_ids(self, code: DexCode) -> list[int]:
        """The method ids of :data:`ASYNC_DISPATCH`'s (class, name) pairs in ``code``'s DEX (``find_methods`` of
        each pair, in some order): when every DEX's method ids are sorted by class (``ids_ordered``), one bisection
        per class for its range and one C scan of the range's names per name, instead of a Python filter of the
        class's range per pair."""
        dex = code.dex
        if self._ordered is None:
            self._ordered = all(map(self._is_ordered, self.index.codes))
        if not self._ordered:
            return [m for cls, name in ASYNC_DISPATCH for m in dex.find_methods(cls, name)]
        ids: list[int] = []
        mclass, names = dex.method_class, memoryview(dex.method_name).cast("B")
        for cls, dispatch_names in _DISPATCH_BY_CLASS.items():
            t = dex.find_type(cls)
            if t is None:
                continue
            # sorted: every id of [lo, hi) has class t, as find_methods keeps
            lo = bisect_left(mclass, t)
            hi = bisect_right(mclass, t, lo)
            if lo == hi:
                continue
            part = names[4 * lo : 4 * hi]
            for name in dispatch_names:
                sidx = dex.find_string(name)
                if sidx is not None:
                    ids += [lo + i for i in _u32(reach.u32_positions(part, sidx))]
        return ids

    def _add_async_edges(self, code: DexCode, gmap: array, out: array, ci: int | None = None) -> None:
        """Synthetic edges (:data:`ASYNC_DISPATCH`) of the methods of ``code`` (DEX ``ci``) that call a dispatch
        API."""
        records, dispatch_ids = self._dispatch_callers(code, ci)
        dids = sorted(dispatch_ids)
        # per record: the types it instantiates (type indices, checked by the walker) and its calls of dispatch
        # methods (used as sets below: duplicates and order do not matter), from one C pass over its events
        scan = reach.dispatch_scan(
            code.methods_raw,
            code.events_raw,
            array("I", records).tobytes(),
            array("I", dids).tobytes(),
        )
        found = None
        if ci is not None and self._status is not None and self._masks is not None and records:
            words = self._async_words(code, gmap, records, dids, scan, self._status[ci])
            if words is not None:
                if self._async_edges_c(ci, words, out):
                    return
                found = self._async_decode(code, words)
        if found is None:
            found = self._async_found_py(code, gmap, records, _u32(scan))
        self._async_targets(found, out)

    def _async_edges_c(self, ci: int, words: bytes, out: array) -> bool:
        """:meth:`_async_targets` of ``async_asks``' answer ``words`` for DEX ``ci`` by the C kernel
        ``async_callbacks`` (the candidates' app superclass chains over ``class_numbers``' class numbers and their
        callback methods read from the DEX tables, edges appended to ``out``); False when it declines (a class of a
        chain whose records :meth:`_callback_methods` would not read as its own, a matched signature that is not
        ASCII, tables out of range: then the Python path, with the same edges)."""
        if self._cb_dexes is None:
            assert self._status is not None
            codes = self.index.codes
            self._cb_dexes = [
                (code.id_args, self._status[j], code.dex.class_defs, code.methods_raw, self._maps[j])
                for j, code in enumerate(codes)
            ]
            self._cb_base = array("I", self._cls_base).tobytes()
        try:
            got = reach.async_callbacks(
                self._cb_dexes, self._cb_base, ci, words, _SPEC_CALLBACKS, deadline_monotonic()
            )
        except TimeoutError:
            timed_out()
        if got is None:
            return False
        out.frombytes(got)
        return True

    def _add_reflection_edges(self, ci: int, out: array) -> None:
        """Reflective call edges (edge kind 4 of the module docstring) of the methods of DEX ``ci``, appended to
        ``out`` as (caller node, target node) pairs.

        A method that invokes a class-loading API (:data:`REFLECTIVE_CLASS_LOADS`) and a method-lookup API
        (:data:`REFLECTIVE_METHOD_LOOKUPS`) gets an edge to every method of the app class ``C`` whose name is a
        ``const-string`` of the method, plus ``C``'s ``<clinit>``, for each ``const-string`` of the method that is
        ``C``'s Java name ("a.b.C" for ``La/b/C;``, no "/" in it). Both strings must be constants of that one
        method; a class the app's DEX files do not define, or a name none of its methods has, gives no edge."""
        code = self.index.codes[ci]
        dex = code.dex
        loads = _method_ids(dex, REFLECTIVE_CLASS_LOADS)
        if not loads:
            return
        lookups = _method_ids(dex, REFLECTIVE_METHOD_LOOKUPS)
        if not lookups:
            return
        # the records that invoke a class-loading API and a method-lookup API, with their const-string ids: one
        # C pass (reflect_scan) over the records of the class-loading invokes (found with the C select)
        calls = code.select(EV_INVOKE, loads, dex.method_ids_size)
        if not calls:
            return
        words = _u32(
            reach.reflect_scan(
                code.methods_raw,
                code.events_raw,
                array("I", calls).tobytes(),
                array("I", sorted(lookups)).tobytes(),
            )
        )
        app, gmap, mids = self.index._class_map, self._maps[ci], self._mids_of(ci)
        pos, end = 0, len(words)
        while pos < end:
            r, n = words[pos], words[pos + 1]
            strings = {dex.string(idx) for idx in words[pos + 2 : pos + 2 + n]}
            pos += 2 + n
            targets: set[int] = set()
            for s in strings:
                if not s or "/" in s or ";" in s or s[0] == "[":
                    continue
                cls = f"L{s.replace('.', '/')};"
                if cls not in app:
                    continue
                defined = self._defined_of(cls)
                hits = [
                    node
                    for sig, node in defined.items()
                    if (name := sig.partition("(")[0]) in strings and not name.startswith("<")
                ]
                if hits:
                    targets.update(hits)
                    clinit = defined.get("<clinit>()V")
                    if clinit is not None:
                        targets.add(clinit)
            src = gmap[mids[r]]
            for t in sorted(targets):
                out.extend((src, t))

    def _async_words(
        self, code: DexCode, gmap: array, records: list[int], dids: list[int], scan: bytes, status: bytes
    ) -> bytes | None:
        """:meth:`_async_found_py`'s answer (the same asks per record, as a set) as the C kernel ``async_asks``
        gives it (see :meth:`_async_decode`), over the class numbers of the DEX's types (``status``) and
        ``subtype_masks``' bytes: per dispatch method id its callback specs and the class it adds as a candidate
        are found here once, the per-record work (the candidates, their subtype bits) is done in C. None when a
        class descriptor involved holds "->" or the kernel declines (then the Python path, which keeps its own
        errors)."""
        types, mclass, desc_of = code.type_descs, code.dex.method_class, code.method_desc
        app = self.index._class_map
        dspec = bytearray(len(dids))
        dextra = array("I", [NONE]) * len(dids)
        for k, idx in enumerate(dids):
            if idx >= len(mclass) or mclass[idx] >= len(types):
                return None
            t = mclass[idx]
            if type(types[t]) is not str or "->" in types[t]:
                return None
            cls, sig = _split(desc_of(idx))
            name = sig.partition("(")[0]
            bits = _SPEC_MASK.get((cls, name))
            if bits is not None:
                dspec[k] = bits
            elif name in _APP_DISPATCH_NAMES and cls in app:
                # as _async_found_py: start() on a Thread subtype, start()/execute()/executeOnExecutor() on an
                # AsyncTask subtype dispatch (the latter's callbacks: execute's and executeOnExecutor's only)
                if name == "start" and self.is_subtype(cls, "Ljava/lang/Thread;"):
                    dspec[k] |= _SPEC_MASK[("Ljava/lang/Thread;", "start")]
                    dextra[k] = t
                if self.is_subtype(cls, "Landroid/os/AsyncTask;"):
                    dspec[k] |= _SPEC_MASK.get(("Landroid/os/AsyncTask;", name), 0)
                    dextra[k] = t
        return reach.async_asks(
            code.methods_raw,
            array("I", records).tobytes(),
            scan,
            memoryview(mclass).cast("B"),
            gmap,
            types,
            status,
            self._masks,
            array("I", dids).tobytes(),
            bytes(dspec),
            dextra.tobytes(),
            _SPEC_BASEBITS,
        )

    def _async_decode(self, code: DexCode, got: bytes) -> list[tuple[int, list[tuple[str, tuple[str, ...]]]]]:
        """``async_asks``' answer as :meth:`_async_found_py` gives it: per record (caller node, its (candidate
        class, callbacks) asks)."""
        types = code.type_descs
        words = _u32(got)
        found: list[tuple[int, list[tuple[str, tuple[str, ...]]]]] = []
        i, end = 0, len(words)
        while i < end:
            src, n = words[i], words[i + 1]
            pairs = words[i + 2 : i + 2 + 2 * n]
            found.append(
                (src, [(types[c], _SPECS[sp][1]) for c, sp in zip(pairs[0::2], pairs[1::2], strict=True)])
            )
            i += 2 + 2 * n
        return found

    def _async_found_py(
        self, code: DexCode, gmap: array, records: list[int], scan: array
    ) -> list[tuple[int, list[tuple[str, tuple[str, ...]]]]]:
        """(caller node, its (candidate class, callbacks) asks) of the records that dispatch, in record order."""
        app = self.index._class_map
        desc_of, types, methods = code.method_desc, code.type_descs, code.methods
        mclass = code.dex.method_class
        parts: dict[int, tuple[str, str]] = {}  # dispatch method id -> (class, name) of its descriptor

        def class_of(m: int) -> str:  # the class part of method m's descriptor, without the descriptor
            t = types[mclass[m]]
            return t if "->" not in t else _split(desc_of(m))[0]

        pos = 0
        found: list[
            tuple[int, list[tuple[str, tuple[str, ...]]]]
        ] = []  # (caller node, its callbacks to find)
        for step, r in enumerate(records):
            if not step & 255:
                check_deadline()
            caller_idx = methods[r * METHOD_WORDS + 1]
            n = scan[pos]
            created = [types[t] for t in scan[pos + 1 : pos + 1 + n]]
            pos += 1 + n
            n = scan[pos]
            calls = scan[pos + 1 : pos + 1 + n]
            pos += 1 + n
            dispatch: list[tuple[str, str]] = []
            for idx in calls:
                got = parts.get(idx)
                if got is None:
                    cls, sig = _split(desc_of(idx))
                    got = parts[idx] = (cls, sig.partition("(")[0])
                cls, name = got
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
            candidates = {*created, class_of(caller_idx)}
            asks: list[tuple[str, tuple[str, ...]]] = []
            for key in dispatch:
                # .get: ("AsyncTask", "start") is appended above for start() on an AsyncTask subclass and has no
                # callbacks (the previous implementation raised KeyError there)
                for base_cls, callbacks in ASYNC_DISPATCH.get(key, ()):
                    for cand in candidates:
                        if cand in app and self.is_subtype(cand, base_cls):
                            asks.append((cand, callbacks))
            if asks:
                found.append((gmap[caller_idx], asks))
        return found

    def _async_targets(self, found: list[tuple[int, list[tuple[str, tuple[str, ...]]]]], out: array) -> None:
        """The async edges of ``found`` (see :meth:`_async_found_py`), appended to ``out``."""
        # the callbacks' classes (the candidates and their app superclasses) get their method id ranges by one C
        # call per DEX (_homes_of, as lookup_many does) instead of two bisections each in _own_methods
        cache, homes = self._cb_cache, self._home
        fresh = {
            cand
            for _src, asks in found
            for key in asks
            if key not in cache
            for cand in self._ancestors(key[0])
        }
        self._homes_of(fresh - homes.keys())
        self._callback_methods(fresh)
        for src, asks in found:
            targets: set[int] = set()
            for cand, callbacks in asks:
                targets.update(self._callbacks_of(cand, callbacks))
            for t in sorted(targets):
                out.extend((src, t))

    def _own_methods(self, cls: str) -> tuple[list[str], Sequence[int]] | None:
        """``(sigs, nodes)`` of the method records of the app class ``cls`` when each descriptor is
        ``f"{cls}->{sig}"`` (its method id names the class: the usual case); None otherwise (cached while the graph
        is built). The sigs are interned strings: overrides share them, and no descriptor is made."""
        got = self._own.get(cls, _UNSET)
        if got is _UNSET:
            got = None
            where = self.index._class_map.get(cls)
            if where is not None and "->" not in cls:
                ci, cdi = where
                code = self.index.codes[ci]
                rng = code.class_records(cdi)
                if isinstance(rng, range):
                    mids = self._mids_of(ci)[rng.start : rng.stop]
                    _ci, lo, hi = self._home_of(
                        cls
                    )  # the class's method ids (kept per class, lookups share it)
                    if not mids or (lo <= min(mids) and max(mids) < hi):
                        gmap = self._maps[ci]
                        got = (code.method_sigs(mids), array("I", map(gmap.__getitem__, mids)))
            self._own[cls] = got
        return got

    def _own_many(self, classes: Iterable[str]) -> None:
        """:meth:`_own_methods` of many classes at once (the same answers, kept the same way): the sigs of each
        DEX's classes by one ``method_sigs`` call instead of one per class."""
        app, codes = self.index._class_map, self.index.codes
        todo: dict[int, list[tuple[str, Sequence[int]]]] = {}
        for cls in classes:
            if cls in self._own:
                continue
            where = app.get(cls)
            if where is None or "->" in cls:
                self._own[cls] = None
                continue
            ci, cdi = where
            rng = codes[ci].class_records(cdi)
            if not isinstance(rng, range):
                self._own[cls] = None
                continue
            mids = self._mids_of(ci)[rng.start : rng.stop]
            _ci, lo, hi = self._home_of(cls)
            if mids and not (lo <= min(mids) and max(mids) < hi):
                self._own[cls] = None
                continue
            todo.setdefault(ci, []).append((cls, mids))
        for ci, items in todo.items():
            check_deadline()
            sigs = codes[ci].method_sigs([m for _cls, mids in items for m in mids])
            gmap, pos = self._maps[ci], 0
            for cls, mids in items:
                self._own[cls] = (sigs[pos : pos + len(mids)], array("I", map(gmap.__getitem__, mids)))
                pos += len(mids)

    def _callback_methods(self, classes: Iterable[str]) -> None:
        """:meth:`_own_methods` of many classes (None for the same classes) restricted to the records whose name may
        be a callback's (C kernel ``names_maybe``: the name is one of :data:`_CALLBACK_NAMES`, or not pure ASCII, or
        holds "(", or cannot be read), kept in ``_cb_own`` for :meth:`_callbacks_of`: a callback signature can only
        match such a record, so its answers are the same, and the other records' sigs are never made (the
        candidate classes of the async edges are often activities with hundreds of methods). One ``names_maybe``
        and one ``method_sigs`` call per DEX."""
        app, codes, own = self.index._class_map, self.index.codes, self._cb_own
        todo: dict[int, list[tuple[str, Sequence[int]]]] = {}
        for cls in classes:
            if cls in own:
                continue
            where = app.get(cls)
            if where is None or "->" in cls:
                own[cls] = None
                continue
            ci, cdi = where
            rng = codes[ci].class_records(cdi)
            if not isinstance(rng, range):
                own[cls] = None
                continue
            mids = self._mids_of(ci)[rng.start : rng.stop]
            _ci, lo, hi = self._home_of(cls)
            if mids and not (lo <= min(mids) and max(mids) < hi):
                own[cls] = None
                continue
            todo.setdefault(ci, []).append((cls, mids))
        for ci, items in todo.items():
            check_deadline()
            code = codes[ci]
            every = array("I", [m for _cls, mids in items for m in mids])
            keep = _u32(reach.names_maybe(code.id_args, every.tobytes(), _CALLBACK_NAMES))
            picked = array("I", map(every.__getitem__, keep))
            sigs = code.method_sigs(picked)
            gmap, pos, k = self._maps[ci], 0, 0
            for cls, mids in items:
                end = pos + len(mids)
                k2 = bisect_left(keep, end, k)
                own[cls] = (sigs[k:k2], array("I", map(gmap.__getitem__, picked[k:k2])))
                pos, k = end, k2

    def _defined_node(self, cls: str, sig: str) -> int | None:
        """The node of the first method of the app class ``cls`` with ``sig`` (``_defined_of(cls).get(sig)``,
        without a dict per class when its records are its own methods)."""
        own = self._own.get(cls, _UNSET)
        if own is _UNSET:
            own = self._own_methods(cls)
        if own is None:
            return self._defined_of(cls).get(sig)
        sigs, nodes = own
        try:  # list.index scans in C and finds the first record, as the dict's setdefault kept it
            return nodes[sigs.index(sig)]
        except ValueError:
            return None

    def _defined_of(self, cls: str) -> dict[str, int]:
        """``{"name(proto)ret": node}`` of the methods the app class ``cls`` defines (empty for other classes)."""
        got = self._defined.get(cls)
        if got is None:
            got = self._defined[cls] = {}
            own = self._own_methods(cls)
            if own is not None:
                for sig, node in zip(*own, strict=True):
                    got.setdefault(sig, node)
                return got
            where = self.index._class_map.get(cls)
            if where is not None:
                ci, cdi = where
                code = self.index.codes[ci]
                gmap, mids = self._maps[ci], self._mids_of(ci)
                for r in code.class_records(cdi):
                    c, _, sig = code.method_desc(mids[r]).partition("->")
                    sig = sys.intern(sig)
                    if sig not in got:
                        # the node of f"{cls}->{sig}": the method's own unless its id names another class
                        got[sig] = gmap[mids[r]] if c == cls else self._node(f"{cls}->{sig}")
        return got

    def _callbacks_of(self, cls: str, callbacks: tuple[str, ...]) -> list[int]:
        """Methods of ``cls`` (or inherited from its app superclasses) matching the callback signatures (a
        signature ending in "(" is a prefix)."""
        key = (cls, callbacks)
        found = self._cb_cache.get(key)
        if found is not None:
            return found
        found = []
        exact, prefixes = _callback_kinds(callbacks)
        cb_own = self._cb_own
        for c in self._ancestors(cls):
            own = cb_own.get(c, _UNSET)
            if own is _UNSET:
                own = self._own_methods(c)
            if own is None:
                found += [
                    node
                    for sig, node in self._defined_of(c).items()
                    if sig in exact or (prefixes and sig.startswith(prefixes))
                ]
                continue
            sigs, nodes = own  # each record's descriptor is f"{c}->{sig}"
            seen: set[str] = set()
            for cb in exact:
                if cb in sigs:
                    found.append(nodes[sigs.index(cb)])
            if prefixes:
                for sig, node in zip(sigs, nodes, strict=True):
                    if sig.startswith(prefixes) and sig not in seen:
                        seen.add(sig)
                        found.append(node)
        self._cb_cache[key] = found
        return found

    def _ancestors(self, cls: str) -> tuple[str, ...]:
        """``cls`` and its app superclasses (nearest first)."""
        cached = self._anc_cache.get(cls)
        if cached is None:
            app, known = self.index._class_map, self._anc_cache
            chain: list[str] = []
            seen: set[str] = set()
            c: str | None = cls
            while c is not None and c in app and c not in seen:
                tail = known.get(c)
                if tail is not None and seen.isdisjoint(tail):
                    chain += tail  # the walk from c, known already (and no cycle back into this one)
                    break
                seen.add(c)
                chain.append(c)
                parents = self._parents_of(c)
                c = parents[0] if parents else None
            cached = known[cls] = tuple(chain)
        return cached

    def _hierarchy_targets(self, cls: str, sig: str, super_call: bool) -> tuple[int, ...]:
        """Nodes of the inherited implementation of ``cls->sig`` and (unless ``super_call``) of its overrides."""
        key = (cls, sig, super_call)
        cached = self._hier_cache.get(key)
        if cached is not None:
            return cached
        targets: set[int] = set()
        for c in self._ancestors(cls):  # inherited implementation
            node = self._defined_node(c, sig)
            if node is not None:
                targets.add(node)
                break
        if not super_call:
            for sub in self._descendants(cls):  # overrides in subclasses / implementors
                node = self._defined_node(sub, sig)
                if node is not None:
                    targets.add(node)
        result = self._hier_cache[key] = tuple(
            targets
        )  # distinct (a tuple is a quarter of a frozenset's size)
        return result

    def _descendants(self, cls: str) -> tuple[str, ...]:
        cached = self._desc_cache.get(cls)
        if cached is None:
            todo, seen = [cls], {cls}
            while todo:
                for sub in self._child_map().get(todo.pop(), ()):
                    if sub not in seen:
                        seen.add(sub)
                        todo.append(sub)
            seen.discard(cls)
            cached = self._desc_cache[cls] = tuple(seen)
        return cached

    def is_subtype(self, cls: str, base: str) -> bool:
        """Whether ``cls`` is ``base`` or reaches it through app superclasses / interfaces (for the base types of
        the async edges, one byte of the C kernel ``subtype_masks`` per app class; else a walk in Python)."""
        key = (cls, base)
        got = self._subtype.get(key)
        if got is None:
            bit = _SUBTYPE_BITS.get(base)
            where = self.index._class_map.get(cls) if bit is not None and self._masks is not None else _UNSET
            if where is _UNSET:
                got = self._is_subtype(cls, base)
            elif where is None:  # no app class: no parents
                got = cls == base
            else:
                got = bool(self._masks[self._cls_base[where[0]] + where[1]] & bit)  # type: ignore[index]
            self._subtype[key] = got
        return got

    def _is_subtype(self, cls: str, base: str) -> bool:
        todo, seen = [cls], set()
        while todo:
            c = todo.pop()
            if c == base:
                return True
            if c in seen:
                continue
            seen.add(c)
            todo.extend(self._parents_of(c))
        return False

    # -- adjacency ---------------------------------------------------------------------------------------------

    def _forward(self) -> tuple[Sequence[int], Sequence[int]]:
        """The forward adjacency (CSR). Once built, the edge list it was built from is released (it is as big
        as the CSR; :meth:`_backward` works from the CSR). u32 views of build_csr's bytes, not arrays copied from
        them (two copies of ~10 MB and their fresh pages at 100 MB of DEX); arrays after unpickling."""
        if self._csr is None:
            off, tgt = walker.build_csr(self._edges, self._n)
            self._csr = (memoryview(off).cast("I"), memoryview(tgt).cast("I"))
            self._edges = b""
        return self._csr

    def _backward(self) -> tuple[array, array]:
        """The reversed adjacency, from the forward CSR (the same edge set, so the same callers; the C kernel
        ``reverse_csr``: a row's callers ascending, as build_csr gives them for the reversed pairs)."""
        if self._rcsr is None:
            off, tgt = self._forward()
            roff, rtgt = walker.reverse_csr(memoryview(off).cast("B"), memoryview(tgt).cast("B"))
            self._rcsr = (_u32(roff), _u32(rtgt))
        return self._rcsr

    def _expand(self, nodes: Sequence[int], csr: tuple[Sequence[int], Sequence[int]]) -> set[str]:
        """Descriptors of ``nodes``, each virtual node replaced by its own (real) neighbours in ``csr``."""
        got = list(map(self._name_cache.get, nodes))
        if None not in got:  # every name made already, no virtual node among them: C-level loops only
            return set(got)
        off, tgt = csr
        virtual, name = self._virtual, self._name
        out: set[str] = set(got)
        out.discard(None)  # type: ignore[arg-type]
        for t, n in zip(nodes, got, strict=True):
            if n is not None:
                continue
            if not virtual[t]:
                out.add(name(t))  # type: ignore[arg-type]
            else:
                out.update(name(x) for x in tgt[off[t] : off[t + 1]] if not virtual[x])  # type: ignore[misc]
        return out

    def _expand_ids(self, nodes: Sequence[int], csr: tuple[Sequence[int], Sequence[int]]) -> set[int]:
        """:meth:`_expand` as node ids (a node's descriptor is its own: the same count)."""
        off, tgt = csr
        virtual = self._virtual
        out: set[int] = set()
        for t in nodes:
            if not virtual[t]:
                out.add(t)
            else:
                out.update(x for x in tgt[off[t] : off[t + 1]] if not virtual[x])
        return out

    # -- queries -----------------------------------------------------------------------------------------------

    def callees(self, method: str) -> set[str]:
        """Methods ``method`` may call (direct, hierarchy and synthetic edges)."""
        g = self._lookup(method)
        if g is None:
            return set()
        off, tgt = csr = self._forward()
        return self._expand(tgt[off[g] : off[g + 1]], csr)

    def callers(self, method: str) -> set[str]:
        """Methods that may call ``method``."""
        g = self._lookup(method)
        if g is None:
            return set()
        off, tgt = csr = self._backward()
        return self._expand(tgt[off[g] : off[g + 1]], csr)

    def callees_where(
        self, method: str, keep: Callable[[str], Any], memo: dict[Any, tuple[str, Any]]
    ) -> list[tuple[str, str, Any]]:
        """``(callee, its class, keep(its class))`` for the callees of ``method`` whose class ``keep`` maps to
        something other than None, in descriptor order: ``sorted(callees(method))`` filtered by class, the same
        list. ``keep`` is asked once per class per ``memo`` (the caller's dict, used with this graph only: it is
        keyed by the class's rank among the DEX files' class descriptors, or by the class itself when the graph
        has no ranks). With ranks (C kernel ``class_ranks``, shared with :meth:`walk`), a callee whose class is
        already known to be dropped is never named: only the kept ones get a descriptor and are sorted."""
        g = self._lookup(method)
        if g is None:
            return []
        off, tgt = csr = self._forward()
        rank = self._class_rank()
        out: list[tuple[str, str, Any]] = []
        if rank is None:  # names for every callee, as callees() makes them
            for c in sorted(self._expand(tgt[off[g] : off[g + 1]], csr)):
                cls = c.split("->", 1)[0]
                got = memo.get(cls)
                if got is None:
                    got = memo[cls] = (cls, keep(cls))
                if got[1] is not None:
                    out.append((c, cls, got[1]))
            return out
        name = self._name
        for t in self._expand_ids(tgt[off[g] : off[g + 1]], csr):
            r = rank[t]
            got = memo.get(r)
            if got is None:
                cls = name(t).split("->", 1)[0]  # type: ignore[union-attr]
                got = memo[r] = (cls, keep(cls))
            if got[1] is not None:
                out.append((name(t), got[0], got[1]))  # type: ignore[arg-type]
        out.sort(key=_first)  # descriptors are distinct: descriptor order, as sorted(callees(method))
        return out

    def _class_rank(self) -> array | None:
        """The rank of each node's class (:meth:`_walk_order`'s, whatever the prefixes it was asked with: the
        ranks do not depend on them), None when the kernel declines or the graph has nodes no DEX lists."""
        if self._extra:
            return None
        for got in self._walk_ranks.values():
            if got is not None and len(got[0]) == self._n:
                return got[0]
        got = self._walk_order(())
        return None if got is None else got[0]

    @property
    def edge_count(self) -> int:
        """Number of (caller, callee) pairs, hierarchy targets counted as direct edges (virtual nodes excluded)."""
        if self._edge_count is None:
            off, tgt = csr = self._forward()
            virtual = self._virtual
            self._edge_count = sum(
                len(self._expand_ids(tgt[off[g] : off[g + 1]], csr))
                for g in range(self._n)
                if off[g] != off[g + 1] and not virtual[g]
            )
        return self._edge_count

    def _reachable(self, entries: tuple[str, ...]) -> Reached:
        """:meth:`reachable` without the overlay (cached per entries)."""
        got = self._reach.get(entries)
        if got is not None:
            return got
        check_deadline()
        self.lookup_many(entries)
        lookup = self._lookup
        known = array("I", [g for e in entries if (g := lookup(e)) is not None])
        off, tgt = self._forward()
        check_deadline()
        try:  # the arrays' own buffers: no copy per search; the kernel stops at the stage's deadline
            parents_raw, order_raw = walker.bfs(
                memoryview(off).cast("B"),
                memoryview(tgt).cast("B"),
                self._virtual,
                known.tobytes(),
                deadline_monotonic(),
            )
        except TimeoutError:
            timed_out()
        check_deadline()
        found = Reached(self, entries, _u32(parents_raw), _u32(order_raw), len(set(known)))
        if len(self._reach) >= _REACH_CACHE:
            self._reach.pop(next(iter(self._reach)))
        self._reach[entries] = found
        return found

    def reachable(self, entries: Iterable[str]) -> MutableMapping[str, str | None]:
        """BFS from ``entries``: every reachable method -> the method it was first reached from (entries: None).

        A mapping whose descriptors are made when asked for (a node's name on demand), in the order a dict
        filled in visit order would have: the entries, then the BFS order. Changes made to it stay in it (the
        graph keeps the search itself for the next query)."""
        return ReachMap(self._reachable(tuple(entries)))

    def path(self, entries: Iterable[str], target: str) -> list[str] | None:
        """A shortest call path ``[entry, ..., target]``, or None when ``target`` is not reachable."""
        return self._reachable(tuple(entries)).path(target)

    def walk(
        self,
        entries: Iterable[str],
        *,
        skip_prefixes: tuple[str, ...] = (),
        cut: Mapping[str, Iterable[str]] | None = None,
        closed: Mapping[str, Any] | None = None,
    ) -> MutableMapping[str, str | None]:
        """BFS from ``entries`` over the node ids: method -> the method it was first reached from (entries: None),
        in the order a walk adding each method when first met fills it (the entries, then the methods met).

        The consent model's walk (``rules.consent._walk``): a node's callees (virtual nodes crossed, as
        :meth:`callees` lists them) are taken in the order of their descriptors (not of a set: the parent kept
        must not depend on the hash seed); a callee whose descriptor starts with one of ``skip_prefixes`` is
        neither entered nor kept (entries are kept whatever their name); ``cut`` maps a caller to callees whose
        edge from it is not followed; a callee in ``closed`` (an earlier result over the same graph, closed under
        these edges) is recorded when met but not expanded. The result equals the walk over :meth:`callees` with
        the same rules (same keys, order and parents) and is a mapping like :meth:`reachable`'s: descriptors are
        made only for what is asked of it. The order and the prefix test come from one call of the C kernel
        ``class_ranks`` per graph and prefixes (the rank of each node's class and a prefix flag, no string per
        node): callees are sorted by class rank, and by descriptor (C kernel ``sort_nodes``) only when two of
        them are methods of one class; when it declines (a class or a prefix that is not ASCII, a class that is a
        proper prefix of another) the walk names and sorts every callee it meets instead."""
        ranked = self._walk_order(skip_prefixes)
        if ranked is None:
            return self._walk_named(entries, skip_prefixes=skip_prefixes, cut=cut, closed=closed)
        rank, flags = ranked
        lookup, name = self._lookup, self._name
        firsts = tuple(dict.fromkeys(entries))
        known = array("I", [g for e in firsts if (g := lookup(e)) is not None])
        done = self._closed_ids(closed)
        off, tgt = self._forward()
        ids: tuple[list[tuple], memoryview] | None = None  # sort_nodes' arguments, on first need

        def skipped(c: int) -> bool:  # a node whose flag says its descriptor decides
            return name(c).startswith(skip_prefixes)  # type: ignore[union-attr]

        def by_descriptor(
            nodes: bytes,
        ) -> bytes:  # methods of one class: descriptor bytes (C), else str order
            nonlocal ids
            if ids is None:
                ids = ([code.id_args for code in self.index.codes], memoryview(self._reps).cast("B"))
            got = walker.sort_nodes(*ids, nodes)
            return got if got is not None else array("I", sorted(_u32(nodes), key=name)).tobytes()  # type: ignore[arg-type]

        check_deadline()
        try:  # the loop in C (_reach.walk; its Python twin without the extension), the stage's deadline kept
            parents_raw, order_raw = reach.walk(
                memoryview(off).cast("B"),
                memoryview(tgt).cast("B"),
                self._virtual,
                memoryview(rank).cast("B"),
                flags,
                done,
                known.tobytes(),
                self._cut_pairs(cut),
                deadline_monotonic(),
                skipped,
                by_descriptor,
                [code.id_args for code in self.index.codes],  # ties in descriptor order in the kernel
                memoryview(self._reps).cast("B"),
            )
        except TimeoutError:
            timed_out()
        check_deadline()
        return ReachMap(Reached(self, firsts, _u32(parents_raw), _u32(order_raw), len(known)))

    def _cut_pairs(self, cut: Mapping[str, Iterable[str]] | None) -> bytes:
        """:meth:`walk`'s ``cut`` over node ids for the walk kernel: (caller, callee) u32 pairs, ascending."""
        pairs = sorted({(g, c) for g, callees in self._cut_ids(cut).items() for c in callees})
        return array("I", [x for pair in pairs for x in pair]).tobytes()

    def _cut_ids(self, cut: Mapping[str, Iterable[str]] | None) -> dict[int, set[int]]:
        """:meth:`walk`'s ``cut`` over node ids: caller -> the callees whose edge from it is not followed."""
        lookup = self._lookup
        skips: dict[int, set[int]] = {}
        for m, callees in (cut or {}).items():
            g = lookup(m)
            if g is not None:
                skips.setdefault(g, set()).update(c for x in callees if (c := lookup(x)) is not None)
        return skips

    def _frontier(
        self, queue: deque[int], mark: bytearray, skips: dict[int, set[int]]
    ) -> Iterator[tuple[int, set[int]]]:
        """The BFS step both walks share: for each node taken from ``queue`` (which the caller fills as it records
        nodes), ``(node, its callees not yet marked)``, virtual nodes crossed and ``skips``' cut edges left out;
        nodes with none are passed over. Checks the caller's stage deadline every 2048 nodes."""
        off, tgt = self._forward()
        virtual = self._virtual
        steps = 0
        while queue:
            g = queue.popleft()
            steps += 1
            if not steps & 2047:
                check_deadline()  # the caller's stage deadline (StageTimeout), never an endless walk
            start, end = off[g], off[g + 1]
            if start == end:
                continue
            found: set[int] = set()
            for t in tgt[start:end]:
                if not virtual[t]:
                    if not mark[t]:
                        found.add(t)
                else:
                    found.update(x for x in tgt[off[t] : off[t + 1]] if not virtual[x] and not mark[x])
            if not found:
                continue
            skip = skips.get(g)
            if skip:
                found -= skip
            yield g, found

    def _walk_order(self, skip_prefixes: tuple[str, ...]) -> tuple[array, bytearray] | None:
        """(rank of the node's class among the class descriptors, prefix flag) per node for :meth:`walk`, from the C
        kernel ``class_ranks`` (kept per prefixes): flag 1 = skipped by its class, 2 = its descriptor decides, 0 =
        kept. Descriptor order is (class rank, descriptor) order since no class is a proper prefix of another (the
        kernel checks). None when it declines (a class or a prefix that is not ASCII, a class that is a prefix of
        another) or when there are nodes no DEX lists."""
        got = self._walk_ranks.get(skip_prefixes, _UNSET)
        if got is not _UNSET and (got is None or len(got[0]) == self._n):
            return got
        got = None
        if not self._extra and all(p.isascii() for p in skip_prefixes):
            check_deadline()
            try:
                raw = walker.class_ranks(
                    [code.id_args for code in self.index.codes],
                    memoryview(self._reps).cast("B"),
                    tuple(p.encode("ascii") for p in skip_prefixes),
                    deadline_monotonic(),
                )
            except TimeoutError:
                timed_out()
            except ValueError:  # tables intern_methods checked: never expected; naming finds the same error
                raw = None
            if raw is not None:
                n_virtual = self._n - self._n_real  # virtual nodes: never ranked, never recorded
                rank = _u32(bytes(raw[0]))
                rank.extend(array("I", [NONE]) * n_virtual)
                flags = raw[1]
                flags.extend(bytes(n_virtual))
                got = (rank, flags)
        if len(self._walk_ranks) >= 4:
            self._walk_ranks.pop(next(iter(self._walk_ranks)))
        self._walk_ranks[skip_prefixes] = got
        return got

    def _walk_named(
        self,
        entries: Iterable[str],
        *,
        skip_prefixes: tuple[str, ...] = (),
        cut: Mapping[str, Iterable[str]] | None = None,
        closed: Mapping[str, Any] | None = None,
    ) -> dict[str, str | None]:
        """:meth:`walk` naming every callee it meets (descriptor order by sorting the names): when
        :meth:`_walk_order` declines (a descriptor or a prefix that is not ASCII, nodes no DEX lists)."""
        lookup, name, cache = self._lookup, self._name, self._name_cache
        parents: dict[str, str | None] = dict.fromkeys(entries)
        mark = bytearray(self._n)  # 1: recorded, 2: skipped by its prefix (a fixed property of the node)
        done = self._closed_ids(closed)
        queue: deque[int] = deque()
        for e in parents:
            g = lookup(e)
            if g is not None:
                mark[g] = 1
                if not done[g]:
                    queue.append(g)
        skips = self._cut_ids(cut)
        for g, found in self._frontier(queue, mark, skips):
            named = []
            for c in found:
                n = cache.get(c) or name(c)
                if skip_prefixes and n.startswith(skip_prefixes):  # type: ignore[union-attr]
                    mark[c] = 2
                else:
                    named.append((n, c))
            named.sort()
            parent = cache.get(g) or name(g)
            for n, c in named:
                parents[n] = parent  # type: ignore[index]
                mark[c] = 1
                if not done[c]:
                    queue.append(c)
        return parents

    def _closed_ids(self, closed: Mapping[str, Any] | None) -> bytearray:
        """One byte per node, 1 for the nodes of ``closed`` (a :meth:`walk` or :meth:`reachable` result)."""
        done = bytearray(self._n)
        if not closed:
            return done
        base = (
            closed._base
            if isinstance(closed, ReachMap) and not closed._added and not closed._removed
            else None
        )
        if isinstance(base, Reached) and base._graph is self:  # its nodes without a descriptor per node
            for g in base._order:
                done[g] = 1
            keys: Iterable[str] = base._entries
        else:
            keys = closed
        lookup = self._lookup
        for k in keys:
            g = lookup(k)
            if g is not None:
                done[g] = 1
        return done


class Reached(Mapping[str, "str | None"]):
    """A BFS result of :meth:`CallGraph.reachable`: method descriptor -> the method it was first reached from
    (entries -> None), over the kernel's parent array and visit order: a descriptor is made only when a key or a
    value is asked for (a lookup goes through the graph's id tables, see ``CallGraph._lookup``). Iteration gives
    the entries (as given, without repeats) then the reached methods in visit order, as the dict it replaces."""

    __slots__ = ("_entries", "_first", "_graph", "_order", "_parents")

    def __init__(self, graph: CallGraph, entries: tuple[str, ...], parents: array, order: array, first: int):
        self._graph = graph
        self._entries = dict.fromkeys(entries)
        self._parents = parents
        self._order = order
        self._first = first  # order[:first] are the entries' nodes

    def _node(self, key: object) -> int | None:
        """The reached node of ``key`` (None when it is no reached method)."""
        if type(key) is not str:
            return None
        g = self._graph._node_of.get(key, _UNSET)  # _lookup's cache, inlined: membership is asked a lot
        if g is _UNSET:
            g = self._graph._lookup(key)
        if g is None or self._parents[g] == NONE:
            return None
        return g

    def __contains__(self, key: object) -> bool:
        return key in self._entries or self._node(key) is not None

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._entries:
            return None
        g = self._node(key)
        return default if g is None else self._graph._name(self._parents[g])

    def __getitem__(self, key: str) -> str | None:
        if key in self._entries:
            return None
        g = self._node(key)
        if g is None:
            raise KeyError(key)
        return self._graph._name(self._parents[g])

    def __iter__(self) -> Iterator[str]:
        yield from self._entries
        name = self._graph._name
        for g in itertools.islice(self._order, self._first, None):
            yield name(g)  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self._entries) + len(self._order) - self._first

    def iter_items(self) -> Iterator[tuple[str, str | None]]:
        """(method, parent) in iteration order, each name made once."""
        for e in self._entries:
            yield e, None
        name, parents = self._graph._name, self._parents
        for g in itertools.islice(self._order, self._first, None):
            yield name(g), name(parents[g])  # type: ignore[misc]

    def items(self) -> ItemsView[str, str | None]:
        return _Items(self)

    def values(self) -> ValuesView[str | None]:
        return _Values(self)

    def roots(self, methods: Iterable[str], limit: int) -> dict[str, str]:
        """For each of ``methods`` that is a key (in order): the method its recorded path starts at, as following
        ``get`` from it until an entry (whose value is None) finds it, with a memo shared along the way: a method
        met before gets the root it got then, and a walk of more than ``limit`` steps stops at the method it has
        reached (a guard for malformed chains, as the reachability stage's). Over node ids: only the roots are
        named."""
        graph, parents, entries = self._graph, self._parents, self._entries
        node_of, lookup = graph._node_of, graph._lookup
        memo: dict[int, int] = {}  # node -> node of its root
        out: dict[str, str] = {}
        for m in methods:
            if m in out:
                continue
            if m in entries:  # an entry (with or without a node): its own root
                out[m] = m
                continue
            g = node_of.get(m, _UNSET) if type(m) is str else None
            if g is _UNSET:
                g = lookup(m)
            if g is None or parents[g] == NONE:
                continue  # not a key
            path: list[int] = []
            x = g
            while x not in memo:
                path.append(x)
                p = parents[x]
                if p == x or len(path) > limit:  # an entry (its own parent in the array), or the guard
                    memo[x] = x
                    break
                x = p
            root = memo[x]
            for y in path:
                memo[y] = root
            out[m] = graph._name(root)  # type: ignore[assignment]
        return out

    def path(self, target: str) -> list[str] | None:
        """The recorded path ``[entry, ..., target]``, or None when ``target`` is not reached."""
        if target in self._entries:
            return [target]
        g = self._node(target)
        if g is None:
            return None
        parents, chain = self._parents, [g]
        while (p := parents[chain[-1]]) != chain[-1]:  # an entry is its own parent in the kernel's array
            chain.append(p)
        name = self._graph._name
        return [name(x) for x in reversed(chain)]  # type: ignore[misc]


class _Items(ItemsView):
    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return self._mapping.iter_items()  # type: ignore[attr-defined]


class _Values(ValuesView):
    def __iter__(self) -> Iterator[Any]:
        return (v for _k, v in self._mapping.iter_items())  # type: ignore[attr-defined]


class ReachMap(MutableMapping[str, "str | None"]):
    """What :meth:`CallGraph.reachable` returns: a :class:`Reached` result with the caller's own changes on top
    (the result itself is shared through the graph's cache), so a caller may add to it like to a dict."""

    __slots__ = ("_added", "_base", "_removed")

    def __init__(self, base: Reached) -> None:
        self._base = base
        self._added: dict[str, str | None] = {}
        self._removed: set[str] = set()

    def __contains__(self, key: object) -> bool:
        return key in self._added or (key not in self._removed and key in self._base)

    def __getitem__(self, key: str) -> str | None:
        if key in self._added:
            return self._added[key]
        if key in self._removed:
            raise KeyError(key)
        return self._base[key]

    def __setitem__(self, key: str, value: str | None) -> None:
        # a key of the result keeps its place (as in a dict) unless it was deleted first (then it goes last)
        self._added[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        added = self._added
        if key in added:
            return added[key]
        if key in self._removed:
            return default
        return self._base.get(key, default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        added = self._added
        if key in added:
            return added[key]
        if key not in self._removed and key in self._base:
            return self._base[key]
        added[key] = default
        return default

    def __delitem__(self, key: str) -> None:
        hit = self._added.pop(key, _UNSET) is not _UNSET
        if key not in self._removed and key in self._base:
            self._removed.add(key)
            hit = True
        if not hit:
            raise KeyError(key)

    def _tail(self) -> Iterator[str]:
        """The added keys that come after the result's (new, or deleted from it and set again)."""
        removed, base = self._removed, self._base
        return (k for k in self._added if k in removed or k not in base)

    def __iter__(self) -> Iterator[str]:
        removed = self._removed
        for k in self._base:
            if k not in removed:
                yield k
        yield from self._tail()

    def __len__(self) -> int:
        return len(self._base) - len(self._removed) + sum(1 for _ in self._tail())

    def iter_items(self) -> Iterator[tuple[str, str | None]]:
        removed, added = self._removed, self._added
        for k, v in self._base.iter_items():
            if k in removed:
                continue
            yield (k, added[k]) if k in added else (k, v)
        for k in self._tail():
            yield k, added[k]

    def items(self) -> ItemsView[str, str | None]:
        return _Items(self)

    def values(self) -> ValuesView[str | None]:
        return _Values(self)

    def roots(self, methods: Iterable[str], limit: int) -> dict[str, str] | None:
        """:meth:`Reached.roots` when nothing was changed, else None."""
        if not self._added and not self._removed and isinstance(self._base, Reached):
            return self._base.roots(methods, limit)
        return None

    def path(self, target: str) -> list[str] | None:
        """As :meth:`Reached.path` when nothing was changed."""
        if not self._added and not self._removed and isinstance(self._base, Reached):
            return self._base.path(target)
        if target not in self:
            return None
        chain = [target]
        while (p := self[chain[-1]]) is not None:
            chain.append(p)
        return chain[::-1]
