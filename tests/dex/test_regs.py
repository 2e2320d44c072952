"""Register simulation used by argument filters."""

from __future__ import annotations

from appwarden.dex.index import build_index
from appwarden.dex.records import EV_INVOKE, invoke_arg_registers
from appwarden.dex.regs import register_states


def states_at_invokes(main_dex: bytes, method: str) -> list[tuple[str, list[tuple]]]:
    index = build_index([("classes.dex", main_dex)])
    [(ci, r)] = index.method_records(method)
    code = index.codes[ci]
    rec = code.record(r)
    invokes = [code.event(i) for i in range(rec[4], rec[5]) if code.event(i)[0] == EV_INVOKE]
    states = register_states(code.dex, rec[3], {e[2] for e in invokes})
    out = []
    for _k, op, off, idx, a, _b in invokes:
        regs = states[off]
        out.append((code.method_desc(idx), [regs.get(x, ("unknown",)) for x in invoke_arg_registers(op, a)]))
    return out


def test_const_string_and_move_result_chain(main_dex: bytes) -> None:
    got = states_at_invokes(
        main_dex, "Lcom/aw/t/Pi;->sms(Landroid/content/ContentResolver;)Landroid/database/Cursor;"
    )
    parse, query = got
    assert parse[0].startswith("Landroid/net/Uri;->parse(")
    assert parse[1] == [("string", "content://sms/inbox")]
    assert query[0].startswith("Landroid/content/ContentResolver;->query(")
    uri = query[1][1]  # register of the Uri argument: move-result-object of Uri.parse
    assert uri[0] == "result" and uri[2] == [("string", "content://sms/inbox")]
    assert query[1][2] == ("literal", 0)  # const/4 v2, 0 copied by move-object into v3


def test_parameter_overwrites_constant(main_dex: bytes) -> None:
    [(callee, args)] = states_at_invokes(
        main_dex,
        "Lcom/aw/t/Pi;->overwritten(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;",
    )
    assert callee.startswith("Landroid/provider/Settings$Secure;->getString(")
    assert args[1] == ("unknown",)  # move-object v0, p1 replaced the "android_id" constant


def test_literal_argument(main_dex: bytes) -> None:
    [(_callee, args)] = states_at_invokes(
        main_dex, "Lcom/aw/t/Pi;->gyro(Landroid/hardware/SensorManager;)Landroid/hardware/Sensor;"
    )
    assert args == [("unknown",), ("literal", 4)]


