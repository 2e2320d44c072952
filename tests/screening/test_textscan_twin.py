"""The one C string search (``appwarden.dex._dexscan.find_substrings``: a position is compared only where a needle
may start, by the first two bytes of the short needles or a hash of the first four of the long ones; used by the
screening and the code index) answers exactly what its pure-Python twin (``appwarden.dex.pywalk.find_substrings``)
answers, on fuzzed string tables (hostile: lengths past the end, strings with no NUL, ids out of range, odd masks)
and needles (empty, one byte, NUL, shared first bytes, non-ASCII), and the screening runs the same with the twin
(issue #19)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import content, screen

dexscan = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

APPS = Path(__file__).resolve().parent / "_apps"
FUZZ = settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
ALPHABET = b"aAbB.:/0\x00\x80\xe4\xbd\xa0\xff"
needle = st.binary(max_size=4).map(lambda b: bytes(ALPHABET[x % len(ALPHABET)] for x in b))
text = st.lists(st.integers(0, len(ALPHABET) - 1), max_size=12).map(lambda xs: bytes(ALPHABET[x] for x in xs))


def _table(strings: list[bytes], junk: list[int], tail: bytes) -> tuple[bytes, int, int]:
    """A string_ids table, then each string as a one-byte length and its bytes (NUL-ended when it holds one), then ``tail``
    (no NUL: the last string may run to the end); ``junk`` offsets are added as ids (anywhere, past the end too)."""
    n = len(strings) + len(junk)
    data = bytearray(b"\x00" * (4 * n))
    offsets = []
    for s in strings:
        offsets.append(len(data))
        data += bytes([len(s) & 0x7F]) + s
    data += tail
    offsets += junk
    for i, off in enumerate(offsets):
        struct.pack_into("<I", data, 4 * i, off)
    return bytes(data), 0, n


def _all(args: tuple) -> list:
    out = []
    for mod in (dexscan, pywalk):
        try:
            out.append(mod.find_substrings(*args))
        except (ValueError, TypeError) as exc:
            out.append(type(exc))
    return out


@FUZZ
@given(
    strings=st.lists(text, max_size=12),
    junk=st.lists(st.integers(0, 300), max_size=3),
    tail=st.binary(max_size=6).map(lambda b: b.replace(b"\x00", b"x")),
    needles=st.lists(needle, max_size=10),
    mask=st.none() | st.binary(max_size=3),
)
def test_the_c_search_and_its_twin_agree(
    strings: list[bytes], junk: list[int], tail: bytes, needles: list[bytes], mask: bytes | None
) -> None:
    data, off, n = _table(strings, junk, tail)
    args = (data, off, n, needles, 0.0) + ((mask,) if mask is not None else ())
    c_out, py_out = _all(args)
    assert c_out == py_out


@FUZZ
@given(
    data=st.binary(max_size=64),
    off=st.integers(0, 70),
    n=st.integers(0, 20),
    needles=st.lists(needle, max_size=6),
)
def test_both_agree_on_any_bytes(data: bytes, off: int, n: int, needles: list[bytes]) -> None:
    c_out, py_out = _all((data, off, n, needles))
    assert c_out == py_out


@pytest.mark.parametrize("mod", ["c", "python"])
def test_bad_arguments_fail_in_both_alike(mod: str) -> None:
    find_substrings = dexscan.find_substrings if mod == "c" else pywalk.find_substrings
    with pytest.raises(ValueError, match="out of bounds"):
        find_substrings(b"\x00" * 8, 4, 2, [b"a"])
    with pytest.raises(TypeError):
        find_substrings(b"\x00" * 8, 0, 1, ["a"])
    with pytest.raises(TimeoutError):  # a deadline already past
        find_substrings(b"\x04\x00\x00\x00\x03abc\x00" * 20000, 0, 1, [b"b"], 1e-9)


def test_many_needles_sharing_first_bytes() -> None:
    needles = [b"ab", b"abc", b"a", b"b.", b"\xe4\xbd\xa0", b"\xe4\xbd", b"", b"zz"]
    strings = [b"xabcx", b"\xe4\xbd\xa0\xe5", b"b.b.", b"a", b"", b"zzz"]
    data, off, n = _table([s + b"\x00" for s in strings], [], b"ab")
    assert dexscan.find_substrings(data, off, n, needles) == pywalk.find_substrings(data, off, n, needles)
    assert dexscan.find_substrings(data, off, n, needles) == [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 4),
        (1, 5),
        (2, 3),
        (3, 2),
        (5, 7),
    ]


@pytest.mark.parametrize("apk", ["screen_bad.apk", "screen_spy.apk", "screen_phishing.apk"])
def test_screening_is_the_same_with_either_kernel(apk: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert content._substring_kernel() is dexscan.find_substrings  # the one C kernel, not a copy of its own
    static, opened = _static_stage(APPS / apk, DEFAULT_LIMITS)
    fast = screen(static, opened).to_json()
    monkeypatch.setattr(content, "_substring_kernel", lambda: pywalk.find_substrings)
    assert screen(static, opened).to_json() == fast
