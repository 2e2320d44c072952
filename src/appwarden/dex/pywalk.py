"""Pure-Python instruction walk: the reference for, and the fallback of, the C extension ``_dexscan``.

:func:`scan` has exactly the signature, output bytes and error behaviour (``ValueError`` with the same message) of
``_dexscan.scan``; Every other function here (:func:`select`, :func:`find_substrings`, :func:`find_strings`, :func:`validate`,
:func:`method_descs`, :func:`type_descs` and the call-graph kernels :func:`invoked_ids`, :func:`call_edges`,
:func:`hierarchy_extras`, :func:`subtype_masks`, :func:`build_csr`, :func:`reverse_csr`, :func:`bfs`,
:func:`intern_methods`, :func:`method_desc`, :func:`find_methods`, :func:`class_ranks`, :func:`sort_nodes`) mirrors its ``_dexscan`` namesake: same results, same
``ValueError`` messages; the kernels of the C extension ``_reach`` (:func:`hierarchy_all`, :func:`intern_all`,
:func:`walk` and the others it lists) have their twins here too.
The record layout is documented in :mod:`appwarden.dex.records`. It is roughly 100x slower than the C walker and only
used when the extension could not be built (``appwarden.dex.backend()`` says which one is active).
"""

from __future__ import annotations

import itertools
import struct
import sys
import time
from array import array
from collections.abc import Callable

from appwarden.dex.records import (
    EV_CONST_CLASS,
    EV_INVOKE,
    EV_LITERAL,
    EV_NEW_INSTANCE,
    EV_SGET,
    EV_STRING,
    WIDTH,
)

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_M32 = 0xFFFFFFFF


class _Fatal(Exception):
    pass


def _past(deadline: float) -> bool:
    """True when ``deadline`` (a ``time.monotonic()`` value; 0 = none) has passed: the twin of the C loops'
    deadline check (they raise TimeoutError, so do the callers here)."""
    return deadline > 0 and time.monotonic() >= deadline


class _BadMethod(Exception):
    pass


