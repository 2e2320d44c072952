"""Errors of :mod:`appwarden.attest`: bad input (exit 2), as opposed to an attestation that fails verification
(a :class:`~appwarden.attest.verify.Verdict`, exit 1)."""

from __future__ import annotations

from appwarden.errors import AppwardenError


class AttestInputError(AppwardenError):
    """A key, bundle, report, log directory or option cannot be used (malformed, missing, wrong kind)."""

    code = "attest"
