"""Companies on the platform (issue #21.3), part 1 and 4: the published 通报 about a company's own apps
(``/my/notices/``, ``/api/my/notices/``) and the 责令整改通知书 PDF of every order (text read back with pdftotext).

Company A never sees company B's rows or documents: 404, like an id that does not exist.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile

from company_fixtures import CompanyCase
from django.test import Client, override_settings
from rest_framework.test import APIClient

from appwarden.platform.core import tokens
from appwarden.platform.portal import documents


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pdftotext (poppler-utils) extracts it."""
    assert data.startswith(b"%PDF"), data[:20]
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", tmp.name, "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def needs_pdftotext(test):
    import unittest

    return unittest.skipUnless(shutil.which("pdftotext"), "pdftotext (poppler-utils) not installed")(test)


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user, 'test')}")
    return client


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class NoticeScopingTests(CompanyCase):
    def setUp(self):
        super().setUp()
        self.pub_a = self.noticed(self.order_a, "2026年第1批通报 P-A01", publish=True)
        self.pub_b = self.noticed(self.order_b, "2026年第2批通报 P-B02", publish=True)

    def test_company_sees_only_its_published_rows_api(self):
        rows = api(self.a_user).get("/api/my/notices/").json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        self.assertEqual([r["order_number"] for r in rows], [self.order_a.number])
        self.assertEqual(rows[0]["package"], "com.jia.app")
        self.assertEqual(rows[0]["notice_title"], "2026年第1批通报 P-A01")
        self.assertIn("私自收集个人信息", rows[0]["problems"])
        rows_b = api(self.b_user).get("/api/my/notices/").json()
        rows_b = rows_b["results"] if isinstance(rows_b, dict) else rows_b
        self.assertEqual([r["order_number"] for r in rows_b], [self.order_b.number])

    def test_draft_batches_are_never_shown(self):
        order2 = self._order("com.jia.second", "甲二号", self.a, "ja2")
        self.noticed(order2, "草稿通报 DRAFT", publish=False)
        page = web(self.a_user).get("/my/notices/")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn(self.order_a.number, html)
        self.assertNotIn(order2.number, html)
        self.assertNotIn("草稿通报", html)
        rows = api(self.a_user).get("/api/my/notices/").json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        self.assertNotIn(order2.number, [r["order_number"] for r in rows])
        # staff see the draft row too
        staff_rows = api(self.reviewer).get("/api/my/notices/").json()
        staff_rows = staff_rows["results"] if isinstance(staff_rows, dict) else staff_rows
        self.assertIn(order2.number, [r["order_number"] for r in staff_rows])

    def test_web_page_lists_own_rows_only(self):
        html = web(self.a_user).get("/my/notices/").content.decode()
        self.assertIn(self.order_a.number, html)
        self.assertIn("甲应用", html)
        self.assertNotIn(self.order_b.number, html)
        self.assertNotIn("乙应用", html)

    def test_other_roles(self):
        self.assertEqual(web(self.reviewer).get("/my/notices/").status_code, 403)
        self.assertEqual(web(self.store_user).get("/my/notices/").status_code, 403)
        rows = api(self.store_user).get("/api/my/notices/").json()
        self.assertEqual(rows["results"] if isinstance(rows, dict) else rows, [])
        self.assertEqual(Client().get("/my/notices/").status_code, 302)  # login
        self.assertIn(APIClient().get("/api/my/notices/").status_code, (401, 403))

    def test_notice_batches_stay_invisible_to_companies(self):
        # the batch itself (with every company's rows) is still staff-only
        self.assertEqual(api(self.a_user).get(f"/api/notices/{self.pub_a.pk}/").status_code, 404)


@needs_pdftotext
@override_settings(APPWARDEN_ISSUING_OFFICE="某省通信管理局")
class OrderPdfTests(CompanyCase):
    def test_order_pdf_fields(self):
        text = pdf_text(documents.order_pdf(self.order_a))
        flat = "".join(text.split())
        for needle in (
            "责令整改通知书",
            self.order_a.number,
            "甲科技有限公司",
            self.a.credit_code,
            "甲应用",
            "com.jia.app",
            "2.3.4",
            "pi.pre_consent",
            "perm.over",
            "RD-3.1",
            "M164-2.1",
            "问题pi.pre_consent",
            f"{self.order_a.deadline:%Y-%m-%d}",
            f"{self.order_a.working_days}个工作日",
            "某省通信管理局",
            "请于期限内完成整改",
        ):
            self.assertIn(needle, flat, needle)
        self.assertNotIn("乙网络", flat)

    def test_download_web_and_api_scoped(self):
        url = f"/documents/orders/{self.order_a.pk}/pdf/"
        resp = web(self.a_user).get(url)
        self.assertEqual(resp.status_code, 200)
        self.assertEqual(resp["Content-Type"], "application/pdf")
        self.assertIn("attachment;", resp["Content-Disposition"])
        self.assertIn(self.order_a.number, "".join(pdf_text(resp.content).split()))
        self.assertEqual(web(self.reviewer).get(url).status_code, 200)
        self.assertEqual(web(self.b_user).get(url).status_code, 404)  # another company's order: 404, not 403
        self.assertEqual(web(self.b_user).get("/documents/orders/999999/pdf/").status_code, 404)
        self.assertEqual(web(self.store_user).get(url).status_code, 403)
        api_url = f"/api/documents/orders/{self.order_a.pk}/"
        resp = api(self.a_user).get(api_url)
        self.assertEqual(resp.status_code, 200)
        self.assertTrue(resp.content.startswith(b"%PDF"))
        self.assertEqual(api(self.b_user).get(api_url).status_code, 404)
        self.assertEqual(api(self.store_user).get(api_url).status_code, 404)
        self.assertEqual(api(self.regulator).get(api_url).status_code, 200)

    def test_hostile_app_label_is_escaped(self):
        app = self.order_a.app
        app.name = "<b>坏</b> & <font>"
        app.save()
        text = pdf_text(documents.order_pdf(self.order_a))
        self.assertIn("<b>坏</b> & <font>", text)


class PageLinkTests(CompanyCase):
    def test_order_page_and_company_home_link_the_documents_and_pages(self):
        html = web(self.a_user).get(f"/enforcement/orders/{self.order_a.pk}/").content.decode()
        self.assertIn(f'href="/documents/orders/{self.order_a.pk}/pdf/"', html)
        home = web(self.a_user).get("/").content.decode()
        for href in ("/my/notices/", "/my/complaints/", "/my/selfcheck/"):
            self.assertIn(f'href="{href}"', home)
        self.assertIn(
            f'href="/documents/orders/{self.order_a.pk}/pdf/"',
            web(self.reviewer).get(f"/enforcement/orders/{self.order_a.pk}/").content.decode(),
        )
