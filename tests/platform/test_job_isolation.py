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

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

import platform_factories as pf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase, override_settings
from platform_slow_engine import hostile_copy
from rest_framework.test import APIClient

from appwarden.platform.core.errors import UploadError
from appwarden.platform.testing import engine, services, signals
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


def parent_of(pid: int) -> int:
    """The parent pid of a running process (Linux /proc)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[1])


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

    def test_a_clean_stop_gives_the_running_job_back_without_using_an_attempt(self):
        from appwarden.platform.testing.worker import DbQueueWorker

        job = self.job("released", status="running", attempts=1)
        w = DbQueueWorker()
        self.assertFalse(w.release())  # nothing being run
        w.current = job.pk
        self.assertTrue(w.release())
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), ("queued", 0))
        ScanJob.objects.filter(pk=job.pk).update(status="done")
        self.assertFalse(w.release())  # a job that ended meanwhile is left alone

    @override_settings(APPWARDEN_SCAN_MAX_ATTEMPTS=1)
    def test_quarantine_is_visible_in_the_api_and_on_the_job_page(self):
        job = self.job("visible", status="running", attempts=1)
        services.requeue_orphans()
        api = APIClient()
        api.force_authenticate(self.reviewer)
        rows = api.get("/api/jobs/", {"failure_kind": "quarantined"}).json()["results"]
        self.assertEqual([r["id"] for r in rows], [job.pk])
        self.assertEqual((rows[0]["status"], rows[0]["failure_kind"]), ("failed", "quarantined"))
        self.assertEqual(rows[0]["status_label"], "失败 Failed · 已隔离 Quarantined")
        self.assertIn("已隔离", rows[0]["error"])
        web = Client()
        web.force_login(self.reviewer)
        page = web.get(f"/testing/jobs/{job.pk}/").content.decode()
        self.assertIn("已隔离 Quarantined", page)
        self.assertIn("不会再自动重试", page)
        other = self.job("other", status="failed", failure_kind="timeout")
        listing = web.get("/testing/jobs/", {"failure": "quarantined"}).content.decode()
        self.assertIn(f'href="/testing/jobs/{job.pk}/"', listing)
        self.assertNotIn(f'href="/testing/jobs/{other.pk}/"', listing)
        self.assertIn("失败 Failed · 已隔离 Quarantined", listing)


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

    def test_cli_submit_refuses_an_unknown_category_before_uploading(self):
        args = [
            "submit",
            str(MINIMAL),
            "--server",
            "http://127.0.0.1:9",
            "--token",
            "t",
            "--category",
            "N39-99",
        ]
        proc = subprocess.run(
            [sys.executable, "-m", "appwarden", *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertIn("N39-99", proc.stderr)
        self.assertNotIn("cannot reach", proc.stderr)  # refused before any request

    def test_service_refuses_an_unknown_category(self):
        with self.assertRaises(UploadError) as ctx:
            services.submit_apk(pf.fake_apk("svc"), user=self.reviewer, category="N39-00")
        self.assertIn("未知的应用类型", str(ctx.exception))


# --- helpers ---------------------------------------------------------------------------------------------------------


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


# --- the real `appwarden serve` and a real Celery worker (slow) --------------------------------------------------------


class Serve:
    """``appwarden serve`` in its own data directory; restartable, killable with SIGKILL."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.data_dir, self.env = data_dir, env
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self.starts = 0

    def cli(self, *args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "appwarden", *args, "--data-dir", str(self.data_dir)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def token(self, name: str = "iso-reviewer") -> str:
        out = self.cli("platform-user", name, "--role", "reviewer", "--password", "pw-iso-1", "--token")
        return out.strip().splitlines()[-1].split("token: ")[1]

    def start(self) -> None:
        port = pf.free_port()
        self.starts += 1
        log = (self.data_dir / f"serve{self.starts}.log").open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "appwarden",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(self.data_dir),
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        log.close()
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while time.time() < deadline:
            assert self.proc.poll() is None, self.log()
            try:
                urllib.request.urlopen(self.base + "/login/", timeout=2).close()
                return
            except OSError:
                time.sleep(0.3)
        raise AssertionError("appwarden serve did not start: " + self.log())

    def log(self) -> str:
        return (self.data_dir / f"serve{self.starts}.log").read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL the server (a crash, a power cut): no clean-up code runs."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def get(self, path: str, token: str) -> tuple[float, dict | str]:
        """GET ``path``; returns (seconds taken, JSON or text). Fails the test on a timeout (5 s)."""
        req = urllib.request.Request(self.base + path, headers={"Authorization": f"Token {token}"})
        started = time.monotonic()
        with urllib.request.urlopen(req, timeout=5) as resp:
            body = resp.read().decode("utf-8")
        took = time.monotonic() - started
        return took, json.loads(body) if path.startswith("/api/") else body


def _serve_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        {
            "APPWARDEN_DATA_DIR": str(data_dir),
            "APPWARDEN_WORKER": "thread",
            "APPWARDEN_SECRET_KEY": "iso-secret",
            "APPWARDEN_ENGINE": HOG,
            "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT), env.get("PYTHONPATH", "")]),
            **extra,
        }
    )
    return env


