"""Signing and verification keys for attestations (via ``cryptography``).

Contract:

* algorithms: Ed25519 (default; raw 64-byte signatures) and ECDSA P-256 with SHA-256 (DER signatures, as DSSE
  implementations such as securesystemslib's ``ecdsa-sha2-nistp256`` expect); other key types are refused. SM2 is
  not offered: ``cryptography`` has no SM2 and no maintained pure-Python SM2 library was adopted; a signer is
  anything with ``keyid``/``sign``, so one can be added without touching the envelope code;
* the key id is the lower-case hex SHA-256 of the public key's DER SubjectPublicKeyInfo;
* private keys are PKCS#8 PEM (unencrypted; the file is created mode 0600), public keys SPKI PEM; a trusted key may
  also be given as a PEM X.509 certificate (its public key is trusted; for the chain option it is the trust anchor).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from appwarden.attest.errors import AttestInputError

KEY_TYPES = ("ed25519", "ecdsa-p256")
MAX_KEY_FILE = 1024 * 1024

PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey


def key_id(public: PublicKey) -> str:
    """SHA-256 (hex) of the DER SubjectPublicKeyInfo."""
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def key_type(public: PublicKey) -> str:
    """``ed25519`` or ``ecdsa-p256``; AttestInputError for anything else."""
    if isinstance(public, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, ec.SECP256R1):
        return "ecdsa-p256"
    raise AttestInputError("unsupported key type (use Ed25519 or ECDSA P-256)")


def public_pem(public: PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@dataclass(frozen=True)
class VerifyKey:
    """A public key trusted to verify signatures."""

    public: PublicKey
    keyid: str = field(init=False)
    kind: str = field(init=False)
    certificate: x509.Certificate | None = None  # when the key was given as a certificate (a trust anchor)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", key_type(self.public))
        object.__setattr__(self, "keyid", key_id(self.public))

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Whether ``signature`` is this key's signature of ``message`` (never raises)."""
        try:
            if isinstance(self.public, ed25519.Ed25519PublicKey):
                self.public.verify(signature, message)
            else:
                self.public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class SigningKey:
    """A private key that signs (Ed25519 or ECDSA P-256)."""

    private: PrivateKey

    @property
    def public(self) -> PublicKey:
        return self.private.public_key()

    @property
    def keyid(self) -> str:
        return key_id(self.public)

    @property
    def kind(self) -> str:
        return key_type(self.public)

    def verify_key(self) -> VerifyKey:
        return VerifyKey(self.public)

    def sign(self, message: bytes) -> bytes:
        if isinstance(self.private, ed25519.Ed25519PrivateKey):
            return self.private.sign(message)
        return self.private.sign(message, ec.ECDSA(hashes.SHA256()))


def generate(kind: str = "ed25519") -> SigningKey:
    """A new key of ``kind`` (:data:`KEY_TYPES`)."""
    if kind == "ed25519":
        return SigningKey(ed25519.Ed25519PrivateKey.generate())
    if kind == "ecdsa-p256":
        return SigningKey(ec.generate_private_key(ec.SECP256R1()))
    raise AttestInputError(f"unknown key type {kind!r} (use one of: {', '.join(KEY_TYPES)})")


