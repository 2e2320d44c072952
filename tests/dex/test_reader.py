"""DexFile: header versions, bounds checks, MUTF-8, lookups."""

from __future__ import annotations

import struct

import pytest

from appwarden.dex.reader import DexFile, decode_mutf8, split_container
from appwarden.errors import DexFormatError, LimitExceeded
from appwarden.limits import Limits


def with_version(data: bytes, version: bytes) -> bytes:
    return data[:4] + version + data[7:]


@pytest.mark.parametrize("version", [b"035", b"036", b"037", b"038", b"039", b"040"])
def test_versions_035_to_040_parse(main_dex: bytes, version: bytes) -> None:
    dex = DexFile("classes.dex", with_version(main_dex, version))
    assert dex.version == int(version)
    assert "Lcom/aw/t/Walk;" in dex.class_descriptors


def test_version_041_needs_the_container_header(main_dex: bytes) -> None:
    with pytest.raises(DexFormatError, match="header_size"):
        DexFile("classes.dex", with_version(main_dex, b"041"))


@pytest.mark.parametrize("version", [b"034", b"042", b"0a9", b"999"])
def test_unsupported_versions_rejected(main_dex: bytes, version: bytes) -> None:
    with pytest.raises(DexFormatError):
        DexFile("classes.dex", with_version(main_dex, version))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: b"dey\n" + d[4:], "bad magic"),
        (lambda d: d[:40] + struct.pack("<I", 0x78563412) + d[44:], "endianness"),
        (lambda d: d[:100], "too small|truncated|out of bounds"),
        (lambda d: d[: len(d) // 2], "truncated"),
        (lambda d: d[:56] + struct.pack("<I", 0xFFFFFF) + d[60:], "string_ids"),
        (lambda d: d[:88] + struct.pack("<I", 0x7FFFFFFF) + d[92:], "method_ids"),
        (lambda d: d[:52] + struct.pack("<I", len(d) + 4) + d[56:], "map"),
    ],
)
def test_bad_headers_raise_one_line_dex_format_error(main_dex: bytes, mutate, message: str) -> None:
    with pytest.raises(DexFormatError, match=message) as info:
        DexFile("classes.dex", mutate(main_dex))
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("classes.dex: ")


def test_size_limit(main_dex: bytes) -> None:
    with pytest.raises(LimitExceeded):
        DexFile("classes.dex", main_dex, Limits(max_dex_size=1000))


def test_string_lookup_is_binary_search_over_sorted_ids(main_dex: bytes) -> None:
    dex = DexFile("classes.dex", main_dex)
    strings = [dex.string(i) for i in range(dex.string_ids_size)]
    for i, s in enumerate(strings):
        assert dex.find_string(s) == i
    assert dex.find_string("no such string in this dex") is None
    assert dex.find_type("Lcom/aw/t/Walk;") is not None
    assert dex.find_type("Lcom/aw/t/Nope;") is None
    prefixed = dex.strings_with_prefix("content://")
    assert {strings[i] for i in prefixed} == {s for s in strings if s.startswith("content://")}
    assert len(prefixed) >= 3


def test_prefetched_lookups_answer_as_single_ones(main_dex: bytes) -> None:
    """prefetch_strings (one C call for the values not looked up yet) leaves find_string answering as a DexFile
    that never prefetched: present, absent, repeated, non-ASCII and already looked-up values alike."""
    plain = DexFile("classes.dex", main_dex)
    present = [plain.string(i) for i in range(0, plain.string_ids_size, 3)]
    values = [*present, "Lnot/There;", "zzz-absent", present[0], "\u4e2d\u6587", "Landroid/app/Activity;"]
    dex = DexFile("classes.dex", main_dex)
    dex.find_string(present[1])  # one already cached
    dex.prefetch_strings(values)
    dex.prefetch_strings(iter(values))  # a second time (all cached), from an iterator
    assert [dex.find_string(v) for v in values] == [plain.find_string(v) for v in values]
    assert all(dex.find_string(v) is not None for v in present)


