"""Issue #17 "the platform never freezes" and #16 part 3 (platform side).

Every scan runs in a child process under a wall-clock and memory limit (``APPWARDEN_SCAN_*``); a scan over a limit
ends the job *failed* with a Chinese reason and its ``failure_kind``, never retried; a job whose worker died
mid-scan is re-run only while attempts remain, then quarantined; an unreadable policy or trace supplied with a job
fails the job; the app category is a validated 39类 choice on the web form and in the API.

The fast tests drive ``run_scan`` (real child processes, real engine or the test engine
``platform_slow_engine:hog``); the slow ones run the real ``appwarden serve`` and a Celery worker on RabbitMQ and
check that the web answers within 2 s while a scan holds a CPU and the GIL.
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from pathlib import Path

import platform_factories as pf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase, override_settings
from platform_slow_engine import hostile_copy
from rest_framework.test import APIClient

from appwarden.platform.core.errors import UploadError
from appwarden.platform.testing import services, signals
from appwarden.platform.testing.models import ScanJob

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MINIMAL = ROOT / "tests" / "fixtures" / "apks" / "minimal.apk"
HOG = "platform_slow_engine:hog"


def hostile_policy_apk(kind: str = "blank") -> bytes:
    """The fixture APK plus ``assets/privacy.md`` made to send the markdown policy reader's regular expressions
    into super-linear backtracking: 20,000 blank lines, or thousands of unclosed ``` fences."""
    head = "# 隐私政策\n\n我们收集您的个人信息，包括设备标识符，并与第三方共享。\n"
    body = head + ("\n" * 20000 if kind == "blank" else "```a\n" * 5000)
    out = io.BytesIO()
    with zipfile.ZipFile(MINIMAL) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr("assets/privacy.md", body.encode())
    return out.getvalue()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead: its parent has not reaped it yet
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


class IsolatedScanTests(TestCase):
    def setUp(self):
        self.reviewer = pf.user("reviewer")
        self.marker = Path(self.enterContext(_tempdir())) / "pids"
        self.enterContext(_env(APPWARDEN_TEST_MARKER=str(self.marker)))

    def submit(self, data: bytes, **kw) -> ScanJob:
        return services.submit_apk(data, user=self.reviewer, file_name="app.apk", **kw)

    @override_settings(APPWARDEN_ENGINE=HOG, APPWARDEN_SCAN_TIMEOUT=2)
    def test_scan_over_the_time_limit_fails_with_the_reason_and_its_process_is_killed(self):
        job = self.submit(hostile_copy(MINIMAL.read_bytes()))
        started = time.monotonic()
        self.assertEqual(services.run_scan(job.pk), "failed")
        self.assertLess(time.monotonic() - started, 30)  # "does not hang": 2 s limit, generous bound
        job.refresh_from_db()
        self.assertEqual((job.failure_kind, job.attempts), ("timeout", 1))
        self.assertIn("扫描超时", job.error)
        self.assertIn("2 s", job.error)
        self.assertNotIn("\n", job.error)
        self.assertEqual(job.status_label, "失败 Failed · 超时 Timed out")
        pid = int(self.marker.read_text().split()[0])
        self.assertNotEqual(pid, os.getpid())  # the scan ran in another process ...
        self.assertFalse(pid_alive(pid))  # ... which was killed at the deadline
        # a failed job is final: running it again does not scan again
        self.assertEqual(services.run_scan(job.pk), "failed")
        self.assertEqual(len(self.marker.read_text().split()), 1)

    @override_settings(APPWARDEN_ENGINE=HOG, APPWARDEN_SCAN_MEMORY_MB=400)
    def test_scan_over_the_memory_limit_fails_with_the_reason(self):
        with _env(APPWARDEN_TEST_HOG="memory"):
            job = self.submit(hostile_copy(MINIMAL.read_bytes()))
            self.assertEqual(services.run_scan(job.pk), "failed")
        job.refresh_from_db()
        self.assertEqual(job.failure_kind, "memory")
        self.assertIn("内存超限", job.error)
        self.assertIn("400 MB", job.error)

    @override_settings(APPWARDEN_ENGINE=HOG)
    def test_scan_process_that_dies_fails_the_job_once(self):
        with _env(APPWARDEN_TEST_HOG="kill"):
            job = self.submit(hostile_copy(MINIMAL.read_bytes()))
            self.assertEqual(services.run_scan(job.pk), "failed")
        job.refresh_from_db()
        self.assertEqual((job.failure_kind, job.attempts), ("crash", 1))
        self.assertIn("扫描进程异常退出", job.error)
        self.assertIn("SIGKILL", job.error)

    @override_settings(APPWARDEN_ENGINE=HOG)
    def test_an_ordinary_apk_is_scanned_by_the_real_engine_in_a_child(self):
        job = self.submit(MINIMAL.read_bytes())
        self.assertEqual(services.run_scan(job.pk), "done", ScanJob.objects.get(pk=job.pk).error)
        job.refresh_from_db()
        self.assertEqual(job.app_version.app.package, "com.example.fixture")
        self.assertEqual(job.failure_kind, "")

    @override_settings(APPWARDEN_SCAN_TIMEOUT=4)
    def test_hostile_bundled_policy_apk_ends_within_the_limit(self):
        """The real engine on the hostile markdown policy: failed by the time limit, or (once the policy reader is
        linear) done well within it; never longer."""
        job = self.submit(hostile_policy_apk())
        started = time.monotonic()
        status = services.run_scan(job.pk)
        elapsed = time.monotonic() - started
        job.refresh_from_db()
        self.assertLess(elapsed, 4 + 20)
        if status == "failed":
            self.assertEqual(job.failure_kind, "timeout", job.error)
        else:
            self.assertEqual(status, "done")
            self.assertLess(elapsed, 4)


