"""The APK reader against the shared corpus: nothing crashes, manifests agree with aapt, edge vectors behave."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import pytest

from appwarden.apk import open_apk
from appwarden.errors import ApkFormatError, AppwardenError

pytestmark = pytest.mark.corpus


def _checked(corpus_dir: Path, corpus_manifest: list[dict[str, str]], rel: str) -> Path:
    row = next((r for r in corpus_manifest if r["file"] == rel), None)
    if row is None:
        pytest.skip(f"{rel} not listed in corpus MANIFEST.tsv")
    path = corpus_dir / rel
    if hashlib.sha256(path.read_bytes()).hexdigest() != row["sha256"]:
        pytest.skip(f"{rel} does not match its MANIFEST.tsv sha256")
    return path


@pytest.mark.slow
def test_every_corpus_apk_opens_or_fails_cleanly(corpus_dir: Path) -> None:
    paths = sorted((corpus_dir / "apks").rglob("*.apk"))
    assert paths, "no APKs under corpus/apks"
    opened = failed = 0
    for path in paths:
        try:
            apk = open_apk(path)
        except AppwardenError as exc:
            assert str(exc) and "\n" not in str(exc)
            failed += 1
            continue
        opened += 1
        for name in apk.dex_names:
            with contextlib.suppress(AppwardenError):
                assert apk.read(name)[:3] == b"dex"
        apk.app_info()
    assert opened > failed


# Expectations derived by hand from `aapt dump badging` / `aapt dump permissions` (Debian's aapt) on these files.
# permission count = the uses-permission and uses-permission-sdk-23 lines of `aapt dump permissions`.
AAPT = [
    ("cn_sdk/UmengDemo__Yichou.apk", "com.example.umengdemo", 3, 19, 26),
    ("clean/fdroid__souch.smsbypass_9.apk", "souch.smsbypass", 9, 18, 5),
    ("cn_sdk/MobPush__demo.apk", "com.mob.demo.mobpush", 1, 28, 28),
    ("edge/androguard__duplicate.permisssions_9999999.apk", "duplicate.permisssions", 9999999, 27, 8),
    ("cn_sdk/xgdemo3__comqqxgdemo-release.apk", "cn.wl.cogoo.service", 2, 23, 29),
]


@pytest.mark.parametrize(("rel", "package", "version_code", "target", "n_perms"), AAPT)
def test_manifest_matches_aapt(
    corpus_dir: Path,
    corpus_manifest: list[dict[str, str]],
    rel: str,
    package: str,
    version_code: int,
    target: int,
    n_perms: int,
) -> None:
    m = open_apk(_checked(corpus_dir, corpus_manifest, "apks/" + rel)).manifest
    assert (m.package, m.version_code, m.target_sdk, len(m.uses_permissions)) == (
        package,
        version_code,
        target,
        n_perms,
    )


def test_duplicate_permissions_and_max_sdk(corpus_dir: Path, corpus_manifest: list[dict[str, str]]) -> None:
    rel = "apks/edge/androguard__duplicate.permisssions_9999999.apk"
    m = open_apk(_checked(corpus_dir, corpus_manifest, rel)).manifest
    assert m.permissions.count("android.permission.INTERNET") == 1  # listed twice, deduplicated
    max_sdks = {p.name: p.max_sdk for p in m.uses_permissions if p.max_sdk}
    assert max_sdks == {
        "android.permission.REQUEST_IGNORE_BATTERY_OPTIMIZATIONS": 27,
        "android.permission.WRITE_EXTERNAL_STORAGE": 18,
    }


def test_missing_min_target_sdk(corpus_dir: Path, corpus_manifest: list[dict[str, str]]) -> None:
    m = open_apk(
        _checked(corpus_dir, corpus_manifest, "apks/edge/fdroid__no.min.target.sdk_987.apk")
    ).manifest
    assert (m.min_sdk, m.target_sdk, m.effective_target_sdk) == (None, None, 1)


def _expected_schemes(name: str) -> set[str] | None:
    """What the apksig vector's file name says about its schemes (None: the name does not say)."""
    if "unsigned" in name:
        return set()
    if "v1-only" in name:
        return {"v1"}
    if "v2-only" in name or "v2only" in name or "v2.only" in name:
        return {"v2"}
    if "v1.v2.sig" in name:
        return {"v1", "v2"}
    if "v1v2v3" in name:
        return {"v1", "v2", "v3"}
    return None


