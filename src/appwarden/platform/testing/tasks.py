"""Celery tasks (distributed mode). Acknowledged late and rejected on worker loss, so a killed worker's job is
redelivered; :func:`~appwarden.platform.testing.services.run_scan` is idempotent, so redelivery is safe, and it
counts attempts, so a job whose worker keeps dying is quarantined after ``APPWARDEN_SCAN_MAX_ATTEMPTS``. The scan
itself runs in a child process of the pool process under the scan limits (``APPWARDEN_SCAN_TIMEOUT``,
``APPWARDEN_SCAN_MEMORY_MB``): a task never runs longer than its scan's limit plus storing the outcome."""

from __future__ import annotations

from appwarden.platform.celery_app import app


@app.task(name="appwarden.scan_job", acks_late=True, reject_on_worker_lost=True)
def scan_job(job_id: int) -> str:
    from appwarden.platform.testing.services import run_scan

    return run_scan(job_id)


@app.task(name="appwarden.surface_overdue", acks_late=True)
def surface_overdue() -> int:
    from appwarden.platform.enforcement.workflow import surface_overdue as run

    return run()
