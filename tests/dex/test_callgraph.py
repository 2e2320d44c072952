"""Call graph: direct, class-hierarchy and async edges; reachability with paths."""

from __future__ import annotations

import pytest

from appwarden.dex.index import build_index

ON_CREATE = "Lcom/aw/t/Graph;->onCreate(Landroid/os/Bundle;)V"


def test_direct_hierarchy_and_async_edges(main_dex: bytes) -> None:
    cg = build_index([("classes.dex", main_dex)]).callgraph
    callees = cg.callees(ON_CREATE)
    assert "Ljava/lang/Thread;->start()V" in callees
    assert "Lcom/aw/t/Job;->run()V" in callees  # Thread(new Job()).start()
    assert (
        "Lcom/aw/t/Task;->doInBackground([Ljava/lang/Object;)Ljava/lang/Object;" in callees
    )  # AsyncTask.execute
    assert "Lcom/aw/t/Base;->work()V" in callees  # direct reference
    assert "Lcom/aw/t/Sub;->work()V" in callees  # override in an app subclass
    assert "Lcom/aw/t/Job;->run()V" in cg.callees("Lcom/aw/t/Graph;->onHandler(Landroid/os/Handler;)V")
    assert ON_CREATE in cg.callers("Lcom/aw/t/Sub;->work()V")


def test_reachable_and_path(main_dex: bytes) -> None:
    cg = build_index([("classes.dex", main_dex)]).callgraph
    seen = cg.reachable([ON_CREATE])
    assert seen[ON_CREATE] is None
    get_string = (
        "Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)"
        "Ljava/lang/String;"
    )
    assert cg.path([ON_CREATE], get_string) == [
        ON_CREATE,
        "Lcom/aw/t/Job;->run()V",
        "Lcom/aw/t/Pi;->androidId(Landroid/content/ContentResolver;)Ljava/lang/String;",
        get_string,
    ]
    gyro = "Landroid/hardware/SensorManager;->getDefaultSensor(I)Landroid/hardware/Sensor;"
    assert cg.path([ON_CREATE], gyro)[1] == "Lcom/aw/t/Sub;->work()V"
    assert "Lcom/aw/t/Graph;->unreached()V" not in seen
    assert cg.path([ON_CREATE], "Lcom/aw/t/Graph;->unreached()V") is None
    assert cg.path([], ON_CREATE) is None


def test_cross_dex_path(multidex_blobs) -> None:
    cg = build_index(multidex_blobs).callgraph
    path = cg.path(
        ["Lcom/appwarden/fixture/multidex/Main;->onCreate(Landroid/os/Bundle;)V"],
        "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;",
    )
    assert path is not None and len(path) == 3
    assert path[1].startswith("Lcom/appwarden/fixture/multidex/second/Locator;->locate(")


# -- the integer graph against the previous implementation (tests/dex/reference_callgraph.py) -------------------

HIER_ON_CREATE = "Lcom/aw/h/Main;->onCreate(Landroid/os/Bundle;)V"


def hier_index():
    from .conftest import DATA

    return build_index([("classes.dex", (DATA / "hier.dex").read_bytes())])


def assert_same_graph(index) -> None:
    """Every query of the new graph equals the reference's (reachable: same sets and depths from every method)."""
    from .reference_callgraph import ReferenceCallGraph, assert_same_reachability

    new, old = index.callgraph, ReferenceCallGraph(index)
    methods = sorted(old._out.keys() | {c for v in old._out.values() for c in v})
    for m in methods:
        assert new.callees(m) == old.callees(m), m
        assert new.callers(m) == old.callers(m), m
        assert_same_reachability(new, old, [m], m)
    assert new.edge_count == old.edge_count
    assert_same_reachability(new, old, methods[::3])


def split_hier_index():
    """hier.dex's classes over two DEX files: Animal and Sink in the first, subclasses/implementors in both."""
    from .conftest import DATA

    return build_index([(n, (DATA / f"hier_{n[0]}.dex").read_bytes()) for n in ("a.dex", "b.dex")])


def fixture_indexes(main_dex: bytes, fixtures_dir) -> list:
    from .conftest import dex_blobs_of

    indexes = [build_index([("classes.dex", main_dex)]), hier_index(), split_hier_index()]
    return indexes + [build_index(dex_blobs_of(apk)) for apk in sorted((fixtures_dir / "apks").glob("*.apk"))]


