"""Enforcement state machine: every legal transition, illegal ones rejected, who/when/why recorded, overdue
surfacing, re-test diff, notice export (XLSX read back, PDF), takedown confirmation by stores."""

from __future__ import annotations

import datetime as dt
import io

import platform_factories as pf
from django.test import TestCase, override_settings
from django.utils import timezone

from appwarden.platform.core.errors import PlatformError, RoleError, TransitionError, UploadError
from appwarden.platform.core.models import AuditLog
from appwarden.platform.core.workdays import add_working_days
from appwarden.platform.enforcement import export, workflow
from appwarden.platform.enforcement.models import OrderTransition, RectificationOrder
from appwarden.platform.testing import engine, services


class WorkflowCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.company = pf.company("涉事科技有限公司")
        self.other_company = pf.company()
        self.company_user = pf.user("company", company=self.company)
        self.other_company_user = pf.user("company", company=self.other_company)
        self.store_a, self.store_b = pf.store("甲应用市场"), pf.store("乙应用商店")
        self.store_user = pf.user("store", store=self.store_a)
        self.store_b_user = pf.user("store", store=self.store_b)
        findings = [
            pf.finding("pi.pre_consent", ["RD-3.1", "M164-1.1"], notice_types=["M337-1"]),
            pf.finding("perm.over", ["M164-2.1", "M337-7"], notice_types=["M337-7"]),
        ]
        # real APKs (the response's APK must be the same app as the ordered one): minimal.apk is the tested
        # version, v2_only.apk (same package, signer and version code, other bytes) the rectified one
        self.v1 = self.engine.add_apk(pf.fixture_apk("minimal.apk"), findings, label="案例应用")
        self.job = pf.scanned_job(self.reviewer, self.v1, company=self.company)
        for f in self.job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        self.app = self.job.app_version.app
        pf.listing(self.store_a, self.app)
        pf.listing(self.store_b, self.app)

    def issue(self, **kw) -> RectificationOrder:
        return workflow.issue_order(
            self.job.app_version,
            list(self.job.findings.all()),
            user=self.reviewer,
            reason="检测发现问题",
            **kw,
        )

    def respond_with(self, tag: str, findings: list[dict], order: RectificationOrder) -> None:
        data = self.engine.add_apk(
            pf.fixture_apk("v2_only.apk"), findings, label="案例应用", version_name="1.1"
        )
        workflow.respond(order, user=self.company_user, explanation=f"已整改 fixed ({tag})", apk=data)

    def retest(self, order: RectificationOrder) -> None:
        retest = workflow.start_retest(order, user=self.reviewer, reason="复测新版本")
        services.run_scan(retest.job_id)
        order.refresh_from_db()


class IssueTests(WorkflowCase):
    def test_issue_sets_deadline_in_working_days_and_records_transition(self):
        order = self.issue()
        self.assertEqual(order.state, "issued")
        self.assertEqual(order.company, self.company)
        self.assertEqual(order.working_days, 15)
        self.assertEqual(order.deadline, add_working_days(timezone.localdate(), 15))
        t = order.transitions.get()
        self.assertEqual(
            (t.name, t.to_state, t.actor, t.reason), ("issue", "issued", self.reviewer, "检测发现问题")
        )
        with override_settings(APPWARDEN_RECTIFY_DAYS=5):
            self.assertEqual(self.issue().working_days, 5)
        self.assertEqual(self.issue(working_days=20).deadline, add_working_days(timezone.localdate(), 20))

    def test_only_confirmed_findings_and_staff_can_issue(self):
        f = self.job.findings.first()
        services.review_finding(f, user=self.reviewer, action="reject", reason="误报")
        with self.assertRaisesMessage(PlatformError, "not confirmed"):
            self.issue()
        with self.assertRaises(RoleError):
            workflow.issue_order(self.job.app_version, [], user=self.company_user, reason="x")
        with self.assertRaises(PlatformError):
            workflow.issue_order(self.job.app_version, [], user=self.reviewer, reason="x")
        self.assertFalse(RectificationOrder.objects.exists())


