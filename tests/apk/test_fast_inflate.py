"""The libdeflate fast path of the zip reader: whatever it returns, the zlib path would have returned too.

Every test reads the same archive twice, once as shipped (libdeflate first) and once with the fast path switched
off (``_fast_decompress = None``, the state of an install without the ``deflate`` package), and compares bytes,
errors and notes.
"""

from __future__ import annotations

import os
import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import appwarden.apk.archive as archive
from appwarden.apk.archive import ZipArchive
from appwarden.errors import ApkFormatError, LimitExceeded
from appwarden.limits import Limits

from .apk_zipbuild import Entry, ZipSpec, build_zip

pytestmark = pytest.mark.skipif(
    archive._fast_decompress is None, reason="the deflate package is not installed"
)

# A hostile stream found by mutating a real one: its Huffman table has one distance codeword and the stream reads
# the unused one. zlib stops ("invalid distance code"); libdeflate decodes these 25 bytes.
DEGENERATE = bytes.fromhex("1dc0010d000000c2a0aca77f08374152422f1a")
DEGENERATE_LIBDEFLATE_OUT = bytes.fromhex("62626261626162616162616262626161616161616261626261")
DEGENERATE_ORIGINAL = b"bababaababbbabbbbbbabba"


def _read(
    data: bytes, name: str, *, fast: bool, limits: Limits | None = None
) -> tuple[str, object, list[str]]:
    """(kind, value, notes) of reading ``name``: ("ok", bytes) or ("error", "<class>: <message>")."""
    saved = archive._fast_decompress
    if not fast:
        archive._fast_decompress = None
    try:
        z = ZipArchive(data, limits=limits) if limits else ZipArchive(data)
        try:
            result: tuple[str, object] = ("ok", z.read(name))
        except (ApkFormatError, LimitExceeded) as exc:
            result = ("error", f"{type(exc).__name__}: {exc}")
        return (*result, [n.message for n in z.notes])
    finally:
        archive._fast_decompress = saved


def _both(
    data: bytes, name: str = "classes.dex", limits: Limits | None = None
) -> tuple[str, object, list[str]]:
    fast = _read(data, name, fast=True, limits=limits)
    slow = _read(data, name, fast=False, limits=limits)
    assert fast == slow
    return fast


def _deflate(data: bytes, level: int = 9, strategy: int = zlib.Z_DEFAULT_STRATEGY) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    return c.compress(data) + c.flush()


def test_the_fast_path_is_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = archive._fast_decompress

    def counting(view: memoryview, size: int) -> bytes:
        calls.append(size)
        return real(view, size)

    monkeypatch.setattr(archive, "_fast_decompress", counting)
    payload = os.urandom(5000) + b"x" * 50_000
    assert ZipArchive(build_zip(ZipSpec([Entry("classes.dex", payload)]))).read("classes.dex") == payload
    assert calls == [len(payload)]


@settings(max_examples=150, deadline=None)
@given(
    body=st.binary(max_size=3000),
    repeat=st.integers(min_value=0, max_value=20_000),
    level=st.sampled_from([0, 1, 6, 9]),
    strategy=st.sampled_from(
        [zlib.Z_DEFAULT_STRATEGY, zlib.Z_FILTERED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE, zlib.Z_FIXED]
    ),
)
def test_same_bytes_as_zlib_for_what_compressors_write(
    body: bytes, repeat: int, level: int, strategy: int
) -> None:
    data = body + b"ab" * repeat
    zipped = build_zip(ZipSpec([Entry("classes.dex", data, raw_payload=_deflate(data, level, strategy))]))
    assert _both(zipped) == ("ok", data, [])


