"""Companies on the platform (issue #21.3), part 3: self-assessment (自评估). A company scans its own APK through the
platform's queue and scan sandbox; the result is the company's alone and is not a test: no scan job, app, version
or finding rows, so dashboards, rankings, repeat offenders, notices and the review queue are unchanged. Staff see
how many self-assessments exist, never their apps or findings; company A never sees company B's (404).
"""

from __future__ import annotations

import platform_factories as pf
import pytest
from company_fixtures import CompanyCase
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from test_company_portal import api, web

from appwarden.platform.core.errors import RoleError, UploadError
from appwarden.platform.core.models import AuditLog
from appwarden.platform.registry.models import App, AppVersion
from appwarden.platform.selfcheck import services
from appwarden.platform.selfcheck.models import SelfAssessment
from appwarden.platform.testing import engine
from appwarden.platform.testing.models import Finding, ScanJob
from appwarden.platform.web import stats

SELF_FINDINGS = [
    pf.finding("pi.pre_consent", ["RD-3.1"], notice_types=["M337-1"]),
    pf.finding("perm.over", ["M164-2.1"], severity="low", notice_types=["M337-7"]),
    pf.finding("sdk.share", ["M164-1.3"], owner="demo.push", severity="high", notice_types=["M337-3"]),
]


def _counts() -> dict:
    """Every number a test could move: dashboards, rankings, repeat offenders, notices, review queue, registry."""
    from appwarden.platform.enforcement.models import NoticeItem, RectificationOrder

    return {
        "batches": [(r["batch"].pk, r.get("confirmed")) for r in stats.batch_counts()],
        "problems": stats.problem_distribution(),
        "trend": stats.trend(30),
        "sdks": stats.top_sdks(),
        "stores": stats.top_stores(),
        "repeat": [(r.get("company"), r.get("orders"), r.get("findings")) for r in stats.repeat_offenders()],
        "jobs": ScanJob.objects.count(),
        "findings": Finding.objects.count(),
        "pending": Finding.objects.filter(status="pending").count(),
        "apps": App.objects.count(),
        "versions": AppVersion.objects.count(),
        "orders": RectificationOrder.objects.count(),
        "notice_rows": NoticeItem.objects.count(),
        "sdk_vendor_unassigned": stats.sdk_vendor_view()["unassigned"],
    }


def _page(client, url: str) -> str:
    """A page's HTML without its per-request CSRF token."""
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", client.get(url).content.decode())


