"""SDK identification on the real corpus APKs (expected SDKs from each app's source build files / README and a
hand check of its classes; see docs/sdk-eval.md), false-positive checks, and the importer's determinism."""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from appwarden.sdk.kb import load_kb
from appwarden.sdk.match import Matcher
from appwarden.sdk.packers import detect_packer

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.corpus


@cache
def _scan(path: str) -> tuple:
    from appwarden.apk import open_apk
    from appwarden.dex.index import build_index

    apk = open_apk(path)
    code = build_index([(n, apk.read(n)) for n in apk.dex_names])
    classes = list(code.classes)
    hits = Matcher(load_kb()).identify(classes, apk.manifest, apk.entry_names, code=code)
    packer = detect_packer(apk.entry_names, classes, apk.manifest)
    return {h.id: h for h in hits}, packer


EXPECTED = {
    "AndroidProject__release_a.apk": {
        "umeng_common",
        "umeng_analytics",
        "umeng_share",
        "tencent_bugly",
        "qq_connect",
    },
    "AndroidProject__release_b.apk": {"umeng_analytics"},
    "BaiduMapsApiDemo__lingdu.apk": {"baidu_map", "baidu_location"},
    "BaiduPushDemo.apk": {"baidu_push"},
    "BuglyDemo__app-release.apk": {"tencent_bugly"},
    "MobPush__demo.apk": {
        "mob_common",
        "mob_push",
        "xiaomi_push",
        "huawei_push",
        "meizu_push",
        "vivo_push",
        "firebase_messaging",
    },
    "MyWeixinTest__app-release.apk": {"wechat_opensdk"},
    "SMSSDK_Sample_3.3.0.apk": {"mob_smssdk", "mob_common"},
    "ShareSDK_Sample_2.6.2.apk": {"sharesdk", "mob_common", "weibo_sdk"},
    "SportService__app-release.apk": {"baidu_location"},
    "UmengDemo__Yichou.apk": {"umeng_analytics", "baidu_location"},
    "WeiboSDKDemo_v3.1.4.apk": {"weibo_sdk"},
    "XPush__xgdemo.apk": {"tencent_tpns", "xiaomi_push", "huawei_push"},
    "amap__locationServiceDemo.apk": {"amap_location"},
    "jjdxm_social__app-debug.apk": {"weibo_sdk", "qq_connect", "wechat_opensdk", "tencent_mta"},
    "jpush_hbuilder_demo__HBuilder-Hello.apk": {"jpush", "qq_connect", "iflytek_msc", "dcloud_uniapp"},
    "xgdemo3__comqqxgdemo-release.apk": {"tencent_tpns", "tencent_bugly", "tencent_tinker"},
}
NO_SDK = ("PolicyLibDemo__app-debug.apk", "XXPermissions__demo.apk", "Reinforce__app-release.apk")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cn_sdk_apps(corpus_dir: Path, name: str) -> None:
    hits, packer = _scan(str(corpus_dir / "apks" / "cn_sdk" / name))
    assert EXPECTED[name] <= set(hits), f"missing {EXPECTED[name] - set(hits)}"
    assert packer is None
    for sdk_id in EXPECTED[name]:
        assert hits[sdk_id].matched  # every hit says why


@pytest.mark.parametrize("name", NO_SDK)
def test_cn_apps_without_sdks(corpus_dir: Path, name: str) -> None:
    hits, packer = _scan(str(corpus_dir / "apks" / "cn_sdk" / name))
    assert hits == {} and packer is None


def test_sdk_classes_referenced_but_not_packaged_are_not_reported(corpus_dir: Path) -> None:
    # MobPush's OPPO plugin references com.coloros.mcssdk.* but the OPPO SDK classes are not in the APK
    hits, _ = _scan(str(corpus_dir / "apks" / "cn_sdk" / "MobPush__demo.apk"))
    assert "oppo_push" not in hits


def test_versions_from_static_fields(corpus_dir: Path) -> None:
    hits, _ = _scan(str(corpus_dir / "apks" / "cn_sdk" / "AndroidProject__release_a.apk"))
    assert hits["umeng_share"].version == "6.9.6"  # build.gradle: UMeng share 6.9.6
    hits, _ = _scan(str(corpus_dir / "apks" / "cn_sdk" / "BaiduMapsApiDemo__lingdu.apk"))
    assert hits["baidu_map"].version == "3.4.0"  # ships libBaiduMapSDK_v3_4_0_15.so
    hits, _ = _scan(str(corpus_dir / "apks" / "cn_sdk" / "xgdemo3__comqqxgdemo-release.apk"))
    assert hits["tencent_tinker"].version == "1.9.1"


def test_packed_app(corpus_dir: Path) -> None:
    hits, packer = _scan(str(corpus_dir / "apks" / "cn_sdk" / "Reinforce__app-release_10_jiagu_sign.apk"))
    assert packer is not None and packer.id == "qihoo_jiagu"
    assert set(hits) == {"qihoo_jiagu"}  # the KB lists the packer too; the app's own SDKs are encrypted


def test_global_apps_report_no_chinese_sdk(corpus_dir: Path) -> None:
    seen = set()
    for apk in sorted((corpus_dir / "apks" / "global_sdk").glob("*.apk")):
        hits, _ = _scan(str(apk))
        seen |= set(hits)
        assert not [h.id for h in hits.values() if h.chinese], apk.name
    assert {"google_admob", "firebase_analytics", "facebook_sdk", "firebase_crashlytics"} <= seen


@pytest.mark.slow
@pytest.mark.parametrize("folder", ["clean", "droidbench"])
def test_no_sdk_in_clean_apps(corpus_dir: Path, folder: str) -> None:
    from appwarden.errors import AppwardenError

    reported = {}
    for apk in sorted((corpus_dir / "apks" / folder).glob("*.apk")):
        try:
            hits, packer = _scan(str(apk))
        except AppwardenError:
            continue  # unreadable APKs are the APK reader's business
        if hits or packer:
            reported[apk.name] = (sorted(hits), packer)
    assert reported == {}


def test_attribution_on_a_real_app(corpus_dir: Path) -> None:
    from appwarden.scan import build_static_evidence

    ev = build_static_evidence(corpus_dir / "apks" / "cn_sdk" / "AndroidProject__release_a.apk")
    owners = {c.owner for c in ev.callsites}
    assert {"host", "umeng_common", "tencent_bugly"} <= owners
    for site in ev.callsites:
        if site.caller.startswith("Lcom/hjq/demo/"):
            assert site.owner == "host"
        if site.caller.startswith("Lcom/tencent/bugly/"):
            assert site.owner == "tencent_bugly"
    bugly = next(h for h in ev.sdks if h.id == "tencent_bugly")
    assert bugly.pi_categories and bugly.apis
    assert "android.permission.READ_PHONE_STATE" in bugly.permissions


def test_import_script_is_deterministic_and_up_to_date(corpus_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "import_sdks.py"), "--corpus", str(corpus_dir), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
