"""Roles and isolation: no company reads another's data (API and web), stores see only their takedown orders,
every API needs authentication, CSRF on web forms, the audit log is append-only."""

from __future__ import annotations

import datetime as dt

import platform_factories as pf
from django.test import Client, TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from appwarden.platform.api.urls import router
from appwarden.platform.core import tokens
from appwarden.platform.core.models import AuditLog
from appwarden.platform.enforcement import workflow
from appwarden.platform.enforcement.models import RectificationOrder
from appwarden.platform.testing import engine, services


class IsolationCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.co_a, self.co_b = pf.company("甲公司"), pf.company("乙公司")
        self.user_a = pf.user("company", company=self.co_a)
        self.user_b = pf.user("company", company=self.co_b)
        self.store_a, self.store_b = pf.store("A店"), pf.store("B店")
        self.store_user_a = pf.user("store", store=self.store_a)
        self.orders = {}
        for key, company, store in (("a", self.co_a, self.store_a), ("b", self.co_b, self.store_b)):
            rep = pf.report(
                f"com.{key}.app",
                "1.0",
                [pf.finding(f"r.{key}1", ["RD-3.1"]), pf.finding(f"r.{key}2", ["RD-5.1"])],
            )
            job = pf.scanned_job(self.reviewer, self.engine.add(key, rep), company=company)
            f1, _f2 = job.findings.order_by("rule_id")
            services.review_finding(f1, user=self.reviewer, action="confirm", reason="ok")  # f2 stays pending
            order = workflow.issue_order(job.app_version, [f1], user=self.reviewer, reason="r")
            pf.listing(store, job.app_version.app)
            RectificationOrder.objects.filter(pk=order.pk).update(
                deadline=timezone.localdate() - dt.timedelta(days=1)
            )
            order.refresh_from_db()
            notice = workflow.create_notice_batch(user=self.regulator, title=f"n-{key}")
            workflow.escalate(order, user=self.regulator, reason="overdue", notice=notice)
            workflow.publish_notice(notice, user=self.regulator)  # 已通报 once published
            workflow.order_takedown(order, user=self.regulator, reason="takedown")
            self.orders[key] = order
            setattr(self, f"job_{key}", job)

    def api(self, user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
        return client


class ApiIsolationTests(IsolationCase):
    def ids(self, client, url):
        resp = client.get(url)
        self.assertEqual(resp.status_code, 200, url)
        return {row["id"] for row in resp.json()["results"]}

    def test_company_sees_only_its_own_rows(self):
        a = self.api(self.user_a)
        app_a = self.job_a.app_version.app
        self.assertEqual(self.ids(a, "/api/apps/"), {app_a.pk})
        self.assertEqual(self.ids(a, "/api/companies/"), {self.co_a.pk})
        self.assertEqual(self.ids(a, "/api/app-versions/"), {self.job_a.app_version.pk})
        self.assertEqual(self.ids(a, "/api/orders/"), {self.orders["a"].pk})
        # only confirmed findings of its own apps
        confirmed_a = set(self.job_a.findings.filter(status="confirmed").values_list("id", flat=True))
        self.assertEqual(self.ids(a, "/api/findings/"), confirmed_a)
        self.assertEqual(
            self.ids(a, "/api/takedowns/"), set(self.orders["a"].takedowns.values_list("id", flat=True))
        )
        for url in (
            "/api/jobs/",
            "/api/batches/",
            "/api/reviews/",
            "/api/audit/",
            "/api/complaints/",
            "/api/notices/",
        ):
            self.assertEqual(self.ids(a, url), set(), url)

    def test_company_cannot_reach_another_companys_objects(self):
        a = self.api(self.user_a)
        b_order = self.orders["b"]
        b_finding = self.job_b.findings.filter(status="confirmed").first()
        for url in (
            f"/api/orders/{b_order.pk}/",
            f"/api/apps/{b_order.app_id}/",
            f"/api/companies/{self.co_b.pk}/",
            f"/api/findings/{b_finding.pk}/",
            f"/api/jobs/{self.job_a.pk}/",  # not even its own raw job (unreviewed findings)
        ):
            self.assertEqual(a.get(url).status_code, 404, url)
        resp = a.post(f"/api/orders/{b_order.pk}/respond/", {"explanation": "x"}, format="json")
        self.assertEqual(resp.status_code, 404)
        pending_a = self.job_a.findings.filter(status="pending").first()
        self.assertEqual(a.get(f"/api/findings/{pending_a.pk}/").status_code, 404)
        # writes to the registry are staff-only
        self.assertEqual(
            a.post("/api/companies/", {"name": "x", "credit_code": pf.credit_code()}).status_code, 403
        )
        self.assertEqual(a.patch(f"/api/companies/{self.co_a.pk}/", {"name": "renamed"}).status_code, 403)

    def test_store_sees_only_its_takedowns_and_confirms_them(self):
        s = self.api(self.store_user_a)
        td_a = self.orders["a"].takedowns.get()
        td_b = self.orders["b"].takedowns.get()
        self.assertEqual(self.ids(s, "/api/takedowns/"), {td_a.pk})
        self.assertEqual(self.ids(s, "/api/companies/"), set())
        self.assertEqual(s.post(f"/api/takedowns/{td_b.pk}/confirm/", {}, format="json").status_code, 404)
        resp = s.post(f"/api/takedowns/{td_a.pk}/confirm/", {"note": "done"}, format="json")
        self.assertEqual(resp.status_code, 200, resp.content)
        self.assertEqual(resp.json()["status"], "confirmed")

    def test_every_api_endpoint_needs_authentication(self):
        anon = APIClient()
        for prefix, _viewset, _basename in router.registry:
            resp = anon.get(f"/api/{prefix}/")
            self.assertIn(resp.status_code, (401, 403), prefix)
            resp = anon.post(f"/api/{prefix}/", {}, format="json")
            self.assertIn(resp.status_code, (401, 403), prefix)
        self.assertIn(anon.get("/api/schema/").status_code, (401, 403))
        self.assertIn(anon.get("/api/me/").status_code, (401, 403))
        bad = APIClient()
        bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
        self.assertEqual(bad.get("/api/orders/").status_code, 401)

    def test_user_without_role_sees_nothing(self):
        from django.contrib.auth import get_user_model

        nobody = get_user_model().objects.create_user("nobody", password="x")
        c = self.api(nobody)
        self.assertEqual(self.ids(c, "/api/orders/"), set())
        self.assertEqual(self.ids(c, "/api/apps/"), set())


class WebIsolationTests(IsolationCase):
    def login(self, user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    def test_company_pages_are_scoped(self):
        a = self.login(self.user_a)
        self.assertEqual(a.get(f"/enforcement/orders/{self.orders['a'].pk}/").status_code, 200)
        self.assertEqual(a.get(f"/enforcement/orders/{self.orders['b'].pk}/").status_code, 404)
        self.assertEqual(a.get(f"/registry/apps/{self.orders['b'].app_id}/").status_code, 404)
        self.assertEqual(a.get(f"/registry/companies/{self.co_b.pk}/").status_code, 404)
        self.assertEqual(a.get(f"/testing/jobs/{self.job_a.pk}/").status_code, 404)  # no existence oracle
        self.assertEqual(a.get("/testing/upload/").status_code, 403)
        self.assertEqual(a.get("/audit/").status_code, 403)
        listing = a.get("/enforcement/orders/").content.decode()
        self.assertIn(self.orders["a"].number, listing)
        self.assertNotIn(self.orders["b"].number, listing)
        home = a.get("/").content.decode()
        self.assertIn("com.a.app", home)
        self.assertNotIn("com.b.app", home)
        resp = a.post(f"/enforcement/orders/{self.orders['b'].pk}/respond/", {"explanation": "x"})
        self.assertEqual(resp.status_code, 404)

    def test_anonymous_is_sent_to_login(self):
        c = Client()
        for url in ("/", "/testing/batches/", "/enforcement/orders/", "/registry/apps/", "/audit/"):
            resp = c.get(url)
            self.assertEqual(resp.status_code, 302, url)
            self.assertTrue(resp["Location"].startswith("/login/"), url)
        self.assertEqual(c.get("/complaints/new/").status_code, 200)  # the public form needs no login

    def test_csrf_is_enforced_on_forms(self):
        c = Client(enforce_csrf_checks=True)
        data = {"app_name": "x", "category": "other", "description": "d"}
        self.assertEqual(c.post("/complaints/new/", data).status_code, 403)
        page = c.get("/complaints/new/")
        token = page.cookies["csrftoken"].value
        resp = c.post("/complaints/new/", {**data, "csrfmiddlewaretoken": token})
        self.assertEqual(resp.status_code, 200)
        self.assertContains(resp, "TS")
        staff = Client(enforce_csrf_checks=True)
        staff.force_login(self.reviewer)
        f = self.job_a.findings.filter(status="pending").first()
        self.assertEqual(
            staff.post(f"/testing/findings/{f.pk}/review/", {"action": "confirm", "reason": "x"}).status_code,
            403,
        )
        f.refresh_from_db()
        self.assertEqual(f.status, "pending")


class RedirectTests(IsolationCase):
    def test_no_open_redirects(self):
        c = Client()
        c.force_login(self.reviewer)
        f = self.job_a.findings.filter(status="pending").first()
        resp = c.post(
            f"/testing/findings/{f.pk}/review/",
            {"action": "confirm", "reason": "x", "next": "https://evil.example/"},
        )
        self.assertEqual(resp["Location"], f"/testing/jobs/{f.job_id}/#finding-{f.pk}")
        resp = c.post("/registry/new/store/?next=//evil.example/x", {"name": "新店"})
        self.assertEqual(resp["Location"], "/registry/")
        resp = c.post("/registry/new/store/?next=/registry/stores/", {"name": "又一店"})
        self.assertEqual(resp["Location"], "/registry/stores/")


class AuditTests(IsolationCase):
    def test_changes_are_logged_with_actor_and_log_is_append_only(self):
        order = self.orders["a"]
        rows = AuditLog.objects.filter(model="enforcement.rectificationorder", object_id=str(order.pk))
        self.assertGreaterEqual(rows.count(), 3)
        self.assertTrue(rows.filter(actor=self.regulator, reason="takedown").exists())
        row = rows.first()
        row.reason = "tampered"
        with self.assertRaises(PermissionError):
            row.save()
        with self.assertRaises(PermissionError):
            row.delete()
        with self.assertRaises(PermissionError):
            AuditLog.objects.all().update(reason="x")
        with self.assertRaises(PermissionError):
            AuditLog.objects.filter(pk=row.pk).delete()
        self.assertEqual(AuditLog.objects.get(pk=row.pk).reason, rows.get(pk=row.pk).reason)

    def test_api_changes_are_attributed_to_the_token_user(self):
        c = self.api(self.reviewer)
        f = self.job_a.findings.filter(status="pending").first()
        resp = c.post(
            f"/api/findings/{f.pk}/review/", {"action": "reject", "reason": "误报 via API"}, format="json"
        )
        self.assertEqual(resp.status_code, 200, resp.content)
        log = AuditLog.objects.filter(model="testing.finding", object_id=str(f.pk)).first()
        self.assertEqual((log.actor, log.reason), (self.reviewer, "误报 via API"))
