"""The C kernels behind method descriptors and the call graph equal their pure-Python twins in pywalk.

Fixture DEXes here; the corpus-wide comparison is in ``test_corpus.py``; hostile input in ``test_fuzz_graph.py``.
"""

from __future__ import annotations

import sys
from array import array
from pathlib import Path

import pytest

from appwarden.dex import pywalk
from appwarden.dex.index import build_index, id_table_args
from appwarden.dex.reader import DexFile, split_container

from .conftest import DATA, dex_blobs_of

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")
try:  # the kernels of the reachability stage (hierarchy_all: the one the engine runs), built with _dexscan
    from appwarden.dex import _reach as creach
except ImportError:  # pragma: no cover - the twins alone are then compared with nothing
    creach = None


def descs_args(dex: DexFile) -> tuple:
    """The arguments DexCode.descs passes to ``method_descs``."""
    return id_table_args(dex, methods=True)


def fixture_dexes(fixtures_dir: Path) -> list[DexFile]:
    blobs = [("main.dex", (DATA / "main.dex").read_bytes())]
    for apk in sorted((fixtures_dir / "apks").glob("*.apk")):
        blobs += [(f"{apk.name}!{n}", b) for n, b in dex_blobs_of(apk)]
    return [dex for name, blob in blobs for dex in split_container(name, blob)]


def assert_same_descs(dex: DexFile) -> list[str | None]:
    """C == Python, and (after the MUTF-8 fill-in) equal to DexFile.method_desc for every method id."""
    args = descs_args(dex)
    c_out = cext.method_descs(*args)
    assert pywalk.method_descs(*args) == c_out
    assert len(c_out) == dex.method_ids_size
    for i, d in enumerate(c_out):
        if d is not None:
            assert d == dex.method_desc(i) and d.isascii()
    return c_out


def test_method_descs_on_fixtures(fixtures_dir: Path) -> None:
    dexes = fixture_dexes(fixtures_dir)
    assert len(dexes) >= 5
    for dex in dexes:
        assert_same_descs(dex)
    [code] = build_index([("classes.dex", (DATA / "main.dex").read_bytes())]).codes
    assert code.descs == [code.dex.method_desc(i) for i in range(code.dex.method_ids_size)]
    assert code.method_desc(0) == code.descs[0]


def test_method_descs_non_ascii_fall_back_to_the_mutf8_decoder(main_dex: bytes) -> None:
    # same byte lengths, so every offset stays valid: an "é" in a class name, NUL (C0 80) + a surrogate pair in a name
    data = main_dex.replace(b"Lcom/aw/t/Job;\0", "Lcom/aw/t/Jé;\0".encode()).replace(
        b"literals\0", b"\xc0\x80\xed\xa0\xbd\xed\xb8\x80\0"
    )
    assert len(data) == len(main_dex) and data != main_dex
    dex = DexFile("classes.dex", data)
    c_out = assert_same_descs(dex)
    nones = [i for i, d in enumerate(c_out) if d is None]
    assert len(nones) >= 2
    [code] = build_index([("classes.dex", data)]).codes
    full = code.descs
    assert all(isinstance(d, str) for d in full)
    assert full == [dex.method_desc(i) for i in range(dex.method_ids_size)]
    assert "Lcom/aw/t/Walk;->\x00\U0001f600()V" in full
    assert any(d.startswith("Lcom/aw/t/Jé;->") for d in full)


def test_method_descs_bounds(main_dex: bytes) -> None:
    dex = DexFile("classes.dex", main_dex)
    args = list(descs_args(dex))
    for pos, value, message in (
        (1, len(main_dex), "string_ids out of bounds"),
        (3, len(main_dex), "type_ids out of bounds"),
        (5, len(main_dex), "proto_ids out of bounds"),
        (7, len(main_dex), "method_ids out of bounds"),
        (2, 0, r"type \d+ string index out of range"),  # no strings at all
        (4, 1, "type index"),  # one type only: method 0's class (or return type) is out of range
    ):
        bad = list(args)
        bad[pos] = value
        for walker in (cext, pywalk):
            with pytest.raises(ValueError, match=message):
                walker.method_descs(*bad)


def types_args(dex: DexFile) -> tuple:
    """The arguments DexCode.type_descs passes to ``type_descs``."""
    return id_table_args(dex, methods=False)


