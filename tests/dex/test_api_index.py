"""PI call sites: kinds, arg filters (resolved / rejected / unresolved), reflection, knowledge loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.dex.api_index import PiApiIndex, find_callsites
from appwarden.dex.index import build_index
from appwarden.errors import KnowledgeError

PI = "Lcom/aw/t/Pi;->"
QUERY = (
    "Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;"
    "[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;"
)


@pytest.fixture(scope="module")
def sites(main_dex: bytes):
    return find_callsites(build_index([("classes.dex", main_dex)]), PiApiIndex.load())


def of(sites, method: str, kind: str = "invoke"):
    return [
        (s.category, s.arg, s.unresolved)
        for s in sites
        if s.caller.split("->")[1].startswith(method + "(") and s.kind == kind
    ]


def test_arg_filters_resolve_accept_reject_or_mark_unresolved(sites) -> None:
    assert of(sites, "androidId") == [("android_id", "android_id", False)]
    assert of(sites, "notAndroidId") == []  # resolved to another setting: not PI of that category
    assert of(sites, "unknownSetting") == [("android_id", None, True)]
    assert of(sites, "overwritten") == [
        ("android_id", None, True)
    ]  # the const was overwritten by a parameter
    assert of(sites, "sms") == [("sms", "content://sms/inbox", False)]
    assert of(sites, "ownProvider") == []  # the app's own provider
    assert of(sites, "anyQuery") == [("contacts", None, True)]  # documented default for ContentResolver.query
    assert of(sites, "gyro") == [("sensors", "4", False)]
    assert of(sites, "light") == []  # TYPE_LIGHT is not a motion sensor


def test_offsets_point_at_the_invoke(sites, main_dex: bytes) -> None:
    for s in sites:
        assert s.dex == "classes.dex"
        op = main_dex[s.offset]
        if s.kind == "invoke":
            assert 0x6E <= op <= 0x78 or op in (0xFA, 0xFB)
        elif s.kind == "field":
            assert 0x60 <= op <= 0x66
        else:
            assert op in (0x1A, 0x1B)


def test_subclass_call_resolved_to_framework_api(sites) -> None:
    hits = [s for s in sites if s.caller.startswith(PI + "viaSubclass(")]
    assert [(s.api, s.category) for s in hits] == [
        ("Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;", "imei")
    ]


def test_reflection_needs_strings_and_a_reflective_call(sites) -> None:
    refl = [s for s in sites if s.kind == "reflection"]
    assert [(s.caller.split("->")[1].split("(")[0], s.api, s.category) for s in refl] == [
        ("reflect", "Landroid/telephony/TelephonyManager;->getSubscriberId", "imsi")
    ]


def test_string_and_content_uri_matching(sites) -> None:
    got = {(s.kind, s.api, s.category) for s in sites if s.kind in ("string", "content_uri")}
    assert ("content_uri", "content://sms/inbox", "sms") in got
    assert ("content_uri", "content://com.android.contacts/data", "contacts") in got
    assert ("string", "cat /sys/class/net/wlan0/address", "mac") in got
    assert ("string", "android_id", "android_id") in got
    assert not any(api in ("content://smsx", "xwlan0") for _k, api, _c in got)


def test_field_sites(sites) -> None:
    assert [(s.api, s.category) for s in sites if s.kind == "field"] == [
        ("Landroid/os/Build;->SERIAL:Ljava/lang/String;", "serial")
    ]


def test_without_filters_every_candidate_category_kept(main_dex: bytes) -> None:
    index = build_index([("classes.dex", main_dex)])
    raw = find_callsites(index, PiApiIndex.load(), apply_filters=False)
    own = {s.category for s in raw if s.caller.startswith(PI + "ownProvider(") and s.api == QUERY}
    assert own == {"contacts", "call_log", "sms", "calendar", "photos_storage"}


# The expected call sites of tests/fixtures/apks/pi_all.apk, from its README (written by the fixture's author).
PI_ALL = "Lcom/appwarden/fixture/pi/Pi;->"
EXPECTED_PI_ALL = [
    (
        PI_ALL + "imei(",
        "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
        "imei",
        "invoke",
    ),
    (PI_ALL + "serial(", "Landroid/os/Build;->SERIAL:Ljava/lang/String;", "serial", "field"),
    (PI_ALL + "android_id(", "Landroid/provider/Settings$Secure;->getString(", "android_id", "invoke"),
    (PI_ALL + "oaid(", "Lcom/bun/miitmdid/core/MdidSdkHelper;->InitSdk(", "oaid", "invoke"),
    (PI_ALL + "mac(", "Landroid/net/wifi/WifiInfo;->getMacAddress()", "mac", "invoke"),
    (PI_ALL + "contacts(", "Landroid/provider/ContactsContract$Contacts;->CONTENT_URI:", "contacts", "field"),
    (PI_ALL + "call_log(", "Landroid/provider/CallLog$Calls;->CONTENT_URI:", "call_log", "field"),
    (PI_ALL + "sms(", "Landroid/content/ContentResolver;->query(", "sms", "invoke"),
    (PI_ALL + "sms(", "content://sms/inbox", "sms", "content_uri"),
    (PI_ALL + "calendar(", "Landroid/content/ContentResolver;->query(", "calendar", "invoke"),
    (PI_ALL + "sensors(", "Landroid/hardware/SensorManager;->getDefaultSensor(I)", "sensors", "invoke"),
    (
        PI_ALL + "runtime_evasion(",
        "Ljava/lang/Runtime;->exec(Ljava/lang/String;)",
        "runtime_evasion",
        "invoke",
    ),
    (PI_ALL + "reflectImei(", "Landroid/telephony/TelephonyManager;->getDeviceId", "imei", "reflection"),
    (PI_ALL + "reflectImei(", "Ljava/lang/Class;->forName(", "runtime_evasion", "invoke"),
    (
        "Lcom/umeng/commonsdk/UMConfigure;->init(",
        "Ljava/net/NetworkInterface;->getHardwareAddress()[B",
        "mac",
        "invoke",
    ),
    (
        "Lcn/jpush/android/api/JPushInterface;->init(",
        "Landroid/content/pm/PackageManager;->getInstalledApplications(",
        "app_list",
        "invoke",
    ),
    (
        "Lcn/jpush/android/service/PushService;->onCreate(",
        "Landroid/location/LocationManager;->getLastKnownLocation(",
        "location",
        "invoke",
    ),
]


def test_pi_all_fixture_expected_callsites(pi_all_blobs) -> None:
    sites = find_callsites(build_index(pi_all_blobs), PiApiIndex.load())
    for caller, api, category, kind in EXPECTED_PI_ALL:
        assert any(
            s.caller.startswith(caller)
            and s.api.startswith(api)
            and s.category == category
            and s.kind == kind
            for s in sites
        ), (caller, api, category, kind)
    categories = {s.category for s in sites}
    assert len(categories) >= 25
    assert not any(s.unresolved for s in sites)


def test_knowledge_errors(tmp_path: Path) -> None:
    bad = tmp_path / "pi.yaml"
    bad.write_text("categories:\n  imei:\n    apis: [notadescriptor]\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"imei\.apis"):
        PiApiIndex.load(bad)
    bad.write_text("nothing: here\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="categories"):
        PiApiIndex.load(bad)


def test_packaged_knowledge_loads() -> None:
    pi = PiApiIndex.load()
    assert "imei" in pi.apis["Landroid/telephony/TelephonyManager;->getDeviceId"]
    assert set(pi.filters["Landroid/content/ContentResolver;->query"]) >= {"contacts", "sms", "call_log"}
