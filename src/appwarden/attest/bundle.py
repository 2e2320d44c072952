"""Attestation bundles (one JSON object per line of a ``*.intoto.jsonl`` file) and the signing service.

Contract (byte-level description in ``docs/attestation.md``)::

    {"mediaType": BUNDLE_MEDIA_TYPE,
     "dsseEnvelope": {DSSE envelope of the in-toto statement},
     "verificationMaterial": {
        "publicKey": {"keyid": signer key id},                                  # a hint, not trusted
        "x509CertificateChain": {"certificates": [base64 DER, leaf first]},    # only with a certificate chain
        "tlogEntries": [{"logId", "origin", "logIndex", "canonicalizedBody": base64 leaf data,
                         "inclusionProof": {"logIndex", "treeSize", "rootHash": hex, "hashes": [hex],
                                            "checkpoint": {DSSE envelope of the checkpoint}}}]}}

:func:`sign_apk` is the one signing path (CLI and platform): it opens the APK, checks its signature and that the
report describes it, builds the statement, signs it and, with a log, appends the leaf and embeds the proof. A log
is any object with ``append(body, envelope, key)``, ``inclusion(index, size)``, ``origin`` and ``key``
(:class:`~appwarden.attest.log.FileLog` or the platform's database log).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from appwarden.attest.dsse import INTOTO_PAYLOAD_TYPE, b64decode, b64encode, sign_envelope
from appwarden.attest.errors import AttestInputError
from appwarden.attest.keys import SigningKey, VerifyKey
from appwarden.attest.log import Checkpoint, attestation_leaf
from appwarden.attest.statement import (
    DEFAULT_FAIL_ON,
    DEFAULT_VALID_DAYS,
    build_statement,
    canonical,
    check_report_matches,
    rules_digest,
)

BUNDLE_MEDIA_TYPE = "application/vnd.appwarden.attestation.bundle.v0.1+json"
MAX_BUNDLE_BYTES = 16 * 1024 * 1024


class Log(Protocol):
    origin: str
    key: VerifyKey

    def append(self, body: bytes, envelope: dict[str, Any], key: SigningKey) -> tuple[int, Checkpoint]: ...

    def inclusion(self, index: int, size: int) -> list[bytes]: ...


def tlog_entry(log: Log, index: int, checkpoint: Checkpoint, body: bytes) -> dict[str, Any]:
    """The bundle's record of one log entry with its inclusion proof against ``checkpoint``."""
    proof = log.inclusion(index, checkpoint.size)
    return {
        "logId": log.key.keyid,
        "origin": log.origin,
        "logIndex": index,
        "canonicalizedBody": b64encode(body),
        "inclusionProof": {
            "logIndex": index,
            "treeSize": checkpoint.size,
            "rootHash": checkpoint.root.hex(),
            "hashes": [h.hex() for h in proof],
            "checkpoint": checkpoint.envelope,
        },
    }


def make_bundle(
    envelope: dict[str, Any],
    keyid: str,
    chain: list[x509.Certificate] | None = None,
    tlog: dict[str, Any] | None = None,
) -> dict[str, Any]:
    material: dict[str, Any] = {"publicKey": {"keyid": keyid}}
    if chain:
        material["x509CertificateChain"] = {
            "certificates": [b64encode(c.public_bytes(serialization.Encoding.DER)) for c in chain]
        }
    material["tlogEntries"] = [tlog] if tlog else []
    return {"mediaType": BUNDLE_MEDIA_TYPE, "dsseEnvelope": envelope, "verificationMaterial": material}


@dataclass(frozen=True)
class Signed:
    """What :func:`sign_apk` produced."""

    bundle: dict[str, Any]
    statement: dict[str, Any]
    log_index: int | None
    rules_note: str | None  # set when the report's rules differ from this installation's (digest left out)


def apk_identity(apk_path: Path) -> tuple[str, list[str]]:
    """``(sha256, signer certificate sha256s)`` of an APK whose signature verifies; AttestInputError otherwise."""
    from appwarden.apk import open_apk

    apk = open_apk(apk_path)
    signers = sorted({s.sha256 for s in apk.signing.signers})
    if not signers:
        raise AttestInputError(f"{apk_path} is not signed: only a signed APK can be attested")
    verified = apk.verify_signatures()
    if any(v is False for v in verified.values()) or not any(v is True for v in verified.values()):
        raise AttestInputError(f"{apk_path}: the APK's own signature does not verify ({verified})")
    return apk.sha256, signers


def apk_identity_json(apk_path: str, **_: object) -> dict[str, object]:
    """:func:`apk_identity` as a sandbox engine function (``appwarden.distributed.sandbox.run_isolated``): the
    platform reads a stored APK in a child process under limits, never in a web request's process.
    Returns ``{"sha256", "signers"}`` or ``{"refused": one-line reason}``."""
    from appwarden.errors import AppwardenError

    try:
        sha, signers = apk_identity(Path(apk_path))
    except AppwardenError as exc:
        return {"refused": str(exc)}
    return {"sha256": sha, "signers": signers}


