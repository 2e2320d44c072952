"""The file log: appends from several processes at once stay one consistent log (flock), and audit names each kind
of damage: a leaf not matching its envelope, a checkpoint not signed by log.pub, an uncovered entry."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from appwarden.attest.dsse import INTOTO_PAYLOAD_TYPE, sign_envelope
from appwarden.attest.errors import AttestInputError
from appwarden.attest.keys import generate, load_signing_key, write_keypair
from appwarden.attest.log import FileLog, attestation_leaf, sign_checkpoint


def _append(args: tuple[str, str, int]) -> None:
    keyfile, logdir, n = args
    key = load_signing_key(Path(keyfile))
    log = FileLog(Path(logdir))
    for i in range(4):
        env = sign_envelope(f"payload {n}-{i}".encode(), INTOTO_PAYLOAD_TYPE, [key])
        log.append(attestation_leaf(env, f"{n:064x}", "PASSED", "2026-12-06T00:00:00Z"), env, key)


@pytest.fixture
def keyed_log(tmp_path: Path) -> tuple[Path, Path]:
    key = generate()
    priv, _ = write_keypair(key, tmp_path / "keys")
    FileLog.open_or_create(tmp_path / "log", key)
    return priv, tmp_path / "log"


def test_parallel_appends_from_processes(keyed_log: tuple[Path, Path]) -> None:
    priv, logdir = keyed_log
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_append, [(str(priv), str(logdir), n) for n in range(4)])
    log = FileLog(logdir)
    assert log.audit() is None
    assert [c.size for c in log.checkpoints()] == list(range(1, 17))


def test_audit_names_the_damage(keyed_log: tuple[Path, Path], tmp_path: Path) -> None:
    priv, logdir = keyed_log
    _append((str(priv), str(logdir), 0))
    log = FileLog(logdir)
    assert log.audit() is None
    entries = (logdir / "entries.jsonl").read_text().splitlines()
    checkpoints = (logdir / "checkpoints.jsonl").read_text().splitlines()

    # an envelope swapped under its leaf
    swapped = json.loads(entries[0])
    swapped["envelope"] = json.loads(entries[1])["envelope"]
    (logdir / "entries.jsonl").write_text("\n".join([json.dumps(swapped), *entries[1:]]) + "\n")
    assert "does not match its envelope" in log.audit()

    # a checkpoint signed by another key
    (logdir / "entries.jsonl").write_text("\n".join(entries) + "\n")
    cp = json.loads(checkpoints[-1])
    other = generate()
    forged = sign_checkpoint(other, log.origin, 4, b"\0" * 32)
    (logdir / "checkpoints.jsonl").write_text("\n".join([*checkpoints[:-1], json.dumps(forged)]) + "\n")
    assert "does not verify with log.pub" in log.audit()

    # an entry appended without a checkpoint
    (logdir / "checkpoints.jsonl").write_text("\n".join([*checkpoints[:-1], json.dumps(cp)]) + "\n")
    (logdir / "entries.jsonl").write_text("\n".join([*entries, entries[0]]) + "\n")
    assert "not covered by a checkpoint" in log.audit()

    # only the operator's key appends
    key = load_signing_key(priv)
    env = sign_envelope(b"x", INTOTO_PAYLOAD_TYPE, [other])
    with pytest.raises(AttestInputError, match="operator"):
        log.append(attestation_leaf(env, "0" * 64, "PASSED", "t"), env, other)
    with pytest.raises(AttestInputError, match="operated by key"):
        FileLog.open_or_create(logdir, other)
    assert key.keyid == log.key.keyid
