"""Issue #17 "one APK never freezes the platform": the parses of uploaded APKs a web request waits for.

The upload check (zip + manifest) and the re-test identity check (package, version, signers, signature
verification) read attacker-controlled bytes while the request waits; they run in a child process under
``APPWARDEN_UPLOAD_CHECK_TIMEOUT`` / ``_MEMORY_MB`` (:mod:`appwarden.platform.core.uploadcheck`). Over a limit the
request gets a Chinese-first 400 and nothing is stored.

A parse that never ends is simulated by the test check ``platform_slow_engine:hog_upload_check`` (the real check,
except on an APK marked by ``hostile_copy``: then a catastrophic regular expression that holds the GIL, or a memory
hog), selected with ``APPWARDEN_UPLOAD_CHECK_ENGINE``. The fast tests go through the REST API in-process (the child
is real); the slow one uploads to a real ``appwarden serve`` and checks that other pages answer meanwhile.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from unittest import mock

import platform_factories as pf
import pytest
from django.test import Client, TestCase, override_settings
from platform_slow_engine import hostile_copy
from test_job_isolation import ROOT, Serve, _serve_env, pid_alive
from test_retest_integrity import RetestCase, api_client, sha

from appwarden.platform.core import storage
from appwarden.platform.core.errors import UploadError
from appwarden.platform.core.uploadcheck import UploadCheckFailed, run_check
from appwarden.platform.enforcement.models import CompanyResponse, Retest
from appwarden.platform.testing import engine
from appwarden.platform.testing.models import ScanJob

HOG_CHECK = "platform_slow_engine:hog_upload_check"
LIMIT = 3  # seconds: the upload-check limit of the tests whose check hangs
ROOMY = 120  # seconds: the limit where the real check must finish, even on a loaded machine
MARGIN = 25  # "does not hang": generous, the machine may be loaded


def temp_uploads() -> set[Path]:
    """The storage's temporary upload files (a refused upload leaves none behind)."""
    return set(storage.root().glob(".upload-*")) if storage.root().exists() else set()