def test_edge_signature_schemes_follow_file_names(corpus_dir: Path) -> None:
    checked = 0
    for path in sorted((corpus_dir / "apks" / "edge").glob("*.apk")):
        name = path.name
        if "wrong-apk-sig-block-magic" in name:
            continue  # checked below
        expected = _expected_schemes(name)
        if expected is None:
            continue
        try:
            apk = open_apk(path)
        except ApkFormatError:
            assert "truncated-cd" in name or "invalid-zip" in name or "empty" in name, name
            continue
        assert set(apk.signing.schemes) == expected, name
        checked += 1
    assert checked >= 8


def test_specific_edge_vectors(corpus_dir: Path) -> None:
    edge = corpus_dir / "apks" / "edge"
    wrong_magic = open_apk(edge / "apksig__v2-only-wrong-apk-sig-block-magic.apk").signing
    assert wrong_magic.has_signing_block is False and wrong_magic.schemes == []
    v31 = open_apk(edge / "apksig__v31-ec-p256-2-tgt-33-1-tgt-28-targetSdk-30.apk").signing
    assert {"v3", "v3.1"} <= set(v31.schemes)
    stripped = open_apk(edge / "apksig__v3-stripped.apk").signing
    assert "v3" not in stripped.schemes and "v2" in stripped.schemes
    assert len(open_apk(edge / "apksig__two-signers.apk").signing.signers) == 2
    gap = open_apk(edge / "apksig__v2-only-garbage-between-cd-and-eocd.apk")
    assert any("garbage between the central directory" in e.message for e in gap.errors)
    for bad in (
        "apksig__v2-only-truncated-cd.apk",
        "apksig__v1v2v3-with-rsa-2048-lineage-3-signers-invalid-zip.apk",
    ):
        with pytest.raises(ApkFormatError, match="central directory"):
            open_apk(edge / bad)
    for no_manifest in (
        "androguard__CertChain.apk",
        "androguard__multidex.apk",
        "apksig__empty-unsigned.apk",
    ):
        with pytest.raises(ApkFormatError, match=r"AndroidManifest\.xml"):
            open_apk(edge / no_manifest)
    nul = open_apk(edge / "apksig__v1-only-with-nul-in-entry-name.apk")
    assert any("NUL" in e.message for e in nul.errors)
    mismatch = open_apk(edge / "apksig__mismatched-compression-method.apk")
    for name in mismatch.entry_names:
        mismatch.read(name)  # central directory method wins
    janus = open_apk(edge / "fdroid__janus.apk")
    assert janus.manifest.package == "com.example" and janus.read("classes.dex")[:3] == b"dex"
    assert any("Janus" in e.message for e in janus.errors)


def test_signature_verification_on_edge_vectors(corpus_dir: Path) -> None:
    edge = corpus_dir / "apks" / "edge"
    good = [
        "apksig__golden-aligned-v1v2v3-lineage-out.apk",
        "apksig__v31-ec-p256-2-tgt-33-1-tgt-28-targetSdk-30.apk",
        "apksig__v1-only-with-rsa-1024-cert-not-der.apk",
        "apksig__two-signers.apk",
        "fdroid__v1.v2.sig_1020.apk",
        "fdroid__v2.only.sig_2.apk",
    ]
    for name in good:
        result = open_apk(edge / name).verify_signatures()
        assert result and all(v is True for v in result.values()), (name, result)
    assert open_apk(edge / "fdroid__urzip-badsig.apk").verify_signatures() == {"v1": False}
    # Android rejects JAR entry names with CR/LF/NUL (apksig's own expectation for these vectors)
    assert open_apk(edge / "apksig__v1-only-with-nul-in-entry-name.apk").verify_signatures() == {"v1": False}
    assert open_apk(edge / "apksig__v1-only-with-cr-in-entry-name.apk").verify_signatures() == {"v1": False}
