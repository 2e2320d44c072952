"""The platform against a distrustful party (December 2026 attacker pass; docs/platform.md "Attacker pass"):
each test is an attack that worked before its fix. Also run on PostgreSQL by ``test_services.py`` when listed
there."""

from __future__ import annotations

import datetime as dt

import platform_factories as pf
from django.test import Client, TestCase, override_settings
from django.utils import timezone
from rest_framework.test import APIClient
from test_early_warning import EarlyWarningCase, screening
from test_sdk_orders import SdkOrderBase, _report

from appwarden.platform.core import tokens
from appwarden.platform.core.errors import TransitionError
from appwarden.platform.enforcement import sdk_workflow, workflow
from appwarden.platform.enforcement.models import RectificationOrder
from appwarden.platform.testing import engine, services


class SdkDemoApkTests(SdkOrderBase):
    """An SDK vendor answers with a "demo APK" that does not embed the ordered SDK (or embeds an older version than
    the one it claims fixes the problem): with the affected apps not re-scanned yet, that demo alone made the
    re-test pass, and a reviewer could close the order on it."""

    def _retest_with_demo(self, rep: dict):
        order = self.issue()
        sdk_workflow.respond(
            order,
            user=self.vendor_user_a,
            explanation="已在2.0版本修复",
            new_sdk_version="2.0",
            demo_apk=self.eng.add("demo-" + str(len(self.eng.reports)), rep),
            file_name="demo.apk",
        )
        sdk_workflow.start_retest(order, user=self.reviewer, reason="复测")
        services.run_scan(order.retests.get().demo_job_id)
        order.refresh_from_db()
        return order, order.retests.get().diff

    def test_a_demo_without_the_ordered_sdk_proves_nothing(self):
        rep = _report("com.vendor.empty", "1.0", [], label="空壳")
        rep["sdks"] = [s for s in rep["sdks"] if s["id"] != "sdk.a"]  # sdk.a is not in the APK at all
        order, diff = self._retest_with_demo(rep)
        self.assertEqual([r["status"] for r in diff["apps"]], ["pending", "pending"])
        self.assertEqual(diff["demo"]["status"], "not_retested")
        self.assertIn("未嵌入", diff["demo"]["note_zh"])
        self.assertFalse(diff["passed"])
        with self.assertRaises(TransitionError):
            sdk_workflow.close(order, user=self.reviewer, reason="已整改")
        order.refresh_from_db()
        self.assertNotEqual(order.state, "closed")

    def test_a_demo_on_an_older_sdk_version_proves_nothing(self):
        _order, diff = self._retest_with_demo(_report("com.vendor.old", "1.0", [], sdk_version="1.0"))
        self.assertEqual(diff["demo"]["status"], "not_retested")
        self.assertIn("1.0", diff["demo"]["note_zh"])
        self.assertFalse(diff["passed"])

    def test_a_real_later_app_scan_still_passes_after_a_useless_demo(self):
        rep = _report("com.vendor.empty", "1.0", [])
        rep["sdks"] = []
        order, _diff = self._retest_with_demo(rep)
        self.rescan("x", "x-fixed", [pf.finding("r.host", ["RD-3.1"])], sdk_version="2.0")
        order.refresh_from_db()
        diff = order.retests.get().diff
        self.assertEqual(diff["demo"]["status"], "not_retested")
        self.assertTrue(diff["passed"])