def _uleb(buf: bytes, end: int, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    for _ in range(5):
        if pos >= end:
            raise _Fatal("class data truncated")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result & _M32, pos
        shift += 7
    raise _Fatal("class data truncated")


class _Walker:
    def __init__(self, buf: bytes, sizes: tuple[int, int, int, int, int]) -> None:
        self.buf = buf
        self.size = len(buf)
        self.mids, self.sids, self.tids, self.fids, self.pids = sizes
        self.events = array("I")
        self.methods = array("I")
        self.walked = 0
        self.bad = 0

    def walk_code(self, code_off: int) -> int:
        buf = self.buf
        if code_off + 16 > self.size or code_off & 3:
            raise _BadMethod
        insns_size = _U32.unpack_from(buf, code_off + 12)[0]
        start = code_off + 16
        if start + insns_size * 2 > self.size:
            raise _BadMethod
        self.walked += insns_size
        if self.walked > self.size:
            raise _Fatal("code items overlap or repeat (more code walked than the file holds)")
        ev = self.events
        pc = 0
        while pc < insns_size:
            p = start + pc * 2
            op = buf[p]
            b1 = buf[p + 1]
            remaining = insns_size - pc
            width = WIDTH[op]
            if op == 0:
                if b1 == 1:
                    if remaining < 4:
                        raise _BadMethod
                    width = 4 + _U16.unpack_from(buf, p + 2)[0] * 2
                elif b1 == 2:
                    if remaining < 2:
                        raise _BadMethod
                    width = 2 + _U16.unpack_from(buf, p + 2)[0] * 4
                elif b1 == 3:
                    if remaining < 4:
                        raise _BadMethod
                    ew = _U16.unpack_from(buf, p + 2)[0]
                    n = _U32.unpack_from(buf, p + 4)[0]
                    width = (ew * n + 1) // 2 + 4
                    if width > remaining:
                        raise _BadMethod
                else:
                    width = 1
                if width > remaining:
                    raise _BadMethod
                pc += width
                continue
            if width > remaining:
                raise _BadMethod
            if op == 0x12:
                v = (b1 >> 4) - 16 if b1 & 0x80 else b1 >> 4
                ev.extend(((EV_LITERAL << 8) | op, p, v & _M32, b1 & 0xF, _M32 if v < 0 else 0))
            elif op in (0x13, 0x16):
                v = _U16.unpack_from(buf, p + 2)[0]
                v = v - 0x10000 if v & 0x8000 else v
                ev.extend(((EV_LITERAL << 8) | op, p, v & _M32, b1, _M32 if v < 0 else 0))
            elif op in (0x14, 0x17):
                v = _U32.unpack_from(buf, p + 2)[0]
                ev.extend(((EV_LITERAL << 8) | op, p, v, b1, _M32 if v & 0x80000000 else 0))
            elif op == 0x15:
                v = _U16.unpack_from(buf, p + 2)[0] << 16
                ev.extend(((EV_LITERAL << 8) | op, p, v, b1, _M32 if v & 0x80000000 else 0))
            elif op == 0x18:
                lo, hi = struct.unpack_from("<II", buf, p + 2)
                ev.extend(((EV_LITERAL << 8) | op, p, lo, b1, hi))
            elif op == 0x19:
                ev.extend(((EV_LITERAL << 8) | op, p, 0, b1, _U16.unpack_from(buf, p + 2)[0] << 16))
            elif op == 0x1A or op == 0x1B:
                idx = _U16.unpack_from(buf, p + 2)[0] if op == 0x1A else _U32.unpack_from(buf, p + 2)[0]
                if idx >= self.sids:
                    raise _BadMethod
                ev.extend(((EV_STRING << 8) | op, p, idx, b1, 0))
            elif op == 0x1C or op == 0x22:
                idx = _U16.unpack_from(buf, p + 2)[0]
                if idx >= self.tids:
                    raise _BadMethod
                kind = EV_CONST_CLASS if op == 0x1C else EV_NEW_INSTANCE
                ev.extend(((kind << 8) | op, p, idx, b1, 0))
            elif 0x60 <= op <= 0x66:
                idx = _U16.unpack_from(buf, p + 2)[0]
                if idx >= self.fids:
                    raise _BadMethod
                ev.extend(((EV_SGET << 8) | op, p, idx, b1, 0))
            elif 0x6E <= op <= 0x72 or op == 0xFC:
                idx = _U16.unpack_from(buf, p + 2)[0]
                count = b1 >> 4
                if count > 5 or (op != 0xFC and idx >= self.mids):
                    raise _BadMethod
                regs = _U16.unpack_from(buf, p + 4)[0] | ((b1 & 0xF) << 16)
                ev.extend(((EV_INVOKE << 8) | op, p, idx, (count << 20) | regs, 0))
            elif 0x74 <= op <= 0x78 or op == 0xFD:
                idx = _U16.unpack_from(buf, p + 2)[0]
                if op != 0xFD and idx >= self.mids:
                    raise _BadMethod
                ev.extend(((EV_INVOKE << 8) | op, p, idx, (b1 << 16) | _U16.unpack_from(buf, p + 4)[0], 0))
            elif op == 0xFA or op == 0xFB:
                idx = _U16.unpack_from(buf, p + 2)[0]
                proto = _U16.unpack_from(buf, p + 6)[0]
                if idx >= self.mids or proto >= self.pids:
                    raise _BadMethod
                if op == 0xFA:
                    count = b1 >> 4
                    if count > 5:
                        raise _BadMethod
                    a = (count << 20) | _U16.unpack_from(buf, p + 4)[0] | ((b1 & 0xF) << 16)
                else:
                    a = (b1 << 16) | _U16.unpack_from(buf, p + 4)[0]
                ev.extend(((EV_INVOKE << 8) | op, p, idx, a, proto))
            pc += width
        return insns_size

    def scan_class(self, cdi: int, pos: int) -> None:
        buf, end = self.buf, self.size
        counts = []
        for _ in range(4):
            v, pos = _uleb(buf, end, pos)
            counts.append(v)
        need = 2 * (counts[0] + counts[1]) + 3 * (counts[2] + counts[3])
        if need > end - pos:
            raise _Fatal("class data counts exceed the file")
        for n in counts[:2]:
            prev = 0
            for _ in range(n):
                diff, pos = _uleb(buf, end, pos)
                _flags, pos = _uleb(buf, end, pos)
                prev = (prev + diff) & _M32
                if prev >= self.fids:
                    raise _Fatal("field index out of range in class data")
        for n in counts[2:]:
            midx = 0
            for i in range(n):
                diff, pos = _uleb(buf, end, pos)
                flags, pos = _uleb(buf, end, pos)
                code_off, pos = _uleb(buf, end, pos)
                midx = diff if i == 0 else (midx + diff) & _M32
                if midx >= self.mids:
                    raise _Fatal("method index out of range in class data")
                ev_start = len(self.events) // 5
                insns_size = 0
                used_off = code_off
                if code_off:
                    try:
                        insns_size = self.walk_code(code_off)
                    except _BadMethod:
                        del self.events[ev_start * 5 :]
                        self.bad += 1
                        used_off = 0
                        insns_size = 0
                self.methods.extend((cdi, midx, flags, used_off, ev_start, len(self.events) // 5, insns_size))


def scan(
    buf: bytes,
    class_defs_off: int,
    class_defs_size: int,
    method_ids_size: int,
    string_ids_size: int,
    type_ids_size: int,
    field_ids_size: int,
    proto_ids_size: int,
    deadline: float = 0.0,
) -> tuple[bytes, bytes, int]:
    """Walk class data and code items; same contract as ``_dexscan.scan`` (raises ValueError when malformed,
    TimeoutError once ``deadline``, a ``time.monotonic()`` value, has passed)."""
    buf = bytes(buf)
    w = _Walker(buf, (method_ids_size, string_ids_size, type_ids_size, field_ids_size, proto_ids_size))
    if len(buf) > _M32:
        raise ValueError("DEX larger than 4 GiB")
    if class_defs_size > _M32 or class_defs_off + class_defs_size * 32 > len(buf):
        raise ValueError("class_defs out of bounds")
    try:
        for i in range(class_defs_size):
            if i % 64 == 0 and _past(deadline):
                raise TimeoutError("deadline passed")
            data_off = _U32.unpack_from(buf, class_defs_off + i * 32 + 24)[0]
            if not data_off:
                continue
            if data_off >= len(buf):
                raise _Fatal("class_data_off out of bounds")
            w.scan_class(i, data_off)
    except _Fatal as exc:
        raise ValueError(str(exc)) from None
    return _le_bytes(w.methods), _le_bytes(w.events), w.bad


def _le_bytes(a: array) -> bytes:
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        a = array("I", a)
        a.byteswap()
    return a.tobytes()


def select(events: bytes, kind: int, bitmap: bytes) -> bytes:
    """Indices (u32, packed) of the events of ``kind`` whose idx bit is set in ``bitmap``."""
    ev = memoryview(events)[: len(events) // 20 * 20].cast("I")
    nbits = len(bitmap) * 8
    out = array("I")
    for i in range(len(ev) // 5):
        if ev[5 * i] >> 8 != kind:
            continue
        idx = ev[5 * i + 2]
        if idx < nbits and bitmap[idx >> 3] & (1 << (idx & 7)):
            out.append(i)
    return _le_bytes(out)


def find_substrings(
    buf: bytes,
    ids_off: int,
    ids_size: int,
    needles: list[bytes],
    deadline: float = 0.0,
    only: bytes | None = None,
) -> list[tuple[int, int]]:
    """``(string_idx, needle_idx)`` for each string whose MUTF-8 bytes contain a needle (TimeoutError past
    ``deadline``); with ``only`` (a bitmap over the string ids), only the strings whose bit is set are searched."""
    size = len(buf)
    if ids_off + ids_size * 4 > size:
        raise ValueError("string_ids out of bounds")
    out: list[tuple[int, int]] = []
    mask = bytes(only) if only is not None else None
    for i in range(ids_size):
        if i % 256 == 0 and _past(deadline):
            raise TimeoutError("deadline passed")
        if mask is not None and (i >> 3 >= len(mask) or not mask[i >> 3] & (1 << (i & 7))):
            continue
        pos = _U32.unpack_from(buf, ids_off + i * 4)[0]
        if pos >= size:
            continue
        try:
            _, pos = _uleb(buf, size, pos)
        except _Fatal:
            continue
        nul = buf.find(b"\0", pos)
        data = buf[pos : nul if nul >= 0 else size]
        for k, needle in enumerate(needles):
            if needle and needle in data:
                out.append((i, k))
    return out


def find_strings(buf: bytes, ids_off: int, ids_size: int, keys: list[bytes]) -> list[int]:
    """Binary search of each ASCII key among the sorted string ids; -1 when absent (mirrors the C version)."""
    size = len(buf)
    if ids_off + ids_size * 4 > size:
        raise ValueError("string_ids out of bounds")

    def data(i: int) -> bytes | None:
        pos = _U32.unpack_from(buf, ids_off + i * 4)[0]
        if pos >= size:
            return None
        try:
            _, pos = _uleb(buf, size, pos)
        except _Fatal:
            return None
        nul = buf.find(b"\0", pos)
        # MUTF-8 writes U+0000 as C0 80: the lowest UTF-16 code unit, as byte 00 is among ASCII keys' bytes
        return buf[pos : nul if nul >= 0 else size].replace(b"\xc0\x80", b"\x00")

    out = []
    for key in keys:
        found, lo, hi = -1, 0, ids_size
        while lo < hi:
            mid = lo + (hi - lo) // 2
            s = data(mid)
            if s is None:
                break
            if s < key:
                lo = mid + 1
            elif s > key:
                hi = mid
            else:
                found = mid
                break
        out.append(found)
    return out


def find_types(
    buf: bytes, s_off: int, s_size: int, t_off: int, t_size: int, keys: list[bytes | None]
) -> list[int]:
    """The type index of each ASCII descriptor of ``keys`` (:func:`find_strings`, then a ``bisect_left`` of the
    string id in the u32 type_ids column as stored, and a check of the item found); -1 when absent, -2 for a
    None key (mirrors the C version)."""
    if s_off + s_size * 4 > len(buf):
        raise ValueError("string_ids out of bounds")
    if t_off + t_size * 4 > len(buf):
        raise ValueError("type_ids out of bounds")
    if any(k is not None and not isinstance(k, bytes) for k in keys):
        raise TypeError("keys must be bytes or None")
    sids = find_strings(buf, s_off, s_size, [k for k in keys if k is not None])
    out: list[int] = []
    it = iter(sids)
    for key in keys:
        if key is None:
            out.append(-2)
            continue
        sidx = next(it)
        found = -1
        if sidx >= 0:
            lo, hi = 0, t_size
            while lo < hi:
                mid = (lo + hi) // 2
                if _U32.unpack_from(buf, t_off + mid * 4)[0] < sidx:
                    lo = mid + 1
                else:
                    hi = mid
            if lo < t_size and _U32.unpack_from(buf, t_off + lo * 4)[0] == sidx:
                found = lo
        out.append(found)
    return out


def validate(
    buf: bytes,
    s_off: int,
    s_size: int,
    p_off: int,
    p_size: int,
    t_size: int,
    deadline: float = 0.0,
    lens: bool = False,
) -> bytes | None:
    """Up-front check of string data (in bounds, NUL-terminated, no two ids sharing or overlapping their data) and
    proto parameter lists; mirrors ``_dexscan.validate`` (same ValueError messages, TimeoutError past
    ``deadline``). With ``lens`` it returns the byte length of every string (u32 by string id, native order: the
    checks find each string's NUL), which ``method_descs`` without strings may take instead of locating them again
    (None for a buffer of 4 GB or more)."""
    size = len(buf)
    if s_off + s_size * 4 > size:
        raise ValueError("string_ids out of bounds")
    if p_off + p_size * 12 > size:
        raise ValueError("proto_ids out of bounds")
    last_nul = bytes(buf).rfind(b"\0")  # a string at pos is NUL-terminated iff a NUL lies at or after pos
    starts = list(struct.unpack_from(f"<{s_size}I", buf, s_off)) if s_size else []
    for i, start in enumerate(starts):
        if i % 4096 == 0 and _past(deadline):
            raise TimeoutError("deadline passed")
        try:
            if start >= size:
                raise _Fatal
            _, pos = _uleb(buf, size, start)
        except _Fatal:
            raise ValueError(f"string {i} data offset out of bounds") from None
        if last_nul < 0 or pos > last_nul:
            raise ValueError(f"string {i} is not NUL-terminated")
    order = sorted(range(s_size), key=lambda i: (starts[i], i))
    found = array("I", bytes(4 * s_size)) if lens and size <= 0xFFFFFFFE else None
    for k in range(len(order) - 1):
        a, b = order[k], order[k + 1]
        if starts[a] == starts[b]:
            raise ValueError(f"string ids {min(a, b)} and {max(a, b)} share their string data")
        _, pos = _uleb(buf, size, starts[a])
        n = bytes(buf[pos : max(pos, starts[b])]).find(b"\0")
        if n < 0:
            raise ValueError(f"string ids {min(a, b)} and {max(a, b)} overlap their string data")
        if found is not None:
            found[a] = n
        if k % 4096 == 0 and _past(deadline):
            raise TimeoutError("deadline passed")
    for i in range(p_size):
        off = _U32.unpack_from(buf, p_off + i * 12 + 8)[0]
        if not off:
            continue
        if off & 3 or off + 4 > size:
            raise ValueError(f"proto {i} parameter list out of bounds")
        n = _U32.unpack_from(buf, off)[0]
        if off + 4 + n * 2 > size:
            raise ValueError(f"proto {i} parameter list out of bounds")
        if n and max(struct.unpack_from(f"<{n}H", buf, off + 4)) >= t_size:
            raise ValueError(f"proto {i} parameter type index out of range")
    if found is None:
        return None
    if order:  # the last string in offset order: NUL-terminated (checked above)
        _, pos = _uleb(buf, size, starts[order[-1]])
        found[order[-1]] = bytes(buf[pos:]).find(b"\0")
    return found.tobytes()


def method_descs(
    buf: bytes,
    s_off: int,
    s_size: int,
    t_off: int,
    t_size: int,
    p_off: int,
    p_size: int,
    m_off: int,
    m_size: int,
    deadline: float = 0.0,
    strings: bool = True,
    lens: bytes | None = None,
) -> list[str | None] | None:
    """Descriptors ``Lcls;->name(params)ret`` of every method id; None where a string is not pure ASCII.

    Mirrors ``_dexscan.method_descs`` (same list, same ValueError messages, TimeoutError past ``deadline``; with
    ``strings`` false the same checks and None). ``lens`` (``validate``'s string lengths, which the C kernel's
    checks may read instead of locating the strings) changes nothing here: the strings are located as without it.
    """
    buf = bytes(buf)
    size = len(buf)
    _id_tables_ok(buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size)

    def string_ref(sidx: int) -> bytes:
        return _string_bytes(buf, s_off, sidx)

    types: dict[int, bytes] = {}

    def type_ref(tidx: int) -> bytes:
        got = types.get(tidx)
        if got is None:
            got = types[tidx] = _type_bytes(buf, s_off, s_size, t_off, t_size, tidx)
        return got

    budget = size * 64 + (1 << 20)
    out: list[str | None] = []
    for i in range(m_size):
        cls_idx, proto_idx, name_idx = struct.unpack_from("<HHI", buf, m_off + i * 8)
        cls = type_ref(cls_idx)
        if name_idx >= s_size:
            raise ValueError(f"method {i} name index out of range")
        name = string_ref(name_idx)
        if proto_idx >= p_size:
            raise ValueError(f"method {i} proto index out of range")
        ret_idx, params_off = struct.unpack_from("<II", buf, p_off + proto_idx * 12 + 4)
        ret = type_ref(ret_idx)
        params: list[bytes] = []
        n = 0
        if params_off:
            if params_off & 3 or params_off + 4 > size:
                raise ValueError(f"type_list offset {params_off} out of bounds")
            n = _U32.unpack_from(buf, params_off)[0]
            if params_off + 4 + n * 2 > size:
                raise ValueError(f"type_list at {params_off} ({n} entries) out of bounds")
        # each parameter costs at least 1, which bounds the work too
        if len(cls) + len(name) + len(ret) + 4 + n > budget:
            raise ValueError("method descriptors longer than 64 characters per byte of the file")
        if n:
            params = [type_ref(t) for t in struct.unpack_from(f"<{n}H", buf, params_off + 4)]
        desc = b"".join((cls, b"->", name, b"(", *params, b")", ret))
        if len(desc) + n > budget:
            raise ValueError("method descriptors longer than 64 characters per byte of the file")
        budget -= len(desc) + n
        if i % 1024 == 0 and _past(deadline):
            raise TimeoutError("deadline passed")
        out.append(desc.decode("ascii") if desc.isascii() else None)
    return out if strings else None


def _method_bytes(buf: bytes, ids: tuple, i: int, from_name: bool = False) -> bytes:
    """The descriptor bytes of method id ``i`` as :func:`method_descs` builds them (its checks and ValueError
    messages but the length budget), from the name on with ``from_name``; ``ids`` = (string_ids_off,
    string_ids_size, type_ids_off, type_ids_size, proto_ids_off, proto_ids_size, method_ids_off); ``i`` must be below
    the method_ids size."""
    s_off, s_size, t_off, t_size, p_off, p_size, m_off = ids
    size = len(buf)

    def type_ref(tidx: int) -> bytes:
        return _type_bytes(buf, s_off, s_size, t_off, t_size, tidx)

    cls_idx, proto_idx, name_idx = struct.unpack_from("<HHI", buf, m_off + i * 8)
    cls = type_ref(cls_idx)
    if name_idx >= s_size:
        raise ValueError(f"method {i} name index out of range")
    name = _string_bytes(buf, s_off, name_idx)
    if proto_idx >= p_size:
        raise ValueError(f"method {i} proto index out of range")
    ret_idx, params_off = struct.unpack_from("<II", buf, p_off + proto_idx * 12 + 4)
    ret = type_ref(ret_idx)
    n = 0
    if params_off:
        if params_off & 3 or params_off + 4 > size:
            raise ValueError(f"type_list offset {params_off} out of bounds")
        n = _U32.unpack_from(buf, params_off)[0]
        if params_off + 4 + n * 2 > size:
            raise ValueError(f"type_list at {params_off} ({n} entries) out of bounds")
    params = [type_ref(t) for t in struct.unpack_from(f"<{n}H", buf, params_off + 4)] if n else []
    head = (name,) if from_name else (cls, b"->", name)
    return b"".join((*head, b"(", *params, b")", ret))


def _id_tables_ok(
    buf: bytes,
    s_off: int,
    s_size: int,
    t_off: int,
    t_size: int,
    p_off: int,
    p_size: int,
    m_off: int,
    m_size: int,
) -> None:
    """``method_descs``' first checks (ValueError with its messages)."""
    size = len(buf)
    if s_off + s_size * 4 > size:
        raise ValueError("string_ids out of bounds")
    if t_off + t_size * 4 > size:
        raise ValueError("type_ids out of bounds")
    if p_off + p_size * 12 > size:
        raise ValueError("proto_ids out of bounds")
    if m_off + m_size * 8 > size:
        raise ValueError("method_ids out of bounds")


def _whole(buf) -> bytes:
    """``bytes(buf)`` without a copy when ``buf`` is a bytes object or a view of all of one (the per-method kernels
    below are called once per name or lookup: copying a DEX each time would make the fallback quadratic)."""
    if type(buf) is bytes:
        return buf
    if (
        isinstance(buf, memoryview)
        and type(buf.obj) is bytes
        and buf.contiguous
        and buf.nbytes == len(buf.obj)
    ):
        return buf.obj
    return bytes(buf)


def method_desc(ids: tuple, m: int, sig: bool = False) -> str | None:
    """The descriptor of method id ``m`` (``method_descs``' item; with ``sig`` from the name on); None when not
    ASCII. Mirrors ``_dexscan.method_desc``."""
    buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size = ids
    buf = _whole(buf)
    _id_tables_ok(buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size)
    if m >= m_size:
        raise ValueError("method index out of range")
    desc = _method_bytes(buf, (s_off, s_size, t_off, t_size, p_off, p_size, m_off), m, sig)
    return desc.decode("ascii") if desc.isascii() else None


def field_desc(ids: tuple, f_off: int, f_size: int, f: int) -> str | None:
    """The descriptor ``Lcls;->name:Type`` of field id ``f`` (``DexFile.field_desc``'s string) from the id tables
    ``ids`` (as :func:`method_desc` takes them) and the field_ids table at ``f_off`` (``f_size`` entries); None when
    one of its strings is not pure ASCII. Mirrors ``_dexscan.field_desc`` (its ValueError messages, checked in its
    order: the tables, the field id, its class, name and type)."""
    buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size = ids
    buf = _whole(buf)
    _id_tables_ok(buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size)
    if f_off + f_size * 8 > len(buf):
        raise ValueError("field_ids out of bounds")
    if f >= f_size:
        raise ValueError("field index out of range")

    def type_ref(tidx: int) -> bytes:
        return _type_bytes(buf, s_off, s_size, t_off, t_size, tidx)

    cls_idx, type_idx, name_idx = struct.unpack_from("<HHI", buf, f_off + f * 8)
    cls = type_ref(cls_idx)
    if name_idx >= s_size:
        raise ValueError(f"field {f} name index out of range")
    name = _string_bytes(buf, s_off, name_idx)
    typ = type_ref(type_idx)
    desc = cls + b"->" + name + b":" + typ
    return desc.decode("ascii") if desc.isascii() else None


def method_descs_at(ids: tuple, mids: bytes, sig: bool = False) -> list[str | None]:
    """:func:`method_desc` of each method id of ``mids`` (u32); mirrors ``_dexscan.method_descs_at``."""
    if len(mids) % 4:
        raise ValueError("method ids must hold u32 values")
    buf, *tables = ids
    ids = (_whole(buf), *tables)
    return [method_desc(ids, m, sig) for m in _u32s(bytes(mids))]


def find_methods(ids: tuple, lo: int, hi: int, key: bytes) -> bytes | None:
    """The method ids in ``[lo, hi)`` whose descriptor is the ASCII ``key`` (u32, ascending); None when one cannot
    be built. Mirrors ``_dexscan.find_methods``."""
    buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size = ids
    buf = _whole(buf)
    _id_tables_ok(buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size)
    tables = (s_off, s_size, t_off, t_size, p_off, p_size, m_off)
    key = bytes(key)
    found = array("I")
    for m in range(lo, min(hi, m_size)):
        try:
            desc = _method_bytes(buf, tables, m)
        except ValueError:
            return None
        if desc == key and desc.isascii():
            found.append(m)
    return found.tobytes()


def intern_methods(
    dexes: list[tuple],
    ci: int,
    table: bytearray,
    hashes: bytearray,
    reps: bytearray,
    other: dict,
    decode,
    deadline: float = 0.0,
) -> bytes:
    """Node ids of the method ids of DEX ``ci`` in an id space shared over calls; mirrors
    ``_dexscan.intern_methods`` (same ids, same additions to ``reps``, same errors; ``table``, ``hashes`` and
    ``other`` hold what this backend needs, so they are only ever used with one backend)."""
    if not 0 <= ci < len(dexes):
        raise ValueError("DEX number out of range")
    cap = len(table) // 4
    if len(table) % 4 or cap < 2 or cap & (cap - 1):
        raise ValueError("the table must hold a power of two of u32 slots")
    n = len(reps) // 8
    if len(reps) % 8 or len(hashes) != n * 8:
        raise ValueError("hashes and representatives do not match")
    descs = method_descs(*dexes[ci], deadline)
    assert descs is not None
    out = array("I")
    for i, s in enumerate(descs):
        if s is None:
            s = decode(i)
            if type(s) is not str:
                raise TypeError("decode must give a str")
        g = other.get(s)
        if g is None:
            if 2 * (n + 1) > cap or n >= 0xFFFFFFFE:
                raise ValueError("the table is full")
            g = other[s] = n
            reps += array("I", (ci, i)).tobytes()
            hashes += bytes(8)
            n += 1
        out.append(g)
    return out.tobytes()


def class_ranks(
    dexes: list[tuple], reps: bytes, prefixes: tuple[bytes, ...], deadline: float = 0.0
) -> tuple[bytearray, bytearray] | None:
    """Per node (``reps``: u32 pairs DEX number, method id): the rank of its class descriptor among the distinct
    class descriptors of all nodes (u32), and a flag byte: 1 when its class starts with one of ``prefixes``, else 2
    when a longer prefix starts with the class, else 0. None when a class or a prefix is not pure ASCII or a class
    is a proper prefix of another's. Mirrors ``_dexscan.class_ranks``."""
    for p in prefixes:
        if type(p) is not bytes:
            raise TypeError("prefixes must be bytes")
    if any(not p.isascii() or 0 in p for p in prefixes):
        return None
    tables = []
    for ids in dexes:
        buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size = ids
        buf = _whole(buf)
        _id_tables_ok(buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size)
        tables.append((buf, s_off, s_size, t_off, t_size, m_off, m_size))
    if len(reps) % 8 or len(reps) // 8 > 0xFFFFFFF0:
        raise ValueError("reps must hold u32 pairs")
    pairs = _u32s(reps)
    n = len(pairs) // 2
    for g in range(n):
        ci, m = pairs[2 * g], pairs[2 * g + 1]
        if ci >= len(tables) or m >= tables[ci][6]:
            raise ValueError("representative out of range")
    classes: dict[tuple[int, int], bytes] = {}
    node_cls = []
    declined = False
    for g in range(n):
        if not g & 1023 and _past(deadline):
            raise TimeoutError("deadline passed")
        ci = pairs[2 * g]
        buf, s_off, s_size, t_off, t_size, m_off, _m_size = tables[ci]
        t = _U16.unpack_from(buf, m_off + pairs[2 * g + 1] * 8)[0]
        node_cls.append((ci, t))
        if (ci, t) in classes:
            continue
        if t >= t_size:
            raise ValueError(f"type index {t} out of range")
        sidx = _U32.unpack_from(buf, t_off + t * 4)[0]
        if sidx >= s_size:
            raise ValueError(f"type {t} string index out of range")
        cls = classes[(ci, t)] = _string_bytes(buf, s_off, sidx)
        declined = declined or not cls.isascii()
    if declined:
        return None
    distinct = sorted(set(classes.values()))
    if len(classes) >= 1 << 24 or any(b.startswith(a) for a, b in itertools.pairwise(distinct)):
        return None
    rank_of = {c: r for r, c in enumerate(distinct)}

    def flag(cls: bytes) -> int:
        if any(len(p) <= len(cls) and cls.startswith(p) for p in prefixes):
            return 1
        return 2 if any(len(p) > len(cls) and p.startswith(cls) for p in prefixes) else 0

    flag_of = {c: flag(c) for c in distinct}
    ranks = array("I", [rank_of[classes[k]] for k in node_cls])
    return bytearray(ranks.tobytes()), bytearray(flag_of[classes[k]] for k in node_cls)


def sort_nodes(dexes: list[tuple], reps: bytes, nodes: bytes) -> bytes | None:
    """The node ids ``nodes`` (u32) sorted by the descriptor of their representative in ``reps`` (u32 pairs DEX
    number, method id), equal ones in input order; None when a descriptor is not ASCII. Mirrors
    ``_dexscan.sort_nodes``."""
    if len(reps) % 8 or len(nodes) % 4:
        raise ValueError("reps must hold u32 pairs and nodes u32 values")
    tables: dict[int, tuple] = {}  # a DEX's tables checked when first used, as the kernel opens them
    pairs, ids_in = _u32s(reps), _u32s(nodes)
    keys = []
    for g in ids_in:
        if g >= len(pairs) // 2:
            raise ValueError("node out of range")
        ci, m = pairs[2 * g], pairs[2 * g + 1]
        if ci < len(dexes) and ci not in tables:
            buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size = dexes[ci]
            buf = _whole(buf)
            _id_tables_ok(buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size)
            tables[ci] = (buf, (s_off, s_size, t_off, t_size, p_off, p_size, m_off), m_size)
        if ci >= len(dexes) or m >= tables[ci][2]:
            raise ValueError("representative out of range")
        keys.append(_method_bytes(tables[ci][0], tables[ci][1], m))
    if not all(k.isascii() for k in keys):
        return None
    return array("I", [ids_in[i] for i in sorted(range(len(keys)), key=keys.__getitem__)]).tobytes()


def _u32s(data: bytes) -> list[int]:
    a = array("I")
    a.frombytes(bytes(data))
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        a.byteswap()
    return a.tolist()


_NONE_ID = 0xFFFFFFFF
_VIRTUAL_OPS = frozenset({0x6E, 0x74, 0x72, 0x78})
_SUPER_OPS = frozenset({0x6F, 0x75})


def invoked_ids(events: bytes, n_ids: int, ops: bytes) -> bytes:
    """Sorted distinct method ids (u32) invoked with one of the opcodes in ``ops`` (mirrors the C version)."""
    if len(events) % 20:
        raise ValueError("events length is not a multiple of 20")
    if n_ids > _M32:
        raise ValueError("too many method ids")
    want = set(bytes(ops))
    ev = _u32s(events)
    seen: set[int] = set()
    for i in range(len(ev) // 5):
        k = ev[5 * i]
        if k >> 8 != EV_INVOKE or k & 0xFF not in want:
            continue
        idx = ev[5 * i + 2]
        if idx >= n_ids:
            raise ValueError(f"event {i}: method index {idx} out of range")
        seen.add(idx)
    return _le_bytes(array("I", sorted(seen)))


def call_edges(methods: bytes, events: bytes, gids: bytes, virtual_extra: bytes, super_extra: bytes) -> bytes:
    """Call-graph edges ``(src, dst)`` (u32 pairs) of one DEX; same contract as ``_dexscan.call_edges``."""
    if len(methods) % 28:
        raise ValueError("methods length is not a multiple of 28")
    if len(events) % 20:
        raise ValueError("events length is not a multiple of 20")
    if len(gids) % 4 or len(gids) != len(virtual_extra) or len(gids) != len(super_extra):
        raise ValueError("method id maps differ in length")
    m, ev = _u32s(methods), _u32s(events)
    g, v, s = _u32s(gids), _u32s(virtual_extra), _u32s(super_extra)
    n_events, n_ids = len(ev) // 5, len(g)
    out = array("I")
    for r in range(len(m) // 7):
        seen: set[tuple[int, int]] = set()  # (kind, method id) pairs this record gave already
        midx, start, end = m[7 * r + 1], m[7 * r + 4], m[7 * r + 5]
        if start == end:
            continue
        if start > end or end > n_events:
            raise ValueError(f"method record {r}: events out of range")
        if midx >= n_ids:
            raise ValueError(f"method record {r}: method index {midx} out of range")
        src = g[midx]
        if src == _NONE_ID:
            continue
        for i in range(start, end):
            k = ev[5 * i]
            op = k & 0xFF
            if k >> 8 != EV_INVOKE or op == 0xFC or op == 0xFD:
                continue
            idx = ev[5 * i + 2]
            if idx >= n_ids:
                raise ValueError(f"event {i}: method index {idx} out of range")
            if (0, idx) not in seen:
                seen.add((0, idx))
                if g[idx] != _NONE_ID:
                    out.extend((src, g[idx]))
            kind = 1 if op in _VIRTUAL_OPS else 2 if op in _SUPER_OPS else 0
            if not kind or (kind, idx) in seen:
                continue
            seen.add((kind, idx))
            extra = v[idx] if kind == 1 else s[idx]
            if extra != _NONE_ID:
                out.extend((src, extra))
    return _le_bytes(out)


def build_csr(edges: bytes, n_nodes: int) -> tuple[bytes, bytes]:
    """Adjacency of ``(src, dst)`` u32 pairs: ``(offsets, targets)`` with ``n_nodes + 1`` offsets (u32).

    Each source's targets keep the order of their first occurrence in ``edges``; repeats are dropped. Mirrors
    ``_dexscan.build_csr`` (ValueError on a node id >= ``n_nodes``).
    """
    if len(edges) % 8:
        raise ValueError("edges length is not a multiple of 8")
    if n_nodes < 0 or n_nodes >= _NONE_ID:
        raise ValueError("too many nodes")
    e = _u32s(edges)
    if len(e) // 2 > _M32:
        raise ValueError("too many edges")
    rows: list[list[int]] = [[] for _ in range(n_nodes)]
    seen: set[tuple[int, int]] = set()
    for i in range(len(e) // 2):
        src, dst = e[2 * i], e[2 * i + 1]
        if src >= n_nodes or dst >= n_nodes:
            raise ValueError(f"edge {i}: node out of range")
        if (src, dst) not in seen:
            seen.add((src, dst))
            rows[src].append(dst)
    offsets = array("I", [0])
    targets = array("I")
    for row in rows:
        targets.extend(row)
        offsets.append(len(targets))
    return _le_bytes(offsets), _le_bytes(targets)


def reverse_csr(offsets: bytes, targets: bytes) -> tuple[bytes, bytes]:
    """The reversed adjacency of an adjacency from :func:`build_csr`; mirrors ``_dexscan.reverse_csr`` (see there)."""
    if len(offsets) % 4 or len(targets) % 4:
        raise ValueError("arrays must hold u32 values")
    off, tgt = _u32s(bytes(offsets)), _u32s(bytes(targets))
    if not off or off[0] != 0 or off[-1] != len(tgt):
        raise ValueError("offsets do not match the targets")
    n = len(off) - 1
    if any(off[i] > off[i + 1] for i in range(n)):
        raise ValueError("offsets are not sorted")
    if any(t >= n for t in tgt):
        raise ValueError("target out of range")
    rows: list[list[int]] = [[] for _ in range(n)]
    for u in range(n):
        for t in tgt[off[u] : off[u + 1]]:
            row = rows[t]
            if not row or row[-1] != u:
                row.append(u)
    roff = array("I", [0])
    rtgt = array("I")
    for row in rows:
        rtgt.extend(row)
        roff.append(len(rtgt))
    return _le_bytes(roff), _le_bytes(rtgt)


def _check_csr(off: list[int], tgt: list[int]) -> int:
    n_nodes = len(off) - 1
    if n_nodes < 0 or off[0] != 0 or off[-1] != len(tgt):
        raise ValueError("offsets do not match the targets")
    for i in range(n_nodes):
        if off[i] > off[i + 1]:
            raise ValueError("offsets are not sorted")
    for t in tgt:
        if t >= n_nodes:
            raise ValueError("target out of range")
    return n_nodes


def bfs(
    offsets: bytes, targets: bytes, virtual: bytes, entries: bytes, deadline: float = 0
) -> tuple[bytes, bytes]:
    """Breadth-first search from ``entries`` over an adjacency from :func:`build_csr`; mirrors ``_dexscan.bfs``.

    ``virtual`` has one byte per node, nonzero for a virtual node: reaching one costs nothing, its (real) targets
    are reached at the depth of the node that reached it, with that node as parent; virtual targets of a virtual
    node are ignored. Returns ``(parents, order)``: ``parents`` (u32 per node) is NONE for an unreached node and
    the node itself for an entry; ``order`` lists the reached real nodes in visit order, entries first.
    ``TimeoutError`` once ``deadline`` (a ``time.monotonic()`` value, 0 = none) has passed.
    """
    if len(offsets) % 4 or len(targets) % 4 or len(entries) % 4:
        raise ValueError("arrays must hold u32 values")
    off, tgt = _u32s(offsets), _u32s(targets)
    n_nodes = _check_csr(off, tgt)
    virt = bytes(virtual)
    if len(virt) != n_nodes:
        raise ValueError("virtual flags do not match the nodes")
    parents = array("I", [_NONE_ID]) * n_nodes
    order = array("I")
    for e in _u32s(entries):
        if e >= n_nodes or virt[e]:
            raise ValueError("entry out of range")
        if parents[e] == _NONE_ID:
            parents[e] = e
            order.append(e)
    head = 0
    while head < len(order):
        u = order[head]
        head += 1
        if not head & 4095 and _past(deadline):
            raise TimeoutError("deadline passed")
        for t in tgt[off[u] : off[u + 1]]:
            if parents[t] != _NONE_ID:
                continue
            parents[t] = u
            if not virt[t]:
                order.append(t)
                continue
            for t2 in tgt[off[t] : off[t + 1]]:
                if not virt[t2] and parents[t2] == _NONE_ID:
                    parents[t2] = u
                    order.append(t2)
    return _le_bytes(parents), _le_bytes(order)


def _string_bytes(buf: bytes, s_off: int, sidx: int) -> bytes:
    """The MUTF-8 bytes of string ``sidx`` (after its length prefix, up to the NUL); ValueError when out of bounds.
    ``sidx`` must already be below the string_ids size."""
    size = len(buf)
    pos = _U32.unpack_from(buf, s_off + sidx * 4)[0]
    try:
        if pos >= size:
            raise _Fatal
        _, pos = _uleb(buf, size, pos)
    except _Fatal:
        raise ValueError(f"string {sidx} data out of bounds") from None
    nul = buf.find(b"\0", pos)
    if nul < 0:
        raise ValueError(f"string {sidx} data out of bounds")
    return buf[pos:nul]


def _type_bytes(buf: bytes, s_off: int, s_size: int, t_off: int, t_size: int, tidx: int) -> bytes:
    """The descriptor bytes of type id ``tidx``; ValueError when it or its string index is out of range (the
    messages of ``_dexdesc.h``'s ``type_ref``)."""
    if tidx >= t_size:
        raise ValueError(f"type index {tidx} out of range")
    sidx = _U32.unpack_from(buf, t_off + tidx * 4)[0]
    if sidx >= s_size:
        raise ValueError(f"type {tidx} string index out of range")
    return _string_bytes(buf, s_off, sidx)


def type_descs(buf: bytes, s_off: int, s_size: int, t_off: int, t_size: int) -> list[str | None]:
    """The descriptor of every type id, interned; None where it is not pure ASCII (mirrors ``_dexscan.type_descs``)."""
    buf = bytes(buf)
    size = len(buf)
    if s_off + s_size * 4 > size:
        raise ValueError("string_ids out of bounds")
    if t_off + t_size * 4 > size:
        raise ValueError("type_ids out of bounds")
    out: list[str | None] = []
    for tidx in range(t_size):
        sidx = _U32.unpack_from(buf, t_off + tidx * 4)[0]
        if sidx >= s_size:
            raise ValueError(f"type {tidx} string index out of range")
        raw = _string_bytes(buf, s_off, sidx)
        out.append(sys.intern(raw.decode("ascii")) if raw.isascii() else None)
    return out


def _one_byte_kind(s: object) -> bool:
    """Whether ``s`` is a str whose characters are all below U+0100 (CPython's 1-byte kind)."""
    return isinstance(s, str) and (s.isascii() or max(s) <= "\xff")


_SPLIT_ID = 0xFFFFFFFE


def hierarchy_extras(
    idt: tuple[int, int, int, int, int],
    types: list[str],
    buf: bytes,
    tables: tuple[int, int, int, int, int],
    methods: bytes,
    gmap: bytes,
    tstat: bytes,
    split: bytes,
    vids: bytes,
    sids: bytes,
    vbase: int,
    deadline: float = 0,
) -> tuple[bytes, bytes, bytes, int, bytes] | None:
    """Class-hierarchy targets of the virtual and super calls of one DEX; mirrors ``_dexscan.hierarchy_extras``
    (see there for the contract; ``TimeoutError`` once ``deadline``, a ``time.monotonic()`` value, has passed)."""
    buf = bytes(buf)
    size = len(buf)
    t_size, cd_off, cd_size, m_off, m_size = tables
    s_off, s_size, t_off, p_off, p_size = idt
    if len(types) != t_size:
        raise ValueError("descriptor lists do not match the tables")
    _id_tables_ok(buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size)
    ids_tables = (s_off, s_size, t_off, t_size, p_off, p_size, m_off)

    def sig_of(mid: int) -> bytes | None:
        """The part of method ``mid``'s descriptor after the class and "->", when it can be built and is ASCII."""
        try:
            sig = _method_bytes(buf, ids_tables, mid, from_name=True)
        except ValueError:
            return None
        return sig if sig.isascii() else None

    if cd_off + cd_size * 32 > size:
        raise ValueError("class_defs out of bounds")
    if m_off + m_size * 8 > size:
        raise ValueError("method_ids out of bounds")
    if len(methods) % 28:
        raise ValueError("methods length is not a multiple of 28")
    if len(gmap) != m_size * 4:
        raise ValueError("node map length differs from method_ids")
    if len(tstat) != t_size * 4:
        raise ValueError("type map length differs from type_ids")
    if len(split) != cd_size:
        raise ValueError("split flags length differs from class_defs")
    if len(vids) % 4 or len(sids) % 4:
        raise ValueError("method id lists must hold u32 values")
    n_cls = cd_size
    status = _u32s(tstat)
    for t, v in enumerate(status):
        if v not in (_NONE_ID, _SPLIT_ID) and v >= n_cls:
            raise ValueError(f"type {t}: class def index {v} out of range")
    # 1. parents (statuses) of the first definitions, and their children
    parents: list[list[int]] = [[] for _ in range(n_cls)]
    for c in range(n_cls):
        t, _flags, sup, ioff = struct.unpack_from("<4I", buf, cd_off + c * 32)
        if t >= t_size:
            raise ValueError(f"class def {c}: type index {t} out of range")
        if status[t] != c:
            continue
        ok = sup == _NONE_ID or sup < t_size
        ifaces: tuple[int, ...] = ()
        if ok and ioff:
            if ioff & 3 or ioff + 4 > size:
                ok = False
            else:
                n = _U32.unpack_from(buf, ioff)[0]
                if ioff + 4 + n * 2 > size:
                    ok = False
                else:
                    ifaces = struct.unpack_from(f"<{n}H", buf, ioff + 4)
                    ok = all(x < t_size for x in ifaces)
        if ok:
            parents[c] = ([status[sup]] if sup != _NONE_ID else []) + [status[x] for x in ifaces]
    children: list[list[int]] = [[] for _ in range(n_cls)]
    for c in range(n_cls):
        for p in parents[c]:
            if p < n_cls:
                children[p].append(c)
    # 2. group the references by class (runs of equal method class)
    lists = (_u32s(vids), _u32s(sids))

    def mclass(mid: int) -> int:
        return _U16.unpack_from(buf, m_off + mid * 8)[0]

    for ids in lists:
        for mid in ids:
            if mid >= m_size:
                raise ValueError(f"method index {mid} out of range")
            if mclass(mid) >= t_size:
                raise ValueError(f"method {mid}: type index {mclass(mid)} out of range")
    groups: list[tuple[int, list[int], list[int], list[int]]] = []
    rest = array("I")
    wanted: set[int] = set()
    work = 1 << 16  # classes visited since the clock was read (the first unit reads it, as in C)

    def spent(units: int) -> None:
        nonlocal work
        work += units
        if work >= 1 << 16:
            work = 0
            if _past(deadline):
                raise TimeoutError("deadline passed")

    for kind, ids in enumerate(lists):
        i = 0
        while i < len(ids):
            t = mclass(ids[i])
            j = i + 1
            while j < len(ids) and mclass(ids[j]) == t:
                j += 1
            run = ids[i:j]
            i = j
            name = types[t]
            cls = status[t]
            to_rest = not _one_byte_kind(name) or "->" in name or cls == _SPLIT_ID
            chain: list[int] = []
            below: list[int] = []
            if not to_rest and cls != _NONE_ID:
                c = cls
                while c < n_cls and c not in chain:
                    chain.append(c)
                    c = parents[c][0] if parents[c] else _NONE_ID
                to_rest = c == _SPLIT_ID
                if not to_rest and kind == 0:
                    stack, seen = [cls], {cls}
                    while stack and not to_rest:
                        u = stack.pop()
                        if split[u]:
                            to_rest = True
                        for v in children[u]:
                            if v not in seen:
                                seen.add(v)
                                stack.append(v)
                                below.append(v)
            spent(1 + len(chain) + len(below))
            if to_rest:
                for m in run:
                    rest.extend((kind, m))
            elif cls != _NONE_ID:
                groups.append((kind, run, chain, below))
                wanted.update(chain + below)
    # 3. (class def, sig) -> first record, for the classes asked about
    m = _u32s(methods)
    for r in range(len(m) // 7):
        cdi, midx = m[7 * r], m[7 * r + 1]
        if cdi >= n_cls:
            raise ValueError(f"method record {r}: class def index {cdi} out of range")
        if midx >= m_size:
            raise ValueError(f"method record {r}: method index {midx} out of range")
    table: dict[tuple[int, bytes], int] = {}
    for r in range(len(m) // 7):
        cdi, midx = m[7 * r], m[7 * r + 1]
        if cdi not in wanted:
            continue
        # the method id's class must be the class def's (a name without "->"), so that the descriptor is
        # f"{name}->{sig}"; the sig (name and proto) must be ASCII
        ct, mc = _U32.unpack_from(buf, cd_off + cdi * 32)[0], mclass(midx)
        name = types[ct]
        if mc >= t_size or not _one_byte_kind(name) or "->" in name or (mc != ct and types[mc] != name):
            return None
        sig = sig_of(midx)
        if sig is None:
            return None
        table.setdefault((cdi, sig), midx)
    # 4. the targets of every grouped reference
    g = _u32s(gmap)
    maps = (array("I", [_NONE_ID]) * m_size, array("I", [_NONE_ID]) * m_size)
    vedges = array("I")
    n_v = 0
    for kind, refs, chain, below in groups:
        xmap = maps[kind]
        for ref in refs:
            spent(1 + len(chain) + len(below))
            sig = sig_of(ref)
            if sig is None:
                return None
            found: list[int] = []
            for cdi in chain:
                hit = table.get((cdi, sig))
                if hit is not None:
                    found.append(g[hit])
                    break
            found += [g[hit] for cdi in below if (hit := table.get((cdi, sig))) is not None]
            targets = sorted(set(found) - {g[ref]})
            if len(targets) == 1:
                xmap[ref] = targets[0]
            elif targets:
                if vbase + n_v >= _NONE_ID:
                    raise ValueError("too many nodes")
                vnode = vbase + n_v
                n_v += 1
                xmap[ref] = vnode
                for t in targets:
                    vedges.extend((vnode, t))
    return _le_bytes(maps[0]), _le_bytes(maps[1]), _le_bytes(vedges), n_v, _le_bytes(rest)


def hierarchy_all(
    dexes: list[tuple], vbase: int, deadline: float = 0, hints: list | None = None
) -> tuple[list, bytes, int, list] | None:
    """Class-hierarchy targets of the virtual and super calls of every DEX at once (hierarchies across DEX files);
    mirrors ``_reach.hierarchy_all`` (see there for the contract; ``TimeoutError`` once ``deadline`` has passed).
    ``hints`` (what ``_reach.intern_all`` gives the C kernel to read each sig's hash from) change no result and are
    not read here."""

    def arrow(s: object) -> bool:
        return not isinstance(s, str) or "->" in s

    xs = []
    n_cls = 0
    for k, item in enumerate(dexes):
        if not isinstance(item, tuple):
            raise TypeError("each DEX must be a tuple")
        idt, types, buf, tables, methods, gmap, tstat, vids, sids = item
        buf = bytes(buf)
        t_size, cd_off, cd_size, m_off, m_size = tables
        s_off, s_size, t_off, p_off, p_size = idt
        try:
            if len(types) != t_size:
                raise ValueError("descriptor lists do not match the tables")
            _id_tables_ok(buf, s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size)
            if cd_off + cd_size * 32 > len(buf):
                raise ValueError("class_defs out of bounds")
            if len(methods) % 28:
                raise ValueError("methods length is not a multiple of 28")
            if len(gmap) != m_size * 4:
                raise ValueError("node map length differs from method_ids")
            if len(tstat) != t_size * 4:
                raise ValueError("type map length differs from type_ids")
            if len(vids) % 4 or len(sids) % 4:
                raise ValueError("method id lists must hold u32 values")
            base = n_cls
            n_cls += cd_size
            if n_cls >= _SPLIT_ID:
                raise ValueError("too many classes")
        except ValueError as exc:
            raise ValueError(f"DEX {k}: {exc}") from None
        xs.append(
            {
                "buf": buf,
                "ids": (s_off, s_size, t_off, t_size, p_off, p_size, m_off),
                "types": types,
                "t_size": t_size,
                "cd_off": cd_off,
                "cd_size": cd_size,
                "m_off": m_off,
                "m_size": m_size,
                "methods": _u32s(bytes(methods)),
                "gmap": _u32s(bytes(gmap)),
                "tstat": tstat,
                "lists": (_u32s(bytes(vids)), _u32s(bytes(sids))),
                "base": base,
                "rest": array("I"),
            }
        )
    for k, x in enumerate(xs):
        status = _u32s(bytes(x["tstat"]))
        for t, v in enumerate(status):
            if v != _NONE_ID and v >= n_cls:
                raise ValueError(f"DEX {k}: type {t}: class number {v} out of range")
        x["status"] = status

    def sig_of(x: dict, mid: int) -> bytes | None:
        """The part of method ``mid``'s descriptor after the class and "->" (ValueError when it cannot be
        built), None when it is not ASCII."""
        sig = _method_bytes(x["buf"], x["ids"], mid, from_name=True)
        return sig if sig.isascii() else None

    def mclass(x: dict, mid: int) -> int:
        return _U16.unpack_from(x["buf"], x["m_off"] + mid * 8)[0]

    # 1. parents (app-wide class numbers) of the first definitions, and their children
    parents: list[list[int]] = [[] for _ in range(n_cls)]
    for k, x in enumerate(xs):
        buf, status, t_size, size = x["buf"], x["status"], x["t_size"], len(x["buf"])
        for c in range(x["cd_size"]):
            t, _flags, sup, ioff = struct.unpack_from("<4I", buf, x["cd_off"] + c * 32)
            if t >= t_size:
                raise ValueError(f"DEX {k}: class def {c}: type index {t} out of range")
            gc = x["base"] + c
            if status[t] != gc:
                continue
            ok = sup == _NONE_ID or sup < t_size
            ifaces: tuple[int, ...] = ()
            if ok and ioff:
                if ioff & 3 or ioff + 4 > size:
                    ok = False
                else:
                    n = _U32.unpack_from(buf, ioff)[0]
                    if ioff + 4 + n * 2 > size:
                        ok = False
                    else:
                        ifaces = struct.unpack_from(f"<{n}H", buf, ioff + 4)
                        ok = all(i < t_size for i in ifaces)
            if ok:
                parents[gc] = ([status[sup]] if sup != _NONE_ID else []) + [status[i] for i in ifaces]
    children: list[list[int]] = [[] for _ in range(n_cls)]
    for c in range(n_cls):
        for p in parents[c]:
            if p < n_cls:
                children[p].append(c)
    # 2. the references: checked, then grouped by class (runs of equal method class)
    for k, x in enumerate(xs):
        for ids in x["lists"]:
            for mid in ids:
                if mid >= x["m_size"]:
                    raise ValueError(f"DEX {k}: method index {mid} out of range")
                if mclass(x, mid) >= x["t_size"]:
                    raise ValueError(f"DEX {k}: method {mid}: type index {mclass(x, mid)} out of range")
    groups: list[tuple[dict, int, list[int], list[int], list[int]]] = []
    wanted: set[int] = set()
    work = 1 << 16  # classes visited since the clock was read (the first unit reads it, as in C)

    def spent(units: int) -> None:
        nonlocal work
        work += units
        if work >= 1 << 16:
            work = 0
            if _past(deadline):
                raise TimeoutError("deadline passed")

    for x in xs:
        for kind, ids in enumerate(x["lists"]):
            i = 0
            while i < len(ids):
                t = mclass(x, ids[i])
                j = i + 1
                while j < len(ids) and mclass(x, ids[j]) == t:
                    j += 1
                run = ids[i:j]
                i = j
                to_rest = arrow(x["types"][t])
                cls = x["status"][t]
                chain: list[int] = []
                below: list[int] = []
                if not to_rest and cls != _NONE_ID:
                    c = cls
                    while c < n_cls and c not in chain:
                        chain.append(c)
                        c = parents[c][0] if parents[c] else _NONE_ID
                    if kind == 0:
                        stack, seen = [cls], {cls}
                        while stack:
                            u = stack.pop()
                            for v in children[u]:
                                if v not in seen:
                                    seen.add(v)
                                    stack.append(v)
                                    below.append(v)
                spent(1 + len(chain) + len(below))
                if to_rest:
                    for m in run:
                        x["rest"].extend((kind, m))
                elif cls != _NONE_ID:
                    groups.append((x, kind, run, chain, below))
                    wanted.update(chain + below)
    # 3. (class, sig) -> node of its first ASCII record, for the classes asked about
    for k, x in enumerate(xs):
        m = x["methods"]
        for r in range(len(m) // 7):
            cdi, midx = m[7 * r], m[7 * r + 1]
            if cdi >= x["cd_size"]:
                raise ValueError(f"DEX {k}: method record {r}: class def index {cdi} out of range")
            if midx >= x["m_size"]:
                raise ValueError(f"DEX {k}: method record {r}: method index {midx} out of range")
    table: dict[tuple[int, bytes], int] = {}
    for x in xs:
        m, types = x["methods"], x["types"]
        for r in range(len(m) // 7):
            cdi, midx = m[7 * r], m[7 * r + 1]
            gc = x["base"] + cdi
            if gc not in wanted:
                continue
            ct, mc = _U32.unpack_from(x["buf"], x["cd_off"] + cdi * 32)[0], mclass(x, midx)
            name = types[ct]
            if mc >= x["t_size"] or arrow(name) or (mc != ct and types[mc] != name):
                return None
            try:
                sig = sig_of(x, midx)
            except ValueError:
                return None
            if sig is not None:
                table.setdefault((gc, sig), x["gmap"][midx])
    # 4. the targets of every grouped reference
    for x in xs:
        x["maps"] = (array("I", [_NONE_ID]) * x["m_size"], array("I", [_NONE_ID]) * x["m_size"])
    vedges = array("I")
    n_v = 0
    for x, kind, refs, chain, below in groups:
        xmap = x["maps"][kind]
        for ref in refs:
            spent(1 + len(chain) + len(below))
            try:
                sig = sig_of(x, ref)
            except ValueError:
                return None
            if sig is None:
                x["rest"].extend((kind, ref))
                continue
            found: list[int] = []
            for c in chain:
                hit = table.get((c, sig))
                if hit is not None:
                    found.append(hit)
                    break
            found += [hit for c in below if (hit := table.get((c, sig))) is not None]
            targets = sorted(set(found) - {x["gmap"][ref]})
            if len(targets) == 1:
                xmap[ref] = targets[0]
            elif targets:
                if vbase + n_v >= _NONE_ID:
                    raise ValueError("too many nodes")
                vnode = vbase + n_v
                n_v += 1
                xmap[ref] = vnode
                for t in targets:
                    vedges.extend((vnode, t))
    maps = [(_le_bytes(x["maps"][0]), _le_bytes(x["maps"][1])) for x in xs]
    return maps, _le_bytes(vedges), n_v, [_le_bytes(x["rest"]) for x in xs]


def subtype_masks(dexes: list[tuple], bits: list[bytes]) -> bytes:
    """Per app-wide class number, the OR of the bits of every type it is or reaches through its parents; mirrors
    ``_dexscan.subtype_masks`` (see there for the contract)."""
    if len(bits) != len(dexes):
        raise ValueError("one bits buffer per DEX")
    xs = []
    n_cls = 0
    for k, item in enumerate(dexes):
        if not isinstance(item, tuple):
            raise TypeError("each DEX must be a tuple")
        _idt, _types, buf, tables, _methods, _gmap, tstat, _vids, _sids = item
        buf = bytes(buf)
        t_size, cd_off, cd_size, _m_off, _m_size = tables
        bk = bytes(bits[k])
        try:
            if cd_off + cd_size * 32 > len(buf):
                raise ValueError("class_defs out of bounds")
            if len(tstat) != t_size * 4:
                raise ValueError("type map length differs from type_ids")
            if len(bk) != t_size:
                raise ValueError("bits length differs from type_ids")
            base = n_cls
            n_cls += cd_size
            if n_cls >= _SPLIT_ID:
                raise ValueError("too many classes")
        except ValueError as exc:
            raise ValueError(f"DEX {k}: {exc}") from None
        xs.append((buf, t_size, cd_off, cd_size, _u32s(bytes(tstat)), bk, base))
    for k, (_buf, _t_size, _cd_off, _cd_size, status, _bk, _base) in enumerate(xs):
        for t, v in enumerate(status):
            if v != _NONE_ID and v >= n_cls:
                raise ValueError(f"DEX {k}: type {t}: class number {v} out of range")
    mask = bytearray(n_cls)
    children: list[list[int]] = [[] for _ in range(n_cls)]
    for k, (buf, t_size, cd_off, cd_size, status, bk, base) in enumerate(xs):
        size = len(buf)
        for c in range(cd_size):
            t, _flags, sup, ioff = struct.unpack_from("<4I", buf, cd_off + c * 32)
            if t >= t_size:
                raise ValueError(f"DEX {k}: class def {c}: type index {t} out of range")
            gc = base + c
            if status[t] != gc:
                continue
            mask[gc] = bk[t]
            ok = sup == _NONE_ID or sup < t_size
            ifaces: tuple[int, ...] = ()
            if ok and ioff:
                if ioff & 3 or ioff + 4 > size:
                    ok = False
                else:
                    n = _U32.unpack_from(buf, ioff)[0]
                    if ioff + 4 + n * 2 > size:
                        ok = False
                    else:
                        ifaces = struct.unpack_from(f"<{n}H", buf, ioff + 4)
                        ok = all(i < t_size for i in ifaces)
            if not ok:
                continue
            for p in ([sup] if sup != _NONE_ID else []) + list(ifaces):
                if status[p] != _NONE_ID:
                    children[status[p]].append(gc)
                else:
                    mask[gc] |= bk[p]
    stack = [c for c in range(n_cls) if mask[c]]
    while stack:
        u = stack.pop()
        for v in children[u]:
            if mask[v] | mask[u] != mask[v]:
                mask[v] |= mask[u]
                stack.append(v)
    return bytes(mask)


def max_item(buf: bytes, itemsize: int) -> int:
    """The largest unsigned little-endian item (itemsize 2 or 4) of ``buf``, 0 when empty (mirrors
    ``_dexscan.max_item``)."""
    data = bytes(buf)
    if itemsize not in (2, 4) or len(data) % itemsize:
        raise ValueError("itemsize must be 2 or 4 and divide the length")
    a = array("H" if itemsize == 2 else "I")
    a.frombytes(data)
    if sys.byteorder != "little":  # pragma: no cover - big-endian hosts
        a.byteswap()
    return max(a, default=0)


def column(
    buf: bytes | memoryview, off: int, count: int, stride: int, pos: int, size: int
) -> tuple[bytes, int]:
    """One column of a table of ``count`` rows of ``stride`` bytes at ``off`` of ``buf``: the ``size`` bytes (2 or
    4) at ``pos`` of each row, in row order, and the largest of them as unsigned little-endian (0 when ``count`` is
    0). ValueError for another layout or rows past the end of ``buf`` (mirrors ``_dexscan.column``)."""
    if size not in (2, 4) or pos < 0 or stride < 1 or pos > stride - size or off < 0 or count < 0:
        raise ValueError("bad column layout")
    if count == 0:
        return b"", 0
    if off > len(buf) or count * stride > len(buf) - off:
        raise ValueError("column rows run past the end of the buffer")
    rows = bytes(memoryview(buf)[off : off + count * stride])
    if stride % size == 0 and pos % size == 0:  # whole items: a stepped slice of an array of them
        items = array("H" if size == 2 else "I")
        items.frombytes(rows)
        raw = items[pos // size :: stride // size].tobytes()
    else:
        raw = b"".join(rows[i + pos : i + pos + size] for i in range(0, count * stride, stride))
    return raw, max_item(raw, size)


# -- the twins of the _reach kernels (appwarden.dex._reach: the reachability stage's C kernels) ----------------


def walk(
    offsets: bytes,
    targets: bytes,
    virtual: bytes,
    rank: bytes,
    flags: bytearray,
    done: bytes,
    entries: bytes,
    cut: bytes,
    deadline: float,
    skipped: Callable[[int], object],
    order: Callable[[bytes], bytes],
    dexes: list[tuple] | None = None,
    reps: bytes | None = None,
) -> tuple[bytes, bytes]:
    """``CallGraph.walk``'s BFS over node ids; mirrors ``_reach.walk`` (see its contract in ``_reach.c``): the
    callees of each node taken from the queue (virtual nodes crossed) not yet met, its ``cut`` edges and the
    skipped nodes (``flags`` 1, or 2 and ``skipped(node)`` true: the answer replaces the 2) left out, in class
    ``rank`` order, each run of them sharing a rank put in the order ``order(u32 bytes) -> u32 bytes`` gives it.
    Returns ``(parents, order)`` as u32 bytes (native order, as the arrays they come from). With ``dexes`` and
    ``reps``, :func:`sort_nodes` orders each such run, ``order`` only when it does not answer."""
    if any(len(b) % 4 for b in (offsets, targets, rank, entries)) or len(cut) % 8 or len(offsets) < 4:
        raise ValueError("arrays must hold u32 values")
    off, tgt, rk = array("I", bytes(offsets)), array("I", bytes(targets)), array("I", bytes(rank))
    n, m = len(off) - 1, len(tgt)
    if len(virtual) != n or len(flags) != n or len(done) != n or len(rk) != n:
        raise ValueError("per-node arrays do not match the offsets")
    if n >= _M32:
        raise ValueError("too many nodes")
    cuts = array("I", bytes(cut))
    skips: dict[int, set[int]] = {}
    for i in range(0, len(cuts), 2):
        skips.setdefault(cuts[i], set()).add(cuts[i + 1])
    parents = array("I", [_NONE_ID]) * n
    met = array("I")
    mark = bytearray(n)
    queue: list[int] = []
    for g in array("I", bytes(entries)):
        if g >= n:
            raise ValueError("entry out of range")
        mark[g] = 1
        parents[g] = g
        met.append(g)
        if not done[g]:
            queue.append(g)
    head = 0
    while head < len(queue):
        g = queue[head]
        head += 1
        if not head & 2047 and _past(deadline):
            raise TimeoutError("deadline passed")
        lo, hi = off[g], off[g + 1]
        if lo > hi or hi > m:
            raise ValueError("offsets do not match the targets")
        found: dict[int, None] = {}
        for t in tgt[lo:hi]:
            if t >= n:
                raise ValueError("target out of range")
            if not virtual[t]:
                if not mark[t]:
                    found[t] = None
                continue
            vlo, vhi = off[t], off[t + 1]
            if vlo > vhi or vhi > m:
                raise ValueError("offsets do not match the targets")
            for x in tgt[vlo:vhi]:
                if x >= n:
                    raise ValueError("target out of range")
                if not virtual[x] and not mark[x]:
                    found[x] = None
        if not found:
            continue
        cut_here = skips.get(g, ())
        kept = []
        for c in found:
            if c in cut_here:
                continue
            if flags[c] == 2:
                flags[c] = 1 if skipped(c) else 0
            if flags[c] == 1:
                mark[c] = 2
            else:
                kept.append(c)
        kept.sort(key=rk.__getitem__)
        # each run of them sharing a rank (methods of one class): its descriptor order
        if len({rk[c] for c in kept}) != len(kept):
            ordered: list[int] = []
            for _r, group in itertools.groupby(kept, key=rk.__getitem__):
                run = list(group)
                if len(run) > 1:
                    here = None
                    if dexes is not None and reps is not None:
                        try:
                            here = sort_nodes(dexes, reps, array("I", run).tobytes())
                        except ValueError:
                            here = None
                    got = array("I", bytes(here if here is not None else order(array("I", run).tobytes())))
                    if sorted(got) != sorted(run):
                        raise ValueError("order() must give the nodes it was given")
                    run = got.tolist()
                ordered.extend(run)
            kept = ordered
        for c in kept:
            parents[c] = g
            met.append(c)
            mark[c] = 1
            if not done[c]:
                queue.append(c)
    return parents.tobytes(), met.tobytes()


def invoked_pair(events: bytes, n_ids: int) -> tuple[bytes, bytes]:
    """``(invoked_ids(events, n_ids, virtual/interface opcodes), invoked_ids(events, n_ids, super opcodes))``:
    mirrors ``_reach.invoked_pair`` (one pass there)."""
    return (
        invoked_ids(events, n_ids, bytes(sorted(_VIRTUAL_OPS))),
        invoked_ids(events, n_ids, bytes(sorted(_SUPER_OPS))),
    )


def rpartition_heads(names: list, sep: str) -> list | None:
    """The twin of ``_dexscan.rpartition_heads``: ``name.rpartition(sep)[0]`` of each name (None when an item is not
    exactly a str)."""
    if len(sep) != 1:
        raise ValueError("rpartition_heads: a one-character separator expected")
    if not all(type(n) is str for n in names):
        return None
    return [n.rpartition(sep)[0] for n in names]


def class_map(types: list, defs: list) -> dict:
    """The twin of ``_dexscan.class_map``: per DEX ``ci`` (``types[ci]`` its type descriptors, ``defs[ci]`` its
    class defs, 8 little-endian u32 each) and class def ``cdi``, ``types[ci][class type idx] -> (ci, cdi)``, the
    first definition kept."""
    if len(types) != len(defs):
        raise ValueError("class_map: one class defs buffer per type list expected")
    found: dict = {}
    for ci, (tl, d) in enumerate(zip(types, defs, strict=True)):
        if not isinstance(tl, list):
            raise TypeError("class_map: each DEX's types must be a list")
        raw = bytes(d)
        if len(raw) % 32:
            raise ValueError("class_map: class defs must be 8 u32 per class")
        for cdi, (t,) in enumerate(struct.unpack_from("<I", raw, i) for i in range(0, len(raw), 32)):
            if t >= len(tl):
                raise ValueError(f"class_map: class def {cdi} of DEX {ci} names type {t}, out of range")
            found.setdefault(tl[t], (ci, cdi))
    return found


def class_numbers(types: list, app: dict, base: list[int], defs: object = None, ci: int = -1) -> bytes:
    """u32 per item of ``types``: NONE when ``app.get(item)`` is None, else ``base[ci] + cdi`` for ``app[item] ==
    (ci, cdi)``; with ``defs`` (the class defs of DEX ``ci``, 8 u32 each; the caller says no class is defined twice)
    the type of def k gets ``base[ci] + k`` unlooked-up; mirrors ``_reach.class_numbers`` (same ValueError)."""
    known: dict[int, int] = {}
    if defs is not None:
        raw = bytes(defs)  # type: ignore[call-overload]
        b = base[ci] if len(raw) % 32 == 0 and 0 <= ci < len(base) else -1
        if b < 0 or b + len(raw) // 32 > _NONE_ID:
            raise ValueError("class defs must be 8 u32 per class of a DEX of base")
        for k, t in enumerate(array("I", raw)[0::8]):
            if t < len(types):
                known[t] = b + k
    out = array("I")
    for i, item in enumerate(types):
        if i in known:
            out.append(known[i])
            continue
        w = app.get(item)
        if w is None:
            out.append(_NONE_ID)
            continue
        if not isinstance(w, tuple) or len(w) != 2:
            raise ValueError("class map values must be (DEX number, class def index)")
        ci, cdi = int(w[0]), int(w[1])
        if not 0 <= ci < len(base) or cdi < 0 or base[ci] < 0 or base[ci] + cdi >= _NONE_ID:
            raise ValueError("class map values must be (DEX number, class def index)")
        out.append(base[ci] + cdi)
    return out.tobytes()


def ids_ordered(types: list, method_class: bytes) -> bool:
    """Whether every item of ``types`` is a str, each strictly below the next, and the u16 items of
    ``method_class`` never decrease; mirrors ``_reach.ids_ordered``."""
    if len(method_class) % 2:
        raise ValueError("method classes must hold u16 values")
    if not all(type(t) is str for t in types) or not all(
        map(str.__lt__, types, itertools.islice(types, 1, None))
    ):
        return False
    mclass = array("H", bytes(method_class)).tolist()
    return all(map(int.__le__, mclass, itertools.islice(mclass, 1, None)))


def intern_all(dexes: list[tuple], decodes: list, deadline: float = 0.0, hints: bool = False) -> tuple | None:
    """``intern_methods`` over every DEX at once: ``(maps, reps)``, ``maps[k]`` the node id (u32) of each method
    id of DEX ``k``, ``reps`` a (DEX number, method id) u32 pair per node (first seen, one node per distinct
    descriptor); None when a check of ``method_descs`` fails in a DEX, or a method's class descriptor holds "->" or
    its name "(" (bytes). Mirrors ``_reach.intern_all``; with ``hints`` a third item, None here (the C kernel's
    sig hashes for its ``hierarchy_all``, which change no result)."""
    if len(decodes) != len(dexes):
        raise ValueError("one decode per DEX")
    nodes: dict[str, int] = {}
    maps: list[bytes] = []
    reps = array("I")
    for k, ids in enumerate(dexes):
        try:
            descs = method_descs(*ids, deadline)
        except ValueError:
            return None
        assert descs is not None
        buf, s_off, _s_size, t_off, _t_size, _p_off, _p_size, m_off, _m_size = ids
        buf = _whole(buf)
        for i in range(len(descs)):
            cls_sidx = _U32.unpack_from(buf, t_off + 4 * _U16.unpack_from(buf, m_off + 8 * i)[0])[0]
            if b"->" in _string_bytes(buf, s_off, cls_sidx):
                return None
            if b"(" in _string_bytes(buf, s_off, _U32.unpack_from(buf, m_off + 8 * i + 4)[0]):
                return None
        out = array("I")
        for i, s in enumerate(descs):
            if s is None:
                s = decodes[k](i)
                if not isinstance(s, str):
                    raise TypeError("decode must give a str")
            g = nodes.get(s)
            if g is None:
                g = nodes[s] = len(reps) // 2
                reps.extend((k, i))
            out.append(g)
        maps.append(out.tobytes())
    return (maps, reps.tobytes(), None) if hints else (maps, reps.tobytes())


def _prefix_differs(ids: tuple, m: int, key: bytes) -> bool:
    """Whether the class and name of method id ``m`` (below the method_ids size) resolve and ``key`` does not start
    with ``cls->name(`` (then its descriptor cannot be ``key``, whatever its proto)."""
    buf, s_off, s_size, t_off, t_size, _p_off, _p_size, m_off, _m_size = ids
    buf = _whole(buf)
    cls_idx, _proto_idx, name_idx = struct.unpack_from("<HHI", buf, m_off + m * 8)
    if cls_idx >= t_size or name_idx >= s_size:
        return False
    sidx = _U32.unpack_from(buf, t_off + cls_idx * 4)[0]
    if sidx >= s_size:
        return False
    try:
        head = b"".join((_string_bytes(buf, s_off, sidx), b"->", _string_bytes(buf, s_off, name_idx), b"("))
    except ValueError:
        return False
    return not bytes(key).startswith(head)


def find_first(ids: tuple, queries: list[tuple[int, int, bytes]], checked: bool = False) -> list[int]:
    """For each ``(lo, hi, key)``: the first method id of ``find_methods(ids, lo, hi, key)``, -1 when there is none,
    -2 when it gives None (with ``checked``: the first match, -2 for a descriptor that fails before it, a method whose
    class and name resolve and differ from the key's being passed over unbuilt); mirrors ``_reach.find_first``."""
    out = []
    for lo, hi, key in queries:
        if not checked:
            got = find_methods(ids, lo, hi, key)
            out.append(-2 if got is None else array("I", got)[0] if got else -1)
            continue
        found = -1
        for m in range(lo, min(hi, ids[-1])):
            if _prefix_differs(ids, m, key):
                continue
            one = find_methods(ids, m, m + 1, key)
            if one is None:
                found = -2
                break
            if one:
                found = m
                break
        out.append(found)
    return out


def u32_positions(buf: bytes, value: int) -> bytes:
    """The positions (u32, ascending) of the u32 items (native order) of ``buf`` equal to ``value``; mirrors
    ``_reach.u32_positions``."""
    if len(buf) % 4:
        raise ValueError("the buffer must hold u32 values")
    return array("I", [i for i, v in enumerate(array("I", bytes(buf))) if v == value]).tobytes()


def reflect_scan(methods: bytes, events: bytes, calls: bytes, ids: bytes) -> bytes:
    """For each distinct method record (ascending) holding an event of ``calls`` that is not invoke-custom (the last
    record whose ev_start is at most the event) and invoking one of ``ids`` (ascending u32 method ids; not
    invoke-custom): the record, the count, then the string ids of its const-string events (event order, repeats
    kept); mirrors ``_reach.reflect_scan`` (same ValueError, in the same order)."""
    from bisect import bisect_left, bisect_right

    if len(methods) % 28:
        raise ValueError("methods length is not a multiple of 28")
    if len(events) % 20:
        raise ValueError("events length is not a multiple of 20")
    if len(calls) % 4 or len(ids) % 4:
        raise ValueError("calls and ids must hold u32 values")
    m, ev = _u32s(methods), _u32s(events)
    starts = m[4::7]
    n_events = len(ev) // 5
    records: set[int] = set()
    for i in array("I", bytes(calls)):
        if i >= n_events:
            raise ValueError(f"event {i} out of range")
        if ev[5 * i] & 0xFF in (0xFC, 0xFD):
            continue
        r = bisect_right(starts, i) - 1
        if r < 0:
            raise ValueError(f"event {i} before the first record")
        records.add(r)
    wanted = array("I", bytes(ids)).tolist()
    out = array("I")
    for r in sorted(records):
        start, end = m[7 * r + 4], m[7 * r + 5]
        if start > end or end > n_events:
            raise ValueError(f"method record {r}: events out of range")
        found = False
        for i in range(start, end):
            k, idx = ev[5 * i], ev[5 * i + 2]
            if k >> 8 == EV_INVOKE and k & 0xFF not in (0xFC, 0xFD):
                j = bisect_left(wanted, idx)
                if j < len(wanted) and wanted[j] == idx:
                    found = True
                    break
        if found:
            strings = [ev[5 * i + 2] for i in range(start, end) if ev[5 * i] >> 8 == EV_STRING]
            out.extend((r, len(strings), *strings))
    return out.tobytes()


def dispatch_scan(methods: bytes, events: bytes, records: bytes, ids: bytes) -> bytes:
    """Per method record of ``records``: the count and type indices of its new-instance events, then the count and
    the method ids of ``ids`` it invokes (not invoke-custom; each once, first met first); mirrors
    ``_reach.dispatch_scan``."""
    if len(methods) % 28:
        raise ValueError("methods length is not a multiple of 28")
    if len(events) % 20:
        raise ValueError("events length is not a multiple of 20")
    if len(records) % 4 or len(ids) % 4:
        raise ValueError("records and ids must hold u32 values")
    m, ev = _u32s(methods), _u32s(events)
    wanted = set(array("I", bytes(ids)))
    out = array("I")
    for r in array("I", bytes(records)):
        if r >= len(m) // 7:
            raise ValueError(f"method record {r} out of range")
        start, end = m[7 * r + 4], m[7 * r + 5]
        if start > end or end > len(ev) // 5:
            raise ValueError(f"method record {r}: events out of range")
        created: list[int] = []
        calls: dict[int, None] = {}
        for i in range(start, end):
            k, idx = ev[5 * i], ev[5 * i + 2]
            if k == (EV_NEW_INSTANCE << 8) | 0x22:
                created.append(idx)
            elif k >> 8 == EV_INVOKE and k & 0xFF not in (0xFC, 0xFD) and idx in wanted:
                calls[idx] = None
        out.extend((len(created), *created, len(calls), *calls))
    return out.tobytes()


def u16_ranges(buf: bytes, values: bytes) -> bytes:
    """For each u32 of ``values``: ``(bisect_left(a, v), bisect_right(a, v, lo))`` (u32 pair) over the u16 items of
    ``buf``; mirrors ``_reach.u16_ranges``."""
    from bisect import bisect_left, bisect_right

    if len(buf) % 2 or len(values) % 4:
        raise ValueError("u16 items and u32 values expected")
    a = array("H", bytes(buf)).tolist()
    out = array("I")
    for v in array("I", bytes(values)):
        lo = bisect_left(a, v)
        out.extend((lo, bisect_right(a, v, lo)))
    return out.tobytes()


def names_maybe(ids: tuple, mids: bytes, names: list[bytes]) -> bytes:
    """The positions (u32, ascending) of the method ids of ``mids`` whose name string may decode to one of
    ``names`` or to one of them followed by "(": its bytes equal one of them, are not pure ASCII, hold "(", or
    cannot be read; mirrors ``_reach.names_maybe``."""
    buf, s_off, s_size, _t_off, _t_size, _p_off, _p_size, m_off, m_size = ids
    if not all(type(n) is bytes for n in names):
        raise TypeError("names must be bytes")
    if len(mids) % 4:
        raise ValueError("method ids must hold u32 values")
    size = len(buf)
    if s_off + s_size * 4 > size or m_off + m_size * 8 > size:
        raise ValueError("id tables out of bounds")
    wanted = set(names)
    out = array("I")
    for i, m in enumerate(array("I", bytes(mids))):
        if m >= m_size:
            raise ValueError(f"method index {m} out of range")
        sidx = int.from_bytes(buf[m_off + m * 8 + 4 : m_off + m * 8 + 8], "little")
        keep = True
        if sidx < s_size:
            pos = int.from_bytes(buf[s_off + sidx * 4 : s_off + sidx * 4 + 4], "little")
            u = 0
            while u < 5 and pos < size and buf[pos] & 0x80:
                pos, u = pos + 1, u + 1
            if u < 5 and pos < size:
                pos += 1
                end = bytes(buf[pos:]).find(b"\0") if pos < size else -1
                if end >= 0:
                    name = bytes(buf[pos : pos + end])
                    if name.isascii() and b"(" not in name:
                        keep = name in wanted
        if keep:
            out.append(i)
    return out.tobytes()


def invoke_lists(methods: bytes, events: bytes, gids: bytes, n_ids: int) -> tuple[bytes, bytes, bytes] | None:
    """``(vids, sids, calls)``: ``invoked_pair(events, n_ids)`` and the invokes ``call_edges(methods, events, gids,
    ...)`` reads (u32 words ``src, count, entry * count`` per record with such an invoke, entry = method idx << 2 |
    kind: 1 plain, 2 virtual/interface, 3 super), or None when anything is out of the ordinary; mirrors
    ``_reach.invoke_lists`` (any buffers: the graph passes its u32 arrays, whose len() counts items)."""
    methods, events, gids = (memoryview(x).cast("B") for x in (methods, events, gids))
    if len(methods) % 28 or len(events) % 20 or len(gids) % 4 or n_ids >= 1 << 30 or len(gids) != 4 * n_ids:
        return None
    m, ev, g = _u32s(methods), _u32s(events), _u32s(gids)
    n_events = len(ev) // 5
    flags = bytearray(n_ids)
    out = array("I")
    cursor = 0
    for r in range(len(m) // 7):
        midx, start, end = m[7 * r + 1], m[7 * r + 4], m[7 * r + 5]
        if start == end:
            continue
        if start != cursor or end < start or end > n_events or midx >= n_ids:
            return None
        cursor = end
        src = g[midx]
        entries = []
        for i in range(start, end):
            k = ev[5 * i]
            op = k & 0xFF
            if k >> 8 != EV_INVOKE or op in (0xFC, 0xFD):
                continue
            idx = ev[5 * i + 2]
            if idx >= n_ids:
                return None
            kind = 2 if op in _VIRTUAL_OPS else 3 if op in _SUPER_OPS else 1
            if kind > 1:
                flags[idx] |= kind - 1
            entries.append(idx << 2 | kind)
        if src != _NONE_ID and entries:
            out.extend((src, len(entries)))
            out.extend(entries)
    if cursor != n_events:
        return None
    vids = array("I", [x for x in range(n_ids) if flags[x] & 1])
    sids = array("I", [x for x in range(n_ids) if flags[x] & 2])
    return _le_bytes(vids), _le_bytes(sids), _le_bytes(out)


def call_edges_from(
    calls: bytes, gids: bytes, virtual_extra: bytes, super_extra: bytes, into: bytearray
) -> None:
    """``call_edges`` from :func:`invoke_lists`' ``calls`` once the hierarchy maps exist (a record's pair of a
    method id and kind given once), appended to ``into``; mirrors ``_reach.call_edges_from`` (same ValueError,
    ``into`` then unchanged)."""
    if type(into) is not bytearray:
        raise TypeError("into must be a bytearray")
    calls, gids, virtual_extra, super_extra = (
        memoryview(x).cast("B") for x in (calls, gids, virtual_extra, super_extra)
    )
    if len(calls) % 4 or len(gids) % 4 or len(gids) != len(virtual_extra) or len(gids) != len(super_extra):
        raise ValueError("buffers differ in length")
    c, g, v, s = _u32s(calls), _u32s(gids), _u32s(virtual_extra), _u32s(super_extra)
    maps = (None, g, v, s)
    out = array("I")
    i, n = 0, len(c)
    while i < n:
        if n - i < 2:
            raise ValueError("calls list is truncated")
        src, count = c[i], c[i + 1]
        i += 2
        if count > n - i:
            raise ValueError("calls list is truncated")
        seen: set[tuple[int, int]] = set()
        for entry in c[i : i + count]:
            idx, k = entry >> 2, entry & 3
            if idx >= len(g) or not k:
                raise ValueError("calls list entry out of range")
            for kind in (1, k) if k > 1 else (1,):
                if (kind, idx) not in seen:
                    seen.add((kind, idx))
                    if maps[kind][idx] != _NONE_ID:  # type: ignore[index]
                        out.extend((src, maps[kind][idx]))  # type: ignore[index]
        i += count
    into += _le_bytes(out)


def async_asks(
    methods: bytes,
    records: bytes,
    scan: bytes,
    mclass: bytes,
    gmap: bytes,
    types: list,
    status: bytes,
    masks: bytes,
    dids: bytes,
    dspec: bytes,
    dextra: bytes,
    basebits: bytes,
) -> bytes | None:
    """``CallGraph._add_async_edges``' per-record step after ``dispatch_scan``: per record (u32 of ``records``)
    with pairs, ``gmap[caller idx]``, the pair count and the (candidate type index, spec index) pairs; None when
    anything is out of range or the caller's class type descriptor is not a str or holds "->"; mirrors
    ``_reach.async_asks`` (see there)."""
    from bisect import bisect_left

    if (
        not isinstance(types, list)
        or len(methods) % 28
        or len(records) % 4
        or len(scan) % 4
        or len(mclass) % 2
        or len(gmap) % 4
        or len(status) % 4
        or len(dids) % 4
        or len(dspec) != len(dids) // 4
        or len(dextra) != len(dids)
        or len(basebits) > 8
    ):
        return None
    m, sc, g, st = _u32s(methods), _u32s(scan), _u32s(gmap), _u32s(status)
    mc = array("H", bytes(mclass)).tolist()
    ids, spec_of, extra_of = _u32s(dids), bytes(dspec), _u32s(dextra)
    bits, mk = bytes(basebits), bytes(masks)
    out = array("I")
    pos = 0
    for r in _u32s(records):
        if r >= len(m) // 7 or pos >= len(sc):
            return None
        caller = m[7 * r + 1]
        if caller >= len(mc) or caller >= len(g):
            return None
        ctype = mc[caller]
        if ctype >= len(types) or ctype >= len(st):
            return None
        t = types[ctype]
        if type(t) is not str or "->" in t:
            return None
        n = sc[pos]
        pos += 1
        if n > len(sc) - pos:
            return None
        cands = sc[pos : pos + n]
        if any(c >= len(st) for c in cands):
            return None
        pos += n
        if pos >= len(sc):
            return None
        c = sc[pos]
        pos += 1
        if c > len(sc) - pos:
            return None
        specs = 0
        for idx in sc[pos : pos + c]:
            k = bisect_left(ids, idx)
            if k == len(ids) or ids[k] != idx:
                return None
            specs |= spec_of[k]
            if extra_of[k] != _NONE_ID:
                if extra_of[k] >= len(st):
                    return None
                cands.append(extra_of[k])
        pos += c
        cands.append(ctype)
        if specs >> len(bits):
            return None
        if not specs:
            continue
        if len(cands) < 64:
            cands = list(dict.fromkeys(cands))
        pairs = []
        for s in range(len(bits)):
            if not specs >> s & 1:
                continue
            for cand in cands:
                cn = st[cand]
                if cn == _NONE_ID:
                    continue
                if cn >= len(mk):
                    return None
                if mk[cn] & bits[s]:
                    pairs += (cand, s)
        if pairs:
            out.extend((g[caller], len(pairs) // 2, *pairs))
    if pos != len(sc):
        return None
    return _le_bytes(out)


def lookup_groups(todo: list, homes: dict) -> tuple | None:
    """``CallGraph.lookup_many``'s per-descriptor step: ``(groups, rest, missing)`` - per DEX of a descriptor's
    class home ``(queries, descriptors)``, the descriptors to look up one by one, the classes not in ``homes``
    (then ``(None, None, missing)``); None when a home is neither () nor a 3-tuple; mirrors
    ``_reach.lookup_groups`` (see there)."""
    if type(todo) is not list or type(homes) is not dict:
        raise TypeError("todo must be a list and homes a dict")
    groups: dict = {}
    rest: list = []
    missing: dict = {}
    for d in todo:
        if type(d) is not str or not d.isascii() or d.count("->") != 1 or "\x00" in d:
            rest.append(d)
            continue
        cls = d.partition("->")[0]
        home = homes.get(cls)
        if home is None:
            missing.setdefault(cls)
            continue
        if not isinstance(home, tuple) or len(home) not in (0, 3):
            return None
        if not home:
            rest.append(d)
            continue
        if missing:
            continue
        g = groups.get(home[0])
        if g is None:
            g = groups[home[0]] = ([], [])
        g[0].append((home[1], home[2], d.encode("ascii")))
        g[1].append(d)
    if missing:
        return (None, None, list(missing))
    return (groups, rest, [])


def callers_within(
    offsets: bytes, targets: bytes, virtual: bytes, seeds: bytes, depth: int, limit: int
) -> bytes | None:
    """The real nodes that call a seed at most ``depth`` calls deep (a breadth-first walk back; a virtual node
    stands for its own real callers, through it only real targets count), not the seeds, u32 ascending; None when
    they are more than ``limit``. Mirrors ``_reach.callers_within`` (see there; same ValueError, in the same
    order)."""
    offsets, targets, virtual, seeds = (bytes(memoryview(b)) for b in (offsets, targets, virtual, seeds))
    if len(offsets) % 4 or len(targets) % 4:
        raise ValueError("arrays must hold u32 values")
    off, tgt = _u32s(offsets), _u32s(targets)
    if not off or off[0] != 0 or off[-1] != len(tgt):
        raise ValueError("offsets do not match the targets")
    n = len(off) - 1
    if any(off[i] > off[i + 1] for i in range(n)):
        raise ValueError("offsets are not sorted")
    if any(t >= n for t in tgt):
        raise ValueError("target out of range")
    if len(virtual) != n:
        raise ValueError("virtual must have one byte per node")
    if len(seeds) % 4:
        raise ValueError("seeds must hold u32 values")
    start = _u32s(seeds)
    if any(g >= n for g in start):
        raise ValueError("seed out of range")
    depth = min(max(depth, 0), 254)
    rows: list[list[int]] = [[] for _ in range(n)]  # node -> the nodes whose row holds it
    for u in range(n):
        for t in tgt[off[u] : off[u + 1]]:
            rows[t].append(u)
    seen = {g for g in start if not virtual[g]}
    front = list(seen)
    found: set[int] = set()
    for _ in range(depth):
        nxt: set[int] = set()
        for t in front:
            for u in rows[t]:
                if not virtual[u]:
                    nxt.add(u)
                else:  # a virtual caller: its own real callers
                    nxt.update(x for x in rows[u] if not virtual[x])
        front = [u for u in nxt if u not in seen]
        seen.update(front)
        found.update(front)
    if len(found) > limit:
        return None
    return _le_bytes(array("I", sorted(found)))


class _Declined(Exception):
    """async_callbacks: an input the kernel leaves to the caller's Python path (it answers None)."""


def _ac_load(item: object) -> tuple:
    """async_callbacks' view of one DEX: (buf, tables, status, class defs, records, gmap), checked as the C kernel
    checks it on first use (_Declined otherwise)."""
    if not isinstance(item, tuple) or len(item) != 5:
        raise _Declined
    ids, st, cd, mr, gm = item
    if not isinstance(ids, tuple) or len(ids) != 9:
        raise _Declined
    try:
        buf = _whole(ids[0])
        if not all(isinstance(v, int) and 0 <= v <= _M32 for v in ids[1:]):
            raise _Declined
        st, cd, mr, gm = (bytes(b) for b in (st, cd, mr, gm))  # type: ignore[call-overload]
    except (TypeError, ValueError, BufferError):
        raise _Declined from None
    s_off, s_size, t_off, t_size, p_off, p_size, m_off, m_size = ids[1:]
    size = len(buf)
    if len(st) % 4 or len(cd) % 32 or len(mr) % 28 or len(gm) % 4:
        raise _Declined
    if (
        s_off + s_size * 4 > size
        or t_off + t_size * 4 > size
        or p_off + p_size * 12 > size
        or m_off + m_size * 8 > size
    ):
        raise _Declined
    records = _u32s(mr)
    column = records[0::7]
    if any(map(int.__lt__, column[1:], column)):  # records in class order
        raise _Declined
    # (the method ids' class column is read when a class with records needs it: the last item)
    return [buf, ids[1:], _u32s(st), _u32s(cd), records, _u32s(gm), column, None]


def _ac_string(buf: bytes, tables: tuple, sidx: int) -> bytes:
    s_off, s_size = tables[0], tables[1]
    if sidx >= s_size:
        raise _Declined
    size = len(buf)
    pos = _U32.unpack_from(buf, s_off + sidx * 4)[0]
    u = 0
    while u < 5 and pos < size and buf[pos] & 0x80:
        pos += 1
        u += 1
    if u == 5 or pos >= size:
        raise _Declined
    nul = buf.find(b"\0", pos + 1)
    if nul < 0:
        raise _Declined
    return buf[pos + 1 : nul]


def _ac_type(buf: bytes, tables: tuple, t: int) -> bytes:
    if t >= tables[3]:
        raise _Declined
    return _ac_string(buf, tables, _U32.unpack_from(buf, tables[2] + t * 4)[0])


def _ac_sig(buf: bytes, tables: tuple, m: int) -> bytes:
    """``name(params)ret`` of method id m (bytes), as the C kernel builds it (_Declined when a part is out of range)."""
    _s_off, _s_size, _t_off, _t_size, p_off, p_size, m_off, _m_size = tables
    proto, name_idx = struct.unpack_from("<HI", buf, m_off + m * 8 + 2)
    parts = [_ac_string(buf, tables, name_idx), b"("]
    if proto >= p_size:
        raise _Declined
    ret, poff = struct.unpack_from("<II", buf, p_off + proto * 12 + 4)
    if poff:
        if poff & 3 or poff + 4 > len(buf):
            raise _Declined
        k = _U32.unpack_from(buf, poff)[0]
        if poff + 4 + k * 2 > len(buf):
            raise _Declined
        parts += [_ac_type(buf, tables, t) for t in struct.unpack_from(f"<{k}H", buf, poff + 4)]
    parts += [b")", _ac_type(buf, tables, ret)]
    return b"".join(parts)


def async_callbacks(
    dexes: list, base: bytes, ci: int, asks: bytes, specs: list, deadline: float = 0.0
) -> bytes | None:
    """``CallGraph._async_targets`` over ``async_asks``' output of DEX ``ci``: per record the (src, node) pairs of
    its callbacks' nodes, sorted, each once; None when the kernel leaves it to the Python path. Mirrors
    ``_reach.async_callbacks`` (see there)."""
    if type(dexes) is not list or type(specs) is not list:
        raise TypeError("dexes and specs must be lists")
    try:
        return _async_callbacks(dexes, bytes(base), ci, bytes(asks), specs, deadline)
    except _Declined:
        return None


def _async_callbacks(dexes: list, base: bytes, ci: int, asks: bytes, specs: list, deadline: float) -> bytes:
    from bisect import bisect_left, bisect_right

    if len(specs) > 8 or not all(
        isinstance(cbs, tuple) and all(isinstance(cb, bytes) for cb in cbs) for cbs in specs
    ):
        raise _Declined
    n_dex = len(dexes)
    if len(base) % 4 or len(asks) % 4 or len(base) // 4 != n_dex + 1 or not 0 <= ci < n_dex:
        raise _Declined
    bases = _u32s(base)
    if any(map(int.__lt__, bases[1:], bases)):
        raise _Declined
    total = bases[-1]
    words = _u32s(asks)
    loaded: dict[int, list] = {}

    def load(j: int) -> list:
        got = loaded.get(j)
        if got is None:
            got = loaded[j] = _ac_load(dexes[j])
        return got

    home = load(ci)
    home_status = home[2]
    # class number -> (next class number or NONE, [(node, spec bits)]), read once
    classes: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    steps = 0

    def spent() -> None:
        nonlocal steps
        steps += 1
        if deadline > 0 and not steps % 65536 and time.monotonic() >= deadline:
            raise TimeoutError("deadline passed")

    def read_class(k: int) -> tuple[int, list[tuple[int, int]]]:
        j = max(bisect_right(bases, k, 0, n_dex) - 1, 0)  # the last DEX whose first class number is <= k
        dex = load(j)
        buf, tables, st, cd, mr, gm, column = dex[:7]
        cdi = k - bases[j]
        if bases[j + 1] - bases[j] != len(cd) // 8 or not 0 <= cdi < len(cd) // 8:
            raise _Declined
        t, sup, ioff = cd[cdi * 8], cd[cdi * 8 + 2], cd[cdi * 8 + 3]
        if b"->" in _ac_type(buf, tables, t):
            raise _Declined
        lo = bisect_left(column, cdi)
        hi = bisect_right(column, cdi, lo)
        mids = mr[7 * lo + 1 : 7 * hi + 1 : 7]
        if mids:
            mclass = dex[7]
            if mclass is None:
                m_off, m_size = tables[6], tables[7]
                mclass = dex[7] = [v[0] for v in struct.iter_unpack("<H6x", buf[m_off : m_off + 8 * m_size])]
            hlo = bisect_left(mclass, t)
            hhi = bisect_right(mclass, t, hlo)
            if not all(hlo <= m < hhi for m in mids):
                raise _Declined
        matches: list[tuple[int, int]] = []
        seen: set[bytes] = set()
        for m in mids:
            spent()
            name = _ac_string(buf, tables, _U32.unpack_from(buf, tables[6] + m * 8 + 4)[0])
            if not any(
                (name + b"(").startswith(cb) or cb.startswith(name + b"(") for cbs in specs for cb in cbs
            ):
                continue
            sig = _ac_sig(buf, tables, m)
            bits = 0
            for s, cbs in enumerate(specs):
                for cb in cbs:
                    if sig.startswith(cb) if cb.endswith(b"(") else sig == cb:
                        bits |= 1 << s
            if not bits:
                continue
            if not sig.isascii() or len(sig) > 0xFFFFFF:
                raise _Declined
            if sig in seen:
                continue
            seen.add(sig)
            if m >= len(gm):
                raise _Declined
            matches.append((gm[m], bits))
        ok, first = True, _M32
        if sup != _M32 and sup >= tables[3]:
            ok = False
        if ok and ioff:
            if ioff & 3 or ioff + 4 > len(buf):
                ok = False
            else:
                k2 = _U32.unpack_from(buf, ioff)[0]
                if ioff + 4 + k2 * 2 > len(buf):
                    ok = False
                else:
                    items = struct.unpack_from(f"<{k2}H", buf, ioff + 4)
                    if any(it >= tables[3] for it in items):
                        ok = False
                    elif items:
                        first = items[0]
        nxt = _M32 if not ok else sup if sup != _M32 else first
        parent = _M32
        if nxt != _M32:
            if nxt >= len(st):
                raise _Declined
            parent = st[nxt]
        return parent, matches

    out = array("I")
    pos, n_words = 0, len(words)
    while pos < n_words:
        if n_words - pos < 2:
            raise _Declined
        src, n = words[pos], words[pos + 1]
        pos += 2
        if n > (n_words - pos) // 2:
            raise _Declined
        targets: set[int] = set()
        for c, s in zip(words[pos : pos + 2 * n : 2], words[pos + 1 : pos + 2 * n : 2], strict=True):
            if c >= len(home_status) or s >= len(specs):
                raise _Declined
            k = home_status[c]
            met: set[int] = set()
            while k != _M32:
                spent()
                if k >= total:
                    raise _Declined
                got = classes.get(k)
                if got is None:
                    got = classes[k] = read_class(k)
                if k in met:
                    break
                met.add(k)
                targets.update(node for node, bits in got[1] if bits >> s & 1)
                k = got[0]
        pos += 2 * n
        for t in sorted(targets):
            out.extend((src, t))
    return _le_bytes(out)