@override_settings(APPWARDEN_UPLOAD_CHECK_TIMEOUT=ROOMY, APPWARDEN_UPLOAD_CHECK_ENGINE=HOG_CHECK)
class UploadCheckLimitTests(RetestCase):
    def setUp(self):
        super().setUp()
        self.marker = Path(self.enterContext(tempfile.TemporaryDirectory())) / "pids"
        self.enterContext(
            mock.patch.dict(
                os.environ, {"APPWARDEN_TEST_MARKER": str(self.marker), "APPWARDEN_TEST_HOG": "cpu"}
            )
        )

    def checker_pids(self) -> list[int]:
        return [int(p) for p in self.marker.read_text().split()] if self.marker.exists() else []

    def assert_checker_gone(self) -> None:
        pids = self.checker_pids()
        self.assertEqual(len(pids), 1, pids)  # the check ran once, in another process ...
        self.assertNotEqual(pids[0], os.getpid())
        deadline = time.monotonic() + 10
        while pid_alive(pids[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertFalse(pid_alive(pids[0]))  # ... which was killed at the limit

    def test_a_response_whose_apk_check_hangs_is_refused_within_the_limit_and_nothing_is_stored(self):
        data = hostile_copy(pf.fixture_apk("rotated.apk"), "respond")
        temps = temp_uploads()
        started = time.monotonic()
        with override_settings(APPWARDEN_UPLOAD_CHECK_TIMEOUT=LIMIT):
            resp = self.respond(self.company_api, data)
        took = time.monotonic() - started
        self.assertEqual(resp.status_code, 400, resp.content)
        detail = resp.json()["detail"]
        self.assertIn("安装包无法在限定时间内解析", detail)
        self.assertIn(f"{LIMIT} 秒", detail)
        self.assertIn("未保存任何内容", detail)
        self.assertNotIn(str(storage.root()), detail)  # no server path
        self.assertLess(took, LIMIT + MARGIN)
        self.assert_unchanged(data)  # no response, no stored APK, no job, state and history as before
        self.assertEqual(temp_uploads(), temps)
        self.assert_checker_gone()

    def test_a_real_apk_is_still_checked_and_accepted_through_the_child(self):
        rotated = pf.fixture_apk("rotated.apk")
        resp = self.respond(self.company_api, rotated)
        self.assertEqual(resp.status_code, 200, resp.content)
        response = CompanyResponse.objects.get()
        self.assertEqual(
            (response.new_package, response.signer_check), ("com.example.fixture", "signer_rotated")
        )
        self.assertTrue(storage.exists(sha(rotated)))
        self.assertEqual(self.checker_pids(), [])  # the real check, not the hog

    def test_a_response_whose_apk_check_exceeds_the_memory_cap_is_refused(self):
        data = hostile_copy(pf.fixture_apk("rotated.apk"), "memory")
        with (
            mock.patch.dict(os.environ, {"APPWARDEN_TEST_HOG": "memory"}),
            override_settings(APPWARDEN_UPLOAD_CHECK_MEMORY_MB=400),
        ):
            resp = self.respond(self.company_api, data)
        self.assertEqual(resp.status_code, 400, resp.content)
        self.assertIn("安装包解析超出内存上限（400 MB）", resp.json()["detail"])
        self.assert_unchanged(data)

    def test_a_retest_whose_stored_apk_check_hangs_is_refused_and_nothing_is_queued(self):
        # v1-signed: the zip comment that marks it is outside the signature, so the real check accepts it
        data = hostile_copy(pf.fixture_apk("v1_only.apk"), "retest")
        with override_settings(APPWARDEN_UPLOAD_CHECK_ENGINE=""):
            resp = self.respond(self.company_api, data)
        self.assertEqual(resp.status_code, 200, resp.content)
        jobs = ScanJob.objects.count()
        started = time.monotonic()
        with override_settings(APPWARDEN_UPLOAD_CHECK_TIMEOUT=LIMIT):
            resp = self.reviewer_api.post(
                f"/api/orders/{self.order.pk}/start_retest/", {"reason": "复测整改版本"}, format="multipart"
            )
        self.assertLess(time.monotonic() - started, LIMIT + MARGIN)
        self.assertEqual(resp.status_code, 400, resp.content)
        self.assertIn("安装包无法在限定时间内解析", resp.json()["detail"])
        self.order.refresh_from_db()
        self.assertEqual(self.order.state, "responded")
        self.assertFalse(Retest.objects.exists())
        self.assertEqual(ScanJob.objects.count(), jobs)
        self.assert_checker_gone()

    def test_a_scan_upload_whose_check_hangs_is_refused_and_no_job_is_queued(self):
        data = hostile_copy(pf.fixture_apk("minimal.apk"), f"scan-{uuid.uuid4().hex}")
        jobs = ScanJob.objects.count()
        with override_settings(APPWARDEN_UPLOAD_CHECK_TIMEOUT=LIMIT):
            resp = api_client(self.reviewer).post(
                "/api/jobs/", {"file": _upload("hog.apk", data)}, format="multipart"
            )
        self.assertEqual(resp.status_code, 400, resp.content)
        self.assertIn("安装包无法在限定时间内解析", json.dumps(resp.json(), ensure_ascii=False))
        self.assertEqual(ScanJob.objects.count(), jobs)
        self.assertFalse(storage.exists(sha(data)))
        self.assert_checker_gone()

    def test_a_check_that_dies_is_refused_in_one_line(self):
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "x.apk"
        path.write_bytes(hostile_copy(pf.fixture_apk("minimal.apk"), "kill"))
        with (
            mock.patch.dict(os.environ, {"APPWARDEN_TEST_HOG": "kill"}),
            self.assertRaises(UploadCheckFailed) as ctx,
        ):
            run_check(path, "apk", label="x.apk")
        message = str(ctx.exception)
        self.assertTrue(message.startswith("安装包无法解析"), message)
        self.assertNotIn("\n", message)
        self.assertNotIn(str(path.parent), message)

    def test_a_pipe_is_refused_without_blocking_and_without_server_paths(self):
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        pipe = folder / "upload.apk"
        os.mkfifo(pipe)
        started = time.monotonic()
        with override_settings(APPWARDEN_UPLOAD_CHECK_ENGINE=""), self.assertRaises(UploadError) as ctx:
            run_check(pipe, "identity", label="bad\nname.apk")  # the real check (the test one reads it whole)
        self.assertLess(time.monotonic() - started, ROOMY)
        message = str(ctx.exception)
        self.assertNotIsInstance(ctx.exception, UploadCheckFailed)  # refused as not an APK, not by the limit
        self.assertIn("bad name.apk", message)
        self.assertNotIn(str(folder), message)
        self.assertNotIn("\n", message)


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# --- a real `appwarden serve` (slow) -------------------------------------------------------------------------------

SERVE_SETUP = r"""
import json, sys
from appwarden.platform import setup
setup()
import platform_factories as pf
from appwarden.platform.core import tokens
from appwarden.platform.enforcement import workflow
from appwarden.platform.testing import engine, services

stub = pf.ReportEngine()
engine.use_engine(stub)
finding = pf.finding("pi.device_id.read", ["RD-3.1"])
v1 = stub.add_apk(pf.fixture_apk("minimal.apk"), [finding], label="整改应用")
reviewer = pf.user("reviewer", name="bounded-reviewer")
company = pf.company("限时解析科技有限公司")
company_user = pf.user("company", company=company, name="bounded-company")
job = pf.scanned_job(reviewer, v1, company=company)
assert job.status == "done", job.error
for f in job.findings.all():
    services.review_finding(f, user=reviewer, action="confirm", reason="证据确认")
order = workflow.issue_order(job.app_version, list(job.findings.all()), user=reviewer, reason="检测发现问题")
print(json.dumps({"order": order.pk, "token": tokens.issue(company_user)}))
"""


def _post_file(
    base: str, path: str, token: str, fields: dict[str, str], name: str, data: bytes, timeout: float
):
    """POST multipart ``fields`` + ``apk`` file; returns (status, JSON body)."""
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="apk"; filename="{name}"\r\n'
        "Content-Type: application/vnd.android.package-archive\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    req = urllib.request.Request(
        base + path,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read().decode("utf-8"))


@pytest.mark.slow
def test_serve_answers_while_a_response_apk_check_hangs_and_refuses_it_within_the_limit(tmp_path):
    """A company uploads, as its rectification response, an APK whose identity check holds the GIL forever: while
    the request waits, the web and the API answer other requests within 2 s; the request itself gets a 400 with
    the Chinese reason within the limit (+ margin); no response and no blob are stored; a real APK is then
    accepted by the same server."""
    limit = 10
    marker = tmp_path / "pids"
    env = _serve_env(
        tmp_path,
        APPWARDEN_UPLOAD_CHECK_TIMEOUT=str(limit),
        APPWARDEN_UPLOAD_CHECK_ENGINE=HOG_CHECK,
        APPWARDEN_TEST_HOG="cpu",
        APPWARDEN_TEST_MARKER=str(marker),
    )
    server = Serve(tmp_path, env)
    reviewer_token = server.token("bounded-viewer")  # also creates the database
    setup = subprocess.run(
        [sys.executable, "-c", SERVE_SETUP],
        env={**env, "APPWARDEN_UPLOAD_CHECK_ENGINE": "", "APPWARDEN_UPLOAD_CHECK_TIMEOUT": str(ROOMY)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert setup.returncode == 0, setup.stderr[-2000:]
    made = json.loads(setup.stdout.strip().splitlines()[-1])
    order, token = made["order"], made["token"]
    hostile = hostile_copy(pf.fixture_apk("rotated.apk"), "serve-respond")
    try:
        server.start()
        outcome: dict[str, object] = {}

        def upload() -> None:
            started = time.monotonic()
            outcome["status"], outcome["body"] = _post_file(
                server.base,
                f"/api/orders/{order}/respond/",
                token,
                {"explanation": "已整改"},
                "fixed.apk",
                hostile,
                timeout=limit + 60,
            )
            outcome["took"] = time.monotonic() - started

        thread = threading.Thread(target=upload)
        thread.start()
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:  # the check has started (and hangs)
            time.sleep(0.1)
        assert marker.exists(), server.log()
        times = []
        while thread.is_alive():
            took, _page = server.get("/login/", reviewer_token)
            times.append(took)
            took, _order = server.get(f"/api/orders/{order}/", token)
            times.append(took)
            time.sleep(0.25)
        thread.join()
        assert len(times) >= 4, times  # requests were answered while the check ran
        assert max(times) < 2.0, times
        assert outcome["status"] == 400, (outcome, server.log())
        assert "安装包无法在限定时间内解析" in outcome["body"]["detail"], outcome
        assert outcome["took"] < limit + 30, outcome
        assert not pid_alive(int(marker.read_text().split()[0]))
        _took, state = server.get(f"/api/orders/{order}/", token)
        assert state["state"] == "issued" and state["responses"] == [], state
        blobs = tmp_path / "blobs"
        assert not (blobs / sha(hostile)[:2] / sha(hostile)[2:4] / sha(hostile)).exists()
        assert not list(blobs.glob(".upload-*"))
        # the same server accepts a real rectified APK (the real check, in the child)
        status, body = _post_file(
            server.base,
            f"/api/orders/{order}/respond/",
            token,
            {"explanation": "已整改"},
            "fixed.apk",
            pf.fixture_apk("rotated.apk"),
            timeout=60,
        )
        assert status == 200, (body, server.log())
        assert body["responses"][0]["signer_check"] == "signer_rotated", body
    finally:
        server.stop()


class JobPageListsBoundedTests(TestCase):
    """A crafted APK makes one report error per odd zip entry (200,000 fit under the report size cap): the job
    page shows the first 200 and says where the rest are, instead of rendering every one in the web process."""

    def test_the_job_page_shows_at_most_200_report_errors_and_the_total(self):
        stub = pf.ReportEngine()
        engine.use_engine(stub)
        self.addCleanup(engine.use_engine, None)
        rep = pf.report("com.example.many", "1.0", [])
        rep["errors"] = [
            {"stage": "apk", "message": "suspicious entry name: contains a backslash", "path": f"a\\{i}"}
            for i in range(5000)
        ]
        reviewer = pf.user("reviewer")
        job = pf.scanned_job(reviewer, stub.add(f"many-{uuid.uuid4().hex}", rep))
        self.assertEqual(job.status, "done", job.error)
        client = Client()
        client.force_login(reviewer)
        page = client.get(f"/testing/jobs/{job.pk}/").content.decode()
        self.assertEqual(page.count("suspicious entry name"), 200)
        self.assertIn("未能分析 Not analysed (5000)", page)
        self.assertIn("仅显示前 200 条，完整列表见报告 JSON", page)
        self.assertEqual(len(api_client(reviewer).get(f"/api/jobs/{job.pk}/report/").json()["errors"]), 5000)


# the whole report column in a SELECT list (a database-side key extraction such as the screening section is fine)
REPORT_COLUMN = re.compile(r'"testing_scanjob"\."report"(?=, "|\s+FROM\b)')


class ListsNeverDecodeReportsTests(RetestCase):
    """A report can be tens of MB (one error per zip entry of a crafted APK, under the report cap); decoding it holds
    the GIL (~0.3 s per 20 MB). Pages and API lists of many jobs, findings, complaints or orders never select the
    report column; only a job's own page and ``/api/jobs/<id>/report/`` read it."""

    def test_list_pages_and_api_lists_do_not_select_the_report(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from appwarden.platform.complaints.models import Complaint
        from appwarden.platform.testing.models import Batch

        batch = Batch.objects.create(name="批次", created_by=self.reviewer)
        pending = pf.scanned_job(
            self.reviewer,
            self.engine.add_apk(pf.fixture_apk("v2_only.apk"), [pf.finding("pi.device_id.read", ["RD-3.1"])]),
            batch=batch,
        )
        self.assertIsNotNone(pending.report)
        Complaint.objects.create(app_name="某应用", description="收集过度", job=pending)
        self.assertEqual(self.respond(self.company_api, pf.fixture_apk("rotated.apk")).status_code, 200)
        resp = self.reviewer_api.post(
            f"/api/orders/{self.order.pk}/start_retest/", {"reason": "复测"}, format="multipart"
        )
        self.assertEqual(resp.status_code, 201 if resp.status_code == 201 else 200, resp.content)
        web = Client()
        web.force_login(self.reviewer)
        pages = [
            (web, "/testing/jobs/"),
            (web, f"/testing/batches/{batch.pk}/"),
            (web, "/testing/findings/"),
            (web, f"/registry/apps/{self.order.app_id}/"),
            (web, "/complaints/"),
            (self.reviewer_api, "/api/jobs/"),
            (self.reviewer_api, "/api/orders/"),
            (self.reviewer_api, f"/api/orders/{self.order.pk}/"),
        ]
        for client, url in pages:
            with self.subTest(url=url), CaptureQueriesContext(connection) as queries:
                page = client.get(url)
                self.assertEqual(page.status_code, 200, url)
                selected = [q["sql"] for q in queries.captured_queries if REPORT_COLUMN.search(q["sql"])]
                self.assertEqual(selected, [], url)
        self.assertContains(web.get("/testing/findings/"), "pi.device_id.read")
        report = self.reviewer_api.get(f"/api/jobs/{pending.pk}/report/")
        self.assertEqual(report.json()["app"]["package"], "com.example.fixture")