class PathTests(WorkflowCase):
    def test_happy_path_to_closed(self):
        order = self.issue()
        self.respond_with("v2-clean", [], order)
        order.refresh_from_db()
        self.assertEqual(order.state, "responded")
        self.retest(order)
        self.assertEqual(order.state, "retested")
        diff = order.retests.get().diff
        self.assertTrue(diff["passed"])
        self.assertEqual(workflow.allowed_transitions(order, self.regulator), ["close"])
        self.assertEqual(sorted(r["rule_id"] for r in diff["fixed"]), ["perm.over", "pi.pre_consent"])
        workflow.close(order, user=self.reviewer, reason="复测通过")
        order.refresh_from_db()
        self.assertEqual(order.state, "closed")
        self.assertIsNotNone(order.closed_at)
        names = list(order.transitions.values_list("name", flat=True))
        self.assertEqual(names, ["issue", "respond", "start_retest", "complete_retest", "close"])
        for t in order.transitions.exclude(name="complete_retest"):
            self.assertTrue(t.reason and t.actor_id, t.name)

    def test_failed_retest_escalates_to_notice_then_takedown(self):
        order = self.issue()
        self.respond_with(
            "v2-partial",
            [
                pf.finding("perm.over", ["M164-2.1", "M337-7"], notice_types=["M337-7"]),
                pf.finding("new.one", ["RD-5.1"], notice_types=["M337-3"]),
            ],
            order,
        )
        self.retest(order)
        diff = order.retests.get().diff
        self.assertFalse(diff["passed"])
        self.assertEqual([r["rule_id"] for r in diff["fixed"]], ["pi.pre_consent"])
        self.assertEqual([r["rule_id"] for r in diff["persisting"]], ["perm.over"])
        self.assertEqual([r["rule_id"] for r in diff["new"]], ["new.one"])
        with self.assertRaisesMessage(TransitionError, "复测未通过"):
            workflow.close(order, user=self.reviewer, reason="x")
        self.assertEqual(workflow.allowed_transitions(order, self.regulator), ["escalate"])
        self.assertEqual(workflow.allowed_transitions(order, self.reviewer), [])
        notice = workflow.create_notice_batch(
            user=self.regulator, title="关于侵害用户权益行为的APP通报（2026年第1批）"
        )
        with self.assertRaises(RoleError):
            workflow.escalate(order, user=self.reviewer, reason="x", notice=notice)
        item = workflow.escalate(order, user=self.regulator, reason="复测未通过", notice=notice)
        self.assertEqual(item.app_name, "案例应用")
        self.assertEqual(item.developer, "涉事科技有限公司")
        self.assertEqual(item.source, "乙应用商店、甲应用市场")
        self.assertEqual(item.problems, "过度索取权限")  # only the persisting finding, named as in 337号文

        # export: XLSX read back, PDF header
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(export.notice_xlsx(notice))).active
        rows = [[c.value for c in r] for r in ws.iter_rows()]
        self.assertEqual(rows[1], ["序号", "应用名称", "应用开发者", "应用来源", "应用版本", "所涉问题"])
        self.assertEqual(
            rows[2], ["1", "案例应用", "涉事科技有限公司", "乙应用商店、甲应用市场", "1.0", "过度索取权限"]
        )
        self.assertTrue(export.notice_pdf(notice).startswith(b"%PDF"))
        workflow.publish_notice(notice, user=self.regulator)
        other = self.issue()
        with self.assertRaisesMessage(TransitionError, "already published"):
            RectificationOrder.objects.filter(pk=other.pk).update(
                deadline=timezone.localdate() - dt.timedelta(days=1)
            )
            other.refresh_from_db()
            workflow.escalate(other, user=self.regulator, reason="x", notice=notice)

        takedowns = workflow.order_takedown(order, user=self.regulator, reason="通报后仍未整改")
        self.assertEqual(len(takedowns), 2)
        order.refresh_from_db()
        self.assertEqual(order.state, "takedown")
        td_a = next(t for t in takedowns if t.listing.store == self.store_a)
        td_b = next(t for t in takedowns if t.listing.store == self.store_b)
        with self.assertRaisesMessage(TransitionError, "another store"):
            workflow.confirm_takedown(td_a, user=self.store_b_user)
        workflow.confirm_takedown(td_a, user=self.store_user, note="已下架")
        order.refresh_from_db()
        self.assertEqual(order.state, "takedown")  # store B has not confirmed yet
        with self.assertRaises(TransitionError):
            workflow.confirm_takedown(td_a, user=self.store_user)
        workflow.confirm_takedown(td_b, user=self.store_b_user)
        order.refresh_from_db()
        self.assertEqual(order.state, "taken_down")
        self.assertFalse(self.app.listings.filter(active=True).exists())
        self.assertEqual(order.transitions.last().name, "complete_takedown")

    def test_failed_retest_job_returns_order_to_responded(self):
        order = self.issue()
        self.respond_with("v2-x", [], order)

        def broken(path, **_):
            from appwarden.errors import DexFormatError

            raise DexFormatError("bad dex")

        engine.use_engine(broken)
        self.retest(order)
        self.assertEqual(order.state, "responded")
        self.assertIn("bad dex", order.transitions.last().reason)


