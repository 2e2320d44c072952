"""``find_substrings`` (C; the one substring kernel, used by the code index and the screening) skips the positions
where no needle starts (by the first two bytes of the short needles and a hash of the first four of the long ones):
the answers stay those of its pure-Python twin (``pywalk.find_substrings``), checked on fuzzed string pools and
needles (more in test_find_substrings_starts.py)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")


def string_pool(strings: list[bytes]) -> tuple[bytes, int, int]:
    """A buffer holding string_ids (at offset 16) and each string's data (uleb128 length, bytes, NUL)."""
    ids_off = 16
    data = bytearray(b"\xaa" * ids_off + b"\0" * (4 * len(strings)))
    for i, s in enumerate(strings):
        struct.pack_into("<I", data, ids_off + 4 * i, len(data))
        n = len(s)
        while True:  # uleb128 of the length (the walkers skip it)
            data.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not data[-1] & 0x80:
                break
        data += s + b"\0"
    return bytes(data), ids_off, len(strings)


alphabet = st.sampled_from([b"a", b"b", b"/", b" ", b"\xe4", b"\xb8", b"\xaa", b"z", b"\x7f"])
text = st.lists(alphabet, max_size=40).map(b"".join)


@settings(max_examples=400, deadline=2000)
@given(
    strings=st.lists(text, max_size=30),
    needles=st.lists(text, max_size=8),
    mask=st.one_of(st.none(), st.binary(max_size=5)),
)
def test_fuzzed_find_substrings_c_equals_python(strings: list[bytes], needles: list[bytes], mask) -> None:
    buf, off, n = string_pool(strings)
    args = (buf, off, n, needles, 0.0) + ((mask,) if mask is not None else ())
    got = cext.find_substrings(*args)
    assert got == pywalk.find_substrings(*args)
    # and what a plain search gives: every (string, needle) pair with the needle inside, in that order
    masked = [mask is None or (i >> 3 < len(mask) and mask[i >> 3] & (1 << (i & 7))) for i in range(n)]
    expected = [
        (i, k) for i, s in enumerate(strings) if masked[i] for k, nd in enumerate(needles) if nd and nd in s
    ]
    assert got == expected


def test_needles_at_the_end_and_repeated() -> None:
    """A needle ending a string (the last byte has no second byte to test), the same needle twice, a needle inside
    another: each (string, needle index) pair once, needles ascending."""
    strings = [b"xyz", b"zz", b"z", b"abab", b""]
    needles = [b"z", b"yz", b"z", b"bab", b"ab", b"zzz"]
    buf, off, n = string_pool(strings)
    got = cext.find_substrings(buf, off, n, needles)
    assert got == pywalk.find_substrings(buf, off, n, needles)
    assert got == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 2), (3, 3), (3, 4)]


def test_every_byte_value_is_filtered_right() -> None:
    """Needles of single bytes of each value 1..255 (NUL ends a string) found exactly in the strings holding them."""
    strings = [bytes([b, (b * 7) % 255 + 1]) for b in range(1, 256)]
    needles = [bytes([b]) for b in range(1, 256)]
    buf, off, n = string_pool(strings)
    got = cext.find_substrings(buf, off, n, needles)
    assert got == pywalk.find_substrings(buf, off, n, needles)
    assert len(got) >= 255 and all(needles[k] in strings[i] for i, k in got)
