"""Regressions found by walking the governance pages as a case officer and as a company (issue → response →
re-test → 通报 → 下架): what the re-test and the 通报 say must match what the reviewers decided and what the
re-test found."""

from __future__ import annotations

import shutil

import platform_factories as pf
from django.test import Client, TestCase
from test_workflow import WorkflowCase

from appwarden.platform.enforcement import sdk_workflow, workflow
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import Batch

ORDERED = [
    pf.finding("pi.pre_consent", ["RD-3.1", "M164-1.1"], notice_types=["M337-1"]),
    pf.finding("perm.over", ["M164-2.1", "M337-7"], notice_types=["M337-7"]),
]


class RejectedFindingInRetestTests(WorkflowCase):
    """A finding the reviewer rejected in the ordered scan is not part of the order; when the re-test reports it
    again it is the same false positive, not a 新发现 that fails the company's re-test."""

    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer, self.regulator = pf.user("reviewer"), pf.user("regulator")
        self.company = pf.company("涉事科技有限公司")
        self.company_user = pf.user("company", company=self.company)
        # the ordered scan also reported a self-start finding, which the reviewer rejected (false positive)
        rejected = pf.finding("selfstart.receivers", ["M164-2.2"], notice_types=["M164-2.2"])
        self.engine.add_apk(pf.fixture_apk("minimal.apk"), [*ORDERED, rejected], label="案例应用")
        self.job = pf.scanned_job(self.reviewer, pf.fixture_apk("minimal.apk"), company=self.company)
        for f in self.job.findings.all():
            action = "reject" if f.rule_id == "selfstart.receivers" else "confirm"
            services.review_finding(f, user=self.reviewer, action=action, reason="审核")
        self.order = workflow.issue_order(
            self.job.app_version,
            list(self.job.findings.filter(status="confirmed")),
            user=self.reviewer,
            reason="检测发现问题",
        )

    def test_a_rejected_finding_found_again_is_not_new_and_the_fixed_order_passes(self):
        # the company fixed both ordered findings; the rejected false positive is still reported
        again = pf.finding("selfstart.receivers", ["M164-2.2"], notice_types=["M164-2.2"])
        self.respond_with("fixed", [again], self.order)
        self.retest(self.order)
        diff = self.order.retests.get().diff
        self.assertEqual([r["rule_id"] for r in diff["fixed"]], ["perm.over", "pi.pre_consent"])
        self.assertEqual(diff["new"], [])
        self.assertEqual([r["rule_id"] for r in diff["previously_rejected"]], ["selfstart.receivers"])
        self.assertTrue(diff["passed"])
        workflow.close(self.order, user=self.reviewer, reason="复测通过")

    def test_the_order_page_says_the_rejected_finding_is_not_counted(self):
        again = pf.finding("selfstart.receivers", ["M164-2.2"], notice_types=["M164-2.2"])
        self.respond_with("fixed", [again], self.order)
        self.retest(self.order)
        web = Client()
        web.force_login(self.regulator)
        page = web.get(f"/enforcement/orders/{self.order.pk}/").content.decode()
        self.assertIn("原检测已驳回", page)
        self.assertNotIn("新发现 New", page)


class NoticeAfterOnlyNewFindingsTests(WorkflowCase):
    """When the re-test shows every ordered finding fixed but a new problem, the 通报 must not name the fixed
    problems (it used to fall back to all ordered findings)."""

    def test_the_notice_names_the_new_problem_not_the_fixed_ones(self):
        order = self.issue()
        new = pf.finding("selfstart.receivers", ["M164-2.2"], notice_types=["M164-2.2"])
        self.respond_with("fixed", [new], order)
        self.retest(order)
        diff = order.retests.get().diff
        self.assertEqual(
            (len(diff["fixed"]), [r["rule_id"] for r in diff["new"]]), (2, ["selfstart.receivers"])
        )
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        # a new finding is published only once a reviewer confirmed it (test_verdict_audit)
        found = order.retests.get().job.findings.get(rule_id="selfstart.receivers")
        services.review_finding(found, user=self.reviewer, action="confirm", reason="确认")
        item = workflow.escalate(order, user=self.regulator, reason="复测发现新问题", notice=notice)
        self.assertEqual(item.version, "1.1")  # the re-tested build's, which has the new problem
        names = item.problems.split("；")
        self.assertEqual(names, ["APP频繁自启动和关联启动"])


