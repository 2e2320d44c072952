"""Issue #17: at most ``APPWARDEN_UPLOAD_CHECK_CONCURRENCY`` upload checks run at once (core/uploadcheck.py).

A check that hangs (``platform_slow_engine:hog_upload_check`` on a marked APK) holds the only slot; meanwhile an
upload through the REST API waits ``APPWARDEN_UPLOAD_CHECK_WAIT`` seconds, then gets 503 with ``Retry-After`` and a
Chinese-first "busy, retry" line, and nothing is stored. The slots are ``flock`` files, so a slot held by another
process (another web worker) counts too; once the slot is free, uploads are checked again.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

import platform_factories as pf
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from platform_slow_engine import hostile_copy
from test_api import token_client

from appwarden.platform.core import storage
from appwarden.platform.core.uploadcheck import UploadCheckFailed, run_check
from appwarden.platform.testing import engine
from appwarden.platform.testing.models import ScanJob

HOG_CHECK = "platform_slow_engine:hog_upload_check"
HANG = 8  # seconds: the hanging check's limit (it is killed then)
WAIT = 1  # seconds: how long an upload waits for a slot
MARGIN = 30  # "does not hang": generous, the machine may be loaded


@override_settings(
    APPWARDEN_UPLOAD_CHECK_ENGINE=HOG_CHECK,
    APPWARDEN_UPLOAD_CHECK_CONCURRENCY=1,
    APPWARDEN_UPLOAD_CHECK_WAIT=WAIT,
    APPWARDEN_UPLOAD_CHECK_TIMEOUT=HANG,
)
class UploadCheckConcurrencyTests(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.api = token_client(pf.user("reviewer"))
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.marker = self.tmp / "pids"
        self.enterContext(
            mock.patch.dict(
                os.environ, {"APPWARDEN_TEST_MARKER": str(self.marker), "APPWARDEN_TEST_HOG": "cpu"}
            )
        )

    def upload(self, data: bytes):
        return self.api.post("/api/jobs/", {"file": SimpleUploadedFile("app.apk", data)}, format="multipart")

    def assert_busy_and_nothing_stored(self, resp, data: bytes) -> None:
        self.assertEqual(resp.status_code, 503, resp.content)
        detail = resp.json()["detail"]
        self.assertTrue(detail.startswith("系统繁忙"), detail)
        self.assertIn("未保存任何内容", detail)
        self.assertGreaterEqual(int(resp["Retry-After"]), 1)
        self.assertEqual(ScanJob.objects.count(), 0)

        self.assertFalse(storage.exists(hashlib.sha256(data).hexdigest()))

    def test_an_upload_while_a_check_hangs_gets_503_then_is_accepted_once_the_slot_is_free(self):
        hostile = self.tmp / "hog.apk"
        hostile.write_bytes(hostile_copy(pf.fixture_apk("minimal.apk"), "concurrency"))
        outcome: list[BaseException | None] = []

        def hang() -> None:
            try:
                run_check(hostile, "apk")
                outcome.append(None)
            except BaseException as exc:  # reported to the test below
                outcome.append(exc)

        thread = threading.Thread(target=hang)
        thread.start()
        try:
            deadline = time.monotonic() + MARGIN
            while not self.marker.exists() and time.monotonic() < deadline:  # the hanging check is running
                time.sleep(0.05)
            self.assertTrue(self.marker.exists())
            data = pf.fake_apk("waiting")
            started = time.monotonic()
            resp = self.upload(data)
            self.assertLess(time.monotonic() - started, WAIT + MARGIN)
            self.assert_busy_and_nothing_stored(resp, data)
        finally:
            thread.join(HANG + MARGIN)
        self.assertFalse(thread.is_alive())
        self.assertIsInstance(outcome[0], UploadCheckFailed)  # the hanging check was killed at its limit
        resp = self.upload(pf.fake_apk("after"))  # the slot was given back
        self.assertEqual(resp.status_code, 201, resp.content)

    def hold_slot_in_another_process(self) -> subprocess.Popen:
        """A child process holding slot 0 (the only one) until killed."""
        slots = Path(settings.DATA_DIR) / "upload-check-slots"
        slots.mkdir(parents=True, exist_ok=True)
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import fcntl, sys, time\n"
                "f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)",
                str(slots / "slot-0.lock"),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(holder.wait)
        self.addCleanup(holder.kill)
        self.assertEqual(holder.stdout.readline().strip(), "held")
        return holder

    def test_a_slot_held_by_another_process_counts(self):
        holder = self.hold_slot_in_another_process()
        try:
            data = pf.fake_apk("other-process")
            self.assert_busy_and_nothing_stored(self.upload(data), data)
        finally:
            holder.kill()
            holder.wait()
        self.assertEqual(self.upload(pf.fake_apk("released")).status_code, 201)

    def test_the_web_upload_form_answers_503_with_retry_after_when_busy(self):
        holder = self.hold_slot_in_another_process()
        web = self.client
        web.force_login(pf.user("reviewer"))
        data = pf.fake_apk("web-busy")
        resp = web.post("/testing/upload/", {"file": SimpleUploadedFile("app.apk", data)})
        self.assertEqual(resp.status_code, 503, resp.content[:300])
        self.assertGreaterEqual(int(resp["Retry-After"]), 1)
        self.assertIn("系统繁忙", resp.content.decode())
        self.assertEqual(ScanJob.objects.count(), 0)
        self.assertFalse(storage.exists(hashlib.sha256(data).hexdigest()))
        holder.kill()
        holder.wait()
        resp = web.post("/testing/upload/", {"file": SimpleUploadedFile("app.apk", pf.fake_apk("web-free"))})
        self.assertEqual(resp.status_code, 302, resp.content[:300])
