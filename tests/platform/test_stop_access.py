"""停止接入 (stop access) takes effect: while a measure is in force (start date reached, end date not passed, not
ended or revoked) a pre-listing check of the company's app in a store it bars is refused with the measure cited in
Chinese (API, store page, notification) and audited once; a new or re-activated listing of its app in such a store
is refused (409 / form error, nothing stored, audited); the early-warning list shows the measures in force with the
apps still listed. Also run on PostgreSQL by ``test_services.py``."""

from __future__ import annotations

import datetime as dt

import platform_factories as pf
from django.test import Client
from django.utils import timezone
from test_prelisting import LISTING, PrelistingCase, finding

from appwarden.platform.core.models import AuditLog
from appwarden.platform.notifications.models import Notification
from appwarden.platform.registry.models import App, StoreListing
from appwarden.platform.sanctions import services as sanctions


def day(offset: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=offset)).isoformat()


class StopAccessCase(PrelistingCase):
    def setUp(self):
        super().setUp()
        self.regulator = pf.user("regulator")

    def measure(self, company=None, **data):
        base = {
            "kind": "stop_access",
            "start_date": day(-10),
            "reason": "拒不整改，停止接入",
            "authority": "某省通信管理局",
        }
        return sanctions.issue(company or self.company, {**base, **data}, user=self.regulator)

    def registered_app(self, n: int | None = None, company=None) -> App:
        """Register the next submitted APK's package to the company (as a regulator would)."""
        return App.objects.create(package=f"com.pre.app{(n or self.n + 1)}", company=company or self.company)


class PrelistingVerdictTests(StopAccessCase):
    def test_check_of_a_company_under_stop_access_fails_citing_the_measure(self):
        measure = self.measure()
        self.registered_app()
        body = self.checked([finding("r.low", "low", "likely")])  # would pass on its findings alone
        self.assertEqual(body["verdict"], "fail", body)
        self.assertIn("sanction:stop_access", body["reasons"])
        stop = body["stop_access"]
        self.assertEqual((stop["measure"], stop["basis"]), (measure.pk, "registered"))
        self.assertIn("某科技有限公司", stop["message_zh"])
        self.assertIn(f"惩戒措施 #{measure.pk}", stop["message_zh"])
        self.assertIn("处于停止接入期间", stop["message_zh"])
        self.assertIn("甲应用市场", stop["message_zh"])
        self.assertIn("某省通信管理局", stop["message_zh"])
        # audited once, however often the verdict is read
        self.api(self.store_user).get(f"/api/prelisting/{body['id']}/")
        self.api(self.store_user).get("/api/prelisting/")
        rows = AuditLog.objects.filter(action="prelisting_stop_access")
        self.assertEqual(rows.count(), 1)
        self.assertEqual(rows[0].object_id, str(body["id"]))
        self.assertEqual(rows[0].data["measure"], measure.pk)
        self.assertEqual(rows[0].data["store"], self.store_a.pk)

    def test_a_measure_naming_another_store_does_not_refuse(self):
        self.measure(stores=[self.store_b.pk])
        self.registered_app()
        body = self.checked([])
        self.assertEqual(body["verdict"], "pass", body)
        self.assertNotIn("stop_access", body)

    def test_end_date_start_date_end_and_revoke_are_honoured(self):
        cases = [
            ({"start_date": day(-30), "end_date": day(-1)}, "pass"),  # expired yesterday
            ({"start_date": day(1)}, "pass"),  # not in force yet
            ({"start_date": day(-30), "end_date": day(0)}, "fail"),  # the end date is the last day in force
        ]
        for data, expected in cases:
            with self.subTest(data=data):
                company = pf.company()
                self.measure(company, **data)
                self.registered_app(company=company)
                self.assertEqual(self.checked([])["verdict"], expected)
        # verdicts are recomputed on each read: once the measure is ended (解除) or revoked it no longer bars
        for change in ("end", "revoke"):
            with self.subTest(change=change):
                company = pf.company()
                measure = self.measure(company)
                self.registered_app(company=company)
                body = self.checked([])
                self.assertEqual(body["verdict"], "fail")
                if change == "end":
                    sanctions.end(measure, user=self.regulator, reason="整改完成", end_date=day(-1))
                else:
                    sanctions.revoke(measure, user=self.regulator, reason="复议撤销")
                again = self.api(self.store_user).get(f"/api/prelisting/{body['id']}/").json()
                self.assertEqual(again["verdict"], "pass")

    def test_unregistered_app_is_matched_by_developer_name(self):
        company = pf.company("测试公司")  # the listing's developer and the signer's O=
        measure = self.measure(company)
        body = self.checked([])
        self.assertEqual(body["verdict"], "fail", body)
        self.assertEqual(
            (body["stop_access"]["measure"], body["stop_access"]["basis"]), (measure.pk, "developer")
        )
        other = self.checked([], listing={**LISTING, "developer": "别的公司"})
        self.assertEqual(other["stop_access"]["basis"], "signer")  # the signer's O= still names it

    def test_store_page_and_notification_cite_the_measure(self):
        from appwarden.platform.notifications import services as notifications
        from appwarden.platform.prelisting.models import PrelistingCheck

        measure = self.measure()
        self.registered_app()
        body = self.checked([])
        client = Client()
        client.force_login(self.store_user)
        page = client.get("/store/prelisting/").content.decode()
        self.assertIn(f'id="stop-access-{body["id"]}"', page)
        self.assertIn("该企业处于停止接入期间，不予通过", page)
        self.assertIn(f"惩戒措施 #{measure.pk}", page)
        self.assertIn("不通过 Fail", page)
        note = notifications.prelisting_verdict(PrelistingCheck.objects.get(pk=body["id"]))
        self.assertIn("不通过", note.subject)
        self.assertIn(f"惩戒措施 #{measure.pk}", note.body)
        self.assertEqual(note.payload["data"]["stop_access"]["measure"], measure.pk)


