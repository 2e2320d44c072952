"""``_dexscan.column`` (the id tables' columns in one pass) against its twin ``pywalk.column`` and against the
stepped array slices ``DexFile`` read the columns with before; ``DexFile`` with and without the kernel."""

from __future__ import annotations

import contextlib
import random
from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk, reader
from appwarden.dex.reader import DexFile
from appwarden.errors import DexFormatError

from .conftest import DATA, dex_blobs_of
from .test_fuzz import mutate, mutations

cext = pytest.importorskip("appwarden.dex._dexscan")

FUZZ = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])

# every column DexFile reads: (offset attribute, size attribute, row bytes, position, array code)
COLUMNS = {
    "proto_return": ("proto_ids_off", "proto_ids_size", 12, 4, "I"),
    "proto_params_off": ("proto_ids_off", "proto_ids_size", 12, 8, "I"),
    "field_class": ("field_ids_off", "field_ids_size", 8, 0, "H"),
    "field_type": ("field_ids_off", "field_ids_size", 8, 2, "H"),
    "field_name": ("field_ids_off", "field_ids_size", 8, 4, "I"),
    "method_class": ("method_ids_off", "method_ids_size", 8, 0, "H"),
    "method_proto": ("method_ids_off", "method_ids_size", 8, 2, "H"),
    "method_name": ("method_ids_off", "method_ids_size", 8, 4, "I"),
}


def both(*args) -> tuple[bytes, int] | tuple[str, str]:
    """The kernel's answer (or error), checked equal to the twin's."""
    got = []
    for fn in (cext.column, pywalk.column):
        try:
            got.append(fn(*args))
        except (ValueError, OverflowError) as exc:
            got.append((type(exc).__name__, str(exc)))
    assert got[0] == got[1], args[1:]
    return got[0]