def test_same_graph_as_reference_on_fixtures(main_dex: bytes, fixtures_dir) -> None:
    for index in fixture_indexes(main_dex, fixtures_dir):
        assert_same_graph(index)


def test_same_graph_when_python_resolves_the_hierarchy(main_dex: bytes, fixtures_dir, monkeypatch) -> None:
    """The Python path the graph takes when both hierarchy kernels decline gives the same graph."""
    from appwarden.dex import callgraph

    monkeypatch.setattr(callgraph.reach, "hierarchy_all", lambda *args: None)
    monkeypatch.setattr(callgraph.walker, "hierarchy_extras", lambda *args: None)
    for index in fixture_indexes(main_dex, fixtures_dir):
        assert_same_graph(index)


def test_same_graph_dex_by_dex(main_dex: bytes, fixtures_dir, monkeypatch) -> None:
    """The DEX-by-DEX path (hierarchy_extras, Python for hierarchies across DEXes), taken when hierarchy_all
    declines, gives the same graph."""
    from appwarden.dex import callgraph

    monkeypatch.setattr(callgraph.reach, "hierarchy_all", lambda *args: None)
    for index in fixture_indexes(main_dex, fixtures_dir):
        assert_same_graph(index)


def real_rows(cg) -> list[list[int]]:
    """Each real node's callees in the order the BFS meets them (virtual nodes expanded in place): what fixes the
    visit order and the parents of a search, whatever the virtual nodes' numbers."""
    off, tgt = cg._forward()
    rows = []
    for g in range(cg._n_real):
        row: list[int] = []
        for t in tgt[off[g] : off[g + 1]]:
            row.extend(x for x in tgt[off[t] : off[t + 1]] if not cg._virtual[x]) if cg._virtual[
                t
            ] else row.append(t)
        rows.append(row)
    return rows


def test_hierarchy_across_dexes_resolved_in_c(monkeypatch) -> None:
    """hierarchy_all resolves a hierarchy spread over two DEX files without the Python resolution (issue #19:
    most of the reachability stage of a big multidex app), and the graph is the DEX-by-DEX one row for row."""
    from appwarden.dex import backend, callgraph

    if backend() != "c":
        pytest.skip("C extension not built")
    monkeypatch.setattr(callgraph.reach, "hierarchy_all", lambda *args: None)
    old = real_rows(split_hier_index().callgraph)

    def refuse(*args):
        raise AssertionError("resolved in Python")

    monkeypatch.setattr(callgraph.CallGraph, "_hierarchy_targets", refuse)
    with pytest.raises(AssertionError, match="resolved in Python"):  # the DEX-by-DEX path needs Python here
        split_hier_index().callgraph  # noqa: B018
    monkeypatch.undo()
    monkeypatch.setattr(callgraph.CallGraph, "_hierarchy_targets", refuse)
    monkeypatch.setattr(callgraph.CallGraph, "_child_map", refuse)
    assert real_rows(split_hier_index().callgraph) == old


def test_is_subtype_from_the_masks_equals_the_walk(main_dex: bytes, fixtures_dir, monkeypatch) -> None:
    """is_subtype answers the async edges' base types from subtype_masks (no walk in Python), as the walk does,
    for every app class of the fixtures."""
    from appwarden.dex import backend, callgraph

    indexes = fixture_indexes(main_dex, fixtures_dir)
    walks = {}
    for k, index in enumerate(indexes):
        cg = index.callgraph
        for cls in index._class_map:
            for base in [*callgraph._SUBTYPE_BITS, "Ljava/lang/Object;"]:
                walks[(k, cls, base)] = cg._is_subtype(cls, base)
    assert any(walks.values()) and not all(walks.values())
    if backend() == "c":
        assert all(index.callgraph._masks is not None for index in indexes)
    for k, index in enumerate(indexes):
        cg = callgraph.CallGraph(index)
        if cg._masks is not None:  # the walk is not used for the base types
            monkeypatch.setattr(cg, "_is_subtype", lambda cls, base: base == "Ljava/lang/Object;" or 1 / 0)
        for (k2, cls, base), want in walks.items():
            if k2 == k and base != "Ljava/lang/Object;":
                assert cg.is_subtype(cls, base) == want, (cls, base)


