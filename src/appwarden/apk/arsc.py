"""resources.arsc: just enough of the resource table to resolve references such as the app label.

Contract: :class:`ResourceTable` (``ResourceTable(data)``) indexes the chunk structure only -- packages, their
type/key string pools and the offsets of each ``RES_TABLE_TYPE`` chunk -- so opening is cheap even for large tables;
:meth:`ResourceTable.resolve` then looks one resource ID up directly (entry offset arrays, dense, 16-bit or sparse).
Resolution prefers the default configuration (all qualifiers zero), then a Chinese (``zh``) one, else the first
configuration that has the entry. Strings come from the global value pool; references are followed up to :data:`MAX_REF_DEPTH` hops; booleans
and integers come back as ``bool``/``int``; other types as aapt-like text; complex (bag) entries as ``None``.
Malformed tables raise :class:`~appwarden.errors.ArscFormatError` at construction; a malformed entry found later
during a lookup reads as ``None``. Nothing here allocates in proportion to a count it has not bounds-checked.
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from appwarden.apk.axml import (
    TYPE_DYNAMIC_REFERENCE,
    TYPE_INT_BOOLEAN,
    TYPE_INT_DEC,
    TYPE_INT_HEX,
    TYPE_NULL,
    TYPE_REFERENCE,
    TYPE_STRING,
    StringPool,
    format_value,
)
from appwarden.errors import ArscFormatError, AxmlFormatError

RES_STRING_POOL_TYPE = 0x0001
RES_TABLE_TYPE = 0x0002
RES_TABLE_PACKAGE_TYPE = 0x0200
RES_TABLE_TYPE_TYPE = 0x0201
FLAG_COMPLEX = 0x0001
FLAG_COMPACT = 0x0008
TYPE_FLAG_SPARSE = 0x01
TYPE_FLAG_OFFSET16 = 0x02
NO_ENTRY = 0xFFFFFFFF
MAX_REF_DEPTH = 8

_CHUNK = struct.Struct("<HHI")


@dataclass(slots=True)
class _TypeChunk:
    """Where one ResTable_type chunk (one configuration of one resource type) lies in resources.arsc."""

    offset: int  # of the chunk
    header_size: int
    size: int
    flags: int
    entry_count: int
    entries_start: int  # absolute
    default: bool  # the configuration has no qualifiers
    chinese: bool = (
        False  # language "zh": preferred after the default configuration (reports are Chinese first)
    )


@dataclass(slots=True)
class _Package:
    """One resource package of resources.arsc: its id, name, name pools and type chunks by type id."""

    id: int
    name: str
    type_names: StringPool | None
    key_names: StringPool | None
    types: dict[int, list[_TypeChunk]] = field(default_factory=dict)


def _pool(buf: bytes, pos: int, end: int) -> StringPool:
    if pos + 8 > end:
        raise ArscFormatError("resources.arsc: string pool outside its chunk")
    ctype, hsize, size = _CHUNK.unpack_from(buf, pos)
    if ctype != RES_STRING_POOL_TYPE or size < hsize or pos + size > end:
        raise ArscFormatError("resources.arsc: bad string pool chunk")
    try:
        return StringPool(buf, pos, hsize, size)
    except AxmlFormatError as exc:
        raise ArscFormatError(f"resources.arsc: {str(exc).replace('binary XML: ', '')}") from None


class ResourceTable:
    """Index of a resources.arsc buffer; see the module docstring."""

    def __init__(self, data: bytes) -> None:
        self._buf = bytes(data)
        self.strings: StringPool | None = None
        self.packages: dict[int, _Package] = {}
        try:
            self._parse()
        except ArscFormatError:
            raise
        except (struct.error, IndexError, ValueError, OverflowError, MemoryError) as exc:
            raise ArscFormatError(f"resources.arsc is malformed ({type(exc).__name__})") from None

    def _parse(self) -> None:
        buf = self._buf
        size = len(buf)
        if size < 12:
            raise ArscFormatError("resources.arsc: too short for a table header")
        ctype, hsize, tsize = _CHUNK.unpack_from(buf, 0)
        if ctype != RES_TABLE_TYPE:
            raise ArscFormatError(f"resources.arsc: not a resource table (chunk type 0x{ctype:04x})")
        if hsize < 12 or hsize > tsize or tsize > size:
            raise ArscFormatError("resources.arsc: bad table header")
        pos, end = hsize, tsize
        while pos + 8 <= end:
            ctype, hsize, csize = _CHUNK.unpack_from(buf, pos)
            if csize < 8 or hsize < 8 or hsize > csize or pos + csize > end:
                raise ArscFormatError(f"resources.arsc: bad chunk header at offset {pos}")
            if ctype == RES_STRING_POOL_TYPE and self.strings is None:
                self.strings = _pool(buf, pos, pos + csize)
            elif ctype == RES_TABLE_PACKAGE_TYPE:
                self._package(pos, hsize, csize)
            pos += csize

    def _package(self, start: int, hsize: int, size: int) -> None:
        buf = self._buf
        end = start + size
        if hsize < 12 + 256 + 16:
            raise ArscFormatError("resources.arsc: package header too small")
        (pkg_id,) = struct.unpack_from("<I", buf, start + 8)
        name = buf[start + 12 : start + 12 + 256].decode("utf-16-le", "replace").split("\x00", 1)[0]
        type_strings, _last_type, key_strings, _last_key = struct.unpack_from("<IIII", buf, start + 268)
        type_names = _pool(buf, start + type_strings, end) if type_strings else None
        key_names = _pool(buf, start + key_strings, end) if key_strings else None
        pkg = self.packages.setdefault(pkg_id & 0xFF, _Package(pkg_id & 0xFF, name, type_names, key_names))
        pos = start + hsize
        while pos + 8 <= end:
            ctype, chsize, csize = _CHUNK.unpack_from(buf, pos)
            if csize < 8 or chsize < 8 or chsize > csize or pos + csize > end:
                raise ArscFormatError(f"resources.arsc: bad chunk header at offset {pos}")
            if ctype == RES_TABLE_TYPE_TYPE and chsize >= 20:
                type_id, flags, _res, count, entries_start = struct.unpack_from("<BBHII", buf, pos + 8)
                config = buf[pos + 20 : pos + chsize]
                default = len(config) < 4 or not any(config[4:])
                chinese = config[8:10] == b"zh"  # ResTable_config: size, imsi (4), then language[2]
                chunk = _TypeChunk(pos, chsize, csize, flags, count, pos + entries_start, default, chinese)
                pkg.types.setdefault(type_id, []).append(chunk)
            pos += csize

    # -- lookups ------------------------------------------------------------------------------------------------
    def name_of(self, res_id: int) -> str | None:
        """``type/key`` of a resource ID (``string/app_name``), or None."""
        pkg = self.packages.get((res_id >> 24) & 0xFF)
        if pkg is None or pkg.type_names is None:
            return None
        type_name = pkg.type_names.get(((res_id >> 16) & 0xFF) - 1)
        for chunk in self._chunks(res_id):
            entry = self._entry(chunk, res_id & 0xFFFF)
            if entry is not None and pkg.key_names is not None:
                return f"{type_name}/{pkg.key_names.get(entry[0])}"
        return None

    def _chunks(self, res_id: int) -> list[_TypeChunk]:
        pkg = self.packages.get((res_id >> 24) & 0xFF)
        if pkg is None:
            return []
        chunks = pkg.types.get((res_id >> 16) & 0xFF, [])
        return sorted(chunks, key=lambda c: (not c.default, not c.chinese))

    def _entry(self, c: _TypeChunk, index: int) -> tuple[int, int, int, int] | None:
        """(key index, flags, value type, value data) of entry ``index`` in chunk ``c``, or None."""
        buf = self._buf
        table = c.offset + c.header_size
        chunk_end = c.offset + c.size
        try:
            if c.flags & TYPE_FLAG_SPARSE:
                n = c.entry_count
                if table + 4 * n > chunk_end:
                    return None
                idx = [struct.unpack_from("<H", buf, table + 4 * i)[0] for i in range(min(n, 65536))]
                i = bisect.bisect_left(idx, index)
                if i >= len(idx) or idx[i] != index:
                    return None
                off = struct.unpack_from("<H", buf, table + 4 * i + 2)[0] * 4
            elif c.flags & TYPE_FLAG_OFFSET16:
                if index >= c.entry_count or table + 2 * index + 2 > chunk_end:
                    return None
                (off16,) = struct.unpack_from("<H", buf, table + 2 * index)
                if off16 == 0xFFFF:
                    return None
                off = off16 * 4
            else:
                if index >= c.entry_count or table + 4 * index + 4 > chunk_end:
                    return None
                (off,) = struct.unpack_from("<I", buf, table + 4 * index)
                if off == NO_ENTRY:
                    return None
            pos = c.entries_start + off
            if pos + 8 > chunk_end:
                return None
            esize, eflags, key = struct.unpack_from("<HHI", buf, pos)
            if eflags & FLAG_COMPACT:
                return esize, eflags, eflags >> 8, key
            if eflags & FLAG_COMPLEX:
                return key, eflags, -1, 0
            vpos = pos + max(esize, 8)
            if vpos + 8 > chunk_end:
                return None
            _vsize, _res0, vtype, vdata = struct.unpack_from("<HBBI", buf, vpos)
            return key, eflags, vtype, vdata
        except struct.error:
            return None

    def resolve(self, res_id: int, _depth: int = 0) -> str | int | bool | None:
        """The value of ``res_id`` (default configuration first), following references; None when absent."""
        if _depth > MAX_REF_DEPTH:
            return None
        for chunk in self._chunks(res_id):
            entry = self._entry(chunk, res_id & 0xFFFF)
            if entry is None:
                continue
            _key, _flags, vtype, data = entry
            if vtype < 0:
                return None  # a bag (style, array, plurals)
            if vtype == TYPE_STRING:
                return self.strings.get(data) if self.strings is not None else None
            if vtype in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE):
                return self.resolve(data, _depth + 1) if data else None
            if vtype == TYPE_INT_BOOLEAN:
                return data != 0
            if vtype in (TYPE_INT_DEC, TYPE_INT_HEX):
                return data - (1 << 32) if data & 0x80000000 else data
            if vtype == TYPE_NULL:
                return None
            return format_value(vtype, data)
        return None

    def get_string(self, res_id: int) -> str | None:
        """The string value of ``res_id`` (``@string/...``), or None when it is absent or not a string."""
        value = self.resolve(res_id)
        return value if isinstance(value, str) else None

    def entries_of_type(self, type_name: str, limit: int = 200_000) -> Iterator[tuple[int, int, int]]:
        """``(resource ID, value type, value data)`` of every simple entry of the resource type ``type_name``
        (``string``, ``layout``) in every package and configuration, at most ``limit`` entries (bags skipped)."""
        seen = 0
        for pkg_id, pkg in self.packages.items():
            if pkg.type_names is None:
                continue
            for type_id, chunks in pkg.types.items():
                if pkg.type_names.get(type_id - 1) != type_name:
                    continue
                for chunk in chunks:
                    if chunk.flags & TYPE_FLAG_SPARSE:
                        table = chunk.offset + chunk.header_size
                        n = min(chunk.entry_count, (chunk.offset + chunk.size - table) // 4)
                        indices: Iterable[int] = [
                            struct.unpack_from("<H", self._buf, table + 4 * i)[0] for i in range(max(n, 0))
                        ]
                    else:
                        indices = range(chunk.entry_count)
                    for index in indices:
                        if seen >= limit:
                            return
                        entry = self._entry(chunk, index)
                        if entry is None or entry[2] < 0:
                            continue
                        seen += 1
                        yield (pkg_id << 24) | (type_id << 16) | index, entry[2], entry[3]
