"""Audit rows as an auditor reads them on ``/audit/``: a forwarded complaint's create row carries its real number
(``ZB-…``), never the ``pending-…`` placeholder it is first saved with; a login is one ``login`` row of the user
who logged in, not a ``system update auth.user`` row for ``last_login``."""

from __future__ import annotations

import company_fixtures
import platform_factories as pf
import test_early_warning
import test_sdk_orders
from django.test import Client, TestCase

from appwarden.platform.complaints.models import TRIAGED, Complaint, ComplaintForward
from appwarden.platform.core.models import AuditLog
from appwarden.platform.enforcement import workflow
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


def _create_rows(model: str, obj) -> list[AuditLog]:
    """The create rows of ``obj``, after checking that no row of it shows the placeholder number."""
    rows = list(AuditLog.objects.filter(model=model, object_id=str(obj.pk)).order_by("id"))
    assert not [r for r in rows if "pending-" in r.summary or "pending-" in str(r.data.get("number"))], rows
    return [r for r in rows if r.action == "create"]


class OrderNumberAuditTests(company_fixtures.CompanyCase):
    # the orders are numbered from their primary key like a forward: the same placeholder must not reach the log
    def test_rectification_order_create_row_has_the_real_number(self):
        order = self.order_a
        self.assertRegex(order.number, r"^ZG-\d{4}-\d{5}$")
        (create,) = _create_rows("enforcement.rectificationorder", order)
        self.assertEqual((create.data["number"], create.actor), (order.number, self.reviewer))
        self.assertIn(order.number, create.summary)


class SdkOrderNumberAuditTests(test_sdk_orders.SdkOrderBase):
    def test_sdk_order_create_row_has_the_real_number(self):
        order = self.issue()
        self.assertRegex(order.number, r"^SDK-\d{4}-\d{5}$")
        (create,) = _create_rows("enforcement.sdkorder", order)
        self.assertEqual(create.data["number"], order.number)


class TakedownNumberAuditTests(test_early_warning.EarlyWarningCase):
    def test_harmful_takedown_create_row_has_the_real_number(self):
        order = workflow.takedown_harmful(self.bad.app_version, user=self.regulator, reason="恶意应用")
        self.assertRegex(order.number, r"^XJ-\d{4}-\d{5}$")
        (create,) = _create_rows("enforcement.rectificationorder", order)
        self.assertEqual((create.data["number"], create.actor), (order.number, self.regulator))
