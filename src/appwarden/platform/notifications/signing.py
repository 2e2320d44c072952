"""Webhook signatures (no Django here: a receiver may copy this module as it is).

Each webhook request carries the header::

    Appwarden-Signature: t=1765000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd

``t`` is the Unix time the request was signed (each attempt is signed anew) and ``v1`` the lower-case hex
HMAC-SHA256, keyed with the endpoint's secret (UTF-8), of the bytes ``<t>.<raw request body>``. While a secret is
being rotated the header may carry several ``v1=`` values; one matching is enough. A receiver recomputes the HMAC
over the body exactly as received (before any JSON parsing), compares in constant time and rejects timestamps
older than a tolerance (default 5 minutes) to stop replays.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "Appwarden-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300


def compute(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``<timestamp>.<body>`` keyed with ``secret``."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``Appwarden-Signature`` header value for ``body`` (``timestamp`` defaults to now)."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={ts},{SCHEME}={compute(secret, ts, body)}"


def verify(
    secret: str,
    body: bytes,
    header: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether ``header`` is a valid signature of ``body`` with ``secret`` made within ``tolerance`` seconds of
    ``now`` (either direction). A malformed header is simply not valid (never raises)."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == SCHEME and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = compute(secret, timestamp, body)
    return any(hmac.compare_digest(expected, s) for s in signatures)
