"""The report's manifest ``flags.network_security``: the parsed config as Android applies it, shown per domain."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.apk.model import NetworkSecurityConfig, NscConfig, NscDomain, NscTrustAnchor
from appwarden.report.json import validate_report
from appwarden.scan import scan_apk

APPS = Path(__file__).resolve().parents[1] / "rules" / "_apps"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def _summary(app: str) -> dict:
    report = scan_apk(APPS / f"{app}.apk", run_rules=False)
    validate_report(report)
    return report["manifest"]["flags"]["network_security"]


def test_nested_domain_configs_inherit_cleartext_and_trust_anchors() -> None:
    nsc = _summary("nsc_user_ca")
    assert nsc["path"] == "res/xml/network_security_config.xml"
    assert (nsc["cleartext_permitted"], nsc["user_ca_trusted"]) == (False, True)
    by_domain = {d["domain"]: d for d in nsc["domains"]}
    assert [
        (d, v["cleartext_permitted"], v["user_ca_trusted"], v["pinned"]) for d, v in by_domain.items()
    ] == [
        ("log.example.cn", True, True, False),
        ("img.log.example.cn", True, True, False),  # inherits its parent's cleartext
        ("secure.log.example.cn", False, True, False),  # says false itself
        ("pay.example.cn", False, True, True),
    ]
    assert by_domain["log.example.cn"]["include_subdomains"] is True


def test_strict_config_and_cleartext_base() -> None:
    strict = _summary("nsc_strict")
    assert (strict["cleartext_permitted"], strict["user_ca_trusted"]) == (False, False)
    assert strict["domains"][0]["pinned"] is True
    assert _summary("nsc_cleartext")["cleartext_permitted"] is True


def test_debug_overrides_count_only_in_a_debuggable_app() -> None:
    nsc = _summary("nsc_debug_user_ca")
    assert nsc["debug_overrides_apply"] is True and nsc["debug_overrides_user_ca"] is True
    assert nsc["user_ca_trusted"] is False  # the release configuration itself does not trust user CAs


def test_no_config_is_null() -> None:
    report = scan_apk(FIXTURES / "minimal.apk", run_rules=False)
    assert report["manifest"]["flags"]["network_security"] is None


@pytest.mark.parametrize(("target_sdk", "expected"), [(23, True), (24, False)])
def test_without_trust_anchors_the_platform_default_applies(target_sdk: int, expected: bool) -> None:
    """No <trust-anchors> anywhere: user CAs are trusted by default only by apps targeting API 23 or lower."""
    cfg = NscConfig("domain-config", domains=[NscDomain("a.example")])
    nsc = NetworkSecurityConfig("res/xml/nsc.xml", base_config=NscConfig("base-config"), domain_configs=[cfg])
    assert nsc.trusts_user_ca(None, target_sdk) is expected
    assert nsc.trusts_user_ca(cfg, target_sdk) is expected
    nsc.base_config = NscConfig("base-config", trust_anchors=[NscTrustAnchor("system")])
    assert nsc.trusts_user_ca(cfg, target_sdk) is False  # the base's own anchors decide for its domains


def test_the_html_report_shows_the_config_per_domain() -> None:
    from appwarden.report.html import render_html

    html = render_html(scan_apk(APPS / "nsc_user_ca.apk", run_rules=False))
    assert 'network security config</span> <span class="mono">res/xml/network_security_config.xml' in html
    row = html[html.index('<td class="mono">pay.example.cn') :].split("</tr>", 1)[0]
    assert row.count("是 yes") == 2 and "否 no" in row  # user CAs trusted, pinned; no cleartext
    assert "network security config" not in render_html(scan_apk(FIXTURES / "minimal.apk", run_rules=False))