class ListingTests(StopAccessCase):
    def setUp(self):
        super().setUp()
        self.app = App.objects.create(package="com.stopped.app", company=self.company)
        self.staff = self.api(self.reviewer)

    def test_api_refuses_a_new_listing_in_a_barred_store(self):
        measure = self.measure(stores=[self.store_a.pk])
        resp = self.staff.post(
            "/api/listings/", {"store": self.store_a.pk, "app": self.app.pk, "active": True}, format="json"
        )
        self.assertEqual(resp.status_code, 409, resp.content)
        detail = resp.json()["detail"]
        self.assertTrue(detail.startswith("已拒绝，未保存：企业「某科技有限公司」处于停止接入期间"), detail)
        self.assertIn(f"#{measure.pk}", detail)
        self.assertFalse(StoreListing.objects.exists())
        block = AuditLog.objects.get(action="stop_access_block")
        self.assertEqual((block.object_id, block.actor), (str(measure.pk), self.reviewer))
        self.assertEqual(block.data["via"], "api")
        # another store is not barred; an inactive record may be kept
        ok = self.staff.post("/api/listings/", {"store": self.store_b.pk, "app": self.app.pk}, format="json")
        self.assertEqual(ok.status_code, 201, ok.content)
        ok = self.staff.post(
            "/api/listings/", {"store": self.store_a.pk, "app": self.app.pk, "active": False}, format="json"
        )
        self.assertEqual(ok.status_code, 201, ok.content)
        listing = StoreListing.objects.get(store=self.store_a)
        # making it active again is refused while the measure is in force, allowed once it ended
        resp = self.staff.patch(f"/api/listings/{listing.pk}/", {"active": True}, format="json")
        self.assertEqual(resp.status_code, 409, resp.content)
        listing.refresh_from_db()
        self.assertFalse(listing.active)
        sanctions.end(measure, user=self.regulator, reason="整改完成，解除")
        resp = self.staff.patch(f"/api/listings/{listing.pk}/", {"active": True}, format="json")
        self.assertEqual(resp.status_code, 200, resp.content)
        # an unrelated edit of a listing already on sale is not a new listing
        measure2 = self.measure()
        resp = self.staff.patch(
            f"/api/listings/{listing.pk}/", {"url": "https://example.com/a"}, format="json"
        )
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(
            AuditLog.objects.filter(action="stop_access_block", object_id=str(measure2.pk)).count(), 0
        )

    def test_expired_measure_does_not_refuse(self):
        self.measure(start_date=day(-30), end_date=day(-1))
        resp = self.staff.post(
            "/api/listings/", {"store": self.store_a.pk, "app": self.app.pk}, format="json"
        )
        self.assertEqual(resp.status_code, 201, resp.content)

    def test_web_form_refuses_with_the_measure_and_stores_nothing(self):
        measure = self.measure()
        client = Client()
        client.force_login(self.reviewer)
        resp = client.post(
            "/registry/new/listing/",
            {"store": self.store_a.pk, "app": self.app.pk, "active": "on", "url": ""},
        )
        self.assertEqual(resp.status_code, 200)
        page = resp.content.decode()
        self.assertIn("处于停止接入期间", page)
        self.assertIn(f"惩戒措施 #{measure.pk}", page)
        self.assertFalse(StoreListing.objects.exists())
        block = AuditLog.objects.get(action="stop_access_block")
        self.assertEqual((block.data["via"], block.actor), ("web", self.reviewer))

    def test_web_form_labels_store_and_app_in_chinese(self):
        """The form labelled its first two fields only "Store:" and "App:" (seen in Chromium)."""
        client = Client()
        client.force_login(self.reviewer)
        page = client.get("/registry/new/listing/").content.decode()
        self.assertIn("应用商店 Store", page)
        self.assertIn("应用 App", page)
        self.assertNotIn(">Store:<", page)

    def test_web_form_reactivating_an_inactive_listing_shows_only_the_chinese_refusal(self):
        """A reviewer asking to put an inactive listing on sale again (the form's only way) saw the refusal and
        Django's English "Store listing with this Store and App already exists." below it (found in Chromium)."""
        StoreListing.objects.create(store=self.store_a, app=self.app, active=False)
        measure = self.measure()
        client = Client()
        client.force_login(self.reviewer)
        form = {"store": self.store_a.pk, "app": self.app.pk, "active": "on", "url": ""}
        page = client.post("/registry/new/listing/", form).content.decode()
        self.assertIn(f"惩戒措施 #{measure.pk}", page)
        self.assertNotIn("already exists", page)
        self.assertEqual(list(StoreListing.objects.values_list("active", flat=True)), [False])
        # without a measure the duplicate is refused in Chinese too
        sanctions.revoke(measure, user=self.regulator, reason="撤销")
        page = client.post("/registry/new/listing/", form).content.decode()
        self.assertIn("该应用在此应用商店已有上架记录", page)
        self.assertNotIn("already exists", page)
        self.assertEqual(StoreListing.objects.count(), 1)


