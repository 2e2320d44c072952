"""The per-scan answers the rules share (issue #19): ``static_support.methods_of``, ``method_records`` and
``superclasses`` read from one table per class must equal what the code index answers method by method, and the
navigation graph's one-slice event read must equal ``CodeIndex.method_strings`` / ``method_literals``."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.dex.records import EV_CONST_CLASS, EV_NEW_INSTANCE
from appwarden.rules import static_support as ss
from appwarden.rules.navigation import POLICY_TEXTS, POLICY_URL, _Builder
from appwarden.scan import build_evidence

FIXTURES = Path(__file__).parents[1] / "fixtures" / "apks"
APPS = Path(__file__).parent / "_apps"
APKS = [
    FIXTURES / "multidex.apk",
    FIXTURES / "pi_all.apk",
    APPS / "consent_policylib.apk",
    APPS / "leads.apk",
]


def _superclasses_by_class_info(code, cls: str, limit: int = 12) -> list[str]:
    chain, current = [cls], cls
    for _ in range(limit):
        info = code.class_info(current)
        sup = info.superclass if info is not None else None
        if not sup or sup in chain:
            break
        chain.append(sup)
        current = sup
    return chain


@pytest.mark.parametrize("apk", APKS, ids=lambda p: p.name)
def test_class_tables_equal_the_index_answers(apk: Path) -> None:
    code = build_evidence(str(apk)).static.code
    assert code is not None
    classes = sorted(code.classes)
    assert classes
    n_methods = 0
    for cls in classes:
        info = code.class_info(cls)
        assert ss.methods_of(code, cls) == list(info.methods)
        assert ss.superclass_of(code, cls) == info.superclass
        assert ss.superclasses(code, cls) == _superclasses_by_class_info(code, cls)
        for m in info.methods:
            n_methods += 1
            assert ss.method_records(code, m) == code.method_records(m), m
        # a method the class does not define, and one of a class the app does not define
        assert ss.method_records(code, f"{cls}->noSuchMethod()V") == code.method_records(
            f"{cls}->noSuchMethod()V"
        )
    assert ss.method_records(code, "Lno/such/Cls;->m()V") == []
    assert ss.methods_of(code, "Lno/such/Cls;") == []
    assert ss.superclass_of(code, "Lno/such/Cls;") is None
    assert n_methods >= 1


def test_the_memo_follows_the_code_index() -> None:
    a = build_evidence(str(APKS[0])).static.code
    b = build_evidence(str(APKS[1])).static.code
    cls_a = sorted(a.classes)[0]
    assert ss.methods_of(a, cls_a) == list(a.class_info(cls_a).methods)
    # another scan's index: nothing of the first one's answers
    for cls in sorted(b.classes):
        assert ss.methods_of(b, cls) == list(b.class_info(cls).methods)
    if cls_a not in b.classes:
        assert ss.methods_of(b, cls_a) == []
    assert ss.methods_of(a, cls_a) == list(a.class_info(cls_a).methods)
    # the caller's list is its own
    got = ss.methods_of(a, cls_a)
    got.append("x")
    assert "x" not in ss.methods_of(a, cls_a)


@pytest.mark.parametrize("apk", APKS, ids=lambda p: p.name)
def test_navigation_event_read_equals_the_index(apk: Path) -> None:
    import re

    ev = build_evidence(str(apk))
    code = ev.static.code
    b = _Builder(ev, code, ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
    checked = 0
    for cls in sorted(code.classes):
        for m in code.class_info(cls).methods:
            consts, news = [], []
            for ci, r in code.method_records(m):
                dc = code.codes[ci]
                for _i, kind, _op, _off, idx in dc.events_of_record(r):
                    if kind == EV_CONST_CLASS and idx < len(dc.type_descs):
                        consts.append(dc.type_descs[idx])
                    elif kind == EV_NEW_INSTANCE and idx < len(dc.type_descs):
                        news.append(dc.type_descs[idx])
            assert b.strings(m) == code.method_strings(m), m
            assert b.literals(m) == code.method_literals(m), m
            assert b.events(m) == (consts, news), m
            checked += bool(consts or news or b.strings(m) or b.literals(m))
    assert checked >= 1


def test_consent_reach_merge_equals_setdefault() -> None:
    from appwarden.rules.consent import _Merged

    first = {"a": None, "b": "a", "c": "b"}
    more = {"x": None, "b": "x", "y": "x", "c": None, "z": "y"}
    expected = dict(first)
    for m, p in more.items():
        expected.setdefault(m, p)
    merged = _Merged(first, more)
    assert list(merged) == list(expected)
    assert len(merged) == len(expected)
    assert dict(merged.items()) == expected
    for key in [*expected, "nope"]:
        assert (key in merged) == (key in expected)
        assert merged.get(key, "default") == expected.get(key, "default")
    assert merged["b"] == "a" and merged["z"] == "y"
    with pytest.raises(KeyError):
        merged["nope"]


@pytest.mark.parametrize("apk", [*APKS, APPS / "bad.apk"], ids=lambda p: p.name)
def test_implementers_remembered_per_index(apk: Path) -> None:
    code = build_evidence(str(apk)).static.code
    interfaces = sorted({i for cls in code.classes for i in code.class_info(cls).interfaces})
    if apk.name == "bad.apk":  # its trust-all X509TrustManager and SensorEventListener
        assert ss.implementers(code, "Ljavax/net/ssl/X509TrustManager;")
    for iface in interfaces:
        first = ss.implementers(code, iface)
        assert first == ss._implementers_below(code, iface)
        first.append("Lmutated;")
        assert ss.implementers(code, iface) == ss._implementers_below(code, iface)


def _dex_blobs(apk: Path) -> list[tuple[str, bytes]]:
    import zipfile

    with zipfile.ZipFile(apk) as zf:
        names = [n for n in zf.namelist() if n.startswith("classes") and n.endswith(".dex")]
        names.sort(key=lambda n: int(n[7:-4] or 1))
        return [(n, zf.read(n)) for n in names]


def _named_interfaces(code) -> list[str]:
    named: list[str] = []
    for ci, dc in enumerate(code.codes):
        for off in sorted(set(dc.dex.class_defs[3::8].tolist())):
            named.extend(code._type_list_or_empty(ci, off) if off else ())
    return [*dict.fromkeys(named), "Lnobody/Implements;"]


def _two_indexes(apk: Path) -> tuple:
    """Two separate code indexes of ``apk``'s DEX (one for the rules' search, one as the reference, so neither's
    caches serve the other); the test is skipped for an APK without DEX or whose DEX the index refuses."""
    from appwarden.dex.index import build_index

    blobs = _dex_blobs(apk)
    if not blobs:
        pytest.skip("no DEX")
    try:
        return build_index(blobs), build_index(blobs)
    except Exception:  # an APK whose DEX the index refuses (the hostile fixtures)
        pytest.skip("DEX refused")


@pytest.mark.parametrize(
    "apk", sorted(Path(__file__).parents[1].rglob("*.apk")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_direct_implementers_byte_search_equals_the_index(apk: Path) -> None:
    """The rules' own direct-implementer search (a byte search of the interface lists) gives the code index's
    list, same order, for every interface a class names (and one nobody does), on every test APK."""
    code, reference = _two_indexes(apk)
    for iface in _named_interfaces(reference):
        got = ss._direct_implementers(code, iface)
        assert got is not None and got == reference.direct_implementers(iface), iface


def test_direct_implementers_on_mangled_interface_offsets() -> None:
    """Class defs pointing their interface lists anywhere (into another list, past the file, unaligned, at lists
    that overlap): the byte search gives the index's answer or hands the question back (None), never another."""
    import random

    from appwarden.dex.index import build_index

    [(name, blob)] = _dex_blobs(APPS / "bad.apk")[:1]
    base = build_index([(name, blob)])
    dex = base.codes[0].dex
    offs = sorted({o for o in dex.class_defs[3::8].tolist() if o})
    assert offs
    rng = random.Random(19)
    handed_back = compared = 0
    for round_ in range(60):
        data = bytearray(blob)
        for cdi in rng.sample(range(dex.class_defs_size), min(6, dex.class_defs_size)):
            pos = dex.class_defs_off + cdi * 32 + 12
            choice = rng.choice(
                [
                    rng.choice(offs),  # another class's list
                    rng.choice(offs) + 4 * rng.randint(1, 3),  # inside or past a list
                    rng.randint(0, len(blob) + 64),  # anywhere, aligned or not
                    len(blob) - 4,
                    0,
                ]
            )
            struct_pack_into(data, pos, choice)
        if round_ % 3 == 0:  # a list made to overlap the next one
            struct_pack_into(data, offs[0], 0x40)
        try:
            code, reference = build_index([(name, bytes(data))]), build_index([(name, bytes(data))])
        except Exception:
            continue
        for iface in _named_interfaces(reference):
            try:
                expected = reference.direct_implementers(iface)
            except Exception:
                continue
            got = ss._direct_implementers(code, iface)
            if got is None:
                handed_back += 1
            else:
                compared += 1
                assert got == expected, (round_, iface)
    assert compared > 50 and handed_back > 0


