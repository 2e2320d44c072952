"""resources.arsc: label resolution on the fixture, compared with the committed res/values source."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from appwarden.apk.archive import ZipArchive
from appwarden.apk.arsc import ResourceTable
from appwarden.apk.axml import parse_axml
from appwarden.errors import ArscFormatError

from .apk_zipbuild import build_arsc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def arsc_and_label_id() -> tuple[bytes, int]:
    z = ZipArchive((FIXTURES / "pi_all.apk").read_bytes())
    app = parse_axml(z.read("AndroidManifest.xml")).root.findall("application")[0]
    return z.read("resources.arsc"), app.attr("label").data


def test_resolves_app_name() -> None:
    data, rid = arsc_and_label_id()
    source = (FIXTURES / "src/pi_all/res/values/strings.xml").read_text(encoding="utf-8")
    expected = re.search(r'<string name="app_name">([^<]+)</string>', source).group(1)
    table = ResourceTable(data)
    assert table.get_string(rid) == expected
    assert table.resolve(rid) == expected
    assert table.name_of(rid) == "string/app_name"
    assert table.packages[0x7F].name == "com.appwarden.fixture.pi"


def test_unknown_ids_are_none() -> None:
    table = ResourceTable(arsc_and_label_id()[0])
    for rid in (0x7F7F0000, 0x7F02FFFF, 0x01010001, 0, 0xFFFFFFFF):
        assert table.resolve(rid) is None
        assert table.get_string(rid) is None


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x02\x00\x0c\x00",
        b"\x03\x00\x08\x00\x08\x00\x00\x00",
        b"\x02\x00\x0c\x00\xff\xff\xff\x7f\x01\x00\x00\x00",
    ],
)
def test_malformed_headers(data: bytes) -> None:
    with pytest.raises(ArscFormatError):
        ResourceTable(data)


def test_chunk_beyond_buffer() -> None:
    data = bytearray(arsc_and_label_id()[0])
    struct.pack_into("<I", data, 12 + 4, 0x7FFFFFF0)  # the global string pool's size
    with pytest.raises(ArscFormatError):
        ResourceTable(bytes(data))


def test_corrupt_entry_offsets_read_as_none() -> None:
    data, rid = arsc_and_label_id()
    buf = bytearray(data)
    # overwrite every 4-byte word after the package header region's type chunks with 0x7fffffff offsets
    pos = buf.find(struct.pack("<H", 0x0201))
    while pos != -1:
        hsize, size = struct.unpack_from("<HI", buf, pos + 2)
        if 0 < hsize < size < len(buf):
            count = struct.unpack_from("<I", buf, pos + 12)[0]
            if count < 1000:
                for i in range(count):
                    struct.pack_into("<I", buf, pos + hsize + 4 * i, 0x7FFFFFF0)
        pos = buf.find(struct.pack("<H", 0x0201), pos + 2)
    table = ResourceTable(bytes(buf))
    assert table.resolve(rid) is None


@pytest.mark.parametrize("mode", ["dense", "offset16", "sparse", "compact"])
def test_entry_encodings_and_config_preference(mode: str) -> None:
    data = build_arsc(
        [
            (b"en", ["English name", "only-en", None]),
            (b"zh", ["中文名", None, None]),
            (b"", [None, None, "default-3"]),
            (b"fr", [None, None, "fr-3"]),
        ],
        keys=["app_name", "other", "third"],
        mode=mode,
    )
    t = ResourceTable(data)
    assert t.get_string(0x7F010000) == "中文名"  # no default: the Chinese configuration first
    assert t.get_string(0x7F010001) == "only-en"  # else any configuration that has it
    assert t.get_string(0x7F010002) == "default-3"  # the default configuration wins
    assert t.name_of(0x7F010000) == "string/app_name"
    assert t.get_string(0x7F010003) is None  # beyond the entry count
    assert t.get_string(0x7F020000) is None  # no such type
