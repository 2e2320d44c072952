"""The reachability kernels of ``appwarden.dex._reach`` equal their pure-Python twins in pywalk (fuzzed inputs),
and CallGraph gives the same walks and graphs with either (issue #19)."""

from __future__ import annotations

import contextlib
import itertools
import random
import struct
import time
from array import array
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import callgraph, pywalk
from appwarden.dex.index import build_index
from appwarden.dex.reader import DexFile

from .conftest import DATA, dex_blobs_of
from .test_fuzz import mutate
from .test_graph_kernels import _non_ascii, descs_args

creach = pytest.importorskip("appwarden.dex._reach", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=300, deadline=4000, suppress_health_check=[HealthCheck.function_scoped_fixture])
NONE = 0xFFFFFFFF


def same(fn: str, *args, mutable: int | None = None):
    """Call ``fn`` in both modules (a copy of the argument at index ``mutable`` each, compared after): the same
    result, or ValueError with the same message in both."""
    outs = []
    for mod in (creach, pywalk):
        call = list(args)
        if mutable is not None:
            call[mutable] = bytearray(call[mutable])
        try:
            got = ("ok", getattr(mod, fn)(*call))
        except ValueError as exc:
            got = ("ValueError", str(exc))
        outs.append((got, call[mutable] if mutable is not None else None))
    assert outs[0] == outs[1]
    return outs[0][0]


def _graph(n: int, rng: random.Random, n_virtual: int, density: float) -> tuple[bytes, bytes, bytes]:
    """A random CSR of ``n`` nodes (the last ``n_virtual`` virtual) as build_csr gives it."""
    virtual = bytearray(n)
    for g in range(n - n_virtual, n):
        virtual[g] = 1
    off, tgt = array("I", [0]), array("I")
    for _g in range(n):
        row = sorted({rng.randrange(n) for _ in range(int(rng.random() * density * 2) + 0)})
        tgt.extend(row)
        off.append(len(tgt))
    return off.tobytes(), tgt.tobytes(), bytes(virtual)


def _order_by(key: list[int]):
    """An ``order`` callback sorting by a fixed per-node key (the descriptor order's stand-in)."""

    def order(nodes: bytes) -> bytes:
        return array("I", sorted(array("I", nodes), key=key.__getitem__)).tobytes()

    return order


@FUZZ
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    n_virtual=st.integers(0, 8),
    density=st.floats(0, 5),
    n_classes=st.integers(1, 30),
    tables=st.sampled_from(["none", "ascii", "non_ascii", "odd"]),
)
def test_walk_twin_random_graphs(
    main_dex: bytes, seed: int, n: int, n_virtual: int, density: float, n_classes: int, tables: str
) -> None:
    """Random graphs: C == Python, ties ordered by the callback or (with DEX tables) as sort_nodes orders them (the
    callback then asked only when sort_nodes declines: a descriptor not ASCII, a representative out of range)."""
    rng = random.Random(seed)
    n_virtual = min(n_virtual, n - 1)
    off, tgt, virtual = _graph(n, rng, n_virtual, density)
    rank = array("I", [rng.randrange(n_classes) if not virtual[g] else NONE for g in range(n)]).tobytes()
    flags = bytes(rng.choice((0, 0, 0, 1, 2)) if not virtual[g] else 0 for g in range(n))
    done = bytes(rng.random() < 0.1 for _ in range(n))
    real = [g for g in range(n) if not virtual[g]]
    entries = array("I", rng.sample(real, min(len(real), rng.randrange(1, 4)))).tobytes()
    pairs = sorted({(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randrange(0, 2 * n))})
    cut = array("I", [x for p in pairs for x in p]).tobytes()
    skip_set = {g for g in range(n) if rng.random() < 0.3}
    key = list(range(n))
    rng.shuffle(key)
    asked: list[list[int]] = [[], []]

    def skipped_of(k: int):
        def skipped(c: int) -> bool:
            asked[k].append(c)
            return c in skip_set

        return skipped

    extra: tuple = ()
    if tables != "none":
        dex = main_dex if tables != "non_ascii" else _non_ascii(main_dex)
        args = descs_args(DexFile("classes.dex", dex))
        size = args[-1] + (3 if tables == "odd" else 0)  # "odd": some representatives out of range
        pairs = [(rng.randrange(2) if tables == "odd" else 0, rng.randrange(size)) for _ in range(n)]
        extra = ([args], array("I", [x for p in pairs for x in p]).tobytes())
    outs = []
    for k, mod in enumerate((creach, pywalk)):
        fl = bytearray(flags)
        try:
            got = mod.walk(
                off, tgt, virtual, rank, fl, done, entries, cut, 0.0, skipped_of(k), _order_by(key), *extra
            )
        except ValueError as exc:
            got = str(exc)
        outs.append((got, fl))
    assert outs[0] == outs[1]
    assert sorted(asked[0]) == sorted(asked[1])  # each flag-2 node asked once at most, in both
    assert len(set(asked[0])) == len(asked[0])
    if isinstance(outs[0][0], str):
        return
    parents, order = (array("I", b) for b in outs[0][0])
    assert len(parents) == n and all(not virtual[g] for g in order)


