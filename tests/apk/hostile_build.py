"""Generators of hostile APK parts for the limit tests (issue #17): zips whose entries share or overlap their
data, and string pools whose many indices point at one long string. Small on disk, built in memory."""

from __future__ import annotations

import struct
import zlib

from .apk_zipbuild import Node, a, build_axml, manifest_node

MANIFEST = build_axml(manifest_node("com.ex.hostile", Node("application", [a("label", "Hostile")])))


def _local(name: bytes, method: int, crc: int, csize: int, usize: int) -> bytes:
    return (
        struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0, crc, csize, usize, len(name), 0)
        + name
    )


def _central(name: bytes, method: int, crc: int, csize: int, usize: int, offset: int) -> bytes:
    head = struct.pack(
        "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, csize, usize, len(name), 0, 0, 0, 0, 0,
        offset,
    )  # fmt: skip
    return head + name


def _finish(out: bytearray, cd: bytearray, count: int) -> bytes:
    cd_offset = len(out)
    out += cd
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(cd), cd_offset, 0)
    return bytes(out)


def shared_record_apk(payload: bytes, copies: int) -> bytes:
    """An APK whose ``classes.dex`` … ``classes{copies}.dex`` central-directory records all point at one deflated
    local record of ``payload`` (the 273 KB APK that inflated to 4.3 GB)."""
    out = bytearray()
    cd = bytearray()
    records: list[tuple[bytes, bytes]] = [(b"AndroidManifest.xml", MANIFEST), (b"classes.dex", payload)]
    shared: tuple[int, int, int, int] | None = None
    for name, data in records:
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = comp.compress(data) + comp.flush()
        crc = zlib.crc32(data) & 0xFFFFFFFF
        offset = len(out)
        out += _local(name, 8, crc, len(body), len(data)) + body
        cd += _central(name, 8, crc, len(body), len(data), offset)
        shared = (crc, len(body), len(data), offset)
    assert shared is not None
    for i in range(2, copies + 1):
        cd += _central(f"classes{i}.dex".encode(), 8, *shared)
    return _finish(out, cd, 1 + copies)


def overlapping_apk(inner: bytes) -> bytes:
    """An APK whose stored ``assets/outer.bin`` contains, inside its data, the whole local record of
    ``assets/inner.bin`` (the overlapping-entries zip bomb shape: one entry's data is part of another's)."""
    out = bytearray()
    cd = bytearray()
    crc_m = zlib.crc32(MANIFEST) & 0xFFFFFFFF
    cd += _central(b"AndroidManifest.xml", 0, crc_m, len(MANIFEST), len(MANIFEST), len(out))
    out += _local(b"AndroidManifest.xml", 0, crc_m, len(MANIFEST), len(MANIFEST)) + MANIFEST
    inner_crc = zlib.crc32(inner) & 0xFFFFFFFF
    inner_record = _local(b"assets/inner.bin", 0, inner_crc, len(inner), len(inner)) + inner
    outer_data = b"pad!" + inner_record
    outer_crc = zlib.crc32(outer_data) & 0xFFFFFFFF
    outer_offset = len(out)
    out += _local(b"assets/outer.bin", 0, outer_crc, len(outer_data), len(outer_data))
    inner_offset = len(out) + 4
    out += outer_data
    cd += _central(b"assets/outer.bin", 0, outer_crc, len(outer_data), len(outer_data), outer_offset)
    cd += _central(b"assets/inner.bin", 0, inner_crc, len(inner), len(inner), inner_offset)
    return _finish(out, cd, 3)


def one_string_pool(indices: int, text: str) -> bytes:
    """A UTF-16 ResStringPool chunk of ``indices`` entries whose offsets all point at one string ``text``."""
    encoded = struct.pack("<H", len(text)) if len(text) < 0x8000 else struct.pack(">HH", 0, 0)
    if len(text) >= 0x8000:
        encoded = struct.pack("<HH", 0x8000 | (len(text) >> 16), len(text) & 0xFFFF)
    data = encoded + text.encode("utf-16-le") + b"\x00\x00"
    while len(data) % 4:
        data += b"\x00"
    header_size = 28
    strings_start = header_size + 4 * indices
    size = strings_start + len(data)
    head = struct.pack("<HHIIIIII", 0x0001, header_size, size, indices, 0, 0, strings_start, 0)
    return head + bytes(4 * indices) + data
