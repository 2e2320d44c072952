"""Bounded time in the DEX engine (issue #17): string ids sharing or overlapping one long string are refused up
front in linear time, and the C loops (and their pure-Python twins) stop at the stage deadline."""

from __future__ import annotations

import struct
import time

import pytest

from appwarden.dex import pywalk, walker
from appwarden.dex.index import build_index
from appwarden.errors import StageTimeout
from appwarden.limits import cooperative_deadline

from .dexwriter import build_dex, shared_string_dex

BACKENDS = [pytest.param(pywalk, id="python")]
if walker is not pywalk:
    BACKENDS.append(pytest.param(walker, id="c"))


def test_600k_ids_at_one_4mib_string_are_refused_at_once() -> None:
    blob = shared_string_dex(600_000, 4 * 1024 * 1024)
    started = time.monotonic()
    index = build_index([("classes.dex", blob)])
    elapsed = time.monotonic() - started
    assert [e.message for e in index.errors] == ["classes.dex: string ids 5 and 6 share their string data"]
    assert elapsed < 10  # was ~60 s: every id's string was scanned again


@pytest.mark.parametrize("backend", BACKENDS)
def test_shared_and_overlapping_string_data_same_message_in_both_walkers(backend) -> None:
    shared = shared_string_dex(3, 100)
    n, off = struct.unpack_from("<II", shared, 56)
    with pytest.raises(ValueError, match=r"^string ids 5 and 6 share their string data$"):
        backend.validate(shared, off, n, 0, 0, 0)
    inside = shared_string_dex(3, 100, step=7)
    n, off = struct.unpack_from("<II", inside, 56)
    with pytest.raises(ValueError, match=r"^string ids 5 and 6 overlap their string data$"):
        backend.validate(inside, off, n, 0, 0, 0)
    good = build_dex()
    n, off = struct.unpack_from("<II", good, 56)
    assert backend.validate(good, off, n, 0, 0, 0) is None


def _many_strings(count: int) -> tuple[bytes, int]:
    """A buffer of ``count`` string ids, each pointing at its own one-letter string; returns (buffer, ids_off)."""
    data_at = 4 * count
    table = struct.pack(f"<{count}I", *(data_at + 3 * i for i in range(count)))
    return table + b"\x01a\x00" * count, 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_walker_loops_stop_at_a_passed_deadline(backend) -> None:
    buf, off = _many_strings(200_000)
    past = time.monotonic() - 1
    backend.validate(buf, off, 200_000, 0, 0, 0)  # no deadline: fine
    with pytest.raises(TimeoutError):
        backend.validate(buf, off, 200_000, 0, 0, 0, past)
    assert len(backend.find_substrings(buf, off, 200_000, [b"a"])) == 200_000
    with pytest.raises(TimeoutError):
        backend.find_substrings(buf, off, 200_000, [b"a"], past)
    class_defs = bytes(32 * 200_000)  # class defs without class data: the loop itself is the work
    assert backend.scan(class_defs, 0, 200_000, 0, 0, 0, 0, 0)[2] == 0
    with pytest.raises(TimeoutError):
        backend.scan(class_defs, 0, 200_000, 0, 0, 0, 0, 0, past)


def test_index_build_past_the_stage_deadline_raises_stage_timeout() -> None:
    blob = build_dex()
    with cooperative_deadline("dex", 0.001):
        time.sleep(0.01)
        with pytest.raises(StageTimeout, match="stage 'dex' exceeded its time limit"):
            build_index([("classes.dex", blob)] * 2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_call_graph_search_stops_at_a_passed_deadline(backend) -> None:
    """The BFS over a huge graph returns to Python at the deadline instead of running on (issue #19)."""
    from array import array

    n = 20_000  # a chain 0 -> 1 -> ... -> n-1
    edges = array("I", [x for i in range(n - 1) for x in (i, i + 1)]).tobytes()
    off, tgt = backend.build_csr(edges, n)
    parents, order = backend.bfs(off, tgt, bytes(n), array("I", [0]).tobytes())  # no deadline: all reached
    assert len(order) == 4 * n
    assert backend.bfs(off, tgt, bytes(n), array("I", [0]).tobytes(), time.monotonic() + 60) == (
        parents,
        order,
    )
    with pytest.raises(TimeoutError):
        backend.bfs(off, tgt, bytes(n), array("I", [0]).tobytes(), time.monotonic() - 1)


def test_reachability_past_the_stage_deadline_raises_stage_timeout() -> None:
    index = build_index([("classes.dex", build_dex())])
    graph = index.callgraph
    entry = next(d for d in index.codes[0].descs if graph._lookup(d) is not None)
    with cooperative_deadline("reachability", 0.001):
        time.sleep(0.01)
        with pytest.raises(StageTimeout, match="stage 'reachability' exceeded its time limit"):
            graph.reachable([entry])


@pytest.mark.parametrize("backend", BACKENDS)
def test_class_hierarchy_kernel_stops_at_a_passed_deadline(backend) -> None:
    """hierarchy_extras (work growing with classes x descendants) returns to Python at the deadline (issue #19)."""
    from .test_callgraph import hier_index

    args = hier_index().callgraph._hierarchy_args(0)
    assert backend.hierarchy_extras(*args, 7, time.monotonic() + 60) == backend.hierarchy_extras(*args, 7)
    with pytest.raises(TimeoutError):
        backend.hierarchy_extras(*args, 7, time.monotonic() - 1)
