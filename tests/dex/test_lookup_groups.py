"""``CallGraph.lookup_many``'s grouping kernel ``lookup_groups`` (issue #19): C == its pywalk twin on fuzzed
descriptors and homes, and lookup_many answers as before (its Python grouping, and one lookup per descriptor)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import callgraph, pywalk
from appwarden.dex.index import build_index

from .conftest import dex_blobs_of

creach = pytest.importorskip("appwarden.dex._reach", reason="C extension not built (pip install -e .)")

FUZZ = settings(max_examples=500, deadline=4000, suppress_health_check=[HealthCheck.function_scoped_fixture])

_PARTS = ["La;", "Lb/c;", "L\u00e9;", "->", "-", ">", "foo", "()V", "\x00", "(I)", ""]


class _Str(str):
    pass


items = st.one_of(
    st.lists(st.sampled_from(_PARTS), max_size=5).map("".join),
    st.sampled_from(["La;->f()V", "Lb/c;->g(I)V", "La;->f()V", "Lz;->h()V"]),
    st.builds(_Str, st.sampled_from(["La;->f()V"])),
    st.integers(0, 3),
    st.none(),
)
homes_st = st.dictionaries(
    st.sampled_from(["La;", "Lb/c;", "L\u00e9;", "", "-", "Lz;"]),
    st.one_of(
        st.just(()),
        st.tuples(st.integers(0, 3), st.integers(0, 9), st.integers(0, 9)),
        st.tuples(st.integers(0, 3)),
        st.just([0, 1, 2]),
    ),
)


def _call(mod, todo, homes):
    try:
        return ("ok", mod.lookup_groups(list(todo), dict(homes)))
    except TypeError as exc:
        return ("TypeError", type(exc).__name__)


@FUZZ
@given(st.lists(items, max_size=12), homes_st)
def test_lookup_groups_twin(todo, homes) -> None:
    """The same groups (same order), rest, missing classes or None in C and Python."""
    assert _call(creach, todo, homes) == _call(pywalk, todo, homes)


def test_lookup_groups_by_hand() -> None:
    homes = {"La;": (0, 3, 7), "Lb;": (), "Lc;": (1, 0, 2)}
    todo = ["La;->f()V", "Lb;->g()V", "x", "Lc;->h()V", "La;->a->b", "La;->k(I)V", 5]
    for mod in (creach, pywalk):
        groups, rest, missing = mod.lookup_groups(todo, homes)
        assert list(groups.items()) == [
            (0, ([(3, 7, b"La;->f()V"), (3, 7, b"La;->k(I)V")], ["La;->f()V", "La;->k(I)V"])),
            (1, ([(0, 2, b"Lc;->h()V")], ["Lc;->h()V"])),
        ]
        assert rest == ["Lb;->g()V", "x", "La;->a->b", 5]
        assert missing == []
        assert mod.lookup_groups([*todo, "Ld;->x()V", "Le;->y()V", "Ld;->z()V"], homes) == (
            None,
            None,
            ["Ld;", "Le;"],
        )
        assert mod.lookup_groups(["La;->f()V"], {"La;": (1, 2)}) is None


def _descs(index) -> list[str]:
    """Every method descriptor the DEX files list, some twice, and descriptors no DEX lists."""
    out = []
    for code in index.codes:
        out += [code.method_desc(m) for m in range(code.dex.method_ids_size)]
    return [
        *out,
        *out[:50],
        "La/b;->nope()V",
        "Ljava/lang/Object;-><init>()V",
        "bad",
        "a->b->c",
        "L\u00e9;->x()V",
    ]


def test_lookup_many_same_answers(
    main_dex: bytes, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """lookup_many with the kernel (C, then the twin) caches the same node per descriptor as with its Python
    grouping and as _lookup one descriptor at a time, on main.dex and the fixture apps."""
    sets = [[("classes.dex", main_dex)], [("a.dex", main_dex), ("b.dex", main_dex)]]
    sets += [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]
    for blobs in sets:
        index = build_index(blobs)
        descs = _descs(index)
        answers = []
        for mode in ("c", "twin", "python", "single"):
            monkeypatch.setattr(callgraph, "reach", pywalk if mode == "twin" else creach)
            if mode == "python":
                monkeypatch.setattr(creach, "lookup_groups", lambda todo, homes: None, raising=False)
            graph = callgraph.CallGraph(index)
            if mode == "single":
                got = [graph._lookup(d) for d in descs]
            else:
                graph.lookup_many(descs)
                got = [graph._node_of[d] for d in descs]
            answers.append(got)
            monkeypatch.undo()
        assert answers[0] == answers[1] == answers[2] == answers[3]
        assert any(a is not None for a in answers[0])