@FUZZ
@given(data=st.binary(max_size=200), seed=st.integers(0, 2**32 - 1))
def test_walk_twin_hostile_arrays(data: bytes, seed: int) -> None:
    """Arbitrary arrays (out-of-range targets, offsets, entries, wrong lengths): the same result or ValueError."""
    rng = random.Random(seed)
    n = rng.randrange(0, 12)
    off = (
        array("I", sorted(rng.randrange(0, 20) for _ in range(n + 1))).tobytes()
        if rng.random() < 0.7
        else data[:8]
    )
    if rng.random() < 0.5:
        off = data[: 4 * (n + 1)]
    tgt = data[: 4 * rng.randrange(0, 16)]
    virtual = bytes(rng.randrange(2) for _ in range(n))
    rank = data[: 4 * n] if rng.random() < 0.5 else bytes(4 * n)
    flags = bytes(rng.randrange(3) for _ in range(n))
    done = bytes(rng.randrange(2) for _ in range(n))
    entries = array("I", [rng.randrange(0, n + 2) for _ in range(rng.randrange(0, 3))]).tobytes()
    cut = data[: 8 * rng.randrange(0, 3)]
    args = (
        off,
        tgt,
        virtual,
        rank,
        flags,
        done,
        entries,
        cut,
        0.0,
        lambda c: c % 2,
        _order_by(list(range(64))),
    )
    same("walk", *args, mutable=4)


def test_walk_order_callback_must_give_a_permutation() -> None:
    off = array("I", [0, 2, 2, 2]).tobytes()
    tgt = array("I", [1, 2]).tobytes()
    rank = bytes(12)  # one class: the order callback decides
    for mod in (creach, pywalk):
        for bad in (lambda b: b[:4], lambda b: b[:4] * 2, lambda b: array("I", [0, 1]).tobytes()):
            with pytest.raises(ValueError, match="order"):
                mod.walk(
                    off,
                    tgt,
                    bytes(3),
                    rank,
                    bytearray(3),
                    bytes(3),
                    array("I", [0]).tobytes(),
                    b"",
                    0.0,
                    bool,
                    bad,
                )
        with pytest.raises(ZeroDivisionError):
            mod.walk(
                off,
                tgt,
                bytes(3),
                rank,
                bytearray(3),
                bytes(3),
                array("I", [0]).tobytes(),
                b"",
                0.0,
                bool,
                lambda b: 1 / 0,
            )


def test_walk_stops_at_the_deadline() -> None:
    n = 50_000  # a chain: more than 2048 nodes taken from the queue
    off = array("I", [*range(n), n - 1]).tobytes()
    tgt = array("I", range(1, n)).tobytes()
    for mod in (creach, pywalk):
        with pytest.raises(TimeoutError):
            mod.walk(
                off,
                tgt,
                bytes(n),
                bytes(4 * n),
                bytearray(n),
                bytes(n),
                bytes(4),
                b"",
                time.monotonic() - 1,
                bool,
                bytes,
            )


@FUZZ
@given(
    events=st.lists(
        st.tuples(
            st.sampled_from([0x16E, 0x16F, 0x174, 0x175, 0x172, 0x178, 0x171, 0x26E, 0x100]),
            st.integers(0, 40),
        ),
        max_size=40,
    ),
    n_ids=st.sampled_from([0, 5, 30, 41, 1 << 30]),
)
def test_invoked_pair_twin(events: list[tuple[int, int]], n_ids: int) -> None:
    raw = array("I", [w for kind, idx in events for w in (kind, 0, idx, 0, 0)]).tobytes()
    got = same("invoked_pair", raw, n_ids)
    if got[0] == "ok":  # = the two _dexscan calls
        cext = pytest.importorskip("appwarden.dex._dexscan")
        assert got[1] == (
            cext.invoked_ids(raw, n_ids, callgraph._VIRTUAL_OPS),
            cext.invoked_ids(raw, n_ids, callgraph._SUPER_OPS),
        )
    assert same("invoked_pair", raw + b"\0", n_ids)[0] == "ValueError"


@FUZZ
@given(
    types=st.lists(st.one_of(st.sampled_from(["La;", "Lb;", "Lc;", "Ld;", "é"]), st.none()), max_size=12),
    app=st.dictionaries(
        st.sampled_from(["La;", "Lb;", "Lc;", "é", None]),
        st.one_of(st.tuples(st.integers(-1, 3), st.integers(-1, 9)), st.none(), st.just((0, 1, 2))),
        max_size=5,
    ),
    base=st.lists(st.sampled_from([0, 3, 10, NONE - 5, -2]), min_size=0, max_size=3),
    defs=st.one_of(st.none(), st.lists(st.integers(0, 14), max_size=6)),
    ci=st.integers(-1, 3),
    odd=st.booleans(),
)
def test_class_numbers_twin(types: list, app: dict, base: list[int], defs, ci: int, odd: bool) -> None:
    """The twin's answers and ValueErrors, with and without the class defs of a DEX (type indices in and out of
    range, repeated, a buffer that is not 8 u32 per def)."""
    if defs is None:
        same("class_numbers", types, app, base)
        return
    raw = b"".join(array("I", [t, 0, 0, 0, 0, 0, 0, 0]).tobytes() for t in defs) + (b"\0" if odd else b"")
    same("class_numbers", types, app, base, raw, ci)


def test_class_numbers_with_defs_equal_the_lookups(main_dex: bytes, fixtures_dir: Path) -> None:
    """With the class defs of each DEX (no class defined twice) the class numbers are the lookups' on every fixture
    app with more than one DEX or class."""
    checked = 0
    for apk in sorted((fixtures_dir / "apks").glob("*.apk")):
        index = build_index(dex_blobs_of(apk))
        app, codes = index._class_map, index.codes
        base = [0]
        for c in codes:
            base.append(base[-1] + c.dex.class_defs_size)
        if len(app) != base[-1]:
            continue
        for ci, code in enumerate(codes):
            want = creach.class_numbers(code.type_descs, app, base)
            assert creach.class_numbers(code.type_descs, app, base, code.dex.class_defs, ci) == want
            checked += code.dex.class_defs_size
    assert checked


