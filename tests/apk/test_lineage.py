"""Key rotation: the v3 proof-of-rotation lineage is read, reported and verified; forged ones are not trusted."""

from __future__ import annotations

import contextlib
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appwarden.apk import open_apk
from appwarden.apk.archive import ZipArchive
from appwarden.apk.signing import (
    PROOF_OF_ROTATION_ID,
    V3_ID,
    _Malformed,
    find_signing_block,
    parse_lineage,
    parse_scheme_block,
    read_signing,
    signer_lineage,
)
from appwarden.apk.verify import _Fail, _verify_levels
from appwarden.report.json import validate_report
from appwarden.scan import scan_apk

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
OLD = "CN=appwarden fixture,O=appwarden tests,C=CN"
NEW = "CN=appwarden fixture rotated,O=appwarden tests,C=CN"
GRANTED = ("installed_data", "shared_user_id", "permission", "auth")


def _v3_value(name: str = "rotated.apk") -> bytes:
    archive = ZipArchive((FIXTURES / name).read_bytes())
    found = find_signing_block(archive.buffer, archive.cd_offset)
    assert found is not None
    return next(v for pair_id, v in found[1] if pair_id == V3_ID)


def test_the_lineage_of_a_rotated_apk_is_read_oldest_first() -> None:
    apk = open_apk(FIXTURES / "rotated.apk")
    assert apk.signing.schemes == ["v3"] and apk.signing.lineage_scheme == "v3"
    assert [(c.subject, c.capabilities) for c in apk.signing.lineage] == [(OLD, GRANTED), (NEW, GRANTED)]
    assert [s.subject for s in apk.signing.signers] == [NEW]
    assert apk.signing.lineage[-1].sha256 == apk.signing.signers[0].sha256
    minimal = open_apk(FIXTURES / "minimal.apk")
    assert apk.signing.lineage[0].sha256 == minimal.signing.signers[0].sha256  # the other fixtures' key
    assert minimal.signing.lineage == [] and minimal.verify_rotation() is None


def test_a_genuine_lineage_verifies() -> None:
    apk = open_apk(FIXTURES / "rotated.apk")
    assert apk.verify_rotation() is True
    assert not [e for e in apk.errors if e.stage == "signing"]


def test_the_report_carries_the_lineage_and_validates() -> None:
    report = scan_apk(FIXTURES / "rotated.apk", run_rules=False)
    validate_report(report)
    assert [(c["subject"], c["capabilities"]) for c in report["app"]["signing_lineage"]] == [
        (OLD, list(GRANTED)),
        (NEW, list(GRANTED)),
    ]
    assert report["app"]["signing_lineage_verified"] is True
    plain = scan_apk(FIXTURES / "minimal.apk", run_rules=False)["app"]
    assert plain["signing_lineage"] == [] and plain["signing_lineage_verified"] is None


# -- forged lineages ------------------------------------------------------------------------------------------------
def _lp(data: bytes) -> bytes:
    return struct.pack("<I", len(data)) + data


def _v3_with_lineage(value: bytes, nodes: list[bytes]) -> bytes:
    """The rotated fixture's v3 block value with its lineage nodes replaced (re-encoded around them; the block's
    own signature no longer matches, which _verify_levels does not look at)."""
    signers_seq, _ = _lp_read(value, 0)
    signer, _ = _lp_read(signers_seq, 0)
    signed_data, pos = _lp_read(signer, 0)
    tail = signer[pos:]  # min/max SDK, signatures, public key
    digests, p = _lp_read(signed_data, 0)
    certs, p = _lp_read(signed_data, p)
    sdk = signed_data[p : p + 8]
    attribute = (
        struct.pack("<I", PROOF_OF_ROTATION_ID) + struct.pack("<I", 1) + b"".join(_lp(n) for n in nodes)
    )
    new_signed = _lp(digests) + _lp(certs) + sdk + _lp(_lp(attribute))
    return _lp(_lp(_lp(new_signed) + tail))


def _lp_read(buf: bytes, pos: int) -> tuple[bytes, int]:
    (n,) = struct.unpack_from("<I", buf, pos)
    return buf[pos + 4 : pos + 4 + n], pos + 4 + n


def _nodes(value: bytes) -> list[bytes]:
    raw = signer_lineage(value)
    assert raw is not None
    nodes, pos = [], 4
    while pos < len(raw):
        node, pos = _lp_read(raw, pos)
        nodes.append(node)
    return nodes


