"""Conditional branches of one method and the instructions they guard (the consent analysis' intraprocedural part).

Contract: :func:`method_flow(code, code_off, oracle)` decodes one method's instructions, builds its control-flow
graph (fall-through, ``goto``, ``if-*``, ``packed/sparse-switch``, ``try``/``catch`` handler edges; ``return*`` and
``throw`` end a path) and tracks, linearly in file order as :mod:`appwarden.dex.regs` does, which registers hold a
*consent flag*: the result of an invoke or the value of an ``sget-boolean`` the ``oracle`` says is one, copies of it
(``move``), and its negation (``xor-int/lit8 v, v, 1``; ``rsub-int/lit8 v, v, 1``). An ``if-eqz``/``if-nez`` on a
flag register has a *consent edge*: the one taken when the user has agreed. An instruction is **guarded** when it is
reachable from the method's first instruction but not once every consent edge is removed: every path to it passes
a branch on the flag and takes its "agreed" side. :class:`MethodFlow` also lists the method's invokes (with the
constant arguments they received) and its consent-flag writes (an invoke taking a constant string key and a
constant boolean (not a getter's default), e.g. ``SharedPreferences$Editor.putBoolean(key, true)`` / ``MMKV.encode(key, true)`` / an app
helper ``Sp.put(ctx, key, true)``, and ``sput-boolean`` of a constant), and whether every ``return`` returns the
flag (a *helper* whose callers can branch on its result).

Flags kept as ints or strings (issue #18): an invoke or field read the oracle names as a flag but returning an int,
a ``String`` or an ``Object`` holds a *raw* flag value; it becomes a branch on the flag when compared with a constant:
``if-eq``/``if-ne``/``if-eqz``/``if-nez`` against an int literal (``getInt(key, 0) == 1``: agreed when the literal is
non-zero for a positive flag, zero for a negative one; a "not equal" side is only the agreed one for ``!= 0`` of a
positive flag), and ``String.equals``/``Object.equals``/``TextUtils.equals``/``Objects.equals``/Kotlin
``Intrinsics.areEqual``/``equalsIgnoreCase`` with a string constant whose meaning is known (:data:`AGREED_STRINGS`,
:data:`REFUSED_STRINGS`; ``"1".equals(getString(key, ""))``). Instance fields are flags like static ones
(``iget-boolean`` read, ``iput-boolean`` of a constant written), and int fields likewise (``iget``/``sget`` raw,
``iput``/``sput`` of 0/1 written). Writes also cover ``putInt(key, 0|1)`` and ``putString(key, "1")``-like calls
(the value a known string constant, the key a constant string before it). :attr:`MethodFlow.branch_types` says
what each consent branch compared (``boolean``, ``int``, ``string``).

Not modelled (the caller must say "unsure" when it matters): comparisons of two non-constant registers, other
string values ("granted_v2"), values merged from several branches (the writer last in file order wins).
Malformed code gives ``None``; never raises.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from appwarden.dex.records import WIDTH, invoke_registers_at
from appwarden.dex.regs import _DEST_BYTE, _DEST_NIBBLE, _DEST_U16, _WIDE

Value = tuple
UNKNOWN: Value = ("unknown",)
_U16 = struct.Struct("<H")
_S16 = struct.Struct("<h")
_U32 = struct.Struct("<I")
_S32 = struct.Struct("<i")

MAX_INSNS = 1 << 16  # code units: longer methods are not analysed (a gate sits in short start-up methods)

# (descriptor, constant argument values) -> polarity of the returned boolean as a consent flag (True: true means
# agreed), or None when the result is not a consent flag
InvokeOracle = Callable[[str, list[Value]], "bool | None"]
FieldOracle = Callable[[str], "bool | None"]


@dataclass(slots=True)
class MethodFlow:
    """What :func:`method_flow` found in one method (offsets are byte offsets in the DEX file)."""

    invokes: list[tuple[int, str, list[Value]]] = field(default_factory=list)  # (offset, callee, arg values)
    writes: list[tuple[str, str, bool, int]] = field(default_factory=list)  # (key|field, name, value, offset)
    reads: list[tuple[int, str]] = field(
        default_factory=list
    )  # (offset, what was read: key, field or helper)
    branches: list[tuple[int, str]] = field(default_factory=list)  # consent branches (offset, flag read)
    # every conditional branch/switch: (offset, what its operands held: ("call", desc), ("field", name),
    # ("literal", v), ("string", s), ("flag", ...), ("unknown",) for parameters, instance fields and the rest)
    conditions: list[tuple[int, tuple[Value, ...]]] = field(default_factory=list)
    guarded: frozenset[int] = frozenset()  # instruction offsets reached only through a consent edge
    refused: frozenset[int] = frozenset()  # instruction offsets reached only through the "not agreed" side
    returns_flag: bool | None = None  # polarity when every return returns the flag (or a constant), else None
    # consent branch offset -> what it compared: boolean | int | string
    branch_types: dict[int, str] = field(default_factory=dict)
    # (static field, constant string) of each sput-object of a const-string: a text shown elsewhere
    string_stores: list[tuple[str, str]] = field(default_factory=list)


def _params(desc: str) -> str:
    return desc[desc.find("(") + 1 : desc.rfind(")")]


def _last_param_is_boolean(desc: str) -> bool:
    p = _params(desc)
    return p.endswith("Z") and not p.endswith("[Z") and (len(p) == 1 or p[-2] in "ZBSCIJFD;")


def _is_getter(desc: str) -> bool:
    """A call whose trailing boolean is a default value, not a value written (``getBoolean(key, false)``)."""
    name = desc.split("->", 1)[-1].split("(", 1)[0].lower()
    return name.startswith(_GETTERS)


# classes whose (key, boolean) calls carry a value elsewhere, never store a consent decision
NOT_STORAGE = (
    "Landroid/content/Intent;",
    "Landroid/os/Bundle;",
    "Landroid/os/BaseBundle;",
    "Landroid/os/PersistableBundle;",
    "Ljava/",
    "Lkotlin/",
    "Lorg/json/",
    "Landroid/text/",
    "Landroid/webkit/",
)
_GETTERS = ("get", "decode", "contains", "is", "has", "read", "load", "opt", "query", "fetch")

# string constants whose meaning as a stored consent answer is known (compared case-insensitively)
AGREED_STRINGS = frozenset(
    {"1", "true", "yes", "y", "agree", "agreed", "accept", "accepted", "ok", "on", "granted"}
)
REFUSED_STRINGS = frozenset(
    {"0", "false", "no", "n", "disagree", "refuse", "refused", "reject", "rejected", "off"}
)
# equality tests of two objects: (descriptor prefix) -> the result says whether they are equal
EQUALS = (
    "Ljava/lang/String;->equals(",
    "Ljava/lang/String;->equalsIgnoreCase(",
    "Ljava/lang/Object;->equals(",
    "Landroid/text/TextUtils;->equals(",
    "Ljava/util/Objects;->equals(",
    "Lkotlin/jvm/internal/Intrinsics;->areEqual(Ljava/lang/Object;Ljava/lang/Object;)Z",
)
_RAW_RETURNS = {"I": "int", "Ljava/lang/String;": "string", "Ljava/lang/Object;": "string"}
_FIELD_KINDS = {"Z": "boolean", "I": "int", "Ljava/lang/String;": "string"}


def string_meaning(value: str) -> bool | None:
    """True when a stored string says "agreed", False when it says "refused", None when unknown."""
    low = value.strip().lower()
    if low in AGREED_STRINGS:
        return True
    if low in REFUSED_STRINGS:
        return False
    return None


def _ret(desc: str) -> str:
    return desc[desc.rfind(")") + 1 :]


def _last_param(desc: str) -> str:
    p = _params(desc)
    i = 0
    last = ""
    while i < len(p):
        j = i
        while p[j] == "[":
            j += 1
        j = p.index(";", j) + 1 if p[j] == "L" else j + 1
        last = p[i:j]
        i = j
    return last


def _field_value(name: str, pol: bool | None) -> Value | None:
    """The register value of a read of field ``name`` (``Lcls;->f:T``) the oracle calls a flag of polarity ``pol``."""
    if pol is None:
        return None
    bare, _, ftype = name.partition(":")
    kind = _FIELD_KINDS.get(ftype)
    if kind == "boolean":
        return ("flag", pol, bare)
    if kind is not None:
        return ("raw", pol, bare, kind)
    return None


def _switch_targets(data: bytes, start: int, pc: int, rel: int, insns: int) -> list[int]:
    """Targets (code units) of a packed/sparse switch whose payload is at ``pc + rel``."""
    ppc = pc + rel
    if ppc < 0 or ppc + 2 > insns:
        return []
    p = start + ppc * 2
    ident, size = _U16.unpack_from(data, p)[0], _U16.unpack_from(data, p + 2)[0]
    if ident == 0x0100:
        first = p + 8
    elif ident == 0x0200:
        first = p + 4 + size * 4
    else:
        return []
    if first + size * 4 > start + insns * 2:
        return []
    return [pc + _S32.unpack_from(data, first + 4 * i)[0] for i in range(size)]


def _uleb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for _ in range(5):
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
    raise ValueError("bad uleb128")


def _sleb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    for _ in range(5):
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            if b & 0x40:
                result -= 1 << shift
            return result, pos
    raise ValueError("bad sleb128")


def _try_edges(data: bytes, code_off: int, insns: int) -> list[tuple[int, int, list[int]]]:
    """(start pc, end pc, handler pcs) of each try block."""
    tries = _U16.unpack_from(data, code_off + 6)[0]
    if not tries:
        return []
    base = code_off + 16 + insns * 2 + (2 if insns & 1 else 0)
    handlers_base = base + tries * 8
    out = []
    for t in range(tries):
        start_addr = _U32.unpack_from(data, base + t * 8)[0]
        count = _U16.unpack_from(data, base + t * 8 + 4)[0]
        hoff = _U16.unpack_from(data, base + t * 8 + 6)[0]
        pos = handlers_base + hoff
        size, pos = _sleb(data, pos)
        targets = []
        for _ in range(abs(size)):
            _type, pos = _uleb(data, pos)
            addr, pos = _uleb(data, pos)
            targets.append(addr)
        if size <= 0:
            addr, pos = _uleb(data, pos)
            targets.append(addr)
        out.append((start_addr, start_addr + count, targets))
    return out


def _successors(data: bytes, start: int, pc: int, op: int, b1: int, nxt: int, insns: int) -> list[int]:
    """Code-unit targets of the instruction at ``pc`` (opcode ``op``, second byte ``b1``) besides exception edges:
    none for ``return*``/``throw``, the target of a ``goto``, fall-through then target of an ``if-*``, fall-through
    then the cases of a switch, else fall-through (``nxt``)."""
    if 0x0E <= op <= 0x11 or op == 0x27:
        return []
    if op == 0x28:
        return [pc + (b1 - 256 if b1 & 0x80 else b1)]
    if op == 0x29:
        return [pc + _S16.unpack_from(data, start + pc * 2 + 2)[0]]
    if op == 0x2A:
        return [pc + _S32.unpack_from(data, start + pc * 2 + 2)[0]]
    if op in (0x2B, 0x2C):
        return [nxt, *_switch_targets(data, start, pc, _S32.unpack_from(data, start + pc * 2 + 2)[0], insns)]
    if 0x32 <= op <= 0x3D:
        return [nxt, pc + _S16.unpack_from(data, start + pc * 2 + 2)[0]]
    return [nxt]


@dataclass(slots=True)
class ControlFlow:
    """The control-flow graph of one method (program counters in code units from the first instruction).

    ``order``: every instruction's pc in file order (payload pseudo-instructions left out); ``succ``: pc -> its
    normal successors (:func:`_successors`); ``handlers``: pc -> the catch handlers of the try blocks covering it;
    ``start``: the byte offset of the first instruction in the DEX (an instruction's offset is ``start + 2 * pc``)."""

    order: list[int]
    succ: dict[int, list[int]]
    handlers: dict[int, list[int]]
    start: int


def control_flow(data: bytes, code_off: int) -> ControlFlow | None:
    """The control-flow graph of the method whose code item is at ``code_off`` (the edges :func:`method_flow`
    walks: fall-through, ``goto``, ``if-*``, switches, and try/catch handler edges kept apart in
    :attr:`ControlFlow.handlers`). None for a missing, oversized or malformed code item; never raises."""
    try:
        return _control_flow(data, code_off)
    except (ValueError, IndexError, struct.error):
        return None


def _control_flow(data: bytes, code_off: int) -> ControlFlow | None:
    if not code_off or code_off + 16 > len(data):
        return None
    insns = _U32.unpack_from(data, code_off + 12)[0]
    start = code_off + 16
    if insns > MAX_INSNS or start + insns * 2 > len(data):
        return None
    decoded = _decoded(data, start, insns)
    if decoded is None:
        return None
    order = [pc for pc, _op, _b1, _width in decoded]
    succ = {pc: _successors(data, start, pc, op, b1, pc + width, insns) for pc, op, b1, width in decoded}
    handlers: dict[int, list[int]] = {}
    for lo, hi, targets in _try_edges(data, code_off, insns):
        for q in order:
            if lo <= q < hi:
                handlers[q] = [*handlers.get(q, ()), *targets]
    return ControlFlow(order, succ, handlers, start)


def _decoded(data: bytes, start: int, insns: int) -> list[tuple[int, int, int, int]] | None:
    """``(pc, opcode, second byte, width in code units)`` of each instruction of the code at ``start`` (``insns``
    units), in order, payload pseudo-instructions (switch tables, array data: never executed) skipped; None when an
    instruction runs past the end of the code. The one decoding loop of :func:`control_flow` and
    :func:`method_flow`."""
    out: list[tuple[int, int, int, int]] = []
    pc = 0
    while pc < insns:
        p = start + pc * 2
        op, b1 = data[p], data[p + 1]
        if op == 0 and b1 in (1, 2, 3):
            pc += _payload_units(data, p, b1)
            continue
        width = WIDTH[op] or 1
        if pc + width > insns:
            return None
        out.append((pc, op, b1, width))
        pc += width
    return out


def _payload_units(data: bytes, p: int, b1: int) -> int:
    """Width in code units of the packed-switch (1), sparse-switch (2) or fill-array-data (3) payload at ``p``."""
    if b1 == 1:
        return 4 + _U16.unpack_from(data, p + 2)[0] * 2
    if b1 == 2:
        return 2 + _U16.unpack_from(data, p + 2)[0] * 4
    return (_U16.unpack_from(data, p + 2)[0] * _U32.unpack_from(data, p + 4)[0] + 1) // 2 + 4


def method_flow(
    data: bytes,
    code_off: int,
    method_desc: Callable[[int], str],
    field_desc: Callable[[int], str],
    string: Callable[[int], str],
    invoke_flag: InvokeOracle,
    field_flag: FieldOracle,
    param_flags: dict[int, tuple[bool, str]] | None = None,
) -> MethodFlow | None:
    """Analyse the method whose code item is at ``code_off`` of the DEX bytes ``data`` (see the module doc).

    ``method_desc``/``field_desc``/``string`` decode ids of that DEX (``field_desc``: ``Lcls;->name:Type``); ``invoke_flag``/``field_flag`` say which
    invoke results and static fields are consent flags. ``param_flags`` maps a parameter register number (``pN``:
    ``p0`` is ``this`` of an instance method) to (polarity, name) when that boolean parameter carries the user's
    answer (a dialog library's single ``rule(boolean agree)`` callback): then :attr:`MethodFlow.guarded` is the agree
    side and :attr:`MethodFlow.refused` the refuse side. None for a missing, oversized or malformed code item."""
    try:
        return _method_flow(
            data, code_off, method_desc, field_desc, string, invoke_flag, field_flag, param_flags or {}
        )
    except (ValueError, IndexError, struct.error, KeyError):
        return None


def _method_flow(
    data, code_off, method_desc, field_desc, string, invoke_flag, field_flag, param_flags
) -> MethodFlow | None:
    if not code_off or code_off + 16 > len(data):
        return None
    insns = _U32.unpack_from(data, code_off + 12)[0]
    start = code_off + 16
    if insns > MAX_INSNS or start + insns * 2 > len(data):
        return None
    flow = MethodFlow()
    regs: dict[int, Value] = {}
    if param_flags:
        first_param = _U16.unpack_from(data, code_off)[0] - _U16.unpack_from(data, code_off + 2)[0]
        for pnum, (pol, name) in param_flags.items():
            regs[first_param + pnum] = ("flag", pol, name)
    last_invoke: Value | None = None
    succ: dict[int, list[int]] = {}
    consent_edges: set[tuple[int, int]] = set()
    order: list[int] = []
    returns: list[Value] = []
    decoded = _decoded(data, start, insns)
    if decoded is None:
        return None
    for pc, op, b1, width in decoded:
        p = start + pc * 2
        order.append(pc)
        nxt = pc + width
        value: Value = UNKNOWN
        dest: int | None = None
        # control flow
        targets = _successors(data, start, pc, op, b1, nxt, insns)
        if op == 0x0F:
            returns.append(regs.get(b1, UNKNOWN))
        elif op in (0x2B, 0x2C):
            flow.conditions.append((p, (regs.get(b1, UNKNOWN),)))
        elif 0x32 <= op <= 0x37:
            target = targets[1]
            va, vb = regs.get(b1 & 0xF, UNKNOWN), regs.get(b1 >> 4, UNKNOWN)
            flow.conditions.append((p, (va, vb)))
            raw, lit = (va, vb) if va[0] == "raw" else (vb, va)
            if op in (0x32, 0x33) and raw[0] == "raw" and raw[3] == "int" and lit[0] == "literal":
                edge = _int_edge(raw[1], lit[1], op == 0x32, target, nxt)
                if edge is not None:
                    consent_edges.add((pc, edge))
                    flow.branches.append((p, raw[2]))
                    flow.branch_types[p] = "int"
                    flow.reads.append((p, raw[2]))
        elif 0x38 <= op <= 0x3D:
            target = targets[1]
            v = regs.get(b1, UNKNOWN)
            flow.conditions.append((p, (v,)))
            if v[0] == "flag" and op in (0x38, 0x39):  # if-eqz / if-nez
                agreed_when_taken = (op == 0x39) == v[1]
                consent_edges.add((pc, target if agreed_when_taken else nxt))
                flow.branches.append((p, v[2]))
                flow.branch_types[p] = v[3] if len(v) > 3 else "boolean"
            elif v[0] == "raw" and v[3] == "int" and op in (0x38, 0x39):  # compared with 0
                edge = _int_edge(v[1], 0, op == 0x38, target, nxt)
                if edge is not None:
                    consent_edges.add((pc, edge))
                    flow.branches.append((p, v[2]))
                    flow.branch_types[p] = "int"
                    flow.reads.append((p, v[2]))
        succ[pc] = targets
        # registers
        if 0xD8 <= op <= 0xE2:  # binop/lit8 (22b): vAA, vBB, #+CC
            dest = b1
            src = regs.get(data[p + 2], UNKNOWN)
            if op in (0xDF, 0xD9) and src[0] == "flag" and data[p + 3] == 1:  # xor/rsub with 1: negation
                value = ("flag", not src[1], *src[2:])
        elif op in _DEST_NIBBLE:
            dest = b1 & 0xF
            if op in (0x01, 0x04, 0x07):
                value = regs.get(b1 >> 4, UNKNOWN)
        elif op in _DEST_BYTE:
            dest = b1
            if op in (0x02, 0x05, 0x08):
                value = regs.get(_U16.unpack_from(data, p + 2)[0], UNKNOWN)
            elif op in (0x13, 0x16):
                value = ("literal", _S16.unpack_from(data, p + 2)[0])
            elif op in (0x14, 0x17):
                value = ("literal", _S32.unpack_from(data, p + 2)[0])
            elif op in (0x1A, 0x1B):
                idx = _U16.unpack_from(data, p + 2)[0] if op == 0x1A else _U32.unpack_from(data, p + 2)[0]
                value = ("string", string(idx))
            elif 0x60 <= op <= 0x66:  # sget*
                name = field_desc(_U16.unpack_from(data, p + 2)[0])
                fv = (
                    _field_value(name, field_flag(name.split(":", 1)[0]))
                    if op in (0x60, 0x62, 0x63)
                    else None
                )
                if fv is not None:
                    value = fv
                    if fv[0] == "flag":
                        flow.reads.append((p, fv[2]))
                else:
                    value = ("field", name)
            elif op in (0x0A, 0x0B, 0x0C):
                value = last_invoke or UNKNOWN
        elif op in _DEST_U16:
            dest = _U16.unpack_from(data, p + 2)[0]
            value = regs.get(_U16.unpack_from(data, p + 4)[0], UNKNOWN)
        if op == 0x12:
            dest = b1 & 0xF
            v4 = b1 >> 4
            value = ("literal", v4 - 16 if v4 & 0x8 else v4)
        if op == 0x69:  # sput-object of a constant string: text kept in a static field, shown elsewhere
            v = regs.get(b1, UNKNOWN)
            if v[0] == "string":
                name = field_desc(_U16.unpack_from(data, p + 2)[0]).split(":", 1)[0]
                flow.string_stores.append((name, v[1]))
        if op in (0x6A, 0x67):  # sput-boolean, sput (int)
            v = regs.get(b1, UNKNOWN)
            name = field_desc(_U16.unpack_from(data, p + 2)[0])
            if v[0] == "literal" and v[1] in (0, 1) and name.endswith((":Z", ":I")):
                flow.writes.append(("field", name.split(":", 1)[0], bool(v[1]), p))
        elif op in (0x55, 0x52, 0x54):  # iget-boolean, iget (int), iget-object: an instance-field flag
            name = field_desc(_U16.unpack_from(data, p + 2)[0])
            fv = _field_value(name, field_flag(name.split(":", 1)[0]))
            if fv is not None:
                value = fv
                if fv[0] == "flag":
                    flow.reads.append((p, fv[2]))
        elif op in (0x5C, 0x59):  # iput-boolean, iput (int) of a constant
            v = regs.get(b1 & 0xF, UNKNOWN)
            name = field_desc(_U16.unpack_from(data, p + 2)[0])
            if v[0] == "literal" and v[1] in (0, 1) and name.endswith((":Z", ":I")):
                flow.writes.append(("field", name.split(":", 1)[0], bool(v[1]), p))
        last_invoke = None
        if 0x6E <= op <= 0x72 or 0x74 <= op <= 0x78:
            midx = _U16.unpack_from(data, p + 2)[0]
            args = [regs.get(r, UNKNOWN) for r in invoke_registers_at(op, data, p)]
            desc = method_desc(midx)
            flow.invokes.append((p, desc, args))
            keys = [v[1] for v in args if v[0] == "string"]
            written = _written_value(desc, args)
            write = written is not None
            if write:
                flow.writes.append(("key", next(v[1] for v in args[:-1] if v[0] == "string"), written, p))
            ret = _ret(desc)
            last_invoke = ("call", desc)
            if desc.startswith(EQUALS) and len(args) == 2:
                compared = _compared(args)
                if compared is not None:
                    last_invoke = compared
                    flow.reads.append((p, compared[2]))
            elif not write and (ret == "Z" or ret in _RAW_RETURNS):
                pol = invoke_flag(desc, args)
                if pol is not None:
                    name = keys[0] if keys else desc
                    if ret == "Z":
                        last_invoke = ("flag", pol, name)
                        flow.reads.append((p, name))
                    else:
                        last_invoke = ("raw", pol, name, _RAW_RETURNS[ret])
        if dest is not None:
            regs[dest] = value
            if op in _WIDE:
                regs[dest + 1] = UNKNOWN
    for lo, hi, handlers in _try_edges(data, code_off, insns):
        for q in order:
            if lo <= q < hi:
                succ[q] = [*succ[q], *handlers]
    flow.guarded = _guarded(order, succ, consent_edges, start)
    refuse_edges = {(pc, t) for pc, agreed in consent_edges for t in succ.get(pc, ()) if t != agreed}
    flow.refused = _guarded(order, succ, refuse_edges, start)
    flags = [v for v in returns if v[0] == "flag"]
    if flags and all(v[0] in ("flag", "literal") for v in returns) and len({v[1] for v in flags}) == 1:
        flow.returns_flag = flags[0][1]
    return flow


def _int_edge(pol: bool, literal: int, equal_when_taken: bool, target: int, nxt: int) -> int | None:
    """The successor taken when the user agreed, for a branch comparing an int flag of polarity ``pol`` (True: a
    non-zero value means agreed) with ``literal``; None when neither side is certainly the agreed one."""
    eq_agreed = (literal != 0) == pol
    ne_agreed = pol and literal == 0
    if eq_agreed:
        return target if equal_when_taken else nxt
    if ne_agreed:
        return nxt if equal_when_taken else target
    return None


def _compared(args: list[Value]) -> Value | None:
    """A consent flag from an equality test of a raw string flag with a string constant of known meaning."""
    a, b = args
    raw, const = (a, b) if a[0] == "raw" else (b, a)
    if raw[0] != "raw" or raw[3] != "string" or const[0] != "string":
        return None
    meaning = string_meaning(const[1])
    if meaning is None:
        return None
    return ("flag", raw[1] if meaning else not raw[1], raw[2], "string")


def _written_value(desc: str, args: list[Value]) -> bool | None:
    """The consent answer a storage call writes (``putBoolean(key, true)``, ``putInt(key, 1)``,
    ``putString(key, "1")``, an app helper ``put(ctx, key, value)``), or None when it writes none."""
    if len(args) < 2 or _is_getter(desc) or desc.startswith(NOT_STORAGE):
        return None
    if not any(v[0] == "string" for v in args[:-1]):
        return None
    last, value = _last_param(desc), args[-1]
    if value[0] == "literal" and value[1] in (0, 1) and (last == "I" or _last_param_is_boolean(desc)):
        return bool(value[1])
    if value[0] == "string" and last in ("Ljava/lang/String;", "Ljava/lang/Object;"):
        return string_meaning(value[1])
    return None


def _reach(order: list[int], succ: dict[int, list[int]], cut: set[tuple[int, int]]) -> set[int]:
    if not order:
        return set()
    seen = {order[0]}
    todo = [order[0]]
    while todo:
        pc = todo.pop()
        for t in succ.get(pc, ()):
            if t not in seen and (pc, t) not in cut and t in succ:
                seen.add(t)
                todo.append(t)
    return seen


def _guarded(
    order: list[int], succ: dict[int, list[int]], cut: set[tuple[int, int]], start: int
) -> frozenset[int]:
    if not cut:
        return frozenset()
    full = _reach(order, succ, set())
    free = _reach(order, succ, cut)
    return frozenset(start + pc * 2 for pc in full - free)
