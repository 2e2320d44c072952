"""SDK vendors as a party (issue #21.1): the KB vendor link, the ``sdk_vendor`` role and its scoping.

An SDK vendor user sees the confirmed findings owned by its vendor's SDK ids, across apps, through the API and
``/my-sdk/``; never an app's other findings, another vendor's findings, or apps/jobs/orders/complaints (404, the
same answer as for an id that does not exist).
"""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import platform_factories as pf
from django.test import Client, TestCase
from rest_framework.test import APIClient

from appwarden.platform.core import tokens, users
from appwarden.platform.core.models import AuditLog
from appwarden.platform.registry.models import SdkVendor
from appwarden.platform.registry.sdk_vendors import sync_from_kb
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import Finding
from appwarden.platform.web import stats


def _kb(*pairs: tuple[str, str]) -> list[SimpleNamespace]:
    return [SimpleNamespace(id=sid, vendor=vendor) for sid, vendor in pairs]


class KbLinkTests(TestCase):
    def test_sync_creates_links_is_idempotent_and_keeps_manual_assignments(self):
        SdkVendor.objects.create(name="手工厂商", sdk_ids=["push.x"])
        kb = _kb(
            ("push.x", "某推送公司"),  # already assigned by a regulator: stays there
            ("push.y", "某推送公司"),
            ("ads.z", "某广告公司"),
            ("lib.u", "unknown"),
            ("lib.e", ""),
        )
        first = sync_from_kb(kb)
        self.assertEqual((first.created, first.linked, first.unnamed), (2, 2, 2))
        self.assertEqual(SdkVendor.objects.get(name="某推送公司").sdk_ids, ["push.y"])
        self.assertEqual(SdkVendor.objects.get(name="某广告公司").sdk_ids, ["ads.z"])
        self.assertEqual(SdkVendor.objects.get(name="手工厂商").sdk_ids, ["push.x"])
        self.assertFalse(SdkVendor.objects.filter(name__in=["unknown", ""]).exists())
        before = sorted(SdkVendor.objects.values_list("name", "sdk_ids"))
        second = sync_from_kb(kb)
        self.assertEqual((second.created, second.linked), (0, 0))
        self.assertEqual(sorted(SdkVendor.objects.values_list("name", "sdk_ids")), before)

    def test_real_kb_every_named_vendor_sdk_is_linked_and_no_longer_without_a_vendor(self):
        from appwarden.sdk.kb import load_kb

        kb = list(load_kb())
        named = [r for r in kb if (r.vendor or "").strip().lower() not in ("", "unknown", "未知")]
        self.assertTrue(named)
        sample = named[0]
        reviewer = pf.user("reviewer")
        eng = pf.ReportEngine()
        engine.use_engine(eng)
        self.addCleanup(engine.use_engine, None)
        rep = pf.report("com.kb.app", "1.0", [pf.finding("r.sdk", ["RD-3.1"], owner=sample.id)])
        pf.scanned_job(reviewer, eng.add("kb", rep))
        self.assertIn(sample.id, [owner for owner, _ in stats.sdk_vendor_view()["unassigned"]])
        sync_from_kb()
        linked = {s for v in SdkVendor.objects.all() for s in v.sdk_ids}
        self.assertEqual({r.id for r in named} - linked, set())
        self.assertEqual(stats.sdk_vendor_view()["unassigned"], [])
        vendor = next(v for v in SdkVendor.objects.all() if sample.id in v.sdk_ids)
        self.assertEqual(vendor.name, sample.vendor.strip()[:200])


class RoleBindingTests(TestCase):
    def test_sdk_vendor_role_needs_an_existing_vendor(self):
        with self.assertRaises(users.UserAdminError) as ctx:
            users.create_user(username="v1", password="x", role="sdk_vendor", validate_password=False)
        self.assertEqual(ctx.exception.field, "sdk_vendor")
        with self.assertRaises(users.UserAdminError):
            users.create_user(
                username="v1", password="x", role="sdk_vendor", sdk_vendor=999_999, validate_password=False
            )
        vendor = SdkVendor.objects.create(name="V", sdk_ids=["a"])
        user = users.create_user(
            username="v1", password="x", role="sdk_vendor", sdk_vendor=vendor.pk, validate_password=False
        )
        self.assertEqual(user.profile.sdk_vendor, vendor)
        row = AuditLog.objects.filter(action="user_create").latest("id")
        self.assertEqual(row.data["after"]["sdk_vendor_id"], vendor.pk)
        # a staff role drops the vendor binding
        users.change_access(user, role="reviewer", sdk_vendor=vendor)
        user.profile.refresh_from_db()
        self.assertIsNone(user.profile.sdk_vendor)

    def test_users_page_creates_an_sdk_vendor_user(self):
        vendor = SdkVendor.objects.create(name="页面厂商", sdk_ids=["a"])
        web = Client()
        web.force_login(pf.user("regulator"))
        form = {"username": "vendoruser", "password": "A-long-enough-pw-91", "role": "sdk_vendor"}
        resp = web.post("/users/new/", form)
        self.assertEqual(resp.status_code, 200)
        self.assertContains(resp, "role sdk_vendor needs an SDK vendor")
        resp = web.post("/users/new/", {**form, "sdk_vendor": vendor.pk})
        self.assertEqual(resp.status_code, 302)
        created = users.get_user_model().objects.get(username="vendoruser")
        self.assertEqual((created.profile.role, created.profile.sdk_vendor), ("sdk_vendor", vendor))
        self.assertContains(web.get("/users/"), "页面厂商")


