"""Owners the rule evaluation (docs/rules-eval.md) found wrong, fixed in the SDK knowledge base."""

from __future__ import annotations

from appwarden.sdk.kb import load_kb
from appwarden.sdk.match import Matcher


def test_baidu_push_location_module_is_owned_by_baidu_push() -> None:
    # BaiduPushDemo: BDLocManager's IMEI read and Wi-Fi/cell scans were reported as the app's own code
    matcher = Matcher(load_kb())
    assert matcher.owner_of("Lcom/baidu/loctp/str/BDLocManager;", ["com.example.push"]) == "baidu_push"
    assert matcher.owner_of("Lcom/baidu/loctpx/A;", ["com.example.push"]) != "baidu_push"