def stepped(data: bytes, off: int, count: int, stride: int, pos: int, code: str) -> array:
    """The column as ``DexFile`` read it before the kernel: a stepped slice of the table's array."""
    rows = array(code)
    rows.frombytes(data[off : off + count * stride])
    return rows[pos // rows.itemsize :: stride // rows.itemsize]


def _dex_files(fixtures_dir: Path) -> list[tuple[str, bytes]]:
    blobs = [("main.dex", (DATA / "main.dex").read_bytes())]
    for apk in sorted((fixtures_dir / "apks").glob("*.apk")):
        blobs += [(f"{apk.name}!{name}", data) for name, data in dex_blobs_of(apk)]
    return blobs


def test_columns_of_every_fixture_dex_equal_the_stepped_slices(fixtures_dir: Path) -> None:
    checked = 0
    for name, data in _dex_files(fixtures_dir):
        with contextlib.suppress(DexFormatError):
            dex = DexFile(name, data)
            for attr, (off_attr, size_attr, stride, pos, code) in COLUMNS.items():
                off, count = getattr(dex, off_attr), getattr(dex, size_attr)
                raw, top = both(data, off, count, stride, pos, 2 if code == "H" else 4)
                want = stepped(data, off, count, stride, pos, code)
                assert raw == want.tobytes(), (name, attr)
                assert top == max(want, default=0), (name, attr)
                assert getattr(dex, attr) == want and getattr(dex, attr).typecode == code, (name, attr)
                checked += 1
    assert checked >= 8 * 5


def _read(data: bytes, columns: bool) -> dict | tuple[str, str]:
    """What ``DexFile`` keeps of ``data`` (its columns and tables), or its error, with or without the kernel."""
    saved = reader._COLUMNS
    reader._COLUMNS = columns
    try:
        dex = DexFile("classes.dex", data)
    except DexFormatError as exc:
        return ("DexFormatError", str(exc))
    finally:
        reader._COLUMNS = saved
    kept = {attr: (getattr(dex, attr).typecode, getattr(dex, attr).tobytes()) for attr in COLUMNS}
    kept["class_defs"] = dex.class_defs.tobytes()
    return kept


def test_dexfile_reads_the_same_with_and_without_the_kernel(fixtures_dir: Path) -> None:
    assert reader._COLUMNS  # (little-endian host, extension built: the engine's path)
    for _name, data in _dex_files(fixtures_dir):
        assert _read(data, True) == _read(data, False)


@FUZZ
@given(muts=mutations, keep_header=st.booleans())
def test_mutated_dex_same_columns_and_errors(main_dex: bytes, muts, keep_header: bool) -> None:
    data = mutate(main_dex, muts, keep_header)
    assert _read(data, True) == _read(data, False)


def test_out_of_range_ids_raise_the_same_error_in_the_same_order(main_dex: bytes) -> None:
    """Each column's own range check, and with two bad columns the first of the old order is reported."""
    dex = DexFile("classes.dex", main_dex)
    bad = bytearray(main_dex)
    seen = set()
    for attr, (off_attr, size_attr, stride, pos, code) in COLUMNS.items():
        if attr == "proto_params_off" or not getattr(dex, size_attr):
            continue
        one = bytearray(main_dex)
        last = getattr(dex, off_attr) + (getattr(dex, size_attr) - 1) * stride + pos
        one[last : last + (2 if code == "H" else 4)] = b"\xff" * (2 if code == "H" else 4)
        got = _read(bytes(one), True)
        assert got == _read(bytes(one), False)
        assert got[0] == "DexFormatError" and "index out of range" in got[1], attr
        seen.add(got[1])
        bad[last : last + (2 if code == "H" else 4)] = b"\xff" * (2 if code == "H" else 4)
    assert len(seen) >= 5  # one message per column
    assert _read(bytes(bad), True) == _read(bytes(bad), False)


@FUZZ
@given(
    data=st.binary(min_size=0, max_size=300),
    off=st.integers(min_value=-4, max_value=320),
    count=st.integers(min_value=-2, max_value=120),
    stride=st.integers(min_value=-1, max_value=16),
    pos=st.integers(min_value=-2, max_value=16),
    size=st.sampled_from([0, 1, 2, 3, 4, 8]),
)
def test_column_twin_arbitrary_layouts(
    data: bytes, off: int, count: int, stride: int, pos: int, size: int
) -> None:
    got = both(data, off, count, stride, pos, size)
    if isinstance(got[0], bytes):
        raw, top = got
        want = b"".join(data[off + i * stride + pos : off + i * stride + pos + size] for i in range(count))
        assert raw == want
        step = 2 if size == 2 else 4
        assert top == max(
            (int.from_bytes(raw[i : i + step], "little") for i in range(0, len(raw), step)), default=0
        )


def test_column_twin_huge_counts_and_other_buffers() -> None:
    rng = random.Random(19)
    data = bytes(rng.randrange(256) for _ in range(4096))
    for count in (1 << 31, 1 << 40, (1 << 62) - 1, (1 << 63) - 1):
        assert both(data, 0, count, 8, 0, 4) == ("ValueError", "column rows run past the end of the buffer")
    for buf in (bytearray(data), memoryview(data)):
        assert cext.column(buf, 16, 100, 12, 8, 4) == pywalk.column(buf, 16, 100, 12, 8, 4)
    with pytest.raises(TypeError):
        cext.column("text", 0, 1, 4, 0, 4)


def test_dexfile_over_an_mmap_reads_the_same_columns(main_dex: bytes, tmp_path: Path) -> None:
    """read_mapped hands the reader an mmap of a temporary file: the kernel reads it through the buffer protocol."""
    import mmap

    path = tmp_path / "classes.dex"
    path.write_bytes(main_dex)
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        dex = DexFile("classes.dex", mapped)  # type: ignore[arg-type]
        kept = {attr: getattr(dex, attr).tobytes() for attr in COLUMNS}
        dex.release_pages()
        del dex
    plain = _read(main_dex, True)
    assert kept == {attr: plain[attr][1] for attr in COLUMNS}
