"""The yearly statistics report (issue #21.6): data built through the real models and workflow (scans, reviews,
orders, a published and a draft notice, a confirmed takedown, a pre-listing check, sanctions), then the numbers are
read back from the JSON, the XLSX (openpyxl) and the PDF text (pdftotext); the page and API are regulators only."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile

import platform_factories as pf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from appwarden.knowledge.notice_types import vocabulary
from appwarden.platform.core import tokens
from appwarden.platform.enforcement import workflow
from appwarden.platform.prelisting import services as prelisting
from appwarden.platform.registry.models import SdkVendor
from appwarden.platform.sanctions import services as sanctions
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import ScanJob
from appwarden.platform.web import yearly

YEAR = timezone.localdate().year


def confirm_all(job, reviewer, keep_pending: tuple[str, ...] = ()) -> None:
    for f in job.findings.all():
        if f.rule_id not in keep_pending:
            services.review_finding(f, user=reviewer, action="confirm", reason="确认")


class YearlyCase(TestCase):
    """app1 (C1, stores S1+S2): a host finding typed M337-1 and an SDK finding (umeng.push) typed M337-3, both
    confirmed, ordered, in a *draft* notice. app2 (C2, S1): M337-7 confirmed, ordered, noticed (published), taken
    down by S1. app3: tested, its only finding still pending. app4: tested last year. A pre-listing check by S1
    (not a test). Sanctions: a penalty this year, a credit listing last year."""

    @classmethod
    def setUpTestData(cls):
        cls.engine = pf.ReportEngine()
        engine.use_engine(cls.engine)
        try:
            cls._build()
        finally:
            engine.use_engine(None)

    @classmethod
    def _build(cls):
        cls.reviewer, cls.regulator = pf.user("reviewer"), pf.user("regulator")
        c1, c2 = pf.company("一号科技有限公司"), pf.company("二号网络有限公司")
        cls.s1, cls.s2 = pf.store("一号应用市场"), pf.store("二号应用商店")
        SdkVendor.objects.create(name="友盟同欣（北京）科技有限公司", sdk_ids=["umeng.push"])
        add, find = cls.engine.add, pf.finding

        def scanned(tag, package, findings, company=None):
            return pf.scanned_job(
                cls.reviewer, add(tag, pf.report(package, "1.0", findings)), company=company
            )

        j1 = scanned(
            "y1",
            "com.y.one",
            [
                find("pi.pre", ["RD-3.1"], notice_types=["M337-1"]),
                find("sdk.share", ["RD-5.1"], owner="umeng.push", notice_types=["M337-3"]),
            ],
            c1,
        )
        j2 = scanned("y2", "com.y.two", [find("perm.over", ["M337-7"], notice_types=["M337-7"])], c2)
        scanned("y3", "com.y.three", [find("maybe", ["RD-3.1"], notice_types=["M337-2"])])
        j4 = scanned("y4", "com.y.old", [find("old", ["RD-3.1"], notice_types=["M337-2"])])
        confirm_all(j1, cls.reviewer)
        confirm_all(j2, cls.reviewer)
        confirm_all(j4, cls.reviewer)
        ScanJob.objects.filter(pk=j4.pk).update(finished_at=dt.datetime(YEAR - 1, 6, 1, 12, tzinfo=dt.UTC))
        cls.app1, cls.app2 = j1.app_version.app, j2.app_version.app
        pf.listing(cls.s1, cls.app1)
        pf.listing(cls.s2, cls.app1)
        pf.listing(cls.s1, cls.app2)

        o1 = workflow.issue_order(j1.app_version, list(j1.findings.all()), user=cls.reviewer, reason="整改")
        o2 = workflow.issue_order(j2.app_version, list(j2.findings.all()), user=cls.reviewer, reason="整改")
        for order in (o1, o2):
            order.deadline = timezone.localdate() - dt.timedelta(days=1)
            order.save()
        draft = workflow.create_notice_batch(user=cls.regulator, title="草稿通报")
        workflow.escalate(o1, user=cls.regulator, reason="逾期", notice=draft)
        published = workflow.create_notice_batch(user=cls.regulator, title="正式通报")
        workflow.escalate(o2, user=cls.regulator, reason="逾期", notice=published)
        workflow.publish_notice(published, user=cls.regulator)
        o2.refresh_from_db()
        (takedown,) = workflow.order_takedown(o2, user=cls.regulator, reason="通报后仍未整改")
        store_user = pf.user("store", store=cls.s1)
        workflow.confirm_takedown(takedown, user=store_user, note="已下架")

        check = prelisting.submit(
            SimpleUploadedFile(
                "p.apk", add("y5", pf.report("com.y.pre", "1.0", [find("pre.h", ["RD-3.1"])]))
            ),
            store=cls.s1,
            user=store_user,
        )
        services.run_scan(check.job_id)

        sanctions.issue(
            c2,
            {
                "kind": "penalty",
                "start_date": f"{YEAR}-05-01",
                "reason": "拒不整改",
                "decision_number": "工信罚〔年〕9号",
                "amount": "500000",
                "legal_basis": "《个人信息保护法》第六十六条",
            },
            user=cls.regulator,
        )
        sanctions.issue(
            c1,
            {
                "kind": "credit",
                "credit_list": "key_attention",
                "start_date": f"{YEAR - 1}-03-01",
                "reason": "关注",
            },
            user=cls.regulator,
        )

    def stats(self, **kw) -> dict:
        return yearly.yearly_stats(yearly.parse_period(kw.pop("year", YEAR), kw.get("start"), kw.get("end")))


class NumbersTests(YearlyCase):
    def test_summary(self):
        s = self.stats()["summary"]
        expected = {
            "tested": 3,  # app1, app2, app3 (app4 last year, the pre-listing check is not a test)
            "tested_versions": 3,
            "tested_jobs": 3,
            "apps_with_confirmed": 2,
            "confirmed_findings": 3,
            "ordered": 2,
            "orders": 2,
            "ordered_companies": 2,
            "noticed": 1,  # the draft notice does not count
            "notice_batches": 1,
            "taken_down": 1,
            "takedowns": 1,
            "prelisting": 1,
            "fines": "500000.00",
        }
        self.assertEqual({k: s[k] for k in expected}, expected)
        self.assertEqual(s["sanctions"], {"stop_access": 0, "penalty": 1, "credit": 0})

    def test_breakdowns(self):
        st = self.stats()
        by_type = {r["id"]: r for r in st["by_type"]}
        cols = ("tested", "ordered", "noticed", "taken_down")
        self.assertEqual([by_type["M337-1"][c] for c in cols], [1, 1, 0, 0])
        self.assertEqual([by_type["M337-3"][c] for c in cols], [1, 1, 0, 0])
        self.assertEqual([by_type["M337-7"][c] for c in cols], [1, 1, 1, 1])
        self.assertEqual([by_type["M337-2"][c] for c in cols], [0, 0, 0, 0])  # pending and last year's only
        self.assertEqual(by_type["M337-7"]["name_zh"], "过度索取权限")
        self.assertEqual(len(st["by_type"]), len(vocabulary()) + 1)  # the whole vocabulary + other
        by_group = {r["id"]: r for r in st["by_group"]}
        self.assertEqual([by_group["collection"][c] for c in cols], [1, 1, 0, 0])
        self.assertEqual([by_group["permission"][c] for c in cols], [1, 1, 1, 1])
        by_store = {r["store"]: r for r in st["by_store"]}
        s1, s2 = by_store["一号应用市场"], by_store["二号应用商店"]
        self.assertEqual([s1[c] for c in (*cols, "prelisting", "prelisting_fail")], [2, 2, 1, 1, 1, 1])
        self.assertEqual([s2[c] for c in (*cols, "prelisting")], [1, 1, 0, 0, 0])
        self.assertEqual((s1["listed"], s1["violating"]), (1, 1))  # app2's listing is gone (taken down)
        self.assertEqual(
            st["by_sdk"],
            [
                {
                    "sdk": "umeng.push",
                    "vendor": "友盟同欣（北京）科技有限公司",
                    "findings": 1,
                    "tested": 1,
                    "ordered": 1,
                    "noticed": 0,
                    "taken_down": 0,
                }
            ],
        )

    def test_periods(self):
        last = self.stats(year=YEAR - 1)["summary"]
        self.assertEqual((last["tested"], last["confirmed_findings"], last["ordered"]), (1, 1, 0))
        self.assertEqual(last["sanctions"]["credit"], 1)
        early = self.stats(start=f"{YEAR}-01-01", end=f"{YEAR}-06-30")
        self.assertEqual(early["summary"]["tested"], 0)
        self.assertEqual(early["summary"]["ordered"], 0)
        self.assertEqual(early["summary"]["sanctions"]["penalty"], 1)
        self.assertEqual(early["label"], f"{YEAR}年度（{YEAR}-01-01 至 {YEAR}-06-30）")

    def test_bad_periods_are_one_chinese_line(self):
        from appwarden.platform.core.errors import PlatformError

        for args, message in (
            (("20x6",), "年份不正确"),
            (("1999",), "年份不正确"),
            ((YEAR, "2026/01/01"), "起始日期格式不正确"),
            ((YEAR, f"{YEAR - 1}-12-31"), f"须在{YEAR}年内"),
            ((YEAR, f"{YEAR}-06-01", f"{YEAR}-05-01"), "截止日期不得早于起始日期"),
        ):
            with self.assertRaisesRegex(PlatformError, message):
                yearly.parse_period(*args)


class ExportTests(YearlyCase):
    def test_xlsx_numbers(self):
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(yearly.yearly_xlsx(self.stats())))
        self.assertEqual(wb.sheetnames, ["总览", "问题类型", "问题分组", "应用商店", "SDK"])
        summary = {r[0]: r[1] for r in wb["总览"].iter_rows(min_row=3, values_only=True)}
        self.assertEqual(summary["检测应用数 Apps tested"], 3)
        self.assertEqual(summary["责令整改应用数 Apps ordered"], 2)
        self.assertEqual(summary["通报应用数 Apps noticed"], 1)
        self.assertEqual(summary["下架应用数 Apps taken down"], 1)
        self.assertEqual(summary["罚款合计(元) Fines (CNY)"], "500000.00")
        self.assertIn(f"{YEAR}年度", wb["总览"]["A1"].value)
        types = {r[0]: r for r in wb["问题类型"].iter_rows(min_row=3, values_only=True)}
        self.assertEqual(types["M337-7"][1:], ("过度索取权限", "强制、频繁、过度索取权限", 1, 1, 1, 1))
        self.assertEqual(types["M337-1"][3:], (1, 1, 0, 0))
        stores = {r[0]: r for r in wb["应用商店"].iter_rows(min_row=3, values_only=True)}
        self.assertEqual(stores["一号应用市场"][1:7], (2, 2, 1, 1, 1, 1))
        sdk = list(wb["SDK"].iter_rows(min_row=3, values_only=True))
        self.assertEqual(sdk, [("umeng.push", "友盟同欣（北京）科技有限公司", 1, 1, 1, 0, 0)])

    @pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
    def test_pdf_text_numbers(self):
        body = yearly.yearly_pdf(self.stats())
        self.assertTrue(body.startswith(b"%PDF"))
        with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
            tmp.write(body)
            tmp.flush()
            text = subprocess.run(
                ["pdftotext", "-layout", "-enc", "UTF-8", tmp.name, "-"],
                capture_output=True,
                text=True,
                check=True,
                timeout=60,
            ).stdout
        self.assertIn(f"APP个人信息保护治理{YEAR}年度统计报告", text)
        for label, value in (
            ("检测应用数 Apps tested", "3"),
            ("责令整改应用数 Apps ordered", "2"),
            ("通报应用数 Apps noticed", "1"),
            ("下架应用数 Apps taken down", "1"),
            ("上架前检测数 Pre-listing checks", "1"),
        ):
            self.assertRegex(text, rf"{re.escape(label)}\s+{value}\b")
        self.assertRegex(text, r"M337-7\s+过度索取权限\s+强制、频繁、过度索取权限\s+1\s+1\s+1\s+1")
        self.assertRegex(text, r"M337-1\s+私自收集个人信息\s+违规收集个人信息\s+1\s+1\s+0\s+0")
        self.assertRegex(text, r"umeng.push\s+友盟同欣")


class AccessTests(YearlyCase):
    def test_page_and_downloads_for_regulators(self):
        web = Client()
        web.force_login(self.regulator)
        page = web.get(f"/stats/yearly/?year={YEAR}")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn(f"APP个人信息保护治理{YEAR}年度统计报告", html)
        self.assertRegex(html, r"检测应用数 Apps tested</td><td>3<")
        self.assertIn(
            f'href="/stats/yearly/export.xlsx?year={YEAR}&amp;from={YEAR}-01-01&amp;to={YEAR}-12-31"', html
        )
        resp = web.get(f"/stats/yearly/export.xlsx?year={YEAR}")
        self.assertEqual(resp.status_code, 200)
        self.assertIn("spreadsheetml", resp["Content-Type"])
        self.assertIn(f"appwarden-yearly-{YEAR}", resp["Content-Disposition"])
        resp = web.get(f"/stats/yearly/export.pdf?year={YEAR}&from={YEAR}-01-01&to={YEAR}-06-30")
        self.assertEqual((resp.status_code, resp["Content-Type"]), (200, "application/pdf"))
        self.assertEqual(web.get("/stats/yearly/export.csv").status_code, 404)
        bad = web.get("/stats/yearly/?year=abc")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("年份不正确", bad.content.decode())
        self.assertEqual(web.get("/stats/yearly/export.xlsx?year=abc").status_code, 400)

    def test_other_roles_are_refused(self):
        company_user = pf.user("company", company=pf.company())
        for user in (self.reviewer, company_user, pf.user("store", store=self.s1)):
            web = Client()
            web.force_login(user)
            self.assertEqual(web.get("/stats/yearly/").status_code, 403)
            self.assertEqual(web.get("/stats/yearly/export.pdf").status_code, 403)
            api = APIClient()
            api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
            self.assertEqual(api.get("/api/stats/yearly/").status_code, 403)
            self.assertEqual(api.get("/api/stats/yearly/xlsx/").status_code, 403)
        self.assertEqual(APIClient().get("/api/stats/yearly/").status_code, 401)

    def test_api(self):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(self.regulator)}")
        body = api.get(f"/api/stats/yearly/?year={YEAR}").json()
        self.assertEqual(body["summary"]["tested"], 3)
        self.assertEqual(body["start"], f"{YEAR}-01-01")
        bad = api.get("/api/stats/yearly/?year=1")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("年份不正确", bad.json()["detail"])
        xlsx = api.get(f"/api/stats/yearly/xlsx/?year={YEAR}")
        self.assertEqual(xlsx.status_code, 200)
        self.assertTrue(xlsx.content.startswith(b"PK"))
        pdf = api.get(f"/api/stats/yearly/pdf/?year={YEAR}")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
