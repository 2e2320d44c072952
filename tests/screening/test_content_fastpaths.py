"""Two shortcuts of the screening's DEX-string search (issue #19) answer what the long way answers:
``_surely_readable`` (a hit string at or below the DEX's last NUL minus 5 is readable without finding its end) and
``_first_bytes`` (a table of the first-byte pre-filter's answers per byte value instead of a regex match per string).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import content, screen
from appwarden.screening.detectors import _HOST_FIRST

APPS = Path(__file__).resolve().parent / "_apps"
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _kernel_reads(data: bytes, offset: int) -> bool:
    """Whether the substring kernel searches the string at ``offset``: inside the buffer, with a ULEB128 length of
    at most 5 bytes that ends inside it (``_dexscan.c``'s ``uleb``)."""
    return any(not data[pos] & 0x80 for pos in range(offset, min(offset + 5, len(data))))


@FUZZ
@given(
    data=st.binary(max_size=80).map(bytearray),
    offsets=st.lists(st.integers(0, 90), max_size=12),
    nuls=st.lists(st.integers(0, 79), max_size=4),
    tail=st.integers(0, 3),
)
def test_surely_readable_only_claims_readable_strings(data, offsets, nuls, tail) -> None:
    for p in nuls:  # a few NULs where the fuzzer may not put them
        if p < len(data):
            data[p] = 0
    data = bytes(data)
    dex = SimpleNamespace(data=data, container_size=len(data), string_ids=offsets)
    bound = content._surely_readable(dex)
    for i, off in enumerate(offsets):
        if _kernel_reads(data, off) and off <= bound:
            assert content._readable_string(dex, i)
    # a v041 container's DEX (a tail past container_size): no shortcut
    cut = SimpleNamespace(data=data, container_size=max(len(data) - 1 - tail, 0), string_ids=offsets)
    if cut.container_size != len(data):
        assert content._surely_readable(cut) == -1


def test_surely_readable_on_a_string_without_its_nul() -> None:
    """The last string runs to the end of the DEX: above the bound, so it is checked the long way (not readable)."""
    data = b"\x03abc\x00\x02xy\x00\x04tail"
    dex = SimpleNamespace(data=data, container_size=len(data), string_ids=[0, 5, 9])
    bound = content._surely_readable(dex)
    assert 0 <= bound < 9
    assert [content._readable_string(dex, i) for i in range(3)] == [True, True, False]


@pytest.mark.parametrize(
    "pattern",
    [_HOST_FIRST, re.compile(rb"[a-z]"), re.compile(rb"\x00|\xff"), re.compile(rb"(?!x)."), re.compile(b"")],
)
def test_first_bytes_table_is_the_pattern_per_byte(pattern: re.Pattern[bytes]) -> None:
    table = content._first_bytes(pattern)
    assert len(table) == 256
    assert [bool(t) for t in table] == [bool(pattern.match(bytes((b,)))) for b in range(256)]


@pytest.mark.parametrize("apk", sorted(p.name for p in APPS.glob("screen_*.apk"))[:40])
def test_screening_is_the_same_without_the_readable_shortcut(
    apk: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    static, opened = _static_stage(APPS / apk, DEFAULT_LIMITS)
    fast = screen(static, opened).to_json()
    static, opened = _static_stage(APPS / apk, DEFAULT_LIMITS)
    monkeypatch.setattr(content, "_surely_readable", lambda dex: -1)  # every hit string's end found again
    assert screen(static, opened).to_json() == fast


def test_the_fixture_strings_agree_with_the_long_way() -> None:
    """On every fixture DEX, each string at or below the bound is readable."""
    import zipfile

    seen = 0
    for apk in sorted(APPS.glob("screen_*.apk")):
        with zipfile.ZipFile(apk) as z:
            for name in z.namelist():
                if not name.endswith(".dex"):
                    continue
                data = z.read(name)
                n, off = struct.unpack_from("<II", data, 0x38)
                ids = list(struct.unpack_from(f"<{n}I", data, off))
                dex = SimpleNamespace(data=data, container_size=len(data), string_ids=ids)
                bound = content._surely_readable(dex)
                for i, o in enumerate(ids):
                    if _kernel_reads(data, o) and o <= bound:
                        assert content._readable_string(dex, i)
                        seen += 1
    assert seen > 100
