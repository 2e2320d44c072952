"""validate's string lengths (issue #19): the C kernel and its pure-Python twin find the same ones, and the checks of
method_descs that read them instead of locating each string again give the same errors; the one-pass string
locator (NUL and high bits 8 bytes at a time) finds the same strings as a byte-by-byte reading."""

from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _tables(data: bytes) -> tuple[int, ...]:
    s_size, s_off, t_size, t_off, p_size, p_off = struct.unpack_from("<6I", data, 0x38)
    m_size, m_off = struct.unpack_from("<2I", data, 0x58)
    return s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size


def _outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except ValueError as exc:
        return ("ValueError", str(exc))


def test_validate_lengths_are_the_string_lengths(main_dex: bytes) -> None:
    s_off, s_size, _t_off, t_size, p_off, p_size, _m_off, _m_size = _tables(main_dex)
    assert (
        cext.validate(main_dex, s_off, s_size, p_off, p_size, t_size) is None
    )  # without the flag: as before
    got = cext.validate(main_dex, s_off, s_size, p_off, p_size, t_size, 0.0, True)
    assert got == pywalk.validate(main_dex, s_off, s_size, p_off, p_size, t_size, 0.0, True)
    lens = memoryview(got).cast("I").tolist()
    assert len(lens) == s_size > 0
    assert lens == [len(pywalk._string_bytes(main_dex, s_off, i)) for i in range(s_size)]


mutations = st.lists(
    st.tuples(st.integers(min_value=0, max_value=1 << 20), st.integers(min_value=0, max_value=255)),
    min_size=1,
    max_size=8,
)


@FUZZ
@given(muts=mutations)
def test_checks_with_lengths_give_the_same_errors(main_dex: bytes, muts) -> None:
    buf = bytearray(main_dex)
    for pos, value in muts:
        buf[0x70 + pos % (len(buf) - 0x70)] = value
    data = bytes(buf)
    s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size = _tables(main_dex)
    v_args = (data, s_off, s_size, p_off, p_size, t_size, 0.0, True)
    c_lens, py_lens = _outcome(cext.validate, *v_args), _outcome(pywalk.validate, *v_args)
    assert c_lens == py_lens
    if c_lens[0] != "ok":
        return
    ids = (data, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size)
    plain = _outcome(cext.method_descs, *ids, 0.0, False)
    assert _outcome(cext.method_descs, *ids, 0.0, False, c_lens[1]) == plain
    assert _outcome(pywalk.method_descs, *ids, 0.0, False, c_lens[1]) == plain
    assert _outcome(cext.method_descs, *ids, 0.0, False, c_lens[1][:-4]) == plain  # (another size: not used)


def _strings_buffer(strings: list[bytes]) -> tuple[bytes, int, int]:
    """string_ids, type_ids (type i = string i) and the strings' data, the last NUL the buffer's last byte."""
    n = len(strings)
    head = 8 * n
    data = b""
    offs = []
    for s in strings:
        offs.append(head + len(data))
        data += bytes([len(s) & 0x7F]) + s + b"\0"
    return struct.pack(f"<{n}I", *offs) + struct.pack(f"<{n}I", *range(n)) + data, n, 4 * n


def test_string_locator_finds_each_nul_and_high_byte() -> None:
    # every length from 0 to 24 and a high byte at every place in it (or none): the word-at-a-time reading and the
    # tail read byte by byte near the buffer's end
    strings = []
    for n in range(25):
        strings.append(b"a" * n)
        strings += [b"a" * k + b"\xc3" + b"a" * (n - k - 1) for k in range(n)]
        strings.append(b"\x01" * n)  # 0x01 bytes next to the NUL: the zero-byte test's false positives
    for tail in range(10):
        buf, n, t_off = _strings_buffer([*strings, b"b" * tail])
        got = cext.type_descs(buf, 0, n, t_off, n)
        assert got == pywalk.type_descs(buf, 0, n, t_off, n)
        assert got[: len(strings)] == [None if b"\xc3" in s else s.decode() for s in strings]
        assert cext.validate(buf, 0, n, 0, 0, n, 0.0, True) == pywalk.validate(buf, 0, n, 0, 0, n, 0.0, True)


def test_descriptors_with_many_parameters() -> None:
    # more parameters than desc_build keeps from its checks for the build (16): the rest are resolved again
    strings = [b"LA;", b"I", b"J", b"m", b"\xc3\xa9"]
    types = [0, 1, 2, 4]  # LA; I J é
    params = [1, 2] * 10 + [0]  # 21 parameters
    s_off, t_off = 0, 4 * len(strings)
    p_off = t_off + 4 * len(types)
    m_off = p_off + 12 * 2
    tl_off = m_off + 8 * 3
    head = tl_off + 4 + 2 * len(params) + 2  # (padding to 4)
    data, offs = b"", []
    for s in strings:
        offs.append(head + len(data))
        data += bytes([len(s)]) + s + b"\0"
    buf = (
        struct.pack(f"<{len(strings)}I", *offs)
        + struct.pack(f"<{len(types)}I", *types)
        + struct.pack("<3I", 0, 1, tl_off)  # (I)(21 params)
        + struct.pack("<3I", 0, 3, tl_off)  # returns é
        + struct.pack("<HHI", 0, 0, 3)
        + struct.pack("<HHI", 0, 1, 3)
        + struct.pack("<HHI", 3, 0, 3)  # class é
        + struct.pack(f"<I{len(params)}H", len(params), *params)
        + b"\0\0"
        + data
    )
    ids = (buf, s_off, len(strings), t_off, len(types), p_off, 2, m_off, 3)
    want = "LA;->m(" + "IJ" * 10 + "LA;)I"
    mids = struct.pack("<3I", 0, 1, 2)
    for sig in (False, True):
        got = cext.method_descs_at(ids, mids, sig)
        assert got == pywalk.method_descs_at(ids, mids, sig)
        assert got == [cext.method_desc(ids, m, sig) for m in range(3)]
    assert cext.method_descs_at(ids, mids) == [want, None, None]
    assert cext.method_descs_at(ids, mids, True) == [want[5:], None, want[5:]]
    assert cext.method_descs(*ids) == [want, None, None] == pywalk.method_descs(*ids)
