"""dex/branches.py on hostile code items: a result or None, never an exception, in bounded time."""

from __future__ import annotations

import random
import struct

from appwarden.dex.branches import MethodFlow, method_flow


def _flow(data: bytes, off: int) -> MethodFlow | None:
    return method_flow(
        data, off, lambda i: f"La;->m{i}()Z", lambda i: f"La;->f{i}", str, lambda d, a: True, lambda f: True
    )


def test_random_code_items_never_raise() -> None:
    rng = random.Random(18)
    for _ in range(300):
        insns = rng.randrange(0, 64)
        header = struct.pack("<HHHHII", 8, 1, 2, rng.randrange(0, 3), 0, insns)
        body = bytes(rng.randrange(256) for _ in range(insns * 2 + rng.randrange(0, 40)))
        data = b"\0" * 8 + header + body
        flow = _flow(data, 8)
        assert flow is None or isinstance(flow, MethodFlow)


def test_branch_on_flag_guards_the_agreed_side() -> None:
    # invoke-static {} m0()Z; move-result v0; if-eqz v0, +5 (to return); invoke-static {} m1()V (guarded); return
    code = bytes.fromhex("7100 0000 00000a003800 05007100 0100 00000e00".replace(" ", ""))
    insns = len(code) // 2
    data = b"\0" * 8 + struct.pack("<HHHHII", 1, 0, 0, 0, 0, insns) + code
    flow = _flow(data, 8)
    assert flow is not None
    assert [off for off, _desc, _args in flow.invokes] == [24, 36]
    assert flow.guarded == frozenset({36})  # the second invoke; the return is reached either way
    assert flow.branches == [(32, "La;->m0()Z")]


def test_only_storage_calls_write_a_flag() -> None:
    # const-string v0, s0; const/4 v1, 1; invoke-virtual {v2, v0, v1}, m0; invoke-interface {v2, v0, v1}, m1; return
    code = bytes.fromhex("1a00 0000 1211 6e30 0000 0201 7230 0100 0201 0e00".replace(" ", ""))
    data = b"\0" * 8 + struct.pack("<HHHHII", 3, 0, 3, 0, 0, len(code) // 2) + code
    descs = {
        0: "Landroid/content/Intent;->putExtra(Ljava/lang/String;Z)Landroid/content/Intent;",
        1: "Landroid/content/SharedPreferences$Editor;->putBoolean(Ljava/lang/String;Z)Landroid/content/SharedPreferences$Editor;",
    }
    flow = method_flow(
        data, 8, descs.__getitem__, str, lambda i: "privacy_agreed", lambda d, a: None, lambda f: None
    )
    assert flow is not None
    assert [(k, n, v) for k, n, v, _off in flow.writes] == [("key", "privacy_agreed", True)]
    assert flow.writes[0][3] == 8 + 16 + 2 * 6  # the putBoolean, not the Intent extra


def test_control_flow_edges_and_bad_code() -> None:
    from appwarden.dex.branches import control_flow

    # invoke-static {} m0()Z; move-result v0; if-eqz v0, +5; invoke-static {} m1()V; return-void
    code = bytes.fromhex("7100 0000 00000a003800 05007100 0100 00000e00".replace(" ", ""))
    data = b"\0" * 8 + struct.pack("<HHHHII", 1, 0, 0, 0, 0, len(code) // 2) + code
    cfg = control_flow(data, 8)
    assert cfg is not None and cfg.order == [0, 3, 4, 6, 9] and cfg.start == 24
    assert cfg.succ[4] == [6, 9] and cfg.succ[9] == [] and cfg.handlers == {}
    assert control_flow(data, 0) is None and control_flow(data[:-2], 8) is None
    rng = random.Random(5)
    for _ in range(200):
        insns = rng.randrange(0, 64)
        header = struct.pack("<HHHHII", 8, 1, 2, rng.randrange(0, 3), 0, insns)
        body = bytes(rng.randrange(256) for _ in range(insns * 2 + rng.randrange(0, 40)))
        got = control_flow(b"\0" * 8 + header + body, 8)
        assert got is None or set(got.succ) == set(got.order)
