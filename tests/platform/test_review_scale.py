"""Issue #21 part 4, case officers at scale: the paginated, filtered review queue with bulk confirm/reject, findings
ranked by severity, report downloads from job pages, the Swagger UI, self-refreshing batch pages, and the company
chosen at upload. Through the real HTTP stack (Django test client) on the platform test database."""

from __future__ import annotations

import json
import re

import platform_factories as pf
from django.test import TestCase

from appwarden.platform.core.models import AuditLog
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import Batch, Finding, Review, ScanJob


class ScaleCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.client.force_login(self.reviewer)


class SwaggerTests(ScaleCase):
    def test_swagger_page_and_its_local_assets(self):
        page = self.client.get("/api/docs/")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn("/api/docs/assets/swagger-ui-dist/swagger-ui-bundle.js", html)
        self.assertNotIn("cdn.jsdelivr", html)
        self.assertIn("/api/schema/", html)
        asset = self.client.get("/api/docs/assets/swagger-ui-dist/swagger-ui-bundle.js")
        self.assertEqual(asset.status_code, 200)
        self.assertIn("javascript", asset["Content-Type"])
        self.assertEqual(
            self.client.get("/api/docs/assets/swagger-ui-dist/../../../__init__.py").status_code, 404
        )

    def test_swagger_needs_a_login(self):
        self.client.logout()
        self.assertIn(self.client.get("/api/docs/").status_code, (401, 403))


def _f(rule: str, *, severity: str = "high", confidence: str = "likely", owner: str = "host") -> dict:
    data = pf.finding(rule, ["RD-3.1"], owner=owner, severity=severity)
    data["confidence"] = confidence
    return data


def _queue_ids(response) -> list[int]:
    """The finding ids offered for bulk review on a queue page, in page order."""
    return [int(x) for x in re.findall(r'id="bulk-id-(\d+)"', response.content.decode())]


class QueueCase(ScaleCase):
    def job(self, tag: str, package: str, findings: list[dict], **kw) -> ScanJob:
        return pf.scanned_job(self.reviewer, self.engine.add(tag, pf.report(package, "1.0", findings)), **kw)

    def ids(self, job: ScanJob, **lookup) -> set[int]:
        return set(job.findings.filter(**lookup).values_list("pk", flat=True))


class QueuePaginationTests(QueueCase):
    def test_pages_of_50_with_total_counts_and_filters_kept_across_pages(self):
        job = self.job("many", "com.many", [_f(f"R{i:03d}", severity="medium") for i in range(55)])
        self.job("one", "com.one", [_f("LOW1", severity="low")])
        page1 = self.client.get("/testing/findings/", {"severity": "medium"})
        html = page1.content.decode()
        self.assertEqual(len(_queue_ids(page1)), 50)
        self.assertIn('<b id="queue-total">55</b>', html)
        self.assertIn("all pending 56", html)
        self.assertIn('<span id="queue-count-medium">55</span>', html)
        self.assertIn('<span id="queue-count-low">0</span>', html)
        self.assertIn("第 1/2 页", html)
        self.assertIn('href="?severity=medium&amp;page=2"', html)
        page2 = self.client.get("/testing/findings/", {"severity": "medium", "page": "2"})
        self.assertEqual(len(_queue_ids(page2)), 5)
        self.assertEqual(set(_queue_ids(page1)) | set(_queue_ids(page2)), self.ids(job))


