"""Hostile input to the descriptor and call-graph kernels: C and Python agree, only ValueError escapes, no hang."""

from __future__ import annotations

import contextlib
from array import array
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk
from appwarden.dex.reader import DexFile

from .test_fuzz import _args, mutate, mutations
from .test_graph_kernels import descs_args, types_args

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
u32 = st.integers(min_value=0, max_value=(1 << 32) - 1)


def same(fn: str, *args, c: ModuleType = cext):
    """Call ``fn`` in both backends (C: the module ``c``): the same result, or ValueError with the same message in
    both."""
    try:
        c_out = getattr(c, fn)(*args)
    except ValueError as exc:
        with pytest.raises(ValueError) as py_exc:
            getattr(pywalk, fn)(*args)
        assert str(py_exc.value) == str(exc)
        return None
    assert getattr(pywalk, fn)(*args) == c_out
    return c_out


@FUZZ
@given(muts=mutations)
def test_method_descs_mutated_tables(main_dex: bytes, muts) -> None:
    # the id tables of the original header, over mutated bytes (the reader's own checks are bypassed)
    args = descs_args(DexFile("classes.dex", main_dex))
    same("method_descs", mutate(main_dex, muts, keep_header=True), *args[1:])


@FUZZ
@given(offs=st.lists(u32, min_size=8, max_size=8), small=st.booleans())
def test_method_descs_arbitrary_header_values(main_dex: bytes, offs: list[int], small: bool) -> None:
    if small:  # sizes that fit the buffer, so the per-entry checks are reached
        offs = [v % (len(main_dex) // 4 if i % 2 else len(main_dex)) for i, v in enumerate(offs)]
    same("method_descs", main_dex, *offs)


@FUZZ
@given(data=st.binary(min_size=0, max_size=600), offs=st.lists(st.integers(0, 640), min_size=8, max_size=8))
def test_method_descs_random_bytes(data: bytes, offs: list[int]) -> None:
    same("method_descs", data, *offs)


def test_method_descs_shared_huge_parameter_list_is_refused() -> None:
    """Many methods sharing one 65535-entry parameter list: refused by the size budget, not built."""
    n_methods, n_params = 4096, 0xFFFF
    buf = bytearray()
    # one string "" at offset 8 (uleb 0 + NUL), string_ids at 0, type_ids at 4 -> string 0
    buf += (8).to_bytes(4, "little") + (0).to_bytes(4, "little") + b"\0\0" + b"\0\0"
    proto_off = len(buf)
    params_off = proto_off + 12
    buf += (0).to_bytes(4, "little") + (0).to_bytes(4, "little") + params_off.to_bytes(4, "little")
    buf += n_params.to_bytes(4, "little") + bytes(2 * n_params)
    method_off = len(buf)
    buf += b"\0\0\0\0\0\0\0\0" * n_methods  # class 0, proto 0, name 0
    args = (bytes(buf), 0, 1, 4, 1, proto_off, 1, method_off, n_methods)
    for walker in (cext, pywalk):
        with pytest.raises(ValueError, match="longer than 64"):
            walker.method_descs(*args)


@FUZZ
@given(muts=mutations, offs=st.lists(u32, min_size=4, max_size=4), use_offs=st.booleans())
def test_type_descs_mutated_and_arbitrary(main_dex: bytes, muts, offs: list[int], use_offs: bool) -> None:
    args = types_args(DexFile("classes.dex", main_dex))[1:]
    same("type_descs", mutate(main_dex, muts, keep_header=True), *(offs if use_offs else args))


words = st.lists(u32 | st.integers(0, 300), max_size=120)


def u32s(values: list[int]) -> bytes:
    return array("I", values).tobytes()


@FUZZ
@given(ev=words, n_ids=st.integers(0, 400) | u32, ops=st.binary(max_size=8), cut=st.integers(0, 3))
def test_invoked_ids_random(ev: list[int], n_ids: int, ops: bytes, cut: int) -> None:
    # events with random words, and a kind/opcode word that is an invoke half of the time
    ev = [((1 << 8) | (w & 0xFF)) if i % 5 == 0 and w & 1 else w for i, w in enumerate(ev)]
    raw = u32s(ev)
    same("invoked_ids", raw[: len(raw) - cut], n_ids, ops)


@FUZZ
@given(
    methods=words,
    ev=words,
    maps=st.lists(st.lists(u32 | st.integers(0, 50), min_size=0, max_size=40), min_size=3, max_size=3),
    cut=st.integers(0, 3),
)
def test_call_edges_random(methods: list[int], ev: list[int], maps: list[list[int]], cut: int) -> None:
    ev = [((1 << 8) | (w & 0xFF)) if i % 5 == 0 and w & 1 else w for i, w in enumerate(ev)]
    if maps[0] and len(maps[0]) % 2:  # equal lengths half of the time
        maps = [maps[0], maps[0][::-1], maps[0]]
    raw_methods = u32s(methods)
    same("call_edges", raw_methods[: len(raw_methods) - cut], u32s(ev), *(u32s(m) for m in maps))


@FUZZ
@given(muts=mutations)
def test_call_edges_on_mutated_walk(main_dex: bytes, muts) -> None:
    """The walker's real records with mutated words: indices out of range must be refused, not read."""
    dex = DexFile("classes.dex", main_dex)
    methods, events, _ = cext.scan(*_args(dex))
    methods = mutate(methods, [(p, v) for p, v in muts if p % 2], keep_header=False)
    events = mutate(events, [(p, v) for p, v in muts if not p % 2], keep_header=False)
    gids = u32s(list(range(dex.method_ids_size)))
    same("call_edges", methods, events, gids, gids, gids)


@FUZZ
@given(edges=words, n_nodes=st.integers(0, 400) | st.just(0xFFFFFFFF), cut=st.integers(0, 7))
def test_build_csr_random(edges: list[int], n_nodes: int, cut: int) -> None:
    raw = u32s(edges)
    same("build_csr", raw[: len(raw) - cut], n_nodes)


@FUZZ
@given(
    edges=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=120),
    n_nodes=st.integers(1, 41),
    muts=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=4),
    which=st.integers(0, 1),
)
def test_reverse_csr_random(edges, n_nodes: int, muts, which: int) -> None:
    """reverse_csr on build_csr's adjacency (C == Python == build_csr over the reversed pairs), and on mutated
    offsets or targets (the same result or the same ValueError)."""
    pairs = u32s([x for e in edges if max(e) < n_nodes for x in e])
    off, tgt = cext.build_csr(pairs, n_nodes)
    got = same("reverse_csr", off, tgt)
    o, t = array("I", off).tolist(), array("I", tgt).tolist()
    rev = u32s([x for u in range(n_nodes) for v in t[o[u] : o[u + 1]] for x in (v, u)])
    assert got == cext.build_csr(rev, n_nodes)
    arrays = [bytearray(off), bytearray(tgt)]
    for pos, value in muts:
        if arrays[which]:
            arrays[which][pos % len(arrays[which])] = value
    same("reverse_csr", bytes(arrays[0]), bytes(arrays[1]))


