"""SDK orders (issue #21.1): 责令整改 to an SDK vendor about confirmed findings its SDKs cause across apps.

Two vendors (A owns ``sdk.a``, B owns ``sdk.b``); two apps of two companies each with a host finding, an SDK-A and
an SDK-B finding, all confirmed; the ordered scans embed ``sdk.a`` 1.0. The re-test is the later scans of those
apps (version 2.0 = the vendor's fix) and the vendor's optional demo APK. Also run on PostgreSQL by
``test_services.py``.
"""

from __future__ import annotations

import datetime as dt
import io

import platform_factories as pf
from django.test import Client, TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from appwarden.platform.core import tokens
from appwarden.platform.core.errors import TransitionError
from appwarden.platform.core.models import AuditLog
from appwarden.platform.enforcement import export, sdk_workflow, workflow
from appwarden.platform.enforcement.models import NoticeItem, SdkOrder
from appwarden.platform.registry.models import SdkVendor
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import Finding, ScanJob


def _report(
    package: str, version: str, findings: list, sdk_version: str = "1.0", label: str = "应用"
) -> dict:
    rep = pf.report(package, version, findings, label=label)
    rep["sdks"] = [
        {"id": "sdk.a", "name_zh": "甲SDK", "version": sdk_version},
        {"id": "sdk.b", "name_zh": "乙SDK", "version": "7.0"},
    ]
    return rep


def _rows(resp) -> list:
    data = resp.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


class SdkOrderBase(TestCase):
    def setUp(self):
        self.eng = pf.ReportEngine()
        engine.use_engine(self.eng)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.vendor_a = SdkVendor.objects.create(name="甲SDK厂商", sdk_ids=["sdk.a"])
        self.vendor_b = SdkVendor.objects.create(name="乙SDK厂商", sdk_ids=["sdk.b"])
        self.companies = {}
        self.jobs = {}
        for key in ("x", "y"):
            self.companies[key] = pf.company(f"{key}公司")
            rep = _report(
                f"com.{key}.app",
                "2.0",
                [
                    pf.finding("r.host", ["RD-3.1"], owner="host"),
                    pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a", notice_types=["M337-1"]),
                    pf.finding("r.sdkb", ["RD-3.1"], owner="sdk.b"),
                ],
                label=f"应用{key}",
            )
            job = pf.scanned_job(self.reviewer, self.eng.add(key, rep), company=self.companies[key])
            for f in job.findings.all():
                services.review_finding(f, user=self.reviewer, action="confirm", reason="ok")
            self.jobs[key] = job
        self.vendor_user_a = pf.user("sdk_vendor", sdk_vendor=self.vendor_a)
        self.vendor_user_b = pf.user("sdk_vendor", sdk_vendor=self.vendor_b)

    def api_for(self, user) -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
        return api

    def sdk_a_findings(self) -> list[Finding]:
        return list(Finding.objects.filter(owner="sdk.a", status="confirmed").order_by("pk"))

    def issue(self, **kw) -> SdkOrder:
        return sdk_workflow.issue_sdk_order(
            self.vendor_a, self.sdk_a_findings(), user=self.reviewer, reason="SDK违规收集", **kw
        )

    def rescan(self, key: str, tag: str, findings: list, sdk_version: str) -> ScanJob:
        rep = _report(f"com.{key}.app", "3.0", findings, sdk_version=sdk_version, label=f"应用{key}")
        return pf.scanned_job(self.reviewer, self.eng.add(tag, rep))


