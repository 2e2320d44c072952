"""Stores' pre-listing check (issue #21.2) through the real HTTP API: ``POST /api/prelisting/`` with a store token
queues a scan job of the ordinary pipeline; ``GET /api/prelisting/<id>/`` gives the verdict (pass / fail /
needs_review) with the findings summary, the 通报 notice types in Chinese and the 164号文 item 9 listing mismatches.
A store sees only its own checks; other roles are refused. Also the per-store share of violating apps."""

from __future__ import annotations

import platform_factories as pf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from rest_framework.test import APIClient

from appwarden.platform.core import tokens
from appwarden.platform.prelisting.models import PrelistingCheck
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import F_CONFIRMED, F_REJECTED, ScanJob

PERMS = ["android.permission.CAMERA", "android.permission.READ_PHONE_STATE"]
LISTING = {
    "developer": "测试公司",  # the O= of pf.report's signer subject "CN=Test, O=测试公司"
    "version": "1.0",
    "policy_url": "https://example.com/privacy",
    "permissions": "CAMERA, android.permission.READ_PHONE_STATE",
    "updated": "2026-12-01",
}


def finding(rule: str, severity: str, confidence: str, types: list[str] | None = None) -> dict:
    data = pf.finding(rule, ["RD-3.1"], severity=severity, notice_types=types or [])
    data["confidence"] = confidence
    return data


class PrelistingCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.store_a, self.store_b = pf.store("甲应用市场"), pf.store("乙应用商店")
        self.store_user = pf.user("store", store=self.store_a)
        self.other_store_user = pf.user("store", store=self.store_b)
        self.reviewer = pf.user("reviewer")
        self.company = pf.company("某科技有限公司")
        self.company_user = pf.user("company", company=self.company)
        self.n = 0

    def api(self, user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
        return client

    def apk(
        self, findings: list[dict], screening: str | None = None, perms=PERMS, errors=None, screened=True
    ) -> bytes:
        self.n += 1
        rep = pf.report(f"com.pre.app{self.n}", "1.0", findings)
        rep["manifest"] = {"permissions": [{"name": p, "dangerous": True} for p in perms]}
        if screening:
            rep["screening"] = {"verdict": screening, "categories": [], "evaluated": screened}
        if errors:
            rep["errors"] = errors
        return self.engine.add(f"pre-{self.n}", rep)

    def submit(self, data: bytes, user=None, listing=LISTING, **extra):
        payload = {"apk": SimpleUploadedFile("app.apk", data), **listing, **extra}
        return self.api(user or self.store_user).post("/api/prelisting/", payload, format="multipart")

    def checked(self, findings: list[dict], listing=LISTING, **kw) -> dict:
        """Submit, run the queued job, and return the GET answer."""
        resp = self.submit(self.apk(findings, **kw), listing=listing)
        self.assertEqual(resp.status_code, 201, resp.content)
        self.assertEqual(resp.json()["status"], "queued")
        self.assertNotIn("verdict", resp.json())
        services.run_scan(resp.json()["job"])
        got = self.api(self.store_user).get(f"/api/prelisting/{resp.json()['id']}/")
        self.assertEqual(got.status_code, 200, got.content)
        self.assertEqual(got.json()["status"], "done")
        return got.json()


class VerdictTests(PrelistingCase):
    def test_clean_apk_with_matching_listing_passes(self):
        body = self.checked([finding("r.low", "low", "likely")])
        self.assertEqual(body["verdict"], "pass", body)
        self.assertEqual(body["listing_mismatches"], [])
        self.assertEqual(body["findings"], {"total": 1, "by_severity": {"low": 1}})
        check = PrelistingCheck.objects.get(pk=body["id"])
        self.assertEqual(check.store, self.store_a)
        self.assertEqual(check.job.status, "done")

    def test_a_pre_listing_submission_is_in_the_audit_log_as_the_store_user(self):
        from appwarden.platform.core.models import AuditLog

        resp = self.submit(self.apk([]))
        self.assertEqual(resp.status_code, 201, resp.content)
        rows = AuditLog.objects.filter(model="prelisting.prelistingcheck", object_id=str(resp.json()["id"]))
        self.assertEqual([r.action for r in rows], ["create"])
        self.assertEqual(rows[0].actor, self.store_user)

    def test_high_likely_finding_fails_with_notice_type_names(self):
        body = self.checked([finding("pi.pre_consent", "high", "likely", ["M337-1"])])
        self.assertEqual(body["verdict"], "fail")
        self.assertIn("pi.pre_consent", body["reasons"])
        self.assertEqual(body["findings"]["by_severity"], {"high": 1})
        self.assertEqual(len(body["notice_types"]), 1)
        self.assertEqual(body["notice_types"][0]["id"], "M337-1")
        self.assertRegex(body["notice_types"][0]["name_zh"], r"[\u4e00-\u9fff]")

    def test_harmful_screening_fails(self):
        self.assertEqual(self.checked([], screening="harmful")["verdict"], "fail")

    def test_possible_high_or_medium_needs_review(self):
        self.assertEqual(self.checked([finding("r.h", "high", "possible")])["verdict"], "needs_review")
        self.assertEqual(self.checked([finding("r.m", "medium", "likely")])["verdict"], "needs_review")
        self.assertEqual(self.checked([], screening="suspicious")["verdict"], "needs_review")

    def test_code_not_read_is_no_pass(self):
        """A DEX the engine refused (a zip-bomb entry) or a screening that did not run: "nothing found" is no pass,
        on the check's own GET and in the store's list alike."""
        bomb = [
            {
                "stage": "dex",
                "message": "entry 'classes3.dex' inflates beyond the size limit",
                "path": "classes3.dex",
            }
        ]
        body = self.checked([], errors=bomb)
        self.assertEqual((body["verdict"], body["reasons"]), ("needs_review", ["analysis:dex_not_read"]))
        listed = {c["id"]: c for c in self.api(self.store_user).get("/api/prelisting/").json()["results"]}
        self.assertEqual(listed[body["id"]]["reasons"], ["analysis:dex_not_read"])
        body = self.checked([], screening="none", screened=False)
        self.assertEqual(
            (body["verdict"], body["reasons"]), ("needs_review", ["analysis:screening_not_evaluated"])
        )
        policy_note = [
            {"stage": "policy", "message": "no privacy policy bundled"}
        ]  # not a gap in the code read
        self.assertEqual(self.checked([], errors=policy_note)["verdict"], "pass")
        with self.settings(APPWARDEN_PRELISTING_GAP_REVIEW=False):
            self.assertEqual(self.checked([], errors=bomb)["verdict"], "pass")

    def test_rules_not_all_evaluated_is_no_pass(self):
        """An app that makes the rules stage run over its time limit had no findings and passed the pre-listing
        check: "nothing found" by rules that never ran is no pass."""
        slow = [
            {
                "stage": "rules",
                "message": "rule evaluation skipped: stage 'rules' exceeded its time limit of 300 s",
            }
        ]
        body = self.checked([], errors=slow)
        self.assertEqual(
            (body["verdict"], body["reasons"]), ("needs_review", ["analysis:rules_not_evaluated"])
        )

    def test_rejected_finding_no_longer_counts(self):
        body = self.checked([finding("r.h", "high", "likely")])
        self.assertEqual(body["verdict"], "fail")
        job = ScanJob.objects.get(pk=body["job"])
        services.review_finding(job.findings.get(), user=self.reviewer, action="reject", reason="误报")
        again = self.api(self.store_user).get(f"/api/prelisting/{body['id']}/").json()
        self.assertEqual(again["verdict"], "pass")
        self.assertEqual(job.findings.get().status, F_REJECTED)

    @override_settings(APPWARDEN_PRELISTING_FAIL_CONFIDENCES=["confirmed", "likely", "possible"])
    def test_thresholds_are_settings(self):
        self.assertEqual(self.checked([finding("r.h", "high", "possible")])["verdict"], "fail")

    def test_failed_scan_has_no_verdict(self):
        resp = self.submit(pf.fake_apk("unknown-tag"))  # the stand-in engine has no report: the job fails
        self.assertEqual(resp.status_code, 201)
        services.run_scan(resp.json()["job"])
        body = self.api(self.store_user).get(f"/api/prelisting/{resp.json()['id']}/").json()
        self.assertEqual(body["status"], "failed")
        self.assertNotIn("verdict", body)


class ListingCheckTests(PrelistingCase):
    def mismatch_kinds(self, body: dict) -> set[str]:
        self.assertTrue(all(m["clause"] == "M164-4.1" for m in body["listing_mismatches"]))
        return {m["check"] for m in body["listing_mismatches"]}

    def test_undeclared_permission(self):
        listing = {**LISTING, "permissions": "CAMERA"}
        body = self.checked([], listing=listing)
        self.assertEqual(self.mismatch_kinds(body), {"permissions_undeclared"})
        self.assertEqual(
            body["listing_mismatches"][0]["permissions"], ["android.permission.READ_PHONE_STATE"]
        )
        self.assertEqual(body["verdict"], "needs_review")
        self.assertIn("listing:permissions_undeclared", body["reasons"])

    def test_missing_metadata(self):
        body = self.checked([], listing={})
        self.assertEqual(
            self.mismatch_kinds(body), {"permissions_not_listed", "policy_url_missing", "developer_missing"}
        )

    def test_developer_and_version_and_policy_url_mismatch(self):
        listing = {**LISTING, "developer": "别的公司", "version": "2.0", "policy_url": "见应用内"}
        body = self.checked([], listing=listing)
        self.assertEqual(
            self.mismatch_kinds(body), {"developer_mismatch", "version_mismatch", "policy_url_invalid"}
        )
        dev = next(m for m in body["listing_mismatches"] if m["check"] == "developer_mismatch")
        self.assertIn("O=测试公司", dev["signer_subject"])

    def test_registered_company_name_matches_developer(self):
        data = self.apk([])
        job = services.submit_apk(
            data, user=self.reviewer, company=self.company
        )  # registers the app's company
        services.run_scan(job.pk)
        listing = {**LISTING, "developer": "某科技有限公司"}
        resp = self.submit(data, listing=listing)
        services.run_scan(resp.json()["job"])
        body = self.api(self.store_user).get(f"/api/prelisting/{resp.json()['id']}/").json()
        self.assertEqual(body["listing_mismatches"], [], body)
        self.assertEqual(body["verdict"], "pass")

    @override_settings(APPWARDEN_PRELISTING_MISMATCH_REVIEW=False)
    def test_mismatch_review_is_a_setting(self):
        body = self.checked([], listing={})
        self.assertTrue(body["listing_mismatches"])
        self.assertEqual(body["verdict"], "pass")


class ScopingTests(PrelistingCase):
    def test_other_roles_cannot_submit(self):
        for user in (self.company_user, self.reviewer):
            resp = self.submit(self.apk([]), user=user)
            self.assertEqual(resp.status_code, 403, resp.content)
        self.assertEqual(PrelistingCheck.objects.count(), 0)
        self.assertEqual(APIClient().post("/api/prelisting/", {}).status_code, 401)

    def test_store_sees_only_its_own_checks(self):
        resp = self.submit(self.apk([]))
        pk = resp.json()["id"]
        self.assertEqual(self.api(self.other_store_user).get(f"/api/prelisting/{pk}/").status_code, 404)
        self.assertEqual(self.api(self.other_store_user).get("/api/prelisting/").json()["results"], [])
        mine = self.api(self.store_user).get("/api/prelisting/").json()["results"]
        self.assertEqual([c["id"] for c in mine], [pk])
        self.assertEqual(self.api(self.company_user).get(f"/api/prelisting/{pk}/").status_code, 403)
        self.assertEqual(self.api(self.reviewer).get(f"/api/prelisting/{pk}/").status_code, 200)
        # the job behind the check stays invisible to the store through the jobs API
        self.assertEqual(self.api(self.store_user).get(f"/api/jobs/{resp.json()['job']}/").status_code, 404)

    def test_not_an_apk_is_refused_and_nothing_stored(self):
        resp = self.submit(b"not a zip at all")
        self.assertEqual(resp.status_code, 400)
        self.assertEqual(PrelistingCheck.objects.count(), 0)
        self.assertEqual(self.submit(b"", listing={}).status_code, 400)


class StoreShareTests(PrelistingCase):
    def test_share_of_violating_apps(self):
        bad = pf.scanned_job(self.reviewer, self.apk([finding("r.h", "high", "likely")]))
        ok = pf.scanned_job(self.reviewer, self.apk([finding("r.m", "medium", "possible")]))
        pf.listing(self.store_a, bad.app_version.app)
        pf.listing(self.store_a, ok.app_version.app)
        pf.listing(self.store_b, ok.app_version.app)
        api = self.api(self.store_user)
        self.assertEqual(
            api.get("/api/prelisting/").json()["store_share"]["violating"], 0
        )  # nothing confirmed
        services.review_finding(bad.findings.get(), user=self.reviewer, action="confirm", reason="属实")
        self.assertEqual(bad.findings.get().status, F_CONFIRMED)
        share = api.get("/api/prelisting/").json()["store_share"]
        self.assertEqual(share, {"listed": 2, "violating": 1, "percent": 50.0})
        other = self.api(self.other_store_user).get("/api/prelisting/").json()["store_share"]
        self.assertEqual(other, {"listed": 1, "violating": 0, "percent": 0.0})

    def test_share_on_the_store_page(self):
        bad = pf.scanned_job(self.reviewer, self.apk([finding("r.h", "high", "likely")]))
        pf.listing(self.store_a, bad.app_version.app)
        services.review_finding(bad.findings.get(), user=self.reviewer, action="confirm", reason="属实")
        self.client.force_login(self.store_user)
        page = self.client.get(f"/registry/stores/{self.store_a.pk}/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "违规应用占比 Share of violating apps: 1 / 1 (100.0%)")
        self.assertEqual(self.client.get(f"/registry/stores/{self.store_b.pk}/").status_code, 404)
