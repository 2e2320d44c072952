"""The data-flow walk dispatches on one opcode -> kind table (issue #19: the screening stage on popular apps); each
opcode must get the branch the former chain of set tests gave it, in the chain's order."""

from __future__ import annotations

from appwarden.screening import flow


def _chain_kind(op: int) -> int:
    """The former dispatch: the first test of the chain that matched."""
    if 0x28 <= op <= 0x2A or 0x32 <= op <= 0x3D:
        return flow._K_BRANCH
    if op in (0x07, 0x08, 0x09):
        return flow._K_MOVE_OBJECT
    tests = [
        (flow._MOVE_12X, flow._K_MOVE_12X),
        (flow._MOVE_22X, flow._K_MOVE_22X),
        (flow._MOVE_32X, flow._K_MOVE_32X),
        (flow._MOVE_RESULT, flow._K_MOVE_RESULT),
        (flow._RETURN, flow._K_RETURN),
        ({0x0D, 0x22} | flow._CONST_4_TO_WIDE, flow._K_CLEAR),
        ({0x1A, 0x1B}, flow._K_CONST_STRING),
        ({0x1C}, flow._K_CONST_CLASS),
        ({0x20, 0x21, 0x23}, flow._K_CLEAR_A),
        (flow._UNOP, flow._K_UNOP),
        (flow._BINOP_2ADDR, flow._K_BINOP_2ADDR),
        (flow._BINOP_LIT16, flow._K_BINOP_LIT16),
        (flow._BINOP_LIT8, flow._K_BINOP_LIT8),
        (flow._BINOP, flow._K_BINOP),
        (flow._CMP, flow._K_CMP),
        (flow._AGET, flow._K_AGET),
        (flow._APUT, flow._K_APUT),
        (flow._IGET | flow._SGET, flow._K_GET),
        (flow._IPUT | flow._SPUT, flow._K_PUT),
        ({0x24, 0x25}, flow._K_FILLED),
        (flow._INVOKES, flow._K_INVOKE),
    ]
    for ops, kind in tests:
        if op in ops:
            return kind
    return flow._K_OTHER


def test_every_opcode_gets_the_branch_the_chain_gave_it() -> None:
    assert len(flow._KIND) == 256
    assert [flow._KIND[op] for op in range(256)] == [_chain_kind(op) for op in range(256)]


def test_spot_checks() -> None:
    assert flow._KIND[0x6E] == flow._K_INVOKE  # invoke-virtual
    assert flow._KIND[0x07] == flow._K_MOVE_OBJECT  # move-object, not the plain move it also is
    assert flow._KIND[0x2B] == flow._K_OTHER  # packed-switch: writes no tracked register
    assert flow._KIND[0x1A] == flow._K_CONST_STRING
