"""Binary XML: real fixture manifests, hand-built documents, obfuscation by attribute name, hostile chunks."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from appwarden.apk import axml
from appwarden.apk.archive import ZipArchive
from appwarden.apk.axml import ANDROID_NS, format_value, parse_axml
from appwarden.errors import AxmlFormatError

from .apk_zipbuild import Attr, Node, a, build_axml, manifest_node

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def fixture_manifest(name: str = "pi_all.apk") -> bytes:
    return ZipArchive((FIXTURES / name).read_bytes()).read("AndroidManifest.xml")


def test_fixture_manifest_tree() -> None:
    doc = parse_axml(fixture_manifest())
    root = doc.root
    assert root is not None and root.tag == "manifest"
    assert root.get("package", ns=None) == "com.appwarden.fixture.pi"
    assert root.get("versionCode") == 7
    assert root.attr("versionCode").text == "7"
    perms = [el.get("name") for el in root.findall("uses-permission")]
    assert "android.permission.READ_PHONE_STATE" in perms and len(perms) == 19
    app = root.findall("application")[0]
    assert app.attr("label").is_reference
    assert app.attr("label").text.startswith("@0x7f")
    assert app.get("debuggable") is True
    tags = [el.tag for el in root.iter()]
    assert tags.count("activity") == 2 and "provider" in tags


@pytest.mark.skipif(shutil.which("aapt") is None, reason="aapt not installed")
def test_fixture_matches_aapt_xmltree() -> None:
    out = subprocess.run(
        ["aapt", "dump", "xmltree", str(FIXTURES / "pi_all.apk"), "AndroidManifest.xml"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    aapt_tags = [line.strip()[3:] for line in out.splitlines() if line.strip().startswith("E: ")]
    aapt_tags = [t.split(" ")[0] for t in aapt_tags]
    ours = [el.tag for el in parse_axml(fixture_manifest()).root.iter()]
    assert ours == aapt_tags


@pytest.mark.parametrize("utf8", [False, True])
def test_hand_built_document_both_pool_encodings(utf8: bool) -> None:
    data = build_axml(manifest_node("com.x.y", Node("application", [a("label", "Hi")])), utf8=utf8)
    doc = parse_axml(data)
    assert doc.strings is not None and doc.strings.utf8 is utf8
    root = doc.root
    assert root.get("package", ns=None) == "com.x.y"
    assert root.get("versionName") == "1.0"
    assert root.children[0].get("targetSdkVersion") == 30
    assert root.children[1].get("label") == "Hi"


def test_attributes_are_matched_by_resource_id_not_name() -> None:
    # An obfuscator renamed android:versionCode to "zz" in the pool: Android still reads it by ID.
    # A plain attribute *named* "versionName" without a resource ID is ignored by Android.
    root = Node(
        "manifest",
        [
            Attr("zz", 42, res_id=0x0101021B),
            Attr("versionName", "fake", res_id=None),
            Attr("package", "p.q", ns=None),
        ],
    )
    doc = parse_axml(build_axml(root))
    el = doc.root
    assert el.get("versionCode") == 42
    assert el.attr("versionCode").name == "versionCode"  # canonical name from the ID
    assert el.get("versionName") is None


def test_without_resource_map_names_are_used() -> None:
    root = Node("manifest", [Attr("versionCode", 5, res_id=None), Attr("package", "p.q", ns=None)])
    doc = parse_axml(build_axml(root, with_resource_map=False))
    assert doc.resource_map == []
    assert doc.root.get("versionCode") == 5


def test_typed_values() -> None:
    assert format_value(0x01, 0x7F010000) == "@0x7f010000"
    assert format_value(0x12, 0xFFFFFFFF) == "true"
    assert format_value(0x12, 0) == "false"
    assert format_value(0x10, 0xFFFFFFFF) == "-1"
    assert format_value(0x11, 0x10) == "0x10"
    assert format_value(0x05, (16 << 8) | 1) == "16dip"  # 16, radix 23p0, unit dip
    assert format_value(0x1C, 0xFF00FF00) == "#ff00ff00"
    root = Node(
        "manifest", [Attr("label", 0x7F020001, res_id=0x01010001, type=0x01), Attr("package", "p", ns=None)]
    )
    attr = parse_axml(build_axml(root)).root.attr("label")
    assert attr.is_reference and attr.data == 0x7F020001 and attr.value == "@0x7f020001"
    assert attr.ns == ANDROID_NS


def test_plain_text_xml_is_rejected() -> None:
    with pytest.raises(AxmlFormatError, match="plain-text XML"):
        parse_axml(b'<?xml version="1.0"?><manifest/>')


@pytest.mark.parametrize("size", [0, 4, 7])
def test_too_short(size: int) -> None:
    with pytest.raises(AxmlFormatError):
        parse_axml(b"\x03\x00\x08\x00" + b"\x00" * size)


def _chunks(data: bytes) -> list[int]:
    """Offsets of the top-level chunks inside the document."""
    offs, pos = [], 8
    while pos < len(data):
        offs.append(pos)
        pos += struct.unpack_from("<I", data, pos + 4)[0]
    return offs


def test_chunk_size_zero_and_beyond_buffer() -> None:
    data = bytearray(fixture_manifest())
    second = _chunks(bytes(data))[1]
    zero = bytearray(data)
    struct.pack_into("<I", zero, second + 4, 0)
    with pytest.raises(AxmlFormatError, match="bad chunk header"):
        parse_axml(bytes(zero))
    huge = bytearray(data)
    struct.pack_into("<I", huge, second + 4, 0x7FFFFFFF)
    with pytest.raises(AxmlFormatError, match="past the end"):
        parse_axml(bytes(huge))
    outer = bytearray(data)
    struct.pack_into("<I", outer, 4, len(data) + 100)
    with pytest.raises(AxmlFormatError, match="beyond"):
        parse_axml(bytes(outer))


def test_huge_string_count_does_not_allocate() -> None:
    data = bytearray(fixture_manifest())
    pool = _chunks(bytes(data))[0]
    struct.pack_into("<I", data, pool + 8, 0x3FFFFFFF)  # stringCount
    with pytest.raises(AxmlFormatError, match="count larger"):
        parse_axml(bytes(data))


def test_bad_string_offsets_read_as_missing() -> None:
    data = bytearray(fixture_manifest())
    pool = _chunks(bytes(data))[0]
    hsize = struct.unpack_from("<H", data, pool + 2)[0]
    count = struct.unpack_from("<I", data, pool + 8)[0]
    for i in range(count):
        struct.pack_into("<I", data, pool + hsize + 4 * i, 0x7FFFFFF0)
    doc = parse_axml(bytes(data))  # every string is unreadable, but the document still parses
    assert doc.strings.get(0) is None
    assert doc.root.tag == ""


def test_unknown_chunks_are_skipped_and_outer_type_tolerated() -> None:
    data = bytearray(fixture_manifest())
    struct.pack_into("<H", data, 0, 0x0000)  # outer type not RES_XML_TYPE (Android does not check it)
    junk = struct.pack("<HHI", 0x0777, 8, 16) + b"\x00" * 8
    first_el = _chunks(bytes(data))[2]
    patched = bytes(data[:first_el]) + junk + bytes(data[first_el:])
    patched = patched[:4] + struct.pack("<I", len(patched)) + patched[8:]
    doc = parse_axml(patched)
    assert doc.root.get("package", ns=None) == "com.appwarden.fixture.pi"
    assert any("not RES_XML_TYPE" in n for n in doc.notes)


def test_attribute_count_beyond_chunk() -> None:
    root = Node("manifest", [Attr("package", "p", ns=None)])
    data = bytearray(build_axml(root))
    # find the start-element chunk and inflate its attribute count
    for off in _chunks(bytes(data)):
        if struct.unpack_from("<H", data, off)[0] == 0x0102:
            struct.pack_into("<H", data, off + 16 + 12, 5000)
            break
    with pytest.raises(AxmlFormatError, match="attributes run past"):
        parse_axml(bytes(data))


def test_deep_nesting_is_bounded() -> None:
    data = build_axml(Node("n"))
    offs = _chunks(data)
    start = next(o for o in offs if struct.unpack_from("<H", data, o)[0] == 0x0102)
    size = struct.unpack_from("<I", data, start + 4)[0]
    body = data[8:start] + data[start : start + size] * 1100  # 1100 start elements, never closed
    doc = struct.pack("<HHI", 3, 8, 8 + len(body)) + body
    with pytest.raises(AxmlFormatError, match="nested deeper"):
        parse_axml(doc)


def test_no_element() -> None:
    data = build_axml(Node("manifest"))
    offs = _chunks(data)
    only_pool = data[offs[0] : offs[1]]
    doc = struct.pack("<HHI", 3, 8, 8 + len(only_pool)) + only_pool
    with pytest.raises(AxmlFormatError, match="no element"):
        parse_axml(doc)


def test_character_data_is_kept_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = parse_axml(build_axml(Node("r", [], [Node("domain", [], text="example.cn")])))
    assert doc.root is not None and doc.root.children[0].text == "example.cn" and doc.root.text is None
    monkeypatch.setattr(axml, "MAX_TEXT", 4)
    doc = parse_axml(build_axml(Node("r", [], [Node("domain", [], text="example.cn")])))
    assert doc.root is not None and doc.root.children[0].text == "exam"
    assert any("truncated" in n for n in doc.notes)
