"""The C kernels behind method descriptors and the call graph equal their pure-Python twins in pywalk.

Fixture DEXes here; the corpus-wide comparison is in ``test_corpus.py``; hostile input in ``test_fuzz_graph.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.dex import pywalk
from appwarden.dex.index import build_index
from appwarden.dex.reader import DexFile, split_container

from .conftest import DATA, dex_blobs_of

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")


def descs_args(dex: DexFile) -> tuple:
    """The arguments DexCode.descs passes to ``method_descs``."""
    return (
        memoryview(dex.data)[: dex.container_size],
        dex.string_ids_off,
        dex.string_ids_size,
        dex.type_ids_off,
        dex.type_ids_size,
        dex.proto_ids_off,
        dex.proto_ids_size,
        dex.method_ids_off,
        dex.method_ids_size,
    )


def fixture_dexes(fixtures_dir: Path) -> list[DexFile]:
    blobs = [("main.dex", (DATA / "main.dex").read_bytes())]
    for apk in sorted((fixtures_dir / "apks").glob("*.apk")):
        blobs += [(f"{apk.name}!{n}", b) for n, b in dex_blobs_of(apk)]
    return [dex for name, blob in blobs for dex in split_container(name, blob)]


def assert_same_descs(dex: DexFile) -> list[str | None]:
    """C == Python, and (after the MUTF-8 fill-in) equal to DexFile.method_desc for every method id."""
    args = descs_args(dex)
    c_out = cext.method_descs(*args)
    assert pywalk.method_descs(*args) == c_out
    assert len(c_out) == dex.method_ids_size
    for i, d in enumerate(c_out):
        if d is not None:
            assert d == dex.method_desc(i) and d.isascii()
    return c_out


def test_method_descs_on_fixtures(fixtures_dir: Path) -> None:
    dexes = fixture_dexes(fixtures_dir)
    assert len(dexes) >= 5
    for dex in dexes:
        assert_same_descs(dex)
    [code] = build_index([("classes.dex", (DATA / "main.dex").read_bytes())]).codes
    assert code.descs == [code.dex.method_desc(i) for i in range(code.dex.method_ids_size)]
    assert code.method_desc(0) == code.descs[0]


def test_method_descs_non_ascii_fall_back_to_the_mutf8_decoder(main_dex: bytes) -> None:
    # same byte lengths, so every offset stays valid: an "é" in a class name, NUL (C0 80) + a surrogate pair in a name
    data = main_dex.replace(b"Lcom/aw/t/Job;\0", "Lcom/aw/t/Jé;\0".encode()).replace(
        b"literals\0", b"\xc0\x80\xed\xa0\xbd\xed\xb8\x80\0"
    )
    assert len(data) == len(main_dex) and data != main_dex
    dex = DexFile("classes.dex", data)
    c_out = assert_same_descs(dex)
    nones = [i for i, d in enumerate(c_out) if d is None]
    assert len(nones) >= 2
    [code] = build_index([("classes.dex", data)]).codes
    full = code.descs
    assert all(isinstance(d, str) for d in full)
    assert full == [dex.method_desc(i) for i in range(dex.method_ids_size)]
    assert "Lcom/aw/t/Walk;->\x00\U0001f600()V" in full
    assert any(d.startswith("Lcom/aw/t/Jé;->") for d in full)


def test_method_descs_bounds(main_dex: bytes) -> None:
    dex = DexFile("classes.dex", main_dex)
    args = list(descs_args(dex))
    for pos, value, message in (
        (1, len(main_dex), "string_ids out of bounds"),
        (3, len(main_dex), "type_ids out of bounds"),
        (5, len(main_dex), "proto_ids out of bounds"),
        (7, len(main_dex), "method_ids out of bounds"),
        (2, 0, r"type \d+ string index out of range"),  # no strings at all
        (4, 1, "type index"),  # one type only: method 0's class (or return type) is out of range
    ):
        bad = list(args)
        bad[pos] = value
        for walker in (cext, pywalk):
            with pytest.raises(ValueError, match=message):
                walker.method_descs(*bad)
