"""Network security configs of the shared corpus: each parses or is an error note; the two known ones decide."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.apk import open_apk
from appwarden.apk.netsec import MAX_NSC_SIZE, parse_network_security_config
from appwarden.errors import AppwardenError
from appwarden.evidence import Evidence, StaticEvidence
from appwarden.rules.predicates.manifest_flags import manifest_flag

pytestmark = pytest.mark.corpus


def test_every_corpus_nsc_parses_or_is_noted(corpus_dir: Path) -> None:
    paths = sorted((corpus_dir / "apks").rglob("*.apk"))
    assert paths, "no APKs under corpus/apks"
    with_nsc = 0
    for path in paths:
        try:
            apk = open_apk(path)  # a bad NSC must never make this raise
        except AppwardenError:
            continue
        ref = apk.manifest.network_security_config
        if not ref:
            assert apk.manifest.network_security is None
            continue
        with_nsc += 1
        noted = [e for e in apk.errors if e.stage == "netsec"]
        assert apk.manifest.network_security is not None or noted, path.name
        if ref in apk:
            try:
                parse_network_security_config(
                    apk.archive.read(ref, max_size=MAX_NSC_SIZE), ref, apk.resources
                )
            except AppwardenError:
                assert noted, path.name
    assert with_nsc >= 2


def _flags(path: Path) -> tuple[list, list]:
    apk = open_apk(path)
    ev = Evidence(static=StaticEvidence(app=apk.app_info(), manifest=apk.manifest))
    return manifest_flag(ev, {"flag": "cleartext"}), manifest_flag(ev, {"flag": "user_ca"})


def test_nsc_decides_cleartext_over_the_attribute(corpus_dir: Path) -> None:
    """AndroidProject: usesCleartextTraffic="true" and an NSC whose base-config permits cleartext: the finding now
    cites the NSC and says the attribute is ignored."""
    path = corpus_dir / "apks" / "cn_sdk" / "AndroidProject__release_a.apk"
    if not path.is_file():
        pytest.skip(f"{path} not in the corpus")
    cleartext, user_ca = _flags(path)
    (item,) = cleartext[0].evidence
    assert item["attribute"] == "network-security-config base-config cleartextTrafficPermitted"
    assert item["value"] == "true" and item["file"] == "res/xml/network_security_config.xml"
    assert "usesCleartextTraffic=true is ignored" in item["note"]
    assert user_ca == []


def test_nsc_only_cleartext_is_found(corpus_dir: Path) -> None:
    """PolicyLibDemo: no usesCleartextTraffic, targetSdk 28, NSC res/xml/net_config.xml permitting cleartext in
    base-config: missed before (the NSC was not read), found now."""
    path = corpus_dir / "apks" / "cn_sdk" / "PolicyLibDemo__app-debug.apk"
    if not path.is_file():
        pytest.skip(f"{path} not in the corpus")
    cleartext, user_ca = _flags(path)
    (item,) = cleartext[0].evidence
    assert item["file"] == "res/xml/net_config.xml" and item["value"] == "true" and "note" not in item
    assert user_ca == []
