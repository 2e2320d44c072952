"""The async edges' per-record kernel ``async_asks`` (issue #19): C == its pywalk twin on fuzzed inputs, and the call
graph's edges are the same with it as with the Python path it replaces (``CallGraph._async_found_py``)."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import callgraph, pywalk
from appwarden.dex.index import build_index

from .conftest import corpus_dex_sets, dex_blobs_of

creach = pytest.importorskip("appwarden.dex._reach", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=400, deadline=4000, suppress_health_check=[HealthCheck.function_scoped_fixture])
NONE = 0xFFFFFFFF


def _u32(values) -> bytes:
    return array("I", values).tobytes()


@st.composite
def kernel_args(draw):
    """async_asks' arguments: mostly consistent (records, a dispatch_scan-shaped stream, in-range tables, ASCII
    class descriptors), else with out-of-range values, odd type descriptors or broken lengths mixed in."""
    broken = draw(st.integers(0, 4)) == 0
    k = 1 if broken else 0  # how far past the end a drawn index may go
    n_types = draw(st.integers(1, 10))
    names = ["La;", "Lb;", "Lc;", "Ld/e;"] + (["La;->x", "L->;", "-", ">"] if broken else [])
    types = draw(
        st.lists(
            st.sampled_from(names) if not broken else st.one_of(st.sampled_from(names), st.just(None)),
            min_size=n_types,
            max_size=n_types,
        )
    )
    n_ids = draw(st.integers(1, 12))
    mclass = draw(st.lists(st.integers(0, n_types - 1 + k), min_size=n_ids, max_size=n_ids))
    gmap = draw(st.lists(st.integers(0, 50), min_size=n_ids, max_size=n_ids))
    n_records = draw(st.integers(1, 6))
    methods = [w for _ in range(n_records) for w in (0, draw(st.integers(0, n_ids - 1 + k)), 0, 0, 0, 0, 0)]
    n_app = draw(st.integers(0 if broken else 1, 8))
    status = draw(
        st.lists(
            st.one_of(st.just(NONE), *[st.integers(0, n_app - 1 + k)] * 3) if n_app else st.just(NONE),
            min_size=n_types,
            max_size=n_types,
        )
    )
    masks = bytes(draw(st.lists(st.integers(0, 255), min_size=n_app, max_size=n_app)))
    dids = sorted(set(draw(st.lists(st.integers(0, n_ids - 1 + k), min_size=1, max_size=5))))
    n_bits = draw(st.integers(0 if broken else 1, 8))
    top = 255 if broken else (1 << n_bits) - 1
    dspec = bytes(draw(st.lists(st.integers(0, top), min_size=len(dids), max_size=len(dids))))
    dextra = draw(
        st.lists(
            st.one_of(st.just(NONE), st.integers(0, n_types - 1 + k)), min_size=len(dids), max_size=len(dids)
        )
    )
    basebits = bytes(draw(st.lists(st.integers(0, 255), min_size=n_bits, max_size=n_bits)))
    records = draw(st.lists(st.integers(0, n_records - 1 + k), max_size=n_records + 1))
    scan: list[int] = []
    for _r in records:
        created = draw(
            st.lists(st.integers(0, n_types - 1 + k), max_size=70 if draw(st.integers(0, 5)) == 0 else 4)
        )
        calls = draw(
            st.lists(
                st.sampled_from(dids) if not broken else st.integers(0, n_ids), min_size=1 - k, max_size=3
            )
        )
        scan += [len(created), *created, len(calls), *calls]
    if broken and scan and draw(st.booleans()):
        scan = scan[: draw(st.integers(0, len(scan)))] + draw(st.lists(st.integers(0, 9), max_size=2))
    args = [
        _u32(methods),
        _u32(records),
        _u32(scan),
        array("H", mclass).tobytes(),
        _u32(gmap),
        types,
        _u32(status),
        masks,
        _u32(dids),
        dspec,
        _u32(dextra),
        basebits,
    ]
    if broken and draw(st.booleans()):  # a buffer of a wrong length
        i = draw(st.sampled_from([0, 1, 2, 3, 4, 6, 8, 9, 10]))
        args[i] = args[i] + b"\x01"
    return args


@FUZZ
@given(kernel_args())
def test_async_asks_twin(args) -> None:
    """C == Python: the same bytes or both None, on consistent and broken inputs."""
    assert creach.async_asks(*args) == pywalk.async_asks(*args)


def test_async_asks_picks_subtypes_of_each_spec() -> None:
    """A hand-made case: one record creating two types, one dispatch call with specs 0 and 2; the caller's class
    is a candidate too; candidates once each; records without specs or pairs give nothing."""
    types = ["LA;", "LB;", "LC;", "LD;"]
    status = _u32([0, 1, NONE, 2])  # LC; is not an app class
    masks = bytes([0b01, 0b10, 0b11])  # LA;: base 0, LB;: base 1, LD;: both
    basebits = bytes([0b01, 0b10, 0b01])  # spec 0 and 2 on base bit 0, spec 1 on base bit 1
    methods = _u32([*(0, 1, 0, 0, 0, 0, 0), *(0, 2, 0, 0, 0, 0, 0)])
    mclass = array(
        "H", [0, 3, 2]
    ).tobytes()  # caller of record 0: method 1 of LD;, of record 1: method 2 of LC;
    gmap = _u32([10, 11, 12])
    dids, dspec, dextra = _u32([0]), bytes([0b101]), _u32([NONE])
    scan = _u32([*(3, 0, 1, 0, 1, 0), *(1, 1, 1, 0)])
    for mod in (creach, pywalk):
        got = array(
            "I",
            mod.async_asks(
                methods, _u32([0, 1]), scan, mclass, gmap, types, status, masks, dids, dspec, dextra, basebits
            ),
        )
        # record 0 (node 11): candidates LA; LB; LD; (caller) -> spec 0: LA; LD;  spec 2: LA; LD;
        # record 1 (node 12): candidates LB; LC; -> spec 0/2 need bit 0: none (LB; has bit 1 only, LC; no app class)
        assert got.tolist() == [11, 4, 0, 0, 3, 0, 0, 2, 3, 2]
    odd = ["LA;", "LB;", "LC;", "LD;->x"]
    for mod in (creach, pywalk):  # the caller's class type holds "->": declined
        assert (
            mod.async_asks(
                methods, _u32([0]), scan[:24], mclass, gmap, odd, status, masks, dids, dspec, dextra, basebits
            )
            is None
        )


def _index_sets(main_dex: bytes, fixtures_dir: Path) -> list[list[tuple[str, bytes]]]:
    sets = [[("classes.dex", main_dex)], [("a.dex", main_dex), ("b.dex", main_dex)]]
    return sets + [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]


def _graph_edges(blobs) -> bytes | None:
    try:
        index = build_index(blobs)
    except Exception:  # DEX files the reader refuses are not this test's subject
        return None
    graph = callgraph.CallGraph(index)
    return bytes(graph._edges)


def _check_edges(monkeypatch: pytest.MonkeyPatch, sets: list) -> None:
    """The graph's whole edge list (async edges included, in order) with async_asks (C, then its twin) equals the
    one from the Python path, and the kernel answered on some DEX files with async edges."""
    answered: list[int] = []
    real = callgraph.CallGraph._async_words

    def counting(self, *args):
        got = real(self, *args)
        if got:
            answered.append(len(got))
        return got

    monkeypatch.setattr(callgraph.CallGraph, "_async_words", counting)
    with_c = [_graph_edges(b) for b in sets]
    assert answered
    monkeypatch.setattr(callgraph, "reach", pywalk)
    assert [_graph_edges(b) for b in sets] == with_c
    monkeypatch.setattr(callgraph, "reach", creach)
    monkeypatch.setattr(callgraph.CallGraph, "_async_words", lambda self, *args: None)
    assert [_graph_edges(b) for b in sets] == with_c


def test_edges_same_as_the_python_path(
    monkeypatch: pytest.MonkeyPatch, main_dex: bytes, fixtures_dir: Path
) -> None:
    """main.dex (threads, executors, handlers, an AsyncTask), twice, and the fixture apps."""
    _check_edges(monkeypatch, _index_sets(main_dex, fixtures_dir))


@pytest.mark.corpus
def test_edges_same_as_the_python_path_on_corpus(monkeypatch: pytest.MonkeyPatch, corpus_dir: Path) -> None:
    """Every corpus APK the reader opens."""
    sets = corpus_dex_sets(corpus_dir)
    _check_edges(monkeypatch, sets)
