"""``_reach.walk`` orders the callees sharing a class rank run by run (issue #19, rules stage): only a run's
descriptors are built (or its nodes handed to the ``order`` callback), never those of every callee of the step.

With a rank consistent with the order (descriptor order is (class rank, descriptor) order, as ``class_ranks``
guarantees), the walk equals the former contract, which ordered the whole callee set of a step as soon as two
callees shared a rank; the C kernel and its twin agree, and the callback sees one rank per call."""

from __future__ import annotations

import random
from array import array

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk
from appwarden.dex.reader import DexFile

from .test_graph_kernels import descs_args
from .test_reach_kernels import _graph

creach = pytest.importorskip("appwarden.dex._reach", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=300, deadline=4000, suppress_health_check=[HealthCheck.function_scoped_fixture])
NONE = 0xFFFFFFFF


def _whole_set_walk(
    off: bytes, tgt: bytes, virtual: bytes, rank: bytes, done: bytes, entries: bytes, key
) -> tuple:
    """The former contract (no cut, nothing skipped): a step's callees sorted by rank, then all of them by ``key``
    when two share a rank."""
    o, t, rk = array("I", off), array("I", tgt), array("I", rank)
    n = len(o) - 1
    parents = array("I", [NONE]) * n
    met = array("I")
    mark = bytearray(n)
    queue = []
    for g in array("I", entries):
        mark[g] = 1
        parents[g] = g
        met.append(g)
        if not done[g]:
            queue.append(g)
    head = 0
    while head < len(queue):
        g = queue[head]
        head += 1
        found: dict[int, None] = {}
        for x in t[o[g] : o[g + 1]]:
            if not virtual[x]:
                if not mark[x]:
                    found[x] = None
            else:
                found.update(dict.fromkeys(y for y in t[o[x] : o[x + 1]] if not virtual[y] and not mark[y]))
        kept = sorted(found, key=rk.__getitem__)
        if len({rk[c] for c in kept}) != len(kept):
            kept = sorted(kept, key=key.__getitem__)
        for c in kept:
            parents[c] = g
            met.append(c)
            mark[c] = 1
            if not done[c]:
                queue.append(c)
    return parents.tobytes(), met.tobytes()


def _recording(calls: list[list[int]], key):
    """An ``order`` callback sorting by ``key`` that notes the nodes of each call in ``calls``."""

    def order(nodes: bytes) -> bytes:
        got = array("I", nodes).tolist()
        calls.append(got)
        return array("I", sorted(got, key=key)).tobytes()

    return order


@FUZZ
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    n_virtual=st.integers(0, 8),
    density=st.floats(0, 5),
    n_classes=st.integers(1, 30),
)
def test_runs_equal_the_whole_set_order_when_ranks_agree(
    seed: int, n: int, n_virtual: int, density: float, n_classes: int
) -> None:
    """A key consistent with the rank (the rank is the key's bucket): the same walk as ordering every callee of
    the step by the key; C == twin; each ``order`` call gets nodes of one rank, two or more of them."""
    rng = random.Random(seed)
    n_virtual = min(n_virtual, n - 1)
    off, tgt, virtual = _graph(n, rng, n_virtual, density)
    key = list(range(n))
    rng.shuffle(key)
    width = max(1, n // n_classes)
    rank_arr = array("I", [key[g] // width if not virtual[g] else NONE for g in range(n)])
    rank = rank_arr.tobytes()
    done = bytes(rng.random() < 0.1 for _ in range(n))
    real = [g for g in range(n) if not virtual[g]]
    entries = array("I", rng.sample(real, min(len(real), rng.randrange(1, 4)))).tobytes()
    want = _whole_set_walk(off, tgt, virtual, rank, done, entries, key)
    for mod in (creach, pywalk):
        calls: list[list[int]] = []
        order = _recording(calls, key.__getitem__)
        got = mod.walk(off, tgt, virtual, rank, bytearray(n), done, entries, b"", 0.0, lambda c: False, order)
        assert got == want, mod
        for run in calls:
            assert len(run) > 1 and len({rank_arr[c] for c in run}) == 1


def test_sort_nodes_asked_per_run(main_dex: bytes) -> None:
    """With DEX tables, a run is put in sort_nodes' order, the other callees by rank alone: a node whose
    representative is out of range (sort_nodes declines) sends only its own run to the callback."""
    args = descs_args(DexFile("classes.dex", main_dex))
    size = args[-1]
    # node 0 calls 1..6; ranks: 1, 2 share rank 0; 3 alone; 4, 5 share rank 2 (5's representative out of range)
    off = array("I", [0, 6, 6, 6, 6, 6, 6, 6]).tobytes()
    tgt = array("I", [1, 2, 3, 4, 5, 6]).tobytes()
    n = 7
    rank = array("I", [9, 0, 0, 1, 2, 2, 3]).tobytes()
    reps = array("I", [0, 0, 0, 2, 0, 1, 0, 3, 0, 4, 1, size + 5, 0, 5]).tobytes()
    for mod in (creach, pywalk):
        calls: list[list[int]] = []
        order = _recording(calls, lambda c: -c)
        _parents, met = mod.walk(
            off, tgt, bytes(n), rank, bytearray(n), bytes(n), array("I", [0]).tobytes(), b"", 0.0,
            lambda c: False, order, [args], reps,
        )  # fmt: skip
        assert calls == [[4, 5]], mod
        met_list = array("I", met).tolist()
        want_12 = array("I", pywalk.sort_nodes([args], reps, array("I", [1, 2]).tobytes())).tolist()
        assert met_list == [0, *want_12, 3, 5, 4, 6], mod