def test_mutf8_non_ascii_string_decoded(main_dex: bytes) -> None:
    dex = DexFile("classes.dex", main_dex)
    expected = "个人信息 \U0001f600 nul:\x00."
    idx = dex.find_string(expected)
    assert idx is not None and dex.string(idx) == expected


def test_decode_mutf8_units() -> None:
    assert decode_mutf8(b"abc") == "abc"
    assert decode_mutf8(b"a\xc0\x80b") == "a\x00b"
    assert decode_mutf8(b"\xed\xa0\xbd\xed\xb8\x80") == "\U0001f600"  # surrogate pair, CESU style
    assert decode_mutf8(b"\xff\xfe") == "\ufffd\ufffd"  # garbage never raises


def test_method_and_field_descriptors(main_dex: bytes) -> None:
    dex = DexFile("classes.dex", main_dex)
    [m] = dex.find_methods("Lcom/aw/t/Walk;", "many")
    assert dex.method_desc(m) == "Lcom/aw/t/Walk;->many(IIIIII)V"
    assert dex.method_param_types(m) == ["I"] * 6
    [f] = dex.find_fields("Landroid/os/Build;", "SERIAL")
    assert dex.field_desc(f) == "Landroid/os/Build;->SERIAL:Ljava/lang/String;"
    assert dex.find_methods("Lcom/aw/t/Walk;", "nope") == []


def test_split_container_single_dex(main_dex: bytes) -> None:
    [dex] = split_container("classes.dex", main_dex)
    assert dex.name == "classes.dex"


@pytest.mark.parametrize("version", ["035", "037", "038", "039", "040", "041"])
def test_written_dex_every_version(version: str) -> None:
    from appwarden.dex.index import build_index

    from .dexwriter import build_dex

    data = build_dex(version)
    [dex] = split_container("classes.dex", data)
    assert dex.version == int(version)
    assert dex.class_descriptors == ["Lx/A;"]
    index = build_index([("classes.dex", data)])
    assert index.errors == []
    assert index.method_strings("Lx/A;->f()V") == ["hello"]
    assert [r.caller for r in index.invokes(["Lx/A;->f"])] == ["Lx/A;->f()V"]