@FUZZ
@given(
    types=st.lists(st.one_of(st.text(alphabet="abLé\U0001f600;", max_size=4), st.none()), max_size=8),
    mclass=st.lists(st.integers(0, 0xFFFF), max_size=8),
    sort=st.booleans(),
    odd=st.booleans(),
)
def test_ids_ordered_twin(types: list, mclass: list[int], sort: bool, odd: bool) -> None:
    if sort:
        types = sorted({t for t in types if t is not None})
        mclass = sorted(mclass)
    raw = array("H", mclass).tobytes() + (b"\0" if odd else b"")
    got = same("ids_ordered", types, raw)
    if sort and not odd:
        assert got == ("ok", True)


def _graph_of(blobs: list[tuple[str, bytes]]) -> callgraph.CallGraph:
    return build_index(blobs).callgraph


def test_callgraph_same_with_the_python_twins(monkeypatch: pytest.MonkeyPatch, main_dex: bytes) -> None:
    """A graph and its walks with the C kernels equal those with the pure-Python twins."""
    blobs = [(n, (DATA / n).read_bytes()) for n in ("hier_b.dex", "hier_a.dex", "hier.dex")]
    apk = Path(__file__).parents[1] / "rules" / "_apps" / "consent_gated.apk"
    blobs += [("a.dex", main_dex)] + [(f"x{i}.dex", b) for i, (_n, b) in enumerate(dex_blobs_of(apk))]

    def run() -> tuple:
        graph = _graph_of(blobs)
        names = [n for n in graph.node_names() if n is not None]
        walks = [
            list(graph.walk(names[i : i + 3], skip_prefixes=p, cut={names[i]: names[i + 1 : i + 4]}).items())
            for p in ((), ("Ljava/",), ("Lcom/aw/t/Walk;->",))
            for i in range(0, len(names) - 4, 7)
        ]
        off, tgt = graph._forward()
        return off.tobytes(), tgt.tobytes(), graph._vranges, walks

    assert callgraph.reach is creach
    with_c = run()
    monkeypatch.setattr(callgraph, "reach", pywalk)
    assert run() == with_c
    assert with_c[3] and any(len(w) > 3 for w in with_c[3])


def _intern_both(dexes: list[tuple], decodes: list) -> object:
    """intern_all in both modules: the same maps and representatives, or both None; when not None, what
    _dexscan.intern_methods gives DEX by DEX."""
    outs = [mod.intern_all(dexes, decodes) for mod in (creach, pywalk)]
    assert outs[0] == outs[1]
    if outs[0] is not None:
        cext = pytest.importorskip("appwarden.dex._dexscan")
        total = sum(d[-1] for d in dexes)
        table, hashes, reps, other = (
            bytearray(4 << (2 * total + 2).bit_length()),
            bytearray(),
            bytearray(),
            {},
        )
        maps = [
            cext.intern_methods(dexes, ci, table, hashes, reps, other, decodes[ci])
            for ci in range(len(dexes))
        ]
        assert outs[0] == (maps, bytes(reps))
    return outs[0]


def test_intern_all_numbers_as_intern_methods(main_dex: bytes, fixtures_dir: Path) -> None:
    """Fixture apps, a DEX listed twice, DEX files sharing methods, descriptors that are not ASCII: the same nodes
    and representatives as intern_methods DEX by DEX, in C and Python."""
    sets = [
        [("a.dex", main_dex), ("b.dex", main_dex)],
        [("a.dex", main_dex), ("b.dex", _non_ascii(main_dex)), ("c.dex", main_dex)],
        [(n, (DATA / n).read_bytes()) for n in ("hier_a.dex", "hier_b.dex", "hier.dex")],
    ]
    sets += [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]
    for blobs in sets:
        codes = build_index(blobs).codes
        got = _intern_both([c.id_args for c in codes], [c.dex.method_desc for c in codes])
        assert got is not None, blobs[0][0]


@FUZZ
@given(muts=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=24))
def test_intern_all_mutated_tables(main_dex: bytes, muts) -> None:
    """Mutated bytes under the original header's tables: the same nodes or both decline (then intern_methods
    raises or hostile parts: a class with "->", a name with "(")."""
    args = descs_args(DexFile("classes.dex", main_dex))
    data = mutate(main_dex, muts, keep_header=True)
    dexes = [(data, *args[1:]), (main_dex, *args[1:]), (data, *args[1:])]
    _intern_both(dexes, [lambda m: f"<{m}>"] * 3)


def test_intern_all_declines_hostile_parts(main_dex: bytes) -> None:
    """A class descriptor with "->" or a name with "(" (so the parts would not follow from the descriptor):
    declined in both; the graph is still built (intern_methods), with the same nodes."""
    for old, new in ((b"Lcom/aw/t/Job;\0", b"Lcom/aw->tJob;\0"), (b"literals\0", b"lit(rals\0")):
        data = main_dex.replace(old, new)
        assert data != main_dex and len(data) == len(main_dex)
        args = descs_args(DexFile("classes.dex", data))
        assert _intern_both([args], [DexFile("classes.dex", data).method_desc]) is None
        graph = build_index([("classes.dex", data)]).callgraph
        names = graph.node_names()
        assert len(names) == len(set(names)) and any(new[:-1].decode() in n for n in names if n)


