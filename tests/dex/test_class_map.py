"""The app's class map in one C pass (``_dexscan.class_map``, issue #19): the same dict, in the same order, as the
Python setdefault loop it replaces (first definition of a class defined twice wins, at the place of its first one),
C against its pure-Python twin on fuzzed tables, and the same ``CodeIndex._class_map`` on real DEX files with and
without the kernel (duplicate classes across DEX files and within one included)."""

from __future__ import annotations

import struct
from array import array

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import index as index_mod
from appwarden.dex import pywalk
from appwarden.dex.index import build_index

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _loop(types: list[list[str]], defs: list[bytes]) -> dict:
    """What CodeIndex._class_map computed before the kernel: a setdefault per class def, DEX by DEX."""
    found: dict = {}
    for ci, (tl, d) in enumerate(zip(types, defs, strict=True)):
        for cdi, (t,) in enumerate(struct.unpack_from("<I", d, i) for i in range(0, len(d), 32)):
            found.setdefault(tl[t], (ci, cdi))
    return found


def _outcome(fn, *args):
    try:
        return ("ok", list(fn(*args).items()))
    except (ValueError, TypeError) as exc:
        return (type(exc).__name__, str(exc))


def _defs(idxs: list[int], pad: int = 0) -> bytes:
    out = b"".join(struct.pack("<8I", t, 1, 2, 3, 4, 5, 6, 7) for t in idxs)
    return out + b"\0" * pad


names = st.sampled_from(["La;", "Lb;", "Lc;", "Ld;", "Le$1;", "I", "[B", "Lz/\u00e9;"])
dex = st.lists(names, min_size=0, max_size=12).flatmap(
    lambda tl: st.tuples(
        st.just(tl),
        st.lists(st.integers(min_value=0, max_value=len(tl) + 2), max_size=15),
        st.sampled_from([0, 0, 0, 0, 4, 31]),
    )
)


@FUZZ
@given(dexes=st.lists(dex, max_size=6))
def test_class_map_twin_and_equal_the_setdefault_loop(dexes) -> None:
    types = [list(tl) for tl, _i, _p in dexes]
    defs = [_defs(idxs, pad) for _tl, idxs, pad in dexes]
    got = _outcome(cext.class_map, types, defs)
    assert got == _outcome(pywalk.class_map, types, defs)
    in_range = all(t < len(tl) for tl, idxs, _p in dexes for t in idxs)
    if all(pad == 0 for _tl, _i, pad in dexes) and in_range:
        assert got == ("ok", list(_loop(types, defs).items()))
    else:
        assert got[0] == "ValueError"


def test_class_map_argument_errors() -> None:
    with pytest.raises(ValueError, match="one class defs buffer per type list"):
        cext.class_map([["La;"]], [])
    with pytest.raises(TypeError, match="must be a list"):
        cext.class_map([("La;",)], [_defs([0])])
    with pytest.raises(ValueError, match="8 u32 per class"):
        cext.class_map([["La;"]], [_defs([0], pad=4)])
    with pytest.raises(ValueError, match="class def 1 of DEX 0 names type 1, out of range"):
        cext.class_map([["La;"]], [_defs([0, 1])])
    with pytest.raises(TypeError):  # an unhashable descriptor: the dict's own error
        cext.class_map([[["La;"]]], [_defs([0])])


def test_class_map_first_definition_wins_in_first_place() -> None:
    types = [["La;", "Lb;"], ["Lb;", "Lc;", "La;"]]
    defs = [_defs([1, 0, 1]), _defs([1, 0, 2, 0])]
    got = cext.class_map(types, defs)
    assert list(got.items()) == [("Lb;", (0, 0)), ("La;", (0, 1)), ("Lc;", (1, 0))]
    assert list(pywalk.class_map(types, defs).items()) == list(got.items())


def test_class_map_of_many_classes() -> None:
    """More classes than the dict the kernel makes at its final size holds (2**17 slots at most): the same dict, in
    the same order, as the setdefault loop and the twin; a defs item that is no buffer still gives its TypeError."""
    rng = range(70_000)
    types = [[f"La/C{i};" for i in rng], [f"La/C{i};" for i in range(50_000, 150_000)]]
    defs = [_defs(list(rng)), _defs([(i * 7) % 100_000 for i in range(100_000)])]
    got = cext.class_map(types, defs)
    assert len(got) == 150_000
    assert (
        list(got.items()) == list(_loop(types, defs).items()) == list(pywalk.class_map(types, defs).items())
    )
    with pytest.raises(TypeError):
        cext.class_map([["La;"], ["Lb;"]], [_defs([0]), "not a buffer"])


def _both(blobs, monkeypatch) -> tuple[list, list]:
    with_kernel = list(build_index(blobs)._class_map.items())
    monkeypatch.setattr(index_mod, "_class_map_kernel", None)
    without = list(build_index(blobs)._class_map.items())
    monkeypatch.undo()
    return with_kernel, without


def test_class_map_of_real_dex_files(main_dex: bytes, multidex_blobs, monkeypatch) -> None:
    assert index_mod._class_map_kernel is not None
    # a DEX given twice: every class defined twice, across DEX files (the second pass of the Python path)
    for blobs in ([("classes.dex", main_dex)], multidex_blobs, [*multidex_blobs, ("classes9.dex", main_dex)]):
        with_kernel, without = _both(blobs, monkeypatch)
        assert with_kernel == without
        assert len(with_kernel) > 0
    twice = [("classes.dex", main_dex), ("classes2.dex", main_dex)]
    with_kernel, without = _both(twice, monkeypatch)
    assert with_kernel == without
    assert all(where[0] == 0 for _desc, where in with_kernel)


def test_class_map_kernel_reads_the_class_defs_array(main_dex: bytes) -> None:
    """The kernel takes the reader's class_defs array as it is (native u32 = little-endian here)."""
    index = build_index([("classes.dex", main_dex)])
    code = index.codes[0]
    assert isinstance(code.dex.class_defs, array)
    raw = code.dex.class_defs.tobytes()
    assert list(cext.class_map([code.type_descs], [code.dex.class_defs]).items()) == list(
        _loop([code.type_descs], [raw]).items()
    )
