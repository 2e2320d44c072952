"""Celery task of the transparency log (distributed mode): the full log check (beat, daily)."""

from __future__ import annotations

from appwarden.platform.celery_app import app


@app.task(name="appwarden.attest_log_verify", acks_late=True)
def attest_log_verify_task() -> str:
    """Re-verify the whole transparency log (``logcheck.verify_log``); returns "ok" or the problem (also logged
    as an error)."""
    from appwarden.platform.attestation.logcheck import verify_log

    return verify_log().problem or "ok"
