"""A file-based append-only transparency log (RFC 9162 Merkle tree) with signed checkpoints.

Contract:

* a log directory holds ``log.pub`` (the operator's public key, fixed when the log is created), ``entries.jsonl``
  (one canonical-JSON line per leaf: ``{"body": base64 leaf data, "envelope": DSSE envelope}``) and
  ``checkpoints.jsonl`` (one signed checkpoint per line, written after every append); files are only appended to,
  under an exclusive ``flock`` on ``.lock``;
* leaf data is the canonical JSON of :func:`attestation_leaf` / :func:`revocation_leaf`; the leaf hash is
  RFC 9162's ``SHA-256(0x00 || data)``;
* a checkpoint is the C2SP checkpoint text ``"<origin>\\n<tree size>\\n<base64 root hash>\\n"`` signed as a DSSE
  envelope of type :data:`CHECKPOINT_PAYLOAD_TYPE` by the operator's key; the origin is
  ``appwarden-log/<operator key id>``;
* only the operator's key may append (:class:`AttestInputError` otherwise); :meth:`FileLog.audit` rechecks the
  whole directory (every checkpoint signed and consistent with its predecessor, every leaf matching its
  envelope) and returns the first problem.

The platform keeps the same leaves and checkpoints in PostgreSQL (``appwarden.platform.attestation``); both use
:mod:`appwarden.attest.merkle` and the same leaf encoding.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appwarden.attest import merkle
from appwarden.attest.dsse import b64decode, b64encode, parse_envelope, sign_envelope
from appwarden.attest.errors import AttestInputError
from appwarden.attest.keys import SigningKey, VerifyKey, key_id, load_verify_key, public_pem
from appwarden.attest.statement import canonical

CHECKPOINT_PAYLOAD_TYPE = "application/vnd.appwarden.checkpoint"
REVOCATION_PAYLOAD_TYPE = "application/vnd.appwarden.revocation+json"
REVOCATION_TYPE = "https://appwarden.dev/attestation/revocation/v0.1"


# ----------------------------------------------------------------------------------------------- leaves


def envelope_digests(envelope: dict[str, Any]) -> dict[str, Any]:
    """The parts of a DSSE envelope a leaf commits to: payload type, payload sha256, and per signature its key id
    and the sha256 of the signature bytes."""
    env = parse_envelope(envelope)
    return {
        "payloadType": env.payload_type,
        "payloadSha256": hashlib.sha256(env.payload).hexdigest(),
        "signatures": [{"keyid": k, "sigSha256": hashlib.sha256(s).hexdigest()} for k, s in env.signatures],
    }


def attestation_leaf(envelope: dict[str, Any], apk_sha256: str, result: str, time: str) -> bytes:
    """Leaf data for an attestation."""
    return canonical(
        {
            "kind": "attestation",
            "apkSha256": apk_sha256,
            "result": result,
            "time": time,
            **envelope_digests(envelope),
        }
    )


def revocation_leaf(envelope: dict[str, Any], apk_sha256: str, revokes: str, reason: str, time: str) -> bytes:
    """Leaf data for a revocation of the attestation whose payload sha256 is ``revokes``."""
    return canonical(
        {
            "kind": "revocation",
            "apkSha256": apk_sha256,
            "revokes": revokes,
            "reason": reason,
            "time": time,
            **envelope_digests(envelope),
        }
    )


def revocation_envelope(
    key: SigningKey, apk_sha256: str, revokes: str, reason: str, time: str
) -> dict[str, Any]:
    """A signed revocation statement (DSSE, :data:`REVOCATION_PAYLOAD_TYPE`)."""
    payload = canonical(
        {
            "_type": REVOCATION_TYPE,
            "apkSha256": apk_sha256,
            "revokes": {"payloadSha256": revokes},
            "reason": reason,
            "time": time,
        }
    )
    return sign_envelope(payload, REVOCATION_PAYLOAD_TYPE, [key])


def parse_leaf(body: bytes) -> dict[str, Any]:
    """The decoded leaf data; AttestInputError when it is not a leaf object."""
    try:
        data = json.loads(body)
    except (
        ValueError,
        UnicodeDecodeError,
        RecursionError,
    ):  # RecursionError: nested past the decoder's limit
        raise AttestInputError("a log leaf is not JSON") from None
    if not isinstance(data, dict) or data.get("kind") not in ("attestation", "revocation"):
        raise AttestInputError("a log leaf has no valid kind")
    return data


# ----------------------------------------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    envelope: dict[str, Any]


def checkpoint_text(origin: str, size: int, root: bytes) -> bytes:
    return f"{origin}\n{size}\n{b64encode(root)}\n".encode()


def sign_checkpoint(key: SigningKey, origin: str, size: int, root: bytes) -> dict[str, Any]:
    return sign_envelope(checkpoint_text(origin, size, root), CHECKPOINT_PAYLOAD_TYPE, [key])


def parse_checkpoint(envelope: Any) -> Checkpoint:
    """Decode a checkpoint envelope (no signature check); AttestInputError when malformed."""
    env = parse_envelope(envelope, "checkpoint")
    if env.payload_type != CHECKPOINT_PAYLOAD_TYPE:
        raise AttestInputError("the checkpoint has the wrong payloadType")
    try:
        lines = env.payload.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        raise AttestInputError("the checkpoint is not UTF-8 text") from None
    if len(lines) < 4 or not lines[1].isdigit():
        raise AttestInputError("the checkpoint is not <origin>\\n<size>\\n<root>\\n")
    root = b64decode(lines[2], "checkpoint root hash")
    if len(root) != merkle.HASH_SIZE:
        raise AttestInputError("the checkpoint root hash is not 32 bytes")
    return Checkpoint(lines[0], int(lines[1]), root, envelope)


def checkpoint_signed_by(checkpoint: Checkpoint, keys: list[VerifyKey]) -> VerifyKey | None:
    """The trusted key whose signature on the checkpoint verifies, if any."""
    env = parse_envelope(checkpoint.envelope, "checkpoint")
    for keyid, sig in env.signatures:
        for key in keys:
            if key.keyid == keyid and key.verify(sig, env.message):
                return key
    return None


# ----------------------------------------------------------------------------------------------- the log


@dataclass(frozen=True)
class Entry:
    index: int
    body: bytes
    envelope: dict[str, Any]

    @property
    def leaf(self) -> dict[str, Any]:
        return parse_leaf(self.body)


class FileLog:
    """A log directory (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        if not (self.dir / "log.pub").is_file():
            raise AttestInputError(f"{self.dir} is not an attestation log (no log.pub)")
        self.key = load_verify_key(self.dir / "log.pub")
        self.origin = f"appwarden-log/{self.key.keyid}"

    @classmethod
    def open_or_create(cls, directory: Path, key: SigningKey) -> FileLog:
        """Open the log, creating it with ``key`` as operator when the directory has none; AttestInputError when
        the log belongs to another key."""
        d = Path(directory)
        if d.exists() and not d.is_dir():
            raise AttestInputError(f"{d} is not a directory")
        d.mkdir(parents=True, exist_ok=True)
        with _locked(d):
            if not (d / "log.pub").exists():
                (d / "entries.jsonl").touch()
                (d / "checkpoints.jsonl").touch()
                (d / "log.pub").write_bytes(public_pem(key.public))
        log = cls(d)
        if log.key.keyid != key.keyid:
            raise AttestInputError(
                f"the log {d} is operated by key {log.key.keyid[:16]}…, not {key.keyid[:16]}…"
            )
        return log

    # reading

    def entries(self) -> list[Entry]:
        result: list[Entry] = []
        for i, line in enumerate(_lines(self.dir / "entries.jsonl")):
            if not isinstance(line, dict) or not isinstance(line.get("envelope"), dict):
                raise AttestInputError(f"{self.dir}/entries.jsonl line {i + 1} is not a log entry")
            result.append(Entry(i, b64decode(line.get("body"), f"entry {i} body"), line["envelope"]))
        return result

    def checkpoints(self) -> list[Checkpoint]:
        return [parse_checkpoint(c) for c in _lines(self.dir / "checkpoints.jsonl")]

    def leaf_hashes(self) -> list[bytes]:
        return [merkle.leaf_hash(e.body) for e in self.entries()]

    def latest_checkpoint(self) -> Checkpoint | None:
        cps = self.checkpoints()
        return cps[-1] if cps else None

    # writing

    def append(self, body: bytes, envelope: dict[str, Any], key: SigningKey) -> tuple[int, Checkpoint]:
        """Append one leaf and write the new signed checkpoint; returns ``(index, checkpoint)``."""
        if key.keyid != self.key.keyid:
            raise AttestInputError(
                f"only the log operator's key {self.key.keyid[:16]}… may append to {self.dir}"
            )
        parse_leaf(body)
        with _locked(self.dir):
            hashes = self.leaf_hashes()
            index = len(hashes)
            hashes.append(merkle.leaf_hash(body))
            cp_env = sign_checkpoint(key, self.origin, len(hashes), merkle.root_hash(hashes))
            _append_line(self.dir / "entries.jsonl", {"body": b64encode(body), "envelope": envelope})
            _append_line(self.dir / "checkpoints.jsonl", cp_env)
        return index, parse_checkpoint(cp_env)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        hashes = self.leaf_hashes()
        if size > len(hashes):
            raise AttestInputError(f"the log has {len(hashes)} entries, not {size}")
        return merkle.inclusion_proof(hashes[:size], index)

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        hashes = self.leaf_hashes()
        if new_size > len(hashes):
            raise AttestInputError(f"the log has {len(hashes)} entries, not {new_size}")
        return merkle.consistency_proof(hashes[:new_size], old_size)

    # auditing

    def audit(self) -> str | None:
        """Recheck the whole log; None when consistent, else the first problem (one line)."""
        entries = self.entries()
        hashes = [merkle.leaf_hash(e.body) for e in entries]
        for e in entries:
            leaf = e.leaf
            try:
                digests = envelope_digests(e.envelope)
            except AttestInputError as exc:
                return f"entry {e.index}: {exc}"
            if any(leaf.get(k) != v for k, v in digests.items()):
                return f"entry {e.index}: the leaf does not match its envelope"
            env = parse_envelope(e.envelope)
            if not any(k == self.key.keyid and self.key.verify(s, env.message) for k, s in env.signatures):
                return f"entry {e.index}: the envelope is not signed by the log operator's key"
        previous: Checkpoint | None = None
        for n, cp in enumerate(self.checkpoints()):
            if cp.origin != self.origin:
                return f"checkpoint {n}: origin {cp.origin!r} is not this log's"
            if checkpoint_signed_by(cp, [self.key]) is None:
                return f"checkpoint {n}: the signature does not verify with log.pub"
            if cp.size > len(hashes):
                return f"checkpoint {n}: tree size {cp.size} exceeds the {len(hashes)} entries"
            if merkle.root_hash(hashes[: cp.size]) != cp.root:
                return f"checkpoint {n}: root hash does not match the entries"
            if previous is not None:
                proof = (
                    merkle.consistency_proof(hashes[: cp.size], previous.size)
                    if previous.size <= cp.size
                    else []
                )
                if not merkle.verify_consistency(previous.size, cp.size, previous.root, cp.root, proof):
                    return f"checkpoint {n}: not consistent with checkpoint {n - 1} (the log was rewritten)"
            previous = cp
        if previous is not None and previous.size != len(hashes):
            return f"{len(hashes) - previous.size} entries are not covered by a checkpoint"
        return None


def mirror_page(directory: Path, page: dict[str, Any]) -> FileLog:
    """Append one page of a hosted log (the platform's ``GET /api/attestations/log/?start=N``) to the mirror in
    ``directory`` (created on the first page, with the page's operator key as ``log.pub``). The page must start
    where the mirror ends and be from the same operator key; nothing is verified here: run :meth:`FileLog.audit`
    on the mirror afterwards (a rewritten history then shows as an inconsistent checkpoint)."""
    if not isinstance(page, dict) or not isinstance(page.get("public_key"), str):
        raise AttestInputError("the log page is not a JSON object with public_key")
    entries, checkpoints = page.get("entries"), page.get("checkpoints")
    if not isinstance(entries, list) or not isinstance(checkpoints, list):
        raise AttestInputError("the log page has no entries/checkpoints lists")
    d = Path(directory)
    if d.exists() and not d.is_dir():
        raise AttestInputError(f"{d} is not a directory")
    d.mkdir(parents=True, exist_ok=True)
    with _locked(d):
        if not (d / "log.pub").exists():
            try:
                from cryptography.hazmat.primitives import serialization

                serialization.load_pem_public_key(page["public_key"].encode())
            except Exception:
                raise AttestInputError("the log page's public_key is not a PEM public key") from None
            (d / "entries.jsonl").touch()
            (d / "checkpoints.jsonl").touch()
            (d / "log.pub").write_text(page["public_key"], encoding="utf-8")
        log = FileLog(d)
        if page.get("keyid") not in (None, log.key.keyid):
            raise AttestInputError(
                f"{d} mirrors the log of key {log.key.keyid[:16]}…, not {str(page['keyid'])[:16]}…"
            )
        have = len(log.entries())
        if page.get("start", have) != have:
            raise AttestInputError(f"the page starts at entry {page.get('start')}, the mirror has {have}")
        for n, e in enumerate(entries, have):
            if not isinstance(e, dict) or e.get("index") != n or not isinstance(e.get("envelope"), dict):
                raise AttestInputError(f"log page entry {n} is malformed or out of order")
            b64decode(e.get("body"), f"entry {n} body")
            _append_line(d / "entries.jsonl", {"body": e["body"], "envelope": e["envelope"]})
        for c in checkpoints:
            parse_checkpoint(c)
            _append_line(d / "checkpoints.jsonl", c)
    return log


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    with open(directory / ".lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _lines(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise AttestInputError(f"cannot read {path}: {exc}") from None
    result = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            result.append(json.loads(line))
        except (ValueError, RecursionError):  # RecursionError: nested past the decoder's limit
            raise AttestInputError(f"{path} line {n} is not JSON") from None
    return result


def _append_line(path: Path, value: Any) -> None:
    data = canonical(value) + b"\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def log_id(key: VerifyKey) -> str:
    """The log's id: its operator key id."""
    return key_id(key.public)
