"""Celery tasks (distributed mode). A scan task is a token of the fair queue (:mod:`appwarden.platform.testing.fairq`):
it claims the fairest queued job, recording its task id on the job. Acknowledged late and rejected on worker loss,
so a killed worker's token is redelivered and finds the job it had claimed; the run is idempotent, and it
counts attempts, so a job whose worker keeps dying is quarantined after ``APPWARDEN_SCAN_MAX_ATTEMPTS``. The scan
itself runs in a child process of the pool process under the scan limits (``APPWARDEN_SCAN_TIMEOUT``,
``APPWARDEN_SCAN_MEMORY_MB``): a task never runs longer than its scan's limit plus storing the outcome."""

from __future__ import annotations

from appwarden.platform.celery_app import app


@app.task(name="appwarden.scan_job", bind=True, acks_late=True, reject_on_worker_lost=True)
def scan_job(self, job_id: int | None = None) -> str:
    """A token of the fair queue: one is sent per queued job, and it runs the fairest runnable item (a scan job or a
    self-assessment; :func:`~appwarden.platform.testing.fairq.run_token`), not necessarily ``job_id``. Returns
    ``"<kind>:<pk>:<status>"`` or ``"empty"``."""
    from appwarden.platform.testing.fairq import run_token

    return run_token(self.request.id or "")


@app.task(name="appwarden.surface_overdue", acks_late=True)
def surface_overdue() -> int:
    from appwarden.platform.enforcement.workflow import surface_overdue as run

    return run()
