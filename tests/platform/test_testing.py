"""Testing app: uploads (non-APK, oversize, duplicate), idempotent scan jobs, dedupe reuse, ingest, review."""

from __future__ import annotations

import platform_factories as pf
from django.test import TestCase

from appwarden.platform.core import storage
from appwarden.platform.core.errors import DuplicateUpload, PlatformError, RoleError, UploadError
from appwarden.platform.core.models import AuditLog
from appwarden.platform.registry.models import App, AppVersion
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import Batch, Finding, Review, ScanJob


class EngineCase(TestCase):
    """A test case with a report-returning engine stand-in (reset after each test)."""

    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")


class UploadTests(EngineCase):
    def test_non_apk_is_refused_and_nothing_stored(self):
        before = set(storage.root().rglob("*")) if storage.root().exists() else set()
        for data, words in [
            (b"%PDF-1.4 not an apk", "end-of-central-directory"),
            (b"PK\x03\x04garbage", "not an APK"),
        ]:
            with self.assertRaisesMessage(UploadError, words):
                services.submit_apk(data, user=self.reviewer)
        import io
        import zipfile

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("hello.txt", "hi")
        with self.assertRaisesMessage(UploadError, "AndroidManifest.xml"):
            services.submit_apk(buf.getvalue(), user=self.reviewer)
        after = set(storage.root().rglob("*")) if storage.root().exists() else set()
        self.assertEqual({p for p in after - before if p.is_file()}, set())
        self.assertEqual(ScanJob.objects.count(), 0)

    def test_oversize_is_refused(self):
        big = pf.fake_apk(
            "big", extra=b"\x00" * (2 * 1024 * 1024)
        )  # limit is 1 MB in tests (stored, not deflated)
        with self.assertRaisesMessage(UploadError, "too large"):
            services.submit_apk(big, user=self.reviewer)
        self.assertEqual(ScanJob.objects.count(), 0)

    def test_duplicate_in_same_batch_is_refused_with_job_number(self):
        batch = Batch.objects.create(name="b1")
        data = self.engine.add("dup", pf.report("com.dup", "1.0", []))
        first = services.submit_apk(data, user=self.reviewer, batch=batch)
        with self.assertRaises(DuplicateUpload) as ctx:
            services.submit_apk(data, user=self.reviewer, batch=batch)
        self.assertEqual(ctx.exception.job_id, first.pk)
        self.assertIn(f"#{first.pk}", str(ctx.exception))
        self.assertEqual(ScanJob.objects.count(), 1)
        # another batch may hold the same APK; its job reuses the report instead of scanning again
        other = services.submit_apk(data, user=self.reviewer, batch=Batch.objects.create(name="b2"))
        services.run_scan(first.pk)
        services.run_scan(other.pk)
        other.refresh_from_db()
        self.assertEqual(self.engine.calls, 1)
        self.assertEqual(other.reused_from_id, first.pk)
        self.assertEqual(other.status, "done")

    def test_policy_and_trace_are_stored_and_change_the_dedupe_key(self):
        data = self.engine.add("pol", pf.report("com.pol", "1.0", []))
        a = services.submit_apk(data, user=self.reviewer)
        b = services.submit_apk(data, user=self.reviewer, policy=b"<html>policy</html>", trace=b'{"v":1}\n')
        self.assertNotEqual(a.dedupe_key, b.dedupe_key)
        self.assertTrue(storage.exists(b.policy_sha256) and storage.exists(b.trace_sha256))
        self.assertIn(a.engine_version, a.dedupe_key)
        self.assertIn(a.rules_version, a.dedupe_key)


