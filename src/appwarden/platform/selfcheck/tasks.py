"""Celery task of self-assessments (distributed mode), acknowledged late like scan jobs. It is a token of the fair
queue (:func:`appwarden.platform.testing.fairq.run_token`): it claims the fairest runnable item, a scan job or a
self-assessment; a redelivered token re-runs the item it had claimed (attempts counted), so a lost worker loses
nothing."""

from __future__ import annotations

from appwarden.platform.celery_app import app


@app.task(name="appwarden.selfcheck_job", bind=True, acks_late=True, reject_on_worker_lost=True)
def selfcheck_job(self, pk: int | None = None) -> str:
    """A token of the fair queue (testing/fairq.py): runs the fairest runnable scan job or self-assessment, which
    need not be ``pk`` (the one whose queueing sent it)."""
    from appwarden.platform.testing.fairq import run_token

    return run_token(self.request.id or "")