class QueueFilterTests(QueueCase):
    def setUp(self):
        super().setUp()
        self.batch_a = Batch.objects.create(name="第一轮")
        self.batch_b = Batch.objects.create(name="第二轮")
        self.ja = self.job(
            "fa",
            "com.alpha",
            [
                _f("RULE_A", severity="high", confidence="confirmed"),
                _f("RULE_B", severity="low", confidence="possible", owner="com.umeng"),
            ],
            batch=self.batch_a,
        )
        self.jb = self.job(
            "fb",
            "com.beta",
            [_f("RULE_A", severity="medium", confidence="likely", owner="com.umeng")],
            batch=self.batch_b,
        )

    def shown(self, **params) -> set[int]:
        response = self.client.get("/testing/findings/", params)
        self.assertEqual(response.status_code, 200)
        return set(_queue_ids(response))

    def test_each_filter(self):
        a, b = self.ja, self.jb
        self.assertEqual(self.shown(), self.ids(a) | self.ids(b))
        self.assertEqual(self.shown(batch=self.batch_a.pk), self.ids(a))
        self.assertEqual(self.shown(batch=self.batch_b.pk), self.ids(b))
        self.assertEqual(self.shown(app="com.beta"), self.ids(b))
        self.assertEqual(self.shown(app=a.app_version.app_id), self.ids(a))
        self.assertEqual(self.shown(severity="low"), self.ids(a, rule_id="RULE_B"))
        self.assertEqual(self.shown(rule="RULE_A"), self.ids(a, rule_id="RULE_A") | self.ids(b))
        self.assertEqual(self.shown(owner="com.umeng"), self.ids(a, rule_id="RULE_B") | self.ids(b))
        self.assertEqual(self.shown(owner="host"), self.ids(a, rule_id="RULE_A"))
        self.assertEqual(self.shown(confidence="likely"), self.ids(b))
        self.assertEqual(self.shown(rule="RULE_A", owner="com.umeng", batch=self.batch_b.pk), self.ids(b))
        self.assertEqual(self.shown(rule="NO_SUCH_RULE"), set())

    def test_invalid_filter_values_are_dropped_with_a_message(self):
        response = self.client.get("/testing/findings/", {"batch": "abc", "severity": "extreme"}, follow=True)
        self.assertEqual(set(_queue_ids(response)), self.ids(self.ja) | self.ids(self.jb))
        self.assertIn("已忽略无效的筛选条件", response.content.decode())

    def test_reviewed_findings_leave_the_queue(self):
        first = self.ja.findings.get(rule_id="RULE_A")
        services.review_finding(first, user=self.reviewer, action="reject", reason="误报")
        self.assertEqual(self.shown(), (self.ids(self.ja) | self.ids(self.jb)) - {first.pk})

    def test_queue_is_ranked_by_severity_then_confidence(self):
        response = self.client.get("/testing/findings/")
        severities = [Finding.objects.get(pk=i).severity for i in _queue_ids(response)]
        self.assertEqual(severities, ["high", "medium", "low"])


