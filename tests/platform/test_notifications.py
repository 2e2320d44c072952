"""Notifications (issue #21.5): emails asserted from Django's locmem outbox, webhooks POSTed to a real HTTP server
started here (no mock of the HTTP client) and verified with the documented signature check, retries after a 500,
the SSRF guard, redirects to another host refused, timeouts, the events hooked by signals (order issued, deadline
soon, overdue, takedown, pre-listing verdict, complaint forwarded, SDK order), and each party's settings scoped to
itself (API and web), with the secret never in the audit log."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import io
import json
import threading
import time

import platform_factories as pf
import pytest
from django.apps import apps
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from appwarden.platform.core import tokens
from appwarden.platform.core.models import AuditLog
from appwarden.platform.enforcement import workflow
from appwarden.platform.notifications import events as ev
from appwarden.platform.notifications import manage, services, signing, webhook
from appwarden.platform.notifications.models import (
    D_DELIVERED,
    D_FAILED,
    D_PENDING,
    Delivery,
    EmailRecipient,
    Endpoint,
    Notification,
)
from appwarden.platform.notifications.parties import STAFF_P, Party
from appwarden.platform.registry.models import Contact, SdkVendor
from appwarden.platform.testing import engine
from appwarden.platform.testing import services as testing
from appwarden.platform.testing.models import Finding

# --- a real local HTTP server ---------------------------------------------------------------------------------------


class Hook:
    """A webhook receiver on 127.0.0.1: records every request; ``script`` is the list of answers to give (status,
    headers, delay) — the last one repeats."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict, float]] = [(200, {}, 0.0)]
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                hook.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, headers, delay = hook.script[min(len(hook.requests), len(hook.script)) - 1]
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", "2")
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (timeout test)
                    self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SigningTests(TestCase):
    def test_roundtrip_and_tampering(self):
        body = b'{"event": "order.issued"}'
        header = signing.sign("whsec_x", body, timestamp=1_765_000_000)
        self.assertRegex(header, r"^t=1765000000,v1=[0-9a-f]{64}$")
        self.assertTrue(signing.verify("whsec_x", body, header, now=1_765_000_100))
        self.assertFalse(signing.verify("whsec_y", body, header, now=1_765_000_100))  # wrong secret
        self.assertFalse(signing.verify("whsec_x", body + b" ", header, now=1_765_000_100))  # body changed
        self.assertFalse(signing.verify("whsec_x", body, header, now=1_765_000_000 + 301))  # too old (replay)
        for bad in ("", "t=abc,v1=00", "v1=00", "t=1765000000", "garbage"):
            self.assertFalse(signing.verify("whsec_x", body, bad, now=1_765_000_000))
        # during a secret rotation the header may carry two signatures; one valid is enough
        other = signing.compute("whsec_old", 1_765_000_000, body)
        self.assertTrue(signing.verify("whsec_x", body, f"{header},v1={other}", now=1_765_000_000))
        self.assertTrue(signing.verify("whsec_old", body, f"{header},v1={other}", now=1_765_000_000))


class SsrfGuardTests(TestCase):
    def test_private_and_local_addresses_refused(self):
        for url in (
            "http://127.0.0.1/x",
            "http://localhost:8000/",
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            "http://172.16.5.4/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00::1]/",
            "http://0.0.0.0/",
        ):
            with self.assertRaises(webhook.UrlRefused, msg=url):
                webhook.validate(url, allow_private=False)
        webhook.validate("http://127.0.0.1/x", allow_private=True)  # allowed only when the setting says so
        webhook.validate("https://93.184.215.14/hook", allow_private=False)  # a public address

    def test_malformed_urls_refused(self):
        for url in (
            "ftp://example.com/",
            "file:///etc/passwd",
            "http:///nohost",
            "http://u:p@93.184.215.14/",
            "x",
        ):
            with self.assertRaises(webhook.UrlRefused, msg=url):
                webhook.validate(url, allow_private=True)