class LateResponseTests(TestCase):
    """A company answers its order after the deadline, before the periodic ``surface_overdue`` has stamped it: the
    answer moved the order to 企业已答复 and nothing anywhere said it came late (the 逾期 mark is shown only while the
    order waits), so a late answer read like a timely one."""

    def setUp(self):
        self.eng = pf.ReportEngine()
        engine.use_engine(self.eng)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.company = pf.company("迟答公司")
        self.user = pf.user("company", company=self.company)
        rep = pf.report("com.late.app", "1.0", [pf.finding("r.late", ["RD-3.1"])])
        job = pf.scanned_job(self.reviewer, self.eng.add("late", rep), company=self.company)
        finding = job.findings.get()
        services.review_finding(finding, user=self.reviewer, action="confirm", reason="ok")
        self.order = workflow.issue_order(job.app_version, [finding], user=self.reviewer, reason="r")
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(self.user)}")

    def _answer(self):
        resp = self.api.post(
            f"/api/orders/{self.order.pk}/respond/", {"explanation": "已整改"}, format="json"
        )
        self.assertEqual(resp.status_code, 200, resp.content)
        return resp.json()

    def test_a_late_answer_is_marked_late(self):
        RectificationOrder.objects.filter(pk=self.order.pk).update(
            deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        body = self._answer()
        self.assertTrue(body["responses"][0]["late"])
        self.assertIsNotNone(body["overdue_since"])  # the order keeps the fact that it went overdue
        web = Client()
        web.force_login(self.user)
        page = web.get(f"/enforcement/orders/{self.order.pk}/").content.decode()
        self.assertIn('class="late ', page)
        self.assertIn("逾期提交", page)

    def test_a_timely_answer_is_not(self):
        body = self._answer()
        self.assertFalse(body["responses"][0]["late"])
        self.assertIsNone(body["overdue_since"])
        web = Client()
        web.force_login(self.user)
        self.assertNotIn("逾期提交", web.get(f"/enforcement/orders/{self.order.pk}/").content.decode())


class TextLimitTests(TestCase):
    """Free text from a party the platform does not trust had no upper bound where the API had one (or where
    nothing had one): an anonymous complainant stored up to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (10 MB) of description
    per complaint (30 an hour per address), rendered on the staff pages and into the 投诉转办单 PDF; a company's or
    SDK vendor's web answer up to 10 MB where the API takes 10,000 characters."""

    COMPLAINT = {
        "app_name": "某应用",
        "package": "com.example.app",
        "store_name": "",
        "category": "other",
        "reporter_name": "",
        "reporter_contact": "",
    }

    def test_a_public_complaint_description_is_bounded(self):
        from appwarden.platform.complaints.models import Complaint

        long_text = "未经同意收集通讯录" * 1000  # 9,000 characters
        api = APIClient().post(
            "/api/public/complaints/", {**self.COMPLAINT, "description": long_text}, format="json"
        )
        self.assertEqual(api.status_code, 400)
        self.assertIn("description", api.json())
        web = Client().post("/complaints/new/", {**self.COMPLAINT, "description": long_text})
        self.assertEqual(web.status_code, 200)
        self.assertIn("5000", web.content.decode())  # the form says why
        self.assertFalse(Complaint.objects.exists())
        ok = APIClient().post(
            "/api/public/complaints/", {**self.COMPLAINT, "description": "收集通讯录" * 100}, format="json"
        )
        self.assertEqual(ok.status_code, 201)

    def test_web_answers_are_bounded_like_the_api(self):
        eng = pf.ReportEngine()
        engine.use_engine(eng)
        self.addCleanup(engine.use_engine, None)
        reviewer = pf.user("reviewer")
        company = pf.company("长文公司")
        user = pf.user("company", company=company)
        rep = pf.report("com.long.app", "1.0", [pf.finding("r.long", ["RD-3.1"])])
        job = pf.scanned_job(reviewer, eng.add("long", rep), company=company)
        finding = job.findings.get()
        services.review_finding(finding, user=reviewer, action="confirm", reason="ok")
        order = workflow.issue_order(job.app_version, [finding], user=reviewer, reason="r")
        web = Client()
        web.force_login(user)
        resp = web.post(
            f"/enforcement/orders/{order.pk}/respond/", {"explanation": "改" * 10001}, follow=True
        )
        self.assertIn("不超过10000字", resp.content.decode())
        order.refresh_from_db()
        self.assertEqual(order.state, "issued")
        self.assertFalse(order.responses.exists())
        web.post(f"/enforcement/orders/{order.pk}/respond/", {"explanation": "改" * 10000})
        order.refresh_from_db()
        self.assertEqual(order.state, "responded")


class WebhookSsrfTests(TestCase):
    """A party registers a webhook whose address is an IPv6 6to4 address (``2002::/16``) embedding a loopback or
    private IPv4 address: Python 3.11's ``is_global`` calls 6to4 global, so the SSRF guard let it through (on a
    host with a 6to4 route that reaches the embedded address)."""

    def test_6to4_addresses_embedding_internal_ipv4_are_refused(self):
        from appwarden.platform.notifications import webhook

        for embedded in (
            "7f00:1",
            "a9fe:a9fe",
            "0a00:1",
            "c0a8:101",
        ):  # 127.0.0.1, 169.254.169.254, 10/8, 192.168
            with self.assertRaises(webhook.UrlRefused, msg=embedded):
                webhook.validate(f"http://[2002:{embedded}::1]/hook", allow_private=False)
        webhook.validate("http://[2002:5db8:d70e::1]/hook", allow_private=False)  # 93.184.215.14: public


class ApiRequestLimitTests(TestCase):
    """Requests past Django's limits (more than ``DATA_UPLOAD_MAX_NUMBER_FILES`` files, a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``) were refused with the web's HTML 400 page on the API too: an API client got HTML
    without the reason; the API answers JSON (``detail``, one line naming the limit) like its other errors."""

    def test_too_many_files_and_too_big_a_body_are_json_on_the_api(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(pf.user('reviewer'))}")
        files = {f"f{i}": SimpleUploadedFile(f"a{i}.apk", b"x") for i in range(150)}
        resp = api.post("/api/jobs/", files, format="multipart")
        self.assertEqual(resp.status_code, 400)
        self.assertIn("文件过多", resp.json()["detail"])
        resp = APIClient().post(
            "/api/public/complaints/", {"description": "x" * (11 * 1024 * 1024)}, format="json"
        )
        self.assertEqual(resp.status_code, 400)
        self.assertIn("请求体过大", resp.json()["detail"])
        self.assertNotIn("\n", resp.json()["detail"])
        # the web pages keep their HTML page
        web = Client()
        web.force_login(pf.user("reviewer"))
        page = web.post(
            "/testing/upload/", {"apk": [SimpleUploadedFile(f"a{i}.apk", b"x") for i in range(150)]}
        )
        self.assertEqual(page.status_code, 400)
        self.assertIn("text/html", page["Content-Type"])


class SdkRetestSignerTests(SdkOrderBase):
    """A store operator (an app store that also ships an SDK, or one colluding with its vendor) submits a pre-listing
    check of an APK that only carries an affected app's package name — signed by someone else, embedding the fixed
    SDK version, none of the findings: it was taken as that app's re-test scan and made the SDK order pass."""

    def test_a_scan_of_another_signer_is_no_retest_of_the_app(self):
        from appwarden.platform.prelisting import services as prelisting

        order = self.issue()
        sdk_workflow.respond(order, user=self.vendor_user_a, explanation="已修复", new_sdk_version="2.0")
        sdk_workflow.start_retest(order, user=self.reviewer, reason="复测")
        fake = _report("com.x.app", "3.0", [], sdk_version="2.0", label="应用x")
        fake["app"]["signers"] = [{"subject": "CN=Someone Else", "sha256": "cd" * 32}]
        store = pf.store("厂商自营商店")
        check = prelisting.submit(
            self.eng.add("x-fake", fake), store=store, user=pf.user("store", store=store)
        )
        services.run_scan(check.job_id)
        order.refresh_from_db()
        diff = sdk_workflow.evaluate(order)
        row = next(r for r in diff["apps"] if r["package"] == "com.x.app")
        self.assertEqual(row["status"], "pending")
        self.assertIn("签名", row["note_zh"])
        self.assertFalse(diff["passed"])
        self.assertEqual(order.state, "retesting")
        # the app's own next build (the ordered signer) still counts
        self.rescan("x", "x-real", [pf.finding("r.host", ["RD-3.1"])], sdk_version="2.0")
        order.refresh_from_db()
        self.assertTrue(order.retests.get().diff["passed"])


class PingThrottleTests(TestCase):
    """A company adds any address as an email recipient (or any public URL as a webhook) and presses 测试 Ping in a
    loop: every ping was a new email from the platform's mail server and a new POST, without any limit (a spam and
    request relay in the regulator's name). One ping per party a minute now; the next gets 429 with Retry-After."""

    def test_ping_is_throttled_per_party(self):
        from django.core import mail

        from appwarden.platform.notifications.models import Notification

        company = pf.company("乒乓公司")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(pf.user('company', company=company))}")
        resp = api.post("/api/notification-recipients/", {"email": "victim@example.com"}, format="json")
        self.assertEqual(resp.status_code, 201)
        from appwarden.platform.notifications.models import Endpoint

        endpoint = Endpoint.objects.create(
            url="https://hooks.example/x", party_kind="company", company=company
        )
        answers = [api.post(f"/api/notification-endpoints/{endpoint.pk}/ping/").status_code for _ in range(5)]
        self.assertEqual(answers, [201, 429, 429, 429, 429])
        refused = api.post(f"/api/notification-endpoints/{endpoint.pk}/ping/")
        self.assertGreater(int(refused["Retry-After"]), 0)
        self.assertIn("过于频繁", refused.json()["detail"])
        self.assertEqual(Notification.objects.filter(event="ping").count(), 1)
        self.assertLessEqual(len(mail.outbox), 1)
        # another party is not held back by this one
        other = pf.company("另一公司")
        ep2 = Endpoint.objects.create(url="https://hooks.example/y", party_kind="company", company=other)
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(pf.user('company', company=other))}")
        self.assertEqual(api.post(f"/api/notification-endpoints/{ep2.pk}/ping/").status_code, 201)
        # a minute later the first party may ping again
        Notification.objects.filter(company=company).update(
            created_at=timezone.now() - dt.timedelta(minutes=2)
        )
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(pf.user('company', company=company))}")
        self.assertEqual(api.post(f"/api/notification-endpoints/{endpoint.pk}/ping/").status_code, 201)

    def test_a_party_has_a_bounded_number_of_recipients_and_endpoints(self):
        from appwarden.platform.notifications import manage
        from appwarden.platform.notifications.models import EmailRecipient, Endpoint

        company = pf.company("群发公司")
        user = pf.user("company", company=company)
        for i in range(manage.MAX_RECIPIENTS):
            manage.create_recipient(user, email=f"r{i}@example.com")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
        resp = api.post("/api/notification-recipients/", {"email": "one-more@example.com"}, format="json")
        self.assertEqual(resp.status_code, 400)
        self.assertIn(str(manage.MAX_RECIPIENTS), resp.json()["detail"])
        self.assertEqual(EmailRecipient.objects.filter(company=company).count(), manage.MAX_RECIPIENTS)
        for i in range(manage.MAX_ENDPOINTS):
            Endpoint.objects.create(url=f"https://hooks.example/{i}", party_kind="company", company=company)
        with self.assertRaises(manage.NotifySettingsError):
            manage.create_endpoint(user, url="https://93.184.215.14/hook")
        self.assertEqual(Endpoint.objects.filter(company=company).count(), manage.MAX_ENDPOINTS)


