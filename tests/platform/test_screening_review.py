"""筛查结论复核 (screening review): a reviewer or regulator confirms a scan's 不良APP verdict (确认有害/可疑) or rejects
it as a false alarm (误报), with a written note, kept as history (the latest review counts) and audited. The direct
下架 of a harmful app needs a confirmed latest review by someone other than the regulator ordering it
(``APPWARDEN_HARMFUL_TAKEDOWN_TWO_PERSON``); a rejected verdict leaves the early-warning lists and no longer fails
a store's pre-listing check. Companies and stores never see reviews (404)."""

from __future__ import annotations

import platform_factories as pf
from django.test import Client, override_settings
from test_early_warning import EarlyWarningCase, screening
from test_prelisting import PrelistingCase

from appwarden.platform.core import storage
from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.models import AuditLog
from appwarden.platform.enforcement import workflow
from appwarden.platform.enforcement.models import RectificationOrder
from appwarden.platform.testing.models import ScanJob, ScreeningReview
from appwarden.platform.testing.screening_review import NOTE_MAX, latest_review, review_screening

TAKEDOWN_API = "/api/orders/harmful_takedown/"


def url(job) -> str:
    return f"/api/jobs/{job.pk}/screening_review/"


class ReviewCase(EarlyWarningCase):
    CONFIRM_HARMFUL = False  # these tests start from unreviewed verdicts

    def harmful_rows(self, user=None) -> str:
        html = self.login(user or self.regulator).get("/early-warning/").content.decode()
        return html[html.index('id="harmful-heading"') : html.index('id="suspicious-heading"')]

    def suspicious_rows(self, user=None) -> str:
        html = self.login(user or self.regulator).get("/early-warning/").content.decode()
        return html[html.index('id="suspicious-heading"') : html.index('id="false-alarm-heading"')]