class BulkReviewTests(QueueCase):
    def setUp(self):
        super().setUp()
        self.job_ = self.job("bulk", "com.bulk", [_f(f"B{i}") for i in range(4)])
        self.pks = sorted(self.ids(self.job_))

    def post(self, **data):
        data.setdefault("next", "/testing/findings/?severity=high")
        return self.client.post("/testing/findings/bulk/", data, follow=True)

    def statuses(self) -> list[str]:
        return [Finding.objects.get(pk=pk).status for pk in self.pks]

    def test_bulk_confirm_reviews_each_finding_with_one_reason_and_audits_it(self):
        response = self.post(ids=self.pks[:3], action="confirm", reason="批量确认：证据充分")
        self.assertEqual(response.redirect_chain[-1][0], "/testing/findings/?severity=high")
        self.assertIn("已批量确认 3 个问题", response.content.decode())
        self.assertEqual(self.statuses(), ["confirmed"] * 3 + ["pending"])
        for pk in self.pks[:3]:
            review = Review.objects.get(finding_id=pk)
            self.assertEqual(
                (review.action, review.reason, review.reviewer),
                ("confirm", "批量确认：证据充分", self.reviewer),
            )
            audit = AuditLog.objects.filter(
                model="testing.finding", object_id=str(pk), reason="批量确认：证据充分"
            )
            self.assertTrue(audit.exists())
            self.assertEqual(audit.first().actor, self.reviewer)
        self.assertFalse(Review.objects.filter(finding_id=self.pks[3]).exists())

    def test_bulk_reject(self):
        self.post(ids=self.pks, action="reject", reason="误报")
        self.assertEqual(self.statuses(), ["rejected"] * 4)
        self.assertEqual(Review.objects.filter(finding_id__in=self.pks, action="reject").count(), 4)

    def test_a_bad_id_changes_nothing(self):
        missing = max(self.pks) + 1000
        response = self.post(ids=[*self.pks[:2], missing], action="confirm", reason="批量确认")
        self.assertIn(f"#{missing} 不存在或不在您的权限范围内", response.content.decode())
        self.assertEqual(self.statuses(), ["pending"] * 4)
        self.assertFalse(Review.objects.filter(finding_id__in=self.pks).exists())
        self.assertFalse(AuditLog.objects.filter(model="testing.review").exists())

    def test_refusals_change_nothing(self):
        for data, words in [
            ({"ids": self.pks, "action": "confirm", "reason": "   "}, "批量审核需填写理由"),
            ({"ids": self.pks, "action": "edit", "reason": "x"}, "批量审核只能确认或驳回"),
            ({"action": "confirm", "reason": "x"}, "请先勾选要审核的问题"),
            ({"ids": [self.pks[0], "1 OR 1=1"], "action": "confirm", "reason": "x"}, "无效的问题编号"),
        ]:
            response = self.post(**data)
            self.assertIn(words, response.content.decode(), data)
        self.assertEqual(self.statuses(), ["pending"] * 4)
        self.assertFalse(Review.objects.exists())

    def test_too_many_ids_are_refused(self):
        response = self.post(ids=[*self.pks, *range(10_000, 10_000 + 500)], action="confirm", reason="x")
        self.assertIn("一次最多批量审核 500 个问题", response.content.decode())
        self.assertEqual(self.statuses(), ["pending"] * 4)

    def test_only_reviewers_and_regulators_and_only_post(self):
        company_user = pf.user("company", company=pf.company())
        self.client.force_login(company_user)
        response = self.client.post(
            "/testing/findings/bulk/", {"ids": self.pks, "action": "confirm", "reason": "x"}
        )
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.reviewer)
        self.client.get("/testing/findings/bulk/", {"ids": self.pks, "action": "confirm", "reason": "x"})
        self.assertEqual(self.statuses(), ["pending"] * 4)

    def test_csrf_is_required(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.reviewer)
        response = client.post(
            "/testing/findings/bulk/", {"ids": self.pks, "action": "confirm", "reason": "x"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.statuses(), ["pending"] * 4)


class RankingPageTests(QueueCase):
    def setUp(self):
        super().setUp()
        self.company = pf.company()
        self.job_ = self.job(
            "rank",
            "com.rank",
            [
                _f("HOST_LOW", severity="low"),
                _f("SDK_HIGH", severity="high", owner="com.umeng"),
                _f("HOST_MED_POSSIBLE", severity="medium", confidence="possible"),
                _f("HOST_MED_CONFIRMED", severity="medium", confidence="confirmed"),
                _f("HOST_INFO", severity="info"),
            ],
            company=self.company,
        )
        self.expected = ["SDK_HIGH", "HOST_MED_CONFIRMED", "HOST_MED_POSSIBLE", "HOST_LOW", "HOST_INFO"]

    def order_on_page(self, html: str) -> list[str]:
        rules = re.findall(r"规则 Rule (\w+) ·|<td>(\w+)</td><td><a href=\"/testing/findings/", html)
        return [a or b for a, b in rules]

    def test_job_page_opens_with_the_most_severe_finding_and_ranks_each_owner_group(self):
        html = self.client.get(f"/testing/jobs/{self.job_.pk}/").content.decode()
        self.assertEqual(self.order_on_page(html), self.expected)
        self.assertLess(html.index("<code>com.umeng</code>"), html.index("应用自身代码"))

    def test_order_page_ranks_findings_by_severity_then_confidence(self):
        from appwarden.platform.enforcement import workflow

        for f in self.job_.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
        order = workflow.issue_order(
            self.job_.app_version, list(self.job_.findings.all()), user=self.reviewer, reason="检测发现问题"
        )
        html = self.client.get(f"/enforcement/orders/{order.pk}/").content.decode()
        self.assertEqual(self.order_on_page(html), self.expected)
        self.assertIn("中 Medium · 确认 Confirmed", html)


class DownloadTests(QueueCase):
    def setUp(self):
        super().setUp()
        self.company = pf.company()
        self.job_ = self.job("dl", "com.download", [_f("DL_RULE")], company=self.company)

    def get(self, fmt: str, pk: int | None = None):
        return self.client.get(f"/testing/jobs/{pk or self.job_.pk}/report.{fmt}")

    def test_job_page_links_the_three_formats(self):
        html = self.client.get(f"/testing/jobs/{self.job_.pk}/").content.decode()
        for fmt in ("html", "pdf", "json"):
            self.assertIn(f'href="/testing/jobs/{self.job_.pk}/report.{fmt}"', html)

    def test_json_is_the_stored_report(self):
        response = self.get("json")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/json"))
        self.assertEqual(
            response["Content-Disposition"], f'attachment; filename="appwarden-job-{self.job_.pk}.json"'
        )
        self.assertEqual(json.loads(response.content), self.job_.report)

    def test_html_and_pdf_are_rendered_from_the_stored_report(self):
        html = self.get("html")
        self.assertEqual(html.status_code, 200)
        self.assertTrue(html["Content-Type"].startswith("text/html"))
        self.assertIn("attachment;", html["Content-Disposition"])
        self.assertIn("com.download", html.content.decode())
        pdf = self.get("pdf")
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        self.assertIn(f'filename="appwarden-job-{self.job_.pk}.pdf"', pdf["Content-Disposition"])

    def test_foreign_company_unknown_format_and_missing_report_are_404(self):
        self.client.force_login(pf.user("company", company=pf.company()))
        for fmt in ("json", "html", "pdf"):
            self.assertEqual(self.get(fmt).status_code, 404)
        self.client.force_login(self.reviewer)
        self.assertEqual(self.get("sarif").status_code, 404)
        self.assertEqual(self.get("json", pk=self.job_.pk + 1000).status_code, 404)
        queued = services.submit_apk(pf.fake_apk("queued"), user=self.reviewer)
        self.assertEqual(self.get("json", pk=queued.pk).status_code, 404)
        self.client.logout()
        self.assertEqual(self.get("json").status_code, 302)  # to the login page


class BatchRefreshTests(QueueCase):
    def test_batch_page_refreshes_itself_while_jobs_are_pending(self):
        batch = Batch.objects.create(name="自动刷新")
        done = self.job("done", "com.done", [], batch=batch)
        html = self.client.get(f"/testing/batches/{batch.pk}/").content.decode()
        self.assertNotIn('http-equiv="refresh"', html)
        services.submit_apk(pf.fake_apk("pending"), user=self.reviewer, batch=batch)
        html = self.client.get(f"/testing/batches/{batch.pk}/").content.decode()
        self.assertIn('<meta http-equiv="refresh" content="5">', html)
        self.assertIn(f'<a href="/testing/jobs/{done.pk}/">', html)


class UploadCompanyTests(QueueCase):
    def setUp(self):
        super().setUp()
        self.owner = pf.company("登记公司")
        self.other = pf.company("另一公司")

    def test_chosen_company_is_recorded_for_a_new_app(self):
        job = self.job("new", "com.fresh", [], company=self.owner)
        self.assertEqual(job.app_version.app.company, self.owner)
        html = self.client.get(f"/testing/jobs/{job.pk}/").content.decode()
        self.assertIn('id="company-honoured"', html)
        self.assertNotIn('id="company-conflict"', html)

    def test_a_conflicting_company_is_shown_and_the_registry_kept(self):
        self.job("first", "com.owned", [], company=self.owner)
        second = self.job("second", "com.owned", [_f("X")], company=self.other)
        self.assertEqual(second.app_version.app.company, self.owner)
        html = self.client.get(f"/testing/jobs/{second.pk}/").content.decode()
        self.assertIn('id="company-conflict"', html)
        self.assertIn("开发者不一致：上传时选择“另一公司”", html)
        self.assertIn("已登记为“<a", html)

    def test_the_api_shows_the_registered_company_beside_the_chosen_one(self):
        first = self.job("api1", "com.api", [], company=self.owner)
        second = self.job("api2", "com.api", [], company=self.other)
        queued = services.submit_apk(pf.fake_apk("api3"), user=self.reviewer, company=self.other)
        for job, chosen, registered in (
            (first, self.owner.pk, self.owner.pk),
            (second, self.other.pk, self.owner.pk),
            (queued, self.other.pk, None),
        ):
            data = self.client.get(f"/api/jobs/{job.pk}/").json()
            self.assertEqual((data["company"], data["app_company"]), (chosen, registered))
