"""The platform against real services: PostgreSQL (the workflow/permission/testing suites rerun on it in a
subprocess) and Celery through real brokers (Redis and RabbitMQ) with an ``appwarden worker`` process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_APK = ROOT / "tests" / "fixtures" / "apks" / "minimal.apk"


@pytest.mark.service
@pytest.mark.slow
def test_suites_pass_on_postgresql(postgres_url):
    """Django creates ``test_<db>`` on the server, runs migrations and the suites, and drops it again."""
    parsed = urlparse(postgres_url)
    url = parsed._replace(path=f"/appwarden_platform_{os.getpid()}").geturl()
    env = {**os.environ, "APPWARDEN_PLATFORM_TEST_DB": url}
    suites = [
        str(Path(__file__).parent / name)
        for name in (
            "test_workflow.py",
            "test_foreign_signer.py",
            "test_permissions.py",
            "test_testing.py",
            "test_users.py",
            "test_security.py",
            "test_notice_types.py",
            "test_stored_notice_scope.py",
            "test_retest_integrity.py",
            "test_attestation.py",
            "test_attestation_tree.py",
            "test_early_warning.py",
            "test_early_warning_daily.py",
            "test_notifications.py",
            "test_notification_retention.py",
            "test_review_scale.py",
            "test_sdk_vendor.py",
            "test_sdk_orders.py",
            "test_sdk_versions.py",
            "test_prelisting.py",
            "test_sanctions.py",
            "test_stop_access.py",
            "test_prelisting_audit_race.py",
            "test_listing_reactivate.py",
            "test_yearly.py",
            "test_yearly_snapshot.py",
            "test_page_queries.py",
            "test_early_warning_cache_form.py",
            "test_prelisting_store_page.py",
            "test_company_portal.py",
            "test_company_complaints.py",
            "test_company_selfcheck.py",
            "test_crawl.py",
            "test_attacker.py",
            "test_audit_rows.py",
            "test_complaint_app_match.py",
            "test_screening_review.py",
            "test_lookalike.py",
            "test_fair_queue.py",
            "test_stats_db_aggregation.py",
            "test_notice_withdraw.py",
            "test_verdict_audit.py",
        )
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *suites],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,  # ~30 suites; the machine may be shared
    )
    tail = (proc.stdout + proc.stderr)[-3000:]
    assert proc.returncode == 0, tail
    assert " passed" in proc.stdout and "failed" not in proc.stdout, tail


def _platform_env(tmp_path: Path, broker: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "appwarden.platform.settings",
        "APPWARDEN_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/platform.sqlite3",
        "CELERY_BROKER_URL": broker,
        "APPWARDEN_WORKER": "celery",
        "APPWARDEN_CELERY_QUEUE": f"appwarden-test-{uuid.uuid4().hex[:8]}",
        "APPWARDEN_SECRET_KEY": "test",
    }


SUBMIT_AND_WAIT = r"""
import json, sys, time
from appwarden.platform import setup
setup()
from django.contrib.auth import get_user_model
from appwarden.platform.core.models import Profile
from appwarden.platform.testing import services
from appwarden.platform.testing.models import ScanJob
user = get_user_model().objects.create_user("celery-reviewer", password="x")
Profile.objects.create(user=user, role="reviewer")
job = services.submit_apk(open(sys.argv[1], "rb").read(), user=user, file_name="minimal.apk")
deadline = time.time() + 180
while time.time() < deadline:
    job.refresh_from_db()
    if job.status in ("done", "failed"):
        break
    time.sleep(0.5)
print(json.dumps({"status": job.status, "attempts": job.attempts, "error": job.error,
                  "package": job.app_version.app.package if job.app_version else None}))
