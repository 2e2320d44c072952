"""Attribution rules of appwarden.sdk.attribute (each case of the module docstring)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.evidence import CallSite, SdkHit
from appwarden.sdk.attribute import attribute
from appwarden.sdk.kb import load_kb
from appwarden.sdk.match import Matcher

from .conftest import manifest

IMEI = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"
LOC = (
    "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;"
)


def site(cls: str, api: str = IMEI, category: str = "imei") -> CallSite:
    return CallSite(caller=f"{cls}->run()V", api=api, category=category)


@pytest.fixture
def matcher(tiny_kb_dir: Path) -> Matcher:
    return Matcher(load_kb(tiny_kb_dir))


@pytest.mark.parametrize(
    ("caller_class", "owner"),
    [
        ("Lcom/umeng/message/PushAgent;", "umeng_push"),  # nested SDK package: longest prefix wins
        ("Lcom/umeng/analytics/pro/a;", "umeng"),
        ("Lcom/umeng/a/b;", "umeng"),  # obfuscated below the root
        ("Lcom/umengx/Foo;", "host"),  # not a package boundary
        ("Lcom/example/app/shaded/com/umeng/analytics/X;", "host"),  # shaded under the host package
        ("Lcom/example/app/Main$1;", "host"),
        ("Lcom/umeng/message/PushAgent$2$1;", "umeng_push"),  # inner classes follow the outer class
    ],
)
def test_owner_rules(matcher: Matcher, caller_class: str, owner: str) -> None:
    [out] = attribute([site(caller_class)], matcher, app_package="com.example.app")
    assert out.owner == owner


def test_demo_app_inside_sdk_namespace(matcher: Matcher) -> None:
    man = manifest("com.umeng.example")
    sites = [site("Lcom/umeng/example/MainActivity;"), site("Lcom/umeng/analytics/MobclickAgent;")]
    assert [s.owner for s in attribute(sites, matcher, manifest=man)] == ["host", "umeng"]


def test_host_package_under_generic_vendor_root(matcher: Matcher) -> None:
    man = manifest("com.tencent.foo")
    sites = [site("Lcom/tencent/foo/a;"), site("Lcom/tencent/mm/opensdk/b;"), site("Lcom/tencent/other/c;")]
    assert [s.owner for s in attribute(sites, matcher, manifest=man)] == ["host", "wechat", "tencent_root"]


def test_callsites_are_new_objects_and_input_unchanged(matcher: Matcher) -> None:
    original = site("Lcom/umeng/a/b;")
    [out] = attribute([original], matcher)
    assert original.owner == "host" and out.owner == "umeng"
    assert out.caller == original.caller and out.api == original.api


def test_hits_get_pi_categories_apis_and_permissions(matcher: Matcher) -> None:
    man = manifest("com.example.app", permissions=["android.permission.CAMERA"])
    hits = matcher.identify(["Lcom/umeng/a/b;", "Lcn/jpush/android/api/J;"], man, [])
    sites = [
        site("Lcom/umeng/a/b;"),
        site("Lcom/umeng/a/c;", LOC, "location"),
        site("Lcom/umeng/a/b;"),  # duplicate API: listed once
        site("Lcom/example/app/Main;", LOC, "location"),  # host: not on any hit
        site("Lcom/dv/Tracker;"),  # owner not in hits yet: a hit is added
    ]
    out = attribute(sites, matcher, hits, man)
    by_id = {h.id: h for h in hits}
    assert by_id["umeng"].pi_categories == ["imei", "location"]
    assert by_id["umeng"].apis == sorted({IMEI, LOC})
    assert by_id["umeng"].permissions == ["android.permission.CAMERA"]
    assert by_id["jpush"].pi_categories == [] and by_id["jpush"].apis == []
    assert by_id["dv_tracker"].matched == ["callsite_owner"] and by_id["dv_tracker"].pi_categories == ["imei"]
    assert [s.owner for s in out] == ["umeng", "umeng", "umeng", "host", "dv_tracker"]


def test_existing_hit_objects_are_completed_in_place(matcher: Matcher) -> None:
    hit = SdkHit("umeng", "友盟", "UMeng", "v", "analytics")
    attribute([site("Lcom/umeng/x/Y;")], matcher, [hit])
    assert hit.pi_categories == ["imei"]


def test_mark_reachable(matcher: Matcher) -> None:
    from appwarden.sdk.attribute import mark_reachable

    hits = [SdkHit(i, i, i, "v", "other") for i in ("umeng", "umeng_push", "jpush", "dv_tracker")]
    sites = attribute(
        [
            site("Lcom/umeng/a/b;"),  # reachable via the method set
            site("Lcom/umeng/message/A;"),  # not reachable
            CallSite(
                caller="Lcom/dv/X;->run()V",
                api=IMEI,
                category="imei",
                reachable_from=("Lcom/app/Main;->onCreate()V",),
            ),
            site("Lcom/example/app/Main;"),  # host: ignored
        ],
        matcher,
    )
    mark_reachable(hits, sites, {"Lcom/umeng/a/b;->run()V", "Lcom/example/app/Main;->run()V"})
    assert [(h.id, h.reachable) for h in hits] == [
        ("umeng", True),
        ("umeng_push", False),
        ("jpush", None),  # no PI call site: unknown, presence is not use
        ("dv_tracker", True),
    ]


def test_with_owner_equals_replace_over_every_field() -> None:
    """with_owner builds the call site positionally: a field added to CallSite (or reordered) must fail here."""
    import dataclasses

    from appwarden.sdk.attribute import with_owner

    values = {
        "caller": "Lcom/a/B;->run()V",
        "api": IMEI,
        "category": "imei",
        "kind": "reflection",
        "dex": "classes7.dex",
        "offset": 1234,
        "owner": "host",
        "arg": "android_id",
        "unresolved": True,
        "reachable_from": ("Lcom/a/Main;->onCreate(Landroid/os/Bundle;)V",),
    }
    assert [f.name for f in dataclasses.fields(CallSite)] == list(values)
    original = CallSite(**values)  # type: ignore[arg-type]
    got = with_owner(original, "umeng")
    assert got == dataclasses.replace(original, owner="umeng")
    assert [getattr(got, f) for f in values] == [
        *list(values.values())[:6],
        "umeng",
        *list(values.values())[7:],
    ]
