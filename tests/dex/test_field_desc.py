"""``field_desc`` (the data-flow walk's field names, issue #19): the C kernel, its Python twin and the reader agree;
hostile tables give the same ValueError in both backends, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk
from appwarden.dex.reader import DexFile, split_container

from .test_fuzz import mutate, mutations
from .test_fuzz_graph import same
from .test_graph_kernels import descs_args, dex_blobs_of, fixture_dexes

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
SCREEN_APPS = Path(__file__).resolve().parents[1] / "screening" / "_apps"
u32 = st.integers(min_value=0, max_value=(1 << 32) - 1)


def _field_args(dex: DexFile) -> tuple:
    return (descs_args(dex), dex.field_ids_off, dex.field_ids_size)


def _dexes(fixtures_dir: Path) -> list[DexFile]:
    """The DEX fixtures and the screening fixture apps' DEX files (those hold most fields)."""
    out = fixture_dexes(fixtures_dir)
    for apk in sorted(SCREEN_APPS.glob("*.apk")):
        out += [dex for n, b in dex_blobs_of(apk) for dex in split_container(f"{apk.name}!{n}", b)]
    return out


def test_every_field_of_the_fixtures_as_the_reader_names_it(fixtures_dir: Path) -> None:
    checked = 0
    for dex in _dexes(fixtures_dir):
        ids, f_off, f_size = _field_args(dex)
        for f in range(f_size):
            got = same("field_desc", ids, f_off, f_size, f)
            if got is None:  # a string that is not pure ASCII: the reader decodes it
                assert not dex.field_desc(f).isascii()
            else:
                assert got == dex.field_desc(f)
                checked += 1
        with pytest.raises(ValueError, match="field index out of range"):
            cext.field_desc(ids, f_off, f_size, f_size)
        with pytest.raises(ValueError, match="field index out of range"):
            pywalk.field_desc(ids, f_off, f_size, f_size)
    assert checked >= 20  # every fixture field with ASCII names (25 when written)


def test_a_name_outside_ascii_gives_none() -> None:
    # one string id, type ids 0 (class) and 0 (type), field 0 named by string 0: "\xc3\xa9" (é) is not ASCII
    s_data = 0x40
    buf = bytearray(0x60)
    buf[0:4] = s_data.to_bytes(4, "little")  # string_ids[0]
    buf[4:8] = (0).to_bytes(4, "little")  # type_ids[0] -> string 0
    buf[0x10:0x18] = bytes([0, 0, 0, 0, 0, 0, 0, 0])  # field 0: class 0, type 0, name 0
    buf[s_data : s_data + 4] = b"\x01\xc3\xa9\x00"
    ids = (bytes(buf), 0, 1, 4, 1, 0, 0, 0, 0)
    assert same("field_desc", ids, 0x10, 1, 0) is None
    buf[s_data : s_data + 4] = b"\x01LX\x00"
    buf[s_data + 3] = ord(";")
    buf[s_data + 4] = 0
    ids = (bytes(buf), 0, 1, 4, 1, 0, 0, 0, 0)
    assert same("field_desc", ids, 0x10, 1, 0) == "LX;->LX;:LX;"


@FUZZ
@given(muts=mutations, f=st.integers(0, 400))
def test_mutated_tables(main_dex: bytes, muts, f: int) -> None:
    # the id tables of the original header, over mutated bytes (the reader's own checks are bypassed)
    ids, f_off, f_size = _field_args(DexFile("classes.dex", main_dex))
    data = mutate(main_dex, muts, keep_header=True)
    same("field_desc", (data, *ids[1:]), f_off, f_size, f % max(f_size, 1))


@FUZZ
@given(offs=st.lists(u32, min_size=10, max_size=10), f=u32, small=st.booleans())
def test_arbitrary_header_values(main_dex: bytes, offs: list[int], f: int, small: bool) -> None:
    if small:  # sizes that fit the buffer, so the per-entry checks are reached
        offs = [v % (len(main_dex) // 8 if i % 2 else len(main_dex)) for i, v in enumerate(offs)]
        f %= max(offs[9], 1)
    same("field_desc", (main_dex, *offs[:8]), offs[8], offs[9], f)


@FUZZ
@given(
    data=st.binary(min_size=0, max_size=600),
    offs=st.lists(st.integers(0, 640), min_size=10, max_size=10),
    f=st.integers(0, 80),
)
def test_random_bytes(data: bytes, offs: list[int], f: int) -> None:
    same("field_desc", (data, *offs[:8]), offs[8], offs[9], f)