class IssueTests(SdkOrderBase):
    def test_reviewer_issues_through_the_api_with_a_working_day_deadline(self):
        api = self.api_for(self.reviewer)
        ids = [f.pk for f in self.sdk_a_findings()]
        resp = api.post(
            "/api/sdk-orders/",
            {"vendor": self.vendor_a.pk, "findings": ids, "reason": "SDK违规", "working_days": 10},
            format="json",
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        body = resp.json()
        self.assertTrue(body["number"].startswith("SDK-"))
        self.assertEqual(body["state"], "issued")
        self.assertEqual(body["sdk_ids"], ["sdk.a"])
        self.assertEqual(sorted(f["id"] for f in body["findings"]), ids)
        self.assertEqual({f["package"] for f in body["findings"]}, {"com.x.app", "com.y.app"})
        from django.conf import settings

        from appwarden.platform.core.workdays import add_working_days

        expected = add_working_days(timezone.localdate(), 10, settings.APPWARDEN_HOLIDAYS)
        self.assertEqual(body["deadline"], expected.isoformat())
        self.assertEqual([t["name"] for t in body["transitions"]], ["issue"])
        order = SdkOrder.objects.get(pk=body["id"])
        self.assertTrue(
            AuditLog.objects.filter(
                model="enforcement.sdkorder", object_id=str(order.pk), action="create"
            ).exists()
        )
        self.assertTrue(
            AuditLog.objects.filter(model="enforcement.sdkordertransition", action="create").exists()
        )

    def test_refusals_change_nothing(self):
        api = self.api_for(self.reviewer)
        host = Finding.objects.filter(owner="host").first()
        other = Finding.objects.filter(owner="sdk.b").first()
        for bad in ([host.pk], [other.pk], []):
            resp = api.post(
                "/api/sdk-orders/",
                {"vendor": self.vendor_a.pk, "findings": bad, "reason": "x"},
                format="json",
            )
            self.assertEqual(resp.status_code, 400, bad)
        pending = self.sdk_a_findings()[0]
        services.review_finding(pending, user=self.reviewer, action="reject", reason="误报")
        resp = api.post(
            "/api/sdk-orders/",
            {"vendor": self.vendor_a.pk, "findings": [pending.pk], "reason": "x"},
            format="json",
        )
        self.assertEqual(resp.status_code, 400)
        self.assertIn("未确认", resp.json()["detail"])
        resp = api.post(
            "/api/sdk-orders/",
            {"vendor": self.vendor_a.pk, "findings": [self.sdk_a_findings()[0].pk], "reason": " "},
            format="json",
        )
        self.assertEqual(resp.status_code, 400)
        for user in (
            self.vendor_user_a,
            pf.user("company", company=self.companies["x"]),
            pf.user("store", store=pf.store()),
        ):
            resp = self.api_for(user).post(
                "/api/sdk-orders/",
                {
                    "vendor": self.vendor_a.pk,
                    "findings": [f.pk for f in self.sdk_a_findings()],
                    "reason": "x",
                },
                format="json",
            )
            self.assertEqual(resp.status_code, 403, user.profile.role)
        self.assertFalse(SdkOrder.objects.exists())


class ScopingTests(SdkOrderBase):
    def setUp(self):
        super().setUp()
        self.order_a = self.issue()
        self.order_b = sdk_workflow.issue_sdk_order(
            self.vendor_b,
            list(Finding.objects.filter(owner="sdk.b")),
            user=self.reviewer,
            reason="乙SDK违规",
        )

    def test_vendor_sees_only_its_own_orders_and_only_sdk_findings(self):
        api = self.api_for(self.vendor_user_a)
        rows = _rows(api.get("/api/sdk-orders/"))
        self.assertEqual([r["id"] for r in rows], [self.order_a.pk])
        detail = api.get(f"/api/sdk-orders/{self.order_a.pk}/")
        self.assertEqual(detail.status_code, 200)
        self.assertEqual({f["owner"] for f in detail.json()["findings"]}, {"sdk.a"})
        self.assertNotIn("r.host", detail.content.decode())
        self.assertNotIn("r.sdkb", detail.content.decode())
        missing = SdkOrder.objects.order_by("-pk").first().pk + 1000
        gone = api.get(f"/api/sdk-orders/{missing}/")
        self.assertEqual(gone.status_code, 404)
        foreign = api.get(f"/api/sdk-orders/{self.order_b.pk}/")
        self.assertEqual((foreign.status_code, foreign.content), (gone.status_code, gone.content))
        # acting on another vendor's order: 404 like a missing one, and nothing changes
        resp = api.post(
            f"/api/sdk-orders/{self.order_b.pk}/respond/",
            {"explanation": "x", "new_sdk_version": "9"},
            format="json",
        )
        self.assertEqual(resp.status_code, 404)
        self.order_b.refresh_from_db()
        self.assertEqual(self.order_b.state, "issued")
        # still no app's non-SDK findings, apps or jobs
        finding_rows = _rows(api.get("/api/findings/", {"limit": 100}))
        self.assertEqual({r["owner"] for r in finding_rows}, {"sdk.a"})
        host = Finding.objects.filter(owner="host").first()
        self.assertEqual(api.get(f"/api/findings/{host.pk}/").status_code, 404)
        self.assertEqual(api.get(f"/api/jobs/{self.jobs['x'].pk}/").status_code, 404)
        self.assertEqual(_rows(api.get("/api/orders/")), [])

    def test_companies_stores_and_other_vendors_never_see_sdk_orders(self):
        company = pf.user("company", company=self.companies["x"])
        store = pf.user("store", store=pf.store())
        for user in (company, store, self.vendor_user_b):
            api = self.api_for(user)
            ids = [r["id"] for r in _rows(api.get("/api/sdk-orders/"))]
            self.assertNotIn(self.order_a.pk, ids, user.profile.role)
            self.assertEqual(api.get(f"/api/sdk-orders/{self.order_a.pk}/").status_code, 404)
            web = Client()
            web.force_login(user)
            self.assertIn(web.get(f"/enforcement/sdk-orders/{self.order_a.pk}/").status_code, (403, 404))
            self.assertIn(web.get(f"/my-sdk/orders/{self.order_a.pk}/").status_code, (403, 404))
            self.assertIn(web.get("/enforcement/sdk-orders/").status_code, (403,))
        # vendor B's own page: its order only; A's order id is 404 exactly like a missing one
        web = Client()
        web.force_login(self.vendor_user_b)
        page = web.get("/my-sdk/orders/").content.decode()
        self.assertIn(self.order_b.number, page)
        self.assertNotIn(self.order_a.number, page)
        missing = SdkOrder.objects.order_by("-pk").first().pk + 1000
        self.assertEqual(web.get(f"/my-sdk/orders/{self.order_a.pk}/").status_code, 404)
        self.assertEqual(web.get(f"/my-sdk/orders/{missing}/").status_code, 404)
        resp = web.post(
            f"/my-sdk/orders/{self.order_a.pk}/respond/", {"explanation": "x", "new_sdk_version": "2"}
        )
        self.assertEqual(resp.status_code, 404)
        self.order_a.refresh_from_db()
        self.assertEqual(self.order_a.state, "issued")

    def test_roles_on_transitions(self):
        reviewer = self.api_for(self.reviewer)
        resp = reviewer.post(
            f"/api/sdk-orders/{self.order_a.pk}/respond/",
            {"explanation": "x", "new_sdk_version": "2"},
            format="json",
        )
        self.assertEqual(resp.status_code, 403)
        vendor = self.api_for(self.vendor_user_a)
        resp = vendor.post(f"/api/sdk-orders/{self.order_a.pk}/respond/", {"explanation": "x"}, format="json")
        self.assertEqual(resp.status_code, 400)  # the version is required
        resp = vendor.post(
            f"/api/sdk-orders/{self.order_a.pk}/respond/",
            {"explanation": "已修复", "new_sdk_version": " "},
            format="json",
        )
        self.assertEqual(resp.status_code, 400)
        self.order_a.refresh_from_db()
        self.assertEqual(self.order_a.state, "issued")
        resp = vendor.post(f"/api/sdk-orders/{self.order_a.pk}/start_retest/", {"reason": "x"}, format="json")
        self.assertEqual(resp.status_code, 403)
        resp = vendor.post(
            f"/api/sdk-orders/{self.order_a.pk}/escalate/", {"reason": "x", "notice": 1}, format="json"
        )
        self.assertEqual(resp.status_code, 403)
        # escalating before the deadline is refused (409), reviewers may not escalate (403)
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        resp = self.api_for(self.regulator).post(
            f"/api/sdk-orders/{self.order_a.pk}/escalate/",
            {"reason": "x", "notice": notice.pk},
            format="json",
        )
        self.assertEqual(resp.status_code, 409)
        resp = reviewer.post(
            f"/api/sdk-orders/{self.order_a.pk}/escalate/",
            {"reason": "x", "notice": notice.pk},
            format="json",
        )
        self.assertEqual(resp.status_code, 403)
        # close from issued: 409
        resp = reviewer.post(f"/api/sdk-orders/{self.order_a.pk}/close/", {"reason": "x"}, format="json")
        self.assertEqual(resp.status_code, 409)
        self.order_a.refresh_from_db()
        self.assertEqual(self.order_a.state, "issued")


class FlowTests(SdkOrderBase):
    def respond(self, order, version="2.0", **kw):
        return sdk_workflow.respond(
            order, user=self.vendor_user_a, explanation="已在2.0版本修复", new_sdk_version=version, **kw
        )

    def test_passed_retest_closes(self):
        order = self.issue()
        self.respond(order)
        sdk_workflow.start_retest(order, user=self.reviewer, reason="等待应用更新SDK")
        order.refresh_from_db()
        self.assertEqual(order.state, "retesting")  # no later scan yet
        table = order.retests.get().diff
        self.assertEqual([r["status"] for r in table["apps"]], ["pending", "pending"])
        with self.assertRaises(TransitionError):
            sdk_workflow.close(order, user=self.reviewer, reason="x")
        # app x updates to SDK 2.0: the SDK finding is gone (its host finding stays: not the vendor's business)
        self.rescan("x", "x3", [pf.finding("r.host", ["RD-3.1"], owner="host")], sdk_version="2.0")
        order.refresh_from_db()
        self.assertEqual(order.state, "retested")
        table = order.retests.get().diff
        by_app = {r["package"]: r for r in table["apps"]}
        self.assertEqual(by_app["com.x.app"]["status"], "fixed")
        self.assertEqual(by_app["com.x.app"]["sdk_versions"], ["2.0"])
        self.assertEqual(by_app["com.y.app"]["status"], "pending")
        self.assertTrue(table["passed"])
        self.assertNotIn("r.host", str(table))
        self.assertEqual(sdk_workflow.allowed_transitions(order, self.reviewer), ["close"])
        self.assertEqual(sdk_workflow.allowed_transitions(order, self.regulator), ["close"])
        sdk_workflow.close(order, user=self.reviewer, reason="复测通过")
        order.refresh_from_db()
        self.assertEqual(order.state, "closed")
        self.assertIsNotNone(order.closed_at)
        names = list(order.transitions.values_list("name", flat=True))
        self.assertEqual(names, ["issue", "respond", "start_retest", "complete_retest", "close"])
        # every transition is in the audit log: the order's updates and one row per transition
        self.assertEqual(
            AuditLog.objects.filter(model="enforcement.sdkordertransition", action="create").count(), 5
        )
        states = [
            row.data.get("state")
            for row in AuditLog.objects.filter(
                model="enforcement.sdkorder", object_id=str(order.pk)
            ).order_by("id")
        ]
        for state in ("issued", "responded", "retesting", "retested", "closed"):
            self.assertIn(state, states)

    def test_the_retest_lines_name_the_sdk_of_each_finding(self):
        # a vendor with two SDKs: the re-test's lines named only the finding's title, so the same rule of each SDK
        # read the same; each line now names the SDK and the rule
        order = self.issue()
        self.respond(order)
        sdk_workflow.start_retest(order, user=self.reviewer, reason="复测")
        self.rescan("x", "x4", [], sdk_version="2.0")
        self.rescan("y", "y4", [pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")], sdk_version="2.0")
        web = Client()
        web.force_login(self.regulator)
        page = web.get(f"/enforcement/sdk-orders/{order.pk}/").content.decode()
        self.assertRegex(page, r"仍存在 persisting: [^<]*<span class=\"muted\">sdk\.a · r\.sdka</span>")
        self.assertRegex(page, r"已整改 fixed: [^<]*<span class=\"muted\">sdk\.a · r\.sdka</span>")

    def test_persisting_in_one_app_escalates_to_an_app_sdk_notice(self):
        listing_store = pf.store("示例应用市场")
        pf.listing(listing_store, self.jobs["y"].app_version.app)
        order = self.issue()
        self.respond(order)
        sdk_workflow.start_retest(order, user=self.reviewer, reason="复测")
        self.rescan("x", "x3", [], sdk_version="2.0")
        self.rescan(
            "y",
            "y3",
            [pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a", notice_types=["M337-1"])],
            sdk_version="2.0",
        )
        order.refresh_from_db()
        self.assertEqual(order.state, "retested")
        table = order.retests.get().diff
        by_app = {r["package"]: r["status"] for r in table["apps"]}
        self.assertEqual(by_app, {"com.x.app": "fixed", "com.y.app": "persisting"})
        self.assertFalse(table["passed"])
        api = self.api_for(self.reviewer)
        resp = api.post(f"/api/sdk-orders/{order.pk}/close/", {"reason": "x"}, format="json")
        self.assertEqual(resp.status_code, 409)
        self.assertIn("应用y", resp.json()["detail"])
        notice = workflow.create_notice_batch(user=self.regulator, title="APP(SDK)通报", number="2026-1")
        app_order = self._app_order_in(notice)
        resp = self.api_for(self.regulator).post(
            f"/api/sdk-orders/{order.pk}/escalate/",
            {"reason": "复测未通过", "notice": notice.pk},
            format="json",
        )
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(resp.json()["state"], "notice_draft")
        item = NoticeItem.objects.get(sdk_order=order)
        self.assertEqual(item.sdk_vendor, "甲SDK厂商")
        self.assertIn("sdk.a", item.sdk_name)
        self.assertIn("2.0", item.sdk_name)  # the version in which it persists
        self.assertEqual(item.app_name, "应用y")  # named where it persists
        self.assertEqual(item.developer, "y公司")
        self.assertEqual(item.source, "示例应用市场")
        self.assertTrue(item.problems)
        # the export has the SDK columns; the app row shows "—" there
        from openpyxl import load_workbook

        rows = [
            [c.value for c in r]
            for r in load_workbook(io.BytesIO(export.notice_xlsx(notice))).active.iter_rows()
        ]
        self.assertEqual(rows[1], export.SDK_HEADERS)
        self.assertIn("SDK名称", rows[1])
        self.assertIn("SDK厂商", rows[1])
        sdk_row = next(r for r in rows[2:] if r[6] == "甲SDK厂商")
        self.assertIn("sdk.a", sdk_row[5])
        app_row = next(r for r in rows[2:] if r[6] == "—")
        self.assertEqual(app_row[1], app_order.notice_item.app_name)
        pdf = export.notice_pdf(notice)
        self.assertTrue(pdf.startswith(b"%PDF"))
        web = Client()
        web.force_login(self.regulator)
        page = web.get(f"/enforcement/notices/{notice.pk}/").content.decode()
        self.assertIn("SDK厂商", page)
        self.assertIn(f"/enforcement/sdk-orders/{order.pk}/", page)
        # publishing moves both the app order and the SDK order to 已通报
        workflow.publish_notice(notice, user=self.regulator)
        order.refresh_from_db()
        app_order.refresh_from_db()
        self.assertEqual((order.state, app_order.state), ("noticed", "noticed"))
        self.assertIn("publish_notice", list(order.transitions.values_list("name", flat=True)))
        # a batch without SDK rows keeps the six MIIT columns
        plain = workflow.create_notice_batch(user=self.regulator, title="普通通报")
        self.assertEqual(export.headers(plain), export.HEADERS)

    def _app_order_in(self, notice):
        job = self.jobs["x"]
        order = workflow.issue_order(
            job.app_version, list(job.findings.filter(owner="host")), user=self.reviewer, reason="x"
        )
        order.deadline = timezone.localdate() - dt.timedelta(days=1)
        order.save()
        workflow.escalate(order, user=self.regulator, reason="逾期", notice=notice)
        order.refresh_from_db()
        return order

    def test_a_later_scan_still_on_the_old_sdk_version_is_not_a_retest(self):
        order = self.issue()
        self.respond(order)
        sdk_workflow.start_retest(order, user=self.reviewer, reason="复测")
        self.rescan("x", "x-old", [pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")], sdk_version="1.0")
        order.refresh_from_db()
        self.assertEqual(order.state, "retesting")
        row = next(r for r in order.retests.get().diff["apps"] if r["package"] == "com.x.app")
        self.assertEqual(row["status"], "pending")
        self.assertIn("旧版本", row["note_zh"])
        # a scan without a detected version after the response counts (by date)
        self.rescan("x", "x-unknown", [pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")], sdk_version="")
        order.refresh_from_db()
        self.assertEqual(order.state, "retested")
        row = next(r for r in order.retests.get().diff["apps"] if r["package"] == "com.x.app")
        self.assertEqual(row["status"], "persisting")

    def test_demo_apk_is_scanned_as_part_of_the_retest(self):
        order = self.issue()
        demo_rep = _report("com.vendor.demo", "1.0", [], sdk_version="2.0", label="演示")
        demo = self.eng.add("demo", demo_rep)
        self.respond(order, demo_apk=demo, file_name="demo.apk")
        response = order.responses.get()
        self.assertEqual(len(response.demo_sha256), 64)
        self.assertEqual(response.demo_file_name, "demo.apk")
        sdk_workflow.start_retest(order, user=self.reviewer, reason="复测")
        retest = order.retests.get()
        self.assertIsNotNone(retest.demo_job)
        services.run_scan(retest.demo_job_id)
        order.refresh_from_db()
        self.assertEqual(order.state, "retested")
        diff = order.retests.get().diff
        self.assertEqual(diff["demo"]["status"], "fixed")
        self.assertEqual(diff["demo"]["sdk_versions"], ["2.0"])
        self.assertTrue(diff["passed"])
        # the vendor's API view hides job ids
        body = self.api_for(self.vendor_user_a).get(f"/api/sdk-orders/{order.pk}/").json()
        self.assertIsNone(body["retest"]["demo"]["job"])
        self.assertEqual(body["responses"][0]["new_sdk_version"], "2.0")

    def test_a_non_apk_demo_is_refused_and_nothing_changes(self):
        order = self.issue()
        with self.assertRaises(Exception) as ctx:
            self.respond(order, demo_apk=b"not a zip", file_name="x.apk")
        self.assertIn("APK", str(ctx.exception))
        order.refresh_from_db()
        self.assertEqual(order.state, "issued")
        self.assertFalse(order.responses.exists())

    def test_overdue_order_is_surfaced_and_may_be_escalated(self):
        order = self.issue()
        SdkOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
        self.assertGreaterEqual(workflow.surface_overdue(), 1)
        order.refresh_from_db()
        self.assertIsNotNone(order.overdue_since)
        self.assertTrue(order.is_overdue)
        self.assertEqual(sdk_workflow.allowed_transitions(order, self.regulator), ["respond", "escalate"])
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        item = sdk_workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=notice)
        self.assertEqual(item.app_name, "应用x、应用y")  # no re-test: every affected app
        self.assertIn("1.0", item.sdk_name)  # the ordered SDK version
        order.refresh_from_db()
        self.assertEqual(order.state, "notice_draft")


class WebTests(SdkOrderBase):
    def test_staff_issue_form_vendor_response_form_and_regulator_close(self):
        web = Client()
        web.force_login(self.reviewer)
        page = web.get(f"/enforcement/sdk-orders/new/?vendor={self.vendor_a.pk}")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn("r.sdka", html)
        self.assertNotIn("r.host", html)
        self.assertNotIn("r.sdkb", html)
        self.assertEqual(web.get("/enforcement/sdk-orders/new/?vendor=999999").status_code, 200)
        ids = [f.pk for f in self.sdk_a_findings()]
        resp = web.post(
            "/enforcement/sdk-orders/new/",
            {"vendor": self.vendor_a.pk, "findings": ids, "working_days": 15, "reason": "SDK违规"},
        )
        self.assertEqual(resp.status_code, 302)
        order = SdkOrder.objects.get()
        self.assertEqual(resp["Location"], f"/enforcement/sdk-orders/{order.pk}/")
        listing = web.get("/enforcement/sdk-orders/").content.decode()
        self.assertIn(order.number, listing)
        detail = web.get(f"/enforcement/sdk-orders/{order.pk}/").content.decode()
        self.assertIn("甲SDK厂商", detail)
        self.assertIn("com.x.app", detail)
        self.assertNotIn('id="respond-form"', detail)  # the reviewer cannot answer for the vendor
        # the vendor: its page lists the order; it answers on /my-sdk/orders/<id>/
        vendor = Client()
        vendor.force_login(self.vendor_user_a)
        self.assertIn(order.number, vendor.get("/my-sdk/orders/").content.decode())
        self.assertEqual(vendor.get(f"/enforcement/sdk-orders/{order.pk}/").status_code, 403)
        page = vendor.get(f"/my-sdk/orders/{order.pk}/").content.decode()
        self.assertIn('id="respond-form"', page)
        self.assertNotIn("/testing/findings/", page)
        resp = vendor.post(
            f"/my-sdk/orders/{order.pk}/respond/", {"explanation": "已修复", "new_sdk_version": ""}
        )
        self.assertEqual(resp.status_code, 302)
        order.refresh_from_db()
        self.assertEqual(order.state, "issued")
        resp = vendor.post(
            f"/my-sdk/orders/{order.pk}/respond/", {"explanation": "已修复", "new_sdk_version": "2.0"}
        )
        self.assertEqual(resp["Location"], f"/my-sdk/orders/{order.pk}/")
        order.refresh_from_db()
        self.assertEqual(order.state, "responded")
        # the vendor cannot start a re-test through the form
        vendor.post(f"/my-sdk/orders/{order.pk}/start_retest/", {"reason": "x"})
        order.refresh_from_db()
        self.assertEqual(order.state, "responded")
        web.post(f"/enforcement/sdk-orders/{order.pk}/start_retest/", {"reason": "复测"})
        self.rescan("x", "x3", [], sdk_version="2.0")
        order.refresh_from_db()
        self.assertEqual(order.state, "retested")
        detail = web.get(f"/enforcement/sdk-orders/{order.pk}/").content.decode()
        self.assertIn("通过 passed", detail)
        self.assertIn('id="close-form"', detail)
        regulator = Client()
        regulator.force_login(self.regulator)
        regulator.post(f"/enforcement/sdk-orders/{order.pk}/close/", {"reason": "复测通过"})
        order.refresh_from_db()
        self.assertEqual(order.state, "closed")
        vendor_page = vendor.get(f"/my-sdk/orders/{order.pk}/").content.decode()
        self.assertIn("已结案", vendor_page)
        self.assertNotIn("/testing/jobs/", vendor_page)

    def test_the_order_history_reads_in_chinese_with_the_vendor_answering(self):
        # the SDK order's 流转记录 showed code names (issue, ∅ → issued, respond); the vendor answers an SDK order,
        # so its action and state read 厂商答复 / 厂商已答复, not the company's
        order = self.issue()
        sdk_workflow.respond(order, user=self.vendor_user_a, explanation="已修复", new_sdk_version="2.1")
        web = Client()
        web.force_login(self.regulator)
        page = web.get(f"/enforcement/sdk-orders/{order.pk}/").content.decode()
        history = page[page.index('id="transitions"') :]
        self.assertIn("下发整改 issue", history)
        self.assertIn("— → 已下发整改", history)
        self.assertIn("厂商答复 respond", history)
        self.assertIn("已下发整改 → 厂商已答复", history)
        self.assertNotIn("企业", history)


class DemoDataTests(TestCase):
    def test_demo_sdk_vendor_user_has_an_order_to_answer(self):
        from django.contrib.auth import get_user_model

        from appwarden.platform.demo import load_demo_data

        load_demo_data()
        load_demo_data()  # idempotent: still one SDK order
        self.assertEqual(SdkOrder.objects.count(), 1)
        order = SdkOrder.objects.get()
        self.assertEqual(order.vendor.name, "示例推送SDK厂商")
        self.assertTrue(set(order.sdk_ids) <= {"demo.push", "demo.ads"})
        web = Client()
        web.force_login(get_user_model().objects.get(username="sdkvendor"))
        page = web.get("/my-sdk/orders/").content.decode()
        self.assertIn(order.number, page)
        self.assertIn('id="respond-form"', web.get(f"/my-sdk/orders/{order.pk}/").content.decode())
