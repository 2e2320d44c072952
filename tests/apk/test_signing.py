"""Signing: schemes per fixture, certificates compared with apksigner, malformed blocks become notes."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from appwarden.apk.archive import ZipArchive
from appwarden.apk.signing import (
    APK_SIG_BLOCK_MAGIC,
    MAX_SIGNERS,
    MAX_SIGNING_NOTES,
    V2_ID,
    cert_info,
    parse_pkcs7_signers,
    read_signing,
)

from .apk_zipbuild import Entry, ZipSpec, build_zip

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def signing(name: str):
    return read_signing(ZipArchive((FIXTURES / name).read_bytes()))


@pytest.mark.parametrize(
    ("name", "schemes"),
    [
        ("v1_only.apk", ["v1"]),
        ("v2_only.apk", ["v2"]),
        ("pi_all.apk", ["v1", "v2", "v3"]),
        ("multidex.apk", ["v1", "v2", "v3"]),
    ],
)
def test_fixture_schemes(name: str, schemes: list[str]) -> None:
    info = signing(name)
    assert info.schemes == schemes
    assert info.has_signing_block == ("v2" in schemes)
    assert len(info.signers) == 1
    assert info.signers[0].schemes == tuple(schemes)
    assert info.notes == []


def test_same_key_same_certificate_across_fixtures() -> None:
    certs = {signing(n).signers[0] for n in ("v1_only.apk", "v2_only.apk")}
    assert len({(c.sha256, c.subject, c.serial) for c in certs}) == 1
    c = certs.pop()
    assert c.subject == "CN=appwarden fixture,O=appwarden tests,C=CN"
    assert c.issuer == c.subject  # self-signed
    assert re.fullmatch(r"[0-9a-f]{64}", c.sha256) and re.fullmatch(r"[0-9a-f]{40}", c.sha1)
    assert c.not_before < c.not_after and c.not_before.endswith("Z")


@pytest.mark.skipif(shutil.which("apksigner") is None, reason="apksigner not installed")
def test_certificate_matches_apksigner() -> None:
    out = subprocess.run(
        ["apksigner", "verify", "--print-certs", str(FIXTURES / "pi_all.apk")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    (signer,) = signing("pi_all.apk").signers
    assert signer.sha256 == re.search(r"SHA-256 digest: ([0-9a-f]+)", out).group(1)
    assert signer.sha1 == re.search(r"SHA-1 digest: ([0-9a-f]+)", out).group(1)


def _block_bounds(data: bytes) -> tuple[int, int]:
    z = ZipArchive(data)
    end = z.cd_offset
    assert data[end - 16 : end] == APK_SIG_BLOCK_MAGIC
    size = struct.unpack_from("<Q", data, end - 24)[0]
    return end - size - 8, end


def test_block_size_mismatch_is_a_note_not_a_failure() -> None:
    data = bytearray((FIXTURES / "v2_only.apk").read_bytes())
    start, _end = _block_bounds(bytes(data))
    struct.pack_into("<Q", data, start, 12345)
    info = read_signing(ZipArchive(bytes(data)))
    assert info.schemes == [] and info.signers == []
    assert any("size fields disagree" in n.message for n in info.notes)


def test_corrupt_v2_signer_is_a_note() -> None:
    data = bytearray((FIXTURES / "pi_all.apk").read_bytes())
    start, _end = _block_bounds(bytes(data))
    # first pair: u64 length, u32 id (v2); its value starts with the signers sequence length: make it huge
    pair_id = struct.unpack_from("<I", data, start + 16)[0]
    assert pair_id == V2_ID
    struct.pack_into("<I", data, start + 20, 0x7FFFFFFF)
    info = read_signing(ZipArchive(bytes(data)))
    assert "v2" not in info.schemes and "v1" in info.schemes and "v3" in info.schemes
    assert any(n.message.startswith("v2 signature block is malformed") for n in info.notes)


def test_wrong_magic_means_no_block() -> None:
    data = bytearray((FIXTURES / "v2_only.apk").read_bytes())
    _start, end = _block_bounds(bytes(data))
    data[end - 16 : end] = b"APK Sig Block 43"
    info = read_signing(ZipArchive(bytes(data)))
    assert info.has_signing_block is False and info.schemes == []


def test_v1_block_without_sf_is_ignored_and_garbage_pkcs7_noted() -> None:
    rsa = ZipArchive((FIXTURES / "v1_only.apk").read_bytes()).read("META-INF/FIXTURE.RSA")
    only_block = build_zip(ZipSpec([Entry("META-INF/CERT.RSA", rsa)]))
    info = read_signing(ZipArchive(only_block))
    assert info.schemes == [] and info.v1_files == ["META-INF/CERT.RSA"]
    assert any("without its .SF" in n.message for n in info.notes)
    garbage = build_zip(
        ZipSpec([Entry("META-INF/CERT.SF", b"x"), Entry("META-INF/CERT.RSA", b"\x30\x82garbage")])
    )
    info = read_signing(ZipArchive(garbage))
    assert info.schemes == [] and any("malformed" in n.message for n in info.notes)
    with_sf = build_zip(ZipSpec([Entry("META-INF/CERT.SF", b"x"), Entry("META-INF/CERT.RSA", rsa)]))
    assert read_signing(ZipArchive(with_sf)).schemes == ["v1"]


def test_pkcs7_signer_certificate_parses() -> None:
    rsa = ZipArchive((FIXTURES / "v1_only.apk").read_bytes()).read("META-INF/FIXTURE.RSA")
    (der,) = parse_pkcs7_signers(rsa)
    assert cert_info(der).subject.startswith("CN=appwarden fixture")
    with pytest.raises(ValueError):
        cert_info(b"\x30\x03\x02\x01\x01")


def _cryptography_view(der: bytes) -> tuple[str, str, str, str, str]:
    """The same certificate described by ``cryptography`` (the reference for the RFC 4514 strings)."""
    import warnings

    from cryptography import x509

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = x509.load_der_x509_certificate(der)
        subject, issuer = c.subject.rfc4514_string(), c.issuer.rfc4514_string()
    iso = [v.isoformat().replace("+00:00", "Z") for v in (c.not_valid_before_utc, c.not_valid_after_utc)]
    return subject, issuer, format(c.serial_number, "x"), *iso


def _ours(der: bytes) -> tuple[str, str, str, str, str]:
    c = cert_info(der)
    return c.subject, c.issuer, c.serial, c.not_before, c.not_after


def _signer_ders(apk: Path) -> list[bytes]:
    try:
        archive = ZipArchive(apk.read_bytes())
    except Exception:
        return []  # the corpus's deliberately broken APKs
    ders = []
    for name in archive.names:
        if name.upper().startswith("META-INF/") and name.upper().endswith((".RSA", ".DSA", ".EC")):
            try:
                ders.extend(parse_pkcs7_signers(archive.read(name)))
            except Exception:
                continue
    return ders


def test_rfc4514_escaping() -> None:
    from asn1crypto import x509 as ax509

    name = ax509.Name.build(
        {"common_name": "#a,b+c", "organization_name": ' quoted "x" ', "country_name": "CN"}
    )
    from appwarden.apk.signing import rfc4514

    # asn1crypto's builder stores C, O, CN; RFC 4514 writes the RDNs in reverse
    assert rfc4514(name) == 'CN=\\#a\\,b\\+c,O=\\ quoted \\"x\\"\\ ,C=CN'


def test_certificate_strings_match_cryptography_on_fixtures() -> None:
    ders = [d for n in ("v1_only.apk", "pi_all.apk") for d in _signer_ders(FIXTURES / n)]
    assert ders
    for der in ders:
        assert _ours(der) == _cryptography_view(der)


@pytest.mark.corpus
def test_certificate_strings_match_cryptography_on_corpus(corpus_dir: Path) -> None:
    """Every v1 signer certificate of the corpus: the same subject, issuer, serial and validity strings as
    ``cryptography`` gives (where ``cryptography`` can read the certificate at all)."""
    compared = 0
    for apk in sorted((corpus_dir / "apks").rglob("*.apk")):
        for der in _signer_ders(apk):
            try:
                theirs = _cryptography_view(der)
            except Exception:
                continue  # BER-encoded: cryptography refuses it; Android and asn1crypto do not
            assert _ours(der) == theirs, apk.name
            compared += 1
    assert compared > 100


def _signer_bomb_apk(signers: int) -> bytes:
    """The minimal APK with a v2 block of ``signers`` signers, each a 21-byte record whose one certificate does
    not parse."""

    def lp(b: bytes) -> bytes:
        return struct.pack("<I", len(b)) + b

    signer = lp(lp(lp(b"") + lp(lp(b"\x30\x03\x02\x01\x01"))))
    value = lp(signer * signers)
    pair = struct.pack("<QI", len(value) + 4, 0x7109871A) + value
    size = len(pair) + 8 + 16
    block = struct.pack("<Q", size) + pair + struct.pack("<Q", size) + b"APK Sig Block 42"
    src = ZipArchive((FIXTURES / "minimal.apk").read_bytes())
    entries = [Entry(name, src.read(name)) for name in src.names]
    return build_zip(ZipSpec(entries=entries, signing_block=block))


def test_a_block_of_many_bad_signers_gives_bounded_notes() -> None:
    """A 5 MB APK whose v2 block held 200 000 signers with unparseable certificates gave 200 000 signing notes (an
    18 MB report, 136 s). At most MAX_SIGNERS signers of a block are read, the rest named in one note."""
    info = read_signing(ZipArchive(_signer_bomb_apk(5000)))
    messages = [n.message for n in info.notes]
    assert len(messages) <= MAX_SIGNERS + 1, len(messages)
    assert any(f"more than {MAX_SIGNERS} signers" in m for m in messages), messages[-3:]
    assert "v2" not in info.schemes and all(
        s.schemes == ("v1",) for s in info.signers
    )  # its v1 signature stays


def test_many_v1_signature_files_give_bounded_notes() -> None:
    """3 000 junk META-INF/*.SF + *.RSA pairs gave 3 000 signing notes (the 200 000-entry limit allows 100 000).
    Every signature file is still read (Android reads them all: a cap would let junk files hide the real signer),
    but at most MAX_SIGNING_NOTES notes are listed, the rest counted in one; the real v1 signature still counts."""
    import io
    import zipfile

    buf = io.BytesIO((FIXTURES / "minimal.apk").read_bytes())
    with zipfile.ZipFile(buf, "a") as z:
        for i in range(300):
            z.writestr(f"META-INF/S{i}.SF", b"x")
            z.writestr(f"META-INF/S{i}.RSA", b"\x30\x03\x02\x01\x01")
    info = read_signing(ZipArchive(buf.getvalue()))
    messages = [n.message for n in info.notes]
    assert len(messages) == MAX_SIGNING_NOTES + 1, len(messages)
    assert messages[-1].startswith(f"… and {300 - MAX_SIGNING_NOTES} more signing notes"), messages[-1]
    assert "v1" in info.schemes


def test_notes_past_the_cap_after_a_parsed_scheme_block_do_not_crash() -> None:
    """A 7 KB APK crashed every scan (``internal error: AttributeError: 'bool' object has no attribute 'append'``):
    the note-overflow list of ``read_signing`` shared its name with the "more signers" flag of a parsed v2 block,
    so the 51st signing note after any parsed block hit a bool. Here: one v2 block (its one signer's certificate
    does not parse) then 60 malformed v3 blocks; the notes stay capped with their summary."""

    def lp(b: bytes) -> bytes:
        return struct.pack("<I", len(b)) + b

    signer = lp(lp(lp(b"") + lp(lp(b"\x30\x03\x02\x01\x01"))))
    pairs = [(0x7109871A, lp(signer))] + [(0xF05368C0, b"\xff\xff")] * 60
    body = b"".join(struct.pack("<QI", 4 + len(v), i) + v for i, v in pairs)
    size = len(body) + 8 + 16
    block = struct.pack("<Q", size) + body + struct.pack("<Q", size) + b"APK Sig Block 42"
    src = ZipArchive((FIXTURES / "minimal.apk").read_bytes())
    entries = [Entry(name, src.read(name)) for name in src.names]
    info = read_signing(ZipArchive(build_zip(ZipSpec(entries=entries, signing_block=block))))
    messages = [n.message for n in info.notes]
    assert len(messages) == MAX_SIGNING_NOTES + 1, len(messages)
    assert messages[-1].startswith(f"… and {61 - MAX_SIGNING_NOTES} more signing notes"), messages[-1]
    assert "v1" in info.schemes