@override_settings(
    APPWARDEN_NOTIFY_MODE="none", APPWARDEN_WEBHOOK_ALLOW_PRIVATE=True, APPWARDEN_WEBHOOK_TIMEOUT=2
)
class WebhookDeliveryTests(TestCase):
    def setUp(self):
        self.hook = Hook()
        self.addCleanup(self.hook.close)
        self.company = pf.company("通知科技有限公司")
        self.user = pf.user("company", company=self.company)
        self.endpoint = manage.create_endpoint(self.user, url=self.hook.url, events=[])
        self.party = Party(ev.COMPANY, self.company.pk)

    def send(self, key: str = "1") -> Delivery:
        with self.captureOnCommitCallbacks(execute=True):
            n = services.notify(ev.PING, self.party, key=key, subject="s", body="b", data={"x": 1})
        return n.deliveries.get(channel="webhook")

    def test_delivered_signed_and_verifiable(self):
        delivery = self.send()
        self.assertEqual(services.deliver(delivery.pk), D_DELIVERED)
        self.assertEqual(len(self.hook.requests), 1)
        req = self.hook.requests[0]
        headers = {k.lower(): v for k, v in req["headers"].items()}
        self.assertTrue(signing.verify(self.endpoint.secret, req["body"], headers["appwarden-signature"]))
        self.assertFalse(signing.verify("whsec_wrong", req["body"], headers["appwarden-signature"]))
        self.assertEqual(headers["appwarden-event"], "ping")
        self.assertEqual(headers["content-type"], "application/json; charset=utf-8")
        payload = json.loads(req["body"])
        self.assertEqual(payload["event"], "ping")
        self.assertEqual(
            payload["party"], {"kind": "company", "id": self.company.pk, "name": "通知科技有限公司"}
        )
        self.assertEqual(payload["data"], {"x": 1})
        self.assertEqual(payload["delivery"], delivery.pk)
        delivery.refresh_from_db()
        self.assertEqual((delivery.attempts, delivery.last_status_code), (1, 200))
        self.assertEqual([(a.status_code, a.ok) for a in delivery.log.all()], [(200, True)])
        # delivered once: a second try does nothing
        self.assertEqual(services.deliver(delivery.pk, force=True), "skipped")
        self.assertEqual(len(self.hook.requests), 1)

    def test_retried_after_500_with_backoff_then_delivered(self):
        self.hook.script = [(500, {}, 0.0), (503, {}, 0.0), (200, {}, 0.0)]
        delivery = self.send()
        before = timezone.now()
        self.assertEqual(services.deliver(delivery.pk), D_PENDING)
        delivery.refresh_from_db()
        self.assertEqual((delivery.attempts, delivery.last_status_code), (1, 500))
        self.assertGreaterEqual(delivery.next_attempt_at, before + dt.timedelta(seconds=29))
        # not due yet: deliver_due leaves it alone
        self.assertEqual(services.deliver_due(), 0)
        self.assertEqual(len(self.hook.requests), 1)
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        self.assertEqual(services.deliver_due(), 1)
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.last_status_code), (D_PENDING, 503))
        self.assertGreaterEqual(
            delivery.next_attempt_at, timezone.now() + dt.timedelta(seconds=100)
        )  # longer
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        self.assertEqual(services.deliver(delivery.pk), D_DELIVERED)
        self.assertEqual([a.status_code for a in delivery.log.all()], [500, 503, 200])
        # each attempt is signed anew over the same body
        bodies = {r["body"] for r in self.hook.requests}
        self.assertEqual(len(bodies), 1)
        for r in self.hook.requests:
            self.assertTrue(
                signing.verify(self.endpoint.secret, r["body"], r["headers"]["Appwarden-Signature"])
            )

    @override_settings(APPWARDEN_NOTIFY_MAX_ATTEMPTS=2)
    def test_gives_up_after_max_attempts(self):
        self.hook.script = [(500, {}, 0.0)]
        delivery = self.send()
        services.deliver(delivery.pk)
        self.assertEqual(services.deliver(delivery.pk, force=True), D_FAILED)
        self.assertEqual(len(self.hook.requests), 2)
        self.assertEqual(services.deliver(delivery.pk, force=True), "skipped")

    def test_ssrf_refused_at_delivery_when_not_allowed(self):
        delivery = self.send()
        with override_settings(APPWARDEN_WEBHOOK_ALLOW_PRIVATE=False):
            self.assertEqual(services.deliver(delivery.pk), D_FAILED)
            with self.assertRaises(manage.NotifySettingsError):
                manage.create_endpoint(self.user, url=self.hook.url)
        delivery.refresh_from_db()
        self.assertIn("内网或本机", delivery.last_error)
        self.assertIsNone(delivery.last_status_code)
        self.assertEqual(self.hook.requests, [])  # nothing was sent

    def test_redirect_to_another_host_not_followed(self):
        other = Hook()
        self.addCleanup(other.close)
        self.hook.script = [(302, {"Location": f"http://localhost:{other.port}/steal"}, 0.0)]
        delivery = self.send()
        self.assertEqual(services.deliver(delivery.pk), D_FAILED)
        delivery.refresh_from_db()
        self.assertIn("redirect to another host refused", delivery.last_error)
        self.assertEqual(len(self.hook.requests), 1)
        self.assertEqual(other.requests, [])

    def test_same_host_redirect_followed(self):
        self.hook.script = [(307, {"Location": "/final"}, 0.0), (200, {}, 0.0)]
        delivery = self.send()
        self.assertEqual(services.deliver(delivery.pk), D_DELIVERED)
        self.assertEqual([r["path"] for r in self.hook.requests], ["/hook", "/final"])
        self.assertEqual(self.hook.requests[0]["body"], self.hook.requests[1]["body"])

    @override_settings(APPWARDEN_WEBHOOK_TIMEOUT=0.3)
    def test_timeout_is_retried(self):
        self.hook.script = [(200, {}, 1.5)]
        delivery = self.send()
        started = time.monotonic()
        self.assertEqual(services.deliver(delivery.pk), D_PENDING)
        self.assertLess(time.monotonic() - started, 1.4)
        delivery.refresh_from_db()
        self.assertIn("超时", delivery.last_error)

    def test_inactive_endpoint_gets_nothing_and_events_filter(self):
        manage.update_endpoint(self.user, self.endpoint, events=[ev.ORDER_ISSUED])
        with self.captureOnCommitCallbacks(execute=True):
            n = services.notify(ev.PING, self.party, key="x", subject="s", body="b", data={})
        self.assertFalse(n.deliveries.filter(channel="webhook").exists())
        with self.assertRaises(manage.NotifySettingsError):  # a store event is not a company's
            manage.update_endpoint(self.user, self.endpoint, events=[ev.TAKEDOWN_ORDERED])


