"""超范围 on a plain read needs proof on the platform too (engine 0e512cf, docs/report-audit.md "a confirmed read
is not 超范围"): findings stored before the fix kept 超范围收集个人信息 (M337-2) on a plain read without a
``necessary_pi`` evidence item. A new 通报 row derives the types with the evidence; migration ``enforcement 0004``
corrects the stored findings and draft rows, flags published rows (never rewritten) for review, one audit row.
Runs on SQLite here and on PostgreSQL in ``test_services.py``."""

from __future__ import annotations

import importlib
import io

import platform_factories as pf
from django.apps import apps
from django.test import TestCase
from openpyxl import load_workbook

from appwarden.platform.core.models import AuditLog
from appwarden.platform.core.problem_types import group_of_types
from appwarden.platform.enforcement import export, workflow
from appwarden.platform.enforcement.models import NoticeItem
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import Finding

SCOPE = "超范围收集个人信息"
PROOF = {
    "type": "necessary_pi",
    "app_category": "N39-06",
    "app_category_zh": "网上购物类",
    "necessary": ["contact", "address", "payment"],
    "beyond": ["device_id"],
}


def migrate() -> None:
    module = importlib.import_module("appwarden.platform.enforcement.migrations.0004_notice_scope")
    module.scope_stored_reads(apps, None)


def xlsx_problems(notice) -> list[str]:
    ws = load_workbook(io.BytesIO(export.notice_xlsx(notice))).active
    return [str(r[-1].value) for r in ws.iter_rows(min_row=3)]


class StoredReadScopeTests(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.company = pf.company("读取科技有限公司")
        data = self.engine.add_apk(
            pf.fixture_apk("minimal.apk"),
            [
                pf.finding("pi.device_id.read", ["M164-2.2"], notice_types=["M337-2"]),
                pf.finding("perm.over", ["M337-7"], notice_types=["M337-7"]),
            ],
            label="读取应用",
        )
        self.job = pf.scanned_job(self.reviewer, data, company=self.company)
        self.read = self.job.findings.get(rule_id="pi.device_id.read")
        # as stored before the fix: the plain read carried 超范围 without the necessary_pi proof
        Finding.objects.filter(pk=self.read.pk).update(
            notice_types=["M337-2"], problem_type=group_of_types(["M337-2"]), confidence="confirmed"
        )
        for f in self.job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")

    def order(self):
        order = workflow.issue_order(
            self.job.app_version, list(self.job.findings.all()), user=self.reviewer, reason="检测发现问题"
        )
        type(order).objects.filter(pk=order.pk).update(deadline="2000-01-03")  # overdue: may be escalated
        order.refresh_from_db()
        return order

    def escalate(self, published: bool = False, old_text: bool = True) -> NoticeItem:
        notice = workflow.create_notice_batch(user=self.regulator, title="通报（测试批）")
        item = workflow.escalate(self.order(), user=self.regulator, reason="逾期未整改", notice=notice)
        if published:  # (publication restates a draft row from the evidence: the old text is set after it)
            workflow.publish_notice(notice, user=self.regulator)
        if old_text:  # the row as escalation (and publication) wrote it before the fix
            NoticeItem.objects.filter(pk=item.pk).update(problems=f"{SCOPE}；过度索取权限")
        item.refresh_from_db()
        return item

    def test_a_new_notice_row_does_not_state_scope_without_the_evidence(self):
        item = self.escalate(old_text=False)
        self.assertEqual(item.problems, "过度索取权限")
        self.assertEqual(xlsx_problems(item.batch), ["过度索取权限"])

    def test_the_migration_corrects_the_finding_and_the_draft_row(self):
        item = self.escalate()
        self.assertIn(SCOPE, xlsx_problems(item.batch)[0])  # the stored draft as before the migration
        migrate()
        self.read.refresh_from_db()
        self.assertEqual(self.read.notice_types, [])
        self.assertEqual(self.read.problem_type, group_of_types([]))
        item.refresh_from_db()
        self.assertEqual(item.problems, "过度索取权限")
        self.assertEqual(item.correction_note, "")
        self.assertEqual(xlsx_problems(item.batch), ["过度索取权限"])
        # dashboards and the yearly report group by the stored types: no finding of the job is 超范围 any more
        self.assertFalse(any("M337-2" in f.notice_types for f in self.job.findings.all()))
        rows = AuditLog.objects.filter(action="data_migration")
        self.assertEqual(rows.count(), 1)
        self.assertEqual(rows.get().data["findings_changed"], 1)
        self.assertEqual(rows.get().data["draft_items_rewritten"], [item.pk])
        migrate()  # a second run changes nothing and logs nothing
        self.assertEqual(AuditLog.objects.filter(action="data_migration").count(), 1)

    def test_a_published_row_is_left_and_listed_for_review(self):
        item = self.escalate(published=True)
        migrate()
        item.refresh_from_db()
        self.assertEqual(item.problems, f"{SCOPE}；过度索取权限")  # a public record: never rewritten
        self.assertIn("待复核", item.correction_note)
        self.assertIn("pi.device_id.read", item.correction_note)
        self.assertEqual(
            AuditLog.objects.get(action="data_migration").data["published_items_flagged"], [item.pk]
        )
        self.client.force_login(self.regulator)
        page = self.client.get("/enforcement/notices/").content.decode()
        self.assertIn("待更正 Pending corrections", page)
        self.assertIn("通报已发布，平台未改动本行", page)
        detail = self.client.get(f"/enforcement/notices/{item.batch_id}/").content.decode()
        self.assertIn('class="correction-note"', detail)
        api = self.client.get(f"/api/notices/{item.batch_id}/").json()
        self.assertIn("待复核", api["items"][0]["correction_note"])

    def test_a_read_with_the_proof_keeps_its_type(self):
        Finding.objects.filter(pk=self.read.pk).update(evidence=[*self.read.evidence, PROOF])
        item = self.escalate(old_text=False)
        self.assertEqual(item.problems, f"{SCOPE}；过度索取权限")
        migrate()
        self.read.refresh_from_db()
        self.assertEqual(self.read.notice_types, ["M337-2"])
        item.refresh_from_db()
        self.assertEqual((item.problems, item.correction_note), (f"{SCOPE}；过度索取权限", ""))
        self.assertFalse(AuditLog.objects.filter(action="data_migration").exists())
        self.client.force_login(self.regulator)
        self.assertNotIn("待更正", self.client.get("/enforcement/notices/").content.decode())