NONE = 0xFFFFFFFF
ALL_OPS = bytes(range(256))


def edge_maps(gmap: array) -> tuple[bytes, bytes, bytes]:
    """The graph's node map plus two made-up extra maps with NONE holes (the kernels do not care what they mean)."""
    n = len(gmap)
    virt = array("I", [gmap[(i * 7 + 3) % n] if i % 3 else NONE for i in range(n)])
    sup = array("I", [NONE if i % 2 else gmap[n - 1 - i] for i in range(n)])
    return gmap.tobytes(), virt.tobytes(), sup.tobytes()


def assert_same_kernels(cext, index, entries: list[str], where: object = None) -> None:
    """Both backends give the same output on the DEXes and the call graph of ``index``."""
    cg = index.callgraph
    for ci, code in enumerate(index.codes):
        dex = code.dex
        assert cext.type_descs(*types_args(dex)) == pywalk.type_descs(*types_args(dex)), where
        for ops in (b"\x6e\x72\x74\x78", b"\x6f\x75", ALL_OPS):
            c_ids = cext.invoked_ids(code.events_raw, dex.method_ids_size, ops)
            assert pywalk.invoked_ids(code.events_raw, dex.method_ids_size, ops) == c_ids, where
        maps = edge_maps(cg._maps[ci])
        c_edges = cext.call_edges(code.methods_raw, code.events_raw, *maps)
        assert pywalk.call_edges(code.methods_raw, code.events_raw, *maps) == c_edges, where
        args = cg._hierarchy_args(ci)
        assert cext.hierarchy_extras(*args, 7) == pywalk.hierarchy_extras(*args, 7), where
    dexes = cg._hierarchy_all_args()
    if creach is not None:
        assert creach.hierarchy_all(dexes, 7) == pywalk.hierarchy_all(dexes, 7), where
    bits = cg._subtype_bits()
    assert cext.subtype_masks(dexes, bits) == pywalk.subtype_masks(dexes, bits), where
    n_nodes = len(cg.node_names())
    csr = cext.build_csr(cg._edges, n_nodes)
    assert pywalk.build_csr(cg._edges, n_nodes) == csr, where
    assert cext.reverse_csr(*csr) == pywalk.reverse_csr(*csr), where
    known = array("I", [g for e in entries if (g := cg._lookup(e)) is not None]).tobytes()
    assert cext.bfs(*csr, cg._virtual, known) == pywalk.bfs(*csr, cg._virtual, known), where


def test_graph_kernels_on_fixtures(fixtures_dir: Path) -> None:
    indexes = [build_index([(n, (DATA / n).read_bytes())]) for n in ("main.dex", "hier.dex")]
    indexes.append(build_index([(n, (DATA / n).read_bytes()) for n in ("hier_a.dex", "hier_b.dex")]))
    indexes += [build_index(dex_blobs_of(apk)) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]
    for index in indexes:
        methods = sorted(n for n in index.callgraph.node_names() if n is not None)
        assert_same_kernels(cext, index, methods[::2], index.codes[0].name)


def test_type_descs_non_ascii(main_dex: bytes) -> None:
    data = main_dex.replace(b"Lcom/aw/t/Job;\0", "Lcom/aw/t/Jé;\0".encode())
    dex = DexFile("classes.dex", data)
    c_out = cext.type_descs(*types_args(dex))
    assert pywalk.type_descs(*types_args(dex)) == c_out
    assert [i for i, t in enumerate(c_out) if t is None] == [dex.find_type("Lcom/aw/t/Jé;")]
    [code] = build_index([("classes.dex", data)]).codes
    assert code.type_descs == [dex.type_desc(i) for i in range(dex.type_ids_size)]


def test_type_descs_are_interned(main_dex: bytes) -> None:
    """Both kernels intern what they make, and DexCode.type_descs the non-ASCII ones it decodes: one object per
    descriptor over the DEX files of an app."""
    data = main_dex.replace(b"Lcom/aw/t/Job;\0", "Lcom/aw/t/Jé;\0".encode())
    dex = DexFile("classes.dex", data)
    for walker in (cext, pywalk):
        made = [t for t in walker.type_descs(*types_args(dex)) if t is not None]
        assert made and all(sys.intern(t) is t for t in made), walker
    [code] = build_index([("classes.dex", data)]).codes
    assert all(sys.intern(t) is t for t in code.type_descs)
    [other] = build_index([("classes.dex", main_dex)]).codes
    obj = "".join(["Ljava/lang/", "Object;"])  # a new str object, equal to the descriptor
    mine = code.type_descs[code.dex.find_type(obj)]
    assert mine is other.type_descs[other.dex.find_type(obj)] and mine is sys.intern(obj)