class IllegalTransitionTests(WorkflowCase):
    def test_illegal_transitions_are_rejected_and_leave_state_unchanged(self):
        order = self.issue()
        notice = workflow.create_notice_batch(user=self.regulator, title="n")
        checks = [
            (lambda: workflow.start_retest(order, user=self.reviewer, reason="x"), TransitionError),
            (lambda: workflow.close(order, user=self.reviewer, reason="x"), TransitionError),
            (lambda: workflow.order_takedown(order, user=self.regulator, reason="x"), TransitionError),
            # not overdue yet: cannot be named
            (
                lambda: workflow.escalate(order, user=self.regulator, reason="x", notice=notice),
                TransitionError,
            ),
            # another company cannot answer
            (lambda: workflow.respond(order, user=self.other_company_user, explanation="x"), TransitionError),
            (lambda: workflow.respond(order, user=self.company_user, explanation=" "), PlatformError),
            # the same APK as the tested version is not a rectified version
            (
                lambda: workflow.respond(order, user=self.company_user, explanation="x", apk=self.v1),
                UploadError,
            ),
            (
                lambda: workflow.respond(order, user=self.company_user, explanation="x", apk=b"not an apk"),
                UploadError,
            ),
        ]
        for fn, exc in checks:
            with self.assertRaises(exc):
                fn()
            order.refresh_from_db()
            self.assertEqual(order.state, "issued")
        self.assertEqual(order.transitions.count(), 1)
        # respond without a new version: re-test is impossible
        workflow.respond(order, user=self.company_user, explanation="说明 only")
        order.refresh_from_db()
        with self.assertRaisesMessage(TransitionError, "no new version"):
            workflow.start_retest(order, user=self.reviewer, reason="x")
        with self.assertRaises(TransitionError):
            workflow.respond(order, user=self.company_user, explanation="again")
        with self.assertRaises(RoleError):
            workflow.start_retest(order, user=self.company_user, reason="x")
        with self.assertRaises(TransitionError):
            workflow._move(order, "complete_retest", self.regulator, "x")  # system-only transition

    def test_allowed_transitions_by_role(self):
        order = self.issue()
        self.assertEqual(workflow.allowed_transitions(order, self.company_user), ["respond"])
        self.assertEqual(workflow.allowed_transitions(order, self.other_company_user), [])
        self.assertEqual(workflow.allowed_transitions(order, self.reviewer), [])
        self.assertEqual(workflow.allowed_transitions(order, self.regulator), ["respond"])  # not overdue yet
        RectificationOrder.objects.filter(pk=order.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        order.refresh_from_db()
        self.assertEqual(workflow.allowed_transitions(order, self.regulator), ["respond", "escalate"])
        self.assertEqual(workflow.allowed_transitions(order, self.store_user), [])


class OverdueTests(WorkflowCase):
    def test_overdue_orders_surface_once_and_can_be_named(self):
        order = self.issue(working_days=1)
        self.assertFalse(order.is_overdue)
        self.assertEqual(workflow.surface_overdue(), 0)
        RectificationOrder.objects.filter(pk=order.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        order.refresh_from_db()
        self.assertTrue(order.is_overdue)
        self.assertEqual(workflow.surface_overdue(), 1)
        self.assertEqual(workflow.surface_overdue(), 0)  # idempotent
        order.refresh_from_db()
        self.assertIsNotNone(order.overdue_since)
        self.assertTrue(
            AuditLog.objects.filter(
                model="enforcement.rectificationorder", object_id=str(order.pk), reason__contains="deadline"
            ).exists()
        )
        notice = workflow.create_notice_batch(user=self.regulator, title="n")
        workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=notice)
        order.refresh_from_db()
        self.assertEqual(order.state, "notice_draft")  # 已通报 only once the batch is published
        self.assertEqual(OrderTransition.objects.filter(order=order).last().from_state, "issued")
        workflow.publish_notice(notice, user=self.regulator)
        order.refresh_from_db()
        self.assertEqual(order.state, "noticed")


class ExportSafetyTests(WorkflowCase):
    def test_formula_like_app_labels_are_neutralised(self):
        self.assertEqual(export.safe_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)")
        self.assertEqual(export.safe_cell("a\x00b"), "ab")
        self.assertEqual(export.safe_cell("正常"), "正常")
