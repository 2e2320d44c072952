"""The up-front checks of a DEX's tables in C, made cheaper, raise what they raised before (issue #19).

- ``method_descs(..., strings=False)`` (``DexCode.check_descs``: the checks a scan runs before naming any method)
  keeps a cost per proto and a length per name string: it must fail exactly when building every descriptor fails,
  with the same message (the first bad method id's), and equal the pure-Python twin;
- ``validate`` skips its sort of the string data offsets when they already increase in string id order (as d8
  writes them): the same messages as the sorted path and the twin;
- ``nondecreasing`` (``DexCode.class_records``' one check of the records' class column) equals its twin and a plain
  comparison.
"""

from __future__ import annotations

import struct
from array import array

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk, records
from appwarden.dex.index import DexCode, build_index
from appwarden.dex.reader import DexFile

from .test_graph_kernels import descs_args

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


def outcome(walker, fn: str, *args) -> tuple[str, object]:
    """("ok", result) or ("error", message) of a ValueError."""
    try:
        return "ok", getattr(walker, fn)(*args)
    except ValueError as exc:
        return "error", str(exc)


def assert_checks_match_the_build(buf: bytes, args: tuple) -> None:
    """The checks alone fail exactly when the full build fails, with its message, in C and in the twin."""
    full = outcome(cext, "method_descs", buf, *args, 0.0, True)
    check = outcome(cext, "method_descs", buf, *args, 0.0, False)
    assert check == (full if full[0] == "error" else ("ok", None))
    assert outcome(pywalk, "method_descs", buf, *args, 0.0, False) == check
    assert outcome(pywalk, "method_descs", buf, *args, 0.0, True) == full


def id_tables_span(dex: DexFile) -> tuple[int, int]:
    """From the string ids to the end of the data: what the descriptor checks read (header left alone)."""
    return dex.string_ids_off, len(dex.data)


# mutations inside the id tables and the data (a byte and a position), several at once
table_mutations = st.lists(
    st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=12
)


@FUZZ
@given(muts=table_mutations)
def test_checks_on_mutated_tables_equal_the_full_build(main_dex: bytes, muts) -> None:
    dex = DexFile("classes.dex", main_dex)
    lo, hi = id_tables_span(dex)
    buf = bytearray(main_dex)
    for where, value in muts:
        buf[lo + int(where * (hi - lo))] = value
    assert_checks_match_the_build(bytes(buf), descs_args(dex)[1:])


