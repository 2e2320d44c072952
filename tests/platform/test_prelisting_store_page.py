"""The store's pre-listing page ``/store/prelisting/`` (issue #21.2/#21.6): a store operator submits an APK with its
listing metadata and sees only its own checks with their verdicts and its share of violating apps; staff see every
store's share; other roles are refused. Runs on PostgreSQL too (``test_services.py``)."""

from __future__ import annotations

import platform_factories as pf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from appwarden.platform.prelisting.models import PrelistingCheck
from appwarden.platform.registry.models import SdkVendor
from appwarden.platform.sanctions import services as sanctions
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import ScanJob

LISTING = {
    "developer": "测试公司",
    "version": "1.0",
    "policy_url": "https://example.com/privacy",
    "permissions": "READ_PHONE_STATE",
    "updated": "2026-12-01",
}


class StorePageCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.store_a, self.store_b = pf.store("甲应用市场"), pf.store("乙应用商店")
        self.user_a = pf.user("store", store=self.store_a)
        self.user_b = pf.user("store", store=self.store_b)
        self.regulator, self.reviewer = pf.user("regulator"), pf.user("reviewer")
        self.n = 0

    def apk(self, findings: list[dict], errors: list[dict] | None = None) -> SimpleUploadedFile:
        self.n += 1
        rep = pf.report(f"com.page.app{self.n}", "1.0", findings)
        if errors:
            rep["errors"] = errors
        rep["manifest"] = {
            "permissions": [{"name": "android.permission.READ_PHONE_STATE", "dangerous": True}]
        }
        return SimpleUploadedFile(f"page-{self.n}.apk", self.engine.add(f"page-{self.n}", rep))

    def web(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def submit(self, user, findings: list[dict], **extra):
        return self.web(user).post("/store/prelisting/", {"apk": self.apk(findings), **LISTING, **extra})


class StorePageTests(StorePageCase):
    def test_store_submits_and_sees_its_verdict(self):
        high = pf.finding("pi.pre_consent", ["RD-3.1"], severity="high", notice_types=["M337-1"])
        client = self.web(self.user_a)
        resp = client.post("/store/prelisting/", {"apk": self.apk([high]), **LISTING})
        self.assertEqual(resp.status_code, 302)
        self.assertEqual(resp["Location"], "/store/prelisting/")
        check = PrelistingCheck.objects.get()
        self.assertEqual(
            (check.store, check.developer, check.permissions),
            (
                self.store_a,
                "测试公司",
                ["android.permission.READ_PHONE_STATE"],
            ),
        )
        page = client.get("/store/prelisting/").content.decode()
        self.assertIn(f"已提交上架前检测 #{check.pk}", page)
        self.assertIn('http-equiv="refresh"', page)  # queued: the page refreshes itself
        self.assertIn(f'id="check-{check.pk}"', page)
        services.run_scan(check.job_id)
        page = self.web(self.user_a).get("/store/prelisting/").content.decode()
        self.assertNotIn('http-equiv="refresh"', page)
        self.assertIn("不通过 Fail", page)
        self.assertIn("私自收集个人信息", page)  # the notice type's Chinese name
        self.assertIn("com.page.app1", page)
        self.assertIn("一致 consistent", page)  # the listing matches the APK
        self.assertIn('id="store-share"', page)
        self.assertIn("0 / 0 (0.0%)", page)

    def test_listing_mismatch_and_pass(self):
        self.submit(self.user_a, [], developer="别的公司")
        self.submit(self.user_a, [])
        for check in PrelistingCheck.objects.all():
            services.run_scan(check.job_id)
        page = self.web(self.user_a).get("/store/prelisting/").content.decode()
        self.assertIn("需人工复核 Needs review", page)
        self.assertIn("listing:developer_mismatch", page)
        self.assertIn("通过 Pass", page)

    def test_a_dex_not_read_is_explained_in_chinese(self):
        bomb = {
            "stage": "dex",
            "message": "entry 'classes3.dex' inflates beyond the size limit",
            "path": "classes3.dex",
        }
        client = self.web(self.user_a)
        client.post("/store/prelisting/", {"apk": self.apk([], errors=[bomb]), **LISTING})
        services.run_scan(PrelistingCheck.objects.get().job_id)
        page = client.get("/store/prelisting/").content.decode()
        self.assertIn("需人工复核 Needs review", page)
        self.assertIn("有DEX文件未能读取（如压缩炸弹、文件损坏），未发现问题不代表通过", page)
        self.assertNotIn("通过 Pass", page)

    def test_refusals_store_nothing(self):
        before = (ScanJob.objects.count(), PrelistingCheck.objects.count())
        resp = self.web(self.user_a).post(
            "/store/prelisting/", {"apk": SimpleUploadedFile("x.apk", b"not a zip"), **LISTING}
        )
        self.assertEqual(resp.status_code, 400)
        self.assertIn("not an APK", resp.content.decode())
        self.assertIn('value="测试公司"', resp.content.decode())  # the form keeps the metadata
        resp = self.web(self.user_a).post("/store/prelisting/", LISTING)
        self.assertEqual(resp.status_code, 400)
        self.assertIn("请选择要检测的APK文件", resp.content.decode())
        resp = self.web(self.user_a).post(
            "/store/prelisting/", {"apk": self.apk([]), **LISTING, "developer": "测试\x00公司"}
        )
        self.assertEqual(resp.status_code, 400)
        self.assertIn("上架信息含有非法字符", resp.content.decode())
        self.assertEqual((ScanJob.objects.count(), PrelistingCheck.objects.count()), before)

    def test_csrf_is_enforced(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.user_a)
        resp = client.post("/store/prelisting/", {"apk": self.apk([]), **LISTING})
        self.assertEqual(resp.status_code, 403)
        self.assertEqual(PrelistingCheck.objects.count(), 0)

    def test_stop_access_measures_concerning_the_store_are_shown(self):
        company = pf.company("停止接入科技有限公司")
        other = pf.company("只限乙商店有限公司")
        data = {"kind": "stop_access", "start_date": "2026-01-01", "reason": "拒不整改"}
        sanctions.issue(company, data, user=self.regulator)
        sanctions.issue(other, {**data, "stores": [self.store_b.pk]}, user=self.regulator)
        page_a = self.web(self.user_a).get("/store/prelisting/").content.decode()
        self.assertIn("停止接入科技有限公司", page_a)
        self.assertNotIn("只限乙商店有限公司", page_a)
        page_b = self.web(self.user_b).get("/store/prelisting/").content.decode()
        self.assertIn("只限乙商店有限公司", page_b)

    def test_an_open_ended_measure_says_so_in_chinese(self):
        """The store's list showed an open end date as a bare "…" (seen in Chromium); /early-warning/ says 未定."""
        company = pf.company("无结束日期有限公司")
        data = {"kind": "stop_access", "start_date": "2026-01-01", "reason": "拒不整改"}
        sanctions.issue(company, data, user=self.regulator)
        sanctions.issue(
            pf.company("有结束日期有限公司"), {**data, "end_date": "2027-01-31"}, user=self.regulator
        )
        page = self.web(self.user_a).get("/store/prelisting/").content.decode()
        self.assertIn("2026-01-01 — 未定 open", page)
        self.assertIn("2026-01-01 — 2027-01-31", page)
        self.assertNotIn("— …", page)

    def test_a_check_of_a_company_under_stop_access_is_flagged(self):
        from appwarden.platform.registry.models import App

        self.submit(self.user_a, [])
        self.submit(self.user_b, [])
        checks = list(PrelistingCheck.objects.order_by("id"))
        for check in checks:
            services.run_scan(check.job_id)
        company = pf.company("被停止接入有限公司")
        App.objects.filter(package__in=["com.page.app1", "com.page.app2"]).update(company=company)
        data = {"kind": "stop_access", "start_date": "2020-01-01", "reason": "拒不整改"}
        sanctions.issue(company, {**data, "stores": [self.store_a.pk]}, user=self.regulator)
        page_a = self.web(self.user_a).get("/store/prelisting/").content.decode()
        self.assertIn(f'id="stop-access-{checks[0].pk}"', page_a)
        self.assertIn("该企业处于停止接入期间", page_a)
        page_b = self.web(self.user_b).get("/store/prelisting/").content.decode()
        self.assertNotIn("该企业处于停止接入期间", page_b)  # the measure names store A only


class StorePageScopingTests(StorePageCase):
    def setUp(self):
        super().setUp()
        self.submit(self.user_a, [pf.finding("a.rule", ["RD-3.1"], severity="low")])
        self.submit(self.user_b, [pf.finding("b.rule", ["RD-3.1"], severity="low")])
        self.check_a = PrelistingCheck.objects.get(store=self.store_a)
        self.check_b = PrelistingCheck.objects.get(store=self.store_b)
        for check in (self.check_a, self.check_b):
            services.run_scan(check.job_id)

    def test_a_store_sees_only_its_own_checks(self):
        page = self.web(self.user_a).get("/store/prelisting/").content.decode()
        self.assertIn(f'id="check-{self.check_a.pk}"', page)
        self.assertNotIn(f'id="check-{self.check_b.pk}"', page)
        self.assertNotIn("page-2.apk", page)
        self.assertNotIn("com.page.app2", page)
        self.assertNotIn("乙应用商店", page)
        page = self.web(self.user_b).get("/store/prelisting/").content.decode()
        self.assertIn(f'id="check-{self.check_b.pk}"', page)
        self.assertNotIn(f'id="check-{self.check_a.pk}"', page)
        self.assertNotIn("com.page.app1", page)

    def test_staff_see_every_store_share_and_cannot_submit(self):
        app = ScanJob.objects.get(pk=self.check_a.job_id).app_version.app
        pf.listing(self.store_a, app)
        finding = ScanJob.objects.get(pk=self.check_a.job_id).findings.get()
        services.review_finding(finding, user=self.reviewer, action="confirm", reason="确认")
        for user in (self.regulator, self.reviewer):
            page = self.web(user).get("/store/prelisting/").content.decode()
            self.assertIn(f'id="check-{self.check_a.pk}"', page)
            self.assertIn(f'id="check-{self.check_b.pk}"', page)
            self.assertRegex(
                page, rf'id="store-share-{self.store_a.pk}">.*?<td>1</td><td>1</td><td>100.0%</td>'
            )
            self.assertRegex(
                page, rf'id="store-share-{self.store_b.pk}">.*?<td>0</td><td>0</td><td>0.0%</td>'
            )
            self.assertNotIn('id="prelisting-form"', page)
            resp = self.web(user).post("/store/prelisting/", {"apk": self.apk([]), **LISTING})
            self.assertEqual(resp.status_code, 403)
        self.assertEqual(PrelistingCheck.objects.count(), 2)

    def test_other_roles_are_refused(self):
        company_user = pf.user("company", company=pf.company())
        vendor_user = pf.user("sdk_vendor", sdk_vendor=SdkVendor.objects.create(name="V", sdk_ids=["x"]))
        for user in (company_user, vendor_user):
            self.assertEqual(self.web(user).get("/store/prelisting/").status_code, 403)
            self.assertEqual(self.web(user).post("/store/prelisting/", LISTING).status_code, 403)
        resp = Client().get("/store/prelisting/")
        self.assertEqual(resp.status_code, 302)
        self.assertIn("/login/", resp["Location"])