class ScanJobTests(EngineCase):
    def test_scan_ingests_app_version_and_findings(self):
        rep = pf.report(
            "com.example.a",
            "2.1",
            [
                pf.finding("r.one", ["RD-3.1"], notice_types=["M337-1"]),
                pf.finding("r.two", ["M164-2.1"], owner="sdk.x", notice_types=["M337-7"]),
                # a report from before findings carried notice_types: its rule's declared types
                pf.finding("pi.startup.device_id", ["RD-3.1"]),
                # security hygiene, whose CH-13 clause the old clause-prefix table took for 违规收集
                pf.finding("sec.weak_cipher", ["GB35273-6.3", "CH-13"], notice_types=[]),
            ],
        )
        job = pf.scanned_job(self.reviewer, self.engine.add("a", rep))
        self.assertEqual(job.status, "done")
        version = AppVersion.objects.get(sha256=job.sha256)
        self.assertEqual((version.app.package, version.version_name), ("com.example.a", "2.1"))
        self.assertEqual(version.signer_subject, "CN=Test, O=测试公司")
        types = dict(Finding.objects.filter(job=job).values_list("rule_id", "problem_type"))
        self.assertEqual(
            types,
            {
                "r.one": "collection",
                "r.two": "permission",
                "pi.startup.device_id": "collection",
                "sec.weak_cipher": "other",
            },
        )
        notice = dict(Finding.objects.filter(job=job).values_list("rule_id", "notice_types"))
        self.assertEqual(notice["r.two"], ["M337-7"])
        self.assertEqual(notice["pi.startup.device_id"], ["M337-1"])
        self.assertEqual(notice["sec.weak_cipher"], [])
        self.assertTrue(all(f.status == "pending" for f in job.findings.all()))

    def test_run_scan_is_idempotent(self):
        job = pf.scanned_job(
            self.reviewer, self.engine.add("i", pf.report("com.i", "1", [pf.finding("r", ["RD-1.1"])]))
        )
        self.assertEqual(services.run_scan(job.pk), "done")
        self.assertEqual(self.engine.calls, 1)
        self.assertEqual(job.findings.count(), 1)
        # a redelivered message for a job left "running" by a dead worker runs it again without duplicates
        ScanJob.objects.filter(pk=job.pk).update(status="running")
        self.assertEqual(services.run_scan(job.pk), "done")
        self.assertEqual(job.findings.count(), 1)
        self.assertEqual(services.run_scan(999999), "missing")
        job.refresh_from_db()
        self.assertEqual(job.attempts, 2)

    def test_engine_errors_fail_the_job_with_one_line(self):
        def broken(path, **_):
            raise ValueError("boom\nsecond line")

        engine.use_engine(broken)
        job = services.submit_apk(pf.fake_apk("x"), user=self.reviewer)
        self.assertEqual(services.run_scan(job.pk), "failed")
        job.refresh_from_db()
        self.assertIn("internal error: ValueError: boom second line", job.error)
        self.assertNotIn("\n", job.error)

        from appwarden.errors import ApkFormatError

        def bad_apk(path, **_):
            raise ApkFormatError("truncated central directory")

        engine.use_engine(bad_apk)
        job2 = services.submit_apk(pf.fake_apk("y"), user=self.reviewer)
        services.run_scan(job2.pk)
        job2.refresh_from_db()
        self.assertEqual((job2.status, job2.error), ("failed", "truncated central directory"))

    def test_report_without_package_fails_cleanly(self):
        job = services.submit_apk(self.engine.add("np", {"app": {}, "findings": []}), user=self.reviewer)
        services.run_scan(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertFalse(App.objects.exists())

    def test_report_with_an_unknown_notice_type_fails_the_job_with_the_reason(self):
        rep = pf.report("com.nt", "1", [pf.finding("r.x", ["RD-3.1"], notice_types=["M337-99"])])
        job = services.submit_apk(self.engine.add("nt", rep), user=self.reviewer)
        services.run_scan(job.pk)
        job.refresh_from_db()
        self.assertEqual(job.status, "failed")
        self.assertIn("M337-99", job.error)
        self.assertFalse(Finding.objects.filter(job=job).exists())

    def test_batch_progress(self):
        batch = Batch.objects.create(name="p")
        jobs = [
            services.submit_apk(
                self.engine.add(f"p{i}", pf.report(f"com.p{i}", "1", [])), user=self.reviewer, batch=batch
            )
            for i in range(4)
        ]
        self.assertEqual(batch.progress()["percent"], 0)
        services.run_scan(jobs[0].pk)
        services.run_scan(jobs[1].pk)
        p = batch.progress()
        self.assertEqual((p["total"], p["done"], p["queued"], p["percent"]), (4, 2, 2, 50))


class ReviewTests(EngineCase):
    def setUp(self):
        super().setUp()
        rep = pf.report(
            "com.r",
            "1",
            [pf.finding("r.a", ["RD-3.1"], notice_types=["M337-1"]), pf.finding("r.b", ["RD-5.1"])],
        )
        self.job = pf.scanned_job(self.reviewer, self.engine.add("r", rep))
        self.fa, self.fb = self.job.findings.order_by("rule_id")

    def test_confirm_reject_edit_with_reasons_and_audit(self):
        services.review_finding(
            self.fa, user=self.reviewer, action="confirm", reason="证据充分 evidence clear"
        )
        services.review_finding(self.fb, user=self.reviewer, action="reject", reason="误报 false positive")
        self.fa.refresh_from_db()
        self.fb.refresh_from_db()
        self.assertEqual((self.fa.status, self.fb.status), ("confirmed", "rejected"))
        services.review_finding(
            self.fa,
            user=self.reviewer,
            action="edit",
            reason="条款更正",
            changes={"severity": "medium", "clauses": "M164-2.1, RD-4.2"},
        )
        self.fa.refresh_from_db()
        # the 通报 types are the rule's, not the clauses': editing clauses leaves them (and their group) alone
        self.assertEqual(
            (self.fa.severity, self.fa.clauses, self.fa.notice_types, self.fa.problem_type),
            ("medium", ["M164-2.1", "RD-4.2"], ["M337-1"], "collection"),
        )
        self.assertEqual(self.fa.status, "confirmed")
        edit = Review.objects.get(finding=self.fa, action="edit")
        self.assertEqual(edit.changes["severity"], {"old": "high", "new": "medium"})
        audit = AuditLog.objects.filter(model="testing.finding", object_id=str(self.fa.pk), reason="条款更正")
        self.assertTrue(audit.exists())
        self.assertEqual(audit.first().actor_id, self.reviewer.pk)

    def test_review_needs_reason_role_and_valid_fields(self):
        with self.assertRaises(PlatformError):
            services.review_finding(self.fa, user=self.reviewer, action="confirm", reason="  ")
        company_user = pf.user("company", company=pf.company())
        with self.assertRaises(RoleError):
            services.review_finding(self.fa, user=company_user, action="confirm", reason="x")
        with self.assertRaisesMessage(PlatformError, "cannot be edited"):
            services.review_finding(
                self.fa, user=self.reviewer, action="edit", reason="x", changes={"status": "confirmed"}
            )
        with self.assertRaises(PlatformError):
            services.review_finding(self.fa, user=self.reviewer, action="edit", reason="x", changes={})
        self.fa.refresh_from_db()
        self.assertEqual(self.fa.status, "pending")
