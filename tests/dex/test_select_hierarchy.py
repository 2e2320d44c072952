"""Class-hierarchy lookups of the code index rewritten for speed (issue #19) give what the plain loops gave.

``CodeIndex.subclasses`` groups the app classes with C-level maps (and skips the first-definition check when no
class is defined twice); ``DexCode.subclass_defs`` finds a superclass's class defs by a byte search of the superclass
column instead of a dict of every group. The references below are the loops they replace.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appwarden.dex.index import CodeIndex, DexCode, build_index

DATA = Path(__file__).parent / "data"


def reference_children(index: CodeIndex) -> dict[str, list[str]]:
    """The grouping ``subclasses`` made before: every first definition under its superclass, in load order."""
    children: dict[str, list[str]] = {}
    app = index._class_map
    for ci, code in enumerate(index.codes):
        types, cd = code.type_descs, code.dex.class_defs
        for cdi, (t, sup) in enumerate(zip(cd[0::8].tolist(), cd[2::8].tolist(), strict=True)):
            if sup < len(types) and app[types[t]] == (ci, cdi):
                children.setdefault(types[sup], []).append(types[t])
    return children


def reference_subclass_map(code: DexCode) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for cdi, sup in enumerate(code.dex.class_defs[2::8]):
        children.setdefault(sup, []).append(cdi)
    return children


def indexes(multidex_blobs: list[tuple[str, bytes]]) -> list[CodeIndex]:
    main = (DATA / "main.dex").read_bytes()
    hier = (DATA / "hier.dex").read_bytes()
    return [
        build_index([("classes.dex", main)]),
        build_index([(n, (DATA / n).read_bytes()) for n in ("hier_a.dex", "hier_b.dex")]),
        # every class defined twice (in two DEX files): only the first definitions count
        build_index([("classes.dex", hier), ("classes2.dex", hier), ("classes3.dex", main)]),
        build_index(multidex_blobs),
    ]


@pytest.fixture(scope="module")
def all_indexes(multidex_blobs: list[tuple[str, bytes]]) -> list[CodeIndex]:
    return indexes(multidex_blobs)


def test_subclasses_equal_the_plain_grouping(all_indexes: list[CodeIndex]) -> None:
    checked = 0
    for index in all_indexes:
        ref = reference_children(index)
        supers = set(ref) | {"Ljava/lang/Object;", "Lnot/There;"}
        for sup in sorted(supers):
            expected = [c for c in ref.get(sup, ()) if index._class_supers(c)[0] == sup]
            assert index.subclasses(sup) == expected
            checked += len(expected)
    assert checked > 20


def test_duplicate_definitions_leave_the_later_ones_out(all_indexes: list[CodeIndex]) -> None:
    twice = all_indexes[2]
    total = sum(code.dex.class_defs_size for code in twice.codes)
    assert len(twice.classes) < total  # the non-unique path is taken
    for sup, subs in reference_children(twice).items():
        assert len(subs) == len(set(subs))  # each class once, from its first definition
        assert twice.subclasses(sup) == [c for c in subs if twice._class_supers(c)[0] == sup]


def test_subclass_defs_equal_the_subclass_map(all_indexes: list[CodeIndex]) -> None:
    for index in all_indexes:
        for code in index.codes:
            ref = reference_subclass_map(code)
            assert code.subclass_map() == ref
            n_types = code.dex.type_ids_size
            for sup in [*ref, 0, n_types, n_types + 5, 0xFFFFFFFF]:
                assert code.subclass_defs(sup) == ref.get(sup, [])
                assert code.has_subclass_defs(sup) == bool(ref.get(sup))


_WORDS = [0, 1, 0x100, 0x10000, 0x1000000, 0x101, 0x1010101, 0x01000001, 0xFFFFFFFF, 0xFF, 0xFFFF00, 7]


@settings(max_examples=300, deadline=None)
@given(sups=st.lists(st.sampled_from(_WORDS) | st.integers(0, 0xFFFFFFFF), max_size=40))
def test_subclass_defs_byte_search_equals_a_grouping(sups: list[int]) -> None:
    """``subclass_defs`` searches the superclass column's bytes: a match across two words (values whose bytes
    repeat, e.g. 0x100 next to 0x1000000) is not a class def; the class defs of ``sup`` in ascending order, as the
    stable grouping gave them."""
    from array import array
    from types import SimpleNamespace

    words = array("I")
    for s in sups:
        words.extend([len(words) // 8, 0, s, 0, 0, 0, 0, 0])
    fake = SimpleNamespace(dex=SimpleNamespace(class_defs=words), _sup_col=None, _sups=None)
    fake.has_subclass_defs = lambda sup: DexCode.has_subclass_defs(fake, sup)  # type: ignore[arg-type]
    groups: dict[int, list[int]] = {}
    for cdi, s in enumerate(sups):
        groups.setdefault(s, []).append(cdi)
    for sup in {*_WORDS, *sups, -1, 1 << 32}:
        assert DexCode.subclass_defs(fake, sup) == groups.get(sup, [])  # type: ignore[arg-type]