class IssueFormLabelTests(WorkflowCase):
    """The 下发责令整改通知 form names each confirmed finding with its owner and title, so an officer can tell the
    app's own finding from the same rule in an SDK before ticking it."""

    def test_each_checkbox_names_owner_and_title(self):
        findings = [
            pf.finding("pi.pre_consent", ["RD-3.1"], notice_types=["M337-1"]),
            pf.finding("pi.pre_consent", ["RD-3.1"], owner="jpush", notice_types=["M337-1"]),
        ]
        data = self.engine.add_apk(pf.fixture_apk("shop.apk"), findings, label="商城")
        job = pf.scanned_job(self.reviewer, data, company=self.company)
        for f in job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        web = Client()
        web.force_login(self.reviewer)
        page = web.get(f"/testing/jobs/{job.pk}/").content.decode()
        form = page[page.index('id="issue-form"') :]
        self.assertIn("应用自身 · pi.pre_consent · 问题 pi.pre_consent", form)
        self.assertIn("极光推送JPush · pi.pre_consent · 问题 pi.pre_consent", form)

    def test_the_form_warns_when_the_app_has_no_registered_company(self):
        # an order could be issued for an app with no company: nobody but a regulator could answer it and its
        # notice was addressed to the package name, with nothing on the form saying so
        findings = [pf.finding("pi.pre_consent", ["RD-3.1"], notice_types=["M337-1"])]
        web = Client()
        web.force_login(self.reviewer)
        for tag, company in (("with", self.company), ("without", None)):
            data = self.engine.add(tag, pf.report(f"com.{tag}.app", "1.0", findings, label="商城"))
            job = pf.scanned_job(self.reviewer, data, company=company)
            for f in job.findings.all():
                services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
            page = web.get(f"/testing/jobs/{job.pk}/").content.decode()
            self.assertIn('id="issue-form"', page)
            if company is None:
                self.assertIn("该应用未登记运营企业", page)
                self.assertIn(f'href="/registry/apps/{job.app_version.app_id}/"', page)
            else:
                self.assertNotIn("该应用未登记运营企业", page)


class OrderPdfOwnerTests(WorkflowCase):
    """The 责令整改通知书 PDF named an SDK's finding by its bare id (``umeng_common``, cut to ``umeng_co`` in the
    narrow column); it names the SDK as the order page does."""

    def test_the_pdf_names_the_sdk_in_chinese(self):
        from test_company_portal import pdf_text

        from appwarden.platform.portal.documents import order_pdf

        if not shutil.which("pdftotext"):
            self.skipTest("pdftotext (poppler-utils) not installed")
        findings = [pf.finding("pi.pre_consent", ["RD-3.1"], owner="umeng_common", notice_types=["M337-1"])]
        data = self.engine.add_apk(pf.fixture_apk("shop.apk"), findings, label="商城")
        job = pf.scanned_job(self.reviewer, data, company=self.company)
        for f in job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        order = workflow.issue_order(
            job.app_version, list(job.findings.all()), user=self.reviewer, reason="检测发现问题"
        )
        text = pdf_text(order_pdf(order)).replace("\n", "")
        self.assertIn("友盟+基础组件库", text)
        self.assertNotIn("umeng_co", text)


class OrderHistoryLanguageTests(WorkflowCase):
    """The 流转记录 table of an order showed the code names (``issue``, ``∅ → issued``, ``start_retest``); it shows
    the actions and states in Chinese (code names beside them)."""

    def test_history_rows_are_in_chinese(self):
        order = self.issue()
        self.respond_with("fixed", [], order)
        web = Client()
        web.force_login(self.company_user)
        page = web.get(f"/enforcement/orders/{order.pk}/").content.decode()
        history = page[page.index('id="transitions"') :]
        self.assertIn("下发整改 issue", history)
        self.assertIn("企业答复 respond", history)
        self.assertIn("— → 已下发整改", history)
        self.assertIn("已下发整改 → 企业已答复", history)


