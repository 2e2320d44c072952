"""appwarden.apk.certfast: signer certificates read without asn1crypto (issue #19, per-scan fixed costs). Whenever
the strict DER reader answers, the answer is asn1crypto's; everything else goes to asn1crypto as before."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appwarden.apk import certfast
from appwarden.apk.archive import ZipArchive
from appwarden.apk.signing import (
    _cert_info_asn1,
    _Malformed,
    _pkcs7_signers_asn1,
    cert_info,
    parse_pkcs7_signers,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def _result(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # the error type and message are part of what a report shows
        return ("error", type(exc).__name__, str(exc))


def _blocks() -> list[bytes]:
    out = []
    for apk in sorted(FIXTURES.glob("*.apk")):
        archive = ZipArchive(apk.read_bytes())
        for name in archive.names:
            if name.upper().startswith("META-INF/") and name.upper().endswith((".RSA", ".DSA", ".EC")):
                out.append(archive.read(name))
    return out


BLOCKS = _blocks()
CERTS = list(dict.fromkeys(der for block in BLOCKS for der in _pkcs7_signers_asn1(block)))


def _same_pkcs7(data: bytes) -> bool:
    """True when the fast reader answered (and then it must agree with asn1crypto)."""
    fast = certfast.pkcs7_signers(data)
    if fast is None:
        return False
    assert _result(parse_pkcs7_signers, data) == _result(_pkcs7_signers_asn1, data)
    return True


def _same_cert(der: bytes) -> bool:
    fast = certfast.cert_fields(der)
    if fast is None:
        return False
    assert _result(cert_info, der) == _result(_cert_info_asn1, der)
    return True


def test_fixture_signatures_take_the_fast_path_with_asn1cryptos_answer() -> None:
    assert len(BLOCKS) >= 5 and CERTS
    assert all(_same_pkcs7(block) for block in BLOCKS)
    assert all(_same_cert(der) for der in CERTS)


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    k = rng.random()
    if k < 0.6:
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(b))
            b[i] = rng.randrange(256) if rng.random() < 0.5 else b[i] ^ (1 << rng.randrange(8))
    elif k < 0.75:
        del b[rng.randrange(len(b)) :]
    elif k < 0.9:
        b.insert(rng.randrange(len(b)), rng.randrange(256))
    else:
        del b[rng.randrange(len(b))]
    return bytes(b)


def test_mutated_signatures_agree_with_asn1crypto_or_go_to_it() -> None:
    """Random byte changes, insertions, deletions and truncations of real blocks and certificates: the public
    functions give asn1crypto's result (or error) every time; the fast reader answers for many of them."""
    rng = random.Random(19)
    fast = 0
    for _ in range(1500):
        fast += _same_pkcs7(_mutate(rng, rng.choice(BLOCKS)))
        fast += _same_cert(_mutate(rng, rng.choice(CERTS)))
    assert fast > 500  # the comparison did run on mutated inputs the fast reader accepted


def _certificate(subject, issuer=None, *, serial=0x1234, years=(2020, 2060), utf8=True) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())

    def name(attrs):
        return x509.Name(
            [
                x509.RelativeDistinguishedName(
                    [
                        x509.NameAttribute(
                            getattr(NameOID, oid),
                            value,
                            _type=None
                            if utf8 or oid == "COUNTRY_NAME"
                            else x509.name._ASN1Type.PrintableString,
                        )
                        for oid, value in rdn
                    ]
                )
                for rdn in attrs
            ]
        )

    builder = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer or subject))
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(datetime(years[0], 1, 2, 3, 4, 5, tzinfo=UTC))
        .not_valid_after(datetime(years[1], 12, 31, 23, 59, 59, tzinfo=UTC) + timedelta(0))
    )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize(
    ("subject", "issuer", "utf8", "fast"),
    [
        ([[("COMMON_NAME", "plain")]], None, True, True),
        (
            [
                [("COUNTRY_NAME", "CN")],
                [("ORGANIZATION_NAME", "某公司, Ltd.")],
                [("COMMON_NAME", "#x+y<z>;\\")],
            ],
            None,
            True,
            True,
        ),
        (
            [[("COMMON_NAME", " lead"), ("ORGANIZATIONAL_UNIT_NAME", "trail ")]],
            None,
            True,
            True,
        ),  # multi-valued RDN
        ([[("COMMON_NAME", "leaf")]], [[("COMMON_NAME", "ca"), ("LOCALITY_NAME", "Beijing")]], True, True),
        ([[("COMMON_NAME", "printable"), ("STATE_OR_PROVINCE_NAME", "Zhejiang")]], None, False, True),
        ([[("SERIAL_NUMBER", "42"), ("USER_ID", "u1"), ("TITLE", "t")]], None, True, True),
        ([[("EMAIL_ADDRESS", "a@example.com")]], None, True, False),  # IA5String: asn1crypto reads it
        ([[("DOMAIN_COMPONENT", "example")]], None, True, False),
    ],
)
def test_built_certificates(subject, issuer, utf8, fast) -> None:
    der = _certificate(subject, issuer, utf8=utf8)
    assert (certfast.cert_fields(der) is not None) is fast
    assert _result(cert_info, der) == _result(_cert_info_asn1, der)


@pytest.mark.parametrize(("years", "serial"), [((1950, 2049), 1), ((2049, 2050), 2**70), ((1999, 9999), 7)])
def test_validity_and_serial_forms(years, serial) -> None:
    der = _certificate([[("COMMON_NAME", "t")]], years=years, serial=serial)  # UTCTime and GeneralizedTime
    assert certfast.cert_fields(der) is not None
    assert _result(cert_info, der) == _result(_cert_info_asn1, der)


def test_ber_and_trailing_bytes_go_to_asn1crypto() -> None:
    block = BLOCKS[0]
    assert certfast.pkcs7_signers(block + b"\x00") is None  # asn1crypto ignores trailing data: its answer
    assert parse_pkcs7_signers(block + b"\x00") == _pkcs7_signers_asn1(block + b"\x00")
    der = CERTS[0]
    indefinite = b"\x30\x80" + der[4:] + b"\x00\x00" if der[1] == 0x82 else None
    if indefinite is not None:
        assert certfast.cert_fields(indefinite) is None
        assert _result(cert_info, indefinite) == _result(_cert_info_asn1, indefinite)


def test_no_certificates_is_the_same_error() -> None:
    with pytest.raises(_Malformed, match="does not parse"):
        parse_pkcs7_signers(b"\x30\x03\x02\x01\x01")
