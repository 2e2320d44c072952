"""DEX file reader: header, map list, id tables, class defs, lazy MUTF-8 strings, descriptors.

Contract: :class:`DexFile` (``DexFile(name, data, limits)``) validates the header (magic ``dex\\n0NN\\0`` for versions
035-041, little-endian tag, header size) and bounds-checks every id table and the map list against the file size
when constructed, raising :class:`~appwarden.errors.DexFormatError` (one line) on bad input and
:class:`~appwarden.errors.LimitExceeded` when ``limits.max_dex_size`` is exceeded. Nothing else is decoded up front:
strings are decoded on demand (MUTF-8, cached) and looked up by binary search, relying on the id tables being
sorted as the DEX format requires (Android's verifier rejects unsorted tables, so an installable DEX is sorted).
:meth:`DexFile.scan` runs the instruction walk (C or Python, see :mod:`appwarden.dex.records` for its output).

DEX 041 containers (several DEX headers in one file sharing data) are split by :func:`split_container`: the next
header starts ``file_size`` bytes after the previous one (as jadx splits them) and every offset of a sub-DEX is
read relative to the start of the container, since the sub-DEX files share their data section. A single-DEX 041
file (``header_offset`` 0) reads the same either way; multi-DEX containers are tested only against our own writer
(``tests/dex/dexwriter.py``), none is in the corpus.
"""

from __future__ import annotations

import contextlib
import mmap
import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import cached_property
from operator import ge

from appwarden.dex import timed_out, walker
from appwarden.errors import DexFormatError, LimitExceeded
from appwarden.limits import DEFAULT_LIMITS, Limits, deadline_monotonic

SUPPORTED_VERSIONS = range(35, 42)
ENDIAN_CONSTANT = 0x12345678
HEADER_SIZE = 0x70
HEADER_SIZE_V41 = 0x78
NO_INDEX = 0xFFFFFFFF

# map item types we look at
TYPE_CALL_SITE_ID_ITEM = 0x0007
TYPE_METHOD_HANDLE_ITEM = 0x0008

_HEADER = struct.Struct("<8sI20sIII" + "I" * 17)  # magic .. data_off


def _u32_array(data: bytes, off: int, count: int) -> array:
    a = array("I")
    a.frombytes(data[off : off + count * 4])
    if sys.byteorder != "little":  # pragma: no cover
        a.byteswap()
    return a


def _u16_array(data: bytes, off: int, count: int) -> array:
    a = array("H")
    a.frombytes(data[off : off + count * 2])
    if sys.byteorder != "little":  # pragma: no cover
        a.byteswap()
    return a


_COLUMNS = sys.byteorder == "little" and hasattr(walker, "column")  # the columns of the id tables in C


def _column(data: bytes, off: int, count: int, stride: int, pos: int, code: str) -> tuple[array, int]:
    """``(column, largest item)``: the u16/u32 (``code`` "H"/"I") at byte ``pos`` of each of the ``count`` rows of
    ``stride`` bytes at ``off`` of ``data``, as an array, and its largest item (0 when empty), from the walker's
    ``column`` (one pass, where a stepped slice of the table's array copies item by item: ~10 ms of a 100 MB-intact
    app's 33 DEX files). The caller has checked that the rows lie in ``data``."""
    a = array(code)
    raw, top = walker.column(data, off, count, stride, pos, a.itemsize)
    a.frombytes(raw)
    return a, top


def _max_item(a: array) -> int:
    """The largest value of a u16/u32 id table (in C when the walker has it: no Python int per entry)."""
    if sys.byteorder == "little" and hasattr(walker, "max_item"):
        return walker.max_item(a, a.itemsize)
    return max(a, default=0)  # pragma: no cover - big-endian hosts or an older extension


def _increasing(a: array) -> bool:
    """Whether the u32 items of ``a`` strictly increase (one C pass when the walker has it: no Python int per item,
    ~11 ms of a 100 MB-intact app's 102 000 type ids otherwise)."""
    if sys.byteorder == "little" and hasattr(walker, "nondecreasing"):
        return walker.nondecreasing(a, 1, 0, True)
    return not any(map(ge, a[:-1], a[1:]))  # (pairwise, iterated in C)


def _read_uleb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for _ in range(5):
        if pos >= len(data):
            raise DexFormatError("uleb128 value runs past the end of the DEX")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result & 0xFFFFFFFF, pos
        shift += 7
    raise DexFormatError("uleb128 value longer than 5 bytes")