def test_call_edges_semantics() -> None:
    # two methods: record 0 (method 0) calls method 1 with invoke-virtual, invoke-super, invoke-static and
    # invoke-custom; record 1 (method 1) has no events
    events = [
        ((1 << 8) | 0x6E, 0, 1, 0, 0),
        ((1 << 8) | 0x75, 0, 1, 0, 0),
        ((1 << 8) | 0x71, 0, 1, 0, 0),
        ((1 << 8) | 0xFC, 0, 7, 0, 0),  # invoke-custom: idx is a call-site id, no edge
        ((2 << 8) | 0x1A, 0, 5, 0, 0),  # const-string: not an invoke
    ]
    ev = array("I", [w for e in events for w in e]).tobytes()
    methods = array("I", [0, 0, 1, 16, 0, 5, 9, 0, 1, 1, 32, 5, 5, 0]).tobytes()
    gids = array("I", [10, 11]).tobytes()
    virt = array("I", [NONE, 20]).tobytes()
    sup = array("I", [NONE, 30]).tobytes()
    for walker in (cext, pywalk):
        pairs = array("I", walker.call_edges(methods, ev, gids, virt, sup)).tolist()
        # each pair once per record and method id (direct, virtual extra, super extra): not 10 -> 11 three times
        assert pairs == [10, 11, 10, 20, 10, 30]
        with pytest.raises(ValueError, match="differ in length"):
            walker.call_edges(methods, ev, gids, virt, sup[:4])
        with pytest.raises(ValueError, match="method index 1 out of range"):
            walker.call_edges(methods, ev, gids[:4], virt[:4], sup[:4])
        assert walker.invoked_ids(ev, 2, b"\x6e\x75") == array("I", [1]).tobytes()
        # a huge method_ids_size: the sorting path (no flag per possible id)
        assert walker.invoked_ids(ev, 1 << 31, b"\x6e\x75\xfc") == array("I", [1, 7]).tobytes()
        assert walker.invoked_ids(ev, 2, ALL_OPS[:0x6E]) == b""
        with pytest.raises(ValueError, match="method index 7 out of range"):
            walker.invoked_ids(ev, 2, b"\xfc")  # asked for, a call-site id is checked like a method id


def test_csr_and_bfs_semantics() -> None:
    # 0 -> 1, 0 -> 4 (virtual) -> {2, 3}, 1 -> 2, 2 -> 5, 0 -> 1 again; 5 unreachable from 3; 6 isolated
    edges = array("I", [0, 1, 0, 4, 4, 2, 4, 3, 1, 2, 2, 5, 0, 1, 4, 6 + 0]).tobytes()
    virtual = bytes([0, 0, 0, 0, 1, 0, 0])
    for walker in (cext, pywalk):
        off, tgt = walker.build_csr(edges, 7)
        assert array("I", off).tolist() == [0, 2, 3, 4, 4, 7, 7, 7]  # repeats dropped, first-seen order kept
        assert array("I", tgt).tolist() == [1, 4, 2, 5, 2, 3, 6]
        parents, order = walker.bfs(off, tgt, virtual, array("I", [0, 0]).tobytes())
        p = array("I", parents).tolist()
        # the virtual node costs nothing: 2, 3 and 6 are children of 0 (depth 1), 5 of 2
        assert p == [0, 0, 0, 0, 0, 2, 0]
        assert array("I", order).tolist() == [0, 1, 2, 3, 6, 5]
        parents, order = walker.bfs(off, tgt, virtual, array("I", [3]).tobytes())
        assert array("I", order).tolist() == [3] and array("I", parents).tolist()[3] == 3
        assert array("I", parents).tolist().count(NONE) == 6
        with pytest.raises(ValueError, match="entry out of range"):
            walker.bfs(off, tgt, virtual, array("I", [4]).tobytes())  # a virtual node is no entry
        with pytest.raises(ValueError, match="node out of range"):
            walker.build_csr(edges, 6)
        with pytest.raises(ValueError, match="virtual flags"):
            walker.bfs(off, tgt, virtual[:-1], b"")


