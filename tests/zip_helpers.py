"""Small zip helpers shared by tests."""

from __future__ import annotations

import struct


def with_comment(data: bytes, comment: bytes) -> bytes:
    """The same zip with a different EOCD comment: distinct bytes (and sha256), same content."""
    pos = data.rfind(b"PK\x05\x06")
    assert pos >= 0, "not a zip: no end-of-central-directory record"
    eocd = bytearray(data[pos : pos + 22])
    struct.pack_into("<H", eocd, 20, len(comment))
    return data[:pos] + bytes(eocd) + comment