def test_mutated_streams_read_the_same_as_zlib() -> None:
    """Seeded mutations of real streams (bit flips, byte swaps, cuts; sizes true or lying): bytes, error and notes
    are the same with and without libdeflate, including the streams only libdeflate would decode (their CRC-32
    does not match, so the zlib path decides)."""
    rng = random.Random(20261207)
    bases = []
    for _ in range(12):
        data = rng.randbytes(rng.randint(0, 200)) + bytes(
            rng.choice(b"abcd") for _ in range(rng.randint(1, 2000))
        )
        bases.append((data, _deflate(data, rng.choice([1, 6, 9]), rng.choice([0, 1, 2, 3]))))
    outcomes = {"ok": 0, "error": 0}
    for _ in range(1500):
        data, comp = rng.choice(bases)
        mutated = bytearray(comp)
        for _ in range(rng.randint(1, 3)):
            if not mutated:
                break
            k = rng.randrange(len(mutated))
            if rng.random() < 0.7:
                mutated[k] ^= 1 << rng.randrange(8)
            else:
                del mutated[k : k + rng.randint(1, 6)]
        usize = len(data) if rng.random() < 0.7 else rng.randint(1, 2 * len(data) + 8)
        zipped = build_zip(ZipSpec([Entry("classes.dex", data, raw_payload=bytes(mutated), cd_usize=usize)]))
        outcomes[_both(zipped)[0]] += 1
    assert outcomes["ok"] > 100 and outcomes["error"] > 100  # both kinds were exercised


def test_degenerate_stream_zlib_rejects_is_still_an_error() -> None:
    assert archive._fast_decompress(DEGENERATE, len(DEGENERATE_LIBDEFLATE_OUT)) == DEGENERATE_LIBDEFLATE_OUT
    zipped = build_zip(
        ZipSpec([Entry("classes.dex", DEGENERATE_ORIGINAL, raw_payload=DEGENERATE, cd_usize=25)])
    )
    kind, message, _notes = _both(zipped)
    assert kind == "error" and "invalid distance code" in str(message)


def test_forged_crc_on_a_degenerate_stream_is_the_documented_difference() -> None:
    """The one known difference (docs/architecture.md): a degenerate stream whose CRC-32 was forged to match
    libdeflate's output is read, where zlib (and so Android) stops. If this starts failing, update the doc."""
    zipped = build_zip(ZipSpec([Entry("classes.dex", DEGENERATE_LIBDEFLATE_OUT, raw_payload=DEGENERATE)]))
    assert _read(zipped, "classes.dex", fast=True)[:2] == ("ok", DEGENERATE_LIBDEFLATE_OUT)
    assert _read(zipped, "classes.dex", fast=False)[0] == "error"


@pytest.mark.parametrize("declared", [1, 999, 1001, 5000])
def test_lying_sizes_give_the_zlib_paths_notes(declared: int) -> None:
    data = (bytes(range(256)) * 4)[:1000]
    zipped = build_zip(ZipSpec([Entry("classes.dex", data, cd_usize=declared)]))
    kind, value, notes = _both(zipped)
    assert (kind, value) == ("ok", data)
    assert notes == [f"inflated size 1000 differs from the declared uncompressed size {declared}"]


def test_bombs_hit_the_same_limits() -> None:
    bomb = b"\0" * (8 << 20)
    lying = build_zip(ZipSpec([Entry("classes.dex", bomb, cd_usize=100)]))
    kind, message, _ = _both(lying, limits=Limits(max_entry_size=4 << 20))
    assert kind == "error" and "LimitExceeded" in str(message)
    honest = build_zip(ZipSpec([Entry("classes.dex", bomb)]))
    kind, message, _ = _both(honest, limits=Limits(max_compression_ratio=50))
    assert kind == "error" and "compression-ratio" in str(message)


def test_entries_over_the_fast_limit_take_the_zlib_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "FAST_INFLATE_MAX", 1000)
    calls: list[int] = []
    real = archive._fast_decompress
    monkeypatch.setattr(
        archive, "_fast_decompress", lambda view, size: calls.append(size) or real(view, size)
    )
    data = os.urandom(3000)
    assert ZipArchive(build_zip(ZipSpec([Entry("classes.dex", data)]))).read("classes.dex") == data
    assert calls == []


def test_mapped_entries_are_written_in_small_pieces() -> None:
    """read_mapped's file is written MAPPED_WRITE bytes at a time (page-cache folio size, see _write_small)."""
    sizes: list[int] = []
    out = bytearray()

    class Sink:
        def write(self, piece: memoryview) -> None:
            sizes.append(len(piece))
            out.extend(piece)

    data = os.urandom(3 * archive.MAPPED_WRITE + 5)
    archive._write_small(Sink(), data)  # type: ignore[arg-type]
    assert bytes(out) == data
    assert sizes == [archive.MAPPED_WRITE] * 3 + [5]
