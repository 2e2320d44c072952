"""Where a queued job goes, by ``settings.APPWARDEN_WORKER``:

- ``thread`` (embedded, ``appwarden serve``; the historical name): the job row *is* the queue; the embedded
  worker process (:class:`~appwarden.platform.testing.worker.DbQueueWorker` loop) claims queued rows in the fair
  order of :mod:`appwarden.platform.testing.fairq`;
  :func:`dispatch` only wakes it up.
- ``celery`` (distributed): ``scan_job.delay(job_id)`` to the broker, a *token*: the ``appwarden worker`` process
  that receives it runs the fairest queued job, not necessarily ``job_id`` (:mod:`appwarden.platform.testing.fairq`).
- ``eager``: run the job at once in the calling thread (tests only).
- ``none``: leave the job queued (tests drive :func:`~appwarden.platform.testing.services.run_scan`).
"""

from __future__ import annotations

from django.conf import settings


def dispatch(job_id: int) -> None:
    mode = settings.APPWARDEN_WORKER
    if mode == "celery":
        from appwarden.platform.testing.tasks import scan_job

        scan_job.delay(job_id)
    elif mode == "eager":
        from appwarden.platform.testing.services import run_scan

        run_scan(job_id)
    elif mode == "thread":
        from appwarden.platform.testing.worker import wake

        wake()