def write_keypair(key: SigningKey, directory: Path, name: str = "attest") -> tuple[Path, Path]:
    """Write ``NAME.key`` (PKCS#8 PEM, mode 0600) and ``NAME.pub`` into ``directory`` (created); refuses to
    overwrite an existing private key. Returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    priv_path, pub_path = directory / f"{name}.key", directory / f"{name}.pub"
    pem = key.private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise AttestInputError(f"{priv_path} exists: not overwriting a private key") from None
    except OSError as exc:
        raise AttestInputError(f"cannot write {priv_path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    pub_path.write_bytes(public_pem(key.public))
    return priv_path, pub_path


def _read(path: Path, what: str) -> bytes:
    if not path.is_file():
        raise AttestInputError(f"{what} not found: {path}")
    if path.stat().st_size > MAX_KEY_FILE:
        raise AttestInputError(f"{what} {path} is too large to be a key")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AttestInputError(f"cannot read {what} {path}: {exc.strerror}") from None


def load_signing_key(path: Path) -> SigningKey:
    """A private key from a PEM file; AttestInputError when missing, encrypted, malformed or unsupported."""
    data = _read(Path(path), "private key")
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise AttestInputError(f"{path}: encrypted private keys are not supported") from None
    except Exception as exc:  # cryptography raises ValueError or UnsupportedAlgorithm
        raise AttestInputError(f"{path} is not a PEM private key ({type(exc).__name__})") from None
    if not isinstance(private, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
        raise AttestInputError(f"{path}: unsupported key type (use Ed25519 or ECDSA P-256)")
    key = SigningKey(private)
    key_type(key.public)
    return key


def load_verify_key(path: Path) -> VerifyKey:
    """A trusted public key from a PEM SPKI file or a PEM X.509 certificate (then it is also a trust anchor)."""
    data = _read(Path(path), "public key")
    if b"-----BEGIN CERTIFICATE-----" in data:
        try:
            cert = x509.load_pem_x509_certificate(data)
            public = cert.public_key()
        except Exception as exc:
            raise AttestInputError(f"{path} is not a PEM certificate ({type(exc).__name__})") from None
        if not isinstance(public, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
            raise AttestInputError(f"{path}: unsupported key type (use Ed25519 or ECDSA P-256)")
        return VerifyKey(public, certificate=cert)
    try:
        public = serialization.load_pem_public_key(data)
    except Exception as exc:
        raise AttestInputError(f"{path} is not a PEM public key ({type(exc).__name__})") from None
    if not isinstance(public, ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey):
        raise AttestInputError(f"{path}: unsupported key type (use Ed25519 or ECDSA P-256)")
    return VerifyKey(public)


def load_cert_chain(path: Path) -> list[x509.Certificate]:
    """PEM certificates, the signer's (leaf) first; AttestInputError when none can be read."""
    data = _read(Path(path), "certificate chain")
    try:
        certs = x509.load_pem_x509_certificates(data)
    except Exception as exc:
        raise AttestInputError(f"{path} is not a PEM certificate chain ({type(exc).__name__})") from None
    if not certs:
        raise AttestInputError(f"{path} holds no certificate")
    return certs


def verify_chain(chain: list[x509.Certificate], anchors: list[VerifyKey], at: _dt.datetime) -> str | None:
    """Check ``chain`` (leaf first) links to one of ``anchors`` (keys given as certificates): each certificate is
    signed by the next, issuers are CA certificates, all are valid at ``at``, and the last is signed by an anchor's
    key (or is the anchor). Returns None when valid, else a one-line reason."""
    if not chain:
        return "no certificate chain"
    for cert in chain:
        if not (cert.not_valid_before_utc <= at <= cert.not_valid_after_utc):
            return f"certificate {cert.subject.rfc4514_string()} is not valid at {at.isoformat()}"
    for child, parent in itertools.pairwise(chain):
        reason = _issued_by(child, parent)
        if reason:
            return reason
    last = chain[-1]
    for anchor in anchors:
        if anchor.certificate is None:
            continue
        if last.fingerprint(hashes.SHA256()) == anchor.certificate.fingerprint(hashes.SHA256()):
            return None
        if _issued_by(last, anchor.certificate) is None:
            return None
    return "the certificate chain does not lead to a trusted certificate"


def _issued_by(child: x509.Certificate, parent: x509.Certificate) -> str | None:
    try:
        bc = parent.extensions.get_extension_for_class(x509.BasicConstraints).value
        is_ca = bc.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        return f"{parent.subject.rfc4514_string()} is not a CA certificate"
    if child.issuer != parent.subject:
        return f"{child.subject.rfc4514_string()} was not issued by {parent.subject.rfc4514_string()}"
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return f"the signature on {child.subject.rfc4514_string()} does not verify"
    return None