@FUZZ
@given(
    edges=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=120),
    n_nodes=st.integers(1, 41),
    virtual=st.binary(max_size=41),
    entries=st.lists(st.integers(0, 45), max_size=6),
    muts=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=4),
)
def test_bfs_random(edges, n_nodes: int, virtual: bytes, entries: list[int], muts) -> None:
    """Adjacencies from build_csr (then maybe mutated): the same parents and order, or the same ValueError."""
    flat = [v % n_nodes for e in edges for v in e]
    off, tgt = pywalk.build_csr(u32s(flat), n_nodes)
    if muts and len(off) + len(tgt) > 0:
        joined = mutate(off + tgt, muts, keep_header=False)
        off, tgt = joined[: len(off)], joined[len(off) :]
    virtual = (virtual + bytes(n_nodes))[:n_nodes] if len(virtual) % 2 else virtual
    same("bfs", off, tgt, virtual, u32s(entries))


@FUZZ
@given(
    which=st.sampled_from(["main.dex", "hier.dex"]),
    muts=mutations,
    status_muts=st.lists(st.tuples(st.integers(0, 1 << 10), u32 | st.integers(0, 12)), max_size=6),
    split=st.binary(max_size=16),
    ids=st.tuples(words, words) | st.none(),
    gmap_shift=st.integers(0, 3),
)
def test_hierarchy_extras_mutated(which, muts, status_muts, split, ids, gmap_shift) -> None:
    """The graph's real arguments with a mutated DEX (class defs, interface lists, method ids), type statuses,
    split flags and reference lists: C and Python agree, only ValueError escapes."""
    from appwarden.dex.index import build_index

    from .conftest import DATA

    index = build_index([("classes.dex", (DATA / which).read_bytes())])
    args = list(index.callgraph._hierarchy_args(0))
    args[2] = mutate(bytes(args[2]), muts, keep_header=True)
    status = array("I", args[6])
    for pos, value in status_muts:
        if len(status):
            status[pos % len(status)] = value
    args[6] = status.tobytes()
    if split:
        args[7] = (split * len(args[7]))[: len(args[7])]
    if ids is not None:
        args[8], args[9] = u32s(ids[0]), u32s(ids[1])
    gmap = array("I", args[5])
    args[5] = array("I", [(g + gmap_shift) % (len(gmap) + 3) for g in gmap]).tobytes()
    same("hierarchy_extras", *args, len(gmap) + 3)