class PoisonJobTests(TestCase):
    def setUp(self):
        self.reviewer = pf.user("reviewer")
        self.finished: list[tuple[int, str]] = []

        def listen(sender, job, **_):
            self.finished.append((job.pk, job.status))

        signals.scan_finished.connect(listen, weak=False, dispatch_uid="isolation-test")
        self.addCleanup(signals.scan_finished.disconnect, dispatch_uid="isolation-test")

    def job(self, tag: str, **fields) -> ScanJob:
        job = services.submit_apk(pf.fake_apk(tag), user=self.reviewer)
        ScanJob.objects.filter(pk=job.pk).update(**fields)
        return job

    @override_settings(APPWARDEN_SCAN_MAX_ATTEMPTS=3)
    def test_restart_requeues_orphans_with_attempts_left_and_quarantines_the_others(self):
        spare = self.job("spare", status="running", attempts=2)
        spent = self.job("spent", status="running", attempts=3)
        self.assertEqual(services.requeue_orphans(), 1)
        spare.refresh_from_db()
        spent.refresh_from_db()
        self.assertEqual((spare.status, spare.failure_kind), ("queued", ""))
        self.assertEqual(
            (spent.status, spent.failure_kind, spent.quarantined), ("failed", "quarantined", True)
        )
        self.assertIn("已隔离", spent.error)
        self.assertIn("3 次", spent.error)
        self.assertEqual(spent.status_label, "失败 Failed · 已隔离 Quarantined")
        self.assertIn(
            (spent.pk, "failed"), self.finished
        )  # enforcement hears the end of a quarantined re-test

    @override_settings(APPWARDEN_SCAN_MAX_ATTEMPTS=2, APPWARDEN_ENGINE="no.such.engine:scan")
    def test_a_redelivered_job_out_of_attempts_is_quarantined_not_run(self):
        job = self.job(
            "redelivered", status="running", attempts=2
        )  # a broker redelivers after 2 worker deaths
        self.assertEqual(services.run_scan(job.pk), "failed")
        job.refresh_from_db()
        self.assertEqual((job.failure_kind, job.attempts), ("quarantined", 2))  # no third attempt
        queued = self.job("queued", attempts=1)
        self.assertIsNotNone(services.claim(queued.pk))  # attempts left: claimed (2nd attempt)

    @override_settings(APPWARDEN_SCAN_MAX_ATTEMPTS=1)
    def test_quarantine_is_visible_in_the_api_and_on_the_job_page(self):
        job = self.job("visible", status="running", attempts=1)
        services.requeue_orphans()
        api = APIClient()
        api.force_authenticate(self.reviewer)
        rows = api.get("/api/jobs/", {"failure_kind": "quarantined"}).json()["results"]
        self.assertEqual([r["id"] for r in rows], [job.pk])
        self.assertEqual((rows[0]["status"], rows[0]["failure_kind"]), ("failed", "quarantined"))
        self.assertIn("已隔离", rows[0]["error"])
        web = Client()
        web.force_login(self.reviewer)
        page = web.get(f"/testing/jobs/{job.pk}/").content.decode()
        self.assertIn("已隔离 Quarantined", page)
        self.assertIn("不会再自动重试", page)