@override_settings(APPWARDEN_NOTIFY_MODE="eager")
class EmailSubjectTests(TestCase):
    """An app's label is the APK author's text and goes into email subjects (责令整改通知 to the company, 下架通知 to
    every store listing it). A label with a line break made Django refuse the header (BadHeaderError), so the email
    was never sent, retried until it failed: an app author could keep the stores' takedown emails (and its own
    company's order email, then claim it was never notified) from going out."""

    def test_a_label_with_line_breaks_does_not_stop_the_emails(self):
        from django.core import mail

        from appwarden.platform.enforcement.models import TakedownOrder
        from appwarden.platform.notifications.models import Delivery
        from appwarden.platform.registry.models import Contact

        eng = pf.ReportEngine()
        engine.use_engine(eng)
        self.addCleanup(engine.use_engine, None)
        reviewer, regulator = pf.user("reviewer"), pf.user("regulator")
        company = pf.company("换行科技")
        Contact.objects.create(company=company, name="联系人", email="contact@corp.example")
        store = pf.store("甲市场")
        store.contact_email = "ops@store.example"
        store.save()
        label = "正常应用\r\nBcc: victim@example.com\n\u2028第二行"
        rep = pf.report("com.newline.app", "1.0", [pf.finding("r.nl", ["RD-3.1"])], label=label)
        job = pf.scanned_job(reviewer, eng.add("nl", rep), company=company)
        listing = pf.listing(store, job.app_version.app)
        finding = job.findings.get()
        services.review_finding(finding, user=reviewer, action="confirm", reason="ok")
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            order = workflow.issue_order(job.app_version, [finding], user=reviewer, reason="违规")
        with self.captureOnCommitCallbacks(execute=True):
            TakedownOrder.objects.create(order=order, listing=listing, issued_by=regulator)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["contact@corp.example", "ops@store.example"])
        for m in mail.outbox:
            self.assertNotIn("\n", m.subject)
            self.assertNotIn("\r", m.subject)
            self.assertEqual(m.bcc, [])
            m.message()  # the headers Django would write: no BadHeaderError
        self.assertFalse(Delivery.objects.filter(channel="email").exclude(status="delivered").exists())


