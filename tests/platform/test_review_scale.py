"""Issue #21 part 4, case officers at scale: the paginated, filtered review queue with bulk confirm/reject, findings
ranked by severity, report downloads from job pages, the Swagger UI, self-refreshing batch pages, and the company
chosen at upload. Through the real HTTP stack (Django test client) on the platform test database."""

from __future__ import annotations

import platform_factories as pf
from django.test import TestCase

from appwarden.platform.testing import engine


class ScaleCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.client.force_login(self.reviewer)


class SwaggerTests(ScaleCase):
    def test_swagger_page_and_its_local_assets(self):
        page = self.client.get("/api/docs/")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn("/api/docs/assets/swagger-ui-dist/swagger-ui-bundle.js", html)
        self.assertNotIn("cdn.jsdelivr", html)
        self.assertIn("/api/schema/", html)
        asset = self.client.get("/api/docs/assets/swagger-ui-dist/swagger-ui-bundle.js")
        self.assertEqual(asset.status_code, 200)
        self.assertIn("javascript", asset["Content-Type"])
        self.assertEqual(
            self.client.get("/api/docs/assets/swagger-ui-dist/../../../__init__.py").status_code, 404
        )

    def test_swagger_needs_a_login(self):
        self.client.logout()
        self.assertIn(self.client.get("/api/docs/").status_code, (401, 403))
