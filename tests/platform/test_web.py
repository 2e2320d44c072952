"""Server-rendered pages with the demo data: every page renders for its roles, dashboards carry inline SVG
charts, repeat offenders and the SDK-vendor view are computed right; the embedded worker consumes the queue."""

from __future__ import annotations

import re

import platform_factories as pf
from django.contrib.auth import get_user_model
from django.test import Client, TestCase

from appwarden.platform.demo import DEMO_PASSWORD, load_demo_data
from appwarden.platform.enforcement import workflow
from appwarden.platform.registry.models import SdkVendor
from appwarden.platform.testing import engine, services, worker
from appwarden.platform.testing.models import Batch, ScanJob
from appwarden.platform.web import stats


class DemoPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo_data()
        load_demo_data()  # idempotent

    def client_for(self, username: str) -> Client:
        c = Client()
        self.assertTrue(c.login(username=username, password=DEMO_PASSWORD))
        return c

    def test_demo_data_is_consistent(self):
        self.assertEqual(Batch.objects.count(), 2)
        self.assertEqual(get_user_model().objects.count(), 6)
        self.assertEqual(workflow.RectificationOrder.objects.count(), 2)
        self.assertEqual(
            set(workflow.RectificationOrder.objects.values_list("state", flat=True)), {"issued", "noticed"}
        )

    def test_demo_sdk_vendor_sees_its_sdk_findings(self):
        c = self.client_for("sdkvendor")
        self.assertRedirects(c.get("/"), "/my-sdk/", fetch_redirect_response=False)
        html = c.get("/my-sdk/").content.decode()
        self.assertIn("示例推送SDK厂商", html)
        self.assertIn("demo.push", html)

    def test_every_staff_page_renders(self):
        c = self.client_for("regulator")
        order = workflow.RectificationOrder.objects.first()
        job = ScanJob.objects.first()
        finding = job.findings.first()
        notice = workflow.NoticeBatch.objects.first()
        app = order.app
        pages = [
            "/",
            "/testing/batches/",
            f"/testing/batches/{job.batch_id}/",
            "/testing/upload/",
            "/testing/jobs/",
            f"/testing/jobs/{job.pk}/",
            "/testing/findings/",
            f"/testing/findings/{finding.pk}/",
            "/enforcement/orders/",
            "/enforcement/orders/?overdue=1",
            f"/enforcement/orders/{order.pk}/",
            "/enforcement/notices/",
            f"/enforcement/notices/{notice.pk}/",
            "/enforcement/takedowns/",
            "/complaints/",
            f"/complaints/{self._complaint().pk}/",
            "/registry/apps/",
            f"/registry/apps/{app.pk}/",
            "/registry/companies/",
            f"/registry/companies/{app.company_id}/",
            "/registry/stores/",
            "/registry/new/company/",
            "/repeat-offenders/",
            "/early-warning/",
            "/sdk-vendors/",
            "/audit/",
        ]
        for page in pages:
            resp = c.get(page)
            self.assertEqual(resp.status_code, 200, page)
            self.assertContains(resp, "</html>")
        self.assertEqual(
            c.get(f"/enforcement/notices/{notice.pk}/export.xlsx")["Content-Type"][:23],
            "application/vnd.openxml",
        )
        self.assertEqual(c.get("/registry/new/nothing/").status_code, 404)
        page = c.get(f"/testing/jobs/{job.pk}/").content.decode()
        self.assertIn("第三方SDK third-party SDK <code>demo.", page)  # findings grouped by owner
        self.assertIn(
            "<li>调用点：Lcom/gamma/video/Main;-&gt;onCreate()V → ", page
        )  # evidence as a readable line
        self.assertNotIn("&quot;category&quot;", page)  # not as a JSON dump

    def _complaint(self):
        from appwarden.platform.complaints.models import Complaint

        return Complaint.objects.first()

    def test_dashboard_has_inline_svg_charts_with_problem_types(self):
        html = self.client_for("regulator").get("/").content.decode()
        self.assertEqual(html.count("<svg"), 5)
        self.assertNotIn("<script", html)
        self.assertNotIn("http://cdn", html.lower())
        self.assertIn("违规收集个人信息", html)
        self.assertIn("demo.push", html)  # top SDKs
        self.assertIn("示例应用市场", html)  # top stores
        self.assertEqual(
            re.search(r'id="overdue-count">(\d+)<', html).group(1), "0"
        )  # the overdue one was named

    def test_counts_say_what_they_count(self):
        # the problem-type and SDK charts and the SDK vendors' table count findings not rejected, pending ones and
        # every re-test scan included: the pages said nothing, so they read as confirmed violations
        regulator = self.client_for("regulator")
        for url, n in (("/", 2), ("/sdk-vendors/", 1)):
            html = regulator.get(url).content.decode()
            self.assertEqual(html.count('class="muted counting-note"'), n, url)
            self.assertIn("统计口径：未驳回的问题（含待审核）", html)

    def test_roles_land_on_their_pages(self):
        company = self.client_for("acme")
        html = company.get("/").content.decode()
        self.assertIn("com.example.shop", html)
        self.assertNotIn("com.beta.news", html)
        self.assertEqual(company.get("/repeat-offenders/").status_code, 403)
        store = self.client_for("store")
        self.assertRedirects(store.get("/"), "/enforcement/takedowns/")
        self.assertEqual(store.get("/testing/batches/").status_code, 403)

    def test_repeat_offenders_and_sdk_vendors(self):
        groups = stats.repeat_offenders()
        names = {g["company"].name for g in groups}
        self.assertEqual(names, {"示例科技有限公司", "伽马信息技术有限公司"})  # both found in two batches
        shop = next(g for g in groups if g["company"].name == "示例科技有限公司")
        self.assertEqual([len(a["batches"]) for a in shop["apps"]], [2])
        view = stats.sdk_vendor_view()
        vendor = view["vendors"][0]
        self.assertEqual(vendor["sdk_ids"], ["demo.push", "demo.ads"])
        self.assertEqual(vendor["apps"], 2)
        self.assertEqual(vendor["findings"], 4)  # sdk.undeclared_sharing in 2 apps × 2 batches
        SdkVendor.objects.update(sdk_ids=[])  # the vendor stays (the demo sdk_vendor user is bound to it)
        self.assertEqual(dict(stats.sdk_vendor_view()["unassigned"]), {"demo.push": 2, "demo.ads": 2})
        self.assertEqual(len(stats.trend(30)), 30)
        self.assertEqual(sum(n for _, n in stats.trend(30)), sum(n for _, n in stats.problem_distribution()))


