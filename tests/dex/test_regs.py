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