def sign_apk(
    apk_path: Path,
    report: dict[str, Any],
    report_bytes: bytes,
    key: SigningKey,
    *,
    log: Log | None = None,
    chain: list[x509.Certificate] | None = None,
    fail_on: str = DEFAULT_FAIL_ON,
    valid_days: int = DEFAULT_VALID_DAYS,
    now: _dt.datetime | None = None,
) -> Signed:
    """Attest ``apk_path`` with its ``report`` (``report_bytes`` are the file as stored: their sha256 is signed)."""
    apk_sha, signers = apk_identity(apk_path)
    return sign_identity(
        apk_sha, signers, report, report_bytes, key,
        log=log, chain=chain, fail_on=fail_on, valid_days=valid_days, now=now,
    )  # fmt: skip


def sign_identity(
    apk_sha: str,
    signers: list[str],
    report: dict[str, Any],
    report_bytes: bytes,
    key: SigningKey,
    *,
    log: Log | None = None,
    chain: list[x509.Certificate] | None = None,
    fail_on: str = DEFAULT_FAIL_ON,
    valid_days: int = DEFAULT_VALID_DAYS,
    now: _dt.datetime | None = None,
) -> Signed:
    """:func:`sign_apk` for an APK already identified (the platform knows the digest and signers of its copy)."""
    check_report_matches(report, apk_sha, signers)
    if chain:
        leaf_key = (
            chain[0]
            .public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        if hashlib.sha256(leaf_key).hexdigest() != key.keyid:
            raise AttestInputError("the first certificate of the chain is not the signing key's")
    version, digest = rules_digest()
    reported = str((report.get("engine") or {}).get("rules_version") or "")
    note = None
    if reported != version:
        note = f"the report was made with rules {reported or '?'}, this installation has {version}: rulesDigest omitted"
        rules: tuple[str, str | None] = (reported, None)
    else:
        rules = (version, digest)
    statement = build_statement(
        apk_sha256=apk_sha,
        signer_sha256s=signers,
        report=report,
        report_sha256=hashlib.sha256(report_bytes).hexdigest(),
        rules=rules,
        fail_on=fail_on,
        now=now,
        valid_days=valid_days,
    )
    envelope = sign_envelope(canonical(statement), INTOTO_PAYLOAD_TYPE, [key])
    tlog = None
    index = None
    if log is not None:
        pred = statement["predicate"]
        body = attestation_leaf(envelope, apk_sha, pred["verificationResult"], pred["timeVerified"])
        index, checkpoint = log.append(body, envelope, key)
        tlog = tlog_entry(log, index, checkpoint, body)
    return Signed(make_bundle(envelope, key.keyid, chain, tlog), statement, index, note)


def bundle_line(bundle: dict[str, Any]) -> bytes:
    """One line of a ``.intoto.jsonl`` file (canonical JSON + newline)."""
    return canonical(bundle) + b"\n"


def read_bundle(path: Path) -> dict[str, Any]:
    """The single bundle in a ``.intoto.jsonl`` file; AttestInputError when missing, not JSON or not a bundle."""
    p = Path(path)
    if not p.is_file():
        raise AttestInputError(f"bundle not found: {p}")
    if p.stat().st_size > MAX_BUNDLE_BYTES:
        raise AttestInputError(f"{p} is too large to be an attestation bundle")
    try:
        lines = [ln for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise AttestInputError(f"cannot read {p}: {exc}") from None
    if len(lines) != 1:
        raise AttestInputError(f"{p} must hold exactly one bundle line, not {len(lines)}")
    try:
        data = json.loads(lines[0])
    except (ValueError, RecursionError):  # RecursionError: nested past the decoder's limit
        raise AttestInputError(f"{p} is not JSON") from None
    check_bundle_shape(data, str(p))
    return data


def check_bundle_shape(data: Any, what: str = "bundle") -> None:
    """AttestInputError unless ``data`` has the bundle's shape (nothing verified)."""
    if not isinstance(data, dict) or data.get("mediaType") != BUNDLE_MEDIA_TYPE:
        raise AttestInputError(f"{what} is not an appwarden attestation bundle ({BUNDLE_MEDIA_TYPE})")
    if not isinstance(data.get("dsseEnvelope"), dict):
        raise AttestInputError(f"{what} has no dsseEnvelope")
    material = data.get("verificationMaterial")
    if not isinstance(material, dict) or not isinstance(material.get("tlogEntries", []), list):
        raise AttestInputError(f"{what} has no valid verificationMaterial")


def bundle_chain(bundle: dict[str, Any]) -> list[x509.Certificate]:
    """The certificate chain carried by the bundle (empty without one)."""
    raw = (bundle["verificationMaterial"].get("x509CertificateChain") or {}).get("certificates") or []
    certs = []
    for i, c in enumerate(raw):
        try:
            certs.append(x509.load_der_x509_certificate(b64decode(c, f"certificate {i}")))
        except ValueError:
            raise AttestInputError(f"certificate {i} of the bundle is not DER") from None
    return certs


def hex_bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise AttestInputError(f"{what} is not hex")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise AttestInputError(f"{what} is not hex") from None