class ReviewTests(ReviewCase):
    def test_reviewer_confirms_through_the_api(self):
        resp = self.api(self.reviewer).post(
            url(self.bad), {"decision": "confirmed", "note": "核实短信扣费代码"}, format="json"
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        body = resp.json()
        self.assertEqual(
            (body["job"], body["decision"], body["note"], body["reviewer"], body["verdict"]),
            (self.bad.pk, "confirmed", "核实短信扣费代码", self.reviewer.username, "harmful"),
        )
        self.assertTrue(body["at"])
        self.assertEqual(latest_review(self.bad).pk, body["id"])

    def test_regulator_rejects_on_the_job_page(self):
        client = self.login(self.regulator)
        page = client.get(f"/testing/jobs/{self.bad.pk}/").content.decode()
        self.assertIn('id="screening-review-form"', page)
        self.assertIn("未复核", page)
        resp = client.post(
            f"/testing/jobs/{self.bad.pk}/screening-review/",
            {"decision": "rejected", "note": "运营商预装应用，短信为计费确认"},
        )
        self.assertRedirects(resp, f"/testing/jobs/{self.bad.pk}/#screening", fetch_redirect_response=False)
        review = ScreeningReview.objects.get()
        self.assertEqual(
            (review.decision, review.reviewer, review.job), ("rejected", self.regulator, self.bad)
        )
        self.assertIn(
            "运营商预装应用，短信为计费确认", client.get(f"/testing/jobs/{self.bad.pk}/").content.decode()
        )

    def test_reviewer_sees_the_form_too(self):
        page = self.login(self.reviewer).get(f"/testing/jobs/{self.odd.pk}/").content.decode()
        self.assertIn('id="screening-review-form"', page)
        # a clean job has nothing to review: no form
        page = self.login(self.reviewer).get(f"/testing/jobs/{self.clean.pk}/").content.decode()
        self.assertNotIn('id="screening-review-form"', page)

    def test_companies_and_stores_get_404(self):
        body = {"decision": "rejected", "note": "我们不是恶意应用"}
        for user in (self.company_user, self.store_user):
            self.assertEqual(self.api(user).post(url(self.bad), body, format="json").status_code, 404)
            resp = self.login(user).post(f"/testing/jobs/{self.bad.pk}/screening-review/", body)
            self.assertEqual(resp.status_code, 404)
            # an id that does not exist answers the same
            self.assertEqual(self.api(user).post("/api/jobs/999999/screening_review/", body).status_code, 404)
        with self.assertRaises(PlatformError):  # the service refuses them too
            review_screening(self.bad, user=self.company_user, decision="rejected", note="x")
        self.assertFalse(ScreeningReview.objects.exists())

    def test_clean_and_unscreened_jobs_are_refused_400(self):
        for job in (self.clean, self.unscreened, self.fixed):
            resp = self.api(self.reviewer).post(
                url(job), {"decision": "confirmed", "note": "看看"}, format="json"
            )
            self.assertEqual(resp.status_code, 400, job)
            detail = resp.json()["detail"]
            self.assertIn("只能复核筛查结论为有害或可疑的检测", detail)
            self.assertNotIn("\n", detail)
        self.assertFalse(ScreeningReview.objects.exists())

    def test_note_is_required_and_bounded_and_decision_checked(self):
        api = self.api(self.reviewer)
        for body, words in (
            ({"decision": "confirmed"}, "复核意见必填"),
            ({"decision": "confirmed", "note": "  "}, "复核意见必填"),
            ({"decision": "confirmed", "note": "长" * (NOTE_MAX + 1)}, f"至多{NOTE_MAX}字"),
            ({"decision": "maybe", "note": "x"}, "复核结论只能是"),
            ({"note": "x"}, "复核结论只能是"),
            (["not", "an", "object"], "复核结论只能是"),
        ):
            resp = api.post(url(self.bad), body, format="json")
            self.assertEqual(resp.status_code, 400, body)
            self.assertIn(words, resp.json()["detail"])
            self.assertNotIn("\n", resp.json()["detail"])
        self.assertFalse(ScreeningReview.objects.exists())
        resp = api.post(url(self.bad), {"decision": "confirmed", "note": "长" * NOTE_MAX}, format="json")
        self.assertEqual(resp.status_code, 201)
        # the web form refuses the same way, with a message instead of a row
        client = self.login(self.reviewer)
        resp = client.post(
            f"/testing/jobs/{self.bad.pk}/screening-review/",
            {"decision": "rejected", "note": ""},
            follow=True,
        )
        self.assertContains(resp, "复核意见必填")
        self.assertEqual(ScreeningReview.objects.count(), 1)

    def test_history_latest_wins_and_every_review_is_audited(self):
        first = review_screening(self.bad, user=self.reviewer, decision="confirmed", note="确认扣费")
        second = review_screening(self.bad, user=self.regulator, decision="rejected", note="复查为误报")
        self.assertEqual(latest_review(self.bad), second)
        self.assertEqual(ScreeningReview.objects.filter(job=self.bad).count(), 2)
        rows = AuditLog.objects.filter(model="testing.screeningreview").order_by("id")
        self.assertEqual(
            [(r.action, r.actor, r.reason, r.object_id) for r in rows],
            [
                ("create", self.reviewer, "确认扣费", str(first.pk)),
                ("create", self.regulator, "复查为误报", str(second.pk)),
            ],
        )
        self.assertEqual((rows[1].data["decision"], rows[1].data["job_id"]), ("rejected", self.bad.pk))
        page = self.login(self.reviewer).get(f"/testing/jobs/{self.bad.pk}/").content.decode()
        history = page[page.index('id="screening-reviews"') :]
        self.assertLess(history.index("复查为误报"), history.index("确认扣费"))  # newest first
        self.assertIn("已被后续复核取代", history)

    def test_csrf_is_enforced_on_the_web_form(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.reviewer)
        resp = client.post(
            f"/testing/jobs/{self.bad.pk}/screening-review/", {"decision": "confirmed", "note": "x"}
        )
        self.assertEqual(resp.status_code, 403)
        self.assertFalse(ScreeningReview.objects.exists())


class TakedownRuleTests(ReviewCase):
    def takedown_web(self, user=None):
        return self.login(user or self.regulator).post(
            f"/early-warning/{self.bad.app_version_id}/takedown/", {"reason": "短信扣费木马"}
        )

    def test_refused_without_a_review(self):
        resp = self.takedown_web()
        self.assertEqual(resp.status_code, 400)
        self.assertIn("尚未复核确认", resp.content.decode())
        api = self.api(self.regulator).post(
            TAKEDOWN_API, {"app_version": self.bad.app_version_id, "reason": "下架"}, format="json"
        )
        self.assertEqual(api.status_code, 400)
        self.assertIn("尚未复核确认", api.json()["detail"])
        self.assertFalse(RectificationOrder.objects.exists())
        self.assertIn("待复核", self.harmful_rows())
        self.assertNotIn('class="ew-takedown"', self.harmful_rows())

    def test_refused_when_the_latest_review_rejects(self):
        review_screening(self.bad, user=self.reviewer, decision="confirmed", note="有害")
        review_screening(self.bad, user=pf.user("reviewer"), decision="rejected", note="误报")
        self.assertEqual(self.takedown_web().status_code, 400)
        self.assertFalse(RectificationOrder.objects.exists())

    def test_refused_when_the_same_user_confirmed(self):
        review_screening(self.bad, user=self.regulator, decision="confirmed", note="我核实过")
        resp = self.takedown_web()
        self.assertEqual(resp.status_code, 400)
        self.assertIn("需另一人复核", resp.content.decode())
        self.assertFalse(RectificationOrder.objects.exists())
        rows = self.harmful_rows()
        self.assertIn("需另一人复核", rows)
        self.assertNotIn('class="ew-takedown"', rows)
        # another regulator may take it down on that confirmation
        other = pf.user("regulator")
        self.assertIn('class="ew-takedown"', self.harmful_rows(other))
        self.assertEqual(self.takedown_web(other).status_code, 302)

    def test_allowed_with_another_persons_confirmation_and_recorded(self):
        review = review_screening(self.bad, user=self.reviewer, decision="confirmed", note="核实扣费")
        rows = self.harmful_rows()
        self.assertIn("已确认", rows)
        self.assertIn(self.reviewer.username, rows)
        self.assertIn('class="ew-takedown"', rows)
        resp = self.takedown_web()
        self.assertEqual(resp.status_code, 302)
        order = RectificationOrder.objects.get()
        row = AuditLog.objects.get(action="harmful_takedown")
        self.assertEqual(row.data["screening_review"], review.pk)
        self.assertEqual(row.data["screening_reviewer"], self.reviewer.username)
        self.assertEqual(order.transitions.get().reason, "短信扣费木马")  # the company sees no reviewer

    @override_settings(APPWARDEN_HARMFUL_TAKEDOWN_TWO_PERSON=False)
    def test_same_user_allowed_when_the_two_person_rule_is_off(self):
        review_screening(self.bad, user=self.regulator, decision="confirmed", note="我核实过")
        self.assertIn('class="ew-takedown"', self.harmful_rows())
        order = workflow.takedown_harmful(self.bad.app_version, user=self.regulator, reason="下架")
        self.assertEqual(order.state, "takedown")

    def test_api_rows_say_whether_a_takedown_is_allowed(self):
        body = self.api(self.regulator).get("/api/early-warning/").json()
        (row,) = [r for r in body["harmful"] if r["app"]["package"] == "com.bad.sms"]
        self.assertEqual((row["review"]["state"], row["takedown_allowed"]), ("unreviewed", False))
        self.assertEqual(row["takedown_block"], "awaiting_review")
        review_screening(self.bad, user=self.regulator, decision="confirmed", note="核实")
        (row,) = self.api(self.regulator).get("/api/early-warning/").json()["harmful"]
        self.assertEqual((row["review"]["state"], row["takedown_block"]), ("confirmed", "same_reviewer"))
        self.assertEqual(row["review"]["reviewer"], self.regulator.username)
        (row,) = self.api(pf.user("regulator")).get("/api/early-warning/").json()["harmful"]
        self.assertEqual((row["takedown_allowed"], row["takedown_block"]), (True, ""))


class FalseAlarmListTests(ReviewCase):
    def test_rejected_verdicts_leave_the_lists_and_a_newer_harmful_scan_comes_back(self):
        review_screening(self.bad, user=self.reviewer, decision="rejected", note="预装计费应用")
        review_screening(self.odd, user=self.regulator, decision="rejected", note="正规贷款应用")
        html = self.login(self.regulator).get("/early-warning/").content.decode()
        harmful = html[html.index('id="harmful-heading"') : html.index('id="suspicious-heading"')]
        suspicious = html[html.index('id="suspicious-heading"') : html.index('id="false-alarm-heading"')]
        false_alarms = html[html.index('id="false-alarm-heading"') :]
        self.assertNotIn("com.bad.sms", harmful)
        self.assertNotIn("com.odd.loan", suspicious)
        self.assertIn("已复核为误报 False alarms (2)", false_alarms)
        self.assertIn("com.bad.sms", false_alarms)
        self.assertIn("预装计费应用", false_alarms)
        body = self.api(self.regulator).get("/api/early-warning/").json()
        self.assertEqual(body["harmful"], [])
        self.assertEqual(body["suspicious"], [])
        self.assertEqual(
            sorted(r["app"]["package"] for r in body["false_alarms"]), ["com.bad.sms", "com.odd.loan"]
        )
        self.assertEqual(body["pagination"]["sections"]["false_alarms"]["count"], 2)
        # a newer scan of the same version with its own harmful verdict is listed again, unreviewed
        # (the same APK scanned again under a chosen 39类 category: a new job of the same AppVersion)
        self.engine.reports["com.bad.sms-1.0"]["screening"] = screening("harmful", ["sms_fraud"], 95)
        newer = pf.scanned_job(
            self.reviewer, storage.path_for(self.bad.sha256).read_bytes(), category="N39-01"
        )
        self.assertEqual(newer.status, "done", newer.error)
        self.assertEqual(newer.app_version_id, self.bad.app_version_id)
        harmful = self.harmful_rows()
        self.assertIn("com.bad.sms", harmful)
        self.assertIn(f'id="review-state-{newer.pk}"', harmful)
        self.assertIn("未复核", harmful)
        body = self.api(self.regulator).get("/api/early-warning/").json()
        self.assertEqual(
            [(r["job"], r["review"]["state"]) for r in body["harmful"]], [(newer.pk, "unreviewed")]
        )
        self.assertEqual([r["app"]["package"] for r in body["false_alarms"]], ["com.odd.loan"])
        # and a direct takedown is refused until that scan is reviewed
        with self.assertRaisesMessage(PlatformError, "尚未复核确认"):
            workflow.takedown_harmful(self.bad.app_version, user=self.regulator, reason="下架")

    def test_a_confirmed_verdict_stays_listed(self):
        review_screening(self.bad, user=self.reviewer, decision="confirmed", note="有害")
        self.assertIn("com.bad.sms", self.harmful_rows())
        self.assertIn(
            "已复核为误报 False alarms (0)",
            self.login(self.regulator).get("/early-warning/").content.decode(),
        )


class PrelistingReviewTests(PrelistingCase):
    def test_a_false_alarm_review_clears_the_screening_fail(self):
        body = self.checked([], screening="harmful")
        self.assertEqual((body["verdict"], body["reasons"]), ("fail", ["screening:harmful"]))
        job = ScanJob.objects.get(pk=body["job"])
        review_screening(job, user=self.reviewer, decision="rejected", note="误报：正规预装应用")
        got = self.api(self.store_user).get(f"/api/prelisting/{body['id']}/").json()
        self.assertEqual(got["verdict"], "pass", got)
        self.assertEqual(got["reasons"], ["screening:rejected_as_false_alarm"])
        self.assertEqual(got["screening_review"]["decision"], "rejected")
        self.assertNotIn("note", got["screening_review"])  # the reviewer's words stay inside
        # the store's page and list show it too
        listed = self.api(self.store_user).get("/api/prelisting/").json()
        (row,) = [r for r in listed["results"] if r["id"] == body["id"]]
        self.assertEqual((row["verdict"], row["reasons"]), ("pass", ["screening:rejected_as_false_alarm"]))
        self.client.force_login(self.store_user)
        self.assertContains(self.client.get("/store/prelisting/"), "不良APP筛查结论经复核为误报")

    def test_a_suspicious_false_alarm_no_longer_needs_review(self):
        body = self.checked([], screening="suspicious")
        self.assertEqual(body["verdict"], "needs_review")
        review_screening(
            ScanJob.objects.get(pk=body["job"]), user=self.reviewer, decision="rejected", note="误报"
        )
        got = self.api(self.store_user).get(f"/api/prelisting/{body['id']}/").json()
        self.assertEqual((got["verdict"], got["reasons"]), ("pass", ["screening:rejected_as_false_alarm"]))

    def test_a_confirmed_harmful_verdict_stays_fail(self):
        body = self.checked([], screening="harmful")
        job = ScanJob.objects.get(pk=body["job"])
        review_screening(job, user=self.reviewer, decision="rejected", note="误报")
        review_screening(job, user=pf.user("regulator"), decision="confirmed", note="复查确认有害")
        got = self.api(self.store_user).get(f"/api/prelisting/{body['id']}/").json()
        self.assertEqual((got["verdict"], got["reasons"]), ("fail", ["screening:harmful"]))
        self.assertEqual(got["screening_review"]["decision"], "confirmed")

    def test_the_job_of_a_check_is_reviewable_by_staff_only(self):
        body = self.checked([], screening="harmful")
        resp = self.api(self.store_user).post(
            f"/api/jobs/{body['job']}/screening_review/",
            {"decision": "rejected", "note": "误报"},
            format="json",
        )
        self.assertEqual(resp.status_code, 404)
        self.assertFalse(ScreeningReview.objects.exists())
