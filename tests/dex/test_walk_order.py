"""class_ranks and sort_nodes (issue #19: the consent walk without naming every method it meets): the C kernels
equal their pure-Python twins and Python's str order of the descriptors, and CallGraph.walk over them equals the
walk that names and sorts every callee, including descriptors that are not ASCII (NUL, non-BMP: the walk then
names them)."""

from __future__ import annotations

from array import array
from collections import deque
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import callgraph, pywalk
from appwarden.dex.index import build_index
from appwarden.dex.reader import DexFile

from .conftest import DATA, dex_blobs_of
from .test_fuzz import mutate, mutations
from .test_graph_kernels import _non_ascii, descs_args, intern_all

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

PREFIXES = [
    (),
    (b"Lcom/aw/",),
    (b"Ljava/", b"Landroid/"),
    (b"Lcom/aw/t/Job;->",),
    (b"Lcom/aw/t/Job;->r",),
    (b"",),
]


def _descs(codes, reps: bytes) -> list[bytes]:
    pairs = array("I", reps)
    return [codes[pairs[2 * g]].dex.method_desc(pairs[2 * g + 1]).encode() for g in range(len(pairs) // 2)]


def _same(fn: str, *args) -> object:
    """C == Python, or ValueError with the same message in both."""
    try:
        got = getattr(cext, fn)(*args)
    except ValueError as exc:
        with pytest.raises(ValueError) as py_exc:
            getattr(pywalk, fn)(*args)
        assert str(py_exc.value) == str(exc)
        return None
    assert getattr(pywalk, fn)(*args) == got
    return got


def _check_order(dexes: list, reps: bytes, descs: list[bytes]) -> None:
    """class_ranks and sort_nodes give descriptor order (Python str order of ASCII descriptors) in both backends:
    (class rank, descriptor) order, and each prefix flag says what str.startswith says."""
    n = len(descs)
    nodes = array("I", range(n)).tobytes()
    got = _same("sort_nodes", dexes, reps, nodes)
    assert array("I", got).tolist() == sorted(range(n), key=descs.__getitem__)
    for prefixes in PREFIXES:
        ranked = _same("class_ranks", dexes, reps, prefixes)
        assert ranked is not None
        rank, flags = array("I", ranked[0]).tolist(), ranked[1]
        by_class = sorted(range(n), key=lambda g: (rank[g], descs[g]))
        assert by_class == sorted(range(n), key=descs.__getitem__)
        for g, d in enumerate(descs):
            cls = d[: d.index(b"->")]
            if (
                flags[g] == 2
            ):  # the descriptor decides: a longer prefix starts with the class, no shorter matches
                assert any(len(p) > len(cls) and p.startswith(cls) for p in prefixes)
                assert not any(len(p) <= len(cls) and cls.startswith(p) for p in prefixes)
            else:
                assert flags[g] == int(bool(prefixes) and d.startswith(prefixes)), (d, prefixes)
        if prefixes == (b"Lcom/aw/t/Job;->",) and any(d.startswith(prefixes[0]) for d in descs):
            assert 2 in flags


def _sets(main_dex: bytes, fixtures_dir: Path) -> list[list[tuple[str, bytes]]]:
    sets = [
        [("a.dex", main_dex), ("b.dex", main_dex)],
        [(n, (DATA / n).read_bytes()) for n in ("hier_b.dex", "hier_a.dex", "hier.dex")],
    ]
    return sets + [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]


def test_class_ranks_and_sort_nodes_give_python_str_order(main_dex: bytes, fixtures_dir: Path) -> None:
    for blobs in _sets(main_dex, fixtures_dir):
        codes = build_index(blobs).codes
        _maps, reps = intern_all(cext, codes)
        _check_order([c.id_args for c in codes], reps, _descs(codes, reps))


def test_a_class_that_is_a_prefix_of_another_and_non_ascii(main_dex: bytes) -> None:
    """ "Lcom/aw/t/" (a class cut short by a NUL) is a proper prefix of the other classes of its package, so
    class order is not descriptor order ("...t/->" sorts before "...t/Job;->"): class_ranks declines (None), and
    sort_nodes still sorts. A class, a descriptor or a prefix that is not ASCII: None from both backends."""
    cut = main_dex.replace(b"Lcom/aw/t/Task;\0", b"Lcom/aw/t/\0ask;\0")
    assert cut != main_dex
    dex = DexFile("x.dex", cut)
    ids = descs_args(dex)
    descs = [pywalk._method_bytes(cut, (*ids[1:7], ids[7]), m) for m in range(dex.method_ids_size)]
    assert b"Lcom/aw/t/->" in {d[:12] for d in descs}
    reps = array("I", [x for m in range(dex.method_ids_size) for x in (0, m)]).tobytes()
    nodes = array("I", range(len(descs))).tobytes()
    assert _same("class_ranks", [ids], reps, ()) is None
    got = _same("sort_nodes", [ids], reps, nodes)
    assert array("I", got).tolist() == sorted(range(len(descs)), key=descs.__getitem__)
    odd = DexFile(
        "y.dex", _non_ascii(main_dex)
    )  # "é" in a class name, NUL + a surrogate pair in a method name
    reps2 = array("I", [x for m in range(odd.method_ids_size) for x in (0, m)]).tobytes()
    assert _same("class_ranks", [descs_args(odd)], reps2, ()) is None
    assert (
        _same("sort_nodes", [descs_args(odd)], reps2, array("I", range(odd.method_ids_size)).tobytes())
        is None
    )
    plain = DexFile("z.dex", main_dex)
    reps3 = array("I", [x for m in range(plain.method_ids_size) for x in (0, m)]).tobytes()
    assert _same("class_ranks", [descs_args(plain)], reps3, ("Lcom/aw/é".encode(),)) is None
    with pytest.raises(ValueError, match="representative out of range"):
        cext.class_ranks([ids], array("I", [1, 0]).tobytes(), ())
    with pytest.raises(ValueError, match="node out of range"):
        cext.sort_nodes([ids], reps, array("I", [len(descs)]).tobytes())


FUZZ = settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(muts=mutations, prefixes=st.sampled_from(PREFIXES), picks=st.lists(st.integers(0, 400), max_size=12))
def test_class_ranks_and_sort_nodes_mutated_tables(main_dex: bytes, muts, prefixes, picks) -> None:
    """Hostile bytes under the original tables: the same result, None or ValueError in both backends."""
    dex = DexFile("classes.dex", main_dex)
    ids = descs_args(dex)
    data = mutate(main_dex, muts, keep_header=True)
    n = dex.method_ids_size
    reps = array("I", [x for m in range(n) for x in (0, m)]).tobytes()
    _same("class_ranks", [(data, *ids[1:])], reps, prefixes)
    nodes = array("I", [p % (n + 1) for p in picks]).tobytes()  # repeats and one node out of range included
    _same("sort_nodes", [(data, *ids[1:])], reps, nodes)


def _reference_walk(graph, entries, skip_prefixes=(), cut=None, closed=None) -> dict:
    """The walk over callees() sets, sorted by descriptor (Python str order)."""
    parents = dict.fromkeys(entries)
    done = closed or {}
    queue = deque(e for e in parents if e not in done)
    while queue:
        m = queue.popleft()
        skip = (cut or {}).get(m, ())
        for x in sorted(graph.callees(m)):
            if x not in parents and x not in skip and not (skip_prefixes and x.startswith(skip_prefixes)):
                parents[x] = m
                if x not in done:
                    queue.append(x)
    return parents


@pytest.mark.parametrize("non_ascii", ["", "class", "name"])
def test_walk_over_ranks_equals_the_named_walk(main_dex: bytes, fixtures_dir: Path, non_ascii: str) -> None:
    """Every method of a fixture app as entry: the same items in the same order as the reference walk, ranks
    used (ASCII), declined ("é" in a class name) or ranks with names sorted in Python (NUL and a surrogate pair
    in a method name, a sibling of its class's other methods: Python str order, not UTF-16's)."""
    # hier_b before hier_a: callees whose node ids (first seen) are not in descriptor order
    blobs = [(n, (DATA / n).read_bytes()) for n in ("hier_b.dex", "hier_a.dex", "hier.dex")]
    odd = {"": main_dex, "class": _non_ascii(main_dex)}
    odd["name"] = main_dex.replace(b"invoke\0", b"\xed\xa0\xbd\xed\xb8\x80\0")  # U+1F600 (MethodHandle)
    blobs.append(("a.dex", odd[non_ascii]))
    apk = Path(__file__).parents[1] / "rules" / "_apps" / "consent_gated.apk"
    blobs += [(f"x{i}.dex", b) for i, (_n, b) in enumerate(dex_blobs_of(apk))]
    graph = build_index(blobs).callgraph
    names = [n for n in graph.node_names() if n is not None]
    if non_ascii:
        assert any(not n.isascii() for n in names)
    if non_ascii == "name":  # a non-ASCII method with a sibling of its class among some method's callees
        odd_name = next(n for n in names if not n.isascii())
        cls = odd_name.split("->")[0]
        assert any(
            odd_name in cs and sum(c.startswith(cls + "->") for c in cs) > 1
            for cs in map(graph.callees, names)
        )
    ids = {n: g for g, n in enumerate(graph.node_names()) if n}
    assert any(sorted(cs) != sorted(cs, key=ids.__getitem__) for cs in map(graph.callees, names))
    for prefixes in ((), ("Lcom/aw/",), ("Landroid", "Ljava/")):
        for entry in names:
            got = graph.walk([entry], skip_prefixes=prefixes)
            assert list(got.items()) == list(_reference_walk(graph, [entry], prefixes).items()), entry
        assert (graph._walk_ranks[prefixes] is None) == (non_ascii == "class")
    entries = names[:3]
    first = graph.walk(entries)
    cut = {entries[0]: set(sorted(graph.callees(entries[0]))[:1])}
    got = graph.walk(names[3:6], skip_prefixes=("Ljava/",), cut=cut, closed=first)
    assert list(got.items()) == list(_reference_walk(graph, names[3:6], ("Ljava/",), cut, first).items())


def test_non_bmp_descriptor_order_is_python_str_order() -> None:
    """Python compares code points: U+1F600 (a surrogate pair in DEX's MUTF-8) sorts after U+FFFD, while UTF-16
    code units (and the MUTF-8 bytes) put it before; the walk's fallback sorts the Python strings."""
    a, b = "La;->\U0001f600()V", "La;->\ufffd()V"
    assert sorted([a, b]) == [b, a]
    assert a.encode("utf-16-be") < b.encode("utf-16-be")


def test_walk_ranks_cached_and_not_pickled(main_dex: bytes) -> None:
    import pickle

    graph = build_index([("a.dex", main_dex)]).callgraph
    entry = next(n for n in graph.node_names() if n)
    graph.walk([entry])
    assert () in graph._walk_ranks
    assert pickle.loads(pickle.dumps(graph))._walk_ranks == {}
    assert callgraph.NONE == 0xFFFFFFFF


def _swap_type_ids(blob: bytes, i: int, j: int) -> bytes:
    """The DEX with type ids i and j swapped: its types no longer ascend by descriptor (a hostile table)."""
    import struct

    t_off = struct.unpack_from("<I", blob, 0x44)[0]
    data = bytearray(blob)
    a, b = data[t_off + 4 * i : t_off + 4 * i + 4], data[t_off + 4 * j : t_off + 4 * j + 4]
    data[t_off + 4 * i : t_off + 4 * i + 4], data[t_off + 4 * j : t_off + 4 * j + 4] = b, a
    return bytes(data)


@settings(max_examples=60, deadline=4000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    which=st.integers(0, 3),
    order=st.sampled_from(["nodes", "shuffled", "reversed"]),
    seed=st.integers(0, 2**32 - 1),
    keep=st.floats(0.05, 1.0),
    swap=st.booleans(),
)
def test_class_ranks_over_dex_runs_equal_a_full_sort(main_dex: bytes, which, order, seed, keep, swap) -> None:
    """class_ranks merges the DEX files' class runs (a DEX lists its types in descriptor order) instead of sorting
    them all; when the nodes are not by DEX and method id, or a DEX's types do not ascend (type ids swapped), it
    sorts. Either way: the twin's answer and descriptor order, over several DEX files with shared classes."""
    import random

    sets = [
        [(n, (DATA / n).read_bytes()) for n in ("hier_b.dex", "hier_a.dex", "hier.dex")],
        [("a.dex", main_dex), ("b.dex", (DATA / "hier.dex").read_bytes()), ("c.dex", main_dex)],
        [(n, (DATA / n).read_bytes()) for n in ("main.dex", "regs.dex", "hier_a.dex", "hier_b.dex")],
        [("a.dex", (DATA / "regs.dex").read_bytes())],
    ]
    blobs = sets[which]
    if swap:
        k = seed % len(blobs)
        n_types = DexFile("x.dex", blobs[k][1]).type_ids_size
        blobs = [*blobs[:k], (blobs[k][0], _swap_type_ids(blobs[k][1], 1, n_types - 2)), *blobs[k + 1 :]]
    codes = build_index(blobs).codes
    rng = random.Random(seed)
    pairs = [
        (ci, m) for ci, c in enumerate(codes) for m in range(c.dex.method_ids_size) if rng.random() < keep
    ]
    if order == "shuffled":
        rng.shuffle(pairs)
    elif order == "reversed":
        pairs.reverse()
    reps = array("I", [x for p in pairs for x in p]).tobytes()
    descs = _descs(codes, reps)
    if any(b"\0" in d or not d.isascii() for d in descs):
        return
    _check_order([c.id_args for c in codes], reps, descs)