def test_dex_041_container_with_three_dex_files() -> None:
    from appwarden.dex.index import build_index

    from .dexwriter import build_container

    data = build_container(3)
    dexes = split_container("classes.dex", data)
    assert [d.name for d in dexes] == ["classes.dex", "classes.dex!1", "classes.dex!2"]
    assert [d.header_offset for d in dexes] == [0, len(data) // 3, 2 * len(data) // 3]
    index = build_index([("classes.dex", data)])
    refs = index.strings_matching(["hello"])
    assert [r.dex for r in refs] == ["classes.dex", "classes.dex!1", "classes.dex!2"]
    assert len({r.offset for r in refs}) == 3  # offsets are positions in the container


def test_dex_041_header_offset_must_match() -> None:
    from .dexwriter import build_dex

    data = bytearray(build_dex("041"))
    struct.pack_into("<I", data, 0x74, 8)
    with pytest.raises(DexFormatError, match="header_offset"):
        DexFile("classes.dex", bytes(data))
    data = bytearray(build_dex("041"))
    struct.pack_into("<I", data, 0x70, len(data) + 100)
    with pytest.raises(DexFormatError, match="container_size"):
        DexFile("classes.dex", bytes(data))


def _reference_string(dex: DexFile, idx: int) -> str:
    """DexFile.string as it read the string data before it skipped the length without decoding it."""
    from appwarden.dex.reader import _read_uleb

    off = dex.string_ids[idx]
    _, pos = _read_uleb(dex.data, off)
    end = dex.data.find(b"\0", pos, dex.container_size)
    return decode_mutf8(dex.data[pos:end])


def test_string_skips_the_length_as_the_decoder_read_it(main_dex: bytes) -> None:
    dex = DexFile("main.dex", main_dex)
    texts = [dex.string(i) for i in range(dex.string_ids_size)]
    assert texts == [_reference_string(DexFile("main.dex", main_dex), i) for i in range(dex.string_ids_size)]
    # strings whose uleb128 length takes several bytes (>= 128 UTF-16 units), one of 1 byte, an empty one
    off = dex.string_ids[0]
    for length, body in ((200, b"a" * 200), (0x4000, b"b" * 0x4000), (5, b"hello"), (0, b"")):
        uleb = bytearray()
        v = length
        while True:
            uleb.append((v & 0x7F) | (0x80 if v > 0x7F else 0))
            v >>= 7
            if not uleb[-1] & 0x80:
                break
        patched = DexFile("main.dex", main_dex)
        patched.data = main_dex[:off] + bytes(uleb) + body + b"\0" + main_dex[off:]
        patched.container_size = len(patched.data)
        assert patched.string(0) == body.decode() == _reference_string(patched, 0)


@pytest.mark.parametrize(
    ("tail", "message"),
    [(b"\x80\x80\x80\x80\x80\x01", "longer than 5 bytes"), (b"\x80\x80", "runs past the end")],
)
def test_string_with_a_bad_length_raises_the_decoders_error(
    main_dex: bytes, tail: bytes, message: str
) -> None:
    """A length that never ends (checked up front by validate(), so only reachable past it) fails as before."""
    dex = DexFile("main.dex", main_dex)
    dex.data = main_dex + tail
    dex.container_size = len(dex.data)
    dex.string_ids = type(dex.string_ids)(dex.string_ids.typecode, [len(main_dex)])
    with pytest.raises(DexFormatError, match=message):
        dex.string(0)


def test_find_methods_in_an_unsorted_method_table_keeps_to_the_class(main_dex: bytes) -> None:
    """A corrupt DEX whose method ids are not sorted by class (found by the fuzz test: one class_idx byte zeroed)
    must not make find_methods / find_fields answer another class's members (the call-site finder then met a
    reference it had not asked for and failed with a KeyError)."""
    from appwarden.dex.api_index import PiApiIndex, find_callsites
    from appwarden.dex.index import build_index

    data = bytearray(main_dex)
    data[0x70 + 1096 % (len(data) - 0x70)] = 0  # the fuzz test's falsifying example
    dex = DexFile("classes.dex", bytes(data))
    assert any(dex.method_class[i] > dex.method_class[i + 1] for i in range(dex.method_ids_size - 1))
    for t in range(dex.type_ids_size):
        desc = dex.type_desc(t)
        assert all(dex.method_class[m] == t for m in dex.find_methods(desc))
        assert all(dex.field_class[f] == t for f in dex.find_fields(desc))
    sites = find_callsites(build_index([("classes.dex", bytes(data))]), PiApiIndex.load())
    assert sites  # no KeyError, and the other call sites are still found


@pytest.mark.parametrize("how", ["repeat", "swap", "last_pair"])
def test_type_ids_must_strictly_increase(main_dex: bytes, how: str) -> None:
    dex = DexFile("main.dex", main_dex)
    off, n = dex.type_ids_off, dex.type_ids_size
    ids = list(struct.unpack_from(f"<{n}I", main_dex, off))
    i = {"repeat": 3, "swap": 5, "last_pair": n - 2}[how]
    if how == "repeat":
        ids[i + 1] = ids[i]
    else:
        ids[i], ids[i + 1] = ids[i + 1], ids[i]
    data = bytearray(main_dex)
    struct.pack_into(f"<{n}I", data, off, *ids)
    with pytest.raises(DexFormatError, match="type_ids are not strictly increasing"):
        DexFile("main.dex", bytes(data))
