"""Celery task of self-assessments (distributed mode), acknowledged late like scan jobs; :func:`run` is idempotent
and counts attempts, so a redelivery after a lost worker is safe."""

from __future__ import annotations

from appwarden.platform.celery_app import app


@app.task(name="appwarden.selfcheck_job", acks_late=True, reject_on_worker_lost=True)
def selfcheck_job(pk: int) -> str:
    from appwarden.platform.selfcheck.services import run

    return run(pk)