def test_hierarchy_split_over_dexes() -> None:
    index = split_hier_index()
    cg = index.callgraph
    assert [c.name for c in index.codes] == ["a.dex", "b.dex"]
    assert {"Lcom/aw/h/SinkA;->put()V", "Lcom/aw/h/SinkB;->put()V"} <= cg.callees(HIER_ON_CREATE)
    assert cg.path([HIER_ON_CREATE], "Lcom/aw/h/Leaf;->puppy()V") == [
        HIER_ON_CREATE,
        "Lcom/aw/h/Puppy;->speak()V",
        "Lcom/aw/h/Leaf;->puppy()V",
    ]
    assert cg.reachable([HIER_ON_CREATE]).keys() == hier_index().callgraph.reachable([HIER_ON_CREATE]).keys()


def test_virtual_nodes_never_show() -> None:
    cg = hier_index().callgraph
    assert (
        cg.node_names().count(None) == 2
    )  # virtual nodes: Sink.put (2 implementors), Animal.speak (2 overrides)
    sink_impls = {"Lcom/aw/h/SinkA;->put()V", "Lcom/aw/h/SinkB;->put()V"}
    assert sink_impls | {"Lcom/aw/h/Sink;->put()V"} <= cg.callees(HIER_ON_CREATE)
    unreached = "Lcom/aw/h/Main;->unreached()V"
    assert cg.callers("Lcom/aw/h/SinkB;->put()V") == {HIER_ON_CREATE, unreached}  # one shared virtual node
    seen = cg.reachable([HIER_ON_CREATE])
    assert all(m.startswith("L") and "->" in m for m in seen)
    assert all(p is None or p in seen for p in seen.values())
    # a target reached through a virtual node reports the caller as its parent, one level down
    assert seen["Lcom/aw/h/Puppy;->speak()V"] == HIER_ON_CREATE
    assert cg.path([HIER_ON_CREATE], "Lcom/aw/h/Leaf;->puppy()V") == [
        HIER_ON_CREATE,
        "Lcom/aw/h/Puppy;->speak()V",
        "Lcom/aw/h/Leaf;->puppy()V",
    ]
    # inherited implementations (Cat.speak -> Animal.speak, Puppy.walk -> Animal.walk), and super calls
    assert {"Lcom/aw/h/Animal;->speak()V", "Lcom/aw/h/Animal;->walk()V"} <= cg.callees(HIER_ON_CREATE)
    assert cg.callees("Lcom/aw/h/Dog;->bark()V") == {"Lcom/aw/h/Dog;->speak()V"}
    assert cg.callees("Lcom/aw/h/Puppy;->yelp()V") == {
        "Lcom/aw/h/Puppy;->walk()V",
        "Lcom/aw/h/Animal;->walk()V",
    }
    assert "Lcom/aw/h/Puppy;->speak()V" not in cg.callees("Lcom/aw/h/Dog;->bark()V")


def test_reachable_contract(main_dex: bytes) -> None:
    cg = build_index([("classes.dex", main_dex)]).callgraph
    unknown = "Lno/Such;->method()V"
    first = cg.reachable(iter([unknown, ON_CREATE, unknown]))  # any iterable; unknown entries are kept
    assert list(first)[:2] == [unknown, ON_CREATE] and first[unknown] is None and first[ON_CREATE] is None
    first["Lcom/aw/t/Job;->run()V"] = "mutated"
    first[ON_CREATE] = "mutated"
    again = cg.reachable([unknown, ON_CREATE, unknown])  # cached, but a fresh dict each time
    assert again[ON_CREATE] is None and again["Lcom/aw/t/Job;->run()V"] == ON_CREATE
    assert cg.reachable([]) == {} and cg.path([unknown], ON_CREATE) is None
    assert cg.callees(unknown) == set() and cg.callers(unknown) == set()


# -- descriptor -> node lookups ------------------------------------------------------------------------------------


def assert_lookups(index, where: object = None) -> None:
    """_lookup (the single-DEX fast path included) answers like a complete descriptor -> node map."""
    cg = index.callgraph
    full: dict[str, int] = {}
    for g, name in enumerate(cg.node_names()):
        if name is not None:
            full.setdefault(name, g)
    probes = [d for code in index.codes for d in code.descs]
    probes += [d + "x" for d in probes[::7]] + [d.replace("->", "->x", 1) for d in probes[::5]]
    probes += ["Lno/Such;->m()V", "", "->", "a->b->c(", "Ljava/lang/Object;->nope()V"]
    for d in probes:
        assert cg._lookup(d) == full.get(d), (where, d)