def _submit(server: Serve, token: str, data: bytes, name: str) -> int:
    from appwarden.cli.platform import submit

    path = server.data_dir / name
    path.write_bytes(data)
    return submit(server.base, token, path, timeout=30)["id"]


def _watch(server: Serve, token: str, job_id: int, limit: float) -> tuple[dict, list[float], int]:
    """Poll a web page and the job over HTTP until the job ends (or ``limit`` s pass); returns the job, every
    response time, and how many rounds saw the job running."""
    times: list[float] = []
    running_rounds = 0
    deadline = time.monotonic() + limit
    while True:
        took, _page = server.get("/login/", token)
        times.append(took)
        took, job = server.get(f"/api/jobs/{job_id}/", token)
        times.append(took)
        if job["status"] == "running":
            running_rounds += 1
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job, times, running_rounds
        time.sleep(0.25)


@pytest.fixture(scope="module")
def isolated_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("iso-serve")
    server = Serve(data_dir, _serve_env(data_dir, APPWARDEN_SCAN_TIMEOUT="8", APPWARDEN_TEST_HOG="cpu"))
    token = server.token()
    server.start()
    yield server, token
    server.stop()


@pytest.mark.slow
def test_serve_answers_within_2s_while_a_scan_holds_the_gil(isolated_server):
    """A scan stuck in a catastrophic regular expression (as the policy reader's were) in ``serve``: every web and
    API request during it is answered within 2 s, the job ends failed by the 8 s limit, and the worker then
    scans the next APK normally."""
    server, token = isolated_server
    job_id = _submit(server, token, hostile_copy(MINIMAL.read_bytes(), "serve"), "hog.apk")
    started = time.monotonic()
    job, times, running_rounds = _watch(server, token, job_id, limit=8 + 40)
    assert job["status"] == "failed", (job, server.log())
    assert job["failure_kind"] == "timeout" and "扫描超时" in job["error"], job
    assert job["attempts"] == 1
    assert time.monotonic() - started < 8 + 40
    assert running_rounds >= 3, (running_rounds, times)  # the requests below were made while it ran
    assert max(times) < 2.0, times
    nxt = _submit(server, token, MINIMAL.read_bytes(), "minimal.apk")
    job, times, _ = _watch(server, token, nxt, limit=60)
    assert job["status"] == "done", (job["error"], server.log()[-600:])


@pytest.mark.slow
def test_serve_with_the_hostile_policy_apk(isolated_server):
    """The issue's reproduction with the real engine: an APK with a markdown policy of blank lines. The web keeps
    answering within 2 s and the job ends within the limit: failed by it (a super-linear policy reader) or done
    (a linear one)."""
    server, token = isolated_server
    job_id = _submit(server, token, hostile_policy_apk(), "hostile-policy.apk")
    started = time.monotonic()
    job, times, _running = _watch(server, token, job_id, limit=8 + 40)
    assert job["status"] in ("done", "failed"), (job, server.log())
    if job["status"] == "failed":
        assert job["failure_kind"] == "timeout", job
    assert time.monotonic() - started < 8 + 40
    assert max(times) < 2.0, times


@pytest.mark.slow
def test_serve_restarts_do_not_resume_a_job_forever(tmp_path):
    """``serve`` stopped cleanly (SIGTERM) while a scan runs gives the job back without using an attempt. Then the
    embedded worker process is SIGKILLed mid-scan (the scan dies with it; serve restarts the worker, which resumes
    the job: 2nd attempt), then serve itself (a power cut, an operator's kill -9: worker and scan die with it); the
    restart quarantines the job (max 2 attempts): no third attempt."""
    marker = tmp_path / "pids"
    server = Serve(
        tmp_path,
        _serve_env(
            tmp_path,
            APPWARDEN_SCAN_TIMEOUT="300",
            APPWARDEN_SCAN_MAX_ATTEMPTS="2",
            APPWARDEN_TEST_HOG="cpu",
            APPWARDEN_TEST_MARKER=str(marker),
        ),
    )
    token = server.token()

    def started(count: int) -> int:
        deadline = time.monotonic() + 60
        while len(marker.read_text().split() if marker.exists() else []) < count:
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.2)
        return int(marker.read_text().split()[-1])

    def gone(pid: int) -> None:
        deadline = time.monotonic() + 10
        while pid_alive(pid):  # the kernel ends the scan with its parent (PR_SET_PDEATHSIG)
            assert time.monotonic() < deadline, f"scan process {pid} outlived the stopped server"
            time.sleep(0.1)

    try:
        server.start()
        job_id = _submit(server, token, hostile_copy(MINIMAL.read_bytes(), "restart"), "hog.apk")
        child = started(1)
        assert server.get(f"/api/jobs/{job_id}/", token)[1]["attempts"] == 1
        server.stop()  # SIGTERM: a clean stop
        assert server.proc.returncode == 143, server.log()
        gone(child)
        server.start()
        # the clean stop cost nothing: this is still the first attempt
        child = started(2)
        took, job = server.get(f"/api/jobs/{job_id}/", token)  # answers while the scan holds a CPU
        assert took < 2.0
        assert (job["status"], job["attempts"]) == ("running", 1), job
        # the scan runs in a child of the embedded worker process, not of the web server
        worker = parent_of(child)
        assert worker != server.proc.pid and parent_of(worker) == server.proc.pid
        os.kill(worker, signal.SIGKILL)  # the worker process dies mid-scan: serve restarts it
        gone(child)
        child = started(3)
        took, job = server.get(f"/api/jobs/{job_id}/", token)
        assert took < 2.0
        assert (job["status"], job["attempts"]) == ("running", 2), job
        assert parent_of(parent_of(child)) == server.proc.pid
        server.kill()  # serve dies mid-scan: its worker and the scan go with it
        gone(child)
        server.start()
        deadline = time.monotonic() + 30
        while True:
            _took, job = server.get(f"/api/jobs/{job_id}/", token)
            if job["status"] not in ("queued", "running"):
                break
            assert time.monotonic() < deadline, (job, server.log())
            time.sleep(0.3)
        assert (job["status"], job["failure_kind"], job["attempts"]) == ("failed", "quarantined", 2), job
        assert "已隔离" in job["error"]
        time.sleep(1)
        assert len(marker.read_text().split()) == 3  # not started again
    finally:
        server.stop()


