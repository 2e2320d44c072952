"""Names the C decode resolves from a DEX's id tables (``_flow.c``'s ``name_tables``, issue #19): plain framework
callees and label-less const-strings get their constant without the ``resolve`` callback. The kernel must agree with
its Python twin (``flow._table_const``) on the fixture DEX files, on mutated tables and on random bytes (never a
crash), and the twin must give what the callback gives (``_key_flags``, ``_const_labels``) for every name it
decides."""

from __future__ import annotations

import random
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex.index import id_table_args
from appwarden.dex.reader import DexFile, split_container
from appwarden.dex.records import WIDTH
from appwarden.screening import flow
from appwarden.screening.flow import (
    _CARRIERS,
    _CONNECTIONS,
    _F_CARRIER,
    _F_INIT,
    _F_PLAIN,
    _P_INVOKE,
    _P_SET,
    _SPECIAL_NAMES,
    EMPTY,
    MAIL_SINKS,
    QUERY_APIS,
    REQUEST_SINKS,
    SMS_SINKS,
    SOURCE_APIS,
    _const_labels,
    _key_flags,
    _table_const,
)

from ..dex.conftest import DATA, dex_blobs_of
from ..dex.test_fuzz import mutate, mutations

KERNEL = flow._KERNEL
needs_kernel = pytest.mark.skipif(
    KERNEL is None, reason="the _flow extension is not built (or Python forced)"
)
FUZZ = settings(max_examples=300, deadline=4000, suppress_health_check=[HealthCheck.function_scoped_fixture])
APPS = Path(__file__).resolve().parent / "_apps"
PLAIN, EMPTY_AT = 7, 9  # the shared constants' indexes passed to the kernel
MAIN_DEX = (DATA / "main.dex").read_bytes()
CALLED = 0x3F  # the flags of an answer of the recording callback below


def _dexes() -> list[DexFile]:
    blobs = [("main.dex", (DATA / "main.dex").read_bytes())]
    for apk in sorted(APPS.glob("*.apk")):
        blobs += [(f"{apk.name}!{n}", b) for n, b in dex_blobs_of(apk)]
    return [dex for name, blob in blobs for dex in split_container(name, blob)]


def _program(mids: list[int], sids: list[int]) -> bytes:
    """invoke-static {}, method m for each of ``mids``; const-string/jumbo v0, string s for each of ``sids``."""
    units: list[int] = []
    for m in mids:
        units += [0x71, m & 0xFFFF, 0]
    for s in sids:
        units += [0x1B, s & 0xFFFF, (s >> 16) & 0xFFFF]
    units.append(0x0E)
    return struct.pack(f"<{len(units)}H", *units)