def test_hierarchy_all_on_fixture_apps(main_dex: bytes, fixtures_dir: Path) -> None:
    """hierarchy_all equals its Python twin on every fixture app and on DEX files sharing classes and methods (the
    fuzzed comparison: test_fuzz_graph.test_hierarchy_all_mutated)."""
    sets = [[(n, (DATA / n).read_bytes()) for n in ("hier_b.dex", "hier_a.dex", "hier.dex")]]
    sets += [[("a.dex", main_dex), ("b.dex", _non_ascii(main_dex))]]
    sets += [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]
    for blobs in sets:
        dexes = build_index(blobs).callgraph._hierarchy_all_args()
        assert creach.hierarchy_all(dexes, 11) == pywalk.hierarchy_all(dexes, 11)


@FUZZ
@given(
    muts=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=0, max_size=24),
    ranges=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 20), st.integers(0, 80)), max_size=6),
)
def test_find_first_twin(main_dex: bytes, muts, ranges) -> None:
    """find_first equals its twin and the first id of _dexscan.find_methods (-1 none, -2 None) on mutated tables."""
    cext = pytest.importorskip("appwarden.dex._dexscan")
    args = descs_args(DexFile("classes.dex", main_dex))
    data = mutate(main_dex, muts, keep_header=True) if muts else main_dex
    ids = (data, *args[1:])
    queries = []
    for lo, width, pick in ranges:
        key = b"Lcom/aw/t/Graph;->onCreate(Landroid/os/Bundle;)V"
        if pick < args[-1]:
            with contextlib.suppress(ValueError):
                key = pywalk._method_bytes(data, args[1:8], pick)
        queries.append((lo, lo + width, key))
    early = same("find_first", ids, queries, True)  # stops at the first match
    got = same("find_first", ids, queries)
    if got[0] == "ok":
        assert early[0] == "ok" and all(e == g or g == -2 for e, g in zip(early[1], got[1], strict=True))
        want = []
        for lo, hi, key in queries:
            found = cext.find_methods(ids, lo, hi, key)
            want.append(-2 if found is None else array("I", found)[0] if found else -1)
        assert got[1] == want


def test_lookup_many_equals_lookups_one_by_one(main_dex: bytes, fixtures_dir: Path) -> None:
    """CallGraph.lookup_many caches what _lookup would answer one by one: every node's descriptor, methods the app
    neither calls nor defines, inherited references, a class-less string and non-ASCII descriptors."""
    sets = [[(n, (DATA / n).read_bytes()) for n in ("hier_b.dex", "hier_a.dex", "hier.dex")]]
    sets += [[("a.dex", main_dex), ("b.dex", _non_ascii(main_dex))]]
    sets += [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]
    for blobs in sets:
        names = [n for n in build_index(blobs).callgraph.node_names() if n]
        extra = [n.replace("->", "->x", 1) for n in names[:20]] + ["nothing", "La;->b()V", "La->b;->c()V"]
        extra += [n.split("->")[0] + "->toString()Ljava/lang/String;" for n in names[:40]]
        asked = names + extra
        one = build_index(blobs).callgraph
        want = {d: one._lookup(d) for d in asked}
        many = build_index(blobs).callgraph
        many.lookup_many(asked)
        assert {d: many._node_of.get(d, "missing") for d in asked} == want, blobs[0][0]
        assert sum(g is not None for g in want.values()) >= len(names)


def test_hierarchy_all_with_intern_hints(main_dex: bytes, fixtures_dir: Path) -> None:
    """intern_all's hints (each sig's hash) give hierarchy_all the same result as without them; hints of other
    DEX files are refused; the Python twins give and take None."""
    sets = [[(n, (DATA / n).read_bytes()) for n in ("hier_b.dex", "hier_a.dex", "hier.dex")]]
    sets += [[("a.dex", main_dex), ("b.dex", _non_ascii(main_dex))]]
    sets += [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]
    for blobs in sets:
        index = build_index(blobs)
        ids, decodes = [c.id_args for c in index.codes], [c.dex.method_desc for c in index.codes]
        maps, reps, hints = creach.intern_all(ids, decodes, 0.0, True)
        assert (maps, reps) == creach.intern_all(ids, decodes) and pywalk.intern_all(ids, decodes, 0.0, True)[
            2
        ] is None
        assert len(hints) == len(ids) and all(len(h) == 8 * i[-1] for h, i in zip(hints, ids, strict=True))
        dexes = index.callgraph._hierarchy_all_args()
        want = creach.hierarchy_all(dexes, 11)
        assert (
            creach.hierarchy_all(dexes, 11, 0.0, hints) == want == pywalk.hierarchy_all(dexes, 11, 0.0, hints)
        )
        for bad in (hints[:-1], [*hints[:-1], hints[-1] + b"\0" * 8]):
            with pytest.raises(ValueError, match="hints do not match"):
                creach.hierarchy_all(dexes, 11, 0.0, bad)


@FUZZ
@given(
    values=st.lists(st.integers(0, 6) | st.integers(0, NONE), max_size=40),
    value=st.integers(0, 6),
    odd=st.booleans(),
)
def test_u32_positions_twin(values: list[int], value: int, odd: bool) -> None:
    raw = array("I", values).tobytes() + (b"\0" if odd else b"")
    got = same("u32_positions", raw, value)
    if not odd:
        assert got == ("ok", array("I", [i for i, v in enumerate(values) if v == value]).tobytes())


