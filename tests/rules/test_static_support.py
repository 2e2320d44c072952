"""Helpers with no APK: literal readings, callback detection, category inference, necessary-PI table."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from appwarden.evidence import AppInfo, StaticEvidence
from appwarden.rules.category import infer_category, necessary_pi
from appwarden.rules.static_support import _is_callback, call_path, java_to_desc, literal_numbers


def test_literal_numbers_read_float_and_double_bits() -> None:
    f15 = struct.unpack("<i", struct.pack("<f", 15.0))[0]
    assert 15.0 in list(literal_numbers(f15))
    d12 = struct.unpack("<q", struct.pack("<d", 12.5))[0]
    assert 12.5 in list(literal_numbers(d12))
    assert next(iter(literal_numbers(3))) == 3.0


def test_callbacks_and_paths() -> None:
    assert _is_callback("Lx;->onCreate()V") and _is_callback("Lx;->tap(Landroid/view/View;)V")
    assert not _is_callback("Lx;->readClipboard()V")
    parents = {"a": None, "b": "a", "c": "b"}
    assert call_path(parents, "c") == ["a", "b", "c"] and call_path(parents, "zz") == []
    assert java_to_desc("com.x.Y") == "Lcom/x/Y;" and java_to_desc("Lcom/x/Y;") == "Lcom/x/Y;"


def _static(label: str | None, package: str) -> StaticEvidence:
    return StaticEvidence(app=AppInfo(sha256="0" * 64, package=package, label=label), manifest=None)


def test_infer_category_only_when_unambiguous() -> None:
    assert infer_category(_static("极速浏览器", "com.a.b")) == "N39-32"
    assert infer_category(_static(None, "com.example.weather")) == "N39-38"
    assert infer_category(_static("新闻地图", "com.x")) is None  # two types match: no guess
    assert infer_category(_static("Fixture", "com.example.fixture")) is None
    assert infer_category(_static("Parcel", "edu.mit.parcel")) is None  # reverse-domain root is not a word
    assert infer_category(_static(None, "education.x.quran")) is None


def test_necessary_pi_table() -> None:
    data = necessary_pi()
    types = data["types"]
    assert len(types) == 39
    assert sum(1 for t in types.values() if t["no_pi_needed"]) == 13
    assert "android.permission.ACCESS_FINE_LOCATION" in types["N39-01"]["justified_permissions"]
    # no type justifies device identifiers, contacts or SMS (bixu39.md rule-writing note)
    for t in types.values():
        assert "android.permission.READ_PHONE_STATE" not in t["justified_permissions"]
        assert "android.permission.READ_CONTACTS" not in t["justified_permissions"]
        assert "android.permission.READ_SMS" not in t["justified_permissions"]
    assert "imei" in data["permission_categories"]["android.permission.READ_PHONE_STATE"]


class _Info:
    def __init__(self, superclass: str | None, interfaces: tuple[str, ...] = (), flags: int = 0) -> None:
        self.superclass, self.interfaces, self.access_flags = superclass, interfaces, flags


class _Code:
    """A code index stand-in: just the two attributes the hierarchy helpers read."""

    def __init__(self, infos: dict[str, _Info]) -> None:
        self._infos = infos
        self.classes = infos.keys()

    def class_info(self, cls: str) -> _Info | None:
        return self._infos.get(cls)


class _HierarchyCode(_Code):
    """The stand-in with the two hierarchy queries of CodeIndex: implementers() then walks down from the roots."""

    def subclasses(self, cls: str) -> list[str]:
        return [c for c, info in self._infos.items() if info.superclass == cls]

    def direct_implementers(self, interface: str) -> list[str]:
        return [c for c, info in self._infos.items() if interface in info.interfaces]


def _brute_implementers(code: object, interface: str) -> list[str]:
    """The definition of implementers(): every concrete app class whose interfaces_of() holds the interface."""
    from appwarden.rules.static_support import _class_info, interfaces_of

    out = []
    for cls in sorted(code.classes):  # type: ignore[attr-defined]
        info = _class_info(code, cls)
        if info is not None and not info.access_flags & 0x600 and interface in interfaces_of(code, cls):
            out.append(cls)
    return out


def assert_implementers_match(code: object) -> int:
    from appwarden.rules.static_support import _class_info, implementers

    ifaces = {i for c in code.classes for i in (getattr(_class_info(code, c), "interfaces", ()) or ())}  # type: ignore[attr-defined]
    for iface in [*sorted(ifaces), "Lnobody/Implements;"]:
        assert implementers(code, iface) == _brute_implementers(code, iface), iface
    return len(ifaces)


def test_implementers_follow_the_superclass_walk() -> None:
    infos = {f"LC{i};": _Info(f"LC{i + 1};", (f"LI{i};",)) for i in range(20)}  # a chain longer than the walk
    infos.update(
        {
            "LLoopA;": _Info("LLoopB;", ("LIa;",)),  # a superclass cycle
            "LLoopB;": _Info("LLoopA;", ("LIb;",)),
            "LAbs;": _Info("Ljava/lang/Object;", ("LIa;",), flags=0x400),  # abstract: never an implementer
            "LSub;": _Info("LAbs;"),  # inherits LIa through its abstract superclass
            "LOut;": _Info("Landroid/app/Activity;", ("LIc;",)),  # superclass outside the app
        }
    )
    from appwarden.rules.static_support import implementers

    for code in (_Code(infos), _HierarchyCode(infos)):  # the interface table, the walk down from the roots
        assert assert_implementers_match(code) >= 20
        assert implementers(code, "LIa;") == ["LLoopA;", "LLoopB;", "LSub;"]
        assert "LC0;" in implementers(code, "LI12;") and "LC0;" not in implementers(code, "LI13;")


@pytest.mark.corpus
def test_implementer_table_on_corpus_apps(corpus_dir: Path) -> None:
    """The one-pass implementer table equals interfaces_of() of every concrete class, on real apps; implementers()
    on a CodeIndex (walking down from the direct implementers) equals the table."""
    from appwarden.apk import open_apk
    from appwarden.dex.index import build_index
    from appwarden.rules.static_support import _class_info, _implementer_table, implementers, interfaces_of

    apks = (
        sorted((corpus_dir / "apks").glob("cn_sdk/*.apk"))[:6]
        + sorted((corpus_dir / "apks").glob("droidbench/*.apk"))[:3]
    )
    assert apks
    for path in apks:
        apk = open_apk(path)
        code = build_index([(n, apk.read(n)) for n in apk.dex_names])
        expected: dict[str, list[str]] = {}
        for cls in sorted(code.classes):
            info = _class_info(code, cls)
            if info is None or info.access_flags & 0x600:
                continue
            for iface in interfaces_of(code, cls):
                expected.setdefault(iface, []).append(cls)
        table = _implementer_table(code)
        assert table == expected, path.name
        for iface in [*table, "Lnobody/Implements;"]:  # the walk down from the direct implementers
            assert implementers(code, iface) == table.get(iface, []), (path.name, iface)


def test_component_entries_are_computed_once_per_evidence(fixtures_dir: Path) -> None:
    from dataclasses import replace

    from appwarden.evidence import Evidence
    from appwarden.rules import static_support
    from appwarden.scan import build_static_evidence

    static = build_static_evidence(fixtures_dir / "apks" / "pi_all.apk")
    entries = static_support._component_entries(static.manifest, static.code)
    assert entries and static_support.component_entries(Evidence(static=static)) == entries
    got = static_support.component_entries(Evidence(static=static))  # another wrapper of the same evidence
    assert got == entries
    got.append("Lx;->mutated()V")  # a fresh list per call: callers cannot corrupt the cache
    assert static_support.component_entries(Evidence(static=static)) == entries
    no_app = replace(static.manifest, components=[], application_class=None)
    assert static_support.component_entries(Evidence(static=replace(static, manifest=no_app))) == []


RULES_DIR = Path(__file__).parent


@pytest.mark.parametrize(
    "apk", ["_apps/consent_gated.apk", "policy.access.too_many_taps/nav_dialog_main.apk"]
)
def test_one_string_search_serves_the_later_ones(apk: str) -> None:
    """static_support.strings_containing answers a later search whose needles each hold a needle searched before
    (隐私政策 holds 隐私) from the remembered results (issue #19): exactly the index's own answers, in its order."""
    from appwarden.rules import static_support
    from appwarden.scan import build_evidence

    code = build_evidence(str(RULES_DIR / apk)).static.code

    def direct(needles: list[str]) -> list[tuple]:
        return [tuple(r) for r in code.strings_containing(needles)]

    first = ["隐私", "rivacy", "同意"]
    also = ["隐私政策", "个人信息保护政策", "https://", "file:///android_asset/"]
    got = static_support.strings_containing(code, first, also=also)
    assert got and [tuple(r) for r in got] == direct(first)
    searched = static_support._memo(code).strings[0]
    assert searched == {
        *first,
        "个人信息保护政策",
        "https://",
        "file:///android_asset/",
    }  # 隐私政策 holds 隐私
    hits = 0
    for later in (["隐私政策", "Privacy"], ["个人信息保护政策", "https://"], ["https://"], ["隐私"]):
        got = static_support.strings_containing(code, later)
        assert [tuple(r) for r in got] == direct(later), later
        hits += len(got)
        assert static_support._memo(code).strings[0] == searched  # answered from the first search
    assert hits
    got = static_support.strings_containing(code, ["agree"])  # not covered: searched anew
    assert [tuple(r) for r in got] == direct(["agree"])
    assert static_support._memo(code).strings[0] == {"agree"}
    # a needle the byte search and `in` may disagree on is never shared
    assert [tuple(r) for r in static_support.strings_containing(code, ["\U0001f600"])] == direct(
        ["\U0001f600"]
    )


def test_component_entries_and_startup_entries_of_every_fixture_app(fixtures_dir: Path) -> None:
    """The entries are those of the plain formulas: each component's superclass chain's callback methods in order
    (a superclass shared by components filtered once, issue #19), and the start-up entries with the code index's
    class view tested in place of a copied set (a code object listing its classes gives the same)."""
    from dataclasses import replace

    from appwarden.evidence import Evidence
    from appwarden.rules import static_support as ss
    from appwarden.scan import build_static_evidence

    seen = 0
    for apk in sorted((fixtures_dir / "apks").glob("*.apk")):
        static = build_static_evidence(apk)
        manifest, code = static.manifest, static.code
        if manifest is None or code is None:
            continue
        classes = [java_to_desc(c.name) for c in manifest.components]
        if manifest.application_class:
            classes.append(java_to_desc(manifest.application_class))
        plain: list[str] = []
        for cls in dict.fromkeys(classes):
            for c in ss.superclasses(code, cls):
                plain.extend(m for m in ss.methods_of(code, c) if _is_callback(m))
        assert ss._component_entries(manifest, code) == list(dict.fromkeys(plain)), apk.name
        startup = ss.startup_entries(Evidence(static=static))
        listed = _ListedClasses(code)
        assert ss.startup_entries(Evidence(static=replace(static, code=listed))) == startup, apk.name
        seen += bool(startup)
    assert seen  # some fixture app has start-up entries


class _ListedClasses:
    """A code index whose ``classes`` is a list, not a set-like view (everything else: the index's)."""

    def __init__(self, code: object) -> None:
        self._code = code

    def __getattr__(self, name: str) -> object:
        inner = self.__dict__["_code"]
        return list(inner.classes) if name == "classes" else getattr(inner, name)
