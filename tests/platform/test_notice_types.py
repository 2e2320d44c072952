"""One mapping from findings to 通报 problem types (issue #16 part 2): for the same report, the platform (stored
findings, notice row, notice XLSX and PDF), the CLI's notice CSV/XLSX give the same 所涉问题.

The report comes from the real pipeline: the platform runs the real engine (sandboxed child process) on a fixture
APK and runtime trace, and the CLI renders the report the platform stored. Runs on SQLite here and on PostgreSQL
in ``test_services.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import platform_factories as pf
from django.test import TestCase, TransactionTestCase
from django.utils import timezone
from openpyxl import load_workbook

from appwarden.platform.enforcement import export, workflow
from appwarden.platform.enforcement.models import RectificationOrder
from appwarden.platform.testing import engine, services
from appwarden.report.json import write_report
from appwarden.report.notice import finding_notice_types

ROOT = Path(__file__).resolve().parents[2]
APK = ROOT / "tests" / "fixtures" / "apks" / "pi_all.apk"
TRACE = ROOT / "tests" / "fixtures" / "traces" / "pi_all_umeng_pre_consent.jsonl"
EXPECTED = "私自收集个人信息；超范围收集个人信息"


class OneMappingTests(TestCase):
    def setUp(self):
        engine.use_engine(None)  # the real engine
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.company = pf.company("示例开发者有限公司")

    def test_platform_cli_csv_xlsx_and_pdf_name_the_same_types(self):
        job = services.submit_apk(
            APK.read_bytes(),
            user=self.reviewer,
            file_name="pi_all.apk",
            trace=TRACE.read_bytes(),
            # a declared 39类 type (网上购物类) whose necessary PI has no device identifier: the confirmed IMEI read
            # is then 超范围 (without a declared type the read alone carries no type: tests/report/test_notice_scope.py)
            category="N39-06",
        )
        services.run_scan(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, "done", job.error)
        report = job.report

        # every stored finding carries exactly what the one function gives for its report finding
        for raw, stored in zip(
            sorted(report["findings"], key=lambda f: (f["rule_id"], f["owner"])),
            job.findings.order_by("rule_id", "owner"),
            strict=True,
        ):
            self.assertEqual(stored.notice_types, finding_notice_types(raw))
            self.assertEqual(stored.notice_types, raw["notice_types"])
        # the finding pages name the types (security hygiene: none)
        self.client.force_login(self.reviewer)
        page = self.client.get(f"/testing/jobs/{job.pk}/").content.decode()
        self.assertIn('<span class="notice-types">私自收集个人信息</span>', page)
        self.assertIn('<span class="notice-types">—</span>', page)
        confirmed = [f for f in job.findings.all() if f.confidence == "confirmed"]
        # the confirmed findings include security hygiene (no type) and PI findings (typed)
        self.assertIn("sec.debuggable", {f.rule_id for f in confirmed})
        self.assertEqual({f.rule_id: f.notice_types for f in confirmed}["sec.debuggable"], [])
        self.assertEqual(
            {t for f in confirmed for t in f.notice_types}, {"M337-1", "M337-2"}
        )  # pre-consent (trace), and the trace-confirmed device-id read beyond the declared type's necessary PI

        # CLI: the notice CSV and XLSX of the same report (default: confirmed findings)
        from appwarden.cli import main

        tmp = Path(self.enterContext(_tmpdir()))
        path = write_report(report, tmp / "report.json")
        self.assertEqual(
            main(["report", "render", str(path), "--format", "notice-csv", "-o", str(tmp / "n.csv")]), 0
        )
        rows = list(csv.reader(io.StringIO((tmp / "n.csv").read_bytes().decode("utf-8-sig"))))
        self.assertEqual(rows[1][5], EXPECTED)
        self.assertEqual(
            main(["report", "render", str(path), "--format", "notice-xlsx", "-o", str(tmp / "n.xlsx")]), 0
        )
        self.assertEqual(load_workbook(tmp / "n.xlsx").active["F2"].value, EXPECTED)

        # platform: the confirmed findings, ordered and named in a notice
        for f in job.findings.all():
            action = "confirm" if f.confidence == "confirmed" else "reject"
            services.review_finding(f, user=self.reviewer, action=action, reason="复核")
        ordered = list(job.findings.filter(status="confirmed"))
        self.assertEqual(len(ordered), len(confirmed))
        order = workflow.issue_order(job.app_version, ordered, user=self.reviewer, reason="检测发现问题")
        RectificationOrder.objects.filter(pk=order.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        order.refresh_from_db()
        notice = workflow.create_notice_batch(user=self.regulator, title="关于侵害用户权益行为的APP通报")
        item = workflow.escalate(order, user=self.regulator, reason="逾期未整改", notice=notice)
        self.assertEqual(item.problems, EXPECTED)
        ws = load_workbook(io.BytesIO(export.notice_xlsx(notice))).active
        self.assertEqual([c.value for c in ws[3]][5], EXPECTED)
        from pdfminer.high_level import extract_text

        text = "".join(extract_text(io.BytesIO(export.notice_pdf(notice))).split())
        self.assertIn(EXPECTED, text)
        self.assertNotIn("调试", text)  # security hygiene is not a 通报 problem type


def _tmpdir():
    import tempfile

    return tempfile.TemporaryDirectory(prefix="appwarden-notice-")


class BackfillMigrationTests(TransactionTestCase):
    """Findings stored before ``notice_types`` existed get their rule's types and a group recomputed from them."""

    def test_stored_findings_get_their_rules_types(self):
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        before, after = [("testing", "0002_job_failure_kind")], [("testing", "0003_finding_notice_types")]
        executor = MigrationExecutor(connection)
        # back to the latest migrations afterwards: later tests need every column (testing 0004 and on)
        self.addCleanup(lambda: MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes()))
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        job = old.get_model("testing", "ScanJob").objects.create(sha256="ab" * 32, size=1)
        rows = {
            # (rule id, clauses, problem type stored by the old clause-prefix table)
            "pi.startup.device_id": (["RD-3.1", "M164-1.1"], "collection"),
            "sec.weak_cipher": (["GB35273-6.3", "CH-13"], "collection"),  # CH- was taken for 违规收集
            "policy.complaint_channel.missing": (["RD-6.5"], "rights"),
            "gone.rule": (["RD-3.1"], "collection"),
        }
        Finding = old.get_model("testing", "Finding")
        for rule_id, (clauses, key) in rows.items():
            Finding.objects.create(
                job=job, rule_id=rule_id, title_zh=rule_id, clauses=clauses, problem_type=key
            )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = MigrationExecutor(connection).loader.project_state(after).apps.get_model("testing", "Finding")
        got = {f.rule_id: (f.notice_types, f.problem_type) for f in new.objects.all()}
        self.assertEqual(
            got,
            {
                "pi.startup.device_id": (["M337-1"], "collection"),
                "sec.weak_cipher": ([], "other"),
                "policy.complaint_channel.missing": (["RD-6.complaint"], "rights"),
                "gone.rule": ([], "other"),
            },
        )