class SelfAssessmentTests(CompanyCase):
    def submit_a(self, tag: str = "self-a", package: str = "com.jia.app") -> SelfAssessment:
        data = self.engine.add(tag, pf.report(package, "9.9.9", SELF_FINDINGS, label="甲应用新版"))
        row = services.submit(data, user=self.a_user, file_name="jia-9.9.9.apk")
        self.assertEqual(services.run(row.pk), "done")
        row.refresh_from_db()
        return row

    def test_a_label_with_nul_is_stored_with_a_replacement_character(self):
        # an app label may hold U+0000; PostgreSQL text and jsonb refuse it, so the self-assessment ended
        # 'internal error: DataError' there and the company never got its report
        data = self.engine.add(
            "self-nul", pf.report("com.jia.app", "9.9.9", SELF_FINDINGS, label="甲\x00应用")
        )
        row = services.submit(data, user=self.a_user, file_name="jia-nul.apk")
        self.assertEqual(services.run(row.pk), "done")
        row.refresh_from_db()
        self.assertEqual(row.label, "甲\ufffd应用")
        self.assertEqual(row.report["app"]["label"], "甲\ufffd应用")

    def test_report_stored_for_the_company_only_and_nothing_counted(self):
        before = _counts()
        dashboard_before = _page(web(self.reviewer), "/")
        row = self.submit_a()
        self.assertEqual((row.package, row.version_name, row.label), ("com.jia.app", "9.9.9", "甲应用新版"))
        self.assertEqual(
            row.summary, {"total": 3, "by_severity": {"high": 2, "medium": 0, "low": 1, "info": 0}}
        )
        self.assertEqual(row.company, self.a)
        self.assertEqual(_counts(), before)
        # the dashboard page renders the same numbers
        self.assertEqual(_page(web(self.reviewer), "/"), dashboard_before)
        # the review queue and the repeat-offender page do not show it
        self.assertNotIn("9.9.9", web(self.reviewer).get("/testing/findings/").content.decode())
        self.assertNotIn("甲应用新版", web(self.reviewer).get("/repeat-offenders/").content.decode())

    def test_company_pages_and_api(self):
        client = web(self.a_user)
        page = client.get("/my/selfcheck/")
        self.assertEqual(page.status_code, 200)
        self.assertIn('id="selfcheck-form"', page.content.decode())
        data = self.engine.add(
            "self-web", pf.report("com.jia.app", "9.9.9", SELF_FINDINGS, label="甲应用新版")
        )
        resp = client.post("/my/selfcheck/", {"apk": SimpleUploadedFile("jia.apk", data)})
        row = SelfAssessment.objects.get()
        self.assertRedirects(resp, f"/my/selfcheck/{row.pk}/", fetch_redirect_response=False)
        self.assertIn("排队 Queued", client.get(f"/my/selfcheck/{row.pk}/").content.decode())
        services.run(row.pk)
        html = client.get(f"/my/selfcheck/{row.pk}/").content.decode()
        self.assertIn("pi.pre_consent", html)
        self.assertIn("sdk.share", html)
        self.assertLess(html.index("pi.pre_consent"), html.index("perm.over"))  # ranked: high before low
        report = client.get(f"/my/selfcheck/{row.pk}/report.json")
        self.assertEqual(report.status_code, 200)
        self.assertEqual(report.json()["app"]["package"], "com.jia.app")
        self.assertEqual(client.get(f"/my/selfcheck/{row.pk}/report.html").status_code, 200)
        self.assertEqual(client.get(f"/my/selfcheck/{row.pk}/report.xml").status_code, 404)
        body = api(self.a_user).get(f"/api/selfchecks/{row.pk}/").json()
        self.assertEqual(
            [f["rule_id"] for f in body["findings"]], ["pi.pre_consent", "sdk.share", "perm.over"]
        )
        listing = api(self.a_user).get("/api/selfchecks/").json()
        self.assertEqual([r["id"] for r in listing], [row.pk])
        self.assertNotIn("findings", listing[0])

    def test_api_submit(self):
        data = self.engine.add("self-api", pf.report("com.jia.app", "9.9.9", SELF_FINDINGS))
        resp = api(self.a_user).post(
            "/api/selfchecks/",
            {
                "apk": SimpleUploadedFile("a.apk", data),
                "policy": SimpleUploadedFile("p.txt", "隐私政策".encode()),
            },
            format="multipart",
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        self.assertEqual(resp.json()["status"], "queued")
        row = SelfAssessment.objects.get(pk=resp.json()["id"])
        self.assertTrue(row.policy_sha256)
        # not an APK: refused, nothing stored
        bad = api(self.a_user).post("/api/selfchecks/", {"apk": SimpleUploadedFile("x.apk", b"not a zip")})
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(SelfAssessment.objects.count(), 1)
        unknown = api(self.a_user).post(
            "/api/selfchecks/", {"apk": SimpleUploadedFile("a.apk", data), "category": "N39-99 不存在"}
        )
        self.assertEqual(unknown.status_code, 400)
        for user in (self.reviewer, self.regulator, self.store_user):
            resp = api(user).post("/api/selfchecks/", {"apk": SimpleUploadedFile("a.apk", data)})
            self.assertEqual(resp.status_code, 403)
        self.assertEqual(SelfAssessment.objects.count(), 1)

    def test_scoping_between_companies_and_staff_counts_only(self):
        row = self.submit_a()
        b = web(self.b_user)
        for url in (
            f"/my/selfcheck/{row.pk}/",
            f"/my/selfcheck/{row.pk}/report.json",
            "/my/selfcheck/999999/",
        ):
            self.assertEqual(b.get(url).status_code, 404, url)
        self.assertNotIn("com.jia.app", b.get("/my/selfcheck/").content.decode())
        self.assertEqual(api(self.b_user).get(f"/api/selfchecks/{row.pk}/").status_code, 404)
        self.assertEqual(api(self.b_user).get("/api/selfchecks/").json(), [])
        # staff: the count, never the report
        for user in (self.reviewer, self.regulator):
            self.assertEqual(api(user).get(f"/api/selfchecks/{row.pk}/").status_code, 404)
            self.assertEqual(api(user).get("/api/selfchecks/").json(), [])
            summary = api(user).get("/api/selfchecks/summary/").json()
            self.assertEqual(summary["total"], 1)
            self.assertEqual(summary["by_status"]["done"], 1)
            self.assertEqual([c["name"] for c in summary["companies"]], ["甲科技有限公司"])
            self.assertNotIn("com.jia.app", str(summary))
            page = web(user).get("/selfcheck/").content.decode()
            self.assertIn('id="selfcheck-total">1<', page)
            self.assertNotIn("com.jia.app", page)
            self.assertNotIn("pi.pre_consent", page)
            self.assertEqual(web(user).get(f"/my/selfcheck/{row.pk}/").status_code, 403)
        self.assertEqual(api(self.a_user).get("/api/selfchecks/summary/").status_code, 403)
        self.assertEqual(web(self.a_user).get("/selfcheck/").status_code, 403)
        self.assertEqual(api(self.store_user).get(f"/api/selfchecks/{row.pk}/").status_code, 404)
        # the audit log (readable by staff) records that it exists, not what it found
        rows = AuditLog.objects.filter(model="selfcheck.selfassessment")
        self.assertEqual(
            sorted(rows.values_list("action", flat=True)), ["selfcheck_finish", "selfcheck_submit"]
        )
        self.assertNotIn("com.jia.app", str(list(rows.values_list("data", "summary"))))

    def test_only_company_users_submit(self):
        with self.assertRaises(RoleError):
            services.submit(pf.fake_apk("x"), user=self.reviewer)
        with self.assertRaises(UploadError):
            services.submit(b"PK-not-really", user=self.a_user)
        self.assertFalse(SelfAssessment.objects.exists())

    def test_engine_failure_ends_failed_and_run_is_idempotent(self):
        def broken(apk_path, **kw):
            raise RuntimeError("boom")

        engine.use_engine(broken)
        row = services.submit(pf.fake_apk("fail"), user=self.a_user)
        self.assertEqual(services.run(row.pk), "failed")
        row.refresh_from_db()
        self.assertEqual(row.failure_kind, "engine")
        self.assertIn("boom", row.error)
        self.assertEqual(services.run(row.pk), "failed")  # finished: left alone

    def test_embedded_worker_takes_a_self_assessment_when_no_scan_job_waits(self):
        from appwarden.platform.testing.worker import DbQueueWorker

        data = self.engine.add("self-worker", pf.report("com.jia.app", "9.9.9", SELF_FINDINGS))
        row = services.submit(data, user=self.a_user)
        worker = DbQueueWorker()
        self.assertTrue(worker.run_once())
        row.refresh_from_db()
        self.assertEqual(row.status, "done")
        self.assertFalse(worker.run_once())

    def test_orphans_requeued_at_worker_start_and_quarantined_after_attempts(self):
        from appwarden.platform.testing.worker import DbQueueWorker

        data = self.engine.add("self-orphan", pf.report("com.jia.app", "9.9.9", SELF_FINDINGS))
        row = services.submit(data, user=self.a_user)
        SelfAssessment.objects.filter(pk=row.pk).update(status="running", attempts=1)
        self.assertEqual(services.run(row.pk), "running")  # another worker is on it (not stale): left alone
        DbQueueWorker().recover()
        row.refresh_from_db()
        self.assertEqual(row.status, "queued")
        self.assertEqual(services.run(row.pk), "done")
        spent = services.submit(data, user=self.a_user)
        SelfAssessment.objects.filter(pk=spent.pk).update(status="running", attempts=99)
        DbQueueWorker().recover()
        self.assertEqual(services.run(spent.pk), "failed")
        spent.refresh_from_db()
        self.assertEqual(spent.failure_kind, "quarantined")

    def test_same_bytes_reuse_the_report(self):
        data = self.engine.add(
            "self-dup", pf.report("com.jia.app", "9.9.9", SELF_FINDINGS, label="甲应用新版")
        )
        first = services.submit(data, user=self.a_user)
        services.run(first.pk)
        calls = self.engine.calls
        second = services.submit(data, user=self.b_user)  # same bytes, another company: same report, own row
        services.run(second.pk)
        first.refresh_from_db()
        second.refresh_from_db()
        self.assertEqual(self.engine.calls, calls)
        self.assertEqual(second.report, first.report)
        self.assertEqual((second.company, second.status), (self.b, "done"))


@override_settings(APPWARDEN_SCAN_TIMEOUT=120)
class RealSandboxTests(TestCase):
    """The real engine in the scan sandbox (a child process), on a committed fixture APK."""

    def test_fixture_apk_through_the_sandbox(self):
        company = pf.company("真实企业")
        user = pf.user("company", company=company)
        engine.use_engine(None)
        before = (ScanJob.objects.count(), App.objects.count(), Finding.objects.count())
        row = services.submit(pf.fixture_apk("minimal.apk"), user=user, file_name="minimal.apk")
        self.assertEqual(services.run(row.pk), "done", SelfAssessment.objects.get(pk=row.pk).error)
        row.refresh_from_db()
        self.assertTrue(row.package)
        self.assertEqual(row.report["app"]["package"], row.package)
        self.assertEqual(row.summary["total"], len(row.report.get("findings") or []))
        self.assertEqual((ScanJob.objects.count(), App.objects.count(), Finding.objects.count()), before)


class QueueModeTests(CompanyCase):
    def test_eager_mode_runs_after_commit(self):
        data = self.engine.add("self-eager", pf.report("com.jia.app", "1.0", SELF_FINDINGS))
        with override_settings(APPWARDEN_WORKER="eager"), self.captureOnCommitCallbacks(execute=True):
            row = services.submit(data, user=self.a_user)
        row.refresh_from_db()
        self.assertEqual(row.status, "done")

    def test_celery_task_is_registered_late_acked(self):
        from appwarden.platform.celery_app import app

        app.loader.import_default_modules()
        task = app.tasks["appwarden.selfcheck_job"]
        self.assertTrue(task.acks_late)
        self.assertTrue(task.reject_on_worker_lost)


SELF_SUBMIT_AND_WAIT = r"""
import json, sys, time
from appwarden.platform import setup
setup()
from django.contrib.auth import get_user_model
from appwarden.platform.core.models import Profile
from appwarden.platform.registry.models import Company
from appwarden.platform.selfcheck import services
from appwarden.platform.testing.models import ScanJob
company = Company.objects.create(name="自评估企业", credit_code="91110000MA0000001L")
user = get_user_model().objects.create_user("celery-company", password="x")
Profile.objects.create(user=user, role="company", company=company)
row = services.submit(open(sys.argv[1], "rb").read(), user=user, file_name="minimal.apk")
deadline = time.time() + 180
while time.time() < deadline:
    row.refresh_from_db()
    if row.status in ("done", "failed"):
        break
    time.sleep(0.5)
print(json.dumps({"status": row.status, "attempts": row.attempts, "error": row.error, "package": row.package,
                  "jobs": ScanJob.objects.count()}))
"""


@pytest.mark.service
@pytest.mark.slow
def test_celery_worker_runs_a_self_assessment_over_redis(redis_url, tmp_path):
    """A real ``appwarden worker`` (Celery over Redis) consumes the self-assessment task and scans in its sandbox."""
    from celery_worker import migrate, run_json, worker, worker_log
    from test_services import FIXTURE_APK, _platform_env

    env = _platform_env(tmp_path, redis_url)
    migrate(env)
    with worker(env, tmp_path):
        result = run_json(env, SELF_SUBMIT_AND_WAIT, str(FIXTURE_APK))
    log = worker_log(tmp_path, 2000)
    assert result["status"] == "done", (result, log)
    assert result["attempts"] == 1
    assert result["package"] == "com.example.fixture"
    assert result["jobs"] == 0  # not a scan job
