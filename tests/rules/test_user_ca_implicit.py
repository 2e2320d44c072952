"""sec.user_ca_trusted: the implicit trust of user-installed CAs by apps targeting API 23 or lower."""

from __future__ import annotations

import pytest

from appwarden.apk.model import Manifest, NetworkSecurityConfig, NscConfig, NscTrustAnchor, UsesPermission
from appwarden.evidence import AppInfo, Evidence, StaticEvidence
from appwarden.rules.engine import evaluate_rule
from appwarden.rules.loader import load_rules

RULE = next(r for r in load_rules() if r.id == "sec.user_ca_trusted")
NET = [UsesPermission("android.permission.INTERNET")]


def _findings(manifest: Manifest):
    ev = Evidence(static=StaticEvidence(app=AppInfo(sha256="0" * 64), manifest=manifest))
    results = evaluate_rule(ev, RULE)
    assert results.errors == [] and results.not_evaluated == []
    return results.findings


def _nsc(base: NscConfig | None, domains: list[NscConfig] | None = None) -> NetworkSecurityConfig:
    return NetworkSecurityConfig(path="res/xml/nsc.xml", base_config=base, domain_configs=domains or [])


@pytest.mark.parametrize(
    ("target", "minimum", "fires"),
    [
        (23, 21, True),
        (22, None, True),
        (None, 19, True),
        (None, None, True),
        (24, 21, False),
        (30, 23, False),
    ],
)
def test_target_23_or_lower_without_a_config_trusts_user_cas(target, minimum, fires) -> None:
    found = _findings(Manifest(target_sdk=target, min_sdk=minimum, uses_permissions=NET))
    assert bool(found) is fires
    if fires:
        (f,) = found
        (item,) = f.evidence
        assert item["implicit"] is True and item["attribute"] == "targetSdkVersion"
        assert ("note" in item) is (target is None)
        assert "默认信任用户安装的CA证书" in f.message_zh and f.clauses == ["GB35273-6.3"]


def test_no_network_permission_no_finding() -> None:
    assert _findings(Manifest(target_sdk=22)) == []


def test_a_config_whose_base_sets_no_anchors_keeps_the_default() -> None:
    nsc = _nsc(NscConfig("base-config", cleartext_permitted=False))
    (f,) = _findings(Manifest(target_sdk=23, uses_permissions=NET, network_security=nsc,
                              network_security_config="@xml/nsc"))  # fmt: skip
    assert f.evidence[0]["file"] == "res/xml/nsc.xml" and "base-config未设置trust-anchors" in f.message_zh


def test_a_config_trusting_system_cas_only_clears_the_default() -> None:
    nsc = _nsc(NscConfig("base-config", trust_anchors=[NscTrustAnchor("system")]))
    assert _findings(Manifest(target_sdk=23, uses_permissions=NET, network_security=nsc,
                              network_security_config="@xml/nsc")) == []  # fmt: skip


def test_an_unreadable_declared_config_is_not_judged() -> None:
    assert _findings(Manifest(target_sdk=23, uses_permissions=NET, network_security_config="@xml/x")) == []


def test_explicit_and_implicit_trust_are_one_finding() -> None:
    base = NscConfig("base-config")
    dom = NscConfig("domain-config", trust_anchors=[NscTrustAnchor("user")])
    nsc = _nsc(base, [dom])
    (f,) = _findings(Manifest(target_sdk=21, uses_permissions=NET, network_security=nsc,
                              network_security_config="@xml/nsc"))  # fmt: skip
    assert [e.get("implicit", False) for e in f.evidence] == [False, True]
    assert "；targetSdkVersion为21" in f.message_zh