def test_bad_code_offset_gives_no_states(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    assert register_states(index.codes[0].dex, 0, {1}) == {}
    assert register_states(index.codes[0].dex, len(main_dex) - 4, {1}) == {}


# ------------------------------------------------------------------ reaching values along the control flow graph

from pathlib import Path  # noqa: E402

from appwarden.dex.regs import TOP, reaching_values  # noqa: E402

REGS_DEX = Path(__file__).parent / "data" / "regs.dex"


def reaching_at_invokes(method: str) -> list[frozenset]:
    """The values reaching the first argument of each invoke of ``method`` in data/regs.dex (file order);
    ``{("unknown",)}`` where the register holds nothing this method wrote."""
    index = build_index([("classes.dex", REGS_DEX.read_bytes())])
    [(ci, r)] = index.method_records(method)
    code = index.codes[ci]
    rec = code.record(r)
    invokes = [code.event(i) for i in range(rec[4], rec[5]) if code.event(i)[0] == EV_INVOKE]
    states = reaching_values(code.dex, rec[3], {e[2] for e in invokes})
    out = []
    for _k, op, off, _idx, a, _b in invokes:
        (reg,) = invoke_arg_registers(op, a)
        out.append(states[off].get(reg, frozenset({("unknown",)})))
    return out


def _lits(*values: int) -> frozenset:
    return frozenset(("literal", v) for v in values)


def test_both_branches_reach_the_call_where_the_linear_read_sees_only_the_last() -> None:
    assert reaching_at_invokes("Lcom/aw/t/Modes;->eitherWay(Z)V") == [_lits(0, 1)]


def test_a_writer_on_another_path_does_not_reach() -> None:
    # the linear simulation reads 1 (the last writer in file order) at the second call; only 0 reaches it
    assert reaching_at_invokes("Lcom/aw/t/Modes;->otherBranch(Z)V") == [_lits(1), _lits(0)]
    index = build_index([("classes.dex", REGS_DEX.read_bytes())])
    [(ci, r)] = index.method_records("Lcom/aw/t/Modes;->otherBranch(Z)V")
    code = index.codes[ci]
    rec = code.record(r)
    last = [code.event(i) for i in range(rec[4], rec[5]) if code.event(i)[0] == EV_INVOKE][-1]
    linear = register_states(code.dex, rec[3], {last[2]})[last[2]]
    assert linear[invoke_arg_registers(last[1], last[4])[0]] == ("literal", 1)  # the bug the CFG read fixes


def test_a_parameter_on_one_path_reaches_as_unknown() -> None:
    assert reaching_at_invokes("Lcom/aw/t/Modes;->paramOrConstant(ZI)V") == [
        frozenset({("unknown",), ("literal", 2)})
    ]


def test_loop_switch_and_catch_edges() -> None:
    assert reaching_at_invokes("Lcom/aw/t/Modes;->loop(I)V") == [_lits(0, 1)]
    assert reaching_at_invokes("Lcom/aw/t/Modes;->switched(I)V") == [_lits(0, 1, 2)]
    # in the try block: 0, then 1; in the handler: 0 (the first call threw) or 1 (the second did)
    assert reaching_at_invokes("Lcom/aw/t/Modes;->caught()V") == [_lits(0), _lits(1), _lits(0, 1)]


def test_reaching_values_on_bad_code_is_empty_never_raises(main_dex: bytes) -> None:
    import random
    import struct

    from appwarden.dex.reader import DexFile

    dex = DexFile("classes.dex", main_dex)
    assert reaching_values(dex, 0, {1}) == {}
    assert reaching_values(dex, len(main_dex) - 4, {1}) == {}
    rng = random.Random(23)
    for _ in range(200):
        insns = rng.randrange(1, 48)
        header = struct.pack("<HHHHII", 8, 1, 2, rng.randrange(0, 2), 0, insns)
        body = bytes(rng.randrange(256) for _ in range(insns * 2 + rng.randrange(0, 24)))
        blob = main_dex + header + body
        dex = DexFile("fuzz.dex", blob)
        got = reaching_values(dex, len(main_dex), set(range(len(main_dex), len(blob))))
        assert isinstance(got, dict)
        assert all(TOP not in v or len(v) == 1 for s in got.values() for v in s.values())


def test_register_states_equal_the_effect_walk(main_dex: bytes) -> None:
    """register_states' opcode table (the writes it makes without asking _effect) gives what asking _effect for
    every instruction gave, at every instruction of every method of the fixture."""
    from appwarden.dex.records import METHOD_WORDS, WIDTH, invoke_registers_at
    from appwarden.dex.regs import _COPY, _MOVE_RESULT, _WIDE, UNKNOWN, _effect, _is_invoke, _payload_width

    def reference(dex, code_off: int, offsets: set[int]) -> dict:
        data = dex.data
        n = int.from_bytes(data[code_off + 12 : code_off + 16], "little")
        start, pc, regs, last, out = code_off + 16, 0, {}, None, {}
        while pc < n:
            p = start + pc * 2
            op, b1 = data[p], data[p + 1]
            width = WIDTH[op] if op else _payload_width(data, p, b1, n - pc)
            if width > n - pc:
                break
            if p in offsets:
                out[p] = dict(regs)
            dest, value = _effect(dex, data, p, op, b1)
            if value[0] == _COPY:
                value = regs.get(value[1], UNKNOWN)
            elif value[0] == _MOVE_RESULT:
                value = last or UNKNOWN
            last = None
            if _is_invoke(op):
                args = [regs.get(r, UNKNOWN) for r in invoke_registers_at(op, data, p)]
                last = ("result", int.from_bytes(data[p + 2 : p + 4], "little"), args)
            if dest is not None:
                regs[dest] = value
                if op in _WIDE:
                    regs[dest + 1] = UNKNOWN
            pc += width
        return out

    index = build_index([("classes.dex", main_dex)])
    code = index.codes[0]
    checked = 0
    for r in range(code.n_methods):
        code_off = code.methods[r * METHOD_WORDS + 3]
        if not code_off:
            continue
        n = int.from_bytes(main_dex[code_off + 12 : code_off + 16], "little")
        every = {code_off + 16 + 2 * pc for pc in range(n)}  # (offsets inside an instruction are never found)
        want = reference(code.dex, code_off, every)
        assert register_states(code.dex, code_off, every) == want
        checked += len(want)
    assert checked > 100


# ------------------------------------------------------------------ destinations by instruction format

from appwarden.dex.regs import UNKNOWN, _effect  # noqa: E402


def test_binop_lit8_writes_the_whole_byte_register() -> None:
    # add-int/lit8 v18, v0, #+1 (22b: AA|op CC|BB): v18 is written, not v2 (its low nibble), which would keep a stale
    # value in v18 and wipe v2
    assert _effect(None, bytes([0xD8, 0x12, 0x00, 0x01]), 0, 0xD8, 0x12) == (18, UNKNOWN)
    # ushr-int/lit8 v255, v3, #+2
    assert _effect(None, bytes([0xE2, 0xFF, 0x03, 0x02]), 0, 0xE2, 0xFF) == (255, UNKNOWN)


def test_binop_lit16_and_2addr_write_the_low_nibble() -> None:
    # add-int/lit16 v1, v2, #+1 (22s) and add-int/2addr v1, v2 (12x)
    assert _effect(None, bytes([0xD0, 0x21, 0x01, 0x00]), 0, 0xD0, 0x21) == (1, UNKNOWN)
    assert _effect(None, bytes([0xB0, 0x21]), 0, 0xB0, 0x21) == (1, UNKNOWN)