class ScopingTests(TestCase):
    """Two apps of two companies, each with a host finding, an SDK-A and an SDK-B finding (all confirmed) and a
    pending SDK-A finding."""

    def setUp(self):
        self.eng = pf.ReportEngine()
        engine.use_engine(self.eng)
        self.addCleanup(engine.use_engine, None)
        reviewer = pf.user("reviewer")
        self.vendor_a = SdkVendor.objects.create(name="甲SDK厂商", sdk_ids=["sdk.a", "sdk.a2"])
        self.vendor_b = SdkVendor.objects.create(name="乙SDK厂商", sdk_ids=["sdk.b"])
        self.jobs = {}
        for key in ("x", "y"):
            rep = pf.report(
                f"com.{key}.app",
                "2.0",
                [
                    pf.finding("r.host", ["RD-3.1"], owner="host"),
                    pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a", severity="high"),
                    pf.finding("r.sdka.low", ["RD-3.1"], owner="sdk.a", severity="low"),
                    pf.finding("r.sdkb", ["RD-3.1"], owner="sdk.b"),
                    pf.finding("r.pending", ["RD-3.1"], owner="sdk.a"),
                ],
                label=f"应用{key}",
            )
            job = pf.scanned_job(reviewer, self.eng.add(key, rep), company=pf.company())
            for f in job.findings.exclude(rule_id="r.pending"):
                services.review_finding(f, user=reviewer, action="confirm", reason="ok")
            self.jobs[key] = job
        self.user_a = pf.user("sdk_vendor", sdk_vendor=self.vendor_a)
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(self.user_a)}")

    def _missing(self, model) -> int:
        return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 10_000

    def test_api_lists_only_confirmed_findings_of_its_sdks_across_apps(self):
        resp = self.api.get("/api/findings/", {"page_size": 100})
        self.assertEqual(resp.status_code, 200)
        rows = resp.json()["results"] if isinstance(resp.json(), dict) else resp.json()
        expected = Finding.objects.filter(owner="sdk.a", status="confirmed")
        self.assertEqual(sorted(r["id"] for r in rows), sorted(expected.values_list("pk", flat=True)))
        self.assertEqual(len(rows), 4)  # 2 apps x 2 confirmed SDK-A findings
        self.assertEqual({r["owner"] for r in rows}, {"sdk.a"})
        own = expected.first()
        self.assertEqual(self.api.get(f"/api/findings/{own.pk}/").status_code, 200)

    def test_foreign_findings_and_app_objects_answer_like_missing_ones(self):
        from appwarden.platform.complaints.models import Complaint
        from appwarden.platform.enforcement.models import RectificationOrder
        from appwarden.platform.registry.models import App
        from appwarden.platform.testing.models import ScanJob

        host = Finding.objects.filter(owner="host").first()
        other_vendor = Finding.objects.filter(owner="sdk.b").first()
        pending = Finding.objects.filter(rule_id="r.pending").first()
        missing = self._missing(Finding)
        gone = self.api.get(f"/api/findings/{missing}/")
        self.assertEqual(gone.status_code, 404)
        for f in (host, other_vendor, pending):
            resp = self.api.get(f"/api/findings/{f.pk}/")
            self.assertEqual((resp.status_code, resp.content), (gone.status_code, gone.content), f.rule_id)
        job = self.jobs["x"]
        Complaint.objects.create(app_name="x", description="y")
        for prefix, pk in (
            ("jobs", job.pk),
            ("apps", job.app_version.app_id),
            ("complaints", Complaint.objects.get().pk),
        ):
            self.assertEqual(self.api.get(f"/api/{prefix}/{pk}/").status_code, 404, prefix)
        for prefix in ("jobs", "apps", "orders", "complaints"):
            resp = self.api.get(f"/api/{prefix}/")
            self.assertEqual(resp.status_code, 200, prefix)
            data = resp.json()
            self.assertEqual(data.get("count", len(data)) if isinstance(data, dict) else len(data), 0)
        self.assertTrue(ScanJob.objects.exists() and App.objects.exists())
        self.assertFalse(RectificationOrder.objects.exists())
        # the findings review action: a visible finding may not be reviewed by the vendor (403)
        own = Finding.objects.filter(owner="sdk.a", status="confirmed").first()
        resp = self.api.post(f"/api/findings/{own.pk}/review/", {"action": "reject", "reason": "x"})
        self.assertEqual(resp.status_code, 403)
        own.refresh_from_db()
        self.assertEqual(own.status, "confirmed")

    def test_web_page_aggregates_per_sdk_and_shows_nothing_else(self):
        web = Client()
        web.force_login(self.user_a)
        self.assertRedirects(web.get("/"), "/my-sdk/", fetch_redirect_response=False)
        page = web.get("/my-sdk/")
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        for text in ("我的SDK问题", "甲SDK厂商", "sdk.a", "com.x.app", "com.y.app", "应用x", "2.0", "r.sdka"):
            self.assertIn(text, html)
        for text in ("r.host", "r.sdkb", "r.pending", "sdk.b"):
            self.assertNotIn(text, html)
        context = stats.my_sdk_view(self.user_a)
        by_sdk = {s["sdk"]: s for s in context["sdks"]}
        self.assertEqual(set(by_sdk), {"sdk.a", "sdk.a2"})
        self.assertEqual(by_sdk["sdk.a"]["findings"], 4)
        self.assertEqual(by_sdk["sdk.a"]["severity"], [("high", 2), ("low", 2)])
        self.assertEqual([p for p, _ in by_sdk["sdk.a"]["apps"]], ["com.x.app", "com.y.app"])
        self.assertEqual(by_sdk["sdk.a"]["rules"], [("r.sdka", 2), ("r.sdka.low", 2)])
        self.assertEqual(by_sdk["sdk.a2"]["findings"], 0)
        # staff-only and id-taking pages: 403 / 404
        self.assertEqual(web.get("/sdk-vendors/").status_code, 403)
        host = Finding.objects.filter(owner="host").first()
        self.assertEqual(
            web.get(f"/testing/findings/{host.pk}/").status_code,
            web.get(f"/testing/findings/{self._missing(Finding)}/").status_code,
        )
        from appwarden.platform.testing.models import ScanJob

        job_page = web.get(f"/testing/jobs/{self.jobs['x'].pk}/")
        self.assertIn(job_page.status_code, (403, 404))
        self.assertEqual(
            job_page.status_code, web.get(f"/testing/jobs/{self._missing(ScanJob)}/").status_code
        )
        # other roles cannot open /my-sdk/
        company = Client()
        company.force_login(pf.user("company", company=pf.company()))
        self.assertEqual(company.get("/my-sdk/").status_code, 403)

    def test_other_vendor_sees_its_own_only(self):
        user_b = pf.user("sdk_vendor", sdk_vendor=self.vendor_b)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user_b)}")
        rows = api.get("/api/findings/").json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        self.assertEqual({r["owner"] for r in rows}, {"sdk.b"})
        self.assertEqual(len(rows), 2)
        foreign = Finding.objects.filter(owner="sdk.a", status="confirmed").first()
        self.assertEqual(api.get(f"/api/findings/{foreign.pk}/").status_code, 404)

    def test_vendor_with_no_sdk_ids_sees_nothing(self):
        empty = SdkVendor.objects.create(name="空厂商", sdk_ids=[])
        user = pf.user("sdk_vendor", sdk_vendor=empty)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
        rows = api.get("/api/findings/").json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        self.assertEqual(rows, [])


def test_cli_links_vendors_and_creates_an_sdk_vendor_user(tmp_path):
    """``appwarden platform-sdk-vendors`` then ``platform-user --role sdk_vendor --sdk-vendor ID`` on SQLite;
    a missing vendor id is one clear line and exit 2."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.pop("APPWARDEN_DATA_DIR", None)
    data = str(tmp_path / "data")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "appwarden", *args, "--data-dir", data],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    first = run("platform-sdk-vendors")
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout and "SDK ids linked" in first.stdout
    again = run("platform-sdk-vendors")
    assert again.returncode == 0, again.stderr
    assert "0 created, 0 SDK ids linked" in again.stdout
    bad = run("platform-user", "v", "--role", "sdk_vendor", "--sdk-vendor", "999999", "--password", "pw")
    assert bad.returncode == 2
    assert "needs an SDK vendor" in bad.stderr and "Traceback" not in bad.stderr
    ok = run("platform-user", "v", "--role", "sdk_vendor", "--sdk-vendor", "1", "--password", "pw")
    assert ok.returncode == 0, ok.stderr
    assert "user v (sdk_vendor)" in ok.stdout
