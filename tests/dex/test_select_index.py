"""The inverted event index (``event_index``, C kernel and Python twin) and ``DexCode.select`` built on it.

``select`` used to be one pass over every event per query; it now looks each idx up in the index. These tests pin
that the answers are the ones the linear pass gives (same events, ascending), on the fixture DEX and on fuzzed
event buffers, and that the C kernel and its pure-Python twin agree, hostile inputs included.
"""

from __future__ import annotations

import random
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appwarden.dex import index as index_mod
from appwarden.dex import pywalk
from appwarden.dex.index import build_index
from appwarden.dex.records import (
    EV_CONST_CLASS,
    EV_INVOKE,
    EV_LITERAL,
    EV_SGET,
    EV_STRING,
    EVENT_WORDS,
    event_index,
)

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")


def linear_select(events: bytes, kind: int, idxs: set[int], size: int) -> list[int]:
    """The reference: every event of ``kind`` whose idx is one of ``idxs`` (each < size), in event order."""
    ev = memoryview(events)[: len(events) // 20 * 20].cast("I")
    return [
        i
        for i in range(len(ev) // EVENT_WORDS)
        if ev[i * EVENT_WORDS] >> 8 == kind
        and ev[i * EVENT_WORDS + 2] in idxs
        and ev[i * EVENT_WORDS + 2] < size
    ]


def packed_events(rows: list[tuple[int, int, int]]) -> bytes:
    """Events from ``(kind, opcode, idx)`` rows (offset = row number, a = b = 0)."""
    words = array("I")
    for n, (kind, op, idx) in enumerate(rows):
        words.extend(((kind << 8) | op, n, idx, 0, 0))
    return words.tobytes()


def check_index(events: bytes, wanted: list[tuple[int, int]], got: list[tuple[bytes, bytes, bytes]]) -> None:
    """Each group is exactly the linear selection of its idx, and ``present`` marks the non-empty groups."""
    assert len(got) == len(wanted)
    for (kind, size), (offsets, order, present) in zip(wanted, got, strict=True):
        off = memoryview(offsets).cast("I")
        ordv = memoryview(order).cast("I")
        assert len(off) == size + 1 and off[0] == 0 and off[size] == len(ordv)
        assert len(present) == (size + 7) // 8
        for i in range(size):
            group = ordv[off[i] : off[i + 1]].tolist()
            assert group == linear_select(events, kind, {i}, size)
            assert bool(present[i >> 3] & (1 << (i & 7))) == bool(group)


def test_event_index_on_the_fixture_dex(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    (code,) = index.codes
    dex = code.dex
    wanted = [
        (EV_INVOKE, dex.method_ids_size),
        (EV_STRING, dex.string_ids_size),
        (EV_SGET, dex.field_ids_size),
    ]
    got = cext.event_index(code.events_raw, wanted)
    assert got == event_index(code.events_raw, wanted)
    check_index(code.events_raw, wanted, got)
    assert sum(len(order) for _o, order, _p in got) > 50  # the fixture has invokes, strings and sgets
    # a kind on its own, and a smaller size (events with a larger idx are left out)
    for pair in ((EV_LITERAL, 1 << 16), (EV_CONST_CLASS, dex.type_ids_size), (EV_INVOKE, 3), (EV_STRING, 0)):
        assert cext.event_index(code.events_raw, [pair]) == event_index(code.events_raw, [pair])
        check_index(code.events_raw, [pair], cext.event_index(code.events_raw, [pair]))


def test_select_equals_the_linear_pass(main_dex: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    index = build_index([("classes.dex", main_dex)])
    (code,) = index.codes
    dex = code.dex
    rng = random.Random(19)
    sizes = {EV_INVOKE: dex.method_ids_size, EV_STRING: dex.string_ids_size, EV_SGET: dex.field_ids_size}
    # both ways of answering: groups merged and sorted, and (a selection over the limit) one pass with a bitmap
    for limit in (index_mod._SORT_LIMIT, 0):
        monkeypatch.setattr(index_mod, "_SORT_LIMIT", limit)
        for kind, size in sizes.items():
            used = sorted({code.events[i * EVENT_WORDS + 2] for i in range(code.n_events)})
            for _ in range(40):
                picked = set(rng.sample(range(size), rng.randint(0, min(size, 30))))
                picked |= set(rng.sample(used, rng.randint(0, min(len(used), 5))))
                extra = {-1, size, size + 7}  # out of range: ignored, as the bitmap ignored them
                got = code.select(kind, [*picked, *picked, *extra], size)  # duplicates count once
                assert got == linear_select(code.events_raw, kind, picked, size)
            assert code.select(kind, (), size) == []
            assert code.select(kind, range(size), size) == linear_select(
                code.events_raw, kind, set(range(size)), size
            )


def test_loaded_strings_is_the_bitmap_of_const_string_ids(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    (code,) = index.codes
    size = code.dex.string_ids_size
    loaded = {
        code.events[i * EVENT_WORDS + 2]
        for i in range(code.n_events)
        if code.events[i * EVENT_WORDS] >> 8 == EV_STRING
    }
    assert loaded and len(loaded) < size
    assert code.loaded_string_ids() == sorted(loaded)
    bits = code.loaded_strings
    assert len(bits) == (size + 7) // 8
    assert {i for i in range(size) if bits[i >> 3] & (1 << (i & 7))} == loaded
    # strings_matching with a predicate looks at exactly those strings
    every = index.strings_matching(lambda _s: True)
    assert [r.offset for r in every] == [
        code.events[i * EVENT_WORDS + 1] for i in linear_select(code.events_raw, EV_STRING, loaded, size)
    ]


def test_the_python_twin_answers_the_same_queries(main_dex: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the twin in place of the kernel (as with the pure-Python backend), the queries give the same refs."""
    targets = ["Landroid/telephony/TelephonyManager;->getDeviceId", "Ljava/lang/Class;->forName"]

    def answers() -> tuple:
        index = build_index([("classes.dex", main_dex)])
        return (
            index.invokes(targets, through_app_subclasses=True),
            index.strings_matching(lambda s: "/" in s),
            index.strings_containing(["content://"]),
            index.field_reads(["Landroid/os/Build;->SERIAL"]),
        )

    c = answers()
    monkeypatch.setattr(index_mod, "_event_index", event_index)
    assert answers() == c
    assert sum(map(len, c)) > 3


events_rows = st.lists(
    st.tuples(
        st.sampled_from([0, EV_INVOKE, EV_STRING, EV_SGET, EV_LITERAL, 7, 255, 256, 0xFFFFFF]),
        st.integers(min_value=0, max_value=255),
        st.one_of(st.integers(min_value=0, max_value=40), st.integers(min_value=0, max_value=0xFFFFFFFF)),
    ),
    max_size=120,
)
wanted_pairs = st.lists(
    st.tuples(st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=64)), max_size=9
)


@settings(max_examples=300, deadline=2000)
@given(rows=events_rows, wanted=wanted_pairs, tail=st.integers(min_value=0, max_value=19))
def test_fuzzed_event_index_c_equals_python(rows, wanted, tail: int) -> None:
    """Random event buffers (a ragged tail included) and random (kind, size) lists: the same index or the same
    ValueError from both; a well-formed answer groups exactly the linear selection."""
    events = packed_events(rows) + b"\x01" * tail
    try:
        got = cext.event_index(events, wanted)
    except ValueError as exc:
        with pytest.raises(ValueError) as py_exc:
            event_index(events, wanted)
        assert str(py_exc.value) == str(exc)
        return
    assert event_index(events, wanted) == got
    check_index(events, wanted, got)


def test_hostile_event_index_arguments() -> None:
    events = packed_events([(EV_INVOKE, 0x6E, 3), (EV_STRING, 0x1A, 1)])
    for bad in (
        [(EV_INVOKE, 1 << 32)],  # size does not fit a u32
        [(EV_INVOKE, 0xFFFFFFFF)],
        [(EV_INVOKE, 4), (EV_INVOKE, 5)],  # a kind twice
        [(256, 4)],  # a kind out of range
        [(k, 1) for k in range(9)],  # more than 8 kinds
    ):
        with pytest.raises(ValueError):
            cext.event_index(events, bad)
        with pytest.raises(ValueError):
            event_index(events, bad)
    with pytest.raises(TypeError):
        cext.event_index(events, [[EV_INVOKE, 4]])  # not a tuple
    with pytest.raises(TypeError):
        cext.event_index(events, 5)
    assert (
        cext.event_index(b"", [(EV_INVOKE, 0)])
        == event_index(b"", [(EV_INVOKE, 0)])
        == [(b"\0" * 4, b"", b"")]
    )
    assert cext.event_index(events, []) == []


def test_pywalk_has_no_event_index_and_the_twin_fills_in() -> None:
    """The pure-Python walker module carries no kernel of this name: index.py falls back to records.event_index."""
    assert not hasattr(pywalk, "event_index")
    assert index_mod._event_index is getattr(index_mod.walker, "event_index", event_index)


@settings(max_examples=300, deadline=2000)
@given(
    starts=st.lists(st.integers(min_value=0, max_value=60), max_size=40),
    tail=st.integers(min_value=0, max_value=27),
    events=st.lists(st.integers(min_value=-3, max_value=70), max_size=20),
    ordered=st.booleans(),
)
def test_fuzzed_record_of_c_equals_python(
    starts: list[int], tail: int, events: list[int], ordered: bool
) -> None:
    """record_of (C) and its twin give bisect_right's answer over the ev_start column minus one, for sorted
    columns (as the walk makes them) and unsorted ones alike, a ragged tail ignored."""
    from bisect import bisect_right

    from appwarden.dex.records import METHOD_WORDS, record_of

    if ordered:
        starts = sorted(starts)
    words = array("I")
    for r, s in enumerate(starts):
        words.extend((r, r, 0, 0, s, s, 0))
    methods = words.tobytes() + b"\x07" * tail
    column = [words[r * METHOD_WORDS + 4] for r in range(len(starts))]
    for e in [*events, 2**40]:
        expected = bisect_right(column, e) - 1
        assert cext.record_of(methods, e) == record_of(methods, e) == expected


def test_record_of_event_names_the_method_of_each_event(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    (code,) = index.codes
    for r in range(code.n_methods):
        _c, _m, _f, _o, start, end, _n = code.record(r)
        for i in range(start, end):
            assert code.record_of_event(i) == r
    assert code.n_events > 50
    assert code.record_of_event(-1) == -1
    assert code.record_of_event(2**70) == code.n_methods - 1  # beyond the C kernel's integers: the bisection


def test_events_of_record_reads_the_records_events(main_dex: bytes) -> None:
    """events_of_record (read as columns of one slice) gives each event of the record as DexCode.event does."""
    index = build_index([("classes.dex", main_dex)])
    (code,) = index.codes
    seen = 0
    for r in range(code.n_methods):
        _c, _m, _f, _o, start, end, _n = code.record(r)
        expected = [(i, *code.event(i)[:4]) for i in range(start, end)]
        assert list(code.events_of_record(r)) == expected
        seen += len(expected)
    assert seen == code.n_events > 50
