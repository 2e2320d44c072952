"""Obfuscated vendor code that the report used to call the app's own (report audit, docs/report-audit.md).

A 通报 built from ``应用自身代码存在读取设备识别码IMEI…`` blames the developer for code an SDK brought in. Two
obfuscated namespaces seen in the cn_sdk corpus are SDK code by their own strings, and Google Play services' shared
runtime (``com.google.android.gms.common/internal/...``) had no SDK record at all:

* ``com.huawei.a.*`` (XPush__xgdemo.apk): Huawei HiAnalytics inside the HMS push SDK (log tags ``HiAnalytics``,
  ``HiAnalytics/Server``, files ``hianalytics_*``); it reads the IMEI, serial and Android ID.
* ``com.tencent.a.a.a.a.*`` (jjdxm_social__app-debug.apk): Tencent's MID device-id library shipped with MTA
  (``read mid from Settings.System``, ``write mid to sharedPreferences``); it reads the IMEI and Wi-Fi MAC.

Not claimed: ``com.tencent.mm.a.*`` (the legacy WeChat SDK jar's MD5 helper in the same app) because inside WeChat
itself that name is WeChat's own obfuscated code, and the host-namespace rule would hand it to the SDK.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.sdk.kb import load_kb
from appwarden.sdk.match import Matcher

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "apks"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_kb())


@pytest.mark.parametrize(
    ("caller", "app_package", "owner"),
    [
        ("Lcom/huawei/a/e/n;", "com.xuexiang.xgdemo", "huawei_hms_core"),
        ("Lcom/huawei/a/e/h;", "com.xuexiang.xgdemo", "huawei_hms_core"),
        ("Lcom/tencent/a/a/a/a/h;", "com.dou361.jjdxm_social", "tencent_mta"),
        # Google Play services' shared runtime: zz* classes read the Android ID and location in exodus__blooddonation
        ("Lcom/google/android/gms/internal/zzaiy;", "fr.mobdev.blooddonation", "google_play_services"),
        (
            "Lcom/google/android/gms/common/net/zza;",
            "diego.rayme.martinez.labfirebasecalificado",
            "google_play_services",
        ),
        # the Facebook SDK's Places module scans Wi-Fi and BLE (SocialMediaIntegration__app-release)
        (
            "Lcom/facebook/places/internal/WifiScannerImpl;",
            "com.chromeinfotech.socialmediaintegration",
            "facebook_sdk",
        ),
        # the product-specific packages keep their own SDK (longest prefix wins)
        ("Lcom/google/android/gms/location/LocationServices;", "fr.mobdev.blooddonation", "google_location"),
        (
            "Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;",
            "fr.mobdev.blooddonation",
            "google_adid",
        ),
    ],
)
def test_obfuscated_sdk_namespaces_are_not_host(
    matcher: Matcher, caller: str, app_package: str, owner: str
) -> None:
    assert matcher.owner_of(caller, app_package) == owner


def test_vendor_apps_keep_their_own_obfuscated_code(matcher: Matcher) -> None:
    """Only the namespaces the strings prove are claimed: other obfuscated vendor packages stay host."""
    assert matcher.owner_of("Lcom/tencent/mm/a/a;", "com.tencent.mm") == "host"
    assert matcher.owner_of("Lcom/huawei/appgallery/a/b;", "com.xuexiang.xgdemo") == "host"
    assert matcher.owner_of("Lcom/tencent/a/b;", "com.example") == "host"  # only the MID depth is claimed


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("apk", "prefix"),
    [
        ("cn_sdk/XPush__xgdemo.apk", "Lcom/huawei/a/"),
        ("cn_sdk/jjdxm_social__app-debug.apk", "Lcom/tencent/a/a/a/a/"),
        ("global_sdk/exodus__blooddonation.apk", "Lcom/google/android/gms/"),
        ("global_sdk/LabCalificadoFirebase__app-release.apk", "Lcom/google/android/gms/"),
    ],
)
def test_corpus_device_id_findings_name_the_sdk(apk: str, prefix: str) -> None:
    path = CORPUS / apk
    if not path.exists():
        pytest.skip(f"corpus APK {apk} not present")
    from appwarden.scan import scan_apk

    report = scan_apk(path)
    for finding in report["findings"]:
        for ref in finding["evidence"]:
            if str(ref.get("caller", "")).startswith(prefix):
                assert finding["owner"] != "host", (finding["rule_id"], ref["caller"])