def test_lookups_on_fixtures(main_dex: bytes, fixtures_dir) -> None:
    for index in fixture_indexes(main_dex, fixtures_dir):
        cg = index.callgraph
        last = index.codes[-1].descs[-1]
        assert cg.node_names()[cg._lookup(last)] == last
        assert cg._gid is None  # ordered id tables: no descriptor -> node dict, one DEX or several
        assert_lookups(index, index.codes[0].name)


def patched_method_ids(main_dex: bytes, edit) -> bytes:
    """main.dex with its method_ids table rewritten by ``edit(list of 8-byte entries)``."""
    from appwarden.dex.reader import DexFile

    dex = DexFile("classes.dex", main_dex)
    off, n = dex.method_ids_off, dex.method_ids_size
    entries = [main_dex[off + 8 * i : off + 8 * i + 8] for i in range(n)]
    edit(entries)
    return main_dex[:off] + b"".join(entries) + main_dex[off + 8 * n :]


def test_malformed_method_ids_use_the_complete_map(main_dex: bytes) -> None:
    """A descriptor listed twice, or method ids not sorted by class: no single-DEX shortcut, same graph."""

    def duplicate(entries):
        entries[1] = entries[0]

    def unsorted(entries):
        entries[0], entries[-1] = entries[-1], entries[0]

    for edit in (duplicate, unsorted):
        index = build_index([("classes.dex", patched_method_ids(main_dex, edit))])
        assert not index.errors
        assert_same_graph(index)
        assert_lookups(index, edit.__name__)
    dup = build_index([("classes.dex", patched_method_ids(main_dex, duplicate))]).callgraph
    first = dup.node_names()[0]
    assert dup._lookup(first) == 0 and dup._gid is None  # a duplicate still bisects: both ids are one node
    uns = build_index([("classes.dex", patched_method_ids(main_dex, unsorted))]).callgraph
    assert uns._lookup(first) is not None and uns._gid is not None  # unsorted ids: the complete map


def test_reachable_mapping_behaves_like_the_dict_it_replaces(main_dex: bytes, fixtures_dir) -> None:
    """reachable() makes descriptors on demand (issue #19) but reads, iterates and changes like the dict
    ``{method: parent}`` in visit order that it replaces; path() follows the same parents."""
    for index in fixture_indexes(main_dex, fixtures_dir):
        cg = index.callgraph
        names = sorted(n for n in cg.node_names() if n is not None)
        entries = [*names[::5], "Lno/Such;->m()V", names[0]]
        got = cg.reachable(entries)
        d = dict(got.items())
        assert list(got) == list(d) and len(got) == len(d) and dict(got) == d and got == d
        assert (
            list(got.values()) == list(d.values())
            and list(dict.fromkeys(entries)) == list(d)[: len(set(entries))]
        )
        for m in [*names, "Lno/Other;->x()V", ""]:
            assert (m in got) == (m in d) and got.get(m, "-") == d.get(m, "-")
            if m in d:
                chain = [m]
                while d[chain[-1]] is not None:
                    chain.append(d[chain[-1]])
                assert cg.path(entries, m) == chain[::-1] == got.path(m)
            else:
                assert cg.path(entries, m) is None
                with pytest.raises(KeyError):
                    got[m]
        # the same changes on both: the same items in the same order after each
        snapshot = list(d.items())
        outside = [*[m for m in names if m not in d][:2], "Lnew/A;->a()V"]
        inside = [m for m in d if m not in entries][:3]
        steps = [("setdefault", x, "p") for x in inside[:1] + outside[:1]]
        steps += [("set", x, "q") for x in inside[1:2] + outside[1:]]
        steps += [("del", x, None) for x in inside[2:3] + outside[:1]] + [
            ("set", x, "r") for x in inside[2:3]
        ]
        for op, key, value in steps:
            for m in (got, d):
                if op == "setdefault":
                    m.setdefault(key, value)
                elif op == "set":
                    m[key] = value
                else:
                    del m[key]
            assert list(got.items()) == list(d.items()) and len(got) == len(d), (op, key)
        with pytest.raises(KeyError):
            del got["Lno/Such;->never()V"]
        assert list(cg.reachable(entries).items()) == snapshot  # the graph's own result is untouched


# -- callees_where: sorted(callees) filtered by class, naming only the kept callees ------------------------------