@FUZZ
@given(
    events=st.lists(
        st.tuples(
            st.sampled_from([0x16E, 0x171, 0x1FC, 0x1FD, 0x522, 0x523, 0x200, 0x16F]), st.integers(0, 12)
        ),
        max_size=30,
    ),
    bounds=st.lists(st.tuples(st.integers(0, 32), st.integers(0, 32)), min_size=1, max_size=5),
    picks=st.lists(st.integers(0, 6), max_size=6),
    ids=st.lists(st.integers(0, 12), max_size=5),
)
def test_dispatch_scan_twin(events, bounds, picks, ids) -> None:
    """New-instance types and dispatch calls per record: C == Python, records or event ranges out of range
    included."""
    ev = array("I", [w for kind, idx in events for w in (kind, 0, idx, 0, 0)]).tobytes()
    methods = array("I", [w for start, end in bounds for w in (0, 0, 0, 0, start, end, 0)]).tobytes()
    same("dispatch_scan", methods, ev, array("I", picks).tobytes(), array("I", sorted(set(ids))).tobytes())


@FUZZ
@given(
    events=st.lists(
        st.tuples(
            st.sampled_from([0x16E, 0x171, 0x1FC, 0x1FD, 0x21A, 0x21B, 0x522, 0x200, 0x16F]),
            st.integers(0, 12),
        ),
        max_size=30,
    ),
    bounds=st.lists(st.tuples(st.integers(0, 32), st.integers(0, 32)), max_size=5),
    calls=st.lists(st.integers(0, 34), max_size=8),
    ids=st.lists(st.integers(0, 12), max_size=5),
    ordered=st.booleans(),
)
def test_reflect_scan_twin(events, bounds, calls, ids, ordered: bool) -> None:
    """Records of some invokes that also invoke some ids, with their const-string ids: C == Python, events out of
    range, events before the first record, unsorted ev_starts and ids, event ranges out of range included."""
    ev = array("I", [w for kind, idx in events for w in (kind, 0, idx, 0, 0)]).tobytes()
    if ordered:
        bounds = sorted(bounds)
    methods = array("I", [w for start, end in bounds for w in (0, 0, 0, 0, start, end, 0)]).tobytes()
    same("reflect_scan", methods, ev, array("I", calls).tobytes(), array("I", ids).tobytes())
    # lengths that are not whole records / events
    same("reflect_scan", methods + b"\0", ev, b"", b"")
    same("reflect_scan", methods, ev + b"\0", b"", b"")


def test_reflect_scan_answer() -> None:
    """Two records: the first loads a class (event 1) and invokes id 7 with strings 3 and 4 around; the second
    loads one (event 5) without invoking 7. Only the first is listed, its strings in event order."""
    rows = [(0x21A, 3), (0x171, 1), (0x21B, 4), (0x16E, 7), (0x21A, 3), (0x171, 1), (0x16E, 8)]
    ev = array("I", [w for kind, idx in rows for w in (kind, 0, idx, 0, 0)]).tobytes()
    methods = array("I", [0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 5, 7, 0]).tobytes()
    for mod in (creach, pywalk):
        got = mod.reflect_scan(methods, ev, array("I", [5, 1, 1]).tobytes(), array("I", [7]).tobytes())
        assert array("I", got).tolist() == [0, 3, 3, 4, 3]


def test_reflective_edges_same_with_the_python_twins(
    monkeypatch: pytest.MonkeyPatch, main_dex: bytes, fixtures_dir: Path
) -> None:
    """The reflective edges of the reflection fixtures, main.dex and the fixture apps with reflect_scan in C equal
    those with its twin, and there are some."""
    sets = [[("classes.dex", (DATA / n).read_bytes())] for n in ("reflect.dex", "reflect_main.dex")]
    sets += [[("classes.dex", main_dex)]]
    sets += [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]
    indexes = [build_index(blobs) for blobs in sets]
    with_c = [reflective_edges(index) for index in indexes]
    monkeypatch.setattr(callgraph, "reach", pywalk)
    assert [reflective_edges(index) for index in indexes] == with_c
    assert with_c[0]


def reflective_edges(index) -> bytes:
    """The reflective edges of an index's graph (``CallGraph._add_reflection_edges`` of every DEX, again, with the
    kernels ``callgraph.reach`` holds now)."""
    graph = index.callgraph
    got = array("I")
    for ci in range(len(index.codes)):
        graph._add_reflection_edges(ci, got)
    return got.tobytes()


def test_async_edges_same_with_the_python_twins(
    monkeypatch: pytest.MonkeyPatch, main_dex: bytes, fixtures_dir: Path
) -> None:
    """The async edges of main.dex (threads, executors, handlers, an AsyncTask) and the fixture apps with
    dispatch_scan and u32_positions in C equal those with their twins, and there are some."""
    sets = [[("classes.dex", main_dex)], [("a.dex", main_dex), ("b.dex", main_dex)]]
    sets += [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]

    def edges() -> list[bytes]:
        out = []
        for blobs in sets:
            index = build_index(blobs)
            graph = callgraph.CallGraph.__new__(callgraph.CallGraph)
            graph.__init__(index)  # type: ignore[misc]
            got = array("I")
            for ci, code in enumerate(index.codes):
                graph._add_async_edges(code, graph._maps[ci], got)
            out.append(got.tobytes())
        return out

    with_c = edges()
    monkeypatch.setattr(callgraph, "reach", pywalk)
    assert edges() == with_c
    assert any(with_c)