class EarlyWarningTests(StopAccessCase):
    def test_measures_in_force_and_apps_still_listed_are_on_the_early_warning_list(self):
        app = App.objects.create(package="com.stopped.listed", name="仍在架应用", company=self.company)
        pf.listing(self.store_a, app)  # listed before the measure
        pf.listing(self.store_b, app)
        measure = self.measure(stores=[self.store_a.pk])
        expired_company = pf.company("已到期有限公司")
        self.measure(expired_company, start_date=day(-30), end_date=day(-1))
        self.registered_app()
        self.checked([])  # a refused pre-listing check counts under the measure
        client = Client()
        client.force_login(self.reviewer)
        page = client.get("/early-warning/").content.decode()
        self.assertIn('id="stop-access-measures"', page)
        self.assertIn(f'data-measure="{measure.pk}"', page)
        self.assertIn("仍在架应用</a> @ 甲应用市场", page)
        self.assertNotIn("@ 乙应用商店", page)  # store B is not barred
        self.assertNotIn("已到期有限公司", page)
        body = self.api(self.reviewer).get("/api/early-warning/").json()
        (row,) = body["stop_access"]
        self.assertEqual(row["measure"], measure.pk)
        self.assertEqual(
            row["listed"],
            [
                {
                    "app": {"id": app.pk, "package": "com.stopped.listed", "name": "仍在架应用"},
                    "store": {"id": self.store_a.pk, "name": "甲应用市场"},
                }
            ],
        )
        self.assertEqual(row["refused_prelisting_checks"], 1)
        self.assertFalse(row["all_stores"])
        for user in (self.store_user, self.company_user):
            self.assertEqual(self.api(user).get("/api/early-warning/").status_code, 404)

    def test_the_digest_lists_the_measures(self):
        from appwarden.platform.notifications.digest import send_digest

        self.measure()
        result = send_digest(force=True)
        self.assertEqual(result["counts"]["stop_access"], 1)
        note = Notification.objects.get(event="early_warning.digest")
        self.assertIn("五、停止接入措施", note.body)
        self.assertIn("某科技有限公司", note.body)
        self.assertIn("停止接入 1", note.subject)
