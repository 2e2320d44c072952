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