def _roots_by_names(parents, methods: list[str], limit: int) -> dict[str, str]:
    """The reachability stage's root_of over descriptors (the reference for Reached.roots)."""
    roots: dict[str, str] = {}
    out: dict[str, str] = {}
    for method in methods:
        if method not in parents:
            continue
        path: list[str] = []
        node = method
        while node not in roots:
            path.append(node)
            parent = parents.get(node)
            if parent is None or len(path) > limit:
                roots[node] = node
                break
            node = parent
        for item in path:
            roots[item] = roots[node]
        out[method] = roots[node]
    return out


@pytest.mark.parametrize("limit", [10_000, 2, 0])
def test_roots_over_node_ids_equal_root_of(main_dex: bytes, fixtures_dir: Path, limit: int) -> None:
    """Reached.roots (node ids, only the roots named) gives what following get() gives, the guard included; a
    changed ReachMap answers None (the stage then follows get())."""
    sets = [[(n, (DATA / n).read_bytes()) for n in ("hier_b.dex", "hier_a.dex", "hier.dex")]]
    sets += [[("classes.dex", main_dex)]] + [
        dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))
    ]
    checked = 0
    for blobs in sets:
        graph = build_index(blobs).callgraph
        names = [n for n in graph.node_names() if n]
        entries = [*names[::9], "Lnot/in/the/App;->entry()V"]
        asked = [*names[::-1], "Lnot/in/the/App;->entry()V", "nothing"]
        want = _roots_by_names(graph.reachable(entries), asked, limit)
        got = graph.reachable(entries).roots(asked, limit)
        assert got == want and list(got) == list(want)
        checked += sum(k != v for k, v in want.items())
        changed = graph.reachable(entries)
        changed["x"] = None
        assert changed.roots(asked, limit) is None
    assert checked or limit == 0  # (limit 0: every method is its own root)


@FUZZ
@given(
    items=st.lists(st.integers(0, 9) | st.integers(0, 0xFFFF), max_size=40),
    values=st.lists(st.integers(0, 12) | st.integers(0, NONE), max_size=8),
    sort=st.booleans(),
    odd=st.booleans(),
)
def test_u16_ranges_twin(items: list[int], values: list[int], sort: bool, odd: bool) -> None:
    """Python's bisect over u16 items, sorted or not: C == Python == bisect."""
    from bisect import bisect_left, bisect_right

    if sort:
        items = sorted(items)
    raw = array("H", items).tobytes() + (b"\0" if odd else b"")
    got = same("u16_ranges", raw, array("I", values).tobytes())
    if not odd:
        want = [
            x for v in values for x in (bisect_left(items, v), bisect_right(items, v, bisect_left(items, v)))
        ]
        assert got == ("ok", array("I", want).tobytes())


@FUZZ
@given(
    muts=st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=0, max_size=24),
    picks=st.lists(st.integers(0, 60) | st.integers(0, 1 << 12), max_size=40),
    names=st.lists(st.sampled_from([b"run", b"call", b"onCreate", b"<init>", b"", b"x("]), max_size=4),
)
def test_names_maybe_twin(main_dex: bytes, muts, picks, names) -> None:
    """names_maybe equals its twin on mutated tables (ValueError for an index out of range); on the intact DEX it
    keeps exactly the methods whose name is one of the names or holds "(" (main.dex's names are ASCII)."""
    args = descs_args(DexFile("classes.dex", main_dex))
    data = mutate(main_dex, muts, keep_header=True) if muts else main_dex
    mids = array("I", picks).tobytes()
    got = same("names_maybe", (data, *args[1:]), mids, names)
    if not muts and got[0] == "ok":
        dex = DexFile("classes.dex", main_dex)
        want = [
            i
            for i, m in enumerate(picks)
            if (n := dex.string(dex.method_name[m]).encode()) in names or b"(" in n
        ]
        assert array("I", got[1]).tolist() == want
    with pytest.raises(TypeError):
        creach.names_maybe((data, *args[1:]), mids, ["run"])


def _old_pair_and_edges(methods: bytes, events: bytes, gids: bytes, n_ids: int, vmap: bytes, smap: bytes):
    """invoked_pair and _dexscan.call_edges, each in its own pass (what invoke_lists + call_edges_from replace)."""
    cext = pytest.importorskip("appwarden.dex._dexscan")
    return creach.invoked_pair(events, n_ids), cext.call_edges(methods, events, gids, vmap, smap)