@FUZZ
@given(
    which=st.integers(0, 1),
    muts=mutations,
    status_muts=st.lists(
        st.tuples(st.integers(0, 1 << 10), st.integers(0, 14) | st.just(0xFFFFFFFF) | u32), max_size=3
    ),
    ids=st.tuples(words, words) | st.none(),
    gmap_shift=st.integers(0, 3),
    types_mut=st.sampled_from([None, "arrow", "unicode", "none"]),
    pick=st.integers(0, 60),
    rename=st.sampled_from([b"", b"speak\0", b"Lcom/aw/h/Animal;\0"]),
)
def test_hierarchy_all_mutated(which, muts, status_muts, ids, gmap_shift, types_mut, pick, rename) -> None:
    """The graph's real arguments for hier.dex split over two DEX files, one of them mutated (class defs,
    interface lists, method ids, type statuses, reference lists, node map, type descriptors, a "(" in a method
    or class name): ``_reach.hierarchy_all`` (the kernel the engine runs) and its Python twin agree, only
    ValueError escapes."""
    from appwarden.dex.index import build_index

    from .conftest import DATA

    creach = pytest.importorskip("appwarden.dex._reach", reason="C extension not built (pip install -e .)")
    index = build_index([(n, (DATA / n).read_bytes()) for n in ("hier_a.dex", "hier_b.dex")])
    dexes = [list(d) for d in index.callgraph._hierarchy_all_args()]
    args = dexes[which]
    data = bytes(args[2])
    if rename and rename in data:  # same length: a "(" in a method name or a class name
        data = data.replace(rename, rename[:2] + b"(" + rename[3:])
    args[2] = mutate(data, muts, keep_header=True)
    status = array("I", args[6])
    for pos, value in status_muts:
        if len(status):
            status[pos % len(status)] = value
    args[6] = status.tobytes()
    if ids is not None:
        args[7], args[8] = u32s(ids[0]), u32s(ids[1])
    gmap = array("I", args[5])
    args[5] = array("I", [(g + gmap_shift) % (len(gmap) + 3) for g in gmap]).tobytes()
    if types_mut and args[1]:
        types = list(args[1])
        types[pick % len(types)] = {"arrow": "La/b->c;", "unicode": "La/\u4e2d;", "none": None}[types_mut]
        args[1] = types
    tuples = [tuple(d) for d in dexes]
    same("hierarchy_all", tuples, len(gmap) + 3, c=creach)
    # as the engine calls it: with intern_all's sig hashes of these very tables (when it takes them), the same
    ids = [(d[2], *d[0][:3], d[3][0], *d[0][3:], d[3][3], d[3][4]) for d in dexes]
    try:
        interned = creach.intern_all(ids, [lambda m: f"<{m}>"] * len(ids), 0.0, True)
    except ValueError:
        interned = None
    if interned is None:  # the engine then calls it without hints
        return
    outs = []
    for extra in ((), (0.0, interned[2])):
        try:
            outs.append(("ok", creach.hierarchy_all(tuples, len(gmap) + 3, *extra)))
        except ValueError as exc:
            outs.append(("ValueError", str(exc)))
    assert outs[0] == outs[1]