@override_settings(APPWARDEN_NOTIFY_MODE="eager", APPWARDEN_WEBHOOK_ALLOW_PRIVATE=True)
class EventTests(TestCase):
    """Each hooked event reaches its party by email (outbox) once."""

    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.regulator.email = "regulator@gov.example"
        self.regulator.save()
        self.company = pf.company("整改科技有限公司")
        Contact.objects.create(company=self.company, name="张三", email="zhangsan@corp.example")
        self.store = pf.store("甲应用市场")
        self.store.contact_email = "ops@store.example"
        self.store.save()
        rep = pf.report(
            "com.notify.app", "1.0", [pf.finding("pi.device_id.pre_consent", ["RD-3.1"])], label="通知应用"
        )
        self.job = pf.scanned_job(self.reviewer, self.engine.add("notify", rep), company=self.company)
        self.version = self.job.app_version
        pf.listing(self.store, self.version.app)
        self.finding = Finding.objects.get(job=self.job)
        testing.review_finding(self.finding, user=self.reviewer, action="confirm", reason="ok")
        mail.outbox.clear()

    def issue(self):
        with self.captureOnCommitCallbacks(execute=True):
            return workflow.issue_order(
                self.version, [self.finding], user=self.reviewer, reason="违规", working_days=5
            )

    def test_order_issued_emails_the_company_contact(self):
        order = self.issue()
        self.assertEqual(len(mail.outbox), 1)
        msg = mail.outbox[0]
        self.assertEqual(msg.to, ["zhangsan@corp.example"])
        self.assertIn(order.number, msg.subject)
        self.assertIn("责令整改通知", msg.subject)
        self.assertIn(f"{order.deadline:%Y-%m-%d}", msg.body)
        self.assertIn(f"/enforcement/orders/{order.pk}/", msg.body)
        self.assertEqual(msg.extra_headers["X-Appwarden-Event"], "order.issued")
        n = Notification.objects.get(event=ev.ORDER_ISSUED)
        self.assertEqual((n.party_kind, n.company_id), ("company", self.company.pk))
        self.assertEqual(n.deliveries.get().status, D_DELIVERED)

    def test_configured_recipients_replace_the_contacts_and_filter_events(self):
        user = pf.user("company", company=self.company)
        manage.create_recipient(user, email="legal@corp.example", events=[ev.ORDER_ISSUED])
        manage.create_recipient(user, email="it@corp.example", events=[ev.COMPLAINT_FORWARDED])
        self.issue()
        self.assertEqual([m.to for m in mail.outbox], [["legal@corp.example"]])

    def deadlines(self, day):
        with self.captureOnCommitCallbacks(execute=True):
            return services.notify_deadlines(day)

    def test_deadline_soon_and_overdue_once_each(self):
        order = self.issue()
        mail.outbox.clear()
        # far from the deadline: nothing
        self.assertEqual(self.deadlines(order.issued_at.date()), {"deadline_soon": 0, "overdue": 0})
        soon = order.deadline - dt.timedelta(days=1)
        while soon.weekday() >= 5:
            soon -= dt.timedelta(days=1)
        self.assertEqual(self.deadlines(soon)["deadline_soon"], 1)
        self.assertEqual(self.deadlines(soon)["deadline_soon"], 0)  # idempotent
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("整改期限提醒", mail.outbox[0].subject)
        self.assertIn("剩余 1 个工作日", mail.outbox[0].subject)
        mail.outbox.clear()
        late = order.deadline + dt.timedelta(days=1)
        self.assertEqual(self.deadlines(late)["overdue"], 2)  # the company and the regulators
        self.assertEqual(self.deadlines(late)["overdue"], 0)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["regulator@gov.example", "zhangsan@corp.example"]
        )
        self.assertTrue(all("整改逾期" in m.subject for m in mail.outbox))
        # an answered order is not reminded
        order.state = "responded"
        order.save()
        Notification.objects.all().delete()
        self.assertEqual(self.deadlines(late), {"deadline_soon": 0, "overdue": 0})

    def test_notify_deadlines_command(self):
        order = self.issue()
        mail.outbox.clear()
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command(
                "notify_deadlines", date=(order.deadline + dt.timedelta(days=3)).isoformat(), stdout=out
            )
        self.assertIn("overdue 2", out.getvalue())
        self.assertEqual(len(mail.outbox), 2)
        with self.assertRaises(CommandError):
            call_command("notify_deadlines", date="yesterday")
        out = io.StringIO()
        call_command("notify-deadlines", date=(order.deadline + dt.timedelta(days=3)).isoformat(), stdout=out)
        self.assertIn("overdue 0", out.getvalue())  # the hyphenated name is the same command; nothing twice

    def test_takedown_ordered_emails_the_store(self):
        order = self.issue()
        notice = workflow.create_notice_batch(user=self.regulator, title="通报")
        order.deadline = timezone.localdate() - dt.timedelta(days=1)
        order.save()
        workflow.escalate(order, user=self.regulator, reason="逾期", notice=notice)
        workflow.publish_notice(notice, user=self.regulator)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            workflow.order_takedown(order, user=self.regulator, reason="下架")
        self.assertEqual([m.to for m in mail.outbox], [["ops@store.example"]])
        self.assertIn("下架通知", mail.outbox[0].subject)
        self.assertIn("com.notify.app", mail.outbox[0].body)

    def test_prelisting_verdict_emails_the_store(self):
        from appwarden.platform.prelisting import services as prelisting

        store_user = pf.user("store", store=self.store)
        rep = pf.report("com.notify.new", "2.0", [pf.finding("x.rule", ["RD-3.1"], severity="high")])
        data = self.engine.add("pre", rep)
        check = prelisting.submit(io.BytesIO(data), store=self.store, user=store_user, listing={})
        with self.captureOnCommitCallbacks(execute=True):
            testing.run_scan(check.job_id)
        self.assertEqual([m.to for m in mail.outbox], [["ops@store.example"]])
        self.assertIn(f"上架前检测】#{check.pk}", mail.outbox[0].subject)
        self.assertIn("不通过 fail", mail.outbox[0].subject)
        payload = Notification.objects.get(event=ev.PRELISTING_VERDICT).payload
        self.assertEqual(payload["data"]["verdict"], "fail")
        self.assertEqual(payload["data"]["findings"]["total"], 1)

    def test_complaint_forwarded_emails_the_company(self):
        try:
            forward_model = apps.get_model("complaints", "ComplaintForward")
        except LookupError:
            self.skipTest("complaints.ComplaintForward does not exist in this tree")
        from appwarden.platform.complaints.models import Complaint

        complaint = Complaint.objects.create(
            app_name="通知应用", description="偷偷读取通讯录", app=self.version.app
        )
        with self.captureOnCommitCallbacks(execute=True):
            forward = forward_model.objects.create(
                number="ZB-TEST-1",
                complaint=complaint,
                app=self.version.app,
                company=self.company,
                instructions="请核查并答复",
                deadline=timezone.localdate() + dt.timedelta(days=14),
            )
        self.assertEqual([m.to for m in mail.outbox], [["zhangsan@corp.example"]])
        self.assertIn("投诉转办", mail.outbox[0].subject)
        self.assertIn("请核查并答复", mail.outbox[0].body)
        self.assertIn(f"/complaints/forwards/{forward.pk}/", mail.outbox[0].body)

    def test_sdk_order_emails_the_vendor(self):
        try:
            sdk_order = apps.get_model("enforcement", "SdkOrder")
        except LookupError:
            self.skipTest("enforcement.SdkOrder does not exist in this tree")
        vendor = SdkVendor.objects.create(
            name="某推送厂商", sdk_ids=["demo.push"], contact_email="sdk@vendor.example"
        )
        with self.captureOnCommitCallbacks(execute=True):
            sdk_order.objects.create(
                number="SDK-TEST-1", vendor=vendor, sdk_ids=["demo.push"], deadline=timezone.localdate()
            )
        self.assertEqual([m.to for m in mail.outbox], [["sdk@vendor.example"]])
        self.assertIn("SDK整改通知", mail.outbox[0].subject)
        self.assertIn("SDK-TEST-1", mail.outbox[0].subject)

    def test_sdk_order_and_complaint_deadlines(self):
        try:
            sdk_order = apps.get_model("enforcement", "SdkOrder")
            forward_model = apps.get_model("complaints", "ComplaintForward")
        except LookupError:
            self.skipTest("SDK orders or complaint forwarding do not exist in this tree")
        from appwarden.platform.complaints.models import Complaint

        vendor = SdkVendor.objects.create(
            name="期限厂商", sdk_ids=["d.sdk"], contact_email="d@vendor.example"
        )
        due = dt.date(2026, 12, 9)  # a Wednesday
        sdk = sdk_order.objects.create(number="SDK-D-1", vendor=vendor, sdk_ids=["d.sdk"], deadline=due)
        complaint = Complaint.objects.create(app_name="x", description="y", app=self.version.app)
        forward_model.objects.create(
            number="ZB-D-1",
            complaint=complaint,
            app=self.version.app,
            company=self.company,
            instructions="i",
            deadline=due,
        )
        mail.outbox.clear()
        self.assertEqual(
            self.deadlines(dt.date(2026, 12, 7))["deadline_soon"], 2
        )  # Monday: 2 working days left
        self.assertEqual(
            sorted((m.to[0], m.subject.split("】")[1].split()[0]) for m in mail.outbox),
            [("d@vendor.example", "SDK-D-1"), ("zhangsan@corp.example", "ZB-D-1")],
        )
        self.assertIn(
            f"/my-sdk/orders/{sdk.pk}/", next(m.body for m in mail.outbox if "SDK-D-1" in m.subject)
        )
        mail.outbox.clear()
        self.assertEqual(
            self.deadlines(dt.date(2026, 12, 10))["overdue"], 4
        )  # each to its party + regulators
        self.assertEqual(self.deadlines(dt.date(2026, 12, 10))["overdue"], 0)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["d@vendor.example", "regulator@gov.example", "regulator@gov.example", "zhangsan@corp.example"],
        )

    def test_notify_party_signal(self):
        from appwarden.platform.notifications.receivers import notify_party

        with self.captureOnCommitCallbacks(execute=True):
            notify_party.send(
                sender=None,
                event=ev.PING,
                party_kind="staff",
                key="k",
                subject="自定义 custom",
                body="b",
                data={},
            )
        self.assertEqual([m.to for m in mail.outbox], [["regulator@gov.example"]])

    def test_email_failure_is_recorded_and_retried(self):
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT=1):
            self.issue()
        delivery = Delivery.objects.get(channel="email")
        self.assertEqual((delivery.status, delivery.attempts), (D_PENDING, 1))
        self.assertTrue(delivery.last_error)
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        self.assertEqual(services.deliver_due(), 1)
        self.assertEqual(Delivery.objects.get(pk=delivery.pk).status, D_DELIVERED)
        self.assertEqual(len(mail.outbox), 1)