@FUZZ
@given(
    events=st.lists(
        st.tuples(
            st.sampled_from(
                [0x16E, 0x16F, 0x170, 0x174, 0x175, 0x172, 0x178, 0x171, 0x1FA, 0x1FC, 0x1FD, 0x26E]
            ),
            st.integers(0, 12),
        ),
        max_size=40,
    ),
    cuts=st.lists(st.integers(0, 40), max_size=8),
    midxs=st.lists(st.integers(0, 12), min_size=9, max_size=9),
    gids=st.lists(st.one_of(st.just(NONE), st.integers(0, 20)), min_size=10, max_size=10),
    vmap=st.lists(st.one_of(st.just(NONE), st.integers(0, 30)), min_size=10, max_size=10),
    smap=st.lists(st.one_of(st.just(NONE), st.integers(0, 30)), min_size=10, max_size=10),
    hole=st.booleans(),
)
def test_invoke_lists_twin_and_equal_the_two_passes(events, cuts, midxs, gids, vmap, smap, hole) -> None:
    """invoke_lists + call_edges_from: C == Python; when not None, invoked_pair's lists and call_edges' edges
    (the same order, so the same CSR); None for event ranges that do not follow one another, or an index out of
    range (there the two passes still answer, or raise)."""
    n_ids = 10
    ev = array("I", [w for kind, idx in events for w in (kind, 0, idx, 0, 0)]).tobytes()
    bounds = sorted({0, len(events), *(c for c in cuts if c <= len(events))})
    ranges = list(itertools.pairwise(bounds))
    if hole and ranges:  # a gap between two records' events
        ranges[0] = (ranges[0][0] + 1, ranges[0][1]) if ranges[0][1] > ranges[0][0] + 1 else ranges[0]
    recs = [(midxs[k % 9], s, e) for k, (s, e) in enumerate(ranges)]
    recs.insert(len(recs) // 2, (midxs[-1], 3, 3))  # a record without events (any start)
    methods = array("I", [w for m, s, e in recs for w in (0, m, 0, 0, s, e, 0)]).tobytes()
    g, v, s = (array("I", x).tobytes() for x in (gids, vmap, smap))
    got = same("invoke_lists", methods, ev, g, n_ids)
    assert same("invoke_lists", methods, ev, g[:-4], n_ids) == ("ok", None)
    try:
        old = _old_pair_and_edges(methods, ev, g, n_ids, v, s)
    except ValueError:
        old = None
    if got[1] is None:
        return
    assert old is not None
    vids, sids, calls = got[1]
    into = bytearray(b"12345678")  # appended to
    assert same("call_edges_from", calls, g, v, s, into, mutable=4) == ("ok", None)
    creach.call_edges_from(calls, g, v, s, into)
    assert ((vids, sids), bytes(into)) == (old[0], b"12345678" + old[1])
    for bad in (
        (calls + b"\1\0\0\0", g, v, s),
        (calls, g, v, s[:-4]),
        (calls + b"\0\0\0\0\5\0\0\0", g, v, s),
    ):
        assert same("call_edges_from", *bad, bytearray(b"12345678"), mutable=4)[0] == "ValueError"
        kept = bytearray(b"12345678")
        with pytest.raises(ValueError):
            creach.call_edges_from(*bad, kept)
        assert kept == b"12345678"  # unchanged


def test_invoke_lists_on_fixture_apps(main_dex: bytes, fixtures_dir: Path) -> None:
    """On main.dex and every fixture app (each DEX with its graph's node map and hierarchy maps): invoke_lists never
    declines, and gives invoked_pair's lists and call_edges' edges, byte for byte."""
    sets = [[("classes.dex", main_dex)], [("a.dex", main_dex), ("b.dex", main_dex)]]
    sets += [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]
    seen = 0
    for blobs in sets:
        graph = build_index(blobs).callgraph
        for ci, code in enumerate(graph.index.codes):
            n_ids = code.dex.method_ids_size
            g = graph._maps[ci].tobytes()
            vmap = bytes(reversed(g))  # any maps of node ids and NONE
            smap = g
            got = creach.invoke_lists(code.methods_raw, code.events_raw, g, n_ids)
            assert got is not None
            old = _old_pair_and_edges(code.methods_raw, code.events_raw, g, n_ids, vmap, smap)
            edges = bytearray()
            creach.call_edges_from(got[2], g, vmap, smap, edges)
            assert (got[:2], bytes(edges)) == old
            seen += len(old[1])
    assert seen


def test_invoke_lists_twin_takes_the_graphs_arrays(main_dex: bytes, fixtures_dir: Path) -> None:
    """The graph passes its node map as a u32 array (len() counts items): the Python twins read it as the kernels
    do, byte lengths, and answer the same (the twin once declined on every such call, so under the Python backend
    the graph always took the invoked_pair + call_edges path)."""
    sets = [[("classes.dex", main_dex)]] + [
        dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))
    ]
    seen = 0
    for blobs in sets:
        graph = build_index(blobs).callgraph
        for ci, code in enumerate(graph.index.codes):
            g = graph._maps[ci]
            assert not isinstance(g, bytes | bytearray)  # the shape the graph really passes
            args = (code.methods_raw, code.events_raw, g, code.dex.method_ids_size)
            got = pywalk.invoke_lists(*args)
            assert got is not None and got == creach.invoke_lists(*args)
            vmap = bytes(reversed(g.tobytes()))
            edges_py, edges_c = bytearray(), bytearray()
            pywalk.call_edges_from(got[2], g, vmap, g, edges_py)
            creach.call_edges_from(got[2], g, vmap, g, edges_c)
            assert edges_py == edges_c
            seen += len(edges_c)
    assert seen


def test_graph_edges_same_without_invoke_lists(monkeypatch: pytest.MonkeyPatch, fixtures_dir: Path) -> None:
    """The graph's edge list is the same when invoke_lists declines (invoked_pair and call_edges run instead)."""
    sets = [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]
    sets.append([(n, (DATA / n).read_bytes()) for n in ("hier_b.dex", "hier_a.dex", "hier.dex")])
    with_lists = [build_index(blobs).callgraph for blobs in sets]
    monkeypatch.setattr(creach, "invoke_lists", lambda *a: None)
    monkeypatch.setattr(pywalk, "invoke_lists", lambda *a: None)
    for blobs, graph in zip(sets, with_lists, strict=True):
        old = build_index(blobs).callgraph
        assert graph._forward()[0] == old._forward()[0] and graph._forward()[1] == old._forward()[1]
        assert graph._vranges == old._vranges