def _non_ascii(main_dex: bytes) -> bytes:
    """main.dex with an "é" in a class name and NUL (C0 80) + a surrogate pair in a method name (same offsets)."""
    return main_dex.replace(b"Lcom/aw/t/Job;\0", "Lcom/aw/t/Jé;\0".encode()).replace(
        b"literals\0", b"\xc0\x80\xed\xa0\xbd\xed\xb8\x80\0"
    )


def intern_all(backend, codes) -> tuple[list[list[int]], bytes]:
    """Node maps of every DEX from ``backend.intern_methods``, and the representatives."""
    total = sum(code.dex.method_ids_size for code in codes)
    table, hashes, reps, other = bytearray(4 * 1 << total.bit_length() + 2), bytearray(), bytearray(), {}
    dexes = [code.id_args for code in codes]
    maps = [
        array(
            "I", backend.intern_methods(dexes, ci, table, hashes, reps, other, code.dex.method_desc)
        ).tolist()
        for ci, code in enumerate(codes)
    ]
    return maps, bytes(reps)


def test_intern_methods_numbers_descriptors_as_a_dict_would(main_dex: bytes, fixtures_dir: Path) -> None:
    """intern_methods (issue #19: no descriptor strings) gives each method id the node a descriptor -> id dict
    filled DEX by DEX gives it, in both backends, and each node's representative names it; methods listed by
    several DEX files, and descriptors that are not ASCII (decoded, never equal to an ASCII one) included."""
    sets = [
        [("a.dex", main_dex), ("b.dex", main_dex)],
        [("a.dex", main_dex), ("b.dex", _non_ascii(main_dex))],
    ]
    sets.append([(n, (DATA / n).read_bytes()) for n in ("hier_a.dex", "hier_b.dex", "hier.dex")])
    sets += [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]
    for blobs in sets:
        codes = build_index(blobs).codes
        ids: dict[str, int] = {}
        want = [
            [ids.setdefault(code.dex.method_desc(m), len(ids)) for m in range(code.dex.method_ids_size)]
            for code in codes
        ]
        names = list(ids)
        c_maps, c_reps = intern_all(cext, codes)
        assert (c_maps, c_reps) == intern_all(pywalk, codes) and c_maps == want, blobs[0][0]
        reps = array("I", c_reps)
        assert len(reps) == 2 * len(names)
        assert [codes[reps[2 * g]].method_desc(reps[2 * g + 1]) for g in range(len(names))] == names


def test_method_desc_and_find_methods_twins(main_dex: bytes, fixtures_dir: Path) -> None:
    """One method's descriptor and the ids of a range with a given descriptor, made from the DEX tables: C ==
    Python == the reader's descriptors (None / no match for what is not ASCII)."""
    dexes = [*fixture_dexes(fixtures_dir), DexFile("x.dex", _non_ascii(main_dex))]
    for dex in dexes:
        ids = descs_args(dex)
        full = [dex.method_desc(m) for m in range(dex.method_ids_size)]
        for m, desc in enumerate(full):
            one = cext.method_desc(ids, m)
            assert one == pywalk.method_desc(ids, m) == (desc if desc.isascii() else None)
        every = array("I", range(len(full))).tobytes()
        for sig in (False, True):
            many = cext.method_descs_at(ids, every, sig)
            assert (
                many
                == pywalk.method_descs_at(ids, every, sig)
                == [cext.method_desc(ids, m, sig) for m in range(len(full))]
            )
            assert [s for s in many if s is not None] == [
                d.partition("->")[2] if sig else d
                for d in full
                if (d.partition("->")[2] if sig else d).isascii()
            ]
        for lo in range(0, len(full), 5):
            for desc in {*full[lo : lo + 7], "Lno/Such;->m()V"}:
                key = desc.encode("utf-8", "surrogatepass")
                got = cext.find_methods(ids, lo, lo + 7, key)
                assert got == pywalk.find_methods(ids, lo, lo + 7, key)
                want = [m for m in range(lo, min(lo + 7, len(full))) if full[m] == desc and desc.isascii()]
                assert array("I", got).tolist() == want
        with pytest.raises(ValueError, match="method index out of range"):
            cext.method_desc(ids, dex.method_ids_size)