@FUZZ
@given(
    protos=st.lists(st.integers(0, 7), min_size=1, max_size=40),
    names=st.lists(st.integers(0, 9), min_size=1, max_size=40),
    bad_type=st.integers(0, 12),
    bad_at=st.integers(0, 39),
)
def test_checks_with_shared_protos_and_names(protos, names, bad_type, bad_at) -> None:
    """Methods sharing protos and names (what the caches keep), one proto's parameter and maybe one method's class
    out of range: the checks equal the build (the first bad method's message)."""
    n_types, n_strings = 6, 10
    strings = [f"Lc{i};".encode() if i < n_types else f"name{i}".encode() * (1 + i) for i in range(n_strings)]
    buf = bytearray()
    string_ids_off = 0
    buf += bytes(4 * n_strings)
    type_ids_off = len(buf)
    buf += b"".join(struct.pack("<I", i) for i in range(n_types))
    proto_ids_off = len(buf)
    buf += bytes(12 * 8)
    lists = []
    for p in range(8):  # proto p: return type p % n_types, parameters (p, p + 1, ...) with p entries
        params = [(p + k) % n_types for k in range(p)]
        if p == bad_type % 8 and params:
            params[-1] = n_types + bad_type  # out of range
        lists.append(params)
    method_ids_off = len(buf)
    n_methods = len(protos)
    buf += bytes(8 * n_methods)
    for i, (p, n) in enumerate(zip(protos, names * (n_methods // len(names) + 1), strict=False)):
        cls = (i * 7) % n_types if i != bad_at else n_types + 1  # one class maybe out of range
        struct.pack_into("<HHI", buf, method_ids_off + 8 * i, cls, p, n)
    for p, params in enumerate(lists):
        off = 0
        if params:
            buf += bytes(-len(buf) % 4)
            off = len(buf)
            buf += struct.pack("<I", len(params)) + b"".join(struct.pack("<H", t) for t in params)
        struct.pack_into("<III", buf, proto_ids_off + 12 * p, 0, p % n_types, off)
    for i, s in enumerate(strings):
        struct.pack_into("<I", buf, string_ids_off + 4 * i, len(buf))
        buf += bytes([len(s)]) + s + b"\0"
    args = (string_ids_off, n_strings, type_ids_off, n_types, proto_ids_off, 8, method_ids_off, n_methods)
    assert_checks_match_the_build(bytes(buf), args)


def test_checks_on_the_test_dex_pass_and_equal_the_build(main_dex: bytes) -> None:
    dex = DexFile("classes.dex", main_dex)
    args = descs_args(dex)
    assert cext.method_descs(*args, 0.0, False) is None
    assert_checks_match_the_build(main_dex, args[1:])


def test_shared_huge_parameter_list_is_refused_by_the_checks_too() -> None:
    """test_fuzz_graph's budget case (4096 methods sharing a 65535-entry list) with the checks alone."""
    n_methods, n_params = 4096, 0xFFFF
    buf = bytearray()
    buf += (8).to_bytes(4, "little") + (0).to_bytes(4, "little") + b"\0\0" + b"\0\0"
    proto_off = len(buf)
    params_off = proto_off + 12
    buf += (0).to_bytes(4, "little") + (0).to_bytes(4, "little") + params_off.to_bytes(4, "little")
    buf += n_params.to_bytes(4, "little") + bytes(2 * n_params)
    method_off = len(buf)
    buf += b"\0\0\0\0\0\0\0\0" * n_methods
    args = (bytes(buf), 0, 1, 4, 1, proto_off, 1, method_off, n_methods)
    for walker in (cext, pywalk):
        with pytest.raises(ValueError, match="longer than 64"):
            walker.method_descs(*args, 0.0, False)


def string_table(order: list[int], overlap: int | None) -> tuple[bytes, int, int]:
    """A buffer with string ids at 0 whose string data lie in the given order (order[k] = the string id at the
    k-th place); with ``overlap`` that string's data start one byte into the previous one's."""
    n = len(order)
    buf = bytearray(4 * n)
    pos = {}
    for sid in order:
        pos[sid] = len(buf)
        buf += bytes([3]) + b"abc" + b"\0"
    if overlap is not None and overlap in pos and pos[overlap] > 4 * n:
        pos[overlap] -= 1  # lands on the NUL of the string before: shares no start, overlaps its data
    for sid, p in pos.items():
        struct.pack_into("<I", buf, 4 * sid, p)
    return bytes(buf), 0, n


@settings(max_examples=300, deadline=2000)
@given(
    n=st.integers(1, 12),
    perm_seed=st.randoms(use_true_random=False),
    overlap=st.none() | st.integers(0, 11),
    keep_order=st.booleans(),
)
def test_validate_sorted_and_unsorted_string_data(n, perm_seed, overlap, keep_order) -> None:
    order = list(range(n))
    if not keep_order:
        perm_seed.shuffle(order)
    buf, off, size = string_table(order, overlap)
    got = outcome(cext, "validate", buf, off, size, 0, 0, 0)
    assert outcome(pywalk, "validate", buf, off, size, 0, 0, 0) == got
    if overlap is None or overlap not in order[1:]:
        assert got == ("ok", None)
    else:
        assert got[0] == "error" and "overlap" in str(got[1])


@settings(max_examples=300, deadline=2000)
@given(
    words=st.lists(st.integers(0, 6), max_size=60),
    stride=st.integers(-2, 9),
    word=st.integers(-2, 9),
    tail=st.integers(0, 3),
    strict=st.booleans(),
)
def test_nondecreasing_column(words: list[int], stride: int, word: int, tail: int, strict: bool) -> None:
    """The class-column order check (and, strict, the reader's type-id order check): C = twin = a plain comparison
    of the column's values."""
    buf = array("I", words).tobytes() + bytes(tail)  # a trailing partial record is ignored
    got = outcome(cext, "nondecreasing", buf, stride, word, strict)
    assert outcome(records, "nondecreasing", buf, stride, word, strict) == got
    if 0 <= word < stride:
        n = len(words) // stride
        column = [words[i * stride + word] for i in range(n)]
        expected = column == sorted(set(column) if strict else column)
        assert got == ("ok", expected)
        if not strict:
            assert outcome(cext, "nondecreasing", buf, stride, word) == got  # the default: not strict
    else:
        assert got[0] == "error"


def test_class_records_of_records_in_another_order(main_dex: bytes) -> None:
    """Records not in class-def order (no walker makes them) are grouped instead of bisected: the same records."""
    [code] = build_index([("classes.dex", main_dex)]).codes
    rows = [code.record(r) for r in range(code.n_methods)]
    assert len({row[0] for row in rows}) > 2
    shuffled = DexCode(
        code.dex, array("I", [w for row in rows[::-1] for w in row]).tobytes(), code.events_raw, 0
    )
    n = code.n_methods
    for cdi in sorted({row[0] for row in rows}):
        assert [n - 1 - r for r in reversed(list(shuffled.class_records(cdi)))] == list(
            code.class_records(cdi)
        )
    assert code._records_sorted is True and shuffled._records_sorted is False
