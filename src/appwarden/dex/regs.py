"""Register values inside one method: a linear forward simulation used to resolve invoke arguments.

Contract: :func:`register_states(dex, code_off, offsets)` walks the method's instructions once, in file order, and
returns for each requested instruction offset a dict ``register -> Value`` holding what the *last linear writer* of
each register put there before that instruction. Values: ``("string", str)`` (const-string),
``("literal", int)`` (const*), ``("field", field_idx)`` (sget*), ``("result", method_idx, [arg Values])``
(move-result* right after an invoke), ``("unknown",)`` (any other writer). It is not flow-sensitive: where branches
join, the writer last in file order wins (good enough for the idioms arg filters look at: a constant or a
``CONTENT_URI`` field loaded just before the call). Malformed code stops the walk; never raises.

:func:`reaching_values(dex, code_off, offsets)` is the flow-sensitive twin: along the control-flow graph of
:func:`appwarden.dex.branches.control_flow` (branches, switches, try/catch edges) it gives each register the *set* of
values its reaching definitions put there, so a value chosen on a branch (``x ? MODE_WORLD_READABLE : MODE_PRIVATE``)
reads as both. Both share one decoder of what each instruction writes (:func:`_effect`).
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

# opcodes whose destination is vA in a 12x / 22c / 22s layout (A = low nibble of byte 1)
_DEST_NIBBLE = {
    0x01,
    0x04,
    0x07,
    0x20,
    0x21,
    0x23,
    *range(0x52, 0x59),
    *range(0x7B, 0x90),
    *range(0xB0, 0xD8),  # binop/2addr (12x), binop/lit16 (22s)
}
# opcodes whose destination is vAA (byte 1); 0xD8-0xE2 are binop/lit8 (22b: AA|op CC|BB)
_DEST_BYTE = {
    0x02, 0x05, 0x08, 0x0A, 0x0B, 0x0C, 0x0D, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x22,
    *range(0x2D, 0x32), *range(0x44, 0x4B), *range(0x60, 0x67), *range(0x90, 0xB0), *range(0xD8, 0xE3), 0xFE, 0xFF,
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


# what an instruction puts in its destination register, as :func:`_effect` says it
_COPY = "copy"  # ("copy", source register): a move
_MOVE_RESULT = "move-result"  # (_MOVE_RESULT,): the value of the invoke just before


def _effect(dex: DexFile, data: bytes, p: int, op: int, b1: int) -> tuple[int | None, Value]:
    """(destination register or None, what is written there) for the instruction at byte ``p``: a Value, a
    ``("copy", register)`` or ``(_MOVE_RESULT,)`` (resolved against the registers by the caller)."""
    if op == 0x12:  # const/4 vA, #+B
        v = b1 >> 4
        return b1 & 0xF, ("literal", v - 16 if v & 0x8 else v)
    if op in _DEST_NIBBLE:
        return b1 & 0xF, ((_COPY, b1 >> 4) if op in _MOVES else UNKNOWN)
    if op in _DEST_BYTE:
        if op in _MOVES:
            return b1, (_COPY, _U16.unpack_from(data, p + 2)[0])
        if op in (0x13, 0x16):
            v = _U16.unpack_from(data, p + 2)[0]
            return b1, ("literal", v - 0x10000 if v & 0x8000 else v)
        if op in (0x14, 0x17):
            v = _U32.unpack_from(data, p + 2)[0]
            return b1, ("literal", v - (1 << 32) if v & 0x80000000 else v)
        if op == 0x15:
            v = _U16.unpack_from(data, p + 2)[0] << 16
            return b1, ("literal", v - (1 << 32) if v & 0x80000000 else v)
        if op == 0x18:
            return b1, ("literal", struct.unpack_from("<q", data, p + 2)[0])
        if op == 0x19:
            return b1, ("literal", struct.unpack_from("<q", b"\0\0\0\0\0\0" + data[p + 2 : p + 4])[0])
        if op in (0x1A, 0x1B):
            idx = _U16.unpack_from(data, p + 2)[0] if op == 0x1A else _U32.unpack_from(data, p + 2)[0]
            try:
                return b1, ("string", dex.string(idx))
            except DexFormatError:
                return b1, UNKNOWN
        if 0x60 <= op <= 0x66:
            return b1, ("field", _U16.unpack_from(data, p + 2)[0])
        if op in (0x0A, 0x0B, 0x0C):
            return b1, (_MOVE_RESULT,)
        return b1, UNKNOWN
    if op in _DEST_U16:
        return _U16.unpack_from(data, p + 2)[0], (_COPY, _U16.unpack_from(data, p + 4)[0])
    return None, UNKNOWN


def _is_invoke(op: int) -> bool:
    return 0x6E <= op <= 0x72 or 0x74 <= op <= 0x78


# what register_states does with each opcode without asking _effect: 0 = writes no register (and is no invoke),
# 1 = writes vA (low nibble of byte 1) with an unknown value, 2 = an invoke, 3 = ask _effect
_FAST = bytearray(256)
for _op in range(256):
    if 0x6E <= _op <= 0x72 or 0x74 <= _op <= 0x78:
        _FAST[_op] = 2
    elif _op in _DEST_NIBBLE and _op not in _MOVES:
        _FAST[_op] = 1
    elif _op == 0x12 or _op in _DEST_NIBBLE or _op in _DEST_BYTE or _op in _DEST_U16:
        _FAST[_op] = 3
del _op


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
    wanted = len(offsets)
    fast = _FAST
    pc = 0
    while pc < insns_size and len(out) < wanted:
        p = start + pc * 2
        op, b1 = data[p], data[p + 1]
        remaining = insns_size - pc
        width = WIDTH[op] if op else _payload_width(data, p, b1, remaining)
        if width > remaining:
            break
        if p in offsets:
            out[p] = dict(regs)
        how = fast[op]
        if how == 0:  # (as _effect: no destination; the value of an invoke before is gone)
            last_invoke = None
        elif how == 1:  # (as _effect: vA unknown)
            last_invoke = None
            dest = b1 & 0xF
            regs[dest] = UNKNOWN
            if op in _WIDE:
                regs[dest + 1] = UNKNOWN
        elif how == 2:  # an invoke writes no register
            midx = _U16.unpack_from(data, p + 2)[0]
            last_invoke = ("result", midx, [regs.get(r, UNKNOWN) for r in invoke_registers_at(op, data, p)])
        else:
            dest, value = _effect(dex, data, p, op, b1)
            if value[0] == _COPY:
                value = regs.get(value[1], UNKNOWN)
            elif value[0] == _MOVE_RESULT:
                value = last_invoke or UNKNOWN
            last_invoke = None
            if dest is not None:
                regs[dest] = value
                if op in _WIDE:
                    regs[dest + 1] = UNKNOWN
        pc += width
    return out


# ------------------------------------------------------------------------ reaching values along the control flow
#
# register_states reads the last writer in file order: where branches join, the other branch's writer is lost
# (``mode = debug ? MODE_WORLD_READABLE : MODE_PRIVATE`` reads as MODE_PRIVATE only). reaching_values follows the
# control-flow graph dex/branches.py builds and gives, for each register, the set of values its reaching
# definitions put there: a forward may-analysis whose join is set union (a register a path leaves unwritten, a
# parameter or an exception edge from before its writer, holds UNKNOWN on that path).

MAX_VALUES = 8  # values kept per register; more make it TOP (nothing known)
TOP: Value = ("top",)  # absorbs every other value: too many definitions reach
_TOP_SET = frozenset({TOP})
_UNKNOWN_SET = frozenset({UNKNOWN})
_LAST = -1  # pseudo-register: the value of the invoke just executed (read by move-result*)
MAX_STEPS_PER_INSN = (
    64  # worklist steps per instruction before the analysis gives up (it converges far sooner)
)

State = dict[int, frozenset]


def _join(a: State, b: State) -> State:
    """Union per register; a register one side lacks holds UNKNOWN there."""
    out: State = {}
    for r in a.keys() | b.keys():
        va, vb = a.get(r, _UNKNOWN_SET), b.get(r, _UNKNOWN_SET)
        if va is _TOP_SET or vb is _TOP_SET:
            out[r] = _TOP_SET
            continue
        u = va | vb
        out[r] = _TOP_SET if len(u) > MAX_VALUES else u
    return out


def _single(values: frozenset | None) -> Value:
    if values and len(values) == 1:
        (v,) = values
        return UNKNOWN if v == TOP else v
    return UNKNOWN


def reaching_values(dex: DexFile, code_off: int, offsets: set[int]) -> dict[int, dict[int, frozenset]]:
    """For each instruction whose file offset is in ``offsets`` and that the method's first instruction reaches:
    ``register -> frozenset of Values`` the register's reaching definitions put there (same Values as
    :func:`register_states`, plus :data:`TOP` when more than :data:`MAX_VALUES` reach). A register absent from the
    dict holds UNKNOWN (a parameter, or nothing this method wrote). A move-result's ``("result", method_idx, (arg Values))`` (a tuple:
    values are hashable here) carries an argument's value only where a single one reaches the invoke. Empty for malformed code, an oversized method or an
    analysis that does not settle; never raises."""
    from appwarden.dex.branches import control_flow  # branches imports this module's opcode tables

    data = dex.data
    try:
        cfg = control_flow(data, code_off)
        if cfg is None or not cfg.order:
            return {}
        return _reaching(dex, data, cfg, offsets)
    except (ValueError, IndexError, struct.error):
        return {}


def _transfer(dex: DexFile, data: bytes, p: int, op: int, b1: int, state: State) -> State:
    out = dict(state)
    out.pop(_LAST, None)
    dest, value = _effect(dex, data, p, op, b1)
    if _is_invoke(op):
        midx = _U16.unpack_from(data, p + 2)[0]
        args = [_single(state.get(r)) for r in invoke_registers_at(op, data, p)]
        out[_LAST] = frozenset({("result", midx, tuple(args))})
    if dest is not None:
        if value[0] == _COPY:
            out[dest] = state.get(value[1], _UNKNOWN_SET)
        elif value[0] == _MOVE_RESULT:
            out[dest] = state.get(_LAST, _UNKNOWN_SET)
        else:
            out[dest] = frozenset({value})
        if op in _WIDE:
            out[dest + 1] = _UNKNOWN_SET
    return out


def _reaching(dex: DexFile, data: bytes, cfg, offsets: set[int]) -> dict[int, dict[int, frozenset]]:
    start = cfg.start
    entry = cfg.order[0]
    state_in: dict[int, State] = {entry: {}}
    todo = [entry]
    queued = {entry}
    budget = MAX_STEPS_PER_INSN * len(cfg.order) + 64
    while todo:
        budget -= 1
        if budget < 0:
            return {}
        pc = todo.pop()
        queued.discard(pc)
        before = state_in[pc]
        p = start + pc * 2
        after = _transfer(dex, data, p, data[p], data[p + 1], before)
        edges = [(t, after) for t in cfg.succ.get(pc, ())]
        # a throwing instruction writes nothing: its handlers see the registers before it (and after it, for a
        # throw further on in the try block)
        edges += [(t, s) for t in cfg.handlers.get(pc, ()) for s in (before, after)]
        for target, state in edges:
            if target not in cfg.succ:
                continue  # outside the code (malformed): the path ends
            old = state_in.get(target)
            new = state if old is None else _join(old, state)
            if new != old:
                state_in[target] = new
                if target not in queued:
                    queued.add(target)
                    todo.append(target)
    out: dict[int, dict[int, frozenset]] = {}
    for pc, state in state_in.items():
        p = start + pc * 2
        if p in offsets:
            out[p] = {r: v for r, v in state.items() if r != _LAST}
    return out