def test_hierarchy_all_semantics() -> None:
    """hierarchy_all on hier.dex split over two DEX files: the targets of Animal.speak() (overrides in both files)
    and Sink.put() (implementors in both) share virtual nodes numbered from vbase, DEX by DEX; nothing is left."""
    index = build_index([(n, (DATA / n).read_bytes()) for n in ("hier_a.dex", "hier_b.dex")])
    cg = index.callgraph
    dexes = cg._hierarchy_all_args()
    for backend in (pywalk,) if creach is None else (creach, pywalk):
        maps, vedges, n_v, rests = backend.hierarchy_all(dexes, 1000)
        assert rests == [b"", b""] and len(maps) == 2
        edges = array("I", vedges)
        pairs = list(zip(edges[0::2], edges[1::2], strict=True))
        assert n_v >= 2 and {v for v, _ in pairs} == set(range(1000, 1000 + n_v))
        names = cg.node_names()
        by_vnode: dict[int, set[str]] = {}
        for v, t in pairs:
            by_vnode.setdefault(v, set()).add(names[t])
        assert {"Lcom/aw/h/SinkA;->put()V", "Lcom/aw/h/SinkB;->put()V"} in by_vnode.values()
        vmap = array("I", maps[0][0])
        assert any(v >= 1000 for v in vmap if v != NONE)


def test_subtype_masks_semantics() -> None:
    """subtype_masks over hier.dex split over two DEX files: a class gets the bits of its own type, of the types
    it extends or implements and of what its app parents reach (across the files); made-up bits on two types."""
    index = build_index([(n, (DATA / n).read_bytes()) for n in ("hier_a.dex", "hier_b.dex")])
    cg = index.callgraph
    dexes = cg._hierarchy_all_args()
    app = index._class_map
    base = [0, index.codes[0].dex.class_defs_size]
    bits = []
    for code in index.codes:
        b = bytearray(len(code.type_descs))
        for i, t in enumerate(code.type_descs):
            b[i] = {"Lcom/aw/h/Animal;": 1, "Ljava/lang/Object;": 2}.get(t, 0)
        bits.append(bytes(b))
    for backend in (cext, pywalk):
        masks = backend.subtype_masks(dexes, bits)
        assert len(masks) == sum(c.dex.class_defs_size for c in index.codes)
        for cls, (ci, cdi) in app.items():
            want = (1 if cg._is_subtype(cls, "Lcom/aw/h/Animal;") else 0) | (
                2 if cg._is_subtype(cls, "Ljava/lang/Object;") else 0
            )
            assert masks[base[ci] + cdi] == want, cls
        assert masks[base[app["Lcom/aw/h/Puppy;"][0]] + app["Lcom/aw/h/Puppy;"][1]] == 3
    with pytest.raises(ValueError, match="DEX 1: bits length differs from type_ids"):
        cext.subtype_masks(dexes, [bits[0], b""])


def test_reverse_csr_is_build_csr_over_the_reversed_pairs() -> None:
    """reverse_csr gives what build_csr gives for each (target, source) pair taken row by row (a row's sources
    ascending, each once), without the pairs; the same ValueError messages as bfs for an inconsistent adjacency."""
    edges = array("I", [0, 1, 0, 4, 4, 2, 4, 3, 1, 2, 2, 5, 0, 1, 4, 6, 3, 0]).tobytes()
    for walker in (cext, pywalk):
        off, tgt = walker.build_csr(edges, 7)
        roff, rtgt = walker.reverse_csr(off, tgt)
        assert array("I", roff).tolist() == [0, 1, 2, 4, 5, 6, 7, 8]
        assert array("I", rtgt).tolist() == [3, 0, 1, 4, 4, 0, 2, 4]
        o, t = array("I", off).tolist(), array("I", tgt).tolist()
        pairs = array("I", [x for u in range(7) for v in t[o[u] : o[u + 1]] for x in (v, u)]).tobytes()
        assert walker.build_csr(pairs, 7) == (roff, rtgt)
        dup = array("I", [0, 2, 2]).tobytes(), array("I", [1, 1]).tobytes()  # a repeat in a row: kept once
        assert array("I", walker.reverse_csr(*dup)[1]).tolist() == [0]
        with pytest.raises(ValueError, match="target out of range"):
            walker.reverse_csr(off, array("I", [7] * len(t)).tobytes())
        with pytest.raises(ValueError, match="offsets do not match the targets"):
            walker.reverse_csr(off, tgt[:-4])