class SuppliedInputTests(TestCase):
    """#16 part 3: a policy or trace supplied with a job and not analysable fails the job (Chinese reason)."""

    def setUp(self):
        self.reviewer = pf.user("reviewer")

    def run_job(self, **inputs) -> ScanJob:
        job = services.submit_apk(MINIMAL.read_bytes(), user=self.reviewer, file_name="m.apk", **inputs)
        services.run_scan(job.pk)
        job.refresh_from_db()
        return job

    def assert_failed_for(self, job: ScanJob, words: str) -> None:
        from django.conf import settings

        self.assertEqual((job.status, job.failure_kind), ("failed", "input"), job.error)
        self.assertIn(words, job.error)
        self.assertNotIn(str(settings.APPWARDEN_STORAGE_DIR), job.error)  # no server path reaches the user
        self.assertFalse(job.findings.exists())
        self.assertIsNone(job.report)

    def test_binary_policy_fails_the_job(self):
        self.assert_failed_for(self.run_job(policy=b"\x00\x01\x02\xff binary"), "隐私政策")

    def test_empty_policy_fails_the_job(self):
        self.assert_failed_for(self.run_job(policy=b"   \n"), "隐私政策")

    def test_unreadable_trace_fails_the_job(self):
        self.assert_failed_for(self.run_job(trace=b"this is not a trace\n"), "运行轨迹")

    def test_readable_policy_is_used(self):
        text = "隐私政策\n我们收集您的设备信息，用于安全风控。您可以通过设置撤回同意。联系我们：privacy@example.com\n"
        job = self.run_job(policy=text.encode())
        self.assertEqual(job.status, "done", job.error)
        self.assertTrue(job.report["policy"])


class CategoryChoiceTests(TestCase):
    def setUp(self):
        self.reviewer = pf.user("reviewer")
        self.api = APIClient()
        self.api.force_authenticate(self.reviewer)

    def upload(self, category: str, tag: str):
        return self.api.post(
            "/api/jobs/",
            {"file": SimpleUploadedFile("a.apk", pf.fake_apk(tag)), "category": category},
            format="multipart",
        )

    def test_api_accepts_a_39_type_and_refuses_anything_else_in_chinese(self):
        ok = self.upload("N39-07", "ok")
        self.assertEqual(ok.status_code, 201, ok.content)
        self.assertEqual(ScanJob.objects.get(pk=ok.json()["id"]).category, "N39-07")
        self.assertEqual(self.upload("", "blank").status_code, 201)  # none given: the engine infers it
        for bad in ("N39-99", "not a category", "<script>"):
            resp = self.upload(bad, f"bad{bad}")
            self.assertEqual(resp.status_code, 400, (bad, resp.content))
            self.assertIn("未知的应用类型", json.dumps(resp.json(), ensure_ascii=False))
        self.assertEqual(ScanJob.objects.count(), 2)

    def test_schema_lists_the_39_types(self):
        from appwarden.platform.testing.categories import choices

        keys = [k for k, _ in choices() if k]
        self.assertEqual(len(keys), 39)
        self.assertEqual((keys[0], keys[-1]), ("N39-01", "N39-39"))

    def test_web_form_offers_the_types_and_refuses_a_forged_value(self):
        web = Client()
        web.force_login(self.reviewer)
        page = web.get("/testing/upload/").content.decode()
        self.assertIn('value="N39-07"', page)
        self.assertIn("餐饮外卖类", page)
        resp = web.post(
            "/testing/upload/", {"file": SimpleUploadedFile("a.apk", pf.fake_apk("w")), "category": "N39-77"}
        )
        self.assertEqual(resp.status_code, 200)
        self.assertIn("未知的应用类型", resp.content.decode())
        self.assertFalse(ScanJob.objects.exists())
        resp = web.post(
            "/testing/upload/", {"file": SimpleUploadedFile("a.apk", pf.fake_apk("w")), "category": "N39-07"}
        )
        self.assertEqual(resp.status_code, 302)
        self.assertEqual(ScanJob.objects.get().category, "N39-07")

    def test_service_refuses_an_unknown_category(self):
        with self.assertRaises(UploadError) as ctx:
            services.submit_apk(pf.fake_apk("svc"), user=self.reviewer, category="N39-00")
        self.assertIn("未知的应用类型", str(ctx.exception))


# --- helpers ---------------------------------------------------------------------------------------------------------
import contextlib  # noqa: E402
import tempfile  # noqa: E402


@contextlib.contextmanager
def _env(**values: str):
    """Set environment variables (inherited by the scan's child process) for the block."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _tempdir():
    with tempfile.TemporaryDirectory(prefix="appwarden-iso-") as path:
        yield path
