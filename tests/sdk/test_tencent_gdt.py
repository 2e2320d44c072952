"""Tencent GDT / 优量汇 (``tencent_gdt``): its package prefixes are GDT's own subpackages, not all of ``com.qq.e``.

The record used to claim ``com.qq.e`` whole. nubia's 游戏中心 (``cn.nubia.collaborationgame`` 3.0.0, benign_store5)
ships 36 obfuscated classes of Tencent's PC phone-manager agent in ``com.qq.e`` itself and in the one-letter
subpackages ``com.qq.e.a`` .. ``com.qq.e.h`` (virus-scan fields, ROM detection, no GDT string): 优量汇 appeared in
its 第三方SDK清单 and 11 of its PI call sites were attributed to GDT.

GDT's subpackages below come from the SDK as apps ship it (decompiled apps in public repositories, SDK generations
from 2014 to 2023) and from LibChecker-Rules' 腾讯广告 SDK components (``com.qq.e.tg``, ``com.qq.e.downloader``);
see the record's comment for the sources.
"""

from __future__ import annotations

import pytest

from appwarden.sdk.kb import load_kb
from appwarden.sdk.match import Matcher

# one class of each GDT subpackage the record keeps
GDT_CLASSES = [
    "Lcom/qq/e/ads/splash/SplashAD;",  # current SDK (GDTSDK.unionNormal 4.x)
    "Lcom/qq/e/ads/PortraitADActivity;",
    "Lcom/qq/e/comm/managers/GDTAdSdk;",
    "Lcom/qq/e/comm/managers/status/SDKStatus;",
    "Lcom/qq/e/comm/plugin/util/PollTask;",  # the plugin's classes live under comm
    "Lcom/qq/e/comm/a;",
    "Lcom/qq/e/mediation/interfaces/BaseSplashAd;",
    "Lcom/qq/e/tg/splash/TGSplashAD;",  # Tencent-internal TG build (LibChecker: com.qq.e.tg.ADActivity)
    "Lcom/qq/e/downloader/DownloadService;",  # LibChecker: com.qq.e.downloader.DownloadService
    "Lcom/qq/e/R;",  # the aar's resource class sits in com.qq.e itself
    "Lcom/qq/e/R$string;",
    # the 2014-2015 SDK generation
    "Lcom/qq/e/v2/managers/GDTADManager;",
    "Lcom/qq/e/splash/SplashAd;",
    "Lcom/qq/e/appwall/GdtAppwall;",
    "Lcom/qq/e/gridappwall/GridAppWall;",
    "Lcom/qq/e/feeds/FeedsADDelegate;",
    "Lcom/qq/e/feedsad/FeedsAD;",
    "Lcom/qq/e/gdtnativead/GDTNativeAd;",
]

# the package layout of the PC-agent classes in cn.nubia.collaborationgame 3.0.0 (read from its DEX): one class in
# com.qq.e itself, the rest in one-letter subpackages a..h
NUBIA_AGENT_CLASSES = [
    "Lcom/qq/e/a;",
    "Lcom/qq/e/a/a;",
    "Lcom/qq/e/b/a;",
    "Lcom/qq/e/b/e;",
    "Lcom/qq/e/c/a;",
    "Lcom/qq/e/d/b;",
    "Lcom/qq/e/e/a;",
    "Lcom/qq/e/f/a;",
    "Lcom/qq/e/g/a;",
    "Lcom/qq/e/g/w;",
    "Lcom/qq/e/h/a;",
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_kb())


def test_record_is_curated_and_not_the_whole_namespace() -> None:
    rec = load_kb().get("tencent_gdt")
    assert rec is not None and rec.curated
    assert "com.qq.e" not in rec.packages
    assert all(p.startswith("com.qq.e.") for p in rec.packages)


@pytest.mark.parametrize("cls", GDT_CLASSES)
def test_gdt_classes_are_gdts(matcher: Matcher, cls: str) -> None:
    assert matcher.owner_of(cls, "com.example.app") == "tencent_gdt"


@pytest.mark.parametrize("cls", NUBIA_AGENT_CLASSES)
def test_agent_classes_in_com_qq_e_are_not_gdt(matcher: Matcher, cls: str) -> None:
    assert matcher.owner_of(cls, "cn.nubia.collaborationgame") == "host"


def test_package_boundaries(matcher: Matcher) -> None:
    # prefixes are packages, not strings: neighbours of GDT's subpackages stay unclaimed
    for cls in ("Lcom/qq/e/adsx/A;", "Lcom/qq/e/commx/A;", "Lcom/qq/e/Rx;", "Lcom/qq/e/o/ads/v2/HXSdk;"):
        assert matcher.owner_of(cls, "com.example.app") == "host", cls
    # Tencent's other com.qq.* SDKs keep their own records
    assert matcher.owner_of("Lcom/qq/gdt/action/GDTAction;", "com.example.app") == "tencent_gdt_action"


def test_identify_on_the_nubia_layout(matcher: Matcher) -> None:
    classes = [*NUBIA_AGENT_CLASSES, "Loicq/wlogin_sdk/request/WtloginHelper;"]
    hits = matcher.identify(classes, None, [], app_package="cn.nubia.collaborationgame")
    assert "tencent_gdt" not in {h.id for h in hits}


def test_identify_on_a_gdt_app(matcher: Matcher) -> None:
    classes = [*GDT_CLASSES, *NUBIA_AGENT_CLASSES]
    hits = matcher.identify(classes, None, [], app_package="com.example.app")
    assert [(h.id, h.classes) for h in hits if h.id == "tencent_gdt"] == [("tencent_gdt", len(GDT_CLASSES))]
