"""Cryptographic signature verification: fixtures verify; tampering with covered bytes is detected per scheme."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.apk import open_apk
from appwarden.apk.archive import ZipArchive
from appwarden.apk.signing import read_signing
from appwarden.apk.verify import verify_signatures

from .apk_zipbuild import Entry, ZipSpec, build_zip

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def write(tmp_path: Path, data: bytes, name: str = "t.apk") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("name", ["pi_all.apk", "multidex.apk", "minimal.apk", "v1_only.apk", "v2_only.apk"])
def test_fixtures_verify(name: str) -> None:
    apk = open_apk(FIXTURES / name)
    result = apk.verify_signatures()
    assert set(result) == set(apk.signing.schemes) and all(v is True for v in result.values())
    assert apk.signing.verified == result
    assert not [e for e in apk.errors if e.stage == "signing"]


def test_header_byte_change_breaks_v2_v3_not_v1(tmp_path: Path) -> None:
    data = bytearray((FIXTURES / "pi_all.apk").read_bytes())
    assert data[:4] == b"PK\x03\x04"
    data[10] ^= 0xFF  # first local header's modification time: covered by v2/v3, not by v1
    apk = open_apk(write(tmp_path, bytes(data)))
    result = apk.verify_signatures()
    assert result == {"v1": True, "v2": False, "v3": False}
    assert any("content digest does not match" in e.message for e in apk.errors)


def _rebuild(src: str, change: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    z = ZipArchive((FIXTURES / src).read_bytes())
    entries = [Entry(n, change.get(n, z.read(n))) for n in z.names]
    entries += [Entry(n, d) for n, d in (add or {}).items()]
    return build_zip(ZipSpec(entries))


def test_modified_entry_breaks_v1(tmp_path: Path) -> None:
    z = ZipArchive((FIXTURES / "v1_only.apk").read_bytes())
    dex = bytearray(z.read("classes.dex"))
    dex[-1] ^= 1
    apk = open_apk(write(tmp_path, _rebuild("v1_only.apk", {"classes.dex": bytes(dex)})))
    assert apk.verify_signatures() == {"v1": False}
    assert any("MANIFEST.MF digest of 'classes.dex'" in e.message for e in apk.errors)


def test_unsigned_extra_entry_breaks_v1(tmp_path: Path) -> None:
    apk = open_apk(write(tmp_path, _rebuild("v1_only.apk", {}, {"assets/injected.js": b"evil()"})))
    assert apk.verify_signatures() == {"v1": False}
    assert any("not covered by the v1 signature" in e.message for e in apk.errors)


def test_repacked_unchanged_entries_still_verify_v1(tmp_path: Path) -> None:
    apk = open_apk(write(tmp_path, _rebuild("v1_only.apk", {})))
    assert apk.verify_signatures() == {"v1": True}


def test_tampered_signed_data_breaks_v2(tmp_path: Path) -> None:
    data = bytearray((FIXTURES / "v2_only.apk").read_bytes())
    end = ZipArchive(bytes(data)).cd_offset
    size = struct.unpack_from("<Q", data, end - 24)[0]
    first_pair = end - size - 8 + 8
    assert struct.unpack_from("<I", data, first_pair + 8)[0] == 0x7109871A  # the v2 pair comes first
    value = first_pair + 12
    # value: signers len, signer len, signed-data len, digests len, digest record len, algorithm, digest len, digest
    data[value + 7 * 4 + 2] ^= 0x01
    apk = open_apk(write(tmp_path, bytes(data)))
    assert apk.signing.schemes == ["v2"]  # the structure is intact
    assert apk.verify_signatures() == {"v2": False}
    assert any("signature does not verify" in e.message for e in apk.errors)


def test_unsigned_apk_has_nothing_to_verify() -> None:
    z = ZipArchive(build_zip(ZipSpec([Entry("AndroidManifest.xml", b"x")])))
    assert verify_signatures(z, []) == ({}, [])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 12000), st.integers(1, 255))
def test_any_single_byte_change_never_raises(pos: int, xor: int) -> None:
    data = bytearray((FIXTURES / "minimal.apk").read_bytes())
    data[pos % len(data)] ^= xor
    try:
        z = ZipArchive(bytes(data))
    except Exception as exc:
        assert type(exc).__module__ == "appwarden.errors", repr(exc)
        return
    info = read_signing(z)
    result, _ = verify_signatures(z, info.schemes)
    assert set(result) <= {"v1", "v2", "v3", "v3.1"}