def struct_pack_into(data: bytearray, pos: int, value: int) -> None:
    import struct

    struct.pack_into("<I", data, pos, value & 0xFFFFFFFF)


@pytest.mark.parametrize(
    "apk", sorted(Path(__file__).parents[1].rglob("*.apk")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_subclasses_byte_search_equals_the_index(apk: Path) -> None:
    """The rules' own subclass search (a byte search of the class def tables) gives the code index's list, same
    order, for every superclass a class names (and classes nobody extends), on every test APK; the type ids found
    by bisection are those a scan finds."""
    code, reference = _two_indexes(apk)
    parents = {reference._class_supers(c)[0] for c in reference.classes} - {None}
    asked = sorted(parents) + sorted(reference.classes)[:20] + ["Lnobody/Extends;"]
    for cls in asked:
        found = ss._subclasses(code, cls)
        assert found is not None and found == reference.subclasses(cls), cls
        assert ss.subclasses(code, cls) == found
    for ci, dc in enumerate(code.codes):
        for desc in [*dc.type_descs[:50], *dc.type_descs[-50:], "Lnobody/Extends;", "", "Z"]:
            assert ss._type_ids(code, ci, desc) == [i for i, d in enumerate(dc.type_descs) if d == desc]


def test_subclasses_on_mangled_superclass_fields() -> None:
    """Class defs naming other superclasses (any type id, out of range), a class defined twice: the byte search
    gives the index's answer."""
    import random

    from appwarden.dex.index import build_index

    [(name, blob)] = _dex_blobs(APPS / "bad.apk")[:1]
    base = build_index([(name, blob)])
    dex = base.codes[0].dex
    rng = random.Random(23)
    compared = 0
    for round_ in range(40):
        data = bytearray(blob)
        for cdi in rng.sample(range(dex.class_defs_size), min(8, dex.class_defs_size)):
            pos = dex.class_defs_off + cdi * 32 + 8
            struct_pack_into(
                data, pos, rng.choice([rng.randrange(dex.type_ids_size), 0xFFFFFFFF, dex.type_ids_size + 3])
            )
        blobs = [(name, bytes(data))] + ([("classes2.dex", blob)] if round_ % 2 else [])
        try:
            code, reference = build_index(blobs), build_index(blobs)
        except Exception:
            continue
        for cls in sorted({reference._class_supers(c)[0] for c in reference.classes} - {None}):
            found = ss._subclasses(code, cls)
            if found is not None:
                compared += 1
                assert found == reference.subclasses(cls), (round_, cls)
    assert compared > 100


HERE_NAV = Path(__file__).parent / "policy.access.too_many_taps"
NAV_APKS = sorted(HERE_NAV.glob("*.apk")) + APKS


@pytest.mark.parametrize("apk", NAV_APKS, ids=lambda p: p.name)
def test_navigation_nested_classes_and_policy_urls_equal_the_former_reads(apk: Path) -> None:
    """The navigation graph's nested classes per prefix (bisecting each DEX's type descriptors) equal the bisection
    of every nested app class sorted, for every class's own set and a few sets together; the policy URL methods
    from the sorted string ranges equal the ones the search for the prefixes anywhere (and a reference per use)
    finds."""
    import re

    from appwarden.rules.navigation import URL_PREFIXES

    ev = build_evidence(str(apk))
    code = ev.static.code
    b = _Builder(ev, code, ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
    outers = sorted(c for c in code.classes if "$" not in c)
    assert outers
    for i, cls in enumerate(outers):
        for own in ({cls}, set(outers[i : i + 3])):
            prefixes = tuple(c[:-1] + "$" for c in own)
            assert b._inner_classes(own) == b._inner_classes_sorted(prefixes), own
    expected = set()
    for ref in code.strings_containing(list(URL_PREFIXES)):
        value = str(ref.target)
        if value.startswith(URL_PREFIXES):
            path = value.split("?", 1)[0].split("//", 1)[-1]
            if "/" in path and b.url.search(path.split("/", 1)[1]):
                expected.add(str(ref.caller))
    assert b._policy_url_methods() == expected


def test_navigation_nested_classes_cap_and_repeats() -> None:
    """More than 400 nested classes: both reads stop at the same 401; a prefix nested in another repeats its
    classes in both."""
    import re

    ev = build_evidence(str(HERE_NAV / "nav_base_activity.apk"))
    code = ev.static.code
    b = _Builder(ev, code, ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
    nested = sorted(c for c in code.classes if "$" in c)
    assert nested
    own = {c.split("$", 1)[0] + ";" for c in nested} | set(nested[:5])
    assert b._inner_classes(own) == b._inner_classes_sorted(tuple(c[:-1] + "$" for c in own))
    b._nested = {}
    big = {f"L{i};" for i in range(3)}
    b._nested.update({f"L{i}$": [f"L{i}$x{j};" for j in range(250)] for i in range(3)})
    assert len(b._inner_classes(big)) == 401


@pytest.mark.parametrize("apk", [*APKS, APPS / "leads.apk"], ids=lambda p: p.name)
def test_announced_needles_ride_along_with_the_first_search(apk: Path, monkeypatch) -> None:
    """After expect_needles, the first strings_containing search takes the announced needles along and the later
    calls for them are answered from it: the same references, in the same order, as the index's own search for
    each; one search in all."""
    code = build_evidence(str(apk)).static.code
    reference = build_evidence(str(apk)).static.code
    groups = [
        ["实名认证", "实名", "身份证"],
        ["隐私", "rivacy", "gree"],
        ["隐私政策", "Privacy Policy"],
        ["com.", "e"],
    ]
    ss.expect_needles(code, [n for g in groups[1:] for n in g])
    calls: list[list[str]] = []
    search = code.strings_containing

    def counted(needles):
        calls.append(list(needles))
        return search(needles)

    monkeypatch.setattr(code, "strings_containing", counted)

    def key(refs):
        return [(str(r.caller), str(r.target), r.dex, r.offset) for r in refs]

    found = 0
    for needles in groups:
        got = ss.strings_containing(code, needles)
        assert key(got) == key(reference.strings_containing(needles)), needles
        found += len(got)
    assert len(calls) == 1 and set(calls[0]) >= {"实名", "隐私", "com."}
    assert found >= 1


@pytest.mark.parametrize("apk", NAV_APKS, ids=lambda p: p.name)
def test_navigation_fragment_test_equals_the_superclass_walk(apk: Path) -> None:
    """is_fragment answered from the fragment classes found walking down equals the superclass walk up, for every
    app class and a few classes the app does not define; filter_sites' remembered string sets equal the
    method's strings."""
    import re

    from appwarden.rules.navigation import FRAGMENT_BASES

    ev = build_evidence(str(apk))
    code = ev.static.code
    b = _Builder(ev, code, ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
    assert b._fragment_classes() is not None
    for cls in [*sorted(code.classes), *FRAGMENT_BASES, "Lno/such/Cls;"]:
        walk = cls in code.classes and any(c in FRAGMENT_BASES for c in ss.superclasses(code, cls))
        assert b.is_fragment(cls) == walk, cls
        for m in ss.methods_of(code, cls)[:3]:
            assert ss._string_set(code, m) == set(code.method_strings(m))


@pytest.mark.corpus
def test_fragment_test_and_hierarchy_searches_on_corpus_apps(corpus_dir: Path) -> None:
    """On real apps (AndroidX fragments, deep hierarchies): is_fragment from the fragment classes equals the
    superclass walk for every app class, and the rules' subclass and direct-implementer searches equal the index."""
    import re

    from appwarden.rules.navigation import FRAGMENT_BASES

    apks = (
        sorted((corpus_dir / "apks").glob("global_sdk/*.apk"))[:4]
        + sorted((corpus_dir / "apks").glob("cn_sdk/*.apk"))[:4]
    )
    fragments = 0
    for apk in apks:
        ev = build_evidence(str(apk))
        code = ev.static.code
        if code is None or ev.static.manifest is None:
            continue
        b = _Builder(ev, code, ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
        frags = b._fragment_classes()
        assert frags is not None
        fragments += len(frags)
        for cls in sorted(code.classes):
            walk = any(c in FRAGMENT_BASES for c in ss.superclasses(code, cls))
            assert b.is_fragment(cls) == walk, (apk.name, cls)
        for sup in sorted({code._class_supers(c)[0] for c in code.classes} - {None})[:300]:
            assert ss._subclasses(code, sup) == code.subclasses(sup), (apk.name, sup)
        for iface in (
            "Ljavax/net/ssl/X509TrustManager;",
            "Ljava/lang/Runnable;",
            "Landroid/view/View$OnClickListener;",
        ):
            assert ss._direct_implementers(code, iface) == code.direct_implementers(iface), (apk.name, iface)
    assert fragments >= 10


@pytest.mark.parametrize(
    "apk", [*APKS, APPS / "bad.apk", APPS / "filemodes.apk"], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_method_strings_and_literals_equal_the_index(apk: Path) -> None:
    """static_support's one-slice read of a method's strings and literals equals CodeIndex.method_strings /
    method_literals for every app method (and a method that does not exist), asked twice (remembered)."""
    code = build_evidence(str(apk)).static.code
    reference = build_evidence(str(apk)).static.code
    seen = 0
    for _round in range(2):
        for cls in sorted(reference.classes):
            for m in [*reference.class_info(cls).methods, f"{cls}->noSuchMethod()V"]:
                assert ss.method_strings(code, m) == reference.method_strings(m), m
                assert ss.method_literals(code, m) == reference.method_literals(m), m
                seen += bool(reference.method_strings(m) or reference.method_literals(m))
    assert seen >= 2
    assert (
        ss.method_strings(code, "Lno/such/Cls;->m()V")
        == []
        == ss.method_literals(code, "Lno/such/Cls;->m()V")
    )