def assert_callees_where(cg, keep_prefix: str) -> int:
    """callees_where equals sorted(callees) filtered by class (same rows, same order) for every real node; the
    class test asked once per class. Returns how many rows it compared."""

    def keep(cls: str) -> object:
        asked.append(cls)
        return (cls,) if cls.startswith(keep_prefix) else None

    asked: list[str] = []
    memo: dict = {}
    rows = 0
    for desc in cg.node_names():
        if desc is None:
            continue
        want = [(c, c.split("->", 1)[0]) for c in sorted(cg.callees(desc))]
        want = [(c, cls, (cls,)) for c, cls in want if cls.startswith(keep_prefix)]
        assert cg.callees_where(desc, keep, memo) == want, desc
        rows += len(want)
    assert len(asked) == len(set(asked))  # once per class
    assert cg.callees_where("Lno/Such;->m()V", keep, memo) == []
    return rows


def test_callees_where_equals_sorted_callees_on_fixtures(main_dex: bytes, fixtures_dir) -> None:
    compared = 0
    ranked = 0
    for index in fixture_indexes(main_dex, fixtures_dir):
        cg = index.callgraph
        ranked += cg._class_rank() is not None
        for prefix in ("L", "Lcom/", "Landroid/"):
            compared += assert_callees_where(cg, prefix)
        rank = cg._class_rank()
        if rank is not None:  # the memo key: one rank per class, one class per rank
            pairs = {(rank[g], d.split("->", 1)[0]) for g, d in enumerate(cg.node_names()) if d is not None}
            assert len({r for r, _ in pairs}) == len(pairs) == len({c for _, c in pairs})
    assert compared > 300 and ranked > 3


def test_callees_where_without_ranks(main_dex: bytes, fixtures_dir, monkeypatch) -> None:
    """The named fallback (the kernel declined, or nodes no DEX lists) gives the same rows."""
    from appwarden.dex.callgraph import CallGraph

    monkeypatch.setattr(CallGraph, "_class_rank", lambda self: None)
    for index in fixture_indexes(main_dex, fixtures_dir)[:4]:
        assert assert_callees_where(index.callgraph, "L") > 0


def test_own_many_equals_own_methods_on_fixtures(main_dex: bytes, fixtures_dir) -> None:
    """The async edges' batched per-class methods (_homes_of + _own_many, one C call per DEX) are what
    _own_methods finds one class at a time, for every app class and a class the app does not define."""
    compared = 0
    for index in fixture_indexes(main_dex, fixtures_dir):
        cg = index.callgraph
        classes = [*index._class_map, "Lno/Such;"]
        cg._own, cg._home = {}, {}
        one = {c: cg._own_methods(c) for c in classes}
        cg._own, cg._home = {}, {}
        cg._homes_of(classes)
        cg._own_many(classes)
        assert cg._own == one
        compared += sum(got is not None and len(got[0]) > 0 for got in one.values())
    assert compared > 40


def test_subtype_bits_by_bisection_equal_the_scan(main_dex: bytes, fixtures_dir) -> None:
    """With ordered type tables _subtype_bits finds each base type by bisection: the same bytes as the scan for
    every type id with that descriptor (which the graph keeps for unordered tables), on every fixture app."""
    found = 0
    for index in fixture_indexes(main_dex, fixtures_dir):
        cg = index.callgraph
        assert cg._ordered
        fast = cg._subtype_bits()
        cg._ordered = False
        assert cg._subtype_bits() == fast
        found += sum(map(any, fast))
    assert found


def test_dispatch_ids_equal_find_methods(main_dex: bytes, fixtures_dir) -> None:
    """The async edges' dispatch method ids (one class range and one C name scan per class when the ids are
    sorted) are find_methods' answers for every ASYNC_DISPATCH pair, on every fixture app, ordered or not."""
    from appwarden.dex.callgraph import ASYNC_DISPATCH

    found = 0
    for index in fixture_indexes(main_dex, fixtures_dir):
        cg = index.callgraph
        for code in index.codes:
            want = sorted(m for cls, name in ASYNC_DISPATCH for m in code.dex.find_methods(cls, name))
            assert cg._ordered and sorted(cg._dispatch_ids(code)) == want
            found += len(want)
            cg._ordered = False
            assert sorted(cg._dispatch_ids(code)) == want
            cg._ordered = True
    assert found


