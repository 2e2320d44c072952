"""Key rotation in ingest: a verified v3 lineage from a known signer is a rotation, a forged one a signer change."""

from __future__ import annotations

import shutil
from pathlib import Path

from appwarden.apk import open_apk
from appwarden.ingest.directory import DirectoryConnector
from appwarden.ingest.run import ingest
from appwarden.ingest.state import Change, IngestState

APKS = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def _ingest(drop: Path, out: Path, state: IngestState, apk: Path, name: str) -> Change:
    for old in drop.glob("*"):
        old.unlink()
    shutil.copy(apk, drop / name)
    (item,) = list(ingest(DirectoryConnector(drop), out, state))
    assert isinstance(item, Change), item
    return item


def test_a_verified_rotation_from_a_known_signer_is_not_a_signer_change(tmp_path: Path) -> None:
    drop, out = tmp_path / "drop", tmp_path / "out"
    drop.mkdir()
    state = IngestState(tmp_path / "state.json")
    first = _ingest(drop, out, state, APKS / "minimal.apk", "v1.apk")
    assert first.kind == "new_app"
    rotated = _ingest(drop, out, state, APKS / "rotated.apk", "v2.apk")
    old = open_apk(APKS / "minimal.apk").signing.signers[0].sha256
    new = open_apk(APKS / "rotated.apk").signing.signers[0].sha256
    assert rotated.kind == "signer_rotated"
    assert rotated.previous_signers == [old] and rotated.signers == [new] and rotated.lineage == [old, new]
    assert sorted(IngestState(tmp_path / "state.json").data["com.example.fixture"]["signers"]) == sorted(
        [old, new]
    )


def test_a_tampered_lineage_leaves_a_signer_change(tmp_path: Path) -> None:
    drop, out = tmp_path / "drop", tmp_path / "out"
    drop.mkdir()
    state = IngestState(tmp_path / "state.json")
    _ingest(drop, out, state, APKS / "minimal.apk", "v1.apk")
    data = bytearray((APKS / "rotated.apk").read_bytes())
    at = bytes(data).find(b"appwarden fixture rotated")  # inside the lineage's (signed) certificate
    data[at] ^= 0x20
    forged = tmp_path / "forged.apk"
    forged.write_bytes(bytes(data))
    change = _ingest(drop, out, state, forged, "v2.apk")
    assert change.kind == "signer_changed" and change.lineage == []


def test_state_rotation_needs_a_known_signer_in_the_lineage(tmp_path: Path) -> None:
    state = IngestState(tmp_path / "s.json")
    state.observe("a.b", 1, "s1", ["old"])
    assert state.observe("a.b", 2, "s2", ["new"], ["other", "new"]).kind == "signer_changed"
    change = state.observe("a.b", 3, "s3", ["new"], ["old", "new"])
    assert change.kind == "signer_rotated" and change.previous_signers == ["old"]
    assert state.observe("a.b", 4, "s4", ["new"]).kind == "new_version"  # the rotated key is known now