class SelfcheckQueueTests(TestCase):
    """A company's self-assessments run in the scan workers the regulator's tests use, each on an APK of up to
    ``APPWARDEN_MAX_UPLOAD``; there was no bound on how many a company could queue (a loop of uploads filled the queue
    and the storage). At most ``APPWARDEN_SELFCHECK_MAX_PENDING`` (5) queued or running per company: the next one is
    refused (429, nothing stored) until some finish; other companies are not held back."""

    def test_a_company_cannot_flood_the_scan_queue(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from appwarden.platform.core import storage
        from appwarden.platform.selfcheck.models import SelfAssessment

        company = pf.company("刷队列公司")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(pf.user('company', company=company))}")

        def submit(tag: str):
            apk = SimpleUploadedFile(f"{tag}.apk", pf.fake_apk(tag))
            return api.post("/api/selfchecks/", {"apk": apk}, format="multipart")

        codes = [submit(f"flood{i}").status_code for i in range(5)]
        self.assertEqual(codes, [201] * 5)
        refused = submit("flood-extra")
        self.assertEqual(refused.status_code, 429)
        self.assertIn("排队", refused.json()["detail"])
        self.assertEqual(SelfAssessment.objects.filter(company=company).count(), 5)
        import hashlib

        self.assertFalse(storage.exists(hashlib.sha256(pf.fake_apk("flood-extra")).hexdigest()))
        # another company may still submit; and once one finishes, this one may again
        other = APIClient()
        other.credentials(
            HTTP_AUTHORIZATION=f"Token {tokens.issue(pf.user('company', company=pf.company()))}"
        )
        apk = SimpleUploadedFile("o.apk", pf.fake_apk("other"))
        self.assertEqual(other.post("/api/selfchecks/", {"apk": apk}, format="multipart").status_code, 201)
        first = SelfAssessment.objects.filter(company=company).order_by("pk").first()
        SelfAssessment.objects.filter(pk=first.pk).update(status="done")
        self.assertEqual(submit("flood-later").status_code, 201)


