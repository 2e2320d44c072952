"""Hostile input: mutated DEX bytes through the reader and both walkers never crash, hang or leak other errors."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk
from appwarden.dex.api_index import PiApiIndex, find_callsites
from appwarden.dex.index import build_index
from appwarden.dex.reader import DexFile
from appwarden.errors import DexFormatError

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])

mutations = st.lists(
    st.tuples(st.integers(min_value=0, max_value=1 << 20), st.integers(min_value=0, max_value=255)),
    min_size=1,
    max_size=24,
)


def mutate(data: bytes, muts: list[tuple[int, int]], keep_header: bool) -> bytes:
    buf = bytearray(data)
    start = 0x70 if keep_header else 0
    for pos, value in muts:
        buf[start + pos % (len(buf) - start)] = value
    return bytes(buf)


def scan_both(dex: DexFile) -> None:
    args = (
        dex.data,
        dex.class_defs_off,
        dex.class_defs_size,
        dex.method_ids_size,
        dex.string_ids_size,
        dex.type_ids_size,
        dex.field_ids_size,
        dex.proto_ids_size,
    )
    try:
        c_out = cext.scan(*args)
    except ValueError as exc:
        with pytest.raises(ValueError) as py_exc:
            pywalk.scan(*args)
        assert str(py_exc.value) == str(exc)
        return
    assert pywalk.scan(*args) == c_out


@FUZZ
@given(muts=mutations, keep_header=st.booleans())
def test_mutated_dex_reader_and_walkers(main_dex: bytes, muts, keep_header: bool) -> None:
    data = mutate(main_dex, muts, keep_header)
    try:
        dex = DexFile("classes.dex", data)
    except DexFormatError:
        return
    scan_both(dex)


@FUZZ
@given(muts=mutations)
def test_mutated_dex_full_pipeline_never_raises(main_dex: bytes, muts) -> None:
    data = mutate(main_dex, muts, keep_header=True)
    index = build_index([("classes.dex", data)])
    # strings and proto lists are validated when the DEX is opened, so queries on an indexed DEX never raise
    find_callsites(index, PiApiIndex.load())
    index.callgraph.reachable(["Lcom/aw/t/Graph;->onCreate(Landroid/os/Bundle;)V"])
    for desc in list(index.classes)[:20]:
        index.class_info(desc)
    index.strings_matching(lambda s: "a" in s)


@FUZZ
@given(
    cd_off=st.integers(min_value=0, max_value=1 << 32 - 1),
    cd_size=st.integers(min_value=0, max_value=1 << 32 - 1),
    sizes=st.lists(st.integers(min_value=0, max_value=1 << 32 - 1), min_size=5, max_size=5),
)
def test_c_walker_arbitrary_header_values(main_dex: bytes, cd_off: int, cd_size: int, sizes) -> None:
    with contextlib.suppress(ValueError):
        cext.scan(main_dex, cd_off, cd_size, *sizes)


@FUZZ
@given(data=st.binary(min_size=0, max_size=400))
def test_random_bytes(data: bytes) -> None:
    index = build_index([("classes.dex", b"dex\n035\x00" + data)])
    assert len(index.codes) + len(index.errors) >= 1


def test_overlapping_code_items_are_bounded(main_dex: bytes) -> None:
    """Every method of a hostile DEX pointing at one huge code item: refused, not walked millions of times."""
    dex = DexFile("classes.dex", main_dex)
    # forge one class_data item with many methods that all share the code item of the first method with code
    methods, _events, _ = cext.scan(*_args(dex))
    words = struct.unpack(f"<{len(methods) // 4}I", methods)
    # the largest code item: each forged method costs ~5 bytes of class data but walks `insns` code units
    insns, code_off = max((words[i + 6], words[i + 3]) for i in range(0, len(words), 7))
    assert insns >= 16
    n = 2 * len(main_dex) // insns + 10

    def uleb(v: int) -> bytes:
        out = bytearray()
        while True:
            b = v & 0x7F
            v >>= 7
            out.append(b | (0x80 if v else 0))
            if not v:
                return bytes(out)

    class_data = uleb(0) + uleb(0) + uleb(n) + uleb(0)
    class_data += (uleb(0) + uleb(1) + uleb(code_off)) + (uleb(0) + uleb(1) + uleb(code_off)) * (n - 1)
    forged = bytearray(main_dex + class_data)
    struct.pack_into("<I", forged, dex.class_defs_off + 24, len(main_dex))
    for walker in (cext, pywalk):
        with pytest.raises(ValueError, match="overlap"):
            walker.scan(bytes(forged), *_args(dex)[1:])


def _args(dex: DexFile) -> tuple:
    return (
        dex.data,
        dex.class_defs_off,
        dex.class_defs_size,
        dex.method_ids_size,
        dex.string_ids_size,
        dex.type_ids_size,
        dex.field_ids_size,
        dex.proto_ids_size,
    )
