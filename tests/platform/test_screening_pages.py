"""The platform shows the 不良APP screening verdict (issue #23 part 5): on the job page with the fired indicators,
and per scan on the app page, for apps the real engine scanned."""

from __future__ import annotations

from pathlib import Path

import platform_factories as pf
from django.test import Client, TestCase

from appwarden.platform.testing import engine, services

APPS = Path(__file__).resolve().parents[1] / "screening" / "_apps"


class ScreeningPagesTests(TestCase):
    def setUp(self):
        engine.use_engine(None)  # the real engine
        self.reviewer = pf.user("reviewer")
        self.client = Client()
        self.client.force_login(self.reviewer)

    def scan(self, name: str):
        job = services.submit_apk(
            (APPS / name).read_bytes(), user=self.reviewer, file_name=name, company=pf.company()
        )
        self.assertEqual(services.run_scan(job.pk), "done")
        job.refresh_from_db()
        return job

    def test_harmful_app_shows_verdict_and_indicators(self):
        job = self.scan("screen_bad.apk")
        self.assertEqual(job.report["screening"]["verdict"], "harmful")
        page = self.client.get(f"/testing/jobs/{job.pk}/").content.decode()
        self.assertIn('<span class="screening-harmful">有害 harmful', page)
        self.assertIn("短信扣费/诈骗 sms_fraud", page)
        for indicator in job.report["screening"]["indicators"]:
            self.assertIn(f"<code>{indicator['id']}</code>", page)
        app_page = self.client.get(f"/registry/apps/{job.app_version.app.pk}/").content.decode()
        self.assertIn('<span class="screening-harmful">有害 harmful', app_page)

    def test_clean_app_shows_none(self):
        job = self.scan("screen_clean.apk")
        page = self.client.get(f"/testing/jobs/{job.pk}/").content.decode()
        self.assertIn('<span class="screening-none">未发现 none</span>', page)
        self.assertNotIn("screening-harmful", page)

    def test_badge_of_reports_without_screening(self):
        from appwarden.platform.web.templatetags.appwarden_tags import screening_badge

        self.assertEqual(screening_badge({"findings": []}), "—")  # stored before screening existed
        self.assertEqual(screening_badge(None), "—")  # not scanned yet
        self.assertEqual(screening_badge({"screening": {"verdict": "<b>", "categories": []}}), "—")
        self.assertEqual(screening_badge({"screening": {"verdict": "none", "evaluated": False}}), "—")

    def test_rules_version_follows_screening_knowledge(self):
        """Scans are reused by sha256 + engine + rules version: an edited screening indicator must not reuse them."""
        import shutil
        import tempfile
        from unittest import mock

        import appwarden.knowledge as knowledge

        with tempfile.TemporaryDirectory() as tmp:
            kb = Path(tmp) / "knowledge"
            shutil.copytree(knowledge.KNOWLEDGE_DIR / "rules", kb / "rules")
            shutil.copytree(knowledge.KNOWLEDGE_DIR / "screening", kb / "screening")
            with (
                mock.patch.object(knowledge, "KNOWLEDGE_DIR", kb),
                mock.patch.object(engine, "rules_version", engine.rules_version.__wrapped__),
            ):
                before = engine.rules_version()
                sms = kb / "screening" / "sms.yaml"
                sms.write_text(
                    sms.read_text(encoding="utf-8").replace("weight: 35", "weight: 36"), encoding="utf-8"
                )
                self.assertNotEqual(engine.rules_version(), before)
