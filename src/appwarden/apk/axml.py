"""Android binary XML (AXML) parser: string pool, resource map, namespaces, elements, typed attribute values.

Contract: :func:`parse_axml` turns the bytes of a compiled XML file (``AndroidManifest.xml``, ``res/xml/*.xml``)
into a small element tree (:class:`Element` with :class:`Attribute` values). Any malformed input raises
:class:`~appwarden.errors.AxmlFormatError` with a one-line message, never ``IndexError``/``struct.error``/
``MemoryError``/``RecursionError``, and never loops: every chunk advances by at least its header and every count
is checked against the bytes that would hold it before anything is allocated.

Android matches manifest attributes by resource ID, not by name (the name in the string pool can be anything --
obfuscators rename or blank it). Each :class:`Attribute` therefore carries ``res_id`` from the resource map, and
``name`` is the canonical ``android:`` name for a known ID (:data:`ANDROID_ATTRS`), else the string-pool name.
:meth:`Element.attr` looks attributes up by ID when the document has a resource map, as Android does.
Like ``ResXMLTree``, the outer chunk type is not enforced (a note is recorded) and unknown chunk types are skipped.
Character data (``RES_XML_CDATA_TYPE``, e.g. ``<domain>example.com</domain>`` in a network security config) is kept
as :attr:`Element.text` (the element's text chunks concatenated, at most :data:`MAX_TEXT` characters).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from appwarden.errors import AxmlFormatError

ANDROID_NS = "http://schemas.android.com/apk/res/android"

RES_NULL_TYPE = 0x0000
RES_STRING_POOL_TYPE = 0x0001
RES_TABLE_TYPE = 0x0002
RES_XML_TYPE = 0x0003
RES_XML_START_NAMESPACE_TYPE = 0x0100
RES_XML_END_NAMESPACE_TYPE = 0x0101
RES_XML_START_ELEMENT_TYPE = 0x0102
RES_XML_END_ELEMENT_TYPE = 0x0103
RES_XML_CDATA_TYPE = 0x0104
RES_XML_RESOURCE_MAP_TYPE = 0x0180

UTF8_FLAG = 0x100

# Res_value data types
TYPE_NULL = 0x00
TYPE_REFERENCE = 0x01
TYPE_ATTRIBUTE = 0x02
TYPE_STRING = 0x03
TYPE_FLOAT = 0x04
TYPE_DIMENSION = 0x05
TYPE_FRACTION = 0x06
TYPE_DYNAMIC_REFERENCE = 0x07
TYPE_DYNAMIC_ATTRIBUTE = 0x08
TYPE_INT_DEC = 0x10
TYPE_INT_HEX = 0x11
TYPE_INT_BOOLEAN = 0x12
TYPE_FIRST_COLOR = 0x1C
TYPE_LAST_COLOR = 0x1F

MAX_DEPTH = 1024
# Characters of character data kept per element (CDATA chunks may repeat one long pool string).
MAX_TEXT = 64 * 1024

# android.R.attr IDs of the attributes the manifest parser needs (public platform constants).
ANDROID_ATTRS: dict[int, str] = {
    0x01010000: "theme",
    0x01010001: "label",
    0x01010002: "icon",
    0x01010003: "name",
    0x01010006: "permission",
    0x01010007: "readPermission",
    0x01010008: "writePermission",
    0x01010009: "protectionLevel",
    0x0101000A: "permissionGroup",
    0x0101000B: "sharedUserId",
    0x0101000C: "hasCode",
    0x0101000D: "persistent",
    0x0101000E: "enabled",
    0x0101000F: "debuggable",
    0x01010010: "exported",
    0x01010011: "process",
    0x01010012: "taskAffinity",
    0x01010018: "authorities",
    0x01010019: "syncable",
    0x0101001A: "initOrder",
    0x0101001B: "grantUriPermissions",
    0x0101001C: "priority",
    0x0101001D: "launchMode",
    0x01010020: "description",
    0x01010021: "targetPackage",
    0x01010024: "value",
    0x01010025: "resource",
    0x01010026: "mimeType",
    0x01010027: "scheme",
    0x01010028: "host",
    0x01010029: "port",
    0x0101002A: "path",
    0x0101002B: "pathPrefix",
    0x0101002C: "pathPattern",
    0x01010202: "targetActivity",
    0x0101020C: "minSdkVersion",
    0x0101021B: "versionCode",
    0x0101021C: "versionName",
    0x01010270: "targetSdkVersion",
    0x01010271: "maxSdkVersion",
    0x01010272: "testOnly",
    0x01010280: "allowBackup",
    0x0101028E: "required",
    0x010102B7: "installLocation",
    0x010104EC: "usesCleartextTraffic",
    0x01010505: "directBootAware",
    0x01010527: "networkSecurityConfig",
    0x0101052C: "roundIcon",
    0x01010572: "compileSdkVersion",
    0x01010573: "compileSdkVersionCodename",
    0x0101057A: "appComponentFactory",
    0x01010576: "versionCodeMajor",
}
ANDROID_ATTR_IDS: dict[str, int] = {v: k for k, v in ANDROID_ATTRS.items()}

_DIMENSION_UNITS = ("px", "dip", "sp", "pt", "in", "mm")
_FRACTION_UNITS = ("%", "%p")
_RADIX_MULTS = (1.0 / (1 << 8), 1.0 / (1 << 15), 1.0 / (1 << 23), 1.0 / (1 << 31))


def complex_to_float(data: int) -> float:
    """Decode the mantissa/radix of a TypedValue complex (dimension or fraction)."""
    mantissa = data & 0xFFFFFF00
    if mantissa & 0x80000000:
        mantissa -= 1 << 32
    return mantissa * _RADIX_MULTS[(data >> 4) & 3]


def format_value(vtype: int, data: int, string: str | None = None) -> str:
    """Text form of a typed value, as aapt prints it (``@0x7f010000``, ``true``, ``16dip``, ``0x10`` ...)."""
    if vtype == TYPE_STRING:
        return string if string is not None else ""
    if vtype in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE):
        return "@null" if data == 0 else f"@0x{data:08x}"
    if vtype in (TYPE_ATTRIBUTE, TYPE_DYNAMIC_ATTRIBUTE):
        return f"?0x{data:08x}"
    if vtype == TYPE_INT_BOOLEAN:
        return "true" if data else "false"
    if vtype == TYPE_INT_DEC:
        return str(data - (1 << 32) if data & 0x80000000 else data)
    if vtype == TYPE_INT_HEX:
        return f"0x{data:x}"
    if vtype == TYPE_FLOAT:
        return repr(struct.unpack("<f", struct.pack("<I", data))[0])
    if vtype == TYPE_DIMENSION:
        return f"{complex_to_float(data):g}{_DIMENSION_UNITS[data & 0xF] if (data & 0xF) < 6 else ''}"
    if vtype == TYPE_FRACTION:
        return f"{complex_to_float(data) * 100:g}{_FRACTION_UNITS[data & 0xF] if (data & 0xF) < 2 else ''}"
    if TYPE_FIRST_COLOR <= vtype <= TYPE_LAST_COLOR:
        return f"#{data:08x}"
    if vtype == TYPE_NULL:
        return ""
    return f"<0x{vtype:02x}>0x{data:08x}"


class StringPool:
    """A ResStringPool chunk; strings are decoded lazily. Invalid entries read as ``None`` (as Android's
    ``stringAt`` returns NULL) rather than failing the whole document."""

    def __init__(self, buf: bytes, start: int, header_size: int, size: int) -> None:
        if header_size < 28 or header_size > size:
            raise AxmlFormatError("binary XML: string pool header too small")
        count, style_count, flags, strings_start, _styles_start = struct.unpack_from("<IIIII", buf, start + 8)
        if count > (size - header_size) // 4 or style_count > (size - header_size) // 4:
            raise AxmlFormatError("binary XML: string pool count larger than its chunk")
        self.utf8 = bool(flags & UTF8_FLAG)
        self.count = count
        self._buf = buf
        self._offsets = struct.unpack_from(f"<{count}I", buf, start + header_size) if count else ()
        self._data_start = start + strings_start
        self._end = start + size
        if count and not (start + header_size <= self._data_start <= self._end):
            raise AxmlFormatError("binary XML: string pool data offset outside its chunk")
        self._cache: dict[int, str | None] = {}  # keyed by string offset, not index (see get)

    def __len__(self) -> int:
        return self.count

    def get(self, index: int) -> str | None:
        """The string at ``index`` (None when invalid). Decoded strings are cached by their *offset*: a hostile
        pool whose many indices all point at one long string decodes it once and shares one ``str``, so memory
        stays bounded by the pool's unique bytes."""
        if index < 0 or index >= self.count:
            return None
        offset = self._offsets[index]
        try:
            return self._cache[offset]
        except KeyError:
            pass
        try:
            value = self._decode(self._data_start + offset)
        except (struct.error, IndexError, UnicodeDecodeError, ValueError):
            value = None
        self._cache[offset] = value
        return value

    def _decode(self, pos: int) -> str | None:
        buf, end = self._buf, self._end
        if pos >= end:
            return None
        if self.utf8:
            pos += 2 if buf[pos] & 0x80 else 1  # UTF-16 length, unused
            if pos >= end:
                return None
            n = buf[pos]
            if n & 0x80:
                if pos + 1 >= end:
                    return None
                n = ((n & 0x7F) << 8) | buf[pos + 1]
                pos += 2
            else:
                pos += 1
            if pos + n > end:
                return None
            return buf[pos : pos + n].decode("utf-8", "replace")
        if pos + 2 > end:
            return None
        (n,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        if n & 0x8000:
            if pos + 2 > end:
                return None
            (low,) = struct.unpack_from("<H", buf, pos)
            n = ((n & 0x7FFF) << 16) | low
            pos += 2
        if pos + 2 * n > end:
            return None
        return buf[pos : pos + 2 * n].decode("utf-16-le", "replace")


@dataclass(slots=True)
class Attribute:
    """One attribute of a start-element chunk."""

    ns: str | None
    name: str  # canonical android attr name when res_id is a known android.R.attr, else the pool name
    res_id: int | None  # from the resource map, None when the name has no resource ID
    type: int
    data: int
    raw: str | None  # the raw string value, when there is one

    @property
    def value(self) -> str | int | bool | float | None:
        """Python value: ``str`` for strings/references (``@0x7f...``), ``int`` for ints, ``bool`` for booleans."""
        t = self.type
        if t == TYPE_STRING:
            return self.raw if self.raw is not None else ""
        if t == TYPE_INT_BOOLEAN:
            return self.data != 0
        if t in (TYPE_INT_DEC, TYPE_INT_HEX):
            return self.data - (1 << 32) if self.data & 0x80000000 else self.data
        if t == TYPE_FLOAT:
            return struct.unpack("<f", struct.pack("<I", self.data))[0]
        if t == TYPE_NULL:
            return self.raw
        return self.text

    @property
    def text(self) -> str:
        """aapt-like text form of the value."""
        if self.type == TYPE_STRING or (self.type == TYPE_NULL and self.raw is not None):
            return self.raw or ""
        return format_value(self.type, self.data, self.raw)

    @property
    def is_reference(self) -> bool:
        return self.type in (TYPE_REFERENCE, TYPE_DYNAMIC_REFERENCE) and self.data != 0


@dataclass(slots=True)
class Element:
    """An XML element; ``children`` in document order."""

    tag: str
    ns: str | None = None
    attributes: list[Attribute] = field(default_factory=list)
    children: list[Element] = field(default_factory=list)
    line: int = 0
    has_resource_map: bool = True
    text: str | None = None  # character data directly inside (CDATA chunks); None when there is none

    def attr(self, name: str, ns: str | None = ANDROID_NS) -> Attribute | None:
        """The attribute Android would read for ``android:<name>`` (by resource ID when the document has a
        resource map and the name is a known android attr; by namespace + name otherwise)."""
        rid = ANDROID_ATTR_IDS.get(name) if ns == ANDROID_NS else None
        if rid is not None and self.has_resource_map:
            for a in self.attributes:
                if a.res_id == rid:
                    return a
            return None
        for a in self.attributes:
            if a.name == name and (a.ns == ns or (ns is None and not a.ns)):
                return a
        return None

    def get(self, name: str, ns: str | None = ANDROID_NS) -> str | int | bool | float | None:
        a = self.attr(name, ns)
        return None if a is None else a.value

    def iter(self, tag: str | None = None) -> Iterator[Element]:
        """Depth-first over this element and its descendants (iterative; no recursion limit issues)."""
        stack = [self]
        while stack:
            el = stack.pop()
            if tag is None or el.tag == tag:
                yield el
            stack.extend(reversed(el.children))

    def findall(self, tag: str) -> list[Element]:
        return [c for c in self.children if c.tag == tag]


@dataclass(slots=True)
class AxmlDocument:
    """A parsed binary XML file: its element tree, string pool, resource-id map and parse notes."""

    root: Element | None
    strings: StringPool | None
    resource_map: list[int]
    notes: list[str] = field(default_factory=list)


def parse_axml(data: bytes) -> AxmlDocument:
    """Parse compiled XML; raise :class:`AxmlFormatError` on malformed input."""
    try:
        return _parse(bytes(data))
    except AxmlFormatError:
        raise
    except (struct.error, IndexError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        raise AxmlFormatError(f"binary XML is malformed ({type(exc).__name__})") from None


def _parse(buf: bytes) -> AxmlDocument:
    size = len(buf)
    if size < 8:
        raise AxmlFormatError("binary XML: too short for a chunk header")
    if buf[:5].lstrip().startswith(b"<"):
        raise AxmlFormatError("binary XML: this is plain-text XML, not compiled (binary) XML")
    outer_type, outer_hsize, outer_size = struct.unpack_from("<HHI", buf, 0)
    notes: list[str] = []
    if outer_type != RES_XML_TYPE:
        notes.append(f"outer chunk type 0x{outer_type:04x} is not RES_XML_TYPE (tolerated, like Android)")
    if outer_hsize < 8 or outer_hsize > outer_size:
        raise AxmlFormatError("binary XML: bad document header size")
    if outer_size > size:
        raise AxmlFormatError(f"binary XML: document size {outer_size} beyond the {size} bytes available")
    end = outer_size
    pos = outer_hsize
    strings: StringPool | None = None
    resource_map: list[int] = []
    ns_stack: list[tuple[str | None, str | None]] = []
    root: Element | None = None
    stack: list[Element] = []
    texts: dict[int, tuple[Element, list[str], list[int]]] = {}

    def s(index: int) -> str | None:
        if strings is None or index == 0xFFFFFFFF:
            return None
        return strings.get(index)

    while pos + 8 <= end:
        ctype, hsize, csize = struct.unpack_from("<HHI", buf, pos)
        if csize < 8 or hsize < 8 or hsize > csize:
            raise AxmlFormatError(
                f"binary XML: bad chunk header at offset {pos} (size {csize}, header {hsize})"
            )
        if pos + csize > end:
            raise AxmlFormatError(f"binary XML: chunk at offset {pos} runs past the end of the document")
        if ctype == RES_STRING_POOL_TYPE:
            if strings is None:
                strings = StringPool(buf, pos, hsize, csize)
            else:
                notes.append("second string pool ignored")
        elif ctype == RES_XML_RESOURCE_MAP_TYPE:
            n = (csize - hsize) // 4
            resource_map = list(struct.unpack_from(f"<{n}I", buf, pos + hsize))
        elif ctype in (RES_XML_START_NAMESPACE_TYPE, RES_XML_END_NAMESPACE_TYPE):
            if hsize < 16 or pos + hsize + 8 > pos + csize:
                raise AxmlFormatError(f"binary XML: namespace chunk too small at offset {pos}")
            prefix_i, uri_i = struct.unpack_from("<II", buf, pos + hsize)
            if ctype == RES_XML_START_NAMESPACE_TYPE:
                ns_stack.append((s(prefix_i), s(uri_i)))
            elif ns_stack:
                ns_stack.pop()
        elif ctype == RES_XML_START_ELEMENT_TYPE:
            el = _start_element(buf, pos, hsize, csize, s, resource_map)
            if len(stack) >= MAX_DEPTH:
                raise AxmlFormatError(f"binary XML: elements nested deeper than {MAX_DEPTH}")
            if stack:
                stack[-1].children.append(el)
            elif root is None:
                root = el
            else:
                notes.append(f"second root element <{el.tag}> ignored")
                el = Element(tag=el.tag)  # parse its subtree into a detached node
            stack.append(el)
        elif ctype == RES_XML_END_ELEMENT_TYPE:
            if stack:
                stack.pop()
            else:
                notes.append("end element without a start element")
        elif ctype == RES_XML_CDATA_TYPE and stack and hsize >= 16 and hsize + 4 <= csize:
            _cdata(stack[-1], s(struct.unpack_from("<I", buf, pos + hsize)[0]), texts)
        # Unknown chunk types are skipped, as Android does.
        pos += csize
    if root is None:
        raise AxmlFormatError("binary XML: no element in the document")
    for el, parts, size in texts.values():
        el.text = "".join(parts)
        if size[0] > MAX_TEXT:
            notes.append(f"<{el.tag}> character data longer than {MAX_TEXT} characters truncated")
    has_map = bool(resource_map)
    for el in root.iter():
        el.has_resource_map = has_map
    return AxmlDocument(root=root, strings=strings, resource_map=resource_map, notes=notes)


def _cdata(el: Element, text: str | None, texts: dict[int, tuple[Element, list[str], list[int]]]) -> None:
    """Collect a text chunk of ``el`` (joined once at the end: no quadratic copying, at most MAX_TEXT kept)."""
    if text is None:
        return
    _, parts, size = texts.setdefault(id(el), (el, [], [0]))
    room = MAX_TEXT - size[0]
    if room > 0:
        parts.append(text[:room])
        size[0] += len(parts[-1])
    if len(text) > room:
        size[0] = MAX_TEXT + 1  # marks the truncation


def _start_element(buf: bytes, pos: int, hsize: int, csize: int, s, resource_map: list[int]) -> Element:
    ext = pos + hsize
    chunk_end = pos + csize
    if ext + 20 > chunk_end:
        raise AxmlFormatError(f"binary XML: start-element chunk too small at offset {pos}")
    (line,) = struct.unpack_from("<I", buf, pos + 8) if hsize >= 12 else (0,)
    ns_i, name_i, attr_start, attr_size, attr_count = struct.unpack_from("<IIHHH", buf, ext)
    tag = s(name_i)
    if tag is None:
        tag = ""
    el = Element(tag=tag, ns=s(ns_i), line=line)
    if attr_count:
        if attr_size < 20:
            raise AxmlFormatError(f"binary XML: attribute size {attr_size} too small at offset {pos}")
        first = ext + attr_start
        if first + attr_count * attr_size > chunk_end:
            raise AxmlFormatError(f"binary XML: attributes run past their chunk at offset {pos}")
        n_map = len(resource_map)
        for i in range(attr_count):
            a = first + i * attr_size
            a_ns, a_name, a_raw, _vsize, _res0, vtype, vdata = struct.unpack_from("<IIIHBBI", buf, a)
            res_id = resource_map[a_name] if a_name < n_map else None
            if res_id is not None and res_id == 0:
                res_id = None
            name = ANDROID_ATTRS.get(res_id) if res_id is not None else None
            if name is None:
                name = s(a_name) or ""
            raw = s(a_raw)
            if vtype == TYPE_STRING and raw is None:
                raw = s(vdata)
            el.attributes.append(
                Attribute(ns=s(a_ns), name=name, res_id=res_id, type=vtype, data=vdata, raw=raw)
            )
    return el
