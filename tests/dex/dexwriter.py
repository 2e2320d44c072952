"""A tiny DEX writer for tests: one class ``Lx/A;`` with ``f()V`` = const-string "hello"; invoke-static f(); return.

Used to build inputs smali cannot produce: any header version (035-041), the DEX 041 header (0x78 bytes with
``container_size`` / ``header_offset``) and DEX 041 containers holding several DEX files, with every offset
relative to the start of the container.
"""

from __future__ import annotations

import struct

STRINGS = ["Ljava/lang/Object;", "Lx/A;", "V", "f", "hello"]  # already in DEX (UTF-16) order
CODE_UNITS = [
    0x001A,
    0x0004,
    0x0071,
    0x0000,
    0x0000,
    0x000E,
]  # const-string v0 #4; invoke-static {} m0; return


def _uleb(v: int) -> bytes:
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def _align(buf: bytearray, n: int = 4) -> None:
    while len(buf) % n:
        buf.append(0)


def build_dex(version: str = "039", base: int = 0, container_size: int | None = None) -> bytes:
    """One DEX whose offsets are relative to a container starting ``base`` bytes before it."""
    v41 = int(version) >= 41
    header_size = 0x78 if v41 else 0x70
    body = bytearray()  # everything after the header, at absolute offset base + header_size + len(body)

    def here() -> int:
        return base + header_size + len(body)

    string_ids_off = here()
    body += bytes(4 * len(STRINGS))
    type_ids_off = here()
    body += struct.pack("<3I", 0, 1, 2)
    proto_ids_off = here()
    body += struct.pack("<3I", 2, 2, 0)  # shorty "V", returns V, no parameters
    method_ids_off = here()
    body += struct.pack("<HHI", 1, 0, 3)  # Lx/A;->f()V
    class_defs_off = here()
    class_def_at = len(body)
    body += bytes(32)
    data_off = here()
    for i, s in enumerate(STRINGS):
        struct.pack_into("<I", body, string_ids_off - base - header_size + 4 * i, here())
        body += _uleb(len(s)) + s.encode() + b"\0"
    _align(body)
    code_off = here()
    body += struct.pack("<4HII", 1, 0, 0, 0, 0, len(CODE_UNITS)) + struct.pack(
        f"<{len(CODE_UNITS)}H", *CODE_UNITS
    )
    _align(body)
    class_data_off = here()
    body += _uleb(0) + _uleb(0) + _uleb(1) + _uleb(0) + _uleb(0) + _uleb(0x9) + _uleb(code_off)
    _align(body)
    map_off = here()
    body += struct.pack("<I", 1) + struct.pack("<HHII", 0, 0, 1, base)  # header item only
    struct.pack_into("<8I", body, class_def_at, 1, 1, 0, 0, 0xFFFFFFFF, 0, class_data_off, 0)
    file_size = header_size + len(body)
    header = bytearray(header_size)
    header[:8] = b"dex\n" + version.encode() + b"\0"
    struct.pack_into("<III", header, 32, file_size, header_size, 0x12345678)
    struct.pack_into(
        "<17I",
        header,
        44,
        0,
        0,
        map_off,
        len(STRINGS),
        string_ids_off,
        3,
        type_ids_off,
        1,
        proto_ids_off,
        0,
        0,
        1,
        method_ids_off,
        1,
        class_defs_off,
        len(body) - (data_off - base - header_size),
        data_off,
    )
    if v41:
        struct.pack_into("<II", header, 0x70, container_size or file_size, base)
    return bytes(header + body)


def build_container(count: int) -> bytes:
    """A DEX 041 container of ``count`` DEX files (sizes fixed, so two passes give the container size)."""
    one = len(build_dex("041"))
    total = one * count
    return b"".join(build_dex("041", base=i * one, container_size=total) for i in range(count))


def shared_string_dex(ids: int, length: int, *, step: int = 0) -> bytes:
    """The DEX of :func:`build_dex` plus ``ids`` extra string ids (sorted after the real ones) pointing into one
    string of ``length`` bytes: all at its start (``step`` 0, shared string data) or ``step`` bytes apart inside
    it (overlapping string data). Android's verifier rejects both; a per-id decoder does ``ids x length`` work."""
    dex = bytearray(build_dex("035"))
    n, off = struct.unpack_from("<II", dex, 56)
    old = struct.unpack_from(f"<{n}I", dex, off)
    _align(dex)
    at = len(dex)
    dex += _uleb(length) + b"z" * length + b"\0"
    _align(dex)
    table = len(dex)
    dex += struct.pack(f"<{n}I", *old)
    dex += b"".join(struct.pack("<I", at + (1 + i * step if step else 0)) for i in range(ids))
    struct.pack_into("<II", dex, 56, n + ids, table)
    struct.pack_into("<I", dex, 32, len(dex))
    return bytes(dex)
