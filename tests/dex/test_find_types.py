"""``_dexscan.find_types`` (a query's class descriptors looked up in one DEX with one call) against its twin
``pywalk.find_types`` and against ``DexFile.find_type`` one descriptor at a time; the code index's member queries
(``_member_ids`` / ``_subclass_method_ids`` over the batched lookups) against the per-class lookups they replace."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import pywalk
from appwarden.dex.index import CodeIndex, _by_class, _split_target, build_index
from appwarden.dex.reader import DexFile, type_keys
from appwarden.dex.records import EV_STRING, EVENT_WORDS
from appwarden.errors import DexFormatError

from .conftest import DATA, dex_blobs_of
from .test_fuzz import mutate, mutations

cext = pytest.importorskip("appwarden.dex._dexscan")

FUZZ = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


def both(*args) -> list[int] | tuple[str, str]:
    """The kernel's answer (or error), checked equal to the twin's."""
    got = []
    for fn in (cext.find_types, pywalk.find_types):
        try:
            got.append(fn(*args))
        except (ValueError, TypeError, OverflowError) as exc:
            got.append((type(exc).__name__, str(exc)))
    assert got[0] == got[1], args[1:5]
    return got[0]


def _dex_files(fixtures_dir: Path) -> list[tuple[str, bytes]]:
    blobs = [("main.dex", (DATA / "main.dex").read_bytes())]
    for apk in sorted((fixtures_dir / "apks").glob("*.apk")):
        blobs += [(f"{apk.name}!{name}", data) for name, data in dex_blobs_of(apk)]
    return blobs


def _queries(dex: DexFile, rng: random.Random) -> list[str]:
    """Descriptors to look up: every type of ``dex``, some strings that are not types, near misses, absent and
    non-ASCII descriptors, in a shuffled order."""
    descs = [dex.type_desc(t) for t in range(dex.type_ids_size)]
    others = [dex.string(i) for i in rng.sample(range(dex.string_ids_size), min(50, dex.string_ids_size))]
    near = [d[:-1] for d in descs[:30]] + [d + "x" for d in descs[:30]]
    out = descs + others + near + ["", "Lnot/There;", "L\u00e9t\u00e9;", "Lcom/\u0000x;", "\x7f"]
    rng.shuffle(out)
    return out


def _args(dex: DexFile) -> tuple:
    return (dex.data, dex.string_ids_off, dex.string_ids_size, dex.type_ids_off, dex.type_ids_size)


def test_find_types_of_every_fixture_dex_equal_find_type(fixtures_dir: Path) -> None:
    rng = random.Random(19)
    checked = 0
    for name, data in _dex_files(fixtures_dir):
        with contextlib.suppress(DexFormatError):
            dex = DexFile(name, data)
            descs = _queries(dex, rng)
            raw = both(*_args(dex), type_keys(descs))
            assert raw.count(-2) == sum(not d.isascii() for d in descs)
            want = [-1 if (t := DexFile(name, data).find_type(d)) is None else t for d in descs]
            assert dex.find_types(descs) == want, name
            assert [w if r != -2 else -2 for r, w in zip(raw, want, strict=True)] == raw
            checked += 1
    assert checked >= 5


def test_find_types_rejects_what_find_strings_rejects(main_dex: bytes) -> None:
    dex = DexFile("main.dex", main_dex)
    args = _args(dex)
    assert both(*args, []) == []
    assert both(*args, [b"Ljava/lang/Object;", "Ljava/lang/Object;"])[0] == "TypeError"
    assert both(main_dex, len(main_dex), 1, *args[3:], [b"I"]) == ("ValueError", "string_ids out of bounds")
    assert both(main_dex, *args[1:3], len(main_dex) - 4, 2, [b"I"]) == (
        "ValueError",
        "type_ids out of bounds",
    )


def test_find_types_with_unsorted_or_repeated_type_ids() -> None:
    """The type-id step is ``bisect_left`` over the column as stored, as ``DexFile.find_type`` does it, even when
    the column is not sorted (a corrupt DEX the reader would reject: the kernel does not rely on the order)."""
    strings = ["A", "B", "C", "D"]
    ids, data = bytearray(), bytearray()
    base = 4 * len(strings)
    for s in strings:
        ids += (base + len(data)).to_bytes(4, "little")
        data += bytes([len(s)]) + s.encode() + b"\x00"
    buf = bytes(ids + data)
    rng = random.Random(7)
    from bisect import bisect_left

    for _ in range(200):
        col = [rng.randrange(5) for _ in range(rng.randrange(6))]
        tbuf = buf + b"".join(v.to_bytes(4, "little") for v in col)
        keys = [b"A", b"B", b"C", b"D", b"E"]
        got = both(tbuf, 0, len(strings), len(buf), len(col), keys)
        want = []
        for k in keys:
            sidx = strings.index(k.decode()) if k.decode() in strings else -1
            i = bisect_left(col, sidx) if sidx >= 0 else len(col)
            want.append(i if sidx >= 0 and i < len(col) and col[i] == sidx else -1)
        assert got == want, col


@FUZZ
@given(muts=mutations, keep_header=st.booleans())
def test_mutated_dex_same_types_and_errors(main_dex: bytes, muts, keep_header: bool) -> None:
    data = mutate(main_dex, muts, keep_header)
    try:
        dex = DexFile("classes.dex", data)
    except DexFormatError:
        return
    descs = _queries(dex, random.Random(len(muts)))
    both(*_args(dex), type_keys(descs))
    try:
        want = [-1 if (t := DexFile("classes.dex", data).find_type(d)) is None else t for d in descs]
    except DexFormatError as exc:
        with pytest.raises(DexFormatError) as got:
            dex.find_types(descs)
        assert str(got.value) == str(exc)
        return
    assert dex.find_types(descs) == want


@FUZZ
@given(
    data=st.binary(min_size=0, max_size=200),
    s_off=st.integers(min_value=0, max_value=210),
    s_size=st.integers(min_value=0, max_value=60),
    t_off=st.integers(min_value=0, max_value=210),
    t_size=st.integers(min_value=0, max_value=60),
    keys=st.lists(st.one_of(st.none(), st.binary(max_size=6)), max_size=6),
)
def test_find_types_twin_arbitrary_buffers(
    data: bytes, s_off: int, s_size: int, t_off: int, t_size: int, keys: list
) -> None:
    both(data, s_off, s_size, t_off, t_size, keys)


# -- the code index's member queries -------------------------------------------------------------------------


def _member_ids_by_class(code, groups: dict, fields: bool) -> dict[int, None]:
    """``CodeIndex._member_ids`` as it was: ``find_type`` and ``find_methods`` / ``find_fields`` per target."""
    dex = code.dex
    found: dict[int, None] = {}
    for cls, members in groups.items():
        if dex.find_type(cls) is None:
            continue
        for name, sig in members:
            if fields:
                ids = dex.find_fields(cls, name)
                if sig is not None:
                    ids = [f for f in ids if dex.type_desc(dex.field_type[f]) == sig]
            else:
                ids = dex.find_methods(cls, name, sig)
            for i in ids:
                found[i] = None
    return found


def _targets(index: CodeIndex, rng: random.Random, fields: bool) -> list[str]:
    """Member targets of the index's DEX files: real ones (with and without their signature or type, by name
    alone), ones of classes the DEX does not define, and absent names."""
    out: list[str] = []
    for code in index.codes:
        dex = code.dex
        n = dex.field_ids_size if fields else dex.method_ids_size
        for i in rng.sample(range(n), min(40, n)):
            if fields:
                cls, name, typ = (
                    dex.type_desc(dex.field_class[i]),
                    dex.string(dex.field_name[i]),
                    dex.type_desc(dex.field_type[i]),
                )
                out += [f"{cls}->{name}", f"{cls}->{name}:{typ}", f"{cls}->{name}:I", f"{cls}->nope"]
            else:
                cls, name, proto = dex.method_parts(i)
                out += [f"{cls}->{name}", f"{cls}->{name}{proto}", f"{cls}->{name}()V", f"{cls}->nope"]
    out += ["Landroid/content/BroadcastReceiver;->abortBroadcast", "Lno/Such;->thing", "Lno/Such;->f:I"]
    rng.shuffle(out)
    return out


def _fixture_indexes(fixtures_dir: Path, limit: int) -> Iterator[tuple[Path, Any]]:
    """``(apk, its code index)`` of the first ``limit`` fixture APKs that have DEX files the index accepts."""
    for apk in sorted((fixtures_dir / "apks").glob("*.apk"))[:limit]:
        blobs = dex_blobs_of(apk)
        if not blobs:
            continue
        try:
            index = build_index(blobs)
        except DexFormatError:
            continue
        yield apk, index


def test_member_ids_equal_the_per_class_lookups(fixtures_dir: Path) -> None:
    rng = random.Random(23)
    checked = 0
    for apk, index in _fixture_indexes(fixtures_dir, 12):
        for fields in (False, True):
            targets = _targets(index, rng, fields)
            for size in (1, 3, len(targets)):
                parts = [_split_target(t) for t in targets[:size]]
                groups = _by_class(parts)
                for code in index.codes:
                    got = index._member_ids(code, groups, fields)
                    assert got == _member_ids_by_class(code, groups, fields), (apk.name, size)
                    if not fields:
                        tids = code.dex.find_types(list(groups))
                        assert index._subclass_method_ids(code, parts, groups) == index._subclass_method_ids(
                            code, parts, list(groups), tids
                        )
                    checked += 1
    assert checked >= 10


def test_strings_matching_collections_equal_the_lookups_one_at_a_time(fixtures_dir: Path) -> None:
    """``strings_matching`` of a list / set / tuple (one ``find_strings`` call per DEX) finds what a lookup of each
    value with ``DexFile.find_string`` finds, non-ASCII values included, and an iterator of the values the same."""
    rng = random.Random(31)
    checked = 0
    for apk, index in _fixture_indexes(fixtures_dir, 10):
        dex = index.codes[0].dex
        pool = [dex.string(i) for i in rng.sample(range(dex.string_ids_size), min(60, dex.string_ids_size))]
        values = [*pool, "not there \u00e9", "", "\u4e2a", "plain-absent"]
        want = []
        for code in index.codes:
            d = code.dex
            ids = {i for v in values if (i := d.find_string(v)) is not None}
            for i in code.select(EV_STRING, ids, d.string_ids_size):
                off, idx = code.events[i * EVENT_WORDS + 1], code.events[i * EVENT_WORDS + 2]
                want.append((code.caller_of_event(i), d.string(idx), code.name, off))
        for coll in (values, set(values), tuple(values), frozenset(values)):
            assert [tuple(r) for r in index.strings_matching(coll)] == want, apk.name
        # an iterator is read once and answers for every DEX (it was read by the first DEX only)
        assert [tuple(r) for r in index.strings_matching(iter(values))] == want, apk.name
        checked += 1
    assert checked >= 3
