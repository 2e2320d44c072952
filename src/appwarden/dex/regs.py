"""Register values inside one method: a linear forward simulation used to resolve invoke arguments.

Contract: :func:`register_states(dex, code_off, offsets)` walks the method's instructions once, in file order, and
returns for each requested instruction offset a dict ``register -> Value`` holding what the *last linear writer* of
each register put there before that instruction. Values: ``("string", str)`` (const-string),
``("literal", int)`` (const*), ``("field", field_idx)`` (sget*), ``("result", method_idx, [arg Values])``
(move-result* right after an invoke), ``("unknown",)`` (any other writer). It is not flow-sensitive: where branches
join, the writer last in file order wins (good enough for the idioms arg filters look at: a constant or a
``CONTENT_URI`` field loaded just before the call). Malformed code stops the walk; never raises.
"""

from __future__ import annotations

import struct

from appwarden.dex.reader import DexFile
from appwarden.dex.records import WIDTH, invoke_registers_at
from appwarden.errors import DexFormatError

Value = tuple

UNKNOWN: Value = ("unknown",)
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")

# opcodes whose destination is vA in a 12x / 22c / 22s / 22b layout (A = low nibble of byte 1)
_DEST_NIBBLE = {
    0x01,
    0x04,
    0x07,
    0x20,
    0x21,
    0x23,
    *range(0x52, 0x59),
    *range(0x7B, 0x90),
    *range(0xB0, 0xE3),
}
# opcodes whose destination is vAA (byte 1)
_DEST_BYTE = {
    0x02, 0x05, 0x08, 0x0A, 0x0B, 0x0C, 0x0D, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x22,
    *range(0x2D, 0x32), *range(0x44, 0x4B), *range(0x60, 0x67), *range(0x90, 0xB0), 0xFE, 0xFF,
}  # fmt: skip
_DEST_U16 = {0x03, 0x06, 0x09}  # 32x moves: vAAAA
_WIDE = {
    0x04, 0x05, 0x06, 0x0B, 0x16, 0x17, 0x18, 0x19, 0x45, 0x53, 0x61, 0x7D, 0x7E, 0x80, 0x81, 0x83, 0x86, 0x88,
    0x89, 0x8B, *range(0x9B, 0xA6), *range(0xAB, 0xB0), *range(0xBB, 0xC6), *range(0xCB, 0xD0),
}  # fmt: skip
_MOVES = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09}


def _payload_width(data: bytes, p: int, b1: int, remaining: int) -> int:
    if b1 == 1 and remaining >= 4:
        return 4 + _U16.unpack_from(data, p + 2)[0] * 2
    if b1 == 2 and remaining >= 2:
        return 2 + _U16.unpack_from(data, p + 2)[0] * 4
    if b1 == 3 and remaining >= 4:
        ew = _U16.unpack_from(data, p + 2)[0]
        n = _U32.unpack_from(data, p + 4)[0]
        return (ew * n + 1) // 2 + 4
    return 1


def register_states(dex: DexFile, code_off: int, offsets: set[int]) -> dict[int, dict[int, Value]]:
    """Register values just before each instruction whose file offset is in ``offsets`` (see module doc)."""
    data = dex.data
    out: dict[int, dict[int, Value]] = {}
    if not code_off or code_off + 16 > len(data):
        return out
    insns_size = _U32.unpack_from(data, code_off + 12)[0]
    start = code_off + 16
    if start + insns_size * 2 > len(data):
        return out
    regs: dict[int, Value] = {}
    last_invoke: Value | None = None
    pc = 0
    while pc < insns_size and len(out) < len(offsets):
        p = start + pc * 2
        op, b1 = data[p], data[p + 1]
        remaining = insns_size - pc
        width = WIDTH[op] if op else _payload_width(data, p, b1, remaining)
        if width > remaining:
            break
        if p in offsets:
            out[p] = dict(regs)
        value: Value = UNKNOWN
        dest: int | None = None
        if op in _DEST_NIBBLE:
            dest = b1 & 0xF
            if op in _MOVES:
                value = regs.get(b1 >> 4, UNKNOWN)
        elif op in _DEST_BYTE:
            dest = b1
            if op in _MOVES:
                value = regs.get(_U16.unpack_from(data, p + 2)[0], UNKNOWN)
            elif op == 0x12:
                pass
            elif op in (0x13, 0x16):
                v = _U16.unpack_from(data, p + 2)[0]
                value = ("literal", v - 0x10000 if v & 0x8000 else v)
            elif op in (0x14, 0x17):
                v = _U32.unpack_from(data, p + 2)[0]
                value = ("literal", v - (1 << 32) if v & 0x80000000 else v)
            elif op == 0x15:
                v = _U16.unpack_from(data, p + 2)[0] << 16
                value = ("literal", v - (1 << 32) if v & 0x80000000 else v)
            elif op == 0x18:
                v = struct.unpack_from("<q", data, p + 2)[0]
                value = ("literal", v)
            elif op == 0x19:
                value = ("literal", struct.unpack_from("<q", b"\0\0\0\0\0\0" + data[p + 2 : p + 4])[0])
            elif op in (0x1A, 0x1B):
                idx = _U16.unpack_from(data, p + 2)[0] if op == 0x1A else _U32.unpack_from(data, p + 2)[0]
                try:
                    value = ("string", dex.string(idx))
                except DexFormatError:
                    value = UNKNOWN
            elif 0x60 <= op <= 0x66:
                value = ("field", _U16.unpack_from(data, p + 2)[0])
            elif op in (0x0A, 0x0B, 0x0C):
                value = last_invoke or UNKNOWN
        elif op in _DEST_U16:
            dest = _U16.unpack_from(data, p + 2)[0]
            value = regs.get(_U16.unpack_from(data, p + 4)[0], UNKNOWN)
        if op == 0x12:
            dest = b1 & 0xF
            v = b1 >> 4
            value = ("literal", v - 16 if v & 0x8 else v)
        last_invoke = None
        if 0x6E <= op <= 0x72 or 0x74 <= op <= 0x78:
            midx = _U16.unpack_from(data, p + 2)[0]
            last_invoke = ("result", midx, [regs.get(r, UNKNOWN) for r in invoke_registers_at(op, data, p)])
        if dest is not None:
            regs[dest] = value
            if op in _WIDE:
                regs[dest + 1] = UNKNOWN
        pc += width
    return out
