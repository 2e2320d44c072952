"""Verify an attestation bundle against an APK, trusted keys and (optionally) the transparency log.

Contract: :func:`verify_bundle` returns a :class:`Verdict`; ``ok`` False carries ``code`` (a stable identifier,
one per failure kind: see :data:`CODES`) and ``reason`` (one line). Bad input (a missing APK, a bundle that is not
one, an unreadable log) raises :class:`~appwarden.attest.errors.AttestInputError` instead. Checks, in order:

1. a signature by a trusted key id (or by the leaf of a certificate chain that leads to a trusted certificate);
2. with a log entry in the bundle: the checkpoint is signed by a trusted key, the inclusion proof leads from the
   logged leaf to the checkpoint's root (RFC 9162), and the logged leaf commits to this payload and signature;
3. the DSSE signature over PAE(payloadType, payload);
4. the statement's shape; the APK's sha256 is the attested subject; the APK's own signature verifies and its signer
   certificates are the attested ones;
5. the validity period at ``at`` (default now);
6. with a log: its latest checkpoint is trusted and matches its entries, the bundle's checkpoint is consistent with
   it (no rewritten history), the attestation is in it, and no later entry revokes it or records a FAILED re-test;
7. the attested result is PASSED.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appwarden.attest import merkle
from appwarden.attest.bundle import bundle_chain, check_bundle_shape, hex_bytes
from appwarden.attest.dsse import INTOTO_PAYLOAD_TYPE, b64decode, parse_envelope
from appwarden.attest.errors import AttestInputError
from appwarden.attest.keys import VerifyKey, verify_chain
from appwarden.attest.log import FileLog, checkpoint_signed_by, parse_checkpoint, parse_leaf
from appwarden.attest.statement import parse_statement, utc_text
from appwarden.errors import AppwardenError

CODES = (
    "untrusted-key",
    "chain",
    "checkpoint-signature",
    "other-tree",
    "payload-altered",
    "signature-altered",
    "signature",
    "statement",
    "other-apk",
    "apk-modified",
    "apk-signature",
    "signer",
    "not-yet-valid",
    "expired",
    "log",
    "equivocation",
    "not-logged",
    "revoked",
    "superseded",
    "failed-result",
)


@dataclass
class Verdict:
    ok: bool
    code: str = ""
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class _Invalid(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def file_sha256(path: Path) -> str:
    p = Path(path)
    if not p.is_file():
        raise AttestInputError(f"APK not found: {p}")
    h = hashlib.sha256()
    try:
        with open(p, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                h.update(chunk)
    except OSError as exc:
        raise AttestInputError(f"cannot read {p}: {exc.strerror}") from None
    return h.hexdigest()


def verify_bundle(
    bundle: dict[str, Any],
    apk_path: Path | None,
    trusted: list[VerifyKey],
    *,
    log: FileLog | None = None,
    at: _dt.datetime | None = None,
    apk_identity: tuple[str, frozenset[str]] | None = None,
) -> Verdict:
    """Verify ``bundle`` (see the module docstring). ``apk_identity`` (sha256, signer sha256s) replaces opening
    ``apk_path`` when the caller already knows them (the platform)."""
    if not trusted:
        raise AttestInputError("no trusted key given (--trust)")
    check_bundle_shape(bundle)
    at = at or _dt.datetime.now(_dt.UTC)
    verdict = Verdict(ok=False)
    try:
        _verify(bundle, apk_path, trusted, log, at, apk_identity, verdict)
    except _Invalid as inv:
        verdict.code, verdict.reason = inv.code, inv.reason
        return verdict
    verdict.ok = True
    return verdict


def _verify(
    bundle: dict[str, Any],
    apk_path: Path | None,
    trusted: list[VerifyKey],
    log: FileLog | None,
    at: _dt.datetime,
    apk_identity: tuple[str, frozenset[str]] | None,
    verdict: Verdict,
) -> None:
    env = parse_envelope(bundle["dsseEnvelope"])
    by_id = {k.keyid: k for k in trusted}
    # 1. a trusted signer
    candidates: list[tuple[VerifyKey, bytes]] = [(by_id[k], s) for k, s in env.signatures if k in by_id]
    chain = bundle_chain(bundle)
    if not candidates and chain:
        anchors = [k for k in trusted if k.certificate is not None]
        reason = verify_chain(chain, anchors, at) if anchors else "no trusted certificate given for the chain"
        if reason:
            raise _Invalid("chain", f"certificate chain not trusted: {reason}")
        leaf_key = VerifyKey(chain[0].public_key())  # type: ignore[arg-type]
        candidates = [(leaf_key, s) for k, s in env.signatures if k == leaf_key.keyid]
        trusted = [*trusted, leaf_key]  # a CA-certified lab key also vouches for the lab's log checkpoints
    if not candidates:
        ids = ", ".join(k[:16] + "…" for k, _ in env.signatures) or "none"
        raise _Invalid("untrusted-key", f"wrong key: signed by key {ids}, which is not a trusted key")
    signer = candidates[0][0]
    verdict.details["keyid"] = signer.keyid
    # 2. the log entry carried by the bundle
    entries = bundle["verificationMaterial"].get("tlogEntries") or []
    tl = entries[0] if entries else None
    payload_sha = hashlib.sha256(env.payload).hexdigest()
    cp = None
    if tl is not None:
        if not isinstance(tl, dict) or not isinstance(tl.get("inclusionProof"), dict):
            raise AttestInputError("the bundle's tlog entry is malformed")
        proof = tl["inclusionProof"]
        body = b64decode(tl.get("canonicalizedBody"), "canonicalizedBody")
        cp = parse_checkpoint(proof.get("checkpoint"))
        if checkpoint_signed_by(cp, trusted) is None:
            raise _Invalid("checkpoint-signature", "the log checkpoint is not signed by a trusted key")
        index, size = proof.get("logIndex"), proof.get("treeSize")
        hashes = [hex_bytes(h, "proof hash") for h in proof.get("hashes") or []]
        if not isinstance(index, int) or not isinstance(size, int):
            raise AttestInputError("the inclusion proof has no logIndex/treeSize")
        if (
            size != cp.size
            or hex_bytes(proof.get("rootHash"), "rootHash") != cp.root
            or not merkle.verify_inclusion(index, size, merkle.leaf_hash(body), hashes, cp.root)
        ):
            raise _Invalid(
                "other-tree",
                "the inclusion proof does not lead to the signed checkpoint (proof from another tree)",
            )
        leaf = parse_leaf(body)
        if leaf.get("payloadSha256") != payload_sha or leaf.get("payloadType") != env.payload_type:
            raise _Invalid(
                "payload-altered", "the payload was altered after signing (it is not the logged one)"
            )
        logged_sigs = {
            (s.get("keyid"), s.get("sigSha256")) for s in leaf.get("signatures") or [] if isinstance(s, dict)
        }
        if (signer.keyid, hashlib.sha256(candidates[0][1]).hexdigest()) not in logged_sigs:
            raise _Invalid(
                "signature-altered", "the signature was altered after signing (it is not the logged one)"
            )
        verdict.details["log_index"] = index
    # 3. the signature
    if not any(k.verify(s, env.message) for k, s in candidates):
        raise _Invalid(
            "signature",
            f"the signature does not verify with key {signer.keyid[:16]}… (payload or signature altered)",
        )
    # 4. statement and APK
    if env.payload_type != INTOTO_PAYLOAD_TYPE:
        raise _Invalid("statement", f"the payloadType is {env.payload_type!r}, not {INTOTO_PAYLOAD_TYPE}")
    try:
        st = parse_statement(json.loads(env.payload))
    except RecursionError:  # nested past the decoder's limit
        raise _Invalid("statement", "the signed statement is malformed: JSON nested too deep") from None
    except (ValueError, UnicodeDecodeError, AttestInputError) as exc:
        raise _Invalid("statement", f"the signed statement is malformed: {exc}") from None
    verdict.details.update(
        package=st.package, version_name=st.version_name, version_code=st.version_code,
        result=st.result, not_after=utc_text(st.not_after), apk_sha256=st.apk_sha256,
    )  # fmt: skip
    if apk_identity is not None:
        apk_sha, signers = apk_identity
        if apk_sha != st.apk_sha256:
            raise _Invalid(
                "other-apk", f"the attestation is for APK sha256 {st.apk_sha256[:16]}…, not {apk_sha[:16]}…"
            )
    else:
        if apk_path is None:
            raise AttestInputError("no APK given")
        apk_sha = file_sha256(apk_path)
        if apk_sha != st.apk_sha256:
            _apk_mismatch(apk_path, apk_sha, st)
        signers = _apk_signers(apk_path)
    if signers != st.signer_sha256s:
        raise _Invalid("signer", "the APK's signer certificates are not the attested ones")
    # 5. validity
    if at < st.not_before:
        raise _Invalid("not-yet-valid", f"not valid before {utc_text(st.not_before)}")
    if at > st.not_after:
        raise _Invalid("expired", f"expired on {utc_text(st.not_after)}")
    # 6. the log
    if log is not None:
        _check_log(log, trusted, cp, payload_sha, st.apk_sha256, verdict)
    elif tl is not None:
        verdict.notes.append("revocation not checked: give --log LOGDIR to check the log's latest state")
    # 7. the result
    if st.result != "PASSED":
        total = (st.raw["predicate"].get("findings") or {}).get("total", "?")
        raise _Invalid("failed-result", f"the attested result is FAILED ({total} findings)")


def _apk_mismatch(apk_path: Path, apk_sha: str, st: Any) -> None:
    """Raise the right reason for an APK whose digest is not the attested one."""
    package = None
    try:
        from appwarden.apk import open_apk

        package = open_apk(apk_path).manifest.package
    except AppwardenError:
        package = None
    if package is not None and st.package is not None and package != st.package:
        raise _Invalid(
            "other-apk",
            f"the attestation is for {st.package} {st.version_name or ''} (sha256 {st.apk_sha256[:16]}…), "
            f"not this APK ({package}, sha256 {apk_sha[:16]}…)",
        )
    raise _Invalid(
        "apk-modified",
        f"the APK was modified: sha256 {apk_sha[:16]}… is not the attested {st.apk_sha256[:16]}…",
    )


def _apk_signers(apk_path: Path) -> frozenset[str]:
    from appwarden.apk import open_apk

    try:
        apk = open_apk(apk_path)
    except AppwardenError as exc:
        raise _Invalid("apk-signature", f"the APK cannot be read: {exc}") from None
    verified = apk.verify_signatures()
    if any(v is False for v in verified.values()) or not any(v is True for v in verified.values()):
        raise _Invalid("apk-signature", "the APK's own signature does not verify")
    return frozenset(s.sha256 for s in apk.signing.signers)


def _check_log(
    log: FileLog, trusted: list[VerifyKey], cp: Any, payload_sha: str, apk_sha: str, verdict: Verdict
) -> None:
    latest = log.latest_checkpoint()
    if latest is None:
        raise _Invalid("log", f"the log {log.dir} is empty")
    if checkpoint_signed_by(latest, trusted) is None:
        raise _Invalid("log", "the log's latest checkpoint is not signed by a trusted key")
    entries = log.entries()
    hashes = [merkle.leaf_hash(e.body) for e in entries]
    if latest.size > len(hashes) or merkle.root_hash(hashes[: latest.size]) != latest.root:
        raise _Invalid("log", "the log's entries do not match its signed checkpoint")
    hashes, entries = hashes[: latest.size], entries[: latest.size]
    if cp is not None:
        if cp.origin != latest.origin:
            raise _Invalid("log", f"the bundle was logged in {cp.origin}, not in this log ({latest.origin})")
        proof = merkle.consistency_proof(hashes, cp.size) if cp.size <= latest.size else []
        if not merkle.verify_consistency(cp.size, latest.size, cp.root, latest.root, proof):
            raise _Invalid(
                "equivocation",
                f"log equivocation: the bundle's checkpoint (size {cp.size}) is not a prefix of the log's (size {latest.size})",
            )
    own = None
    for e in entries:
        leaf = e.leaf
        if leaf.get("kind") == "attestation" and leaf.get("payloadSha256") == payload_sha:
            own = e.index
            break
    if own is None:
        raise _Invalid("not-logged", "the attestation is not in the log")
    verdict.details["log_index"] = own
    for e in entries[own + 1 :]:
        leaf = e.leaf
        if leaf.get("kind") == "revocation" and leaf.get("revokes") == payload_sha:
            raise _Invalid("revoked", f"revoked on {leaf.get('time')}: {leaf.get('reason')}")
        if (
            leaf.get("kind") == "attestation"
            and leaf.get("apkSha256") == apk_sha
            and leaf.get("result") == "FAILED"
        ):
            raise _Invalid(
                "superseded",
                f"superseded: a later test of this APK FAILED ({leaf.get('time')}, log index {e.index})",
            )