def decode_mutf8(raw: bytes) -> str:
    """Decode Modified UTF-8 (``C0 80`` for NUL, surrogate pairs as two 3-byte sequences); never raises."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    except UnicodeError:
        return raw.decode("utf-8", "replace")


def _utf16_key(text: str) -> bytes:
    """Sort key matching the DEX string order (UTF-16 code units)."""
    return text.encode("utf-16-be", "surrogatepass")


class DexFile:
    """One DEX file (or one DEX inside a v041 container); see the module docstring for the contract."""

    def __init__(
        self, name: str, data: bytes, limits: Limits = DEFAULT_LIMITS, header_offset: int = 0
    ) -> None:
        self.name = name
        if len(data) > limits.max_dex_size:
            raise LimitExceeded(f"{name}: DEX is {len(data)} bytes, over the limit of {limits.max_dex_size}")
        # an mmap (apk.read_mapped: a large DEX inflated into a temporary file) is kept as it is: it reads like
        # bytes here (indexing, slices, find, struct, the kernels' buffers) and release_pages can give it back
        self.data = data if isinstance(data, (bytes, mmap.mmap)) else bytes(data)
        self.size = len(self.data)
        self._strings: dict[int, str] = {}
        self._protos: dict[int, str] = {}
        self._types: dict[int, str] = {}
        self._lookup_cache: dict[str, int] = {}
        self._parse_header(header_offset)

    def __getstate__(self) -> dict:
        # an mmap cannot be pickled (process pools pickle results): its bytes go instead
        state = self.__dict__.copy()
        if isinstance(state["data"], mmap.mmap):
            state["data"] = state["data"][:]
        return state

    def release_pages(self) -> None:
        """Drop this DEX's pages from the process's memory when its bytes are an mmap of a file (a no-op for
        ``bytes``): the kernel reads them back from the page cache when they are read again, so only what the
        next stage touches counts in the process's RSS. The bytes read stay the same."""
        data = self.data
        if isinstance(data, mmap.mmap) and self.size:
            with contextlib.suppress(OSError, ValueError, AttributeError):  # no madvise: the pages stay
                data.madvise(mmap.MADV_DONTNEED)

    # -- header and tables -------------------------------------------------------------------------------------

    def _fail(self, what: str) -> DexFormatError:
        return DexFormatError(f"{self.name}: {what}")

    def _parse_header(self, h: int) -> None:
        data = self.data
        if self.size < h + HEADER_SIZE:
            raise self._fail(f"too small for a DEX header ({self.size - h} bytes)")
        magic = data[h : h + 8]
        if magic[:4] != b"dex\n" or magic[7] != 0 or not magic[4:7].isdigit():
            raise self._fail(f"bad magic {magic!r}")
        self.version = int(magic[4:7])
        if self.version not in SUPPORTED_VERSIONS:
            raise self._fail(f"unsupported DEX version {self.version:03d}")
        fields = _HEADER.unpack_from(data, h)
        (_, self.checksum, _sig, file_size, header_size, endian, _link_size, _link_off, map_off) = fields[:9]
        rest = fields[9:]
        if endian != ENDIAN_CONSTANT:
            raise self._fail("unsupported endianness tag (only little-endian DEX is supported)")
        expected = HEADER_SIZE_V41 if self.version >= 41 else HEADER_SIZE
        if header_size < expected or h + header_size > self.size:
            raise self._fail(f"bad header_size {header_size}")
        self.header_offset = h
        if self.version >= 41:
            self.container_size, hdr_off = struct.unpack_from("<II", data, h + 0x70)
            if hdr_off != h:
                raise self._fail(f"header_offset {hdr_off} does not match the header position {h}")
            if self.container_size > self.size:
                raise self._fail(f"container_size {self.container_size} exceeds the file ({self.size} bytes)")
            if h + file_size > self.container_size:
                raise self._fail(f"file_size {file_size} runs past the container")
        else:
            self.container_size = self.size
            if file_size > self.size:
                raise self._fail(f"truncated: header says {file_size} bytes, have {self.size}")
        self.file_size = file_size
        (
            self.string_ids_size,
            self.string_ids_off,
            self.type_ids_size,
            self.type_ids_off,
            self.proto_ids_size,
            self.proto_ids_off,
            self.field_ids_size,
            self.field_ids_off,
            self.method_ids_size,
            self.method_ids_off,
            self.class_defs_size,
            self.class_defs_off,
            self.data_size,
            self.data_off,
        ) = rest
        self._check_table("string_ids", self.string_ids_off, self.string_ids_size, 4)
        self._check_table("type_ids", self.type_ids_off, self.type_ids_size, 4)
        self._check_table("proto_ids", self.proto_ids_off, self.proto_ids_size, 12)
        self._check_table("field_ids", self.field_ids_off, self.field_ids_size, 8)
        self._check_table("method_ids", self.method_ids_off, self.method_ids_size, 8)
        self._check_table("class_defs", self.class_defs_off, self.class_defs_size, 32)
        if self.type_ids_size > 0xFFFF + 1 or self.proto_ids_size > 0xFFFF + 1:
            raise self._fail("type_ids or proto_ids larger than 65536 entries")
        self.map_off = map_off
        self.call_site_ids_off = self.call_site_ids_size = 0
        self._parse_map(map_off)

        try:  # string data and proto parameter lists, so that lazy decoding later cannot fail
            # (and the length of every string, found on the way: DexCode.check_descs reads them instead of
            # locating each name and type string again; dropped once it has)
            self.string_lens: bytes | None = walker.validate(
                data,
                self.string_ids_off,
                self.string_ids_size,
                self.proto_ids_off,
                self.proto_ids_size,
                self.type_ids_size,
                deadline_monotonic(),
                True,
            )
        except TimeoutError:
            timed_out()
        except ValueError as exc:
            raise self._fail(str(exc)) from None
        self.string_ids = _u32_array(data, self.string_ids_off, self.string_ids_size)
        self.type_ids = _u32_array(data, self.type_ids_off, self.type_ids_size)
        if len(self.type_ids) and _max_item(self.type_ids) >= self.string_ids_size:
            raise self._fail("type_ids entry points past string_ids")
        types = self.type_ids
        if not _increasing(types):
            # Android's verifier requires strictly increasing type ids; repeats would make every per-type
            # decoding (one string per type) work and memory multiply a long string
            raise self._fail("type_ids are not strictly increasing (repeated or unsorted type descriptors)")
        if (
            _COLUMNS
        ):  # each column copied out with its largest item in one C pass (no stepped slice of a copy)
            self.proto_return, top_ret = _column(data, self.proto_ids_off, self.proto_ids_size, 12, 4, "I")
            self.proto_params_off, _ = _column(data, self.proto_ids_off, self.proto_ids_size, 12, 8, "I")
            self.field_class, top_fcls = _column(data, self.field_ids_off, self.field_ids_size, 8, 0, "H")
            self.field_type, top_ftyp = _column(data, self.field_ids_off, self.field_ids_size, 8, 2, "H")
            self.field_name, top_fname = _column(data, self.field_ids_off, self.field_ids_size, 8, 4, "I")
            self.method_class, top_mcls = _column(data, self.method_ids_off, self.method_ids_size, 8, 0, "H")
            self.method_proto, top_mpro = _column(data, self.method_ids_off, self.method_ids_size, 8, 2, "H")
            self.method_name, top_mname = _column(data, self.method_ids_off, self.method_ids_size, 8, 4, "I")
        else:
            protos = _u32_array(data, self.proto_ids_off, self.proto_ids_size * 3)
            self.proto_return = protos[1::3]
            self.proto_params_off = protos[2::3]
            fh = _u16_array(data, self.field_ids_off, self.field_ids_size * 4)
            self.field_class = fh[0::4]
            self.field_type = fh[1::4]
            self.field_name = _u32_array(data, self.field_ids_off, self.field_ids_size * 2)[1::2]
            mh = _u16_array(data, self.method_ids_off, self.method_ids_size * 4)
            self.method_class = mh[0::4]
            self.method_proto = mh[1::4]
            self.method_name = _u32_array(data, self.method_ids_off, self.method_ids_size * 2)[1::2]
            top_ret, top_fcls, top_ftyp, top_fname, top_mcls, top_mpro, top_mname = (
                _max_item(tab) if len(tab) else -1
                for tab in (
                    self.proto_return,
                    self.field_class,
                    self.field_type,
                    self.field_name,
                    self.method_class,
                    self.method_proto,
                    self.method_name,
                )
            )
        self.class_defs = _u32_array(data, self.class_defs_off, self.class_defs_size * 8)
        cdc = self.class_defs[0::8]
        for count, top, limit, what in (
            (self.proto_ids_size, top_ret, self.type_ids_size, "proto return type"),
            (self.field_ids_size, top_fcls, self.type_ids_size, "field class"),
            (self.field_ids_size, top_ftyp, self.type_ids_size, "field type"),
            (self.field_ids_size, top_fname, self.string_ids_size, "field name"),
            (self.method_ids_size, top_mcls, self.type_ids_size, "method class"),
            (self.method_ids_size, top_mpro, self.proto_ids_size, "method proto"),
            (self.method_ids_size, top_mname, self.string_ids_size, "method name"),
            (len(cdc), _max_item(cdc) if len(cdc) else -1, self.type_ids_size, "class_def class"),
        ):
            if count and top >= limit:
                raise self._fail(f"{what} index out of range")

    def _check_table(self, what: str, off: int, count: int, item: int) -> None:
        if count and (off == 0 or off + count * item > self.container_size):
            raise self._fail(f"{what} table (offset {off}, {count} entries) out of bounds")

    def _parse_map(self, off: int) -> None:
        if off == 0:
            return  # tolerated (Android requires it, but we only need it for call sites)
        if off + 4 > self.container_size or off & 3:
            raise self._fail(f"map_off {off} out of bounds")
        (count,) = struct.unpack_from("<I", self.data, off)
        if off + 4 + count * 12 > self.container_size:
            raise self._fail(f"map list ({count} items) out of bounds")
        self.map_items: list[tuple[int, int, int]] = []
        for i in range(count):
            typ, _unused, size, item_off = struct.unpack_from("<HHII", self.data, off + 4 + i * 12)
            self.map_items.append((typ, size, item_off))
            if typ == TYPE_CALL_SITE_ID_ITEM:
                if item_off + size * 4 > self.container_size:
                    raise self._fail("call_site_ids out of bounds")
                self.call_site_ids_off, self.call_site_ids_size = item_off, size

    # -- strings and types -------------------------------------------------------------------------------------

    def string(self, idx: int) -> str:
        """The string with id ``idx`` (decoded from MUTF-8 on first use, then cached)."""
        cached = self._strings.get(idx)
        if cached is not None:
            return cached
        if not 0 <= idx < self.string_ids_size:
            raise self._fail(f"string index {idx} out of range")
        off = self.string_ids[idx]
        if off >= self.container_size:
            raise self._fail(f"string {idx} data offset out of bounds")
        data = self.data
        # skip the uleb128 length (at most 5 bytes, the last without the high bit) without decoding it
        pos = off
        if data[pos] & 0x80:
            stop = min(off + 5, len(data))
            while pos < stop and data[pos] & 0x80:
                pos += 1
            if pos == stop:  # runs past the end or longer than 5 bytes: the decoder's error
                _read_uleb(data, off)
        pos += 1
        end = data.find(b"\0", pos, self.container_size)
        if end < 0:
            raise self._fail(f"string {idx} is not NUL-terminated")
        text = decode_mutf8(self.data[pos:end])
        self._strings[idx] = text
        return text

    def find_string(self, value: str) -> int | None:
        """The index of the string equal to ``value``, or None (binary search in DEX string order)."""
        if value.isascii():  # byte-wise binary search in C (exact for ASCII keys, see _dexscan.find_strings)
            found = self._lookup_cache.get(value)
            if found is None:
                [found] = walker.find_strings(
                    self.data, self.string_ids_off, self.string_ids_size, [value.encode("ascii")]
                )
                self._lookup_cache[value] = found
            return None if found < 0 else found
        # otherwise compare UTF-16 code units as the format defines the order
        key: str | bytes = _utf16_key(value)
        keyf = (lambda t: t) if isinstance(key, str) else _utf16_key
        lo, hi = 0, self.string_ids_size
        while lo < hi:
            mid = (lo + hi) // 2
            k = keyf(self.string(mid))
            if k < key:
                lo = mid + 1
            elif k > key:
                hi = mid
            else:
                return mid
        return None

    def prefetch_strings(self, values: Iterable[str]) -> None:
        """Look many ASCII strings up with one C call, filling the cache :meth:`find_string` reads first."""
        # the values not looked up yet, found by a set difference in C (most are, when a scan asks again)
        todo = [v for v in set(values).difference(self._lookup_cache) if v.isascii()]
        if todo:
            found = walker.find_strings(
                self.data, self.string_ids_off, self.string_ids_size, [v.encode("ascii") for v in todo]
            )
            self._lookup_cache.update(zip(todo, found, strict=True))

    def strings_with_prefix(self, prefix: str) -> range:
        """Indices of the strings starting with the ASCII ``prefix`` (a contiguous range in sorted order)."""
        if not prefix.isascii():
            raise ValueError("prefix must be ASCII")

        def bound(upper: bool) -> int:
            lo, hi = 0, self.string_ids_size
            while lo < hi:
                mid = (lo + hi) // 2
                t = self.string(mid)
                if t < prefix or (upper and t.startswith(prefix)):
                    lo = mid + 1
                else:
                    hi = mid
            return lo

        return range(bound(False), bound(True))

    def type_desc(self, tidx: int) -> str:
        """The descriptor of type ``tidx`` (``Lcom/x/Foo;``, ``I``, ``[B``)."""
        cached = self._types.get(tidx)
        if cached is None:
            if not 0 <= tidx < self.type_ids_size:
                raise self._fail(f"type index {tidx} out of range")
            cached = self._types[tidx] = self.string(self.type_ids[tidx])
        return cached

    def find_type(self, desc: str) -> int | None:
        """The type index of descriptor ``desc``, or None."""
        sidx = self.find_string(desc)
        if sidx is None:
            return None
        i = bisect_left(self.type_ids, sidx)
        return i if i < self.type_ids_size and self.type_ids[i] == sidx else None

    def find_types(self, descs: list[str], keys: list[bytes | None] | None = None) -> list[int]:
        """:meth:`find_type` of each descriptor (-1 for None), the ASCII ones with one C call
        (``walker.find_types``: the same string search and type-id bisection; the string lookup cache is neither
        read nor filled), the others by :meth:`find_type`, in order. ``keys``: :func:`type_keys` of ``descs``
        when the caller made them once for several DEX files."""
        got: list = walker.find_types(
            self.data,
            self.string_ids_off,
            self.string_ids_size,
            self.type_ids_off,
            self.type_ids_size,
            type_keys(descs) if keys is None else keys,
        )
        if -2 in got:  # a descriptor that is not ASCII: UTF-16 order, in Python
            for i, t in enumerate(got):
                if t == -2:
                    found = self.find_type(descs[i])
                    got[i] = -1 if found is None else found
        return got

    def type_list(self, off: int) -> list[str]:
        """Descriptors of the type_list at ``off`` (0 = empty)."""
        return [self.type_desc(t) for t in self.type_list_ids(off)]

    def type_list_ids(self, off: int) -> tuple[int, ...]:
        """Type indices of the type_list at ``off`` (0 = empty); DexFormatError when the list runs out of bounds
        (the indices themselves are not checked: :meth:`type_desc` does)."""
        if off == 0:
            return ()
        if off + 4 > self.container_size or off & 3:
            raise self._fail(f"type_list offset {off} out of bounds")
        (n,) = struct.unpack_from("<I", self.data, off)
        if off + 4 + n * 2 > self.container_size:
            raise self._fail(f"type_list at {off} ({n} entries) out of bounds")
        return struct.unpack_from(f"<{n}H", self.data, off + 4)

    # -- prototypes, methods, fields ---------------------------------------------------------------------------

    def proto_desc(self, pidx: int) -> str:
        """``(params)ret`` of proto ``pidx`` (cached)."""
        cached = self._protos.get(pidx)
        if cached is None:
            params = self.type_list(self.proto_params_off[pidx])
            cached = self._protos[pidx] = (
                "(" + "".join(params) + ")" + self.type_desc(self.proto_return[pidx])
            )
        return cached

    def method_parts(self, midx: int) -> tuple[str, str, str]:
        """``(class descriptor, name, proto descriptor)`` of method id ``midx``."""
        return (
            self.type_desc(self.method_class[midx]),
            self.string(self.method_name[midx]),
            self.proto_desc(self.method_proto[midx]),
        )

    def method_desc(self, midx: int) -> str:
        """Full smali descriptor of method id ``midx``: ``Lcls;->name(params)ret``."""
        cls, name, proto = self.method_parts(midx)
        return f"{cls}->{name}{proto}"

    def method_param_types(self, midx: int) -> list[str]:
        """Descriptors of the declared parameters of method id ``midx`` (without ``this``)."""
        return self.type_list(self.proto_params_off[self.method_proto[midx]])

    def field_desc(self, fidx: int) -> str:
        """Full smali descriptor of field id ``fidx``: ``Lcls;->name:Type``."""
        return (
            f"{self.type_desc(self.field_class[fidx])}->{self.string(self.field_name[fidx])}"
            f":{self.type_desc(self.field_type[fidx])}"
        )

    def find_methods(self, class_desc: str, name: str | None = None, proto: str | None = None) -> list[int]:
        """Method ids whose class is ``class_desc`` (and name / proto descriptor when given)."""
        tidx = self.find_type(class_desc)
        if tidx is None:
            return []
        return self.methods_of_type(tidx, name, proto)

    def methods_of_type(self, tidx: int, name: str | None = None, proto: str | None = None) -> list[int]:
        """:meth:`find_methods` for the class with type index ``tidx`` (as :meth:`find_type` answers it)."""
        mclass = self.method_class
        lo = bisect_left(mclass, tidx)
        hi = bisect_right(mclass, tidx, lo)
        # the table is sorted by class in a well-formed DEX; in a corrupt one the bisection's range may hold
        # methods of other classes, which are not this class's methods
        found = [m for m in range(lo, hi) if mclass[m] == tidx]
        if name is not None:
            sidx = self.find_string(name)
            if sidx is None:
                return []
            found = [m for m in found if self.method_name[m] == sidx]
        if proto is not None:
            found = [m for m in found if self.proto_desc(self.method_proto[m]) == proto]
        return found

    def find_fields(self, class_desc: str, name: str | None = None) -> list[int]:
        """Field ids whose class is ``class_desc`` (and name when given)."""
        tidx = self.find_type(class_desc)
        if tidx is None:
            return []
        return self.fields_of_type(tidx, name)

    def fields_of_type(self, tidx: int, name: str | None = None) -> list[int]:
        """:meth:`find_fields` for the class with type index ``tidx`` (as :meth:`find_type` answers it)."""
        fclass = self.field_class
        lo = bisect_left(fclass, tidx)
        hi = bisect_right(fclass, tidx, lo)
        found = [f for f in range(lo, hi) if fclass[f] == tidx]  # (a corrupt table: see find_methods)
        if name is None:
            return found
        sidx = self.find_string(name)
        return [] if sidx is None else [f for f in found if self.field_name[f] == sidx]

    # -- class defs --------------------------------------------------------------------------------------------

    def class_def(self, cdi: int) -> tuple[int, int, int, int, int, int, int, int]:
        """Raw class_def_item ``cdi``: class_idx, access_flags, superclass_idx, interfaces_off, source_file_idx,
        annotations_off, class_data_off, static_values_off."""
        return tuple(self.class_defs[cdi * 8 : cdi * 8 + 8])  # type: ignore[return-value]

    @cached_property
    def class_descriptors(self) -> list[str]:
        """Descriptor of each class def, in class-def order."""
        return [self.type_desc(t) for t in self.class_defs[0::8]]

    # -- code --------------------------------------------------------------------------------------------------

    def scan(self) -> tuple[bytes, bytes, int]:
        """Run the instruction walk; ``(methods, events, bad_methods)`` as in :mod:`appwarden.dex.records`."""
        try:
            return walker.scan(
                self.data,
                self.class_defs_off,
                self.class_defs_size,
                self.method_ids_size,
                self.string_ids_size,
                self.type_ids_size,
                self.field_ids_size,
                self.proto_ids_size,
                deadline_monotonic(),
            )
        except TimeoutError:
            timed_out()
        except ValueError as exc:
            raise self._fail(str(exc)) from None


def type_keys(descs: list[str]) -> list[bytes | None]:
    """The keys of ``walker.find_types`` for ``descs``: each ASCII descriptor's bytes, None for the others."""
    return [d.encode("ascii") if d.isascii() else None for d in descs]


def split_container(name: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> list[DexFile]:
    """Parse ``data`` as one DEX, or as every DEX of a version-041 container (named ``name``, ``name!1``, ...)."""
    first = DexFile(name, data, limits)
    if first.version < 41:
        return [first]
    dexes = [first]
    h = first.file_size
    while h and h < first.container_size:
        if len(dexes) >= limits.max_dex_files:
            raise LimitExceeded(f"{name}: more than {limits.max_dex_files} DEX files in one container")
        nxt = DexFile(f"{name}!{len(dexes)}", data, limits, header_offset=h)
        if nxt.file_size == 0:
            break
        dexes.append(nxt)
        h += nxt.file_size
    return dexes