class OverriddenResponseTests(WorkflowCase):
    """A regulator accepted a rectified APK that failed the identity check (here: another package); the order page
    showed only the override's reason beside 签名核对: 签名一致, never what was overridden. It names the refused
    checks."""

    def test_the_order_page_names_what_the_regulator_overrode(self):
        order = self.issue()
        data = self.engine.add_apk(pf.fixture_apk("shop.apk"), [], label="案例应用")
        workflow.respond(
            order,
            user=self.regulator,
            explanation="代为提交",
            apk=data,
            override_reason="企业书面说明包名变更",
        )
        web = Client()
        web.force_login(self.company_user)
        page = web.get(f"/enforcement/orders/{order.pk}/").content.decode()
        block = page[page.index("监管放行") :]
        self.assertIn("企业书面说明包名变更", block)
        self.assertIn("放行的核对项 Checks overridden", block)
        self.assertIn("整改版本的包名 com.example.shop 与责令整改的应用 com.example.fixture 不一致", block)


class SdkFindingPagesTests(WorkflowCase):
    """The app page's findings table had no 责任方 column (the app's own pi.startup.app_list and JPush's read as
    the same row twice), and the early-warning list printed ``(likely, confirmed)``."""

    def setUp(self):
        super().setUp()
        findings = [
            pf.finding("pi.pre_consent", ["RD-3.1"], notice_types=["M337-1"]),
            pf.finding("pi.pre_consent", ["RD-3.1"], owner="jpush", notice_types=["M337-1"]),
        ]
        data = self.engine.add_apk(pf.fixture_apk("shop.apk"), findings, label="商城")
        batch = Batch.objects.create(name="第一批")
        self.shop = pf.scanned_job(self.reviewer, data, company=self.company, batch=batch)
        for f in self.shop.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")

    def test_the_app_page_names_each_findings_owner(self):
        web = Client()
        web.force_login(self.company_user)
        page = web.get(f"/registry/apps/{self.shop.app_version.app_id}/").content.decode()
        table = page[page.index("问题 Findings") :]
        self.assertIn("责任方 Owner", table)
        self.assertIn("极光推送JPush", table)
        self.assertIn("应用自身", table)

    def test_the_early_warning_list_shows_confidence_and_status_in_chinese(self):
        web = Client()
        web.force_login(self.regulator)
        page = web.get("/early-warning/").content.decode()
        self.assertIn("pi.pre_consent@jpush", page)
        self.assertIn("较可能 Likely · 已确认 Confirmed", page)
        self.assertNotIn("(likely, confirmed)", page)

    def test_two_builds_with_one_version_name_read_differently_on_the_app_page(self):
        # the ordered APK and the company's rectified rebuild both called "1.7": the jobs and findings tables showed
        # "1.7" twice; each build is named by its version code and the head of its SHA-256
        from appwarden.platform.registry.models import AppVersion

        first = self.shop.app_version
        rebuild = AppVersion.objects.create(
            app=first.app,
            sha256="ab" * 32,
            version_name=first.version_name,
            version_code=(first.version_code or 0) + 1,
        )
        pf.scanned_job(
            self.reviewer, self.engine.add_apk(pf.fixture_apk("shop.apk") + b"\0", [], label="商城")
        )
        from appwarden.platform.testing.models import ScanJob

        ScanJob.objects.filter(pk=self.shop.pk).update(app_version=first)
        job2 = ScanJob.objects.exclude(pk=self.shop.pk).latest("pk")
        ScanJob.objects.filter(pk=job2.pk).update(app_version=rebuild)
        web = Client()
        web.force_login(self.regulator)
        page = web.get(f"/registry/apps/{first.app_id}/").content.decode()
        jobs = page[page.index("检测任务") :] if "检测任务" in page else page
        self.assertIn(f"{first.version_name} ({first.version_code}) · {first.sha256[:12]}…", jobs)
        self.assertIn(f"{first.version_name} ({rebuild.version_code}) · {'ab' * 6}…", jobs)
        findings = page[page.index("问题 Findings") :]
        self.assertIn(f"{first.sha256[:12]}…", findings)


class SystemTransitionReasonTests(WorkflowCase):
    """The system's own 流转记录 reasons were English only (``re-test job #6: 0 fixed, 34 persisting, 1 new, 0 not
    re-tested``); they are Chinese first, the English kept after."""

    def test_the_retest_summary_is_chinese_first(self):
        order = self.issue()
        self.respond_with("fixed", [ORDERED[0]], order)
        self.retest(order)
        reason = order.transitions.get(name="complete_retest").reason
        self.assertTrue(reason.startswith("复测任务 #"), reason)
        self.assertIn("已整改 1 项、仍存在 1 项、新发现 0 项、未复测 0 项", reason)
        self.assertIn("1 fixed, 1 persisting, 0 new, 0 not re-tested", reason)