class RepeatAfterCloseTests(TestCase):
    def test_found_again_after_a_closed_order(self):
        eng = pf.ReportEngine()
        engine.use_engine(eng)
        self.addCleanup(engine.use_engine, None)
        reviewer = pf.user("reviewer")
        company = pf.company()
        job = pf.scanned_job(
            reviewer,
            eng.add_apk(pf.fixture_apk("minimal.apk"), [pf.finding("r", ["RD-3.1"])]),
            company=company,
        )
        services.review_finding(job.findings.get(), user=reviewer, action="confirm", reason="ok")
        order = workflow.issue_order(job.app_version, list(job.findings.all()), user=reviewer, reason="r")
        workflow.respond(
            order,
            user=pf.user("company", company=company),
            explanation="fixed",
            apk=eng.add_apk(pf.fixture_apk("v2_only.apk"), []),
        )
        retest = workflow.start_retest(order, user=reviewer, reason="retest")
        services.run_scan(retest.job_id)
        workflow.close(order, user=reviewer, reason="passed")
        self.assertEqual(stats.repeat_offenders(), [])
        later = pf.scanned_job(
            reviewer, eng.add_apk(pf.fixture_apk("v1_only.apk"), [pf.finding("r", ["RD-3.1"])])
        )
        services.review_finding(later.findings.get(), user=reviewer, action="confirm", reason="again")
        groups = stats.repeat_offenders()
        self.assertEqual(len(groups), 1)
        self.assertTrue(groups[0]["apps"][0]["after_close"])
        self.assertIn("整改结案后再次发现 found again after rectification", groups[0]["reasons"])


class UploadFormTests(TestCase):
    def test_one_or_several_apks_through_the_web_form(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        eng = pf.ReportEngine()
        engine.use_engine(eng)
        self.addCleanup(engine.use_engine, None)
        c = Client()
        c.force_login(pf.user("reviewer"))
        one = c.post("/testing/upload/", {"file": SimpleUploadedFile("a.apk", pf.fake_apk("a"))})
        job = ScanJob.objects.get()
        self.assertRedirects(one, f"/testing/jobs/{job.pk}/", fetch_redirect_response=False)
        self.assertEqual(job.status, "queued")  # never scanned in the request
        batch = Batch.objects.create(name="多个")
        files = [
            SimpleUploadedFile(n, d)
            for n, d in (("b.apk", pf.fake_apk("b")), ("c.apk", pf.fake_apk("c")), ("x.apk", b"not an apk"))
        ]
        many = c.post("/testing/upload/", {"file": files, "batch": batch.pk}, follow=True)
        self.assertEqual(batch.jobs.count(), 2)
        page = many.content.decode()
        self.assertIn("queued 2 of 3 APKs", page)
        self.assertIn("x.apk: 不是APK文件 not an APK", page)
        self.assertEqual(many.redirect_chain[-1][0], f"/testing/batches/{batch.pk}/")


class EmbeddedWorkerTests(TestCase):
    def test_recover_and_run_once_consume_the_db_queue(self):
        eng = pf.ReportEngine()
        engine.use_engine(eng)
        self.addCleanup(engine.use_engine, None)
        reviewer = pf.user("reviewer")
        a = services.submit_apk(eng.add("w1", pf.report("com.w1", "1", [])), user=reviewer)
        b = services.submit_apk(eng.add("w2", pf.report("com.w2", "1", [])), user=reviewer)
        ScanJob.objects.filter(pk=a.pk).update(status="running")  # left behind by a killed process
        w = worker.DbQueueWorker()
        self.assertEqual(w.recover(), 1)
        self.assertTrue(w.run_once())
        self.assertTrue(w.run_once())
        self.assertFalse(w.run_once())
        self.assertEqual(
            set(ScanJob.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)), {"done"}
        )