"""


def _round_trip(tmp_path: Path, broker: str) -> dict:
    from celery_worker import migrate, run_json, worker

    env = _platform_env(tmp_path, broker)
    migrate(env)
    with worker(env, tmp_path):
        return run_json(env, SUBMIT_AND_WAIT, str(FIXTURE_APK))


def _check(result: dict, tmp_path: Path) -> None:
    worker_log = (tmp_path / "worker.log").read_text(errors="replace")[-2000:]
    # the worker process consumed the task from the broker and ran the job to an end state
    assert result["status"] in ("done", "failed"), (result, worker_log)
    assert result["attempts"] == 1, (result, worker_log)
    if result["status"] == "done":
        assert result["package"] == "com.example.fixture"
    else:  # the engine refused the APK: recorded as a one-line reason, not lost
        assert result["error"] and "\n" not in result["error"]


@pytest.mark.service
@pytest.mark.slow
def test_celery_worker_over_redis(redis_url, tmp_path):
    _check(_round_trip(tmp_path, redis_url), tmp_path)


@pytest.mark.service
@pytest.mark.slow
def test_celery_worker_over_rabbitmq(amqp_url, tmp_path):
    _check(_round_trip(tmp_path, amqp_url), tmp_path)


def test_celery_tasks_are_acknowledged_late():
    from appwarden.platform.celery_app import app
    from appwarden.platform.testing.tasks import scan_job

    assert scan_job.acks_late is True
    assert scan_job.reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_default_queue.startswith("appwarden")


SUBMIT_ONLY = r"""
import sys
import time
from appwarden.platform import setup
setup()
from django.contrib.auth import get_user_model
from appwarden.platform.core.models import Profile
from appwarden.platform.testing import services
user = get_user_model().objects.create_user("kill-reviewer", password="x")
Profile.objects.create(user=user, role="reviewer")
print(services.submit_apk(open(sys.argv[1], "rb").read(), user=user, file_name="minimal.apk").pk)
"""

JOB_STATE = r"""
import json, sys
from appwarden.platform import setup
setup()
from appwarden.platform.testing.models import ScanJob
job = ScanJob.objects.get(pk=int(sys.argv[1]))
print(json.dumps({"status": job.status, "attempts": job.attempts,
                  "package": job.app_version.app.package if job.app_version else None}))
"""


@pytest.mark.service
@pytest.mark.slow
def test_killed_worker_loses_nothing(amqp_url, tmp_path):
    """SIGKILL a worker in the middle of a scan: the broker redelivers the unacknowledged task to the next worker,
    which finishes the job once (acks_late + idempotent run_scan)."""
    import signal

    env = _platform_env(tmp_path, amqp_url)
    marker = tmp_path / "started"
    env.update(
        {
            "APPWARDEN_ENGINE": "platform_slow_engine:scan",
            "APPWARDEN_TEST_MARKER": str(marker),
            "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")]),
        }
    )
    from celery_worker import migrate

    migrate(env)

    def start_worker(name: str) -> subprocess.Popen:
        log = (tmp_path / f"{name}.log").open("w")
        return subprocess.Popen(
            [sys.executable, "-m", "appwarden", "worker", "--concurrency", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )

    def state(job_id: int) -> dict:
        out = subprocess.run(
            [sys.executable, "-c", JOB_STATE, str(job_id)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    first = start_worker("worker1")
    second = None
    try:
        job_id = int(
            subprocess.run(
                [sys.executable, "-c", SUBMIT_ONLY, str(FIXTURE_APK)],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            ).stdout.strip()
        )
        deadline = time.time() + 90
        while time.time() < deadline and not marker.exists():
            time.sleep(0.2)
        assert marker.exists(), (tmp_path / "worker1.log").read_text()[-2000:]
        os.killpg(first.pid, signal.SIGKILL)  # the worker we started, and its pool child, mid-scan
        first.wait(timeout=10)
        assert state(job_id)["status"] == "running"
        env["APPWARDEN_TEST_DELAY"] = "0"
        second = start_worker("worker2")
        deadline = time.time() + 120
        result = state(job_id)
        while time.time() < deadline and result["status"] not in ("done", "failed"):
            time.sleep(1)
            result = state(job_id)
        assert result == {"status": "done", "attempts": 2, "package": "com.example.fixture"}, (
            result,
            (tmp_path / "worker2.log").read_text()[-2000:],
        )
        assert len(marker.read_text().split()) == 2  # started twice, finished once
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