class SdkRetestRejectedFindingTests(TestCase):
    """The SDK order's re-test had the same fault as the app order's: UMeng's pi.startup.device_id, rejected by the
    reviewer in the ordered scan, came back in the re-test scan as 新发现 and made the app's row 仍存在."""

    def test_a_rejected_sdk_finding_found_again_does_not_fail_the_app(self):
        from test_sdk_orders import SdkOrderBase, _report

        base = SdkOrderBase()
        base.setUp()
        self.addCleanup(engine.use_engine, None)
        # app x's ordered scan also had a second sdk.a finding, which the reviewer rejected
        rep = _report(
            "com.z.app",
            "2.0",
            [
                pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a", notice_types=["M337-1"]),
                pf.finding("r.sdka.fp", ["RD-3.1"], owner="sdk.a", notice_types=["M337-1"]),
            ],
            label="应用z",
        )
        job = pf.scanned_job(base.reviewer, base.eng.add("z", rep), company=base.companies["x"])
        for f in job.findings.all():
            action = "reject" if f.rule_id == "r.sdka.fp" else "confirm"
            services.review_finding(f, user=base.reviewer, action=action, reason="审核")
        ordered = list(job.findings.filter(status="confirmed"))
        order = sdk_workflow.issue_sdk_order(base.vendor_a, ordered, user=base.reviewer, reason="SDK违规收集")
        sdk_workflow.respond(order, user=base.vendor_user_a, explanation="已修复", new_sdk_version="2.0")
        sdk_workflow.start_retest(order, user=base.reviewer, reason="复测")
        later = _report(
            "com.z.app", "3.0", [pf.finding("r.sdka.fp", ["RD-3.1"], owner="sdk.a")], sdk_version="2.0"
        )
        pf.scanned_job(base.reviewer, base.eng.add("z3", later))
        order.refresh_from_db()
        row = {r["package"]: r for r in order.retests.get().diff["apps"]}["com.z.app"]
        self.assertEqual(row["status"], "fixed", row)
        self.assertEqual(row["new"], [])


class ReviewMessageLanguageTests(WorkflowCase):
    """修改 Edit with no field filled answered ``an edit must change at least one field`` (English only) on the
    review queue; the review errors are Chinese first."""

    def test_an_empty_edit_is_refused_in_chinese(self):
        from appwarden.platform.core.errors import PlatformError

        f = self.job.findings.first()
        with self.assertRaisesMessage(PlatformError, "修改审核须至少修改一个字段"):
            services.review_finding(f, user=self.reviewer, action="edit", reason="改标题", changes={})
        with self.assertRaisesMessage(PlatformError, "未知的审核操作"):
            services.review_finding(f, user=self.reviewer, action="approve", reason="x")


class IssueFormOrderTests(WorkflowCase):
    """The issue form listed pi_all.apk's 34 confirmed findings newest first (low ones on top), unlike the job and
    order pages; it uses the case officers' ranking (high → low)."""

    def test_high_findings_come_first(self):
        findings = [
            pf.finding("a.high", ["RD-3.1"], severity="high", notice_types=["M337-1"]),
            pf.finding("b.low", ["RD-3.1"], severity="low", notice_types=["M337-1"]),
        ]
        data = self.engine.add_apk(pf.fixture_apk("shop.apk"), findings, label="商城")
        job = pf.scanned_job(self.reviewer, data, company=self.company)
        for f in job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        web = Client()
        web.force_login(self.reviewer)
        page = web.get(f"/testing/jobs/{job.pk}/").content.decode()
        form = page[page.index('id="issue-form"') :]
        self.assertLess(form.index("a.high"), form.index("b.low"))
        resp = web.post(
            f"/enforcement/issue/{job.pk}/",
            {"findings": [f.pk for f in job.findings.all()], "working_days": 5, "reason": "检测发现问题"},
        )
        self.assertEqual(resp.status_code, 302)
        self.assertEqual(job.app_version.orders.get().findings.count(), 2)
