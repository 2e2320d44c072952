"""Tencent's QQ login SDK (wtlogin, ``oicq.wlogin_sdk``): a curated record since round eleven of the screening.

Without it, the SDK's classes counted as the app's own code: in nubia's app and game centres (benign_store5) its
utility class ``oicq.wlogin_sdk.tools.util`` fired ``ransomware.file_encryption``, and its IMEI, IMSI and MAC reads
were reported as 应用自身代码. The class lists below are the SDK's package layout as those two APKs ship it
(package names only)."""

from __future__ import annotations

import pytest

from appwarden.sdk.kb import load_kb
from appwarden.sdk.match import Matcher

# one class of each subpackage of the SDK as cn.nubia.collaborationgame ships it (SDK 5.2.0.8; the app centre
# carries the same layout)
WTLOGIN_CLASSES = [
    "Loicq/wlogin_sdk/code2d/code2d_base;",
    "Loicq/wlogin_sdk/devicelock/DevlockBase;",
    "Loicq/wlogin_sdk/oidb/NameUinInfo;",
    "Loicq/wlogin_sdk/register/reg_request;",
    "Loicq/wlogin_sdk/report/report_t;",
    "Loicq/wlogin_sdk/request/WtloginHelper;",
    "Loicq/wlogin_sdk/request/request_global;",
    "Loicq/wlogin_sdk/sharemem/WloginLoginInfo;",
    "Loicq/wlogin_sdk/tlv_type/tlv_t106;",
    "Loicq/wlogin_sdk/tools/util;",
    "Loicq/wlogin_sdk/tools/util$APNName;",
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_kb())


def test_record_is_curated() -> None:
    rec = load_kb().get("tencent_wtlogin")
    assert rec is not None and rec.curated
    assert rec.packages == ("oicq.wlogin_sdk",)
    assert rec.category == "social_login_share" and rec.chinese
    assert {"imei", "imsi", "mac"} <= set(rec.pi_collected)


@pytest.mark.parametrize("cls", WTLOGIN_CLASSES)
def test_sdk_classes_are_the_sdks(matcher: Matcher, cls: str) -> None:
    assert matcher.owner_of(cls, "cn.nubia.collaborationgame") == "tencent_wtlogin"


def test_package_boundaries(matcher: Matcher) -> None:
    # the prefix is a package, not a string: neighbours and the parent stay the app's
    for cls in ("Loicq/wlogin_sdkx/A;", "Loicq/A;", "Loicq/wlogin/A;", "Lcom/oicq/wlogin_sdk/A;"):
        assert matcher.owner_of(cls) == "host", cls


def test_identify_on_the_apps_class_list(matcher: Matcher) -> None:
    classes = [*WTLOGIN_CLASSES, "Lcom/tencent/assistant/AstApp;", "Lcom/qq/AppService/AstApp;"]
    hits = matcher.identify(classes, None, [], app_package="cn.nubia.collaborationgame")
    assert [(h.id, h.classes) for h in hits if h.id == "tencent_wtlogin"] == [
        ("tencent_wtlogin", len(WTLOGIN_CLASSES))
    ]
    # the app's own (Tencent-written) packages are not claimed by it
    assert matcher.owner_of("Lcom/qq/AppService/AstApp;", "cn.nubia.collaborationgame") == "host"