class ScopingTests(TestCase):
    """Each party sees and changes only its own settings and notifications (404 outside, like any object)."""

    def setUp(self):
        self.a, self.b = pf.company("甲公司"), pf.company("乙公司")
        self.ua, self.ub = pf.user("company", company=self.a), pf.user("company", company=self.b)
        self.store = pf.store()
        self.us = pf.user("store", store=self.store)
        self.vendor = SdkVendor.objects.create(name="厂商甲", sdk_ids=["x.sdk"])
        self.uv = pf.user("sdk_vendor", sdk_vendor=self.vendor)
        self.reviewer, self.regulator = pf.user("reviewer"), pf.user("regulator")
        with override_settings(APPWARDEN_WEBHOOK_ALLOW_PRIVATE=True):
            self.ea = manage.create_endpoint(self.ua, url="http://127.0.0.1:9/a")
            self.es = manage.create_endpoint(self.us, url="http://127.0.0.1:9/s")
            self.ev = manage.create_endpoint(self.uv, url="http://127.0.0.1:9/v")
            self.estaff = manage.create_endpoint(self.reviewer, url="http://127.0.0.1:9/staff")
        services.notify(ev.PING, Party(ev.COMPANY, self.a.pk), key="1", subject="甲的通知", body="", data={})

    def api(self, user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
        return client

    def ids(self, user, route="notification-endpoints") -> set[int]:
        resp = self.api(user).get(f"/api/{route}/")
        self.assertEqual(resp.status_code, 200)
        return {row["id"] for row in resp.json()["results"]}

    def test_lists_are_scoped(self):
        self.assertEqual(self.ids(self.ua), {self.ea.pk})
        self.assertEqual(self.ids(self.ub), set())
        self.assertEqual(self.ids(self.us), {self.es.pk})
        self.assertEqual(self.ids(self.uv), {self.ev.pk})
        self.assertEqual(self.ids(self.reviewer), {self.ea.pk, self.es.pk, self.ev.pk, self.estaff.pk})
        self.assertEqual(len(self.ids(self.ua, "notifications")), 1)
        for user in (self.ub, self.us, self.uv):
            self.assertEqual(self.ids(user, "notifications"), set())

    def test_foreign_rows_are_404_and_unchanged(self):
        for user in (self.ub, self.us, self.uv):
            client = self.api(user)
            self.assertEqual(client.get(f"/api/notification-endpoints/{self.ea.pk}/").status_code, 404)
            self.assertEqual(
                client.patch(f"/api/notification-endpoints/{self.ea.pk}/", {"active": False}).status_code, 404
            )
            self.assertEqual(client.delete(f"/api/notification-endpoints/{self.ea.pk}/").status_code, 404)
            self.assertEqual(
                client.post(f"/api/notification-endpoints/{self.ea.pk}/rotate_secret/").status_code, 404
            )
            n = Notification.objects.get()
            self.assertEqual(client.get(f"/api/notifications/{n.pk}/").status_code, 404)
        self.ea.refresh_from_db()
        self.assertTrue(self.ea.active)

    def test_reviewer_cannot_change_a_company_endpoint_regulator_can(self):
        resp = self.api(self.reviewer).patch(
            f"/api/notification-endpoints/{self.ea.pk}/", {"active": False}, format="json"
        )
        self.assertEqual(resp.status_code, 403)
        resp = self.api(self.regulator).patch(
            f"/api/notification-endpoints/{self.ea.pk}/", {"active": False}, format="json"
        )
        self.assertEqual(resp.status_code, 200)
        self.ea.refresh_from_db()
        self.assertFalse(self.ea.active)

    @override_settings(APPWARDEN_WEBHOOK_ALLOW_PRIVATE=False)
    def test_api_create_shows_secret_once_refuses_private_and_bad_events(self):
        client = self.api(self.ua)
        resp = client.post("/api/notification-endpoints/", {"url": "http://10.0.0.5/h"}, format="json")
        self.assertEqual(resp.status_code, 400)
        self.assertIn("内网或本机", resp.json()["detail"])
        resp = client.post(
            "/api/notification-endpoints/",
            {"url": "https://93.184.215.14/h", "events": ["takedown.ordered"]},
            format="json",
        )
        self.assertEqual(resp.status_code, 400)
        resp = client.post(
            "/api/notification-endpoints/",
            {"url": "https://93.184.215.14/h", "events": ["order.issued"]},
            format="json",
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        secret = resp.json()["secret"]
        self.assertTrue(secret.startswith("whsec_"))
        pk = resp.json()["id"]
        self.assertNotIn("secret", client.get(f"/api/notification-endpoints/{pk}/").json())
        self.assertEqual(Endpoint.objects.get(pk=pk).company_id, self.a.pk)
        rotated = client.post(f"/api/notification-endpoints/{pk}/rotate_secret/").json()["secret"]
        self.assertNotEqual(rotated, secret)
        # the secret never reaches the audit log
        for row in AuditLog.objects.filter(model="notifications.endpoint"):
            self.assertNotIn(secret, json.dumps(row.data, ensure_ascii=False))
            self.assertNotIn(rotated, json.dumps(row.data, ensure_ascii=False))
            self.assertEqual(row.data.get("secret"), "<omitted>")

    def test_recipients_api(self):
        client = self.api(self.us)
        resp = client.post("/api/notification-recipients/", {"email": "not-an-email"}, format="json")
        self.assertEqual(resp.status_code, 400)
        resp = client.post(
            "/api/notification-recipients/",
            {"email": "ops@s.example", "events": ["prelisting.verdict"]},
            format="json",
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        self.assertEqual(EmailRecipient.objects.get().store_id, self.store.pk)
        self.assertEqual(self.ids(self.ua, "notification-recipients"), set())
        self.assertEqual(
            self.api(self.ua).delete(f"/api/notification-recipients/{resp.json()['id']}/").status_code, 404
        )

    def test_web_page_per_party(self):
        self.client.force_login(self.ua)
        html = self.client.get("/notifications/").content.decode()
        self.assertIn("http://127.0.0.1:9/a", html)
        for other in ("http://127.0.0.1:9/s", "http://127.0.0.1:9/v", "http://127.0.0.1:9/staff"):
            self.assertNotIn(other, html)
        self.assertNotIn(self.ea.secret, html)  # only shown when created or rotated
        self.assertIn("甲的通知", html)
        self.assertEqual(self.client.post(f"/notifications/endpoints/{self.es.pk}/delete/").status_code, 404)
        resp = self.client.post(f"/notifications/endpoints/{self.ea.pk}/rotate/")
        self.ea.refresh_from_db()
        self.assertIn(self.ea.secret, resp.content.decode())
        self.client.force_login(self.regulator)
        html = self.client.get("/notifications/").content.decode()
        self.assertIn('id="all-endpoints"', html)
        self.assertIn("http://127.0.0.1:9/v", html)
        self.client.logout()
        self.assertEqual(self.client.get("/notifications/").status_code, 302)  # login first

    def test_web_forms_need_csrf(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.ua)
        self.assertEqual(
            client.post("/notifications/recipients/new/", {"email": "a@b.example"}).status_code, 403
        )
        self.assertFalse(EmailRecipient.objects.exists())

    def test_staff_party_falls_back_to_regulators(self):
        self.regulator.email = "r@gov.example"
        self.regulator.save()
        from appwarden.platform.notifications.parties import email_recipients

        self.assertEqual(email_recipients(STAFF_P, ev.ORDER_OVERDUE), ["r@gov.example"])


@pytest.mark.slow
def test_cli_commands(tmp_path):
    """``appwarden notify-deadlines`` / ``early-warning-digest`` run against a data directory; a bad date is one
    line on stderr and exit 2."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["APPWARDEN_DATA_DIR"] = str(tmp_path)

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "appwarden", *args, "--data-dir", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    ok = run("notify-deadlines")
    assert ok.returncode == 0, ok.stderr
    assert "deadline_soon 0, overdue 0" in ok.stdout
    bad = run("notify-deadlines", "--date", "tomorrow")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "YYYY-MM-DD" in bad.stderr
    digest = run("early-warning-digest")
    assert digest.returncode == 0, digest.stderr
    assert "sent" in digest.stdout
    again = run("early-warning-digest")
    assert "already sent today" in again.stdout