def kernel_verdicts(ids: tuple, classes: Any, mids: list[int], sids: list[int]) -> list[int | None]:
    """Per method id then per string id: the flags the kernel gave from its tables (0 for a string's empty labels),
    or None when it called back."""
    code = _program(mids, sids)
    n_types = max(ids[4], 0)
    n_strings = max(ids[2], 0)
    tables = (
        ids,
        bytearray(n_types),
        bytearray(n_strings),
        classes,
        _SPECIAL_NAMES,
        flow._CARRIER_BYTES,
        PLAIN,
        EMPTY_AT,
    )

    def resolve(key: int, kind: int, sub: int, idx: int, p: int) -> int:
        return 1 << 8 | CALLED  # "does not resolve": index -1

    words, _ = KERNEL.decode(code, 0, len(code) // 2, -1, flow._KIND_BYTES, WIDTH, {}, resolve, tables)
    # entries in program order: the invokes, then the strings
    ents = [struct.unpack_from("<8i", words, k) for k in range(0, len(words), 32)]
    res: list[int | None] = []
    for e in ents:
        if e[0] not in (_P_INVOKE, _P_SET):
            continue
        if e[3] == -1:
            res.append(None)
        elif e[0] == _P_INVOKE:
            assert e[3] == PLAIN
            res.append(e[4])
        else:
            assert e[3] == EMPTY_AT and e[4] == 0
            res.append(0)
    return res


def twin_verdicts(ids: tuple, classes: Any, mids: list[int], sids: list[int]) -> list[int | None]:
    return [_table_const(ids, classes, _P_INVOKE, 0, m) for m in mids] + [
        _table_const(ids, classes, _P_SET, 1, s) for s in sids
    ]


def same(ids: tuple, classes: Any, mids: list[int], sids: list[int]) -> list[int | None]:
    want = twin_verdicts(ids, classes, mids, sids)
    if KERNEL is not None:
        assert kernel_verdicts(ids, classes, mids, sids) == want
    return want


def test_a_name_outside_the_tables_has_the_plain_facts() -> None:
    """What lets the kernel skip the callback: whatever the class, a callee whose name no table holds is F_PLAIN (a
    constructor F_CARRIER | F_INIT, a carrier class F_CARRIER), with no source and no hop (``_key_flags``)."""
    table_keys = [*SOURCE_APIS, *QUERY_APIS, *SMS_SINKS, *REQUEST_SINKS, *MAIL_SINKS, *flow._URL_OPEN]
    classes = sorted({k.split("->")[0] for k in table_keys} | set(_CONNECTIONS) | set(_CARRIERS))
    classes += ["Lcom/example/Foo;", "Ljava/utilx/Y;", "Landroid/app/Activity;", "[Ljava/lang/Object;", "LA;"]
    names = [
        "<init>",
        "toString",
        "get",
        "onCreate",
        "sendTextMessageX",
        "Write",
        "queryX",
        "getDeviceId2",
        "run",
    ]
    names += [n + "_" for n in _SPECIAL_NAMES]
    for cls in classes:
        for name in names:
            assert name not in _SPECIAL_NAMES
            got = _key_flags(f"{cls}->{name}")
            carrier = name == "<init>" or cls.startswith(_CARRIERS)
            init = _F_INIT if name == "<init>" else 0
            assert got == ((_F_CARRIER if carrier else 0) | init, True, None, True), (cls, name)


def test_a_string_the_kernel_decides_has_no_label() -> None:
    rng = random.Random(3)
    pool = "abcAZ09+@:./ \t\x1c-_SENDmailto"
    samples = ["", "   ", "hello", " 12", "+x", "SEND", "a:b", "x@y.z", "android.intent.action.SEND", "\x1f7"]
    samples += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    for s in samples:
        raw = s.encode()
        buf = bytearray(8) + bytes([len(raw)]) + raw + b"\0"
        buf[0:4] = (8).to_bytes(4, "little")
        ids = (bytes(buf), 0, 1, 0, 0, 0, 0, 0, 0)
        got = same(ids, set(), [], [0])[0]
        if got is not None:
            assert _const_labels(s) is EMPTY, s


def test_the_twin_gives_what_the_callback_gives_on_the_fixture_dexes() -> None:
    decided = callee_checked = strings_checked = 0
    for dex in _dexes():
        ids = id_table_args(dex, methods=True)
        classes = {dex.type_desc(dex.class_defs[i * 8]) for i in range(dex.class_defs_size)}
        mids, sids = list(range(dex.method_ids_size)), list(range(dex.string_ids_size))
        got = same(ids, classes, mids, sids)
        for m, flags in zip(mids, got[: len(mids)], strict=True):
            if flags is None:
                continue
            callee = dex.method_desc(m)
            cls = callee.split("->", 1)[0]
            assert cls not in classes
            facts = _key_flags(callee.split("(", 1)[0])
            assert facts[1:] == (True, None, True) and facts[0] | _F_PLAIN == flags, callee
            callee_checked += 1
        for s, labels in zip(sids, got[len(mids) :], strict=True):
            if labels is not None:
                assert _const_labels(dex.string(s)) is EMPTY
                strings_checked += 1
        decided += sum(g is not None for g in got)
    assert callee_checked > 100 and strings_checked > 100, (callee_checked, strings_checked)


@pytest.mark.parametrize("seed", range(6))
def test_app_classes_and_special_names_go_to_the_callback(seed: int) -> None:
    rng = random.Random(seed)
    dex = _dexes()[rng.randrange(len(_dexes()))]
    ids = id_table_args(dex, methods=True)
    mids = list(range(dex.method_ids_size))
    owners = sorted({dex.method_desc(m).split("->", 1)[0] for m in mids})
    classes = set(rng.sample(owners, k=len(owners) // 2))
    got = same(ids, classes, mids, [])
    for m, flags in zip(mids, got, strict=True):
        callee = dex.method_desc(m)
        name = callee.split("->", 1)[1].split("(", 1)[0]
        if callee.split("->", 1)[0] in classes or name in _SPECIAL_NAMES:
            assert flags is None, callee


@needs_kernel
def test_tables_off_and_bad_tables() -> None:
    dex = _dexes()[0]
    ids = id_table_args(dex, methods=True)
    code = _program([0], [0])
    args = (code, 0, len(code) // 2, -1, flow._KIND_BYTES, WIDTH)
    asked: list[int] = []

    def resolve(key: int, kind: int, sub: int, idx: int, p: int) -> int:
        asked.append(kind)
        return 1 << 8

    KERNEL.decode(*args, {}, resolve, None)  # tables off: every name to the callback
    assert asked == [_P_INVOKE, _P_SET]
    small = (ids, bytearray(1), bytearray(1), set(), _SPECIAL_NAMES, (), 0, 1)
    with pytest.raises(ValueError, match="caches smaller"):
        KERNEL.decode(*args, {}, resolve, small)
    with pytest.raises(TypeError):
        KERNEL.decode(
            *args, {}, resolve, (ids, bytes(99999), bytearray(99999), set(), _SPECIAL_NAMES, (), 0, 1)
        )
    with pytest.raises(TypeError, match="bytes"):
        KERNEL.decode(
            *args, {}, resolve, (ids, bytearray(99999), bytearray(99999), set(), _SPECIAL_NAMES, ("L",), 0, 1)
        )
    with pytest.raises(ValueError, match="shared constants"):
        KERNEL.decode(
            *args, {}, resolve, (ids, bytearray(99999), bytearray(99999), set(), _SPECIAL_NAMES, (), -1, 1)
        )


@FUZZ
@given(muts=mutations, m=st.integers(0, 4000), s=st.integers(0, 4000))
def test_mutated_tables(muts: list[tuple[int, int]], m: int, s: int) -> None:
    # the id tables of the original header over mutated bytes (the reader's own checks bypassed)
    main_dex = MAIN_DEX
    dex = DexFile("classes.dex", main_dex)
    ids = id_table_args(dex, methods=True)
    data = mutate(main_dex, muts, keep_header=True)
    mids = [(m + k) % max(ids[8], 1) for k in range(8)]
    sids = [(s + k) % max(ids[2], 1) for k in range(8)]
    same((data, *ids[1:]), {"LMain;"}, mids, sids)


@FUZZ
@given(
    data=st.binary(min_size=0, max_size=600),
    offs=st.lists(st.integers(0, 640), min_size=8, max_size=8),
    m=st.integers(0, 80),
    s=st.integers(-2, 80),
)
def test_random_bytes(data: bytes, offs: list[int], m: int, s: int) -> None:
    same((data, *offs), set(), [m, m + 1], [s, s + 1])


@needs_kernel
@pytest.mark.parametrize("name", sorted(p.stem for p in APPS.glob("*.apk")))
def test_the_analysis_is_the_same_with_the_tables_off(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every name through the callback (tables off) or through the tables: the same analysis, label orders
    included."""
    from .test_flow_walk_twin import _ctx, _state

    def outcome() -> tuple[Any, ...]:
        analysis = flow.FlowAnalysis(_ctx(name))
        sinks = analysis.run()
        summaries = [
            (key, None if got is None else (list(got.returns), len(got.sinks), list(got.stores)))
            for key, got in analysis._summaries.items()
        ]
        return [(s, list(s.data), list(s.endpoint)) for s in sinks], summaries, _state(analysis)

    on = outcome()
    monkeypatch.setattr(flow.FlowAnalysis, "_name_tables", lambda self, code: None)
    assert outcome() == on
