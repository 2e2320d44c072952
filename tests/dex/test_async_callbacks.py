"""The async edges' callback kernel ``async_callbacks`` (issue #19): C == its pywalk twin on the arguments the call
graph gives it and on mutated and random ones, and the graph's edge list is byte-identical with it, with its twin
and with the Python path it replaces (``CallGraph._async_targets``)."""

from __future__ import annotations

import random
import struct
from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.dex import callgraph, pywalk
from appwarden.dex.index import build_index

from .conftest import corpus_dex_sets, dex_blobs_of

creach = pytest.importorskip("appwarden.dex._reach", reason="C extension not built (pip install -e .)")

NONE = 0xFFFFFFFF
FUZZ = settings(max_examples=300, deadline=4000, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _index_sets(main_dex: bytes, fixtures_dir: Path) -> list[list[tuple[str, bytes]]]:
    sets = [[("classes.dex", main_dex)], [("a.dex", main_dex), ("b.dex", main_dex)]]
    return sets + [dex_blobs_of(apk) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]


def _graph(blobs) -> callgraph.CallGraph | None:
    try:
        index = build_index(blobs)
    except Exception:  # DEX files the reader refuses are not this test's subject
        return None
    return callgraph.CallGraph(index)


def _captured(monkeypatch: pytest.MonkeyPatch, sets: list) -> list[tuple]:
    """The arguments of every async_callbacks call the call graph makes on ``sets`` (the DEX tables as bytes)."""
    calls: list[tuple] = []
    # the kernel the call graph calls: the C extension, or its pywalk twin under APPWARDEN_DEX_BACKEND=python
    real = callgraph.reach.async_callbacks

    def keep(dexes, base, ci, words, specs, deadline=0.0):
        frozen = [
            ((bytes(ids[0]), *ids[1:]), bytes(status), bytes(cd), bytes(mr), bytes(gm))
            for ids, status, cd, mr, gm in dexes
        ]
        calls.append((frozen, bytes(base), ci, bytes(words), list(specs)))
        return real(dexes, base, ci, words, specs, deadline)

    monkeypatch.setattr(callgraph.reach, "async_callbacks", keep)
    for blobs in sets:
        _graph(blobs)
    monkeypatch.setattr(callgraph.reach, "async_callbacks", real)
    return calls


def _check_edges(monkeypatch: pytest.MonkeyPatch, sets: list) -> None:
    """The graph's whole edge list (async edges in their order) is the same with async_callbacks in C, with its twin,
    with the kernel declining (async_asks' pairs through _async_targets), on the Python path of both kernels and
    without subtype_masks; the C kernel answered for some DEX files with async edges."""
    answered: list[int] = []
    real = callgraph.CallGraph._async_edges_c

    def counting(self, ci, words, out):
        before = len(out)
        got = real(self, ci, words, out)
        if got and len(out) > before:
            answered.append(len(out) - before)
        return got

    def edges() -> list[bytes | None]:
        return [None if (g := _graph(b)) is None else bytes(g._edges) for b in sets]

    monkeypatch.setattr(callgraph.CallGraph, "_async_edges_c", counting)
    with_c = edges()
    assert answered
    monkeypatch.setattr(callgraph.reach, "async_callbacks", pywalk.async_callbacks)
    assert edges() == with_c
    monkeypatch.setattr(callgraph.reach, "async_callbacks", lambda *args: None)
    assert edges() == with_c
    monkeypatch.setattr(callgraph.CallGraph, "_async_words", lambda self, *args: None)
    assert edges() == with_c
    # subtype_masks declined: no class numbers kept (_dispatch_callers asks is_subtype, all of it in Python)
    monkeypatch.undo()
    monkeypatch.setattr(callgraph.walker, "subtype_masks", _refuse)
    assert edges() == with_c


def _refuse(*args):
    raise ValueError("refused")


def test_edges_same_on_fixtures(monkeypatch: pytest.MonkeyPatch, main_dex: bytes, fixtures_dir: Path) -> None:
    """main.dex (threads, executors, handlers, an AsyncTask), twice, and the fixture apps."""
    _check_edges(monkeypatch, _index_sets(main_dex, fixtures_dir))


@pytest.mark.corpus
def test_edges_same_on_corpus(monkeypatch: pytest.MonkeyPatch, corpus_dir: Path) -> None:
    """Every corpus APK the reader opens."""
    sets = corpus_dex_sets(corpus_dir)
    _check_edges(monkeypatch, sets)
    monkeypatch.undo()
    calls = _captured(monkeypatch, sets)
    assert calls
    for args in calls:
        assert creach.async_callbacks(*args) == pywalk.async_callbacks(*args)


@pytest.fixture(scope="module")
def real_calls(main_dex: bytes, fixtures_dir: Path) -> list[tuple]:
    mp = pytest.MonkeyPatch()
    try:
        calls = _captured(mp, _index_sets(main_dex, fixtures_dir))
    finally:
        mp.undo()
    assert any(creach.async_callbacks(*args) for args in calls)
    return calls


def test_twin_on_the_graphs_calls(real_calls: list[tuple]) -> None:
    for args in real_calls:
        assert creach.async_callbacks(*args) == pywalk.async_callbacks(*args)


def _both(args) -> bytes | None:
    got = creach.async_callbacks(*args)
    assert got == pywalk.async_callbacks(*args)
    return got


def _targets(got: bytes | None) -> set[int]:
    assert got is not None
    return set(array("I", got)[1::2])


def _ask(args: tuple, c: int, s: int) -> set[int]:
    """The nodes of one ask (candidate type index c of DEX ci, spec s) with the tables of ``args``."""
    dexes, base, ci, _words, specs = args
    return _targets(_both((dexes, base, ci, array("I", [1, 1, c, s]).tobytes(), specs)))


def _with_def(args: tuple, ids: tuple, cdi: int, sup: int, ioff: int) -> tuple:
    """``args`` with DEX ci's buffer ``ids`` and its class def ``cdi``'s superclass and interfaces changed."""
    dexes, base, ci, words, specs = args
    cd = array("I", dexes[ci][2])
    cd[cdi * 8 + 2], cd[cdi * 8 + 3] = sup, ioff
    changed = list(dexes)
    changed[ci] = (ids, dexes[ci][1], cd.tobytes(), dexes[ci][3], dexes[ci][4])
    return changed, base, ci, words, specs


def _quirk_case(args: tuple) -> bool:
    dexes, base, ci, words, specs = args
    status, bases, w = array("I", dexes[ci][1]), array("I", base), array("I", words)
    cands, pos = [], 0
    while pos < len(w):
        cands += [w[pos + 2 + 2 * i] for i in range(w[pos + 1])]
        pos += 2 + 2 * w[pos + 1]
    app_types = [t for t, k in enumerate(status) if k != NONE]
    # a candidate whose class def is in DEX ci, a spec, and another app class with other callbacks of it
    for c1, s, c2 in [(c, s, t) for c in cands for s in range(len(specs)) for t in app_types if t != c]:
        k1 = status[c1]
        if not bases[ci] <= k1 < bases[ci + 1] or not _ask(args, c2, s) - _ask(args, c1, s):
            continue
        cdi = k1 - bases[ci]
        cd = array("I", dexes[ci][2])
        sup, own_type = cd[cdi * 8 + 2], cd[cdi * 8 + 0]
        buf = bytearray(dexes[ci][0][0])
        off = (len(buf) + 3) & ~3  # two type lists appended: [c2], then [a type out of range]
        buf += bytes(off - len(buf)) + struct.pack("<IHH", 1, c2, 0) + struct.pack("<IHH", 1, 0xFFFF, 0)
        ids = (bytes(buf), *dexes[ci][0][1:])
        own = _ask(
            _with_def(args, ids, cdi, NONE, 0), c1, s
        )  # no superclass, no interfaces: its own callbacks
        assert own <= _ask(args, c1, s)
        # on at its first interface
        assert _ask(_with_def(args, ids, cdi, NONE, off), c1, s) == own | _ask(args, c2, s)
        # a misaligned list, an interface out of range: parents () although it has a superclass
        assert _ask(_with_def(args, ids, cdi, sup, off + 2), c1, s) == own
        assert _ask(_with_def(args, ids, cdi, sup, off + 8), c1, s) == own
        buf[off + 4 : off + 6] = struct.pack("<H", own_type)  # its own type: a cycle
        ids = (bytes(buf), *dexes[ci][0][1:])
        assert _ask(_with_def(args, ids, cdi, NONE, off), c1, s) == own
        return True
    return False


def test_first_interface_without_superclass(real_calls: list[tuple]) -> None:
    """CallGraph._parents_of's quirk: an app class without a superclass continues its chain at its first interface;
    a malformed interface list (or an interface out of range) ends the chain at the class even when it has a
    superclass; a class met again ends it too (a cycle)."""
    assert any(_quirk_case(args) for args in real_calls if creach.async_callbacks(*args))


def _u32a(b: bytes) -> array:
    return array("I", b[: len(b) // 4 * 4])


def _mutate(rng: random.Random, args: tuple) -> tuple:
    dexes, base, ci, words, specs = args
    dexes = list(dexes)
    what = rng.randrange(9)
    j = rng.randrange(len(dexes))
    ids, status, cd, mr, gm = dexes[j]
    if what == 0:  # bytes of the DEX
        buf = bytearray(ids[0])
        for _ in range(rng.randint(1, 40)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        ids = (bytes(buf), *ids[1:])
    elif what == 1:  # a table offset or size
        k = rng.randrange(1, 9)
        ids = (
            *ids[:k],
            rng.choice([0, 1, ids[k] + 1, max(ids[k] - 1, 0), len(ids[0]), 2**32 - 1]),
            *ids[k + 1 :],
        )
    elif what == 2:  # class defs' fields
        a = _u32a(cd)
        for _ in range(rng.randint(1, 6)):
            if a:
                i = rng.randrange(len(a))
                a[i] = rng.choice(
                    [NONE, 0, 1, (a[i] + 1) & NONE, rng.randrange(2**16), rng.randrange(len(ids[0]) + 8)]
                )
        cd = a.tobytes()
    elif what == 3:  # statuses
        a = _u32a(status)
        for _ in range(rng.randint(1, 6)):
            if a:
                a[rng.randrange(len(a))] = rng.choice([NONE, rng.randrange(max(_u32a(base)[-1], 1) + 2)])
        status = a.tobytes()
    elif what == 4:  # records (their class order, method ids)
        a = _u32a(mr)
        for _ in range(rng.randint(1, 4)):
            if a:
                i = rng.randrange(len(a) // 7) * 7 + rng.choice([0, 1])
                a[i] = rng.choice([0, (a[i] + 1) & NONE, max(a[i] - 1, 0), NONE])
        mr = a.tobytes()
    elif what == 5:  # the asks
        w = _u32a(words)
        if w and rng.random() < 0.5:
            w[rng.randrange(len(w))] = rng.choice([0, 1, 7, NONE, rng.randrange(len(_u32a(status)) + 2)])
        else:
            w = w[: rng.randrange(len(w) + 1)]
        words = w.tobytes()
    elif what == 6:  # lengths
        pick = rng.randrange(5)
        if pick == 0:
            status = status + b"\1"
        elif pick == 1:
            cd = cd[:-4]
        elif pick == 2:
            mr = mr + b"\0" * 4
        elif pick == 3:
            gm = gm[: len(gm) // 2]
        else:
            base = base + b"\0"
    elif what == 7:  # the specs: other callbacks, prefixes, empty ones, too many
        pool = [
            b"run()V",
            b"run(",
            b"call()Ljava/lang/Object;",
            b"",
            b"(",
            b"<init>(",
            b"doInBackground(",
            b"r",
        ]
        specs = [tuple(rng.sample(pool, rng.randint(0, 3))) for _ in range(rng.choice([0, 1, 3, 8, 9]))]
    else:  # the DEX number
        ci = rng.choice([-1, len(dexes), rng.randrange(len(dexes))])
    dexes[j] = (ids, status, cd, mr, gm)
    return dexes, base, ci, words, specs


def test_twin_on_mutated_calls(real_calls: list[tuple]) -> None:
    """Out-of-range values, broken lengths, records out of class order, odd specs: C == twin (bytes or None)."""
    rng = random.Random(19)
    useful = [a for a in real_calls if a[3]]
    answered = declined = 0
    for _ in range(1500):
        args = rng.choice(useful)
        for _ in range(rng.randint(1, 3)):
            args = _mutate(rng, args)
        got = _both(args)
        answered += got is not None
        declined += got is None
    assert answered and declined


@st.composite
def random_args(draw):
    """Small random tables (a DEX buffer of random bytes with its tables inside it), asks and specs."""
    n_dex = draw(st.integers(1, 3))
    dexes, bases = [], [0]
    for _ in range(n_dex):
        buf = draw(st.binary(min_size=16, max_size=160))
        size = len(buf)
        ids = tuple(draw(st.integers(0, size)) if k % 2 == 0 else draw(st.integers(0, 6)) for k in range(8))
        n_types, n_cd = draw(st.integers(0, 5)), draw(st.integers(0, 3))
        status = array(
            "I", draw(st.lists(st.integers(0, 8) | st.just(NONE), min_size=n_types, max_size=n_types))
        )
        cd = array(
            "I", draw(st.lists(st.integers(0, 8) | st.just(NONE), min_size=8 * n_cd, max_size=8 * n_cd))
        )
        n_rec = draw(st.integers(0, 4))
        mr = array(
            "I", [w for r in range(n_rec) for w in (min(r, n_cd), draw(st.integers(0, 6)), 0, 0, 0, 0, 0)]
        )
        gm = array("I", draw(st.lists(st.integers(0, 99), max_size=6)))
        dexes.append(((buf, *ids), status.tobytes(), cd.tobytes(), mr.tobytes(), gm.tobytes()))
        bases.append(bases[-1] + n_cd)
    words: list[int] = []
    for _ in range(draw(st.integers(0, 3))):
        pairs = draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), max_size=3))
        words += [draw(st.integers(0, 99)), len(pairs), *(x for p in pairs for x in p)]
    specs = draw(
        st.lists(st.tuples(*[st.sampled_from([b"a()V", b"a(", b"b(", b"", b"\x80("])] * 2), max_size=3)
    )
    return (
        dexes,
        array("I", bases).tobytes(),
        draw(st.integers(0, n_dex - 1)),
        array("I", words).tobytes(),
        specs,
    )


@FUZZ
@given(random_args())
def test_twin_on_random_args(args) -> None:
    _both(args)


def test_types_checked() -> None:
    for mod in (creach, pywalk):
        with pytest.raises(TypeError):
            mod.async_callbacks((), b"", 0, b"", [])
        with pytest.raises(TypeError):
            mod.async_callbacks([], b"", 0, b"", ())
        assert mod.async_callbacks([], b"\0\0\0\0", 0, b"", []) is None  # no DEX ci


def test_deadline(real_calls: list[tuple]) -> None:
    """Past the deadline (checked every 65,536 steps of the chains and records) both raise TimeoutError; with none
    the same asks are answered."""
    dexes, base, ci, words, specs = next(a for a in real_calls if creach.async_callbacks(*a))
    c, s = struct.unpack_from("<II", words, 8)
    many = array("I", [1, 70_000, *([c, s] * 70_000)]).tobytes()
    for mod in (creach, pywalk):
        with pytest.raises(TimeoutError):
            mod.async_callbacks(dexes, base, ci, many, specs, 1.0)
    assert _both((dexes, base, ci, many, specs)) == _both(
        (dexes, base, ci, array("I", [1, 1, c, s]).tobytes(), specs)
    )
