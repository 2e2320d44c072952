"""Audit rows as an auditor reads them on ``/audit/``: a forwarded complaint's create row carries its real number
(``ZB-…``), never the ``pending-…`` placeholder it is first saved with; a login is one ``login`` row of the user
who logged in, not a ``system update auth.user`` row for ``last_login``."""

from __future__ import annotations

import platform_factories as pf
from django.test import Client, TestCase

from appwarden.platform.complaints.models import TRIAGED, Complaint, ComplaintForward
from appwarden.platform.core.models import AuditLog
from appwarden.platform.registry.models import App


def _client(user) -> Client:
    c = Client()
    resp = c.post("/login/", {"username": user.username, "password": pf.PASSWORD})
    assert resp.status_code == 302, resp.status_code
    return c


class ForwardAuditTests(TestCase):
    def test_forward_create_row_has_the_real_number(self):
        reviewer, regulator = pf.user("reviewer"), pf.user("regulator")
        app = App.objects.create(package="com.jia.shop", name="甲商城", company=pf.company())
        complaint = Complaint.objects.create(
            app_name="甲商城", package=app.package, description="读取通讯录", status=TRIAGED, app=app
        )
        resp = _client(reviewer).post(
            f"/complaints/{complaint.pk}/forward/", {"instructions": "请核实并答复"}
        )
        fwd = ComplaintForward.objects.get()
        self.assertRedirects(resp, f"/complaints/forwards/{fwd.pk}/", fetch_redirect_response=False)
        self.assertRegex(fwd.number, r"^ZB-\d{4}-\d{5}$")
        rows = list(AuditLog.objects.filter(model="complaints.complaintforward").order_by("id"))
        self.assertEqual([r.action for r in rows], ["create", "transition"])
        create = rows[0]
        self.assertEqual(create.data["number"], fwd.number)
        self.assertTrue(create.summary.startswith(fwd.number), create.summary)
        self.assertEqual((create.actor, create.reason), (reviewer, "请核实并答复"))
        page = _client(regulator).get("/audit/?model=complaints.complaintforward").content.decode()
        self.assertIn(fwd.number, page)
        self.assertNotIn("pending-", page)


class LoginAuditTests(TestCase):
    def test_a_login_is_one_login_row_of_that_user(self):
        user = pf.user("reviewer")
        before = AuditLog.objects.count()
        c = Client(REMOTE_ADDR="10.1.2.3")
        self.assertEqual(
            c.post("/login/", {"username": user.username, "password": pf.PASSWORD}).status_code, 302
        )
        rows = list(AuditLog.objects.order_by("id")[before:])
        self.assertEqual([(r.action, r.model) for r in rows], [("login", "auth.user")])
        row = rows[0]
        self.assertEqual((row.actor, row.actor_name, row.object_id), (user, user.username, str(user.pk)))
        self.assertEqual(row.data["ip"], "10.1.2.3")
        self.assertNotIn("password", row.data)
        self.assertFalse(AuditLog.objects.filter(model="auth.user", action="update").exists())
        user.refresh_from_db()
        self.assertIsNotNone(user.last_login)  # Django still records the last login on the user

    def test_a_failed_login_writes_no_login_row(self):
        user = pf.user("reviewer")
        Client().post("/login/", {"username": user.username, "password": "wrong"})
        self.assertFalse(AuditLog.objects.filter(action="login").exists())

    def test_other_user_changes_are_still_audited(self):
        user = pf.user("reviewer")
        user.first_name = "张"
        user.save()
        self.assertTrue(
            AuditLog.objects.filter(model="auth.user", object_id=str(user.pk), action="update").exists()
        )
