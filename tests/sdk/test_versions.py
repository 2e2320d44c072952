"""Version reading from DEX static values, on a small smali-built APK (tests/sdk/data/sdkapp.apk)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.sdk.kb import load_kb
from appwarden.sdk.match import Matcher
from appwarden.sdk.packers import detect_packer
from appwarden.sdk.versions import static_field_value

APK = Path(__file__).parent / "data" / "sdkapp.apk"
SDKVERSION = "Lcom/umeng/commonsdk/statistics/SdkVersion;"


@pytest.fixture(scope="module")
def app():  # type: ignore[no-untyped-def]
    from appwarden.apk import open_apk
    from appwarden.dex.index import build_index

    apk = open_apk(APK)
    return apk, build_index([(n, apk.read(n)) for n in apk.dex_names])


def test_static_values_walk_over_other_types(app) -> None:  # type: ignore[no-untyped-def]
    _apk, code = app
    assert static_field_value(code, SDKVERSION, "SDK_VERSION") == "9.4.2"
    assert static_field_value(code, SDKVERSION, "PROTOCOL_VERSION") == "1.0.0"
    assert static_field_value(code, SDKVERSION, "NOT_A_VERSION") == "umeng"
    assert static_field_value(code, SDKVERSION, "NOTHING") is None  # null
    assert static_field_value(code, SDKVERSION, "LEVEL") is None  # not a string
    assert static_field_value(code, SDKVERSION, "UNSET") is None  # no initial value
    assert static_field_value(code, SDKVERSION, "MISSING") is None
    assert static_field_value(code, "Lcom/absent/Cls;", "X") is None


def test_identify_on_built_apk(app) -> None:  # type: ignore[no-untyped-def]
    apk, code = app
    hits = {
        h.id: h
        for h in Matcher(load_kb()).identify(list(code.classes), apk.manifest, apk.entry_names, code=code)
    }
    # the demo's own com.umeng.example.Main is host, SdkVersion is UMeng common (version from static_values)
    assert hits["umeng_common"].classes == 1
    assert hits["umeng_common"].version == "9.4.2"
    assert "meta:UMENG_APPKEY" in hits["umeng_common"].matched
    # TINKER_VERSION is not final: read from the const-string of <clinit>
    assert hits["tencent_tinker"].version == "1.9.14"
    assert hits["jpush"].matched == [
        "component:cn.jpush.android.service.PushService",
        "package:cn.jpush.android",
    ]
    assert hits["jpush"].permissions == ["android.permission.READ_PHONE_STATE"]
    assert Matcher(load_kb()).owner_of("Lcom/umeng/example/Main;", apk.manifest.package) == "host"


def test_stub_class_makes_it_packed(app) -> None:  # type: ignore[no-untyped-def]
    apk, code = app
    info = detect_packer(apk.entry_names, list(code.classes), apk.manifest)
    assert info is not None and info.id == "qihoo_jiagu" and info.matched == ["class:Lcom/stub/StubApp;"]


def test_garbage_code_object_gives_no_version() -> None:
    class Broken:
        _class_map = {SDKVERSION: (0, 0)}
        codes = [object()]

    assert static_field_value(Broken(), SDKVERSION, "SDK_VERSION") is None
    assert static_field_value(object(), SDKVERSION, "SDK_VERSION") is None
