"""DSSE (Dead Simple Signing Envelope, github.com/secure-systems-lab/dsse, protocol v1).

Contract:

* :func:`pae` is the Pre-Authentication Encoding ``"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`` (lengths in
  ASCII decimal, no leading zeros); a signature is always over ``pae(payloadType, payload)``, never the payload;
* :func:`sign_envelope` returns the JSON envelope ``{"payload", "payloadType", "signatures": [{"keyid", "sig"}]}``
  with standard base64 (padded) for ``payload`` and ``sig``;
* :func:`parse_envelope` checks the shape and decodes base64 (standard or URL-safe, as the spec allows), raising
  :class:`~appwarden.attest.errors.AttestInputError` on a malformed envelope; it does not verify anything.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from appwarden.attest.errors import AttestInputError
from appwarden.attest.keys import SigningKey

INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
_B64 = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")


def pae(payload_type: str, payload: bytes) -> bytes:
    """The DSSE v1 Pre-Authentication Encoding of ``payload`` with type ``payload_type``."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: Any, what: str) -> bytes:
    """Decode standard or URL-safe base64 (padding optional); AttestInputError when it is not base64."""
    if not isinstance(text, str) or not _B64.fullmatch(text):
        raise AttestInputError(f"{what} is not base64")
    core = text.rstrip("=")
    padded = core + "=" * (-len(core) % 4)
    try:
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise AttestInputError(f"{what} is not base64") from None


def sign_envelope(payload: bytes, payload_type: str, keys: list[SigningKey]) -> dict[str, Any]:
    """A DSSE envelope of ``payload`` signed by each key (in order)."""
    message = pae(payload_type, payload)
    return {
        "payload": b64encode(payload),
        "payloadType": payload_type,
        "signatures": [{"keyid": k.keyid, "sig": b64encode(k.sign(message))} for k in keys],
    }


@dataclass(frozen=True)
class Envelope:
    """A parsed DSSE envelope: the decoded payload and ``(keyid, signature bytes)`` pairs."""

    payload: bytes
    payload_type: str
    signatures: tuple[tuple[str, bytes], ...]

    @property
    def message(self) -> bytes:
        """The bytes every signature is over."""
        return pae(self.payload_type, self.payload)


def parse_envelope(data: Any, what: str = "envelope") -> Envelope:
    """Check the envelope's shape and decode it (no verification); AttestInputError when malformed."""
    if not isinstance(data, dict):
        raise AttestInputError(f"{what} is not a JSON object")
    ptype = data.get("payloadType")
    if not isinstance(ptype, str) or not ptype:
        raise AttestInputError(f"{what} has no payloadType")
    payload = b64decode(data.get("payload"), f"{what} payload")
    sigs = data.get("signatures")
    if not isinstance(sigs, list) or not sigs:
        raise AttestInputError(f"{what} has no signatures")
    parsed: list[tuple[str, bytes]] = []
    for i, s in enumerate(sigs):
        if not isinstance(s, dict):
            raise AttestInputError(f"{what} signature {i} is not an object")
        keyid = s.get("keyid", "")
        if not isinstance(keyid, str):
            raise AttestInputError(f"{what} signature {i} has a non-string keyid")
        parsed.append((keyid, b64decode(s.get("sig"), f"{what} signature {i}")))
    return Envelope(payload, ptype, tuple(parsed))