def test_callback_methods_give_the_callbacks_of_every_class(main_dex: bytes, fixtures_dir) -> None:
    """The async edges' callback lookups over the methods whose name may be a callback's (_callback_methods) find
    what the lookups over every method of the class (_own_methods) find, for every app class of every fixture app
    and every callback list; and they read fewer methods."""
    from appwarden.dex.callgraph import ASYNC_DISPATCH

    specs = {cbs for key in ASYNC_DISPATCH.values() for _b, cbs in key}
    hits = fewer = 0
    for index in fixture_indexes(main_dex, fixtures_dir):
        classes = sorted(index._class_map)
        full = index.callgraph
        full._cb_own, full._cb_cache = {}, {}
        want = {(c, cbs): full._callbacks_of(c, cbs) for c in classes for cbs in specs}
        fast = build_index_like(index).callgraph
        fast._cb_cache = {}
        fast._callback_methods(classes)
        assert {(c, cbs): fast._callbacks_of(c, cbs) for c in classes for cbs in specs} == want
        hits += sum(map(bool, want.values()))
        for c in classes:
            own, cb = fast._own_methods(c), fast._cb_own[c]
            assert (own is None) == (cb is None)
            fewer += own is not None and len(cb[0]) < len(own[0])
    assert hits and fewer


def build_index_like(index):
    """A fresh index over the same DEX files."""
    return build_index([(c.dex.name, bytes(c.dex.data)) for c in index.codes])


# -- reflective edges (constant-string Class.forName / ClassLoader.loadClass + getMethod / getDeclaredMethod) ------

REFLECT = "Lcom/aw/r/Main;->"
TARGET = "Lcom/aw/r/Target;->"


def reflect_index():
    from .conftest import DATA

    return build_index([("classes.dex", (DATA / "reflect.dex").read_bytes())])


def reflective_callees(cg, method: str) -> set[str]:
    """The callees of ``method`` that no invoke of it names (the reflective edges, in this fixture)."""
    return {c for c in cg.callees(method) if c.startswith(("Lcom/aw/r/Target;", "Lcom/aw/r/Other;"))}


@pytest.mark.parametrize("backend", ["c", "python"])
def test_reflective_edges(backend: str, monkeypatch) -> None:
    """forName(const) + getMethod(const) in one method: edges to every overload of the name and to the class's
    <clinit>; ClassLoader.loadClass + getDeclaredMethod likewise. No edge for names from parameters, a class the app
    does not define, a name no method of the class has, a "/" name, or the two strings in two methods."""
    from appwarden.dex import callgraph, pywalk

    if backend == "python":
        monkeypatch.setattr(callgraph, "reach", pywalk)
    cg = reflect_index().callgraph
    assert reflective_callees(cg, REFLECT + "pos()V") == {
        TARGET + "hit()V",
        TARGET + "hit(I)V",
        TARGET + "<clinit>()V",
    }
    assert reflective_callees(cg, REFLECT + "loader(Ljava/lang/ClassLoader;)V") == {"Lcom/aw/r/Other;->go()V"}
    assert reflective_callees(cg, REFLECT + "nonConst(Ljava/lang/String;Ljava/lang/String;)V") == set()
    assert reflective_callees(cg, REFLECT + "absent()V") == set()
    assert reflective_callees(cg, REFLECT + "onlyClass()Ljava/lang/Class;") == set()
    assert reflective_callees(cg, REFLECT + "onlyName()V") == set()
    assert cg.callers(TARGET + "miss()V") == set()
    assert cg.path([REFLECT + "pos()V"], TARGET + "hit(I)V") == [REFLECT + "pos()V", TARGET + "hit(I)V"]


def test_no_reflective_edge_to_a_class_the_app_lacks() -> None:
    """The same callers without the class Target in the app's DEX files: no reflective edge to it."""
    from .conftest import DATA

    cg = build_index([("classes.dex", (DATA / "reflect_main.dex").read_bytes())]).callgraph
    assert reflective_callees(cg, REFLECT + "pos()V") == set()
    assert reflective_callees(cg, REFLECT + "loader(Ljava/lang/ClassLoader;)V") == {"Lcom/aw/r/Other;->go()V"}


def test_reflective_edges_equal_the_reference() -> None:
    """The reflection fixture's graph equals the plain reference's, which writes the reflective edges out."""
    from .conftest import DATA

    for name in ("reflect.dex", "reflect_main.dex"):
        assert_same_graph(build_index([("classes.dex", (DATA / name).read_bytes())]))
