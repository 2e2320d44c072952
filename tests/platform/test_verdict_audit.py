"""Adversarial review of the paths that reach a published verdict (2026-12-07, helper audit): each test shows a
hole found against the real workflow (a wrong public fact in a 通报 row, an illegal move) and stays as its guard."""

from __future__ import annotations

import datetime as dt

import platform_factories as pf
from django.test import TestCase
from django.utils import timezone

from appwarden.platform.core.errors import TransitionError
from appwarden.platform.enforcement import workflow
from appwarden.platform.enforcement.models import RectificationOrder
from appwarden.platform.testing import engine, services


class VerdictCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.company = pf.company("涉事科技有限公司")
        self.company_user = pf.user("company", company=self.company)
        findings = [
            pf.finding("pi.pre_consent", ["RD-3.1", "M164-1.1"], notice_types=["M337-1"]),
            pf.finding("perm.over", ["M164-2.1", "M337-7"], notice_types=["M337-7"]),
        ]
        self.v1 = self.engine.add_apk(pf.fixture_apk("minimal.apk"), findings, label="案例应用")
        self.job = pf.scanned_job(self.reviewer, self.v1, company=self.company)
        for f in self.job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        self.app = self.job.app_version.app
        pf.listing(pf.store("甲应用市场"), self.app)
        self.notice = workflow.create_notice_batch(user=self.regulator, title="通报（第1批）")

    def issue(self) -> RectificationOrder:
        return workflow.issue_order(
            self.job.app_version, list(self.job.findings.all()), user=self.reviewer, reason="检测发现问题"
        )

    def overdue(self, order: RectificationOrder) -> None:
        RectificationOrder.objects.filter(pk=order.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        order.refresh_from_db()

    def respond_and_retest(self, order: RectificationOrder, findings: list[dict], version_name: str) -> None:
        data = self.engine.add_apk(
            pf.fixture_apk("v2_only.apk"), findings, label="案例应用", version_name=version_name
        )
        workflow.respond(order, user=self.company_user, explanation="已整改", apk=data)
        retest = workflow.start_retest(order, user=self.reviewer, reason="复测")
        services.run_scan(retest.job_id)
        order.refresh_from_db()


class NoticeRowFactsTests(VerdictCase):
    def test_a_finding_rejected_after_the_order_is_not_published(self):
        """A reviewer rejecting an ordered finding as false (e.g. after the company objected) must not see it
        published: the 通报 row names only the problems still confirmed."""
        order = self.issue()
        perm = order.findings.get(rule_id="perm.over")
        services.review_finding(perm, user=self.reviewer, action="reject", reason="企业申辩成立，误报")
        self.overdue(order)
        item = workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        self.assertNotIn("过度索取权限", item.problems)
        self.assertTrue(item.problems)

    def test_an_order_whose_findings_were_all_rejected_cannot_be_published(self):
        order = self.issue()
        for f in order.findings.all():
            services.review_finding(f, user=self.reviewer, action="reject", reason="误报")
        self.overdue(order)
        with self.assertRaisesMessage(TransitionError, "不成立"):
            workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        order.refresh_from_db()
        self.assertEqual(order.state, "issued")

    def test_a_new_problem_of_the_retested_build_names_that_builds_version(self):
        """The ordered findings were fixed and the re-test failed only on a new finding of version 1.1: the row
        must not attribute that problem to version 1.0, which did not have it."""
        order = self.issue()
        self.respond_and_retest(order, [pf.finding("new.one", ["RD-5.1"], notice_types=["M337-3"])], "1.1")
        diff = order.retests.get().diff
        self.assertEqual([r["rule_id"] for r in diff["new"]], ["new.one"])
        # the new finding is the engine's word until a reviewer confirms it: no row yet
        with self.assertRaisesMessage(TransitionError, "尚未审核确认"):
            workflow.escalate(order, user=self.regulator, reason="复测未通过", notice=self.notice)
        new = order.retests.get().job.findings.get(rule_id="new.one")
        services.review_finding(new, user=self.reviewer, action="confirm", reason="确认")
        item = workflow.escalate(order, user=self.regulator, reason="复测未通过", notice=self.notice)
        self.assertNotIn("过度索取权限", item.problems)
        self.assertEqual(item.version, "1.1")

    def test_a_persisting_problem_keeps_the_ordered_version(self):
        order = self.issue()
        kept = [pf.finding("perm.over", ["M164-2.1", "M337-7"], notice_types=["M337-7"])]
        self.respond_and_retest(order, kept, "1.1")
        item = workflow.escalate(order, user=self.regulator, reason="复测未通过", notice=self.notice)
        self.assertEqual((item.version, item.problems), ("1.0", "过度索取权限"))

    def test_a_finding_reopened_for_review_blocks_the_notice(self):
        order = self.issue()
        services.reopen_finding(
            order.findings.get(rule_id="perm.over"), user=self.regulator, reason="企业申辩"
        )
        self.overdue(order)
        with self.assertRaisesMessage(TransitionError, "正在复核"):
            workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)

    def test_a_row_is_restated_from_the_evidence_at_publication(self):
        """A finding rejected between 通报 draft and publication is not published with the batch."""
        from appwarden.platform.core.models import AuditLog

        order = self.issue()
        self.overdue(order)
        item = workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        self.assertIn("过度索取权限", item.problems)
        services.review_finding(
            order.findings.get(rule_id="perm.over"), user=self.reviewer, action="reject", reason="误报"
        )
        workflow.publish_notice(self.notice, user=self.regulator)
        item.refresh_from_db()
        self.assertEqual(item.problems, "私自收集个人信息")
        self.assertTrue(
            AuditLog.objects.filter(action="notice_row_refreshed", object_id=str(item.pk)).exists()
        )

    def test_publication_is_refused_while_a_named_finding_is_under_review(self):
        order = self.issue()
        self.overdue(order)
        workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=self.notice)
        services.reopen_finding(order.findings.get(rule_id="perm.over"), user=self.regulator, reason="复核")
        with self.assertRaisesMessage(TransitionError, "正在复核"):
            workflow.publish_notice(self.notice, user=self.regulator)
        self.notice.refresh_from_db()
        order.refresh_from_db()
        self.assertFalse(self.notice.published)
        self.assertEqual(order.state, "notice_draft")

    def test_a_stale_copy_of_a_published_batch_takes_no_row(self):
        order = self.issue()
        self.overdue(order)
        other = self.issue()
        self.overdue(other)
        workflow.escalate(other, user=self.regulator, reason="逾期", notice=self.notice)
        stale = type(self.notice).objects.get(pk=self.notice.pk)
        workflow.publish_notice(self.notice, user=self.regulator)
        self.assertFalse(stale.published)
        with self.assertRaisesMessage(TransitionError, "already published"):
            workflow.escalate(order, user=self.regulator, reason="逾期", notice=stale)
        order.refresh_from_db()
        self.assertEqual(order.state, "issued")
