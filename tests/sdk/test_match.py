"""Matching rules of appwarden.sdk.match, one test per rule in the module docstring."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.sdk.kb import load_kb
from appwarden.sdk.match import Matcher, class_components, identify

from .conftest import manifest


@pytest.fixture
def matcher(tiny_kb_dir: Path) -> Matcher:
    return Matcher(load_kb(tiny_kb_dir))


def test_class_components() -> None:
    assert class_components("Lcom/umeng/analytics/MobclickAgent;") == [
        "com",
        "umeng",
        "analytics",
        "MobclickAgent",
    ]
    assert class_components("Lcom/umeng/a/b$1$2;") == ["com", "umeng", "a", "b"]
    assert class_components("com.umeng.Foo") == ["com", "umeng", "Foo"]
    assert class_components("[[Lcom/umeng/Foo;") == ["com", "umeng", "Foo"]


def test_package_boundaries_not_string_prefixes(matcher: Matcher) -> None:
    assert matcher.owner_of("Lcom/dv/Tracker;") == "dv_tracker"
    assert matcher.owner_of("Lcom/dv/x/y/Z;") == "dv_tracker"
    assert matcher.owner_of("Lcom/dvx/Foo;") == "host"
    assert matcher.owner_of("Lcom/dvd/player/Main;") == "host"


def test_exodus_463_app_namespace_under_a_generic_prefix_stays_host(matcher: Matcher) -> None:
    # app com.dv.adm (ADM download manager) vs a tracker owning com.dv
    assert matcher.owner_of("Lcom/dv/adm/MainActivity;", "com.dv.adm") == "host"
    hits = matcher.identify(["Lcom/dv/adm/MainActivity;", "Lcom/dv/adm/a/b;"], manifest("com.dv.adm"), [])
    assert hits == []


def test_longest_prefix_wins(matcher: Matcher) -> None:
    assert matcher.owner_of("Lcom/umeng/message/PushAgent;") == "umeng_push"
    assert matcher.owner_of("Lcom/umeng/analytics/MobclickAgent;") == "umeng"
    assert matcher.owner_of("Lcom/tencent/mm/opensdk/openapi/WXAPIFactory;") == "wechat"
    assert matcher.owner_of("Lcom/tencent/mm/ui/Launcher;") == "tencent_root"


def test_partial_obfuscation_still_matches_the_root(matcher: Matcher) -> None:
    assert matcher.owner_of("Lcom/umeng/a/b;") == "umeng"
    assert matcher.owner_of("Lcom/umeng/message/a/c$a;") == "umeng_push"


def test_host_package_never_attributed_to_parent_prefix(matcher: Matcher) -> None:
    # app com.tencent.foo: the com.tencent root does not claim it, a deeper SDK prefix would
    assert matcher.owner_of("Lcom/tencent/foo/Main;", "com.tencent.foo") == "host"
    assert matcher.owner_of("Lcom/tencent/mm/opensdk/X;", "com.tencent.foo") == "wechat"
    # app whose package equals a KB prefix's parent: demo app inside the SDK namespace
    assert matcher.owner_of("Lcom/umeng/example/MainActivity;", "com.umeng.example") == "host"
    assert matcher.owner_of("Lcom/umeng/analytics/MobclickAgent;", "com.umeng.example") == "umeng"
    # a KB prefix deeper than the app package still counts (the vendor's own app bundling its SDK)
    assert matcher.owner_of("Lcom/tencent/mm/opensdk/X;", "com.tencent.mm") == "wechat"


def test_launcher_activity_package_is_host(matcher: Matcher) -> None:
    # declared package com.jiguang.demo, code in cn.jpush.android.demo (under the jpush prefix)
    man = manifest("com.jiguang.demo", launcher="cn.jpush.android.demo.MainActivity")
    hits = matcher.identify(["Lcn/jpush/android/demo/MainActivity;", "Lcn/jpush/android/demo/R;"], man, [])
    assert hits == []
    hits = matcher.identify(
        ["Lcn/jpush/android/demo/MainActivity;", "Lcn/jpush/android/api/JPushInterface;"], man, []
    )
    assert [(h.id, h.classes) for h in hits] == [("jpush", 1)]


def test_sdk_component_as_launcher_does_not_become_host(matcher: Matcher) -> None:
    man = manifest("com.example.app", launcher="cn.jpush.android.ui.PushActivity")
    assert "cn.jpush.android.ui" not in matcher.host_packages(man)


def test_class_level_prefix(matcher: Matcher) -> None:
    assert matcher.owner_of("Lcom/stub/StubApp;") == "stub"
    assert matcher.owner_of("Lcom/stub/StubApp$1;") == "stub"
    assert matcher.owner_of("Lcom/stub/StubAppX;") == "host"
    hits = matcher.identify(["Lcom/stub/StubApp;", "Lcom/stub/Other;"], None, [])
    assert [(h.id, h.classes) for h in hits] == [("stub", 1)]


def test_identify_counts_and_signatures(matcher: Matcher) -> None:
    classes = [
        "Lcom/umeng/analytics/MobclickAgent;",
        "Lcom/umeng/a/b;",
        "Lcom/umeng/message/PushAgent;",
        "Lcom/example/app/Main;",
    ]
    man = manifest(
        "com.example.app",
        components=[
            ("service", "cn.jpush.android.service.PushService"),
            ("activity", "cn.jpush.android.ui.PopWin"),
        ],
        meta={"UMENG_APPKEY": "abc", "UMENG_SDK_VERSION": "9.6.3"},
        permissions=["android.permission.READ_PHONE_STATE"],
    )
    entries = ["lib/arm64-v8a/libjcore220.so", "assets/tbs/core.zip", "assets/tbsx", "assets/libjiagu_x86.so"]
    hits = {h.id: h for h in matcher.identify(classes, man, entries)}
    assert set(hits) == {"umeng", "umeng_push", "jpush", "x5", "stub"}
    assert hits["umeng"].classes == 2
    assert hits["umeng"].matched == ["meta:UMENG_APPKEY", "package:com.umeng"]
    assert hits["umeng"].version == "9.6.3"
    assert hits["umeng"].permissions == ["android.permission.READ_PHONE_STATE"]  # CAMERA is not requested
    assert hits["jpush"].classes == 0
    assert hits["jpush"].matched == [
        "component:cn.jpush.android.service.PushService",
        "component:cn.jpush.android.ui.PopWin",
        "native_lib:libjcore220.so",
    ]
    assert hits["x5"].matched == ["asset:assets/tbs"]  # assets/tbsx is not inside assets/tbs/
    assert hits["stub"].matched == ["asset:assets/libjiagu*.so"]


def test_component_meta_data_keys_count(matcher: Matcher) -> None:
    man = manifest("com.example.app", components=[("service", "com.example.app.S")])
    man.components[0].meta_data["UMENG_APPKEY"] = "k"
    assert [h.id for h in matcher.identify([], man, [])] == ["umeng"]


def test_no_manifest_no_entries_no_hits(matcher: Matcher) -> None:
    assert matcher.identify([], None, []) == []
    assert matcher.identify(["Lcom/example/A;", "La/a/a;", "LA;"], None, []) == []


def test_module_level_identify_uses_shipped_kb() -> None:
    hits = identify(["Lcom/tencent/bugly/crashreport/CrashReport;"], None, [], load_kb())
    assert [h.id for h in hits] == ["tencent_bugly"]
    assert hits[0].chinese is True


def test_shipped_kb_does_not_match_common_libraries() -> None:
    matcher = Matcher(load_kb())
    for cls in ("Landroidx/appcompat/app/AppCompatActivity;", "Lokhttp3/OkHttpClient;", "Lcom/google/gson/Gson;",
                "Lkotlin/jvm/internal/Intrinsics;", "Lcom/bumptech/glide/Glide;", "La/a/a/a;",
                "Lcom/facebook/fresco/Fresco;", "Lcom/squareup/picasso/Picasso;", "Lio/reactivex/Observable;"):  # fmt: skip
        assert matcher.owner_of(cls) == "host", cls


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PARTS = st.sampled_from(
    ["com", "cn", "umeng", "analytics", "message", "tencent", "mm", "opensdk", "stub", "StubApp", "StubApp$1",
     "mob", "MobSDK", "MobSDK$a", "jpush", "android", "api", "a", "b", "X", "X$1", "example", "huawei", "hms", "push"]
)  # fmt: skip
_NAMES = st.one_of(
    st.text(max_size=40),
    st.builds(lambda parts: "L" + "/".join(parts) + ";", st.lists(_PARTS, min_size=1, max_size=6)),
    st.builds(lambda parts: ".".join(parts), st.lists(_PARTS, min_size=1, max_size=6)),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_NAMES, max_size=30),
    st.one_of(
        st.none(), st.text(max_size=20), st.sampled_from(["com.umeng", "com.umeng.example", "com.tencent.mm"])
    ),
)
def test_arbitrary_class_names_never_crash(names: list[str], package: str | None) -> None:
    matcher = Matcher(load_kb())
    for name in names:
        assert isinstance(matcher.owner_of(name, package), str)
    hits = matcher.identify(names, None, names, app_package=package)
    assert all(h.classes >= 0 and h.matched for h in hits)
    # identify's per-package fast path agrees with owner_of() class by class
    expected: dict[str, int] = {}
    for name in names:
        owner = matcher.owner_of(name, package)
        if owner != "host":
            expected[owner] = expected.get(owner, 0) + 1
    got = {h.id: h.classes for h in hits if h.classes}
    assert got == expected


def test_identify_tolerates_missing_inputs() -> None:
    assert Matcher(load_kb()).identify(None, None, None) == []  # type: ignore[arg-type]


def test_class_named_like_a_package_prefix_is_not_inside_it() -> None:
    # found by the property test above: class ``com.mob`` (in package ``com``) is not in package ``com.mob``
    matcher = Matcher(load_kb())
    assert matcher.owner_of("Lcom/mob;") == "host"
    assert matcher.owner_of("Lcom/mob/tools/utils/DeviceHelper;") != "host"
    assert matcher.identify(["Lcom/mob;"], None, []) == []
