"""Shared set-up for the company-portal tests (issue #21.3): two companies A and B, each with an app whose confirmed
findings are in a rectification order; helpers to put orders in draft or published notice batches and to forward
complaints."""

from __future__ import annotations

import datetime as dt

import platform_factories as pf
from django.test import TestCase
from django.utils import timezone

from appwarden.platform.complaints import forwarding
from appwarden.platform.complaints.models import TRIAGED, Complaint
from appwarden.platform.enforcement import workflow
from appwarden.platform.enforcement.models import RectificationOrder
from appwarden.platform.testing import engine, services


class CompanyCase(TestCase):
    """Company A (``self.a``, user ``self.a_user``, app ``self.app_a``, order ``self.order_a``) and company B
    likewise; a reviewer, a regulator, a store user and an SDK vendor user."""

    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.a = pf.company("甲科技有限公司")
        self.b = pf.company("乙网络有限公司")
        self.a_user = pf.user("company", company=self.a)
        self.b_user = pf.user("company", company=self.b)
        self.store = pf.store("丙应用市场")
        self.store_user = pf.user("store", store=self.store)
        self.order_a = self._order("com.jia.app", "甲应用", self.a, "ja")
        self.order_b = self._order("com.yi.app", "乙应用", self.b, "yi")
        self.app_a, self.app_b = self.order_a.app, self.order_b.app

    def _order(self, package: str, label: str, company, tag: str) -> RectificationOrder:
        findings = [
            pf.finding("pi.pre_consent", ["RD-3.1", "M164-1.1"], notice_types=["M337-1"]),
            pf.finding("perm.over", ["M164-2.1"], severity="medium", notice_types=["M337-7"]),
        ]
        job = pf.scanned_job(
            self.reviewer,
            self.engine.add(tag, pf.report(package, "2.3.4", findings, label=label)),
            company=company,
        )
        for f in job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        pf.listing(self.store, job.app_version.app)
        return workflow.issue_order(
            job.app_version,
            list(job.findings.all()),
            user=self.reviewer,
            reason="检测发现问题",
            requirements="请于期限内完成整改",
        )

    def noticed(self, order: RectificationOrder, title: str, *, publish: bool):
        """Put ``order`` (made overdue) in a new notice batch ``title``; publish it when asked."""
        RectificationOrder.objects.filter(pk=order.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=3)
        )
        order.refresh_from_db()
        batch = workflow.create_notice_batch(user=self.regulator, title=title, number=title[-4:])
        workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=batch)
        if publish:
            workflow.publish_notice(batch, user=self.regulator)
        return batch

    def complaint(self, app, *, consent: bool, status: str = TRIAGED) -> Complaint:
        return Complaint.objects.create(
            app_name=app.name or app.package,
            package=app.package,
            store_name="丙应用市场",
            category="collection",
            description="未经同意读取通讯录 reads contacts without consent",
            reporter_name="张三",
            reporter_contact="13800000000",
            contact_consent=consent,
            status=status,
            app=app,
        )

    def forwarded(self, app, *, consent: bool = False, days: int | None = None):
        return forwarding.forward(
            self.complaint(app, consent=consent),
            user=self.reviewer,
            instructions="请核实并整改后答复",
            working_days=days,
        )
