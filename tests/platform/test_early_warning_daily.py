"""The daily early-warning list (issue #21.5) on ``/early-warning/`` and ``/api/early-warning/``: apps with new
high findings since their previous scan (per batch), repeat offenders, signer changes of registered apps, SDK
versions with confirmed findings in many apps; staff only (404 for the parties); and the daily digest email to the
regulators (once a day, ``--force`` again, the window continuing from the previous digest)."""

from __future__ import annotations

import datetime as dt
import io

import platform_factories as pf
from django.core import mail
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from appwarden.platform.core import tokens
from appwarden.platform.notifications.digest import send_digest
from appwarden.platform.notifications.models import DigestRun, Notification
from appwarden.platform.registry.models import AppVersion, SdkVendor
from appwarden.platform.testing import engine
from appwarden.platform.testing import services as testing
from appwarden.platform.testing.models import Batch, Finding
from appwarden.platform.web import early_warning


def signer(rep: dict, sha: str) -> dict:
    rep["app"]["signers"] = [{"subject": f"CN={sha[:4]}, O=某公司", "sha256": sha}]
    return rep


@override_settings(APPWARDEN_NOTIFY_MODE="eager", APPWARDEN_EARLY_WARNING_MIN_APPS=3)
class DailyListCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.regulator.email = "chief@gov.example"
        self.regulator.save()
        self.company = pf.company("预警科技有限公司")
        self.company_user = pf.user("company", company=self.company)
        self.store_user = pf.user("store", store=pf.store())
        self.batch1 = Batch.objects.create(name="第一批")
        self.batch2 = Batch.objects.create(name="第二批")
        F = pf.finding
        # an app scanned in both batches: X again, Y new (high), M new but medium, R new high but rejected
        self.scan("com.a.app", "1.0", [F("rule.x", ["RD-3.1"])], self.batch1)
        self.a2 = self.scan(
            "com.a.app",
            "2.0",
            [
                F("rule.x", ["RD-3.1"]),
                F("rule.y", ["RD-3.2"]),
                F("rule.m", ["RD-3.3"], severity="medium"),
                F("rule.r", ["RD-3.4"]),
            ],
            self.batch2,
        )
        Finding.objects.filter(job=self.a2, rule_id="rule.r").update(status="rejected")
        # first scan in batch 2 with a high finding owned by an SDK
        self.scan("com.b.app", "1.0", [F("rule.z", ["RD-3.1"], owner="com.sdk.push")], self.batch2)
        # nothing new: the same high finding as before
        self.scan("com.c.app", "1.0", [F("rule.x", ["RD-3.1"])], self.batch1)
        self.scan("com.c.app", "1.1", [F("rule.x", ["RD-3.1"])], self.batch2)

    def scan(self, package, version, findings, batch=None, sha="ab" * 32, company=True, sdks=None):
        rep = signer(pf.report(package, version, findings, label=f"应用{package}"), sha)
        if sdks:
            rep["sdks"] = sdks
        data = self.engine.add(f"{package}-{version}-{sha[:4]}", rep)
        return pf.scanned_job(self.reviewer, data, batch=batch, company=self.company if company else None)

    def api(self, user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
        return client


class NewHighFindingsTests(DailyListCase):
    def test_new_high_findings_of_the_latest_batch(self):
        data = early_warning.new_high_findings()
        self.assertEqual(data["batch"], self.batch2)
        rows = {r["app"].package: r for r in data["apps"]}
        self.assertEqual(set(rows), {"com.a.app", "com.b.app"})
        self.assertEqual(
            [(f["rule_id"], f["owner"]) for f in rows["com.a.app"]["findings"]], [("rule.y", "host")]
        )
        self.assertFalse(rows["com.a.app"]["first_scan"])
        self.assertTrue(rows["com.b.app"]["first_scan"])
        self.assertEqual(rows["com.b.app"]["findings"][0]["owner"], "com.sdk.push")

    def test_an_earlier_batch_can_be_chosen(self):
        rows = early_warning.new_high_findings(batch=self.batch1)["apps"]
        self.assertEqual({r["app"].package for r in rows}, {"com.a.app", "com.c.app"})  # both first scans

    def test_since_takes_jobs_finished_since(self):
        self.assertEqual(early_warning.new_high_findings(since=timezone.now())["apps"], [])
        rows = early_warning.new_high_findings(since=timezone.now() - dt.timedelta(hours=1))["apps"]
        self.assertIn("com.a.app", {r["app"].package for r in rows})


class OtherSectionTests(DailyListCase):
    def test_signer_change_of_a_registered_app(self):
        self.scan("com.a.app", "3.0", [], sha="cd" * 32)
        self.scan("com.free.app", "1.0", [], company=False)
        self.scan("com.free.app", "2.0", [], sha="ef" * 32, company=False)  # not registered: not listed
        rows = early_warning.signer_changes(timezone.now() - dt.timedelta(days=1))
        self.assertEqual(
            [(r["app"].package, r["previous"].version_name, r["version"].version_name) for r in rows],
            [("com.a.app", "2.0", "3.0")],
        )
        self.assertEqual(rows[0]["version"].signer_sha256, "cd" * 32)
        self.assertEqual(early_warning.signer_changes(timezone.now() + dt.timedelta(seconds=1)), [])

    def test_a_verified_key_rotation_is_not_a_signer_change(self):
        old, new = "ab" * 32, "cd" * 32
        lineage = [
            {"sha256": old, "subject": "CN=old", "capabilities": []},
            {"sha256": new, "subject": "CN=new", "capabilities": []},
        ]

        def rotated(verified: bool, version: str) -> None:
            rep = signer(pf.report("com.a.app", version, [], label="应用com.a.app"), new)
            rep["app"]["signing_lineage"] = lineage
            rep["app"]["signing_lineage_verified"] = verified
            data = self.engine.add(f"rot-{version}", rep)
            pf.scanned_job(self.reviewer, data, company=self.company)

        rotated(True, "3.0")  # v3 proof of rotation from the old certificate, verified: not a warning
        self.assertEqual(early_warning.signer_changes(timezone.now() - dt.timedelta(days=1)), [])
        AppVersion.objects.filter(version_name="3.0").delete()
        rotated(False, "3.1")  # the same lineage, not verified: proves nothing
        rows = early_warning.signer_changes(timezone.now() - dt.timedelta(days=1))
        self.assertEqual([r["version"].version_name for r in rows], ["3.1"])

    def test_sdk_version_in_many_apps(self):
        sdks = [{"id": "com.sdk.push", "version": "3.2.1"}]
        F = pf.finding
        for package in ("com.p1", "com.p2", "com.p3"):
            self.scan(package, "1.0", [F("rule.push", ["RD-3.1"], owner="com.sdk.push")], sdks=sdks)
        self.scan(
            "com.p4",
            "1.0",
            [F("rule.push", ["RD-3.1"], owner="com.sdk.push")],
            sdks=[{"id": "com.sdk.push", "version": "3.3.0"}],
        )
        SdkVendor.objects.create(name="推送厂商", sdk_ids=["com.sdk.push"])
        self.assertEqual(early_warning.sdk_versions(), [])  # nothing confirmed yet
        for f in Finding.objects.filter(rule_id="rule.push"):
            testing.review_finding(f, user=self.reviewer, action="confirm", reason="核实")
        rows = early_warning.sdk_versions()
        self.assertEqual(
            [(r["sdk"], r["version"], len(r["apps"])) for r in rows], [("com.sdk.push", "3.2.1", 3)]
        )
        self.assertEqual(rows[0]["vendor"].name, "推送厂商")
        self.assertEqual(rows[0]["rules"], [("rule.push", 3)])
        self.assertEqual(len(early_warning.sdk_versions(min_apps=1)), 2)

    def test_repeat_offenders(self):
        for f in Finding.objects.filter(app_version__app__package="com.c.app"):
            testing.review_finding(f, user=self.reviewer, action="confirm", reason="核实")
        rows = early_warning.repeat_offender_rows()
        self.assertEqual([(r["app"].package, r["batches"]) for r in rows], [("com.c.app", 2)])


class PageAndApiTests(DailyListCase):
    def test_page_shows_the_sections(self):
        self.client.force_login(self.reviewer)
        html = self.client.get("/early-warning/").content.decode()
        section = html[html.index('id="new-high-apps"') : html.index('id="repeat-heading"')]
        self.assertIn("com.a.app", section)
        self.assertIn("rule.y@host", section)
        self.assertNotIn("rule.x@host", section)
        self.assertIn("首次检测", section)
        for anchor in ('id="signer-heading"', 'id="sdk-heading"', 'id="harmful-heading"'):
            self.assertIn(anchor, html)
        html = self.client.get(f"/early-warning/?batch={self.batch1.pk}").content.decode()
        self.assertIn("com.c.app", html[html.index('id="new-high-apps"') : html.index('id="repeat-heading"')])
        resp = self.client.get("/early-warning/?batch=abc&days=-3")
        self.assertEqual(resp.status_code, 200)
        self.assertIn("已忽略", resp.content.decode())

    def test_api_for_staff_only(self):
        resp = self.api(self.regulator).get("/api/early-warning/")
        self.assertEqual(resp.status_code, 200)
        body = resp.json()
        self.assertEqual(body["new_high_findings"]["batch"]["id"], self.batch2.pk)
        apps = {r["app"]["package"]: r for r in body["new_high_findings"]["apps"]}
        self.assertEqual([f["rule_id"] for f in apps["com.a.app"]["findings"]], ["rule.y"])
        self.assertEqual(
            set(body),
            {
                "harmful",
                "suspicious",
                "false_alarms",  # verdicts reviewed as 误报 (test_screening_review.py)
                "new_high_findings",
                "repeat_offenders",
                "signer_changes",
                "sdk_versions",
                "stop_access",
                "snapshot_at",
                "pagination",
            },
        )
        for bad in ("min_apps=x", "batch=99999999999999999999999", "days=0", "days=99999999999999999999"):
            self.assertEqual(self.api(self.regulator).get(f"/api/early-warning/?{bad}").status_code, 400, bad)
        for user in (self.company_user, self.store_user):
            self.assertEqual(self.api(user).get("/api/early-warning/").status_code, 404)
            self.client.force_login(user)
            self.assertEqual(self.client.get("/early-warning/").status_code, 404)


class DigestTests(DailyListCase):
    def test_digest_once_a_day_to_the_regulators(self):
        with self.captureOnCommitCallbacks(execute=True):
            result = send_digest()
        self.assertTrue(result["sent"])
        self.assertEqual(
            result["counts"]["new_high_apps"], 2
        )  # com.a.app (rule.y) and com.b.app (first scan)
        self.assertEqual(len(mail.outbox), 1)
        msg = mail.outbox[0]
        self.assertEqual(msg.to, ["chief@gov.example"])
        self.assertIn("每日预警", msg.subject)
        self.assertIn("com.a.app", msg.body)
        self.assertIn("rule.y@host", msg.body)
        self.assertIn("签名变更", msg.body)
        self.assertEqual(Notification.objects.get().party_kind, "staff")
        # the same day again: nothing; --force sends again
        self.assertFalse(send_digest()["sent"])
        self.assertEqual(len(mail.outbox), 1)
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("early_warning_digest", stdout=out)
        self.assertIn("already sent today", out.getvalue())
        with self.captureOnCommitCallbacks(execute=True):
            call_command("early_warning_digest", force=True, stdout=out)
        self.assertEqual(len(mail.outbox), 2)

    def test_next_digest_starts_where_the_previous_ended(self):
        yesterday = timezone.now() - dt.timedelta(days=1)
        DigestRun.objects.create(
            day=timezone.localdate() - dt.timedelta(days=1), since=yesterday, until=timezone.now()
        )
        result = send_digest()
        self.assertEqual(result["counts"]["new_high_apps"], 0)  # nothing finished since the previous digest
        self.assertEqual(AppVersion.objects.count(), 5)

    def test_digest_webhook_to_staff_endpoint_carries_the_list(self):
        from appwarden.platform.notifications import manage

        with override_settings(APPWARDEN_WEBHOOK_ALLOW_PRIVATE=True, APPWARDEN_NOTIFY_MODE="none"):
            manage.create_endpoint(self.reviewer, url="http://127.0.0.1:9/digest")
            with self.captureOnCommitCallbacks(execute=True):
                send_digest()
        n = Notification.objects.get()
        self.assertEqual(set(n.deliveries.values_list("channel", flat=True)), {"email", "webhook"})
        self.assertIn("new_high_findings", n.payload["data"])
        self.assertEqual(n.payload["data"]["counts"]["new_high_apps"], 2)