class LateSdkResponseTests(SdkOrderBase):
    """As for app orders: an SDK vendor answering after the deadline (before ``surface_overdue`` ran) read like a
    timely answer."""

    def test_a_late_vendor_answer_is_marked_late(self):
        from appwarden.platform.enforcement.models import SdkOrder

        order = self.issue()
        SdkOrder.objects.filter(pk=order.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(self.vendor_user_a)}")
        resp = api.post(
            f"/api/sdk-orders/{order.pk}/respond/",
            {"explanation": "已修复", "new_sdk_version": "2.0"},
            format="multipart",
        )
        self.assertEqual(resp.status_code, 200)
        body = resp.json()
        self.assertTrue(body["responses"][0]["late"])
        self.assertIsNotNone(body["overdue_since"])
        web = Client()
        web.force_login(self.regulator)
        self.assertIn("逾期提交", web.get(f"/enforcement/sdk-orders/{order.pk}/").content.decode())

    def test_a_timely_vendor_answer_is_not(self):
        order = self.issue()
        sdk_workflow.respond(order, user=self.vendor_user_a, explanation="已修复", new_sdk_version="2.0")
        self.assertFalse(order.responses.get().late)
        order.refresh_from_db()
        self.assertIsNone(order.overdue_since)


class LookalikeScreeningTests(EarlyWarningCase):
    """Scans are filed under the app of their package, whoever signed the APK, and a store may submit any APK as a
    pre-listing check. (1) A clean APK that merely carries a harmful app's package name (another signer) took the
    harmful app off 不良APP预警 ("a later clean scan of any version takes the app off"); (2) a harmful lookalike of a
    registered app listed that app as harmful with nothing saying the harmful build is not the app's own, one click
    from 下架 of every listing of the genuine app."""

    def _store_check(self, package: str, section: dict, tag: str):
        from appwarden.platform.prelisting import services as prelisting

        rep = pf.report(package, "9.9", [], label="仿冒")
        rep["screening"] = section
        rep["app"]["signers"] = [{"subject": "CN=Lookalike", "sha256": "cd" * 32}]
        check = prelisting.submit(
            self.engine.add(tag, rep), store=self.store_b, user=pf.user("store", store=self.store_b)
        )
        services.run_scan(check.job_id)
        check.job.refresh_from_db()
        return check

    def test_a_clean_lookalike_does_not_clear_a_harmful_app(self):
        self._store_check("com.bad.sms", screening("none", [], 0), "clean-lookalike")
        page = self.login(self.regulator).get("/early-warning/").content.decode()
        harmful = page.split('id="harmful-heading"')[1].split("<h2")[0]
        self.assertIn("com.bad.sms", harmful)
        body = self.api(self.regulator).get("/api/early-warning/").json()
        self.assertIn("com.bad.sms", [r["app"]["package"] for r in body["harmful"]])
        # a later clean build of the app itself (same signer) still takes it off, as before
        self.assertNotIn("com.fixed.app", harmful)

    def test_a_harmful_lookalike_is_flagged_as_another_signer(self):
        check = self._store_check("com.clean.app", screening("harmful", ["spyware"], 95), "bad-lookalike")
        page = self.login(self.regulator).get("/early-warning/").content.decode()
        harmful = page.split('id="harmful-heading"')[1].split("<h2")[0]
        self.assertIn("com.clean.app", harmful)
        self.assertIn(f'id="foreign-signer-{check.job.app_version_id}"', harmful)
        self.assertIn("签名与该应用其他版本均不同", harmful)
        self.assertNotIn(
            'id="foreign-signer-', harmful.split("com.clean.app")[0]
        )  # the genuine rows: no flag
        rows = self.api(self.regulator).get("/api/early-warning/").json()["harmful"]
        flags = {r["app"]["package"]: r["foreign_signer"] for r in rows}
        self.assertEqual(flags, {"com.bad.sms": False, "com.clean.app": True})