def test_hierarchy_all_big_classes_any_hashes() -> None:
    """Classes of more than 32 method records (big.dex: Base 90, Mid 75; whole and split over two DEX files), where
    hierarchy_all's lookup of a sig hash among a class's sorted records starts where a uniform hash would fall,
    brackets by doubling steps and halves: the same result as the Python twin, with intern_all's hints and with
    hints that are any function of the sig (equal sigs, equal hints): a constant, a few values, skewed to one end,
    the extremes. The result names virtual nodes (several targets) and single overrides."""
    sets = [
        [("big.dex", (DATA / "big.dex").read_bytes())],
        [(n, (DATA / n).read_bytes()) for n in ("big_a.dex", "big_b.dex")],
    ]
    crafts = [
        lambda h: h,
        lambda h: 1,
        lambda h: h % 7 * 2 + 1,
        lambda h: h >> 61 | 1,
        lambda h: h | 1 << 63,
        lambda h: (h & 0xFFFF) | 1,
        lambda h: (1 << 64) - 1 - (h & 0xFF) * 2,
        lambda h: (1 << 64) - 1,
    ]
    for blobs in sets:
        index = build_index(blobs)
        per_class = [max(Counter(code.methods[0::7]).values()) for code in index.codes]
        assert max(per_class) > 32
        ids, decodes = [c.id_args for c in index.codes], [c.dex.method_desc for c in index.codes]
        hints = creach.intern_all(ids, decodes, 0.0, True)[2]
        dexes = index.callgraph._hierarchy_all_args()
        want = pywalk.hierarchy_all(dexes, 11)
        assert want[2] > 10 and creach.hierarchy_all(dexes, 11) == want
        for craft in crafts:
            made = [array("Q", (craft(v) if v else 0 for v in array("Q", h))).tobytes() for h in hints]
            assert creach.hierarchy_all(dexes, 11, 0.0, made) == want


def _with_string_at_end(data: bytes, s_off: int, sidx: int, text: bytes, pad: int) -> bytes:
    """data with string `sidx` moved to a copy at the end of the buffer (its uleb length, `text`, NUL, `pad` bytes)."""
    out = bytearray(data)
    struct.pack_into("<I", out, s_off + 4 * sidx, len(out))
    out += bytes([len(text)]) + text + b"\0" + b"\x01" * pad
    return bytes(out)


def test_intern_all_strings_at_the_buffer_end(main_dex: bytes) -> None:
    """intern_all reads each string 8 bytes at a time, the buffer's last bytes one by one: a method's class and name
    moved to the very end of the buffer (0 to 9 bytes after the NUL; a name of 1 to 17 bytes; one with '>' but no
    "->" in its class, one with "(" in its name) give the same nodes as the DEX as it is (both numbered after the moved one: each method found again), or both kernels decline
    (the name with "("), and a string left without its NUL declines."""
    args = descs_args(DexFile("classes.dex", main_dex))
    data, s_off, m_off, m_size = args[0], args[1], args[7], args[8]
    dec = [lambda m: f"<{m}>"] * 2
    want = _intern_both([args, args], dec)
    assert want is not None
    strings = DexFile("classes.dex", main_dex)
    for mi in range(0, m_size, max(1, m_size // 6)):
        cls_t, name_s = (
            struct.unpack_from("<H", data, m_off + 8 * mi)[0],
            struct.unpack_from("<I", data, m_off + 8 * mi + 4)[0],
        )
        cls_s = struct.unpack_from("<I", data, args[3] + 4 * cls_t)[0]
        for sidx in (cls_s, name_s):
            text = strings.string(sidx).encode()
            for pad in range(10):
                moved = _with_string_at_end(data, s_off, sidx, text, pad)
                assert _intern_both([(moved, *args[1:]), args], dec) == want
    name_s = struct.unpack_from("<I", data, m_off + 4)[0]
    cls_s = struct.unpack_from("<I", data, args[3] + 4 * struct.unpack_from("<H", data, m_off)[0])[0]
    for n in range(1, 18):
        for pad in (0, 3, 8):
            moved = _with_string_at_end(data, s_off, name_s, b"n" * n, pad)
            got = _intern_both([(moved, *args[1:]), args], dec)  # method 0 named anew: one node more
            assert got is not None and len(got[1]) == len(want[1]) + 8
    odd_class = _with_string_at_end(data, s_off, cls_s, b"La/b>c;", 2)
    assert _intern_both([(odd_class, *args[1:]), args], dec) is not None
    assert _intern_both([(_with_string_at_end(data, s_off, cls_s, b"La->c;", 2), *args[1:])], [str]) is None
    assert _intern_both([(_with_string_at_end(data, s_off, name_s, b"f(", 0), *args[1:])], [str]) is None
    for pad in (0, 1, 5):  # a name not ASCII, in Modified UTF-8 (a surrogate pair) and in UTF-8: one node
        surrogates = _with_string_at_end(data, s_off, name_s, b"ab\xed\xa0\xbd\xed\xb8\x80", pad)
        four = _with_string_at_end(data, s_off, name_s, b"ab\xf0\x9f\x98\x80", pad)
        got = _intern_both([(surrogates, *args[1:]), (four, *args[1:])], dec)
        assert got is not None and len(got[1]) == len(want[1])
    cut = _with_string_at_end(data, s_off, name_s, b"abcdefghijk", 0)[:-1]  # no NUL
    assert _intern_both([(cut, *args[1:])], [str]) is None
