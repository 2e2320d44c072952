"""Hand-made zip and binary-XML builders for the APK reader tests (hostile and quirky inputs, built in memory).

Written for these tests only: every field can be set to a lie (sizes, methods, flags, offsets), which Python's
``zipfile`` writer does not allow.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field


@dataclass
class Entry:
    name: str | bytes
    data: bytes = b""
    method: int = 8  # 0 stored, 8 deflated, anything else: deflated bytes with that method number
    flags: int = 0
    local_method: int | None = None  # lie in the local header
    data_descriptor: bool = False  # sizes/crc zero in the local header, descriptor after the data
    cd_usize: int | None = None  # lie in the central directory
    cd_csize: int | None = None
    extra: bytes = b""
    raw_payload: bytes | None = None  # use these bytes as the stored payload instead of compressing data

    def payload(self) -> bytes:
        if self.raw_payload is not None:
            return self.raw_payload
        if self.method == 0:
            return self.data
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(self.data) + c.flush()

    def raw_name(self) -> bytes:
        return self.name if isinstance(self.name, bytes) else self.name.encode("utf-8")


@dataclass
class ZipSpec:
    entries: list[Entry] = field(default_factory=list)
    prefix: bytes = b""  # bytes before the zip
    adjust_offsets: bool = True  # whether offsets count the prefix
    comment: bytes = b""
    gap_before_eocd: bytes = b""  # garbage between central directory and EOCD
    trailing: bytes = b""  # garbage after the EOCD comment
    declared_entries: int | None = None
    zip64: bool = False  # saturate EOCD fields and add zip64 EOCD + locator
    signing_block: bytes = b""  # inserted right before the central directory


def build_zip(spec: ZipSpec) -> bytes:
    out = bytearray()
    base = len(spec.prefix) if spec.adjust_offsets else 0
    cd = bytearray()
    for e in spec.entries:
        payload = e.payload()
        crc = zlib.crc32(e.data) & 0xFFFFFFFF
        name = e.raw_name()
        flags = e.flags | (0x8 if e.data_descriptor else 0)
        lmethod = e.method if e.local_method is None else e.local_method
        offset = len(out) + base
        l_crc, l_cs, l_us = (0, 0, 0) if e.data_descriptor else (crc, len(payload), len(e.data))
        out += struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, lmethod, 0, 0, l_crc, l_cs, l_us, len(name), 0
        )
        out += name + payload
        if e.data_descriptor:
            out += struct.pack("<4sIII", b"PK\x07\x08", crc, len(payload), len(e.data))
        usize = len(e.data) if e.cd_usize is None else e.cd_usize
        csize = len(payload) if e.cd_csize is None else e.cd_csize
        cd += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            flags,
            e.method,
            0,
            0,
            crc,
            csize,
            usize,
            len(name),
            len(e.extra),
            0,
            0,
            0,
            0,
            offset,
        )
        cd += name + e.extra
    out += spec.signing_block
    cd_offset = len(out) + base
    out += cd
    out += spec.gap_before_eocd
    n = len(spec.entries) if spec.declared_entries is None else spec.declared_entries
    if spec.zip64:
        z64_off = len(out) + base
        out += struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, len(cd), cd_offset)
        out += struct.pack("<4sIQI", b"PK\x06\x07", 0, z64_off, 1)
        out += struct.pack(
            "<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, len(spec.comment)
        )
    else:
        out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, n, n, len(cd), cd_offset, len(spec.comment))
    out += spec.comment + spec.trailing
    return spec.prefix + bytes(out)


# -- binary XML ------------------------------------------------------------------------------------------------------
ANDROID_NS = "http://schemas.android.com/apk/res/android"


@dataclass
class Attr:
    name: str
    value: str | int | bool
    res_id: int | None = None  # android.R.attr ID, goes into the resource map
    ns: str | None = ANDROID_NS
    type: int | None = None  # force a Res_value type


@dataclass
class Node:
    tag: str
    attrs: list[Attr] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    text: str | None = None  # character data, emitted as one CDATA chunk before the children


def _string_pool(strings: list[str], utf8: bool) -> bytes:
    data = bytearray()
    offsets = []
    for s in strings:
        offsets.append(len(data))
        if utf8:
            b = s.encode("utf-8")
            assert len(s) < 0x80 and len(b) < 0x80
            data += bytes([len(s), len(b)]) + b + b"\x00"
        else:
            u = s.encode("utf-16-le")
            data += struct.pack("<H", len(s)) + u + b"\x00\x00"
    while len(data) % 4:
        data += b"\x00"
    header_size = 28
    strings_start = header_size + 4 * len(strings)
    size = strings_start + len(data)
    return (
        struct.pack(
            "<HHIIIIII", 0x0001, header_size, size, len(strings), 0, 0x100 if utf8 else 0, strings_start, 0
        )
        + struct.pack(f"<{len(strings)}I", *offsets)
        + bytes(data)
    )


def build_axml(root: Node, *, utf8: bool = False, with_resource_map: bool = True) -> bytes:
    """Compile a small tree into Android binary XML (attributes with resource IDs come first in the pool, as
    aapt orders them, so that the resource map can index them)."""
    res_attrs: list[tuple[str, int]] = []

    def collect(n: Node) -> None:
        for a in n.attrs:
            if a.res_id is not None and (a.name, a.res_id) not in res_attrs:
                res_attrs.append((a.name, a.res_id))
        for c in n.children:
            collect(c)

    collect(root)
    pool: list[str] = [name for name, _ in res_attrs]
    idx: dict[str, int] = {}

    def sid(s: str) -> int:
        if s in idx:
            return idx[s]
        idx[s] = len(pool)
        pool.append(s)
        return idx[s]

    res_index = {pair: i for i, pair in enumerate(res_attrs)}
    body = bytearray()

    def emit(n: Node) -> None:
        attrs = bytearray()
        for a in n.attrs:
            name_i = res_index[(a.name, a.res_id)] if a.res_id is not None else sid(a.name)
            ns_i = sid(a.ns) if a.ns else 0xFFFFFFFF
            if isinstance(a.value, bool):
                raw, vtype, data = 0xFFFFFFFF, 0x12, 0xFFFFFFFF if a.value else 0
            elif isinstance(a.value, int):
                raw, vtype, data = 0xFFFFFFFF, 0x10, a.value & 0xFFFFFFFF
            else:
                raw = sid(a.value)
                vtype, data = 0x03, raw
            if a.type is not None:
                vtype = a.type
                if a.type == 0x01:
                    raw = 0xFFFFFFFF
            attrs += struct.pack("<IIIHBBI", ns_i, name_i, raw, 8, 0, vtype, data)
        tag_i = sid(n.tag)
        ext = struct.pack("<IIHHHHHH", 0xFFFFFFFF, tag_i, 20, 20, len(n.attrs), 0, 0, 0)
        chunk = ext + bytes(attrs)
        body.extend(struct.pack("<HHIII", 0x0102, 16, 16 + len(chunk), 1, 0xFFFFFFFF) + chunk)
        if n.text is not None:
            cdata = struct.pack("<IHBBI", sid(n.text), 8, 0, 0x00, 0)
            body.extend(struct.pack("<HHIII", 0x0104, 16, 16 + len(cdata), 1, 0xFFFFFFFF) + cdata)
        for c in n.children:
            emit(c)
        body.extend(struct.pack("<HHIIIII", 0x0103, 16, 24, 1, 0xFFFFFFFF, 0xFFFFFFFF, tag_i))

    ns_prefix, ns_uri = sid("android"), sid(ANDROID_NS)
    start_ns = struct.pack("<HHIIIII", 0x0100, 16, 24, 1, 0xFFFFFFFF, ns_prefix, ns_uri)
    emit(root)
    end_ns = struct.pack("<HHIIIII", 0x0101, 16, 24, 1, 0xFFFFFFFF, ns_prefix, ns_uri)
    sp = _string_pool(pool, utf8)
    rmap = b""
    if with_resource_map and res_attrs:
        ids = [rid for _, rid in res_attrs]
        rmap = struct.pack("<HHI", 0x0180, 8, 8 + 4 * len(ids)) + struct.pack(f"<{len(ids)}I", *ids)
    content = sp + rmap + start_ns + bytes(body) + end_ns
    return struct.pack("<HHI", 0x0003, 8, 8 + len(content)) + content


R = {
    "name": 0x01010003,
    "label": 0x01010001,
    "exported": 0x01010010,
    "versionCode": 0x0101021B,
    "versionName": 0x0101021C,
    "minSdkVersion": 0x0101020C,
    "targetSdkVersion": 0x01010270,
    "authorities": 0x01010018,
    "value": 0x01010024,
    "enabled": 0x0101000E,
    "maxSdkVersion": 0x01010271,
    "protectionLevel": 0x01010009,
}


def a(name: str, value: str | int | bool, **kw: object) -> Attr:
    """An android: attribute with its real resource ID."""
    return Attr(name, value, res_id=R[name], **kw)  # type: ignore[arg-type]


def manifest_node(package: str, *children: Node, target: int | None = 30, version_code: int = 1) -> Node:
    sdk_attrs = [a("minSdkVersion", 15)]
    if target is not None:
        sdk_attrs.append(a("targetSdkVersion", target))
    return Node(
        "manifest",
        [a("versionCode", version_code), a("versionName", "1.0"), Attr("package", package, ns=None)],
        [Node("uses-sdk", sdk_attrs), *children],
    )


# -- resources.arsc --------------------------------------------------------------------------------------------------
def _config(language: bytes = b"") -> bytes:
    """A 64-byte ResTable_config with only the language set (empty: the default configuration)."""
    cfg = bytearray(64)
    struct.pack_into("<I", cfg, 0, 64)
    cfg[8 : 8 + len(language)] = language
    return bytes(cfg)


def build_arsc(
    configs: list[tuple[bytes, list[str | None]]],
    *,
    keys: list[str] | None = None,
    mode: str = "dense",  # dense | offset16 | sparse | compact
    package_id: int = 0x7F,
) -> bytes:
    """A resource table with one type ("string") and one type chunk per (language, values) pair; values[i] is the
    string of entry i in that configuration (None: no entry)."""
    pool: list[str] = []
    for _lang, values in configs:
        for v in values:
            if v is not None and v not in pool:
                pool.append(v)
    n = max(len(v) for _l, v in configs)
    keys = keys or [f"s{i}" for i in range(n)]
    global_pool = (
        _string_pool(pool, utf8=True) if all(len(s) < 0x80 for s in pool) else _string_pool(pool, False)
    )
    type_pool = _string_pool(["string"], utf8=True)
    key_pool = _string_pool(keys, utf8=True)
    chunks = bytearray()
    spec = struct.pack("<HHIBBHI", 0x0202, 16, 16 + 4 * n, 1, 0, 0, n) + b"\x00" * (4 * n)
    chunks += spec
    for lang, values in configs:
        entries = bytearray()
        offsets: list[int | None] = []
        for i in range(n):
            v = values[i] if i < len(values) else None
            if v is None:
                offsets.append(None)
                continue
            offsets.append(len(entries))
            if mode == "compact":
                entries += struct.pack("<HHI", i, 0x0008 | (0x03 << 8), pool.index(v))
            else:
                entries += struct.pack("<HHI", 8, 0, i) + struct.pack("<HBBI", 8, 0, 0x03, pool.index(v))
        flags = 0
        if mode == "sparse":
            flags = 0x01
            present = [(i, o) for i, o in enumerate(offsets) if o is not None]
            table = b"".join(struct.pack("<HH", i, o // 4) for i, o in present)
            count = len(present)
        elif mode == "offset16":
            flags = 0x02
            table = b"".join(struct.pack("<H", 0xFFFF if o is None else o // 4) for o in offsets)
            table += b"\x00" * (len(table) % 4)
            count = n
        else:
            table = b"".join(struct.pack("<I", 0xFFFFFFFF if o is None else o) for o in offsets)
            count = n
        header_size = 20 + 64
        entries_start = header_size + len(table)
        size = entries_start + len(entries)
        chunks += struct.pack("<HHIBBHII", 0x0201, header_size, size, 1, flags, 0, count, entries_start)
        chunks += _config(lang) + table + bytes(entries)
    pkg_header = 288
    name = "com.example.res".encode("utf-16-le").ljust(256, b"\x00")
    type_off = pkg_header
    key_off = type_off + len(type_pool)
    body = type_pool + key_pool + bytes(chunks)
    pkg = struct.pack("<HHII", 0x0200, pkg_header, pkg_header + len(body), package_id) + name
    pkg += struct.pack("<IIIII", type_off, 1, key_off, len(keys), 0) + body
    content = global_pool + pkg
    return struct.pack("<HHII", 0x0002, 12, 12 + len(content), 1) + content