def test_re_encoding_the_genuine_lineage_still_verifies() -> None:
    value = _v3_value()
    _verify_levels(_v3_with_lineage(value, _nodes(value)))  # the test's encoder is faithful


def test_a_level_not_signed_by_the_previous_certificate_is_refused() -> None:
    value = _v3_value()
    nodes = _nodes(value)
    forged = bytearray(nodes[1])
    forged[-1] ^= 0xFF  # the last byte of the previous level's signature over this level
    with pytest.raises(_Fail, match="not signed by the certificate before it"):
        _verify_levels(_v3_with_lineage(value, [nodes[0], bytes(forged)]))


def test_a_lineage_that_does_not_end_with_the_signer_is_refused() -> None:
    value = _v3_value()
    with pytest.raises(_Fail, match="does not end with the signer"):
        _verify_levels(_v3_with_lineage(value, _nodes(value)[:1]))


def test_a_lineage_claiming_another_apps_key_is_refused() -> None:
    """A repackager cannot graft the genuine key's lineage onto their own signature: the last level is not
    their certificate, and they cannot sign a level for it with the genuine key."""
    value = _v3_value()
    nodes = _nodes(value)
    signed_data, rest_at = _lp_read(nodes[1], 0)
    _cert, p = _lp_read(signed_data, 0)
    parent_algorithm = signed_data[p : p + 4]
    other_cert = parse_scheme_block(_v3_value("minimal.apk"))[0][0]  # the genuine key, as a v3 signer cert
    grafted = _lp(_lp(other_cert) + parent_algorithm) + nodes[1][rest_at:]  # same flags, algorithm, signature
    with pytest.raises(_Fail):
        _verify_levels(_v3_with_lineage(value, [nodes[0], grafted]))


def test_a_tampered_lineage_in_an_apk_fails_verification(tmp_path: Path) -> None:
    data = bytearray((FIXTURES / "rotated.apk").read_bytes())
    value = _v3_value()
    signature_tail = _nodes(value)[1][-16:]
    at = bytes(data).find(signature_tail)
    assert at > 0
    data[at] ^= 0x01
    path = tmp_path / "tampered.apk"
    path.write_bytes(bytes(data))
    apk = open_apk(path)
    assert len(apk.signing.lineage) == 2  # still read (structure intact) ...
    assert apk.verify_rotation() is False  # ... but not trusted
    assert apk.app_info().signing_lineage_verified is False
    assert any("v3" in e.message for e in apk.errors if e.stage == "signing")


def test_a_malformed_lineage_is_a_note_not_a_failure() -> None:
    value = _v3_value()
    nodes = _nodes(value)
    broken = _v3_with_lineage(value, [nodes[0][:10]])
    from appwarden.apk.signing import SigningInfo, _read_lineage

    info = SigningInfo()
    notes: list[str] = []
    _read_lineage("v3", broken, info, lambda der: None, notes.append)
    assert info.lineage == [] and len(notes) == 1 and "lineage is malformed" in notes[0]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_parse_lineage_raises_only_its_format_error(data: bytes) -> None:
    with contextlib.suppress(_Malformed, struct.error):
        parse_lineage(data)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_any_byte_change_in_the_v3_block_never_raises(pos: int, xor: int) -> None:
    data = bytearray((FIXTURES / "rotated.apk").read_bytes())
    archive = ZipArchive(bytes(data))
    found = find_signing_block(archive.buffer, archive.cd_offset)
    assert found is not None
    start = found[0]
    at = start + pos % (archive.cd_offset - start)
    data[at] ^= xor
    info = read_signing(ZipArchive(bytes(data)))
    assert isinstance(info.lineage, list)


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "scheme"),
    [
        ("apksig__golden-aligned-v1v2v3-lineage-out.apk", "v3"),
        ("apksig__v31-ec-p256-2-tgt-33-1-tgt-28-targetSdk-30.apk", "v3.1"),  # EC keys, v3.1 rotation
    ],
)
def test_apksig_rotation_vectors_read_and_verify(corpus_dir: Path, name: str, scheme: str) -> None:
    """apksig's own test APKs with a lineage (corpus/apks/edge): two levels, ending with the signer, verified."""
    apk = open_apk(corpus_dir / "apks" / "edge" / name)
    assert apk.signing.lineage_scheme == scheme and len(apk.signing.lineage) == 2
    signer_certs = {s.sha256 for s in apk.signing.signers if scheme in s.schemes}
    assert apk.signing.lineage[-1].sha256 in signer_certs
    assert apk.verify_rotation() is True
