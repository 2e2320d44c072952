"""CodeIndex queries on the smali fixture and the fixture APKs."""

from __future__ import annotations

import pytest

from appwarden.dex.index import Ref, build_index
from appwarden.errors import KnowledgeError
from appwarden.limits import Limits

GET_STRING = "Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;"


def test_classes_and_class_info(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    assert {"Lcom/aw/t/Walk;", "Lcom/aw/t/Pi;", "Lcom/aw/t/MyTm;", "Lcom/aw/t/Sub;"} <= set(index.classes)
    info = index.class_info("Lcom/aw/t/Job;")
    assert info is not None
    assert info.superclass == "Ljava/lang/Object;"
    assert info.interfaces == ("Ljava/lang/Runnable;",)
    assert info.methods == ("Lcom/aw/t/Job;-><init>()V", "Lcom/aw/t/Job;->run()V")
    assert index.class_info("Lcom/aw/t/Base;").access_flags & 0x400  # abstract
    assert index.class_info("Landroid/app/Activity;") is None


def test_invokes_by_name_and_by_descriptor(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    by_name = index.invokes(["Landroid/provider/Settings$Secure;->getString"])
    assert {r.caller.split("->")[1].split("(")[0] for r in by_name} == {
        "androidId",
        "notAndroidId",
        "unknownSetting",
        "overwritten",
    }
    assert all(isinstance(r, Ref) and r.target == GET_STRING and r.dex == "classes.dex" for r in by_name)
    assert index.invokes([GET_STRING]) == by_name
    assert index.invokes([GET_STRING.replace("Ljava/lang/String;)", "I)")]) == []
    assert len({r.offset for r in by_name}) == 4


def test_invoke_callers_are_the_callers_of_invokes(main_dex: bytes, multidex_blobs) -> None:
    targets = [
        "Landroid/provider/Settings$Secure;->getString",
        "Ljava/lang/Class;->forName",
        "Ljava/lang/reflect/Method;->invoke",
        "Landroid/location/LocationManager;->getLastKnownLocation",
        "Ljava/lang/Object;-><init>",
        "Lnot/There;->nothing",
    ]
    for blobs in ([("classes.dex", main_dex)], multidex_blobs):
        index = build_index(blobs)
        for some in ([t] for t in targets):
            assert index.invoke_callers(some) == {r.caller for r in index.invokes(some)}
        assert index.invoke_callers(targets) == {r.caller for r in build_index(blobs).invokes(targets)}
        assert index.invoke_callers(targets)  # the fixtures call some of them


def test_many_targets_match_as_each_alone(main_dex: bytes, multidex_blobs) -> None:
    """A query of many targets (classes interleaved, some absent from a DEX, full descriptors and names) finds what
    each target finds alone on a fresh index: the targets are grouped by class once per query (issue #19)."""
    methods = [
        "Landroid/provider/Settings$Secure;->getString",
        "Landroid/telephony/TelephonyManager;->getDeviceId",
        GET_STRING,
        "Landroid/location/LocationManager;->getLastKnownLocation",
        "Landroid/telephony/TelephonyManager;->getImei",
        "Lnot/There;->nothing",
        "Ljava/lang/Object;-><init>()V",
        "Landroid/provider/Settings$Secure;->getInt",
    ]
    fields = [
        "Landroid/os/Build;->SERIAL",
        "Landroid/os/Build;->MODEL:Ljava/lang/String;",
        "Lnot/There;->FIELD",
        "Landroid/os/Build$VERSION;->SDK_INT:I",
        "Landroid/os/Build;->BRAND",
    ]
    for blobs in ([("classes.dex", main_dex)], multidex_blobs):
        for through in (False, True):
            alone = sorted(  # (two targets name the same method: each event once)
                {r for t in methods for r in build_index(blobs).invokes([t], through_app_subclasses=through)}
            )
            assert sorted(build_index(blobs).invokes(methods, through_app_subclasses=through)) == alone
        alone = sorted({r for t in fields for r in build_index(blobs).field_reads([t])})
        assert sorted(build_index(blobs).field_reads(fields)) == alone
    index = build_index([("classes.dex", main_dex)])
    assert index.invokes(methods, through_app_subclasses=True)  # the fixture calls some of them
    assert index.field_reads(fields)


def test_subclass_references_only_when_asked(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    target = [
        "Landroid/telephony/TelephonyManager;->getDeviceId",
        "Landroid/telephony/TelephonyManager;->getImei",
    ]
    assert index.invokes(target) == []
    refs = index.invokes(target, through_app_subclasses=True)
    # MyTm inherits getDeviceId (a framework call) but overrides getImei (its own code)
    assert [r.target for r in refs] == [
        "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
    ]
    assert refs[0].caller == "Lcom/aw/t/Pi;->viaSubclass(Lcom/aw/t/MyTm;)Ljava/lang/String;"


def test_field_reads_and_strings(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    [ref] = index.field_reads(["Landroid/os/Build;->SERIAL"])
    assert ref.caller == "Lcom/aw/t/Walk;->fields()I"
    assert ref.target == "Landroid/os/Build;->SERIAL:Ljava/lang/String;"
    assert index.field_reads(["Landroid/os/Build;->SERIAL:I"]) == []
    exact = index.strings_matching(["android_id"])
    assert {r.caller.split("->")[1].split("(")[0] for r in exact} == {"androidId", "overwritten"}
    pred = index.strings_matching(lambda s: s.startswith("content://"))
    prefix = index.strings_starting_with(["content://"])
    assert sorted(pred) == sorted(prefix)
    assert {r.target for r in prefix} == {
        "content://sms/inbox",
        "content://com.aw.t.data/items",
        "content://com.android.contacts/data",
        "content://smsx",
    }
    contained = index.strings_containing(["wlan0"])
    assert {r.target for r in contained} == {"cat /sys/class/net/wlan0/address", "xwlan0"}


def test_method_strings_and_literals(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    assert (
        index.method_strings("Lcom/aw/t/Pi;->gyro(Landroid/hardware/SensorManager;)Landroid/hardware/Sensor;")
        == []
    )
    assert index.method_literals(
        "Lcom/aw/t/Pi;->gyro(Landroid/hardware/SensorManager;)Landroid/hardware/Sensor;"
    ) == [4]
    assert index.method_strings("Lcom/aw/t/Nope;->x()V") == []


def test_corrupt_dex_is_recorded_and_others_indexed(main_dex: bytes) -> None:
    index = build_index(
        [("classes.dex", main_dex), ("classes2.dex", b"dex\n035\0garbage"), ("classes3.dex", b"")]
    )
    assert [c.name for c in index.codes] == ["classes.dex"]
    assert [e.path for e in index.errors] == ["classes2.dex", "classes3.dex"]
    assert all(e.stage == "dex" and "\n" not in e.message for e in index.errors)
    assert index.invokes(["Lcom/aw/t/Walk;->sink"])


def test_dex_count_limit(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex), ("classes2.dex", main_dex)], Limits(max_dex_files=1))
    assert len(index.codes) == 1
    assert "only the first 1" in index.errors[0].message


def test_bad_method_code_skipped_and_counted(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    code = index.codes[0]
    # make the first code item's insns_size run past the end of the file
    code_off = next(code.record(r)[3] for r in range(code.n_methods) if code.record(r)[3])
    broken = bytearray(main_dex)
    broken[code_off + 12 : code_off + 16] = (len(main_dex)).to_bytes(4, "little")
    index2 = build_index([("classes.dex", bytes(broken))])
    assert index2.codes[0].bad_methods == 1
    assert "1 methods with malformed code skipped" in index2.errors[0].message
    assert index2.stats()["methods"] == index.stats()["methods"]


def test_multidex_cross_dex_refs(multidex_blobs) -> None:
    index = build_index(multidex_blobs)
    refs = index.invokes(["Landroid/location/LocationManager;->getLastKnownLocation"])
    assert [(r.dex, r.caller) for r in refs] == [
        (
            "classes2.dex",
            "Lcom/appwarden/fixture/multidex/second/Locator;->locate(Landroid/content/Context;)Landroid/location/Location;",
        )
    ]


def test_bad_targets_give_one_line_errors(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    with pytest.raises(KnowledgeError, match="not a member descriptor"):
        index.invokes(["getDeviceId"])
    # a single string is one target, not a list of characters
    assert index.invokes("Lcom/aw/t/Walk;->sink") == index.invokes(["Lcom/aw/t/Walk;->sink"])
    assert index.strings_matching("android_id") == index.strings_matching(["android_id"])


def test_index_survives_pickling(main_dex: bytes) -> None:
    import pickle

    index = build_index([("classes.dex", main_dex)])
    _ = index.callgraph
    clone = pickle.loads(pickle.dumps(index))
    assert clone.invokes(["Lcom/aw/t/Walk;->sink"]) == index.invokes(["Lcom/aw/t/Walk;->sink"])
    assert clone.stats() == index.stats()
    assert clone.callgraph.callees("Lcom/aw/t/Graph;->onCreate(Landroid/os/Bundle;)V")


def expected_class_info(index, desc: str):
    """class_info computed the way it was before the per-class cache, straight from the DEX tables."""
    from appwarden.dex.index import ClassInfo
    from appwarden.dex.reader import NO_INDEX
    from appwarden.dex.records import METHOD_WORDS
    from appwarden.errors import DexFormatError

    ci, cdi = index._class_map[desc]
    code = index.codes[ci]
    dex = code.dex
    _cls, flags, sup, ifaces_off, *_ = dex.class_def(cdi)
    try:
        superclass = dex.type_desc(sup) if sup != NO_INDEX else None
        interfaces = tuple(dex.type_list(ifaces_off))
    except DexFormatError:
        superclass, interfaces = None, ()
    methods = tuple(dex.method_desc(code.methods[r * METHOD_WORDS + 1]) for r in code.by_class().get(cdi, []))
    return ClassInfo(desc, superclass, interfaces, flags, methods, dex.name)


def assert_class_infos(index) -> None:
    assert_hierarchy_queries(index)  # first: they must not depend on a ClassInfo built before
    for desc in index.classes:
        info = index.class_info(desc)
        assert info == expected_class_info(index, desc), desc
        assert index.class_info(desc) is info  # cached
    assert index.class_info("Lnot/in/the/App;") is None


def assert_hierarchy_queries(index) -> None:
    """subclasses() and direct_implementers() agree with the class_info() of every app class."""
    children: dict[str | None, set[str]] = {}
    implementing: dict[str, set[str]] = {}
    for desc in index.classes:
        info = expected_class_info(index, desc)
        children.setdefault(info.superclass, set()).add(desc)
        for iface in info.interfaces:
            implementing.setdefault(iface, set()).add(desc)
    children.pop(None, None)
    for parent in [*children, "Lnot/in/the/App;"]:
        got = index.subclasses(parent)
        assert len(got) == len(set(got)) and set(got) == children.get(parent, set()), parent
    for iface in [*implementing, "Lnobody/Implements;"]:
        got = index.direct_implementers(iface)
        assert len(got) == len(set(got)) and set(got) == implementing.get(iface, set()), iface
        assert got == index._direct_implementers_by_scan(iface), iface  # and the former scan's order


def test_class_info_of_every_class(main_dex: bytes, multidex_blobs) -> None:
    from .conftest import DATA

    assert_class_infos(build_index([("classes.dex", main_dex)]))
    assert_class_infos(build_index(multidex_blobs))
    assert_class_infos(
        build_index([(n, (DATA / n).read_bytes()) for n in ("hier_a.dex", "hier_b.dex", "hier.dex")])
    )


def test_index_with_filled_caches_survives_pickling(main_dex: bytes) -> None:
    import pickle

    index = build_index([("classes.dex", main_dex)])
    entry = "Lcom/aw/t/Graph;->onCreate(Landroid/os/Bundle;)V"
    info, seen = index.class_info("Lcom/aw/t/Job;"), index.callgraph.reachable([entry])
    clone = pickle.loads(pickle.dumps(index))
    assert clone.class_info("Lcom/aw/t/Job;") == info
    assert clone.callgraph.reachable([entry]) == seen
    work = "Lcom/aw/t/Sub;->work()V"
    assert clone.callgraph.callers(work) == index.callgraph.callers(work)


def test_by_class_lists_the_records_of_each_class(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    code = index.codes[0]
    groups: dict[int, list[int]] = {}
    for r, cdi in enumerate(code.methods[0::7].tolist()):
        groups.setdefault(cdi, []).append(r)
    by_class = code.by_class()
    assert dict(by_class) == groups and len(by_class) == len(groups)
    assert by_class.get(10_000, []) == [] and 10_000 not in by_class
    by_class[0].append(99)  # a fresh list per lookup: callers cannot corrupt the index
    assert by_class[0] == groups[0]


def test_class_records_are_the_records_of_each_class(main_dex: bytes) -> None:
    code = build_index([("classes.dex", main_dex)]).codes[0]
    groups: dict[int, list[int]] = {}
    for r, cdi in enumerate(code.methods[0::7].tolist()):
        groups.setdefault(cdi, []).append(r)
    for cdi in range(-1, code.dex.class_defs_size + 2):  # asked before by_class(): found by bisection
        assert list(code.class_records(cdi)) == groups.get(cdi, []), cdi
    assert {c: list(code.class_records(c)) for c in groups} == dict(code.by_class())


def test_method_records_find_every_record_of_a_method(main_dex: bytes, multidex_blobs) -> None:
    from appwarden.dex.records import METHOD_WORDS

    for index in (build_index([("classes.dex", main_dex)]), build_index(multidex_blobs)):
        for desc in index.classes:
            ci, cdi = index._class_map[desc]
            code = index.codes[ci]
            records = code.by_class().get(cdi, [])
            for method in {code.method_desc(code.methods[r * METHOD_WORDS + 1]) for r in records}:
                expected = [
                    (ci, r) for r in records if code.method_desc(code.methods[r * METHOD_WORDS + 1]) == method
                ]
                assert index.method_records(method) == expected, method
                # a new list each time: the map kept per class is not touched
                index.method_records(method).append((-1, -1))
                assert index.method_records(method) == expected, method
            assert index.method_records(f"{desc}->noSuchMethod()V") == []
            info = index.class_info(desc)
            assert info is not None
            assert info.methods == tuple(
                code.method_desc(code.methods[r * METHOD_WORDS + 1]) for r in records
            )
        assert index.method_records("Lnot/in/the/App;->run()V") == []


def _fixture_apks() -> list:
    from .conftest import DATA

    tests = DATA.parent.parent
    return sorted(tests.rglob("*.apk"))


@pytest.mark.parametrize("apk", _fixture_apks(), ids=lambda p: p.name)
def test_direct_implementers_map_equals_the_scan(apk) -> None:
    """direct_implementers() (answered from a map built once) gives the former per-interface scan's list, same order,
    for every interface any class names (and one nobody does), on every fixture APK; asked first on a fresh index
    and again (the map reused)."""
    from .conftest import dex_blobs_of

    index = build_index(dex_blobs_of(apk))
    reference = build_index(dex_blobs_of(apk))
    named: list[str] = []
    for ci, code in enumerate(reference.codes):
        for off in sorted(set(code.dex.class_defs[3::8].tolist())):
            named.extend(reference._type_list_or_empty(ci, off) if off else ())
    asked = [*dict.fromkeys(named), "Lnobody/Implements;"]
    for rounds in range(2):
        for iface in asked:
            assert index.direct_implementers(iface) == reference._direct_implementers_by_scan(iface), (
                iface,
                rounds,
            )


def test_direct_implementers_with_every_class_defined_twice(main_dex: bytes) -> None:
    """The same DEX loaded twice: only the first definitions count, as in the former scan."""
    index = build_index([("classes.dex", main_dex), ("classes2.dex", main_dex)])
    named = {i for c in index.classes for i in index.class_info(c).interfaces}
    assert named  # the fixture has classes implementing interfaces
    for iface in sorted(named):
        got = index.direct_implementers(iface)
        assert got and got == index._direct_implementers_by_scan(iface)
        assert all(index._class_map[c][0] == 0 for c in got)
