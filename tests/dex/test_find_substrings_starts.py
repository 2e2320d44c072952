"""``find_substrings`` (C) looks at a position only when a table says a needle may start there: the first two bytes
of the short needles (1 to 3 bytes) or a hash of the first four of the long ones (4 bytes and more), then compares
the needles of that exact start. Its answers stay those of its pure-Python twin (``pywalk.find_substrings``) and of a
plain search: needles of every length ending at every position of a string (the last three positions have no four
bytes to hash), long needles sharing their first four bytes, strings longer than one block, the last string running
to the end of the buffer, and a real DEX's strings searched for the screening's needles (issue #19)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
APPS = Path(__file__).resolve().parents[1] / "screening" / "_apps"


def string_pool(strings: list[bytes], tail: bytes = b"") -> tuple[bytes, int, int]:
    """string_ids at offset 8, then each string's data (uleb128 length, bytes, NUL), then ``tail`` as one more
    string without a NUL (it runs to the end of the buffer) when not empty."""
    items = [*strings, tail] if tail else list(strings)
    ids_off = 8
    data = bytearray(b"\xaa" * ids_off + b"\0" * (4 * len(items)))
    for i, s in enumerate(items):
        struct.pack_into("<I", data, ids_off + 4 * i, len(data))
        n = len(s)
        while True:
            data.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not data[-1] & 0x80:
                break
        data += s + (b"\0" if i < len(strings) else b"")
    return bytes(data), ids_off, len(items)


def plain(strings: list[bytes], needles: list[bytes], mask: bytes | None = None) -> list[tuple[int, int]]:
    def kept(i: int) -> bool:
        return mask is None or (i >> 3 < len(mask) and bool(mask[i >> 3] & (1 << (i & 7))))

    return [
        (i, k) for i, s in enumerate(strings) if kept(i) for k, nd in enumerate(needles) if nd and nd in s
    ]


def both(
    buf: bytes, off: int, n: int, needles: list[bytes], mask: bytes | None = None
) -> list[tuple[int, int]]:
    args = (buf, off, n, needles, 0.0) + ((mask,) if mask is not None else ())
    got = cext.find_substrings(*args)
    assert got == pywalk.find_substrings(*args)
    return got  # type: ignore[no-any-return]


small = st.lists(st.sampled_from(b"aab.\xe4\xbd\xff"), max_size=150).map(bytes)


@FUZZ
@given(
    strings=st.lists(small, max_size=12),
    cuts=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 149), st.integers(1, 12)), max_size=14),
    extra=st.lists(st.lists(st.sampled_from(b"ab.\xe4\xff\x00"), max_size=7).map(bytes), max_size=4),
    mask=st.none() | st.binary(max_size=3),
    tail=st.lists(st.sampled_from(b"ab.\xe4"), max_size=9).map(bytes),
)
def test_needles_cut_from_the_strings(strings, cuts, extra, mask, tail) -> None:
    """Needles cut out of the strings themselves (so most are found, at any position and of any length 1..12),
    plus a few free ones (NUL, 0xff, empty); the last string may run to the end of the buffer."""
    needles = [s[a : a + k] for i, a, k in cuts if strings for s in [strings[i % len(strings)]]] + extra
    buf, off, n = string_pool(strings, tail)
    assert both(buf, off, n, needles, mask) == plain([*strings, *([tail] if tail else [])], needles, mask)


def test_every_length_ending_at_every_position() -> None:
    """Each needle of length 1..8 cut at each position of a 70-byte string (past one 64-position block) is found,
    including those that end the string or start in its last three positions."""
    s = bytes((i * 37 + 11) % 251 + 1 for i in range(70))
    needles = [s[a : a + k] for k in range(1, 9) for a in range(len(s) - k + 1)]
    buf, off, n = string_pool([s, s[:3], s[-5:]])
    assert both(buf, off, n, needles) == plain([s, s[:3], s[-5:]], needles)
    buf, off, n = string_pool([s[:-4]], tail=s[-4:] + s)  # a string with no NUL: up to the buffer's end
    assert both(buf, off, n, needles) == plain([s[:-4], s[-4:] + s], needles)


def test_long_needles_sharing_their_first_four_bytes() -> None:
    """Long needles with the same first four bytes (one start, several needles: each compared, in needle order),
    duplicates, a needle longer than the string, and a short needle that is a long one's prefix."""
    needles = [b"abcdXY", b"abcd", b"abcdX", b"abcdXY", b"abcdXYZW", b"abc", b"ab", b"abcdZ"]
    strings = [b"..abcdXY", b"abcd", b"abcdXYZ", b"zabcdZabcdXYZW", b"abc"]
    buf, off, n = string_pool(strings)
    got = both(buf, off, n, needles)
    assert got == plain(strings, needles)
    assert (3, 4) in got and (2, 4) not in got


def raw_strings(buf: bytes, off: int, n: int) -> list[bytes]:
    """Each string's MUTF-8 bytes (after its ULEB128 length, up to its NUL), as the kernels read them."""
    out = []
    for i in range(n):
        pos = struct.unpack_from("<I", buf, off + 4 * i)[0]
        while buf[pos] & 0x80:
            pos += 1
        end = buf.find(b"\0", pos + 1)
        out.append(buf[pos + 1 : end])
    return out


def test_a_screening_needle_set_over_a_real_dex() -> None:
    """The screening's kind of needles (vocabulary case variants, raw two-byte needles, non-ASCII words) over the
    strings of a test app's DEX: C and twin agree, and agree with a plain search of each string's bytes."""
    import zipfile

    from appwarden.dex.reader import DexFile

    with zipfile.ZipFile(APPS / "screen_bad.apk") as z:
        blob = z.read("classes.dex")
    dex = DexFile("classes.dex", blob)
    words = [
        "http",
        "Http",
        "HTTP",
        "login",
        "bet",
        "彩票",
        "Casino",
        "casino",
        "a",
        "e.",
        "1.",
        "Lcom/",
        "()V",
    ]
    needles = [w.encode() for w in words] + [bytes([b, 0x2E]) for b in range(0x80, 0xC0)]
    off, n = dex.string_ids_off, dex.string_ids_size
    got = both(blob, off, n, needles)
    assert len(got) > 10
    assert got == plain(raw_strings(blob, off, n), needles)