@FUZZ
@given(
    which=st.integers(0, 1),
    muts=mutations,
    status_muts=st.lists(
        st.tuples(st.integers(0, 1 << 10), st.integers(0, 14) | st.just(0xFFFFFFFF) | u32), max_size=3
    ),
    bits=st.binary(min_size=1, max_size=8),
)
def test_subtype_masks_mutated(which, muts, status_muts, bits) -> None:
    """subtype_masks on hier.dex split over two DEX files, one mutated (class defs, interface lists, type
    statuses, bits): C and Python agree, only ValueError escapes."""
    from appwarden.dex.index import build_index

    from .conftest import DATA

    index = build_index([(n, (DATA / n).read_bytes()) for n in ("hier_a.dex", "hier_b.dex")])
    dexes = [list(d) for d in index.callgraph._hierarchy_all_args()]
    args = dexes[which]
    args[2] = mutate(bytes(args[2]), muts, keep_header=True)
    status = array("I", args[6])
    for pos, value in status_muts:
        if len(status):
            status[pos % len(status)] = value
    args[6] = status.tobytes()
    type_bits = [(bits * (len(d[1]) + 1))[: len(d[1])] for d in dexes]
    same("subtype_masks", [tuple(d) for d in dexes], type_bits)


def intern_both(dexes: list[tuple]):
    """intern_methods over every DEX in both backends: the same node maps and representatives, or the same
    ValueError message."""
    outs = []
    for backend in (cext, pywalk):
        table, hashes, reps, other = bytearray(4 << 12), bytearray(), bytearray(), {}
        try:
            maps = [
                backend.intern_methods(dexes, ci, table, hashes, reps, other, lambda m: f"<{m}>")
                for ci in range(len(dexes))
            ]
        except ValueError as exc:
            outs.append(("ValueError", str(exc)))
        else:
            outs.append((maps, bytes(reps)))
    assert outs[0] == outs[1]


@FUZZ
@given(muts=mutations, lo=st.integers(0, 40), width=st.integers(0, 12), pick=st.integers(0, 40))
def test_descriptor_kernels_mutated_tables(main_dex: bytes, muts, lo: int, width: int, pick: int) -> None:
    """The kernels that make or compare method descriptors from the DEX tables without strings (issue #19):
    method_desc, find_methods and intern_methods agree between C and Python on mutated bytes (the original
    header's tables), with the same ValueError messages; a range whose descriptors cannot be built gives None."""
    args = descs_args(DexFile("classes.dex", main_dex))
    data = mutate(main_dex, muts, keep_header=True)
    ids = (data, *args[1:])
    for m in range(min(args[-1], 60)):
        same("method_desc", ids, m)
    same("method_descs_at", ids, array("I", range(lo, min(lo + width, args[-1]))).tobytes(), True)
    key = b"Lcom/aw/t/Graph;->onCreate(Landroid/os/Bundle;)V"
    if pick < args[-1]:
        with contextlib.suppress(ValueError):
            key = pywalk._method_bytes(data, args[1:8], pick)
    same("find_methods", ids, lo, lo + width, key)
    intern_both([ids, (main_dex, *args[1:]), ids])
