"""The embedded worker: one daemon thread that consumes the job table as a queue.

It claims the oldest queued job with an atomic ``UPDATE ... WHERE status='queued'`` and runs it, so several
processes could share one database safely. The scan itself runs in a child process under the scan limits
(:func:`appwarden.platform.testing.engine.run_engine`): this thread only waits for it (without holding the GIL)
and stores the outcome, so the web server in the same process keeps answering while any scan runs.
On start it re-queues jobs left ``running`` by a process that died (the embedded equivalent of Celery's late
acknowledgement) while they have attempts left, and quarantines the others (poison jobs: a job that took the
server down ``APPWARDEN_SCAN_MAX_ATTEMPTS`` times is not resumed again); once a minute it surfaces overdue orders.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import close_old_connections

log = logging.getLogger(__name__)
_event = threading.Event()
_worker: DbQueueWorker | None = None


def wake() -> None:
    _event.set()


class DbQueueWorker(threading.Thread):
    def __init__(self, poll_seconds: float = 2.0) -> None:
        super().__init__(name="appwarden-worker", daemon=True)
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.current: int | None = None  # the job being run, if any
        self._last_overdue = 0.0

    def recover(self) -> int:
        """Re-queue jobs left running by a dead process (quarantine those out of attempts); returns how many
        were re-queued."""
        from appwarden.platform.testing.services import requeue_orphans

        return requeue_orphans()

    def run_once(self) -> bool:
        """Claim and run the oldest queued job; ``False`` when the queue is empty."""
        from appwarden.platform.testing.models import JOB_QUEUED, ScanJob
        from appwarden.platform.testing.services import run_scan

        for job_id in (
            ScanJob.objects.filter(status=JOB_QUEUED).order_by("id").values_list("id", flat=True)[:5]
        ):
            if self.stopping.is_set():
                return False
            self.current = job_id
            try:
                status = run_scan(job_id)
            finally:
                self.current = None
            if status != JOB_QUEUED:
                return True
        return False

    def release(self) -> bool:
        """On a clean stop (Ctrl-C, SIGTERM) of the server: give the job being scanned back to the queue without
        counting its attempt, since the job did not cause the stop (only a worker that dies mid-scan uses up
        attempts). Its scan process dies with this process. Returns whether a job was released."""
        from django.db.models import F
        from django.db.models.functions import Greatest

        from appwarden.platform.testing.models import JOB_QUEUED, JOB_RUNNING, ScanJob

        job_id = self.current
        if job_id is None:
            return False
        released = ScanJob.objects.filter(pk=job_id, status=JOB_RUNNING).update(
            status=JOB_QUEUED, attempts=Greatest(F("attempts") - 1, 0)
        )
        if released:
            log.warning("scan job %s put back in the queue (server stopping)", job_id)
        return bool(released)

    def run(self) -> None:
        close_old_connections()
        try:
            self.recover()
        except Exception:  # pragma: no cover - database not ready
            log.exception("worker recovery failed")
        while not self.stopping.is_set():
            try:
                busy = self.run_once()
                if time.monotonic() - self._last_overdue > 60:
                    from appwarden.platform.enforcement.workflow import surface_overdue

                    surface_overdue()
                    self._last_overdue = time.monotonic()
            except Exception:
                log.exception("embedded worker error")
                busy = False
            finally:
                close_old_connections()
            if not busy:
                _event.wait(self.poll_seconds)
                _event.clear()

    def stop(self) -> None:
        self.stopping.set()
        wake()


def start(poll_seconds: float = 2.0) -> DbQueueWorker:
    """Start the embedded worker thread once per process."""
    global _worker
    if _worker is None or not _worker.is_alive():
        _worker = DbQueueWorker(poll_seconds)
        _worker.start()
    return _worker