CELERY_SUBMIT = r"""
import json, sys, time
from appwarden.platform import setup
setup()
from django.contrib.auth import get_user_model
from appwarden.platform.core.models import Profile
from appwarden.platform.testing import services
from appwarden.platform.testing.models import ScanJob
user = get_user_model().objects.create_user("iso-celery", password="x")
Profile.objects.create(user=user, role="reviewer")
out = []
for path in sys.argv[1:]:
    job = services.submit_apk(open(path, "rb").read(), user=user, file_name=path)
    deadline = time.time() + 120
    while time.time() < deadline:
        job.refresh_from_db()
        if job.status in ("done", "failed"):
            break
        time.sleep(0.3)
    out.append({"status": job.status, "kind": job.failure_kind, "attempts": job.attempts, "error": job.error})
print(json.dumps(out))
"""


@pytest.mark.service
@pytest.mark.slow
def test_celery_worker_isolates_scans_over_rabbitmq(amqp_url, tmp_path):
    """The distributed worker applies the same limits: a GIL-holding scan ends failed by the time limit, and the
    same worker process then scans the next APK (it was never blocked)."""
    import uuid

    from celery_worker import migrate, run_json, worker, worker_log

    env = {
        **_serve_env(tmp_path, APPWARDEN_SCAN_TIMEOUT="5", APPWARDEN_TEST_HOG="cpu"),
        "DJANGO_SETTINGS_MODULE": "appwarden.platform.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/platform.sqlite3",
        "CELERY_BROKER_URL": amqp_url,
        "APPWARDEN_WORKER": "celery",
        "APPWARDEN_CELERY_QUEUE": f"appwarden-iso-{uuid.uuid4().hex[:8]}",
    }
    migrate(env)
    hog, ok = tmp_path / "hog.apk", tmp_path / "ok.apk"
    hog.write_bytes(hostile_copy(MINIMAL.read_bytes(), "celery"))
    ok.write_bytes(MINIMAL.read_bytes())
    with worker(env, tmp_path) as proc:
        first, second = run_json(env, CELERY_SUBMIT, str(hog), str(ok), timeout=300)
        log = worker_log(tmp_path, 2000)
        assert (first["status"], first["kind"], first["attempts"]) == ("failed", "timeout", 1), (first, log)
        assert "扫描超时" in first["error"]
        assert second["status"] == "done", (second, log)
        assert proc.poll() is None  # the worker survived


class NulCharacterReportTests(TestCase):
    """An app label (any string Android shows) or any other report string holding U+0000 failed the job on
    PostgreSQL ('internal error: DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes'; jsonb refuses
    \\u0000 too), so such an app could never be scanned there. The platform stores U+FFFD in its place, on every
    database; a backslash before 'u0000' in a string is text and stays."""

    def test_report_strings_with_nul_are_stored_with_a_replacement_character(self):
        eng = pf.ReportEngine()
        engine.use_engine(eng)
        self.addCleanup(engine.use_engine, None)
        rep = pf.report("com.ex.nul", "1.0", [], label="La\x00bel")
        rep["errors"] = [{"stage": "dex", "message": "string a\x00b", "path": "x\\u0000y"}]
        job = pf.scanned_job(pf.user("reviewer"), eng.add("nul", rep))
        assert job.status == "done", job.error
        assert job.report["app"]["label"] == "La\ufffdbel"
        assert job.report["errors"][0] == {"stage": "dex", "message": "string a\ufffdb", "path": "x\\u0000y"}
        assert job.app_version.label == "La\ufffdbel"
