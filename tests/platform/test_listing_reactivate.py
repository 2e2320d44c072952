"""Re-activating an inactive store listing (重新上架) on the pages, as the API's ``PATCH /api/listings/<id>/
{"active": true}`` does: staff only (reviewers and regulators; a store or company user gets 403, a GET 405), the
same 停止接入 refusal (one Chinese line naming the measure, nothing stored, the ``stop_access_block`` audit row) and
the same audit row on success (``update`` of ``registry.storelisting`` by the acting user). The button is on the
store's page and the app's page, next to each inactive listing; the pages are Chinese-first. Also run on
PostgreSQL by ``test_services.py``."""

from __future__ import annotations

import datetime as dt

import platform_factories as pf
from django.test import Client, TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from appwarden.platform.core import tokens
from appwarden.platform.core.models import AuditLog
from appwarden.platform.registry.models import App, StoreListing
from appwarden.platform.sanctions import services as sanctions


class ReactivateCase(TestCase):
    def setUp(self):
        self.reviewer, self.regulator = pf.user("reviewer"), pf.user("regulator")
        self.store = pf.store("甲应用市场")
        self.company = pf.company("某科技有限公司")
        self.app = App.objects.create(package="com.relist.app", name="重新上架应用", company=self.company)
        self.listing = StoreListing.objects.create(store=self.store, app=self.app, url="", active=False)

    def web(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def relist(self, user, listing=None, **extra):
        listing = listing or self.listing
        return self.web(user).post(f"/registry/listings/{listing.pk}/activate/", extra, follow=True)

    def update_rows(self, listing=None):
        listing = listing or self.listing
        return AuditLog.objects.filter(
            model="registry.storelisting", object_id=str(listing.pk), action="update"
        ).order_by("id")

    def stop_access(self):
        return sanctions.issue(
            self.company,
            {
                "kind": "stop_access",
                "start_date": str(timezone.localdate() - dt.timedelta(days=1)),
                "reason": "拒不整改，停止接入",
                "authority": "某省通信管理局",
            },
            user=self.regulator,
        )


class PageTests(ReactivateCase):
    def test_store_and_app_pages_offer_the_button_to_staff_only(self):
        for path in (f"/registry/stores/{self.store.pk}/", f"/registry/apps/{self.app.pk}/"):
            html = self.web(self.reviewer).get(path).content.decode()
            self.assertIn(f'id="relist-{self.listing.pk}"', html, path)
            self.assertIn("重新上架", html)
            self.assertIn(f'action="/registry/listings/{self.listing.pk}/activate/"', html)
        store_user = pf.user("store", store=self.store)
        html = self.web(store_user).get(f"/registry/stores/{self.store.pk}/").content.decode()
        self.assertNotIn(f'id="relist-{self.listing.pk}"', html)
        # an active listing has no button
        self.listing.active = True
        self.listing.save()
        html = self.web(self.reviewer).get(f"/registry/stores/{self.store.pk}/").content.decode()
        self.assertNotIn(f'id="relist-{self.listing.pk}"', html)

    def test_reviewer_relists_with_the_apis_audit_row(self):
        resp = self.relist(self.reviewer, next=f"/registry/stores/{self.store.pk}/")
        self.assertEqual(resp.status_code, 200)
        self.assertEqual(resp.redirect_chain[-1][0], f"/registry/stores/{self.store.pk}/")
        html = resp.content.decode()
        self.assertIn("已重新上架", html)
        self.assertIn("重新上架应用", html)
        self.listing.refresh_from_db()
        self.assertTrue(self.listing.active)
        (row,) = self.update_rows()
        self.assertEqual(row.actor, self.reviewer)
        self.assertIs(row.data["active"], True)
        # the API writes the same row for the same change
        other = StoreListing.objects.create(store=pf.store("乙应用商店"), app=self.app, url="", active=False)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(self.reviewer)}")
        self.assertEqual(api.patch(f"/api/listings/{other.pk}/", {"active": True}).status_code, 200)
        (api_row,) = self.update_rows(other)
        self.assertEqual(
            (api_row.action, api_row.model, api_row.actor, api_row.data["active"]),
            (row.action, row.model, row.actor, row.data["active"]),
        )

    def test_regulator_may_relist_too_and_back_defaults_to_the_store_page(self):
        resp = self.relist(self.regulator)
        self.assertEqual(resp.redirect_chain[-1][0], f"/registry/stores/{self.store.pk}/")
        self.listing.refresh_from_db()
        self.assertTrue(self.listing.active)

    def test_stop_access_refuses_in_chinese_and_stores_nothing(self):
        measure = self.stop_access()
        resp = self.relist(self.reviewer)
        html = resp.content.decode()
        self.assertIn("已拒绝，未保存", html)
        self.assertIn(f"惩戒措施 #{measure.pk}", html)
        self.assertIn("某科技有限公司", html)
        self.listing.refresh_from_db()
        self.assertFalse(self.listing.active)
        self.assertFalse(self.update_rows().exists())
        blocks = AuditLog.objects.filter(action="stop_access_block", object_id=str(measure.pk))
        self.assertEqual(blocks.count(), 1)
        self.assertEqual(blocks[0].actor, self.reviewer)
        self.assertEqual(blocks[0].data["via"], "web")
        self.assertEqual(blocks[0].data["app"], self.app.pk)

    def test_already_active_is_one_chinese_line_and_no_row(self):
        self.listing.active = True
        self.listing.save()
        before = self.update_rows().count()
        html = self.relist(self.reviewer).content.decode()
        self.assertIn("该上架记录已在架", html)
        self.assertEqual(self.update_rows().count(), before)

    def test_other_roles_get_403_and_get_is_405(self):
        for user in (
            pf.user("store", store=self.store),
            pf.user("company", company=self.company),
        ):
            resp = self.web(user).post(f"/registry/listings/{self.listing.pk}/activate/")
            self.assertEqual(resp.status_code, 403, user)
        self.assertEqual(
            self.web(self.reviewer).get(f"/registry/listings/{self.listing.pk}/activate/").status_code, 405
        )
        self.assertEqual(self.web(self.reviewer).post("/registry/listings/999999/activate/").status_code, 404)
        anonymous = Client().post(f"/registry/listings/{self.listing.pk}/activate/")
        self.assertEqual(anonymous.status_code, 302)  # to the login page
        self.listing.refresh_from_db()
        self.assertFalse(self.listing.active)

    def test_refusals_are_chinese_pages_not_djangos_english(self):
        store_user = self.web(pf.user("store", store=self.store))
        for resp, status, line in (
            (store_user.post(f"/registry/listings/{self.listing.pk}/activate/"), 403, "无权"),
            (self.web(self.reviewer).post("/registry/listings/999999/activate/"), 404, "未找到"),
            (self.web(self.reviewer).get(f"/registry/listings/{self.listing.pk}/activate/"), 405, "仅接受"),
            (self.web(self.reviewer).get("/registry/no-such-page/"), 404, "未找到"),
        ):
            html = resp.content.decode()
            self.assertEqual(resp.status_code, status, html)
            self.assertIn(line, html)
            for english in ("Forbidden", "Not Found", "not found on this server", "Method Not Allowed"):
                self.assertNotIn(english, html)

    def test_next_outside_the_site_is_ignored(self):
        resp = self.relist(self.reviewer, next="https://evil.example/")
        self.assertEqual(resp.redirect_chain[-1][0], f"/registry/stores/{self.store.pk}/")
