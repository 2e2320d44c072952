"""Lookalike builds (docs/platform.md "Builds signed by another key"): a build signed by another key only carries the
genuine app's package name, so the platform never acts against the genuine app or names its company because of it.

* a 不良APP direct 下架 of a foreign (or unsigned) build goes only to the stores whose own pre-listing checks
  submitted that build, says it concerns a counterfeit (仿冒/非该应用签名的构建) with the build's signer, leaves the
  genuine listings alone, names no company, and is refused (400) when no store is known to distribute it;
* a store's pre-listing check of a lookalike carrying a sanctioned company's package is not refused under that
  company's 停止接入 measure but for what it is: ``identity:foreign_signer`` with both signers;
* a 误报 screening review carries over to another job of the same APK with the same screening result, not to one
  of another rules version or other indicators;
* the finding-review, job and batch pages answer 404 (not 403) to companies, stores and SDK vendors.

Also run on PostgreSQL by ``test_services.py``."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import platform_factories as pf
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from test_early_warning import screening
from test_foreign_signer import GENUINE, OTHER, ForeignSignerCase

from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.models import AuditLog
from appwarden.platform.enforcement import identity, workflow
from appwarden.platform.enforcement.models import RectificationOrder, TakedownOrder
from appwarden.platform.notifications.models import Notification
from appwarden.platform.prelisting import services as prelisting
from appwarden.platform.registry.models import AppVersion, SdkVendor
from appwarden.platform.sanctions import services as sanctions
from appwarden.platform.testing import services
from appwarden.platform.testing.screening_review import latest_review, review_screening

COMPANY = "正版科技有限公司"


def indicator(ind_id: str, weight: int = 40) -> dict:
    return {"id": ind_id, "category": "sms_fraud", "weight": weight, "evidence": [], "count": 1}


class LookalikeCase(ForeignSignerCase):
    def setUp(self):
        super().setUp()
        self.store_b, self.store_c = pf.store("乙应用商店"), pf.store("丙应用商店")
        pf.listing(self.store_b, self.app)  # the genuine app is listed in 甲 and 乙
        self.store_b_user = pf.user("store", store=self.store_b)
        self.store_c_user = pf.user("store", store=self.store_c)
        self.store_user = pf.user("store", store=self.store)

    def harmful_report(self, signer=OTHER, version="9.9", indicators=None, score=95):
        rep = pf.report("com.genuine.app", version, [], label="正版应用")
        rep["app"]["signers"] = [{"subject": "CN=Lookalike, O=仿冒者", "sha256": signer}] if signer else []
        rep["screening"] = screening("harmful", ["sms_fraud"], score)
        rep["screening"]["indicators"] = indicators if indicators is not None else [indicator("sms.send")]
        return rep

    def store_check(self, data: bytes, store_user, **kw):
        check = prelisting.submit(data, store=store_user.profile.store, user=store_user, **kw)
        services.run_scan(check.job_id)
        check.refresh_from_db()
        check.job.refresh_from_db()
        return check

    def confirm_latest(self, version):
        job = workflow.latest_screened_job(version)
        review_screening(job, user=self.reviewer, decision="confirmed", note="核实短信扣费代码")
        return job


class ForeignTakedownTests(LookalikeCase):
    def lookalike_checked_by_c(self):
        self.store_c.contact_email = "ops@store-c.example"
        self.store_c.save()
        data = self.eng.add("harm-fake", self.harmful_report())
        check = self.store_check(data, self.store_c_user)
        version = check.job.app_version
        self.assertEqual(version.signer_relation, "foreign")
        self.confirm_latest(version)
        return version, check

    @override_settings(APPWARDEN_NOTIFY_MODE="eager")
    def test_goes_only_to_the_stores_that_submitted_the_build(self):
        version, check = self.lookalike_checked_by_c()
        with self.captureOnCommitCallbacks(execute=True):
            order = workflow.takedown_harmful(version, user=self.regulator, reason="仿冒应用短信扣费")
        tds = list(order.takedowns.all())
        self.assertEqual(
            [t.store for t in tds], [self.store_c]
        )  # not 甲 or 乙, where the genuine app is listed
        self.assertIsNone(tds[0].listing)
        self.assertEqual(tds[0].prelisting_check, check)
        self.assertTrue(order.foreign_build)
        self.assertIsNone(order.company)  # the genuine company is not the offender
        # the notice to the store says what it concerns: a build of another signer, with that signer
        (note,) = Notification.objects.filter(event="takedown.ordered")
        for text in (note.subject + note.body, str(note.payload)):
            self.assertIn("仿冒", text)
            self.assertIn(OTHER[:16], text)
            self.assertNotIn(COMPANY, text)
        self.assertIn("非该应用签名的构建", note.body)
        self.assertEqual(note.payload["data"]["build"]["signer_sha256"], OTHER)
        self.assertTrue(
            any(OTHER[:16] in m.body and COMPANY not in m.body for m in mail.outbox),
            [(m.to, m.subject) for m in mail.outbox],
        )
        # the company is not notified and does not see the case as its own
        self.assertFalse(Notification.objects.filter(party_kind="company").exists())
        self.client.force_login(self.company_user)
        self.assertEqual(self.client.get(f"/enforcement/orders/{order.pk}/").status_code, 404)
        self.assertNotIn(order.number, self.client.get("/enforcement/orders/").content.decode())
        self.assertNotIn(order.number, self.client.get(f"/registry/apps/{self.app.pk}/").content.decode())
        self.assertNotIn(order.number, self.client.get("/").content.decode())
        self.assertEqual(self.client.get(f"/documents/orders/{order.pk}/pdf/").status_code, 404)
        # the store sees a counterfeit case with the build's signer, not the genuine company
        self.client.force_login(self.store_c_user)
        page = self.client.get(f"/enforcement/orders/{order.pk}/").content.decode()
        self.assertIn("仿冒/非该应用签名的构建", page)
        self.assertIn(OTHER[:16], page)
        self.assertNotIn(COMPANY, page)
        # staff get no 责令整改通知书 for it ("你单位的应用…" would name the genuine app as the company's)
        self.client.force_login(self.regulator)
        self.assertNotIn(
            'id="order-pdf"', self.client.get(f"/enforcement/orders/{order.pk}/").content.decode()
        )
        self.assertEqual(self.client.get(f"/documents/orders/{order.pk}/pdf/").status_code, 404)
        self.client.force_login(self.store_c_user)
        listing = self.client.get("/enforcement/takedowns/").content.decode()
        self.assertIn(order.number, listing)
        self.assertIn("仿冒/非该应用签名的构建", listing)
        self.assertIn(OTHER[:16], listing)
        # 甲 (genuine listing, never submitted the build) gets nothing
        self.client.force_login(self.store_user)
        self.assertEqual(self.client.get(f"/enforcement/orders/{order.pk}/").status_code, 404)
        self.assertNotIn(order.number, self.client.get("/enforcement/takedowns/").content.decode())
        # the store confirms; the genuine listings stay up and the case ends
        workflow.confirm_takedown(tds[0], user=self.store_c_user, note="已下架仿冒包")
        order.refresh_from_db()
        self.assertEqual(order.state, "taken_down")
        self.assertEqual(self.app.listings.filter(active=True).count(), 2)
        row = AuditLog.objects.get(action="harmful_takedown")
        self.assertEqual(row.data["stores"], [self.store_c.pk])
        self.assertEqual(row.data["signer_relation"], "foreign")

    def test_refused_when_no_store_is_known_to_distribute_it(self):
        # scanned by the regulator only (e.g. a complainant's APK): no store is known to distribute it
        fake = pf.scanned_job(self.reviewer, self.eng.add("harm-regulator-only", self.harmful_report()))
        self.assertEqual(fake.app_version.signer_relation, "foreign")
        self.confirm_latest(fake.app_version)
        with self.assertRaisesMessage(PlatformError, "没有商店提交过该构建") as ctx:
            workflow.takedown_harmful(fake.app_version, user=self.regulator, reason="下架")
        self.assertNotIn("\n", str(ctx.exception))
        self.client.force_login(self.regulator)
        resp = self.client.post(f"/early-warning/{fake.app_version_id}/takedown/", {"reason": "下架"})
        self.assertEqual(resp.status_code, 400)
        self.assertIn("没有商店提交过该构建", resp.content.decode())
        api = self.api(self.regulator).post(
            "/api/orders/harmful_takedown/",
            {"app_version": fake.app_version_id, "reason": "下架"},
            format="json",
        )
        self.assertEqual(api.status_code, 400)
        self.assertTrue(api.json()["detail"].startswith("该构建"))
        self.assertFalse(RectificationOrder.objects.exists())
        self.assertFalse(TakedownOrder.objects.exists())
        self.assertFalse(AuditLog.objects.filter(model__startswith="enforcement.").exists())
        self.assertEqual(self.app.listings.filter(active=True).count(), 2)

    def test_an_unsigned_build_is_handled_as_not_the_apps(self):
        data = self.eng.add("harm-unsigned", self.harmful_report(signer=""))
        check = self.store_check(data, self.store_b_user)
        version = check.job.app_version
        self.assertEqual(version.signer_relation, "unknown")
        self.confirm_latest(version)
        order = workflow.takedown_harmful(version, user=self.regulator, reason="无签名有害包")
        self.assertEqual([(t.store, t.listing) for t in order.takedowns.all()], [(self.store_b, None)])
        self.assertIsNone(order.company)

    def test_the_early_warning_row_offers_the_stores_that_submitted_it(self):
        version, _check = self.lookalike_checked_by_c()
        self.client.force_login(pf.user("regulator"))
        html = self.client.get("/early-warning/").content.decode()
        row = html[html.index(f'id="foreign-takedown-stores-{version.pk}"') :][:400]
        self.assertIn("丙应用商店", row)
        self.assertNotIn("甲应用市场", row)
        self.assertIn(f'action="/early-warning/{version.pk}/takedown/"', html)

    def test_a_foreign_case_does_not_block_the_genuine_apps_own_case(self):
        version, _check = self.lookalike_checked_by_c()
        workflow.takedown_harmful(version, user=self.regulator, reason="仿冒")
        with self.assertRaisesMessage(Exception, "已在下架流程中"):  # the same build twice
            workflow.takedown_harmful(version, user=self.regulator, reason="again")
        rep = self.harmful_report(signer=GENUINE, version="1.5")
        own = pf.scanned_job(self.reviewer, self.eng.add("harm-own", rep))
        self.assertEqual(own.app_version.signer_relation, "own")
        self.confirm_latest(own.app_version)
        order = workflow.takedown_harmful(own.app_version, user=self.regulator, reason="正版有害")
        self.assertEqual(order.company, self.company)
        self.assertFalse(order.foreign_build)
        self.assertEqual(
            {t.listing.store for t in order.takedowns.all()}, {self.store, self.store_b}
        )  # own build: every active listing, as before

    def test_the_yearly_report_counts_the_counterfeit_apart_from_the_genuine_app(self):
        # the genuine app's own harmful build and a counterfeit of it are both taken down in the same year: two
        # apps taken down, one of them a build of another signer; store 乙 took down only the genuine app
        version, _check = self.lookalike_checked_by_c()
        fake_order = workflow.takedown_harmful(version, user=self.regulator, reason="仿冒")
        (fake_td,) = fake_order.takedowns.all()
        workflow.confirm_takedown(fake_td, user=self.store_c_user, note="已下架仿冒包")
        own = pf.scanned_job(self.reviewer, self.eng.add("harm-own", self.harmful_report(signer=GENUINE)))
        self.confirm_latest(own.app_version)
        own_order = workflow.takedown_harmful(own.app_version, user=self.regulator, reason="正版有害")
        for td in own_order.takedowns.all():
            store_user = self.store_user if td.store == self.store else self.store_b_user
            workflow.confirm_takedown(td, user=store_user, note="已下架")
        from appwarden.platform.web import yearly

        stats = yearly.yearly_stats(yearly.parse_period(timezone.localdate().year))
        s = stats["summary"]
        self.assertEqual((s["taken_down"], s["taken_down_foreign"], s["takedowns"]), (2, 1, 3))
        by_store = {r["store"]: r["taken_down"] for r in stats["by_store"]}
        self.assertEqual(by_store["丙应用商店"], 1)  # the counterfeit only
        self.assertEqual(by_store["乙应用商店"], 1)  # the genuine app only
        rows = dict(yearly.summary_rows(stats))
        self.assertEqual(rows["其中仿冒/非该应用签名的构建 of which builds of another signer"], 1)

    def test_a_counterfeit_alone_is_not_the_genuine_app_taken_down(self):
        version, _check = self.lookalike_checked_by_c()
        order = workflow.takedown_harmful(version, user=self.regulator, reason="仿冒")
        workflow.confirm_takedown(order.takedowns.get(), user=self.store_c_user, note="已下架仿冒包")
        from appwarden.platform.web import yearly

        stats = yearly.yearly_stats(yearly.parse_period(timezone.localdate().year))
        self.assertEqual((stats["summary"]["taken_down"], stats["summary"]["taken_down_foreign"]), (1, 1))
        by_store = {r["store"]: r["taken_down"] for r in stats["by_store"]}
        self.assertEqual((by_store["甲应用市场"], by_store["乙应用商店"]), (0, 0))  # the genuine listings

    def test_a_build_taken_down_as_a_counterfeit_cannot_then_be_marked_the_companys(self):
        # the case and its notices say the build is not the company's; marking its signer the company's own would
        # leave that case (and the yearly report's 其中仿冒 line) stating the opposite of the record
        version, _check = self.lookalike_checked_by_c()
        order = workflow.takedown_harmful(version, user=self.regulator, reason="仿冒")
        with self.assertRaisesMessage(PlatformError, order.number):
            identity.mark_signer(version, relation="own", user=self.regulator, reason="企业证明新密钥")
        version.refresh_from_db()
        self.assertEqual(version.signer_relation, "foreign")
        # the web form says why, and changes nothing (also for another build of the same signer)
        other = pf.scanned_job(self.reviewer, self.eng.add("fake-2", self.harmful_report(version="9.8")))
        self.client.force_login(self.regulator)
        reply = self.client.post(
            f"/registry/versions/{other.app_version_id}/signer/",
            {"relation": "own", "reason": "企业证明新密钥"},
            follow=True,
        )
        self.assertIn("已按仿冒/非该应用签名的构建下架", reply.content.decode())
        self.assertEqual(
            set(
                AppVersion.objects.filter(app=self.app, signer_sha256=OTHER).values_list(
                    "signer_relation", flat=True
                )
            ),
            {"foreign"},
        )
        self.assertFalse(AuditLog.objects.filter(action="signer_relation").exists())
        # marking it foreign again is no change and stays allowed
        self.assertEqual(
            identity.mark_signer(version, relation="foreign", user=self.regulator, reason="仿冒"), []
        )


class StopAccessTests(LookalikeCase):
    def setUp(self):
        super().setUp()
        self.measure = sanctions.issue(
            self.company,
            {
                "kind": "stop_access",
                "start_date": (timezone.localdate() - dt.timedelta(days=5)).isoformat(),
                "reason": "拒不整改",
                "authority": "某省通信管理局",
            },
            user=self.regulator,
        )

    def check(self, signer, tag):
        rep = pf.report("com.genuine.app", "7.0", [])
        rep["app"]["signers"] = [{"subject": "CN=Lookalike", "sha256": signer}]
        check = self.store_check(self.eng.add(tag, rep), self.store_user)
        return self.api(self.store_user).get(f"/api/prelisting/{check.pk}/").json()

    def test_a_lookalike_is_refused_for_its_signer_not_the_companys_measure(self):
        got = self.check(OTHER, "stop-fake")
        self.assertNotIn("sanction:stop_access", got["reasons"])
        self.assertNotIn("stop_access", got)
        self.assertIn("identity:foreign_signer", got["reasons"])
        self.assertEqual(got["verdict"], "fail")
        sc = got["signer_check"]
        self.assertEqual((sc["relation"], sc["signer_sha256"]), ("foreign", OTHER))
        self.assertEqual(sc["app_signers"], [GENUINE])
        self.assertIn("签名与该应用不一致", sc["message_zh"])
        self.assertNotIn(COMPANY, str(got))
        self.assertFalse(AuditLog.objects.filter(action="prelisting_stop_access").exists())
        self.client.force_login(self.store_user)
        page = self.client.get("/store/prelisting/").content.decode()
        self.assertIn(OTHER[:16], page)
        self.assertIn(GENUINE[:16], page)

    def test_a_lookalike_naming_the_genuine_company_as_developer_is_a_mismatch(self):
        rep = pf.report("com.genuine.app", "7.1", [])
        rep["app"]["signers"] = [{"subject": "CN=Lookalike", "sha256": OTHER}]
        check = self.store_check(
            self.eng.add("dev-fake", rep), self.store_user, listing={"developer": COMPANY, "version": "7.1"}
        )
        got = self.api(self.store_user).get(f"/api/prelisting/{check.pk}/").json()
        (dev,) = [m for m in got["listing_mismatches"] if m["check"].startswith("developer")]
        self.assertEqual((dev["check"], dev["registered_company"]), ("developer_mismatch", ""))
        # naming the genuine company is what a counterfeit does: its measure is not cited by that claim either
        self.assertNotIn("sanction:stop_access", got["reasons"])
        self.assertIn("identity:foreign_signer", got["reasons"])
        # the genuine build with the same listing is fine
        rep = pf.report("com.genuine.app", "7.2", [])
        rep["app"]["signers"] = [{"subject": "CN=genuine", "sha256": GENUINE}]
        check = self.store_check(
            self.eng.add("dev-own", rep), self.store_user, listing={"developer": COMPANY, "version": "7.2"}
        )
        got = self.api(self.store_user).get(f"/api/prelisting/{check.pk}/").json()
        self.assertFalse([m for m in got["listing_mismatches"] if m["check"].startswith("developer")])

    def test_an_own_build_is_still_refused_under_the_measure(self):
        got = self.check(GENUINE, "stop-own")
        self.assertIn("sanction:stop_access", got["reasons"])
        self.assertEqual(got["stop_access"]["basis"], "registered")
        self.assertNotIn("identity:foreign_signer", got["reasons"])

    def test_needs_review_when_configured(self):
        with self.settings(APPWARDEN_PRELISTING_FOREIGN_SIGNER="needs_review"):
            got = self.check(OTHER, "stop-fake-2")
        self.assertEqual(got["verdict"], "needs_review")
        self.assertIn("identity:foreign_signer", got["reasons"])


class CarryOverTests(LookalikeCase):
    """A 误报 screening review carries over to another job of the same APK with the same screening result."""

    def setUp(self):
        super().setUp()
        self.rep = self.harmful_report(signer=GENUINE, version="2.0")
        self.data = self.eng.add("carry", self.rep)
        self.first = self.store_check(self.data, self.store_user)
        self.review = review_screening(
            self.first.job, user=self.reviewer, decision="rejected", note="误报：正规计费确认短信"
        )

    def verdict(self, check, user=None):
        return self.api(user or check.created_by).get(f"/api/prelisting/{check.pk}/").json()

    def test_the_same_apk_resubmitted_inherits_the_false_alarm(self):
        again = self.store_check(self.data, self.store_b_user)
        self.assertNotEqual(again.job_id, self.first.job_id)
        self.assertEqual(again.job.sha256, self.first.job.sha256)
        got = self.verdict(again)
        self.assertIn("screening:rejected_as_false_alarm", got["reasons"])
        self.assertNotIn("screening:harmful", got["reasons"])
        self.assertEqual(got["verdict"], "needs_review")  # only the empty listing is left
        self.assertTrue(got["screening_review"]["carried_over"])
        carried = latest_review(again.job)
        self.assertEqual((carried.pk, carried.job_id), (self.review.pk, self.first.job_id))
        # staff see where it came from, on the job page and the early-warning list
        self.client.force_login(self.regulator)
        page = self.client.get(f"/testing/jobs/{again.job_id}/").content.decode()
        self.assertIn(f'id="screening-review-carried-{self.first.job_id}"', page)
        self.assertIn("沿用", page)
        html = self.client.get("/early-warning/").content.decode()
        self.assertNotIn(
            "com.genuine.app",
            html[html.index('id="harmful-heading"') : html.index('id="false-alarm-heading"')],
        )
        body = self.api(self.regulator).get("/api/early-warning/").json()
        (row,) = body["false_alarms"]
        self.assertEqual((row["job"], row["review"]["carried_from_job"]), (again.job_id, self.first.job_id))
        with self.assertRaisesMessage(PlatformError, "误报"):
            workflow.takedown_harmful(again.job.app_version, user=self.regulator, reason="下架")

    def test_a_newer_review_of_either_job_counts_for_both(self):
        again = self.store_check(self.data, self.store_b_user)
        review_screening(again.job, user=pf.user("reviewer"), decision="confirmed", note="复查：确为扣费")
        self.assertEqual(self.verdict(self.first)["verdict"], "fail")
        self.assertEqual(self.verdict(again)["verdict"], "fail")
        self.assertNotIn("carried_over", self.verdict(again)["screening_review"])

    def test_another_rules_version_does_not_inherit(self):
        self.rep["screening"]["indicators"] = [indicator("sms.send"), indicator("sms.intercept", 30)]
        with mock.patch("appwarden.platform.testing.engine.rules_version", return_value="r-newrules"):
            again = self.store_check(self.data, self.store_b_user)
        self.assertEqual(again.job.rules_version, "r-newrules")
        self.assertIsNone(latest_review(again.job))
        got = self.verdict(again)
        self.assertEqual(got["verdict"], "fail")
        self.assertIn("screening:harmful", got["reasons"])
        self.assertNotIn("screening_review", got)

    def test_another_rules_version_with_the_same_indicators_does_not_inherit(self):
        with mock.patch("appwarden.platform.testing.engine.rules_version", return_value="r-newrules"):
            again = self.store_check(self.data, self.store_b_user)
        self.assertIsNone(latest_review(again.job))

    def test_other_indicators_do_not_inherit(self):
        # a job with a policy file is scanned anew (another dedupe key) under the same versions
        self.rep["screening"]["indicators"] = [indicator("sms.other")]
        self.rep["policy"] = {"found": True, "elements": {}}
        again = self.store_check(self.data, self.store_b_user, policy=b"<p>privacy</p>")
        self.assertEqual(again.job.rules_version, self.first.job.rules_version)
        self.assertEqual(again.job.screening_verdict, "harmful")
        self.assertIsNone(latest_review(again.job))
        self.assertEqual(self.verdict(again)["verdict"], "fail")


class NoOracleTests(LookalikeCase):
    def test_staff_pages_of_objects_answer_404_to_other_roles(self):
        finding = self.genuine.findings.get()
        vendor_user = pf.user("sdk_vendor", sdk_vendor=SdkVendor.objects.create(name="甲SDK", sdk_ids=["x"]))
        for user in (self.company_user, self.store_user, vendor_user):
            self.client.force_login(user)
            for url in (
                f"/testing/findings/{finding.pk}/review/",
                "/testing/findings/999999/review/",
                f"/testing/jobs/{self.genuine.pk}/",
                "/testing/jobs/999999/",
                f"/testing/batches/{self.b1.pk}/",
                "/testing/batches/999999/",
            ):
                resp = self.client.post(url, {"action": "reject", "reason": "不是我们"})
                self.assertEqual(resp.status_code, 404, (user, url))
                self.assertEqual(self.client.get(url).status_code, 404, (user, url))
        finding.refresh_from_db()
        self.assertEqual(finding.status, "confirmed")
        self.client.force_login(self.reviewer)  # staff as before
        self.assertEqual(self.client.get(f"/testing/jobs/{self.genuine.pk}/").status_code, 200)
