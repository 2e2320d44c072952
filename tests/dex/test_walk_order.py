"""descriptor_ranks (issue #19: the consent walk without naming every method it meets): the C kernel equals its
pure-Python twin and Python's str order of the descriptors, and CallGraph.walk over the ranks equals the walk that
names and sorts every callee, including descriptors that are not ASCII (NUL, non-BMP: the walk then names them)."""

from __future__ import annotations

import itertools
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


def _check(dexes: list, reps: bytes, prefixes: tuple, descs: list[bytes] | None = None) -> object:
    """C == Python (or ValueError with the same message in both); with ``descs``, the ranks are their order."""
    try:
        got = cext.descriptor_ranks(dexes, reps, prefixes)
    except ValueError as exc:
        with pytest.raises(ValueError) as py_exc:
            pywalk.descriptor_ranks(dexes, reps, prefixes)
        assert str(py_exc.value) == str(exc)
        return None
    want = pywalk.descriptor_ranks(dexes, reps, prefixes)
    assert got == want
    if got is not None and descs is not None:
        ranks = array("I", got[0]).tolist()
        assert sorted(range(len(descs)), key=descs.__getitem__) == sorted(
            range(len(descs)), key=ranks.__getitem__
        )
        assert list(got[1]) == [int(d.startswith(prefixes)) if prefixes else 0 for d in descs]
    return got


def _sets(main_dex: bytes, fixtures_dir: Path) -> list[list[tuple[str, bytes]]]:
    sets = [
        [("a.dex", main_dex), ("b.dex", main_dex)],
        [(n, (DATA / n).read_bytes()) for n in ("hier_a.dex", "hier_b.dex", "hier.dex")],
    ]
    return sets + [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]


def test_descriptor_ranks_are_python_str_order(main_dex: bytes, fixtures_dir: Path) -> None:
    for blobs in _sets(main_dex, fixtures_dir):
        codes = build_index(blobs).codes
        _maps, reps = intern_all(cext, codes)
        descs = _descs(codes, reps)
        for prefixes in PREFIXES:
            assert _check([c.id_args for c in codes], reps, prefixes, descs) is not None, blobs[0][0]


def test_a_class_that_is_a_prefix_of_another_and_non_ascii(main_dex: bytes) -> None:
    """ "Lcom/aw/t/" (a class cut short by a NUL) is a proper prefix of the other classes of its package: the
    kernel's per-class buckets would not be descriptor order, so it sorts whole descriptors ("...t/->" before
    "...t/Job;"). A descriptor that is not ASCII: None from both (bytewise order is not Python's there)."""
    cut = main_dex.replace(b"Lcom/aw/t/Task;\0", b"Lcom/aw/t/\0ask;\0")
    assert cut != main_dex
    dex = DexFile("x.dex", cut)
    ids = descs_args(dex)
    descs = [pywalk._method_bytes(cut, (*ids[1:7], ids[7]), m) for m in range(dex.method_ids_size)]
    assert b"Lcom/aw/t/->" in {d[:12] for d in descs}
    reps = array("I", [x for m in range(dex.method_ids_size) for x in (0, m)]).tobytes()
    for prefixes in PREFIXES:
        assert _check([ids], reps, prefixes, descs) is not None
    odd = DexFile("y.dex", _non_ascii(main_dex))
    reps2 = array("I", [x for m in range(odd.method_ids_size) for x in (0, m)]).tobytes()
    assert _check([descs_args(odd)], reps2, ()) is None
    assert _check([ids], reps, ("Lcom/aw/é".encode(),)) is None  # a prefix that is not ASCII
    with pytest.raises(ValueError, match="representative out of range"):
        cext.descriptor_ranks([ids], array("I", [1, 0]).tobytes(), ())


FUZZ = settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(muts=mutations, prefixes=st.sampled_from(PREFIXES))
def test_descriptor_ranks_mutated_tables(main_dex: bytes, muts, prefixes) -> None:
    """Hostile bytes under the original tables: the same ranks, None or ValueError in both backends."""
    dex = DexFile("classes.dex", main_dex)
    ids = descs_args(dex)
    data = mutate(main_dex, muts, keep_header=True)
    reps = array("I", [x for m in range(dex.method_ids_size) for x in (0, m)]).tobytes()
    got = _check([(data, *ids[1:])], reps, prefixes)
    if got is not None:  # equal descriptors after the mutation: any order of the ties is descriptor order
        descs = [pywalk._method_bytes(data, (*ids[1:7], ids[7]), m) for m in range(dex.method_ids_size)]
        ranks = array("I", got[0]).tolist()
        order = sorted(range(len(descs)), key=ranks.__getitem__)
        assert all(descs[a] <= descs[b] for a, b in itertools.pairwise(order))


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


@pytest.mark.parametrize("non_ascii", [False, True])
def test_walk_over_ranks_equals_the_named_walk(main_dex: bytes, fixtures_dir: Path, non_ascii: bool) -> None:
    """Every method of a fixture app as entry: the same items in the same order as the reference walk, ranks
    used (ASCII) or declined (NUL and a surrogate pair in a name: Python str order, not UTF-16's)."""
    # hier_b before hier_a: callees whose node ids (first seen) are not in descriptor order
    blobs = [(n, (DATA / n).read_bytes()) for n in ("hier_b.dex", "hier_a.dex", "hier.dex")]
    blobs.append(("a.dex", _non_ascii(main_dex) if non_ascii else main_dex))
    apk = Path(__file__).parents[1] / "rules" / "_apps" / "consent_gated.apk"
    blobs += [(f"x{i}.dex", b) for i, (_n, b) in enumerate(dex_blobs_of(apk))]
    graph = build_index(blobs).callgraph
    names = [n for n in graph.node_names() if n is not None]
    if non_ascii:
        assert any(not n.isascii() for n in names)
    ids = {n: g for g, n in enumerate(graph.node_names()) if n}
    assert any(sorted(cs) != sorted(cs, key=ids.__getitem__) for cs in map(graph.callees, names))
    for prefixes in ((), ("Lcom/aw/",), ("Landroid", "Ljava/")):
        for entry in names:
            got = graph.walk([entry], skip_prefixes=prefixes)
            assert list(got.items()) == list(_reference_walk(graph, [entry], prefixes).items()), entry
        assert (graph._walk_ranks[prefixes] is None) == non_ascii
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
