"""Issue #17: an oversize upload is stopped while it arrives (core/uploadhandlers.py), never written whole.

Through the real HTTP stack (Django test client for the web form, DRF APIClient for the API) with a small
``APPWARDEN_MAX_UPLOAD`` and ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (so Django's temporary-file handler is used) and
``FILE_UPLOAD_TEMP_DIR`` in a fresh directory: the temporary files never hold more than the limit, the answer is a
Chinese-first 413 and no job is stored.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

import platform_factories as pf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client, TestCase, override_settings
from test_api import token_client

from appwarden.platform.testing import engine
from appwarden.platform.testing.models import ScanJob

LIMIT = 256 * 1024
BIG = 3 * 1024 * 1024  # a file well over the limit (and over Django's in-memory size)


class TempDirSpy:
    """Record the largest total size of the files in ``root`` after each chunk the temporary-file handler writes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.peak = 0
        self.chunks = 0
        self._original = TemporaryFileUploadHandler.receive_data_chunk

    def __call__(self, handler, raw_data, start):
        result = self._original(handler, raw_data, start)
        handler.file.flush()
        self.chunks += 1
        self.peak = max(self.peak, sum(p.stat().st_size for p in self.root.iterdir() if p.is_file()))
        return result


class UploadSizeStreamingTests(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(
            override_settings(
                APPWARDEN_MAX_UPLOAD=LIMIT,
                FILE_UPLOAD_MAX_MEMORY_SIZE=1024,
                FILE_UPLOAD_TEMP_DIR=str(self.tmp),
            )
        )
        self.spy = TempDirSpy(self.tmp)
        self.enterContext(
            mock.patch.object(
                TemporaryFileUploadHandler, "receive_data_chunk", autospec=True, side_effect=self.spy
            )
        )

    def assert_bounded_and_nothing_stored(self):
        self.assertGreater(self.spy.chunks, 0)  # the temporary-file handler did run ...
        self.assertLessEqual(self.spy.peak, LIMIT)  # ... and never held more than the limit
        self.assertEqual(list(self.tmp.iterdir()), [])  # the partial file is gone
        self.assertEqual(ScanJob.objects.count(), 0)

    def test_api_upload_over_the_limit_is_stopped_at_the_limit(self):
        data = pf.fake_apk("big", extra=b"\0" * BIG)
        resp = token_client(self.reviewer).post(
            "/api/jobs/", {"file": SimpleUploadedFile("big.apk", data)}, format="multipart"
        )
        self.assertEqual(resp.status_code, 413, resp.content)
        detail = resp.json()["detail"]
        self.assertTrue(detail.startswith("文件过大"), detail)
        self.assertIn("未保存任何内容", detail)
        self.assertNotIn("\n", detail)
        self.assert_bounded_and_nothing_stored()

    def test_web_upload_over_the_limit_is_stopped_at_the_limit(self):
        client = Client()
        client.force_login(self.reviewer)
        data = pf.fake_apk("big-web", extra=b"\0" * BIG)
        resp = client.post("/testing/upload/", {"file": SimpleUploadedFile("big.apk", data)})
        self.assertEqual(resp.status_code, 413, resp.content[:300])
        self.assertIn("文件过大", resp.content.decode())
        self.assert_bounded_and_nothing_stored()

    def test_an_upload_under_the_limit_with_a_large_body_is_still_accepted(self):
        # the body exceeds the limit (a side file), the APK does not: parsed once, accepted as before
        data = pf.fake_apk("small")
        policy = SimpleUploadedFile("policy.txt", "隐私政策\n".encode() * (LIMIT // 20))
        resp = token_client(self.reviewer).post(
            "/api/jobs/",
            {"file": SimpleUploadedFile("small.apk", data), "policy": policy},
            format="multipart",
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        self.assertEqual(ScanJob.objects.count(), 1)
