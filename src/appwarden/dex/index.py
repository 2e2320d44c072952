"""CodeIndex: every DEX of an app walked once, answering the queries the rules and the call-site finder need.

Contract (see ``docs/architecture.md``): :func:`build_index(dex_blobs, limits)` takes ``[(entry name, bytes)]`` in
Android load order and returns a :class:`CodeIndex`. A corrupt DEX becomes an :class:`~appwarden.evidence.ErrorNote`
in ``CodeIndex.errors`` and is skipped; methods whose code is malformed are skipped and counted in one note per
DEX. Queries return :class:`Ref` = ``(caller, target, dex, offset)`` with full smali descriptors and the byte offset
of the instruction in its DEX file.

Matching is exact on the method reference as written in the bytecode (the way androguard's xrefs see it): a
target ``Lcls;->name`` matches every reference whose class is ``Lcls;`` and name is ``name`` (all overloads); a
full descriptor ``Lcls;->name(params)ret`` matches that overload only. A call written against an app subclass
(``invoke-virtual Lcom/x/MyTm;->getDeviceId()``, ``MyTm extends TelephonyManager`` and not overriding it) is a
different reference; ``invokes(..., through_app_subclasses=True)`` also returns those, resolved to the framework
method (``target`` is then the framework descriptor). :func:`appwarden.dex.api_index.find_callsites` uses that.

The bulky per-instruction data stays in packed arrays (:mod:`appwarden.dex.records`); Python objects are built only
for what a query returns. The queries by referenced id (invokes, ``sget``, ``const-string``, and any other kind
:meth:`DexCode.select` is asked for) look their events up in an inverted index built once per DEX and kind
(:meth:`DexCode.event_index`: the events grouped by idx, 4 bytes per event of the kind and 4 per id) instead of
passing over every event per query.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, chain, compress, groupby, repeat
from operator import eq, itemgetter
from typing import TYPE_CHECKING, NamedTuple

from appwarden.dex import timed_out, walker
from appwarden.dex.reader import NO_INDEX, DexFile, split_container, type_keys
from appwarden.dex.records import (
    EV_INVOKE,
    EV_LITERAL,
    EV_SGET,
    EV_STRING,
    EVENT_WORDS,
    METHOD_WORDS,
    OP_INVOKE_CUSTOM,
    OP_INVOKE_CUSTOM_RANGE,
    literal_value,
)
from appwarden.dex.records import event_index as _py_event_index
from appwarden.dex.records import nondecreasing as _py_nondecreasing
from appwarden.errors import AppwardenError, DexFormatError, KnowledgeError, LimitExceeded, StageTimeout
from appwarden.evidence import ErrorNote
from appwarden.lazylog import get_logger
from appwarden.limits import DEFAULT_LIMITS, Limits, check_deadline, deadline_monotonic

if TYPE_CHECKING:
    from appwarden.dex.callgraph import CallGraph

log = get_logger(__name__)

# the C kernel when the extension is built, else its pure-Python twin (the fallback walker has no such kernel)
_event_index: Callable[[bytes, Sequence[tuple[int, int]]], list[tuple[bytes, bytes, bytes]]] = getattr(
    walker, "event_index", _py_event_index
)
# the C bisection over the records' ev_start column (records.record_of is its twin; without the extension
# record_of_event bisects the column itself)
_record_of: Callable[[bytes, int], int] | None = getattr(walker, "record_of", None)
# whether a column of the records never decreases (the C kernel, else its twin)
_nondecreasing: Callable[[bytes, int, int], bool] = getattr(walker, "nondecreasing", _py_nondecreasing)
# CodeIndex._class_map in one pass (the kernel reads the class defs as little-endian u32: the arrays are native)
_class_map_kernel: Callable[[list, list], dict] | None = (
    getattr(walker, "class_map", None) if sys.byteorder == "little" else None
)
# each byte value's 8 bits as 8 bytes (bit k -> byte k): a bitmap joined from these is compress()'s selector
_BIT_BYTES = [bytes((value >> k) & 1 for k in range(8)) for value in range(256)]
# invoke-custom: an invoke whose idx is a call-site id, not a method id
_CUSTOM_OPS = frozenset((OP_INVOKE_CUSTOM, OP_INVOKE_CUSTOM_RANGE))
# a selection of more events than this is read with one pass over the events rather than sorted from its groups
_SORT_LIMIT = 4096

ACC_STATIC = 0x8
ACC_INTERFACE = 0x200
ACC_ABSTRACT = 0x400


class Ref(NamedTuple):
    """One use of a target: the calling method, the target (method/field descriptor or string), DEX and offset."""

    caller: str
    target: str
    dex: str
    offset: int


@dataclass(frozen=True, slots=True)
class ClassInfo:
    """A class defined in the app (first definition in load order wins, as on Android)."""

    descriptor: str
    superclass: str | None
    interfaces: tuple[str, ...]
    access_flags: int
    methods: tuple[str, ...]  # full descriptors of the methods it defines (direct then virtual)
    dex: str

    @property
    def is_interface(self) -> bool:
        return bool(self.access_flags & ACC_INTERFACE)


class _RecordsByClass(Mapping[int, list[int]]):
    """DexCode.by_class(): a read-only view of the per-class record ranges giving a new list per lookup."""

    __slots__ = ("_ranges",)

    def __init__(self, ranges: dict[int, Sequence[int]]) -> None:
        self._ranges = ranges

    def __getitem__(self, cdi: int) -> list[int]:
        return list(self._ranges[cdi])

    def __iter__(self) -> Iterator[int]:
        return iter(self._ranges)

    def __len__(self) -> int:
        return len(self._ranges)


@dataclass(slots=True)
class DexCode:
    """One DEX with its walk results (packed records, see :mod:`appwarden.dex.records`)."""

    dex: DexFile
    methods_raw: bytes
    events_raw: bytes
    bad_methods: int
    methods: memoryview = field(init=False)
    events: memoryview = field(init=False)
    ev_starts: Sequence[int] = field(init=False)  # a strided view of the records' ev_start column
    _by_class: Mapping[int, list[int]] | None = None
    _subclasses: dict[int, list[int]] | None = None
    _sup_col: bytes | None = None  # subclass_defs: the class defs' superclass column (u32, native order)
    _sups: frozenset[int] | None = None  # the superclass type idxs of the class defs (has_subclass_defs)
    _descs: list[str] | None = None
    _types: list[str] | None = None
    _ranges: dict[int, Sequence[int]] | None = None
    _record_classes: Sequence[int] | None = (
        None  # class_def_idx of each method record (a view of the records)
    )
    _records_sorted: bool | None = None
    _record_descs: list[str] | None = None
    _checked: bool = False  # the method id tables passed method_descs' checks (see check_descs)
    _id_args: tuple | None = None
    _callers: dict[int, str] | None = None  # record -> caller descriptor (caller_of_event)
    # (kind, size) -> (offsets, order, present) of event_index: the inverted index select() looks groups up in
    _inv: dict[tuple[int, int], tuple[memoryview, memoryview, bytes]] | None = None

    def __post_init__(self) -> None:
        self.methods = memoryview(self.methods_raw).cast("I")
        self.events = memoryview(self.events_raw).cast("I")
        # views, not lists: a list of Python ints costs ~36 bytes per method record (~19 MB on 100 MB of DEX)
        self.ev_starts = self.methods[4::METHOD_WORDS]

    def __getstate__(self) -> tuple:
        # memoryviews cannot be pickled: keep the raw bytes and rebuild the views (process pools pickle results)
        return (self.dex, self.methods_raw, self.events_raw, self.bad_methods)

    def __setstate__(self, state: tuple) -> None:
        self.dex, self.methods_raw, self.events_raw, self.bad_methods = state
        self._by_class = None
        self._subclasses = None
        self._sup_col = None
        self._sups = None
        self._descs = None
        self._types = None
        self._ranges = None
        self._record_classes = None
        self._records_sorted = None
        self._record_descs = None
        self._checked = False
        self._id_args = None
        self._callers = None
        self._inv = None
        self.__post_init__()

    @property
    def name(self) -> str:
        return self.dex.name

    @property
    def n_methods(self) -> int:
        return len(self.methods) // METHOD_WORDS

    @property
    def n_events(self) -> int:
        return len(self.events) // EVENT_WORDS

    def record(self, r: int) -> tuple[int, ...]:
        """Method record ``r``: class_def_idx, method_idx, access_flags, code_off, ev_start, ev_end, insns_size."""
        return tuple(self.methods[r * METHOD_WORDS : (r + 1) * METHOD_WORDS])

    def event(self, i: int) -> tuple[int, int, int, int, int, int]:
        """Event ``i`` as ``(kind, opcode, offset, idx, a, b)``."""
        k, off, idx, a, b = self.events[i * EVENT_WORDS : (i + 1) * EVENT_WORDS]
        return k >> 8, k & 0xFF, off, idx, a, b

    def record_of_event(self, i: int) -> int:
        """The method record holding event ``i`` (the last record whose ev_start is at most ``i``): one C call
        (``_dexscan.record_of``), else a bisection over the ev_start column (the same steps)."""
        if _record_of is not None:
            try:
                return _record_of(self.methods_raw, i)
            except OverflowError:  # (not an event number: beyond a C long long)
                pass
        return bisect_right(self.ev_starts, i) - 1

    @property
    def descs(self) -> list[str]:
        """Full descriptor of every method id of the DEX (index = method idx), built on first use.

        One C call builds the ASCII ones (nearly all); the others are decoded from MUTF-8 by
        :meth:`DexFile.method_desc`. Raises DexFormatError when the id tables are malformed. A scan does not build
        it (one string per method id: 100 MB on a 100 MB-DEX app); :meth:`method_desc` decodes one.
        """
        descs = self._descs
        if descs is None:
            dex = self.dex
            try:
                descs = walker.method_descs(*id_table_args(dex, methods=True), deadline_monotonic())
            except TimeoutError:
                timed_out()
            except ValueError as exc:
                raise DexFormatError(f"{dex.name}: {exc}") from None
            _fill_missing(descs, dex.method_desc)
            self._descs = descs
        return descs

    @property
    def id_args(self) -> tuple:
        """``id_table_args(dex, methods=True)``, made once."""
        if self._id_args is None:
            self._id_args = id_table_args(self.dex, methods=True)
        return self._id_args

    def check_descs(self) -> None:
        """Run the checks :attr:`descs` runs on the id tables (the same DexFormatError), once, without making the
        descriptors: a scan makes a method's descriptor only when it is asked for (:meth:`method_desc`)."""
        if not self._checked and self._descs is None:
            dex = self.dex
            # validate's string lengths, found over the same buffer (the kernel's checks then read a length per
            # name and type string instead of locating it again: the same errors, none of them about string data)
            lens = dex.string_lens if dex.container_size == dex.size else None
            try:
                walker.method_descs(*self.id_args, deadline_monotonic(), False, lens)
            except TimeoutError:
                timed_out()
            except ValueError as exc:
                raise DexFormatError(f"{self.dex.name}: {exc}") from None
            self._checked = True
            dex.string_lens = None

    def method_desc(self, midx: int) -> str:
        """Full descriptor ``Lcls;->name(params)ret`` of method id ``midx`` (the item of :attr:`descs`, decoded on
        its own when the list was not made: the tables are checked as for the list first)."""
        descs = self._descs
        if descs is not None:
            return descs[midx]
        if not self._checked:  # (check_descs' own test: ~15 000 calls a scan at 100 MB skip two Python calls)
            self.check_descs()
        args = self._id_args
        got = walker.method_desc(args if args is not None else self.id_args, midx)
        return got if got is not None else self.dex.method_desc(midx)

    def method_sig(self, midx: int) -> str:
        """``name(params)ret`` of method id ``midx``: its descriptor after the class and "->" (interned: the class
        hierarchy resolution keeps many of them, and overrides share them)."""
        self.check_descs()
        got = walker.method_desc(self.id_args, midx, True) if self._descs is None else None
        if got is None:
            dex = self.dex
            got = dex.string(dex.method_name[midx]) + dex.proto_desc(dex.method_proto[midx])
        return sys.intern(got)

    def method_sigs(self, mids: Sequence[int]) -> list[str]:
        """:meth:`method_sig` of each method id of ``mids``, with one C call."""
        if self._descs is not None:
            return list(map(self.method_sig, mids))
        self.check_descs()
        got = walker.method_descs_at(self.id_args, array("I", mids).tobytes(), True)
        for i in [i for i, s in enumerate(got) if s is None]:  # not ASCII: the reader's decoder
            got[i] = self.method_sig(mids[i])
        return list(map(sys.intern, got))

    def method_descs(self, mids: Sequence[int]) -> list[str]:
        """:meth:`method_desc` of each method id of ``mids``, with one C call."""
        descs = self._descs
        if descs is not None:
            return list(map(descs.__getitem__, mids))
        self.check_descs()
        got = walker.method_descs_at(self.id_args, array("I", mids).tobytes())
        for i in [i for i, s in enumerate(got) if s is None]:  # not ASCII: the reader's decoder
            got[i] = self.dex.method_desc(mids[i])
        return got

    def find_method_ids(self, desc: str, lo: int, hi: int) -> list[int]:
        """The method ids in ``[lo, hi)`` whose descriptor is ``desc``, ascending (no descriptor string made for
        an ASCII ``desc``: the C kernel compares bytes in the DEX tables)."""
        if hi <= lo:
            return []
        if desc.isascii() and "\x00" not in desc:
            # a descriptor decoded from bytes that are not all ASCII holds a character outside ASCII or NUL:
            # it cannot equal desc, and the kernel compares the ASCII ones bytewise
            self.check_descs()
            got = walker.find_methods(self.id_args, lo, hi, desc.encode("ascii"))
            if got is not None:
                return memoryview(got).cast("I").tolist()
        return [m for m in range(lo, min(hi, self.dex.method_ids_size)) if self.method_desc(m) == desc]

    @property
    def type_descs(self) -> list[str]:
        """Descriptor of every type id of the DEX (index = type idx), built on first use like :attr:`descs`."""
        types = self._types
        if types is None:
            dex = self.dex
            try:
                types = walker.type_descs(*id_table_args(dex, methods=False))
            except ValueError as exc:
                raise DexFormatError(f"{dex.name}: {exc}") from None
            # one object per type descriptor over the DEX files (a multidex app lists the framework and library
            # types in each of them): interned strings (the kernel interns the ones it makes) are freed with their
            # last user
            _fill_missing(types, lambda i: sys.intern(dex.type_desc(i)))
            self._types = types
        return types

    @property
    def record_descs(self) -> list[str]:
        """Descriptor of the method of each method record (index = record number; built on first use, not by a
        scan: :meth:`CodeIndex.class_info` and :meth:`CodeIndex.method_records` decode a class's own)."""
        if self._record_descs is None:
            self._record_descs = list(map(self.descs.__getitem__, self.methods[1::METHOD_WORDS].tolist()))
        return self._record_descs

    def caller_of_event(self, i: int) -> str:
        """Descriptor of the method whose code holds event ``i`` (kept per method record once asked for: the
        queries name the same callers again and again)."""
        return self.caller_of_record(self.record_of_event(i))

    def records_of_events(self, events: Sequence[int]) -> list[int]:
        """:meth:`record_of_event` of each event number of ``events`` (the C bisection mapped over them, no Python
        call per event)."""
        if _record_of is not None:
            try:
                return list(map(_record_of, repeat(self.methods_raw, len(events)), events))
            except OverflowError:  # (not an event number: beyond a C long long)
                pass
        return [bisect_right(self.ev_starts, i) - 1 for i in events]

    def callers_of_records(self, records: Iterable[int]) -> dict[int, str]:
        """The cache of :meth:`caller_of_record` (record -> descriptor) holding every record of ``records``: the
        ones not named yet are named together, with one C call (:meth:`method_descs`: the same descriptors)."""
        callers = self._callers
        if callers is None:
            callers = self._callers = {}
        todo = [r for r in set(records) if r not in callers]
        if todo:
            mids = self.methods[1::METHOD_WORDS]
            callers.update(zip(todo, self.method_descs([mids[r] for r in todo]), strict=True))
        return callers

    def caller_of_record(self, r: int) -> str:
        """Descriptor of the method of record ``r`` (kept once asked for, as :meth:`caller_of_event` keeps it)."""
        callers = self._callers
        if callers is None:
            callers = self._callers = {}
        got = callers.get(r)
        if got is None:
            got = callers[r] = self.method_desc(self.methods[r * METHOD_WORDS + 1])
        return got

    def class_records(self, cdi: int) -> Sequence[int]:
        """Method record numbers of class def ``cdi``. Both walkers emit the records of a class together and in
        class-def order, so each class gets a ``range``, found by bisection in the records' class column (read
        once); records in another order are grouped once (:meth:`by_class`)."""
        if self._records_sorted is None:  # checked once, without a Python int per record
            self._records_sorted = _nondecreasing(self.methods_raw, METHOD_WORDS, 0)
            self._record_classes = self.methods[0::METHOD_WORDS]
        if not self._records_sorted:  # pragma: no cover - records in another order
            return self._record_ranges().get(cdi, ())
        column = self._record_classes
        assert column is not None
        lo = bisect_left(column, cdi)
        hi = bisect_right(column, cdi, lo)
        return range(lo, hi) if hi > lo else ()

    def _record_ranges(self) -> dict[int, Sequence[int]]:
        """class_def_idx -> its method record numbers (a ``range`` each when the records are in class-def order)."""
        ranges = self._ranges
        if ranges is None:
            cdis = self.methods[0::METHOD_WORDS].tolist()
            ranges = {}
            if cdis == sorted(cdis):  # C-level counting: Counter keeps the (sorted) first-seen order
                counts = Counter(cdis)
                starts = list(accumulate(counts.values(), initial=0))
                ranges.update(zip(counts, map(range, starts, starts[1:]), strict=True))
            else:  # pragma: no cover - records in another order: group them one by one
                for r, c in enumerate(cdis):
                    ranges.setdefault(c, []).append(r)  # type: ignore[union-attr]
            self._ranges = ranges
        return ranges

    def by_class(self) -> Mapping[int, list[int]]:
        """class_def_idx -> method record numbers (each list made when asked for; the same records as
        :meth:`class_records`)."""
        if self._by_class is None:
            self._by_class = _RecordsByClass(self._record_ranges())
        return self._by_class

    def has_subclass_defs(self, sup: int) -> bool:
        """Whether some class def of this DEX has superclass type idx ``sup`` (``bool(subclass_defs(sup))``, from a
        set of the superclass column made once: most lookups find no subclass, and need not sort the class defs)."""
        sups = self._sups
        if sups is None:
            sups = self._sups = frozenset(self.dex.class_defs[2::8].tolist())
        return sup in sups

    def subclass_defs(self, sup: int) -> list[int]:
        """class_def indices of the classes of this DEX whose superclass type idx is ``sup``, ascending (the list
        :meth:`subclass_map` holds for ``sup``; found by a byte search of the superclass column, which costs less
        than grouping or sorting every class: most DEX files are asked about a few superclasses)."""
        if not self.has_subclass_defs(sup):  # most: a set lookup, not a search of the whole column
            return []
        col = self._sup_col
        if col is None:
            col = self._sup_col = self.dex.class_defs[2::8].tobytes()
        needle = sup.to_bytes(4, sys.byteorder)  # the column's own (native) order
        out: list[int] = []
        find = col.find
        p = find(needle)
        while p >= 0:
            if p & 3:  # inside two words: look again from the next byte
                p = find(needle, p + 1)
                continue
            out.append(p >> 2)
            p = find(needle, p + 4)
        return out

    def subclass_map(self) -> dict[int, list[int]]:
        """superclass type idx -> class_def indices of the classes extending it in this DEX (cached)."""
        if self._subclasses is None:
            children: dict[int, list[int]] = {}
            for cdi, sup in enumerate(self.dex.class_defs[2::8]):
                children.setdefault(sup, []).append(cdi)
            self._subclasses = children
        return self._subclasses

    def event_index(self, kind: int, size: int) -> tuple[memoryview, memoryview, bytes]:
        """The events of ``kind`` whose idx is below ``size``, grouped by idx: ``(offsets, order, present)`` (u32
        views and a bitmap; see :func:`appwarden.dex.records.event_index`), built on first use and kept: 4 bytes
        per event of the kind plus 4 per id. The first call builds the three kinds the queries look up (invokes
        by method id, ``const-string`` by string id, ``sget`` by field id) with one C call (two passes over the
        events); another (kind, size) gets its own call."""
        inv = self._inv
        if inv is None:
            dex = self.dex
            wanted = [
                (EV_INVOKE, dex.method_ids_size),
                (EV_STRING, dex.string_ids_size),
                (EV_SGET, dex.field_ids_size),
            ]
            inv = self._inv = dict(
                zip(wanted, map(_index_views, _event_index(self.events_raw, wanted)), strict=True)
            )
        got = inv.get((kind, size))
        if got is None:
            got = inv[(kind, size)] = _index_views(_event_index(self.events_raw, [(kind, size)])[0])
        return got

    def select(self, kind: int, idxs: Iterable[int], size: int) -> list[int]:
        """Event numbers of ``kind`` whose idx is in ``idxs`` (each < ``size``), ascending.

        A lookup per idx in :meth:`event_index` (no pass over the events); a large selection is read with one
        pass instead (sorting many groups together in Python costs more than the pass)."""
        offsets, order, _present = self.event_index(kind, size)
        spans: list[tuple[int, int]] = []
        total = 0
        for i in set(idxs):
            if 0 <= i < size:
                lo, hi = offsets[i], offsets[i + 1]
                if hi > lo:
                    spans.append((lo, hi))
                    total += hi - lo
        if not spans:
            return []
        if len(spans) == 1:
            lo, hi = spans[0]
            return order[lo:hi].tolist()
        if total > _SORT_LIMIT:
            bitmap = bytearray((size + 7) // 8)
            for lo, _hi in spans:
                i = self.events[order[lo] * EVENT_WORDS + 2]
                bitmap[i >> 3] |= 1 << (i & 7)
            return memoryview(walker.select(self.events_raw, kind, bytes(bitmap))).cast("I").tolist()
        out: list[int] = []
        for lo, hi in spans:
            out += order[lo:hi]
        out.sort()
        return out

    @property
    def loaded_strings(self) -> bytes:
        """Bitmap over the string ids (bit i = byte i >> 3, mask 1 << (i & 7)) of the strings a ``const-string``
        loads (the ``present`` bitmap of :meth:`event_index`): the only strings a search for ``const-string`` uses
        needs to look at (on an app, a minority of the pool; the rest are names and descriptors)."""
        return self.event_index(EV_STRING, self.dex.string_ids_size)[2]

    def loaded_string_ids(self) -> list[int]:
        """The string ids of :attr:`loaded_strings`, ascending."""
        size = self.dex.string_ids_size
        bits = self.event_index(EV_STRING, size)[2]
        return list(compress(range(size), b"".join(map(_BIT_BYTES.__getitem__, bits))))

    def events_of_record(self, r: int) -> Iterator[tuple[int, int, int, int, int]]:
        """``(event number, kind, opcode, offset, idx)`` of the events of method record ``r``."""
        base = r * METHOD_WORDS
        start, end = self.methods[base + 4], self.methods[base + 5]
        if end <= start:
            return
        rows = self.events[start * EVENT_WORDS : end * EVENT_WORDS]  # the record's events, read as columns
        for i, k, off, idx in zip(
            range(start, end),
            rows[0::EVENT_WORDS].tolist(),
            rows[1::EVENT_WORDS].tolist(),
            rows[2::EVENT_WORDS].tolist(),
            strict=True,
        ):
            yield i, k >> 8, k & 0xFF, off, idx


def _index_views(got: tuple[bytes, bytes, bytes]) -> tuple[memoryview, memoryview, bytes]:
    offsets, order, present = got
    return memoryview(offsets).cast("I"), memoryview(order).cast("I"), present


def id_table_args(dex: DexFile, *, methods: bool) -> tuple:
    """The arguments of the C/Python kernels ``type_descs`` (``methods=False``: the file and the string and type id
    tables) and ``method_descs`` (``methods=True``: also the proto and method id tables)."""
    args: tuple = (
        memoryview(dex.data)[: dex.container_size],
        dex.string_ids_off,
        dex.string_ids_size,
        dex.type_ids_off,
        dex.type_ids_size,
    )
    if methods:
        args += (dex.proto_ids_off, dex.proto_ids_size, dex.method_ids_off, dex.method_ids_size)
    return args


def _fill_missing(items: list, decode: Callable[[int], str]) -> None:
    """Replace each ``None`` in ``items`` (entries the C side left to Python: non-ASCII strings) by ``decode(i)``."""
    i = -1
    while True:  # list.index scans in C: the non-ASCII entries are rare
        try:
            i = items.index(None, i + 1)
        except ValueError:
            return
        items[i] = decode(i)


def _split_target(target: str) -> tuple[str, str, str | None]:
    """``Lcls;->name`` / ``Lcls;->name(params)ret`` / ``Lcls;->name:Type`` -> (class, name, proto-or-type)."""
    cls, sep, rest = target.partition("->")
    if not sep or not cls:
        raise KnowledgeError(f"not a member descriptor (expected Lcls;->name...): {target!r}")
    for mark in ("(", ":"):
        if mark in rest:
            name, _, tail = rest.partition(mark)
            return cls, name, (mark + tail) if mark == "(" else tail
    return cls, rest, None


def _by_class(parts: list[tuple[str, str, str | None]]) -> dict[str, list[tuple[str, str | None]]]:
    """Split targets (:func:`_split_target`) grouped by class: class -> [(name, proto-or-type)], in target order."""
    groups: dict[str, list[tuple[str, str | None]]] = {}
    for cls, name, sig in parts:
        got = groups.get(cls)
        if got is None:
            groups[cls] = [(name, sig)]
        else:
            got.append((name, sig))
    return groups


def _as_list(targets: Iterable[str] | str) -> list[str]:
    return [targets] if isinstance(targets, str) else list(targets)


def build_index(dex_blobs: list[tuple[str, bytes]], limits: Limits = DEFAULT_LIMITS) -> CodeIndex:
    """Index every DEX of an app (see the module docstring); never raises for a bad DEX, records it instead."""
    codes: list[DexCode] = []
    errors: list[ErrorNote] = []
    if len(dex_blobs) > limits.max_dex_files:
        errors.append(
            ErrorNote("dex", f"{len(dex_blobs)} DEX files, only the first {limits.max_dex_files} indexed")
        )
        dex_blobs = dex_blobs[: limits.max_dex_files]
    for name, blob in dex_blobs:
        check_deadline()
        try:
            for dex in split_container(name, blob, limits):
                methods, events, bad = dex.scan()
                code = DexCode(dex, methods, events, bad)
                codes.append(code)
                dex.release_pages()  # walked: the next DEX's pages need not sit beside this one's
                if bad:
                    errors.append(
                        ErrorNote("dex", f"{dex.name}: {bad} methods with malformed code skipped", dex.name)
                    )
        except StageTimeout:  # the whole stage is over: not this DEX's fault, and no other DEX may run on
            raise
        except (DexFormatError, LimitExceeded) as exc:
            errors.append(ErrorNote("dex", str(exc), name))
        except AppwardenError as exc:  # pragma: no cover - other predictable errors
            errors.append(ErrorNote("dex", f"{name}: {exc}", name))
    return CodeIndex(codes, errors)


class CodeIndex:
    """Queries over all indexed DEX files of one app (see the module docstring for the contract)."""

    def __init__(self, codes: list[DexCode], errors: list[ErrorNote] | None = None) -> None:
        self.codes = codes
        self.errors: list[ErrorNote] = list(errors or [])
        # per app class, built on demand: a scan needs the ClassInfo (with its methods) of a few classes only
        self._infos: dict[str, ClassInfo] = {}
        self._children: dict[str, list[str]] | None = None  # superclass -> app classes (subclasses())
        self._supers: dict[str, tuple[str | None, tuple[str, ...]]] = {}
        self._type_lists: dict[tuple[int, int], tuple[str, ...]] = {}
        # method_records(): per app class, descriptor -> its method records
        self._own_records: dict[str, dict[str, list[tuple[int, int]]]] = {}
        # direct_implementers(): interface -> (dex, interface list offset), and per DEX offset -> class defs
        self._iface_users: dict[str, list[tuple[int, int]]] | None = None
        self._iface_groups: list[dict[int, list[int]]] = []

    def release_pages(self) -> None:
        """Give back the pages of every DEX read from an mmap (:meth:`DexFile.release_pages`): the scan calls it
        between stages, so a stage holds only the DEX pages it reads itself."""
        for code in self.codes:
            code.dex.release_pages()

    # -- classes -----------------------------------------------------------------------------------------------

    @cached_property
    def _class_map(self) -> dict[str, tuple[int, int]]:
        """class descriptor -> (dex number, class def number) of its first definition in load order."""
        if _class_map_kernel is not None:  # one C pass (a class defined twice costs no second pass)
            codes = self.codes
            try:
                return _class_map_kernel([c.type_descs for c in codes], [c.dex.class_defs for c in codes])
            except ValueError:  # a class type idx out of range (the reader checks them): the errors below
                pass
        found: dict[str, tuple[int, int]] = {}
        total = 0
        for ci, code in enumerate(self.codes):
            # class_def class indices are checked < type_ids_size by the reader
            classes = code.dex.class_defs[0::8]
            total += len(classes)
            where = zip(repeat(ci), range(len(classes)))
            found.update(zip(map(code.type_descs.__getitem__, classes), where, strict=True))
        if len(found) < total:  # a class defined twice: update() kept the last definition, the first one wins
            found = {}
            for ci, code in enumerate(self.codes):
                types = code.type_descs
                for cdi, t in enumerate(code.dex.class_defs[0::8].tolist()):
                    found.setdefault(types[t], (ci, cdi))
        return found

    @property
    def classes(self) -> KeysView[str]:
        """Descriptors of the classes defined in the app (set-like; first definition in load order wins)."""
        return self._class_map.keys()

    def _class_supers(self, desc: str) -> tuple[str | None, tuple[str, ...]]:
        """(superclass, interfaces) of the app class ``desc`` (cached; both empty when its lists are malformed)."""
        got = self._supers.get(desc)
        if got is None:
            ci, cdi = self._class_map[desc]
            class_defs = self.codes[ci].dex.class_defs
            got = self._supers[desc] = self._read_supers(ci, class_defs[cdi * 8 + 2], class_defs[cdi * 8 + 3])
        return got

    def _read_supers(self, ci: int, sup: int, ifaces_off: int) -> tuple[str | None, tuple[str, ...]]:
        """(superclass, interfaces) from a class def's superclass type idx and interfaces offset in DEX ``ci``;
        ``(None, ())`` when the superclass idx is out of range or the interface list is malformed."""
        types = self.codes[ci].type_descs
        if sup == NO_INDEX:
            superclass = None
        elif sup < len(types):
            superclass = types[sup]
        else:  # as DexFile.type_desc would fail
            return (None, ())
        try:
            return (superclass, self._type_list(ci, ifaces_off) if ifaces_off else ())
        except DexFormatError:
            return (None, ())

    def _type_list(self, ci: int, off: int) -> tuple[str, ...]:
        """``DexFile.type_list`` as a tuple, cached per (DEX, offset): interface lists are shared by many classes."""
        if not off:
            return ()
        got = self._type_lists.get((ci, off))
        if got is None:
            code = self.codes[ci]
            try:
                got = tuple(map(code.type_descs.__getitem__, code.dex.type_list_ids(off)))
            except IndexError:  # an index out of range: DexFile.type_list raises the format error
                got = tuple(code.dex.type_list(off))
            self._type_lists[(ci, off)] = got
        return got

    def class_info(self, desc: str) -> ClassInfo | None:
        """Superclass, interfaces, access flags and methods of an app class; None when not defined in the app.

        Built for one class at a time, on first request, and cached (a scan asks for a few classes only; the
        hierarchy queries :meth:`subclasses` and :meth:`direct_implementers` need no ClassInfo)."""
        info = self._infos.get(desc)
        if info is None:
            where = self._class_map.get(desc)
            if where is None:
                return None
            ci, cdi = where
            code = self.codes[ci]
            superclass, interfaces = self._class_supers(desc)
            rng = code.class_records(cdi)
            mids = code.methods[1::METHOD_WORDS]
            methods = tuple(code.method_descs([mids[r] for r in rng]))
            flags = code.dex.class_defs[cdi * 8 + 1]
            info = self._infos[desc] = ClassInfo(desc, superclass, interfaces, flags, methods, code.name)
        return info

    def subclasses(self, cls: str) -> list[str]:
        """App classes whose superclass (as :meth:`class_info` gives it) is ``cls``, in load order.

        The first call groups every app class under its superclass index entry (no ClassInfo is built)."""
        children = self._children
        if children is None:
            children = self._children = {}
            app = self._class_map
            # when no class is defined twice, every class def is its class's first definition (no check each)
            unique = len(app) == sum(code.dex.class_defs_size for code in self.codes)
            for ci, code in enumerate(self.codes):
                types, cd = code.type_descs, code.dex.class_defs
                n_types = len(types)
                descs = list(map(types.__getitem__, cd[0::8].tolist()))
                pairs: Iterable[tuple[int, str]] = zip(cd[2::8].tolist(), descs, strict=True)
                if not unique:
                    firsts = map(eq, map(app.__getitem__, descs), zip(repeat(ci), range(len(descs))))
                    pairs = compress(pairs, firsts)
                for sup, desc in pairs:
                    if sup < n_types:  # NO_INDEX is never < n_types
                        got = children.get(types[sup])
                        if got is None:
                            children[types[sup]] = [desc]
                        else:
                            got.append(desc)
        # the class's own lists may be malformed: then it has no superclass at all (see _class_supers)
        return [c for c in children.get(cls, ()) if self._class_supers(c)[0] == cls]

    def direct_implementers(self, interface: str) -> list[str]:
        """App classes whose own interface list (as :meth:`class_info` gives it) names ``interface``, in load order.

        Answered from :meth:`_interface_users` (built on the first call: each DEX's distinct interface lists read
        once), so a lookup reads only the class defs whose interface list names ``interface``."""
        found: list[str] = []
        app = self._class_map
        users = self._interface_users().get(interface, ())
        groups = self._iface_groups  # after the build: it sets this list
        for ci, offs in groupby(users, key=itemgetter(0)):
            by_off = groups[ci]
            # each class def has one interface list offset: no duplicates; sorted = load order
            cdis = sorted(chain.from_iterable(by_off[off] for _ci, off in offs))
            code = self.codes[ci]
            types, cd = code.type_descs, code.dex.class_defs
            for cdi in cdis:
                desc = types[cd[cdi * 8]]
                if app[desc] == (ci, cdi) and interface in self._class_supers(desc)[1]:
                    found.append(desc)
        return found

    def _interface_users(self) -> dict[str, list[tuple[int, int]]]:
        """interface -> ``(dex number, interface list offset)`` in ascending dex number, for each distinct interface
        list naming it; ``self._iface_groups[dex number][offset]`` are the class defs (ascending) with that list.
        Built once (compact: one entry per distinct interface list and interface)."""
        users = self._iface_users
        if users is None:
            users = {}
            all_groups: list[dict[int, list[int]]] = []
            for ci, code in enumerate(self.codes):
                offsets = code.dex.class_defs[3::8]
                groups: dict[int, list[int]] = {}
                for cdi in compress(range(len(offsets)), offsets):  # offset 0: no interface list
                    off = offsets[cdi]
                    got = groups.get(off)
                    if got is None:
                        groups[off] = [cdi]
                    else:
                        got.append(cdi)
                all_groups.append(groups)
                for off in groups:
                    for iface in set(self._type_list_or_empty(ci, off)):
                        got_users = users.get(iface)
                        if got_users is None:
                            users[iface] = [(ci, off)]
                        else:
                            got_users.append((ci, off))
            self._iface_groups, self._iface_users = all_groups, users
        return users

    def _direct_implementers_by_scan(self, interface: str) -> list[str]:
        """:meth:`direct_implementers` by scanning every class's interface list (the former algorithm; kept as the
        tests' reference)."""
        found: list[str] = []
        app = self._class_map
        for ci, code in enumerate(self.codes):
            cd = code.dex.class_defs
            offsets = cd[3::8].tolist()
            hits = {off for off in set(offsets) if off and interface in self._type_list_or_empty(ci, off)}
            if not hits:
                continue
            types = code.type_descs
            for cdi, off in enumerate(offsets):
                if off in hits:
                    desc = types[cd[cdi * 8]]
                    if app[desc] == (ci, cdi) and interface in self._class_supers(desc)[1]:
                        found.append(desc)
        return found

    def _type_list_or_empty(self, ci: int, off: int) -> tuple[str, ...]:
        try:
            return self._type_list(ci, off)
        except DexFormatError:
            return ()

    def method_records(self, method: str) -> list[tuple[int, int]]:
        """``(dex number, record number)`` of the app method with full descriptor ``method`` (empty if none).

        The first call for a class names its records' methods (one C call) and keeps descriptor -> records: the
        queries ask for several methods of one class (a scan: ~1 300 calls over ~460 classes at 50 MB)."""
        cls, _name, _proto = _split_target(method)
        got = self._own_records.get(cls)
        if got is None:
            where = self._class_map.get(cls)
            if where is None:
                return []
            got = self._own_records[cls] = self._records_by_desc(*where)
        return list(got.get(method, ()))

    def _records_by_desc(self, ci: int, cdi: int) -> dict[str, list[tuple[int, int]]]:
        """descriptor -> ``(ci, record number)`` of the method records of class def ``cdi`` of DEX ``ci``, records
        ascending (each record named by :meth:`DexCode.method_desc`, with one C call)."""
        code = self.codes[ci]
        records = code.class_records(cdi)
        mids = code.methods[1::METHOD_WORDS]
        by_desc: dict[str, list[tuple[int, int]]] = {}
        for r, desc in zip(records, code.method_descs([mids[r] for r in records]), strict=True):
            got = by_desc.get(desc)
            if got is None:
                by_desc[desc] = [(ci, r)]
            else:
                got.append((ci, r))
        return by_desc

    # -- member references -------------------------------------------------------------------------------------

    def _member_ids(
        self,
        code: DexCode,
        groups: dict[str, list[tuple[str, str | None]]],
        fields: bool,
        tids: list[int] | None = None,
    ) -> dict[int, str | None]:
        """Ids in ``code``'s dex matching the targets (:func:`_by_class`) -> None (the reference itself is the
        target). The classes are looked up together (``tids``: their type indices in ``groups``' order, -1 when
        absent, as :meth:`DexFile.find_types` answers; found with one C call per DEX when not given); a class the
        DEX does not name ends its targets there (most of a query's classes in each DEX of a multidex app)."""
        dex = code.dex
        if tids is None:
            tids = dex.find_types(list(groups))
        found: dict[int, str | None] = {}
        if max(tids, default=-1) < 0:
            return found
        present = [(members, tidx) for members, tidx in zip(groups.values(), tids, strict=True) if tidx >= 0]
        names = {name for members, _t in present for name, _sig in members}
        if len(names) > 1:
            dex.prefetch_strings(names)  # the member names of this DEX's classes: one C call
        if fields:
            ftype = dex.field_type
            for members, tidx in present:
                for name, sig in members:
                    ids = dex.fields_of_type(tidx, name)
                    if sig is not None:
                        ids = [f for f in ids if dex.type_desc(ftype[f]) == sig]
                    for i in ids:
                        found[i] = None
            return found
        mname, mproto = dex.method_name, dex.method_proto
        for members, tidx in present:
            # DexFile.find_methods(class, name, sig) for each member: the class's methods found once
            of_class = dex.methods_of_type(tidx)
            for name, sig in members:
                sidx = dex.find_string(name)
                if sidx is None:
                    continue
                ids = [m for m in of_class if mname[m] == sidx]
                if sig is not None:
                    ids = [m for m in ids if dex.proto_desc(mproto[m]) == sig]
                for i in ids:
                    found[i] = None
        return found

    def _subclass_method_ids(
        self,
        code: DexCode,
        parts: list[tuple[str, str, str | None]],
        classes: Iterable[str],
        tids: list[int] | None = None,
    ) -> dict[int, str]:
        """Method ids written against an app subclass (same DEX) of a target's class that does not override it
        (``parts``: the targets split, in target order; ``classes``: their classes, each once; ``tids``: their
        type indices as :meth:`_member_ids` takes them, looked up here when not given)."""
        dex = code.dex
        classes = list(classes)
        if tids is None:
            tids = dex.find_types(classes)
        bases: dict[str, int] = {}
        # most classes have no subclass in the DEX: their targets are skipped without a lookup each
        for cls, base in zip(classes, tids, strict=True):
            if base >= 0 and code.has_subclass_defs(base):
                bases[cls] = base
        out: dict[int, str] = {}
        if not bases:
            return out
        for cls, name, sig in parts:
            base = bases.get(cls)
            if base is None:
                continue
            frontier, seen = [base], {base}
            while frontier:
                for cdi in code.subclass_defs(frontier.pop()):
                    sub = dex.class_defs[cdi * 8]
                    if sub in seen:
                        continue
                    seen.add(sub)
                    frontier.append(sub)
                    defined = {
                        dex.string(dex.method_name[code.methods[r * METHOD_WORDS + 1]])
                        for r in code.class_records(cdi)
                    }
                    if name in defined:
                        continue
                    for m in dex.find_methods(dex.type_desc(sub), name, sig):
                        _c, n, proto = dex.method_parts(m)
                        out[m] = f"{cls}->{n}{proto}"
        return out

    def _refs(
        self, kind: int, targets: list[str], fields: bool, through_subclasses: bool = False
    ) -> list[Ref]:
        refs: list[Ref] = []
        for _ci, code, i, target in self._iter_matches(kind, targets, fields, through_subclasses):
            off = code.events[i * EVENT_WORDS + 1]
            refs.append(Ref(code.caller_of_event(i), target, code.name, off))
        return refs

    def _dex_matches(
        self, kind: int, targets: list[str], fields: bool, through_subclasses: bool = False
    ) -> Iterator[tuple[int, DexCode, list[int], dict[int, str | None]]]:
        """Per DEX with an event of ``kind`` referencing an id of the targets: (dex number, code, those events'
        numbers ascending, id -> target descriptor, None where the id is the target itself). The events of
        invoke-custom are among them (their idx is a call-site id): :meth:`_iter_matches` skips them."""
        if not self.codes:
            return
        parts = [_split_target(t) for t in targets]  # once per query, not once per DEX
        groups = _by_class(parts)
        classes = list(groups)
        keys = type_keys(classes)  # encoded once for every DEX
        for ci, code in enumerate(self.codes):
            dex = code.dex
            tids = dex.find_types(classes, keys)
            if max(tids, default=-1) < 0:
                continue  # no class of the query in this DEX: no member, no subclass
            ids = self._member_ids(code, groups, fields, tids)
            if through_subclasses and not fields:
                ids.update(self._subclass_method_ids(code, parts, classes, tids))
            if not ids:
                continue
            events = code.select(kind, ids, dex.field_ids_size if fields else dex.method_ids_size)
            if events:
                yield ci, code, events, ids

    def _iter_matches(
        self, kind: int, targets: list[str], fields: bool, through_subclasses: bool = False
    ) -> Iterator[tuple[int, DexCode, int, str]]:
        """(dex number, code, event number, target descriptor) for every matching event."""
        for ci, code, events, ids in self._dex_matches(kind, targets, fields, through_subclasses):
            dex = code.dex
            for i in events:
                op = code.events[i * EVENT_WORDS] & 0xFF
                if op in (OP_INVOKE_CUSTOM, OP_INVOKE_CUSTOM_RANGE):
                    continue  # idx is a call-site id there, not a method id
                idx = code.events[i * EVENT_WORDS + 2]
                target = ids[idx]
                if target is None:  # the reference itself, named once per call for all its events
                    target = ids[idx] = dex.field_desc(idx) if fields else code.method_desc(idx)
                yield ci, code, i, target

    def invokes(self, targets: Iterable[str], through_app_subclasses: bool = False) -> list[Ref]:
        """Every invoke of a target (``Lcls;->name`` = all overloads, or a full descriptor)."""
        return self._refs(EV_INVOKE, _as_list(targets), False, through_app_subclasses)

    def invoke_callers(self, targets: Iterable[str]) -> set[str]:
        """``{ref.caller for ref in self.invokes(targets)}`` without a Ref per invoke: the calling method records
        first, then one descriptor per record (a popular app calls ``Class.forName`` thousands of times)."""
        found: set[str] = set()
        for _ci, code, events, _ids in self._dex_matches(EV_INVOKE, _as_list(targets), False):
            ops = code.events[0::EVENT_WORDS]
            # not invoke-custom (idx is a call-site id there); the records of a DEX named with one C call
            records = set(code.records_of_events([i for i in events if ops[i] & 0xFF not in _CUSTOM_OPS]))
            found.update(map(code.callers_of_records(records).__getitem__, records))
        return found

    def field_reads(self, fields: Iterable[str]) -> list[Ref]:
        """Every static field read (``sget*``) of a field (``Lcls;->name`` or ``Lcls;->name:Type``)."""
        return self._refs(EV_SGET, _as_list(fields), True)

    # -- strings and literals ----------------------------------------------------------------------------------

    def strings_matching(self, values_or_predicate: Iterable[str] | Callable[[str], bool]) -> list[Ref]:
        """``const-string`` uses whose value is one of the values, or satisfies the predicate.

        ``target`` is the string value. With a predicate every string a ``const-string`` loads is decoded once.
        """
        refs: list[Ref] = []
        if isinstance(values_or_predicate, str):
            values_or_predicate = [values_or_predicate]
        keys: list[bytes] = []
        others: list[str] = []
        if not callable(values_or_predicate):
            # the values (an iterator read once, for every DEX): the ASCII ones looked up with one C call per DEX
            # (what find_string does for each), the others one at a time
            values = list(values_or_predicate)
            keys = [v.encode("ascii") for v in values if v.isascii()]
            others = [v for v in values if not v.isascii()]
        for code in self.codes:
            dex = code.dex
            if callable(values_or_predicate):
                pred = values_or_predicate
                ids = {i for i in code.loaded_string_ids() if pred(dex.string(i))}
            else:
                ids = set(
                    walker.find_strings(dex.data, dex.string_ids_off, dex.string_ids_size, keys)
                    if keys
                    else ()
                )
                ids.discard(-1)
                ids.update(i for v in others if (i := dex.find_string(v)) is not None)
            for i in code.select(EV_STRING, ids, dex.string_ids_size):
                _k, off, idx, _a, _b = code.events[i * EVENT_WORDS : (i + 1) * EVENT_WORDS]
                refs.append(Ref(code.caller_of_event(i), dex.string(idx), code.name, off))
        return refs

    def strings_starting_with(self, prefixes: Iterable[str]) -> list[Ref]:
        """``const-string`` uses whose value starts with one of the ASCII prefixes (binary search, no full scan)."""
        prefixes = [p for p in prefixes if p]
        refs: list[Ref] = []
        for code in self.codes:
            dex = code.dex
            ids: set[int] = set()
            for p in prefixes:
                ids.update(dex.strings_with_prefix(p))
            for i in code.select(EV_STRING, ids, dex.string_ids_size):
                off, idx = code.events[i * EVENT_WORDS + 1], code.events[i * EVENT_WORDS + 2]
                refs.append(Ref(code.caller_of_event(i), dex.string(idx), code.name, off))
        return refs

    def strings_containing(self, needles: Iterable[str]) -> list[Ref]:
        """``const-string`` uses whose value contains one of the needles (raw MUTF-8 byte search in C, over the
        strings a ``const-string`` loads only: :attr:`DexCode.loaded_strings`)."""
        nb = [n.encode("utf-8") for n in needles if n]
        refs: list[Ref] = []
        for code in self.codes:
            dex = code.dex
            loaded = code.loaded_strings
            if not nb or not any(loaded):
                continue
            try:
                hits = walker.find_substrings(
                    dex.data, dex.string_ids_off, dex.string_ids_size, nb, deadline_monotonic(), loaded
                )
            except TimeoutError:
                timed_out()
            ids = {s for s, _k in hits}
            for i in code.select(EV_STRING, ids, dex.string_ids_size):
                off, idx = code.events[i * EVENT_WORDS + 1], code.events[i * EVENT_WORDS + 2]
                refs.append(Ref(code.caller_of_event(i), dex.string(idx), code.name, off))
        return refs

    def method_strings(self, method: str) -> list[str]:
        """Strings loaded by ``const-string`` in an app method, in instruction order."""
        out: list[str] = []
        for ci, r in self.method_records(method):
            code = self.codes[ci]
            for _i, kind, _op, _off, idx in code.events_of_record(r):
                if kind == EV_STRING:
                    out.append(code.dex.string(idx))
        return out

    def method_literals(self, method: str) -> list[int]:
        """Raw numeric constants (``const*``, signed 64-bit; float bits not converted) of an app method."""
        out: list[int] = []
        for ci, r in self.method_records(method):
            code = self.codes[ci]
            for i, kind, _op, _off, _idx in code.events_of_record(r):
                if kind == EV_LITERAL:
                    _k, _o, _off2, idx, _a, b = code.event(i)
                    out.append(literal_value(idx, b))
        return out

    # -- call graph --------------------------------------------------------------------------------------------

    @cached_property
    def callgraph(self) -> CallGraph:
        """The app's call graph (built on first use); see :mod:`appwarden.dex.callgraph`."""
        from appwarden.dex.callgraph import CallGraph

        return CallGraph(self)

    # -- statistics --------------------------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        """Counts for reports and benchmarks: dex files, classes, methods, events, bad methods."""
        return {
            "dex": len(self.codes),
            "classes": sum(c.dex.class_defs_size for c in self.codes),
            "methods": sum(c.n_methods for c in self.codes),
            "events": sum(c.n_events for c in self.codes),
            "bad_methods": sum(c.bad_methods for c in self.codes),
        }
