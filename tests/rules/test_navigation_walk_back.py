"""The navigation's walk back from the policy marks over node ids (``_walk_back``)
finds what the loop over ``callgraph.callers`` finds; the C kernel ``_reach.callers_within`` equals its Python twin
and the level-by-level definition, on hostile buffers too (issue #19)."""

from __future__ import annotations

import random
from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk
from appwarden.dex.index import build_index
from appwarden.rules import navigation as navmod
from appwarden.rules.navigation import DEPTH, _walk_back

from ..dex.conftest import DATA, dex_blobs_of

creach = pytest.importorskip("appwarden.dex._reach", reason="C extension not built (pip install -e .)")
cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
HERE = Path(__file__).parent


def u32s(values: list[int]) -> bytes:
    return array("I", values).tobytes()


def same(*args):
    """``callers_within`` in C and in Python: the same answer, or ValueError with the same message."""
    try:
        c_out = creach.callers_within(*args)
    except ValueError as exc:
        with pytest.raises(ValueError) as py_exc:
            pywalk.callers_within(*args)
        assert str(py_exc.value) == str(exc)
        return "error"
    assert pywalk.callers_within(*args) == c_out
    return c_out


def _bfs_back(off: list[int], tgt: list[int], virtual: bytes, seeds: list[int], depth: int) -> list[int]:
    """The definition, by ``CallGraph.callers``' expansion: the reversed rows, a virtual caller replaced by its
    real callers, level by level."""
    n = len(off) - 1
    rev: list[set[int]] = [set() for _ in range(n)]
    for u in range(n):
        for t in tgt[off[u] : off[u + 1]]:
            rev[t].add(u)

    def callers(t: int) -> set[int]:
        out = {u for u in rev[t] if not virtual[u]}
        for v in rev[t]:
            if virtual[v]:
                out |= {x for x in rev[v] if not virtual[x]}
        return out

    near = {g for g in seeds if not virtual[g]}
    front = set(near)
    for _ in range(depth):
        front = {c for t in front for c in callers(t)} - near
        near |= front
    return sorted(near - {g for g in seeds if not virtual[g]})


@FUZZ
@given(
    edges=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=120),
    n_nodes=st.integers(1, 41),
    virtuals=st.lists(st.integers(0, 40), max_size=8),
    seeds=st.lists(st.integers(0, 40), max_size=6),
    depth=st.integers(-1, 6),
    limit=st.integers(-1, 45),
    muts=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 255)), max_size=4),
    which=st.integers(0, 3),
    short=st.integers(0, 2),
)
def test_callers_within_random(edges, n_nodes, virtuals, seeds, depth, limit, muts, which, short) -> None:
    """On build_csr's adjacency: the callers at most ``depth`` deep (C == Python == the level-by-level
    definition), None past ``limit``; on mutated or truncated buffers (hostile): the same answer or the same
    ValueError."""
    pairs = u32s([x for e in edges if max(e) < n_nodes for x in e])
    off, tgt = cext.build_csr(pairs, n_nodes)
    virtual = bytearray(n_nodes)
    for v in virtuals:
        if v < n_nodes:
            virtual[v] = 1 + v % 3  # any nonzero byte
    seeds = [s for s in seeds if s < n_nodes]
    got = same(off, tgt, bytes(virtual), u32s(seeds), depth, limit)
    o, t = array("I", off).tolist(), array("I", tgt).tolist()
    expected = _bfs_back(o, t, virtual, seeds, min(max(depth, 0), 254))
    if len(expected) > limit:
        assert got is None
    else:
        assert got is not None and array("I", got).tolist() == expected
    arrays = [bytearray(off), bytearray(tgt), bytearray(virtual), bytearray(u32s(seeds))]
    for pos, value in muts:
        if arrays[which]:
            arrays[which][pos % len(arrays[which])] = value
    if short:  # a truncated buffer: not u32 items, or not one byte per node
        arrays[which] = arrays[which][: max(0, len(arrays[which]) - short)]
    same(*map(bytes, arrays), depth, limit)


@FUZZ
@given(data=st.lists(st.binary(max_size=40), min_size=4, max_size=4), depth=st.integers(0, 5))
def test_callers_within_random_bytes(data: list[bytes], depth: int) -> None:
    same(*data, depth, 50)


def test_callers_within_rejects_what_is_not_a_buffer() -> None:
    for fn in (creach.callers_within, pywalk.callers_within):
        with pytest.raises(TypeError):
            fn([0], b"", b"", b"", 1, 1)


def _indexes() -> list:
    apps = sorted((HERE.parents[0] / "fixtures" / "apks").glob("*.apk"))
    apps += sorted((HERE / "policy.access.too_many_taps").glob("*.apk"))
    apps += sorted((HERE / "_apps").glob("**/*.apk"))
    out = [build_index([("classes.dex", (DATA / "main.dex").read_bytes())])]
    out += [build_index(dex_blobs_of(apk)) for apk in apps]
    return [i for i in out if i.codes]


def _by_callers(callgraph, marks: set[str]) -> set[str] | None:
    """The loop of ``_may_mark_test`` before issue #19's walk back: ``near``, None past MAX_NEAR."""
    near = set(marks)
    front = list(marks)
    for _ in range(DEPTH):
        nxt = []
        for m in front:
            try:
                callers = callgraph.callers(m)
            except (KeyError, LookupError):
                continue
            for c in callers:
                if c not in near:
                    near.add(c)
                    nxt.append(c)
        if len(near) > navmod.MAX_NEAR:
            return None
        front = nxt
    return near


def _compare(index, rng: random.Random, kernel) -> int:
    cg = index.callgraph
    names = [n for n in cg.node_names() if n is not None]
    compared = 0
    for size in (1, 2, 5, 20):
        for _ in range(6):
            marks = set(rng.sample(names, min(size, len(names))))
            marks.add("Lno/Such;->method()V")  # a mark no node has
            expected = _by_callers(cg, marks)
            got = _walk_back(cg, marks, kernel)
            if expected is None:
                assert got is False
            else:
                assert got is not None and got is not False
                assert marks | set(got) == expected
                compared += len(expected) > len(marks)
    return compared


@pytest.mark.parametrize("kernel", ["c", "python"])
def test_walk_back_finds_what_callers_find_on_fixture_graphs(kernel: str) -> None:
    fn = creach.callers_within if kernel == "c" else pywalk.callers_within
    rng = random.Random(19)
    indexes = _indexes()
    assert len(indexes) > 20
    assert sum(_compare(index, rng, fn) for index in indexes) > 100


def test_walk_back_past_max_near_is_false(monkeypatch) -> None:
    rng = random.Random(7)
    monkeypatch.setattr(navmod, "MAX_NEAR", 3)
    over = 0
    for index in _indexes()[:12]:
        cg = index.callgraph
        names = [n for n in cg.node_names() if n is not None]
        for _ in range(10):
            marks = set(rng.sample(names, min(2, len(names))))
            expected = _by_callers(cg, marks)
            got = _walk_back(cg, marks, creach.callers_within)
            assert (got is False) == (expected is None)
            over += expected is None
    assert over > 5


def test_walk_back_declines_without_the_kernel_or_the_graph() -> None:
    index = _indexes()[0]
    assert _walk_back(object(), {"La;->b()V"}, creach.callers_within) is None
    assert _walk_back(index.callgraph, {"La;->b()V"}, creach.callers_within) == []
