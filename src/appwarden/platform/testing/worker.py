"""The embedded worker of ``appwarden serve``: a process of its own that consumes the job table as a queue.

``serve`` starts ``python -m appwarden.platform.testing.worker`` beside the web server
(:class:`EmbeddedWorkerProcess`), restarts it if it dies, wakes it with SIGUSR1 when a job is queued and stops it
with SIGTERM. The worker claims the next job of the fair queue (:mod:`appwarden.platform.testing.fairq`: deadline
work first, then parties in turn) with an atomic ``UPDATE ... WHERE status='queued'`` and runs it, so several
processes can share one database safely; the scan itself runs in a further child process under the
scan limits (:func:`appwarden.platform.testing.engine.run_engine`). Nothing a scan does, and no report the worker
parses or stores, touches the web server's process: it keeps answering while any scan runs.

On start the worker re-queues jobs left ``running`` by a process that died (the embedded equivalent of Celery's
late acknowledgement) while they have attempts left, and quarantines the others (poison jobs: a job whose worker
died ``APPWARDEN_SCAN_MAX_ATTEMPTS`` times is not resumed again); a clean stop (SIGTERM, Ctrl-C) gives the job being
scanned back without using an attempt. Once a minute it surfaces overdue orders. It dies with ``serve``
(``PR_SET_PDEATHSIG``), and its scan with it.

:class:`DbQueueWorker` is the loop; it can also run as a thread of the calling process (:func:`start`, tests).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from django.db import close_old_connections

log = logging.getLogger(__name__)
_event = threading.Event()
_worker: DbQueueWorker | None = None
_process: EmbeddedWorkerProcess | None = None


class WorkerStopping(BaseException):
    """Raised in the worker process by SIGTERM/SIGINT, wherever the loop is (waiting for a scan included).

    Not an error: a BaseException, so that no ``except Exception`` on the way records it as a scan failure.
    """


def wake() -> None:
    """A job was queued: wake the embedded worker (its process by SIGUSR1, or the in-process thread)."""
    if _process is not None:
        _process.wake()
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
        from appwarden.platform.selfcheck.services import requeue_orphans as requeue_selfchecks
        from appwarden.platform.testing.services import requeue_orphans

        requeue_selfchecks()  # a company's self-assessment left running (issue #21.3)
        return requeue_orphans()

    def run_once(self) -> bool:
        """Claim the next item of the fair queue (:mod:`appwarden.platform.testing.fairq`: a re-test or complaint
        scan first, else the oldest item of the party waiting longest without service, scan jobs and companies'
        self-assessments alike) and run it; ``False`` when nothing is runnable."""
        from appwarden.platform.selfcheck.services import run_claimed as run_selfcheck
        from appwarden.platform.testing.fairq import SCAN, claim_next
        from appwarden.platform.testing.services import run_claimed

        if self.stopping.is_set():
            return False
        claimed = claim_next()
        if claimed is None:
            return False
        kind, row = claimed
        if kind != SCAN:
            run_selfcheck(row)  # a clean stop puts it back in the queue itself, attempt refunded
            return True
        self.current = row.pk
        try:
            run_claimed(row)
        except WorkerStopping:
            self.release()
            raise
        finally:
            self.current = None
        return True

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
                from appwarden.platform.notifications.periodic import tick

                tick()  # due notification deliveries, deadline reminders, the daily digest
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
    """Start the worker loop as a thread of this process, once (tests; ``serve`` uses :func:`start_process`)."""
    global _worker
    if _worker is None or not _worker.is_alive():
        _worker = DbQueueWorker(poll_seconds)
        _worker.start()
    return _worker


class EmbeddedWorkerProcess:
    """The worker process of ``appwarden serve``: started, restarted when it dies unexpectedly, stopped cleanly.

    The child inherits the environment (data directory, database URL, scan limits) of the server, which has
    already migrated the database.
    """

    RESTART_DELAY = 2.0

    def __init__(self, poll_seconds: float = 2.0) -> None:
        self.poll_seconds = poll_seconds
        self.proc: subprocess.Popen | None = None
        self.stopping = threading.Event()
        self.restarts = 0
        self._lock = threading.Lock()
        self._supervisor: threading.Thread | None = None

    def start(self) -> None:
        with self._lock:
            env = {**os.environ, "APPWARDEN_WORKER_PARENT": str(os.getpid())}
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "appwarden.platform.testing.worker", f"--poll={self.poll_seconds:g}"],
                env=env,
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        if self._supervisor is None:
            self._supervisor = threading.Thread(
                target=self._supervise, name="appwarden-worker-watch", daemon=True
            )
            self._supervisor.start()

    def _supervise(self) -> None:
        while not self.stopping.is_set():
            proc = self.proc
            if proc is None:
                return
            code = proc.wait()
            if self.stopping.is_set():
                return
            self.restarts += 1
            log.error(
                "embedded worker process exited with %s; restarting it in %g s", code, self.RESTART_DELAY
            )
            if self.stopping.wait(self.RESTART_DELAY):
                return
            self.start()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def wake(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # exited in between
                proc.send_signal(signal.SIGUSR1)

    def stop(self, timeout: float = 20.0) -> int | None:
        """SIGTERM the worker (it gives its job back and exits); SIGKILL after ``timeout``. Returns its status."""
        self.stopping.set()
        with self._lock:
            proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log.error("embedded worker did not stop within %g s; killing it", timeout)
                proc.kill()
                proc.wait(timeout=10)
        return proc.returncode


def start_process(poll_seconds: float = 2.0) -> EmbeddedWorkerProcess:
    """Start the embedded worker process (``serve``); :func:`wake` signals it from then on."""
    global _process
    if _process is None:
        _process = EmbeddedWorkerProcess(poll_seconds)
        _process.start()
    return _process


def _follow_parent() -> None:
    """Die with ``serve`` (Linux ``PR_SET_PDEATHSIG``); exit at once if it is already gone."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover
            pass
    parent = os.environ.get("APPWARDEN_WORKER_PARENT")
    if parent and os.getppid() != int(parent):
        sys.exit(3)


def process_main(argv: list[str] | None = None) -> int:
    """Body of ``python -m appwarden.platform.testing.worker [--poll=S]``: the worker loop in this process's main
    thread until SIGTERM or SIGINT (then the job being scanned goes back to the queue, attempt refunded)."""
    poll = 2.0
    for arg in argv if argv is not None else sys.argv[1:]:
        if arg.startswith("--poll="):
            poll = float(arg.split("=", 1)[1])
    _follow_parent()
    from appwarden.platform import setup

    setup()
    worker = DbQueueWorker(poll)

    def on_stop(signum: int, frame: Any) -> None:
        if not worker.stopping.is_set():
            worker.stopping.set()
            raise WorkerStopping(signum)

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    signal.signal(signal.SIGUSR1, lambda signum, frame: _event.set())
    try:
        worker.run()
    except WorkerStopping:
        log.info("embedded worker stopped")
    return 0


if __name__ == "__main__":  # pragma: no cover - run by `appwarden serve`, tested through it
    sys.exit(process_main())
