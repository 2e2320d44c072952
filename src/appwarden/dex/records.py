"""Layout of the packed records the instruction walk returns (C extension and pure-Python walker alike).

Both walkers return ``(methods: bytes, events: bytes, bad_methods: int)``; the bytes are little-endian ``uint32``
arrays (wrap them with ``memoryview(b).cast("I")`` on a little-endian host):

``methods`` - :data:`METHOD_WORDS` words per *encoded method* of every class def, in class-def order, direct
methods before virtual ones: ``class_def_idx, method_idx, access_flags, code_off, ev_start, ev_end, insns_size``.
``code_off`` is 0 for abstract/native methods and for methods whose code was malformed (those are counted in
``bad_methods`` and their events dropped). ``ev_start:ev_end`` is the method's slice of ``events``.

``events`` - :data:`EVENT_WORDS` words per recorded instruction, in instruction order within each method:
``kind << 8 | opcode, offset, idx, a, b`` where ``offset`` is the instruction's byte offset in the DEX file and

===============  ====================================  =============================================
kind             idx                                   a / b
===============  ====================================  =============================================
EV_INVOKE        method_idx (call_site_idx for         35c/45cc: ``a = count << 20 | G << 16 | F<<12 |
                 invoke-custom 0xfc/0xfd)              E<<8 | D<<4 | C``; 3rc/4rcc: ``a = count << 16 |
                                                       first_reg``; ``b`` = proto_idx (polymorphic) or 0
EV_STRING        string_idx                            ``a`` = destination register
EV_SGET          field_idx                             ``a`` = destination register
EV_LITERAL       low 32 bits of the value              ``a`` = destination register, ``b`` = high 32 bits
                                                       (non-wide constants are sign-extended to 64 bits)
EV_NEW_INSTANCE  type_idx                              ``a`` = destination register
EV_CONST_CLASS   type_idx                              ``a`` = destination register
===============  ====================================  =============================================

:func:`event_index` (and its C twin ``_dexscan.event_index``) groups the events of some kinds by idx: the inverted
index :meth:`appwarden.dex.index.DexCode.select` looks events up in.
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate

METHOD_WORDS = 7
EVENT_WORDS = 5

EV_INVOKE = 1
EV_STRING = 2
EV_SGET = 3
EV_LITERAL = 4
EV_NEW_INSTANCE = 5
EV_CONST_CLASS = 6

# opcodes
OP_INVOKE_35C = frozenset({0x6E, 0x6F, 0x70, 0x71, 0x72})
OP_INVOKE_3RC = frozenset({0x74, 0x75, 0x76, 0x77, 0x78})
OP_INVOKE_POLYMORPHIC = 0xFA
OP_INVOKE_POLYMORPHIC_RANGE = 0xFB
OP_INVOKE_CUSTOM = 0xFC
OP_INVOKE_CUSTOM_RANGE = 0xFD
OP_INVOKE_VIRTUAL = frozenset({0x6E, 0x74})
OP_INVOKE_SUPER = frozenset({0x6F, 0x75})
OP_INVOKE_DIRECT = frozenset({0x70, 0x76})
OP_INVOKE_STATIC = frozenset({0x71, 0x77})
OP_INVOKE_INTERFACE = frozenset({0x72, 0x78})
RANGE_INVOKES = frozenset({0x74, 0x75, 0x76, 0x77, 0x78, 0xFB, 0xFD})

INVOKE_NAMES = {
    0x6E: "invoke-virtual",
    0x6F: "invoke-super",
    0x70: "invoke-direct",
    0x71: "invoke-static",
    0x72: "invoke-interface",
    0x74: "invoke-virtual/range",
    0x75: "invoke-super/range",
    0x76: "invoke-direct/range",
    0x77: "invoke-static/range",
    0x78: "invoke-interface/range",
    0xFA: "invoke-polymorphic",
    0xFB: "invoke-polymorphic/range",
    0xFC: "invoke-custom",
    0xFD: "invoke-custom/range",
}

# Width in 16-bit code units of each opcode (0 = nop, which may start a payload pseudo-instruction).
WIDTH = bytes(
    [
        0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 2, 3, 2, 2, 3, 5, 2, 2, 3, 2, 1, 1, 2,
        2, 1, 2, 2, 3, 3, 3, 1, 1, 2, 3, 3, 3, 2, 2, 2,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1,
        1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3,
        3, 3, 3, 1, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
        2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4, 4, 3, 3, 2, 2,
    ]
)  # fmt: skip


def invoke_arg_registers(opcode: int, a: int) -> list[int]:
    """The argument registers of an invoke event, in order (``this`` first for instance calls)."""
    if opcode in RANGE_INVOKES:
        count, first = a >> 16, a & 0xFFFF
        return list(range(first, first + count))
    count = (a >> 20) & 0xF
    return [(a >> (4 * i)) & 0xF for i in range(min(count, 5))]


def invoke_registers_at(opcode: int, data: bytes, p: int) -> list[int]:
    """The argument registers of the 35c or 3rc instruction at byte ``p`` of ``data`` (an invoke, or a
    filled-new-array read with an invoke's opcode of the same format), as :func:`invoke_arg_registers` gives them
    for the walk's packed ``a`` word: the same packing, read straight from the code."""
    b1 = data[p + 1]
    low = _U16.unpack_from(data, p + 4)[0]
    if opcode in RANGE_INVOKES:
        return invoke_arg_registers(opcode, (b1 << 16) | low)
    return invoke_arg_registers(opcode, ((b1 >> 4) << 20) | ((b1 & 0xF) << 16) | low)


_U16 = struct.Struct("<H")


def literal_value(idx: int, b: int) -> int:
    """The signed 64-bit value of an EV_LITERAL event."""
    value = (b << 32) | idx
    return value - (1 << 64) if value & (1 << 63) else value


def event_index(events: bytes, wanted: Sequence[tuple[int, int]]) -> list[tuple[bytes, bytes, bytes]]:
    """The events of some kinds grouped by idx (the pure-Python twin of the C kernel ``_dexscan.event_index``).

    ``wanted``: ``(kind, size)`` pairs (at most 8, kinds below 256, each kind once). For each, in that order,
    ``(offsets, order, present)``: ``order`` holds the u32 numbers of the events of ``kind`` whose idx is below
    ``size``, grouped by idx and ascending within a group; the events with idx ``i`` are
    ``order[offsets[i]:offsets[i + 1]]`` (``offsets``: ``size + 1`` u32); ``present`` is a bitmap over
    ``[0, size)`` (bit i = byte i >> 3, mask 1 << (i & 7)) of the idxs with at least one event. ValueError for a
    malformed ``wanted`` or a size or number of events that does not fit a u32.
    """
    n = len(events) // (EVENT_WORDS * 4)
    kinds = [k for k, _s in wanted]
    if len(wanted) > 8 or n >= 0xFFFFFFFF:
        raise ValueError("event_index: too many kinds or events")
    if len(set(kinds)) != len(kinds) or any(not 0 <= k < 256 or not 0 <= s < 0xFFFFFFFF for k, s in wanted):
        raise ValueError("event_index: kind repeated or out of range, or size out of range")
    ev = memoryview(events)[: n * EVENT_WORDS * 4].cast("I")
    idxs = ev[2::EVENT_WORDS]
    out = []
    for kind, size in wanted:
        picked = [
            i
            for i, (k, x) in enumerate(zip(ev[0::EVENT_WORDS], idxs, strict=True))
            if k >> 8 == kind and x < size
        ]
        picked.sort(key=idxs.__getitem__)  # stable: ascending event numbers within a group
        counts = [0] * size
        for i in picked:
            counts[idxs[i]] += 1
        present = bytearray((size + 7) // 8)
        for i, c in enumerate(counts):
            if c:
                present[i >> 3] |= 1 << (i & 7)
        out.append(
            (
                array("I", accumulate(counts, initial=0)).tobytes(),
                array("I", picked).tobytes(),
                bytes(present),
            )
        )
    return out


def record_of(methods: bytes, event: int) -> int:
    """The method record holding event number ``event`` (the pure-Python twin of ``_dexscan.record_of``): the last
    record whose ev_start is at most ``event``, ``bisect_right`` over the ev_start column minus one; -1 before the
    first record. ``methods``: the walk's packed method records (a trailing partial record is ignored)."""
    n = len(methods) // (METHOD_WORDS * 4)
    starts = memoryview(methods)[: n * METHOD_WORDS * 4].cast("I")[4::METHOD_WORDS]
    return bisect_right(starts, event) - 1


def nondecreasing(buf: bytes, stride: int, word: int, strict: bool = False) -> bool:
    """Whether the u32 at word ``word`` of each ``stride``-word record of ``buf`` is never below the one of the record
    before (a trailing partial record is ignored), with ``strict`` never below nor equal to it: the pure-Python twin
    of ``_dexscan.nondecreasing``. ValueError unless ``0 <= word < stride``."""
    if stride <= 0 or not 0 <= word < stride:
        raise ValueError("nondecreasing: 0 <= word < stride expected")
    n = len(buf) // 4 // stride
    column = memoryview(bytes(buf))[: n * stride * 4].cast("I")[word::stride].tolist()
    return all(map(int.__lt__ if strict else int.__le__, column, column[1:]))
