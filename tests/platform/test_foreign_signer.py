"""Builds signed by another key (docs/platform.md "Builds signed by another key"): ingest files every scan under the
``App`` of its package whoever signed the APK, and a store may submit any APK as a pre-listing check. A build that
merely carries a registered app's package name (another signer, not a verified key rotation) is recorded as
``foreign`` on its ``AppVersion``; its findings, even confirmed, do not count against the genuine company (repeat
offenders, yearly report, store violating share, dashboard, app list), cannot be ordered to the company, and the
company's own view does not show it, nor a store's (its own pre-listing check still shows its result), nor the
SDK-vendor counts (``/my-sdk/``, the early-warning SDK versions). A genuine new version and a verified rotation
still count. Also run on PostgreSQL by ``test_services.py``."""

from __future__ import annotations

import datetime as dt

import platform_factories as pf
from django.test import TestCase, TransactionTestCase
from django.utils import timezone
from rest_framework.test import APIClient

from appwarden.platform.core import tokens
from appwarden.platform.core.errors import PlatformError
from appwarden.platform.enforcement import identity, workflow
from appwarden.platform.prelisting import services as prelisting
from appwarden.platform.registry.models import (
    SIGNER_FOREIGN,
    SIGNER_OWN,
    SIGNER_ROTATED,
    SIGNER_UNKNOWN,
    AppVersion,
)
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import Batch
from appwarden.platform.web import stats, yearly

GENUINE = "ab" * 32
OTHER = "cd" * 32
NEW_KEY = "ef" * 32
BANNER = "签名与该应用不一致（可能为仿冒/借用包名的APK）"


class ForeignSignerCase(TestCase):
    def setUp(self):
        self.eng = pf.ReportEngine()
        engine.use_engine(self.eng)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.company = pf.company("正版科技有限公司")
        self.company_user = pf.user("company", company=self.company)
        self.store = pf.store("甲应用市场")
        self.b1 = Batch.objects.create(name="2026-一批", created_by=self.reviewer)
        self.b2 = Batch.objects.create(name="2026-二批", created_by=self.reviewer)
        # the genuine app: its first scan (batch 1) establishes its signer; one confirmed finding
        self.genuine = self.scan("1.0", GENUINE, [pf.finding("r.genuine", ["RD-3.1"])], batch=self.b1)
        self.app = self.genuine.app_version.app
        pf.listing(self.store, self.app)
        self.confirm(self.genuine)

    def scan(
        self, version, signer, findings, *, batch=None, lineage=None, package="com.genuine.app", tag=None
    ):
        rep = pf.report(package, version, findings, label="正版应用")
        rep["app"]["signers"] = [{"subject": f"CN={signer[:4]}", "sha256": signer}] if signer else []
        if lineage is not None:
            rep["app"]["signing_lineage"] = [{"sha256": s} for s in lineage]
            rep["app"]["signing_lineage_verified"] = True
        data = self.eng.add(tag or f"{package}-{version}-{signer[:4]}", rep)
        return pf.scanned_job(self.reviewer, data, batch=batch, company=self.company)

    def lookalike(self, findings=None, *, batch=None, version="9.9"):
        """A build of another signer carrying the genuine package name, scanned in batch 2 and confirmed."""
        job = self.scan(
            version, OTHER, findings or [pf.finding("r.fake", ["RD-4.2"])], batch=batch or self.b2
        )
        self.confirm(job)
        return job

    def confirm(self, job):
        for f in job.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="属实")

    def api(self, user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(user)}")
        return client

    def repeat_apps(self):
        return [a["app"].package for g in stats.repeat_offenders() for a in g["apps"]]

    def this_year(self):
        today = timezone.localdate()
        return yearly.yearly_stats(
            yearly.Period(today.year, dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
        )


class RelationTests(ForeignSignerCase):
    def test_ingest_records_how_the_signer_relates(self):
        self.assertEqual(
            self.genuine.app_version.signer_relation, SIGNER_OWN
        )  # the first version establishes
        same = self.scan("1.1", GENUINE, [])
        fake = self.scan("9.9", OTHER, [])
        rotated = self.scan("2.0", NEW_KEY, [], lineage=[GENUINE, NEW_KEY])
        unsigned = self.scan("3.0", "", [])
        after_rotation = self.scan("2.1", NEW_KEY, [])  # a verified rotation establishes the new key too
        got = {
            j.app_version.version_name: j.app_version.signer_relation for j in (same, fake, rotated, unsigned)
        }
        self.assertEqual(
            got, {"1.1": SIGNER_OWN, "9.9": SIGNER_FOREIGN, "2.0": SIGNER_ROTATED, "3.0": SIGNER_UNKNOWN}
        )
        self.assertEqual(after_rotation.app_version.signer_relation, SIGNER_OWN)

    def test_an_unverified_lineage_is_no_rotation(self):
        rep = pf.report("com.genuine.app", "2.0", [])
        rep["app"]["signers"] = [{"subject": "CN=x", "sha256": NEW_KEY}]
        rep["app"]["signing_lineage"] = [{"sha256": GENUINE}, {"sha256": NEW_KEY}]
        rep["app"]["signing_lineage_verified"] = False
        job = pf.scanned_job(self.reviewer, self.eng.add("unverified", rep))
        self.assertEqual(job.app_version.signer_relation, SIGNER_FOREIGN)

    def test_a_store_check_of_a_lookalike_is_foreign(self):
        rep = pf.report("com.genuine.app", "9.9", [pf.finding("r.fake", ["RD-4.2"])])
        rep["app"]["signers"] = [{"subject": "CN=Lookalike", "sha256": OTHER}]
        check = prelisting.submit(
            self.eng.add("store-lookalike", rep), store=self.store, user=pf.user("store", store=self.store)
        )
        services.run_scan(check.job_id)
        check.job.refresh_from_db()
        self.assertEqual(check.job.app_version.signer_relation, SIGNER_FOREIGN)

    def test_an_app_whose_first_scan_is_the_only_one_works_as_before(self):
        job = self.scan("1.0", NEW_KEY, [pf.finding("r.solo", ["RD-3.1"])], package="com.solo.app")
        self.confirm(job)
        self.assertEqual(job.app_version.signer_relation, SIGNER_OWN)
        order = workflow.issue_order(
            job.app_version, list(job.findings.all()), user=self.reviewer, reason="责令整改"
        )
        self.assertEqual(order.company, self.company)
        apps = self.api(self.company_user).get("/api/apps/").json()["results"]
        self.assertIn("com.solo.app", [a["package"] for a in apps])
        self.assertEqual(self.this_year()["summary"]["ordered"], 1)


class CountsTests(ForeignSignerCase):
    def test_a_lookalike_is_no_repeat_offence(self):
        self.lookalike()
        self.assertNotIn("com.genuine.app", self.repeat_apps())
        self.client.force_login(self.regulator)
        self.assertNotIn("com.genuine.app", self.client.get("/repeat-offenders/?fresh=1").content.decode())

    def test_a_genuine_new_version_still_counts(self):
        self.lookalike()
        self.confirm(self.scan("1.1", GENUINE, [pf.finding("r.again", ["RD-3.1"])], batch=self.b2))
        self.assertIn("com.genuine.app", self.repeat_apps())

    def test_a_verified_rotation_still_counts(self):
        job = self.scan(
            "2.0", NEW_KEY, [pf.finding("r.again", ["RD-3.1"])], batch=self.b2, lineage=[GENUINE, NEW_KEY]
        )
        self.confirm(job)
        self.assertIn("com.genuine.app", self.repeat_apps())

    def test_the_yearly_report_leaves_a_lookalike_out(self):
        before = self.this_year()["summary"]
        self.lookalike()
        after = self.this_year()["summary"]
        self.assertEqual(after["confirmed_findings"], before["confirmed_findings"])
        self.assertEqual(after["tested_versions"], before["tested_versions"])

    def test_the_store_violating_share_leaves_a_lookalike_out(self):
        quiet = self.scan("1.0", GENUINE, [], package="com.quiet.app")  # the genuine build: nothing confirmed
        pf.listing(self.store, quiet.app_version.app)
        self.scan("9.9", OTHER, [pf.finding("r.fake", ["RD-4.2"])], package="com.quiet.app")
        self.confirm(quiet.app_version.app.versions.get(version_name="9.9").jobs.get())
        self.assertEqual(prelisting.violating_share(self.store)["violating"], 1)  # com.genuine.app only
        self.assertEqual(prelisting.violating_shares([self.store])[self.store.pk]["violating"], 1)
        self.assertEqual(dict(stats.top_stores())[self.store.name], 1)
        self.client.force_login(self.regulator)
        page = self.client.get("/registry/apps/?q=com.quiet.app").content.decode()
        self.assertIn('id="app-confirmed-' + str(quiet.app_version.app_id) + '">0<', page)


class OrderTests(ForeignSignerCase):
    def test_a_lookalike_cannot_be_ordered_to_the_company(self):
        job = self.lookalike()
        with self.assertRaisesMessage(PlatformError, "签名与该应用不一致"):
            workflow.issue_order(job.app_version, list(job.findings.all()), user=self.reviewer, reason="r")
        self.client.force_login(self.reviewer)
        page = self.client.get(f"/testing/jobs/{job.pk}/").content.decode()
        self.assertIn(BANNER, page)
        self.assertIn(OTHER[:16], page)
        self.assertIn(GENUINE[:16], page)
        self.assertNotIn('action="/enforcement/issue/', page)  # no order form, a one-line reason instead
        self.assertIn('id="issue-refused"', page)
        ids = [str(f.pk) for f in job.findings.all()]
        resp = self.client.post(
            f"/enforcement/issue/{job.pk}/", {"findings": ids, "working_days": 15, "reason": "r"}
        )
        self.assertEqual(resp.status_code, 302)
        self.assertFalse(self.app.orders.exists())
        resp = self.api(self.reviewer).post(
            "/api/orders/", {"app_version": job.app_version_id, "findings": ids, "reason": "r"}, format="json"
        )
        self.assertEqual(resp.status_code, 400, resp.content)
        self.assertIn("签名与该应用不一致", resp.json()["detail"])
        self.assertFalse(self.app.orders.exists())

    def test_the_genuine_version_is_still_ordered(self):
        self.lookalike()
        self.client.force_login(self.reviewer)
        page = self.client.get(f"/testing/jobs/{self.genuine.pk}/").content.decode()
        self.assertIn('action="/enforcement/issue/', page)
        self.assertNotIn(BANNER, page)

    def test_the_review_queue_says_the_signer_is_foreign(self):
        job = self.scan("9.9", OTHER, [pf.finding("r.fake", ["RD-4.2"])], batch=self.b2)
        self.client.force_login(self.reviewer)
        page = self.client.get("/testing/findings/").content.decode()
        self.assertIn(BANNER, page)
        self.assertIn(f'id="foreign-signer-{job.app_version_id}-', page)
        self.assertIn(OTHER[:16], page)
        self.assertIn(GENUINE[:16], page)

    def test_the_app_page_marks_the_foreign_build(self):
        job = self.lookalike()
        self.client.force_login(self.regulator)
        page = self.client.get(f"/registry/apps/{self.app.pk}/").content.decode()
        self.assertIn(f'id="foreign-signer-{job.app_version_id}"', page)
        self.assertIn(BANNER, page)


class CompanyViewTests(ForeignSignerCase):
    def test_the_company_does_not_see_a_lookalike_as_its_version(self):
        job = self.lookalike(version="6.6.6")
        self.client.force_login(self.company_user)
        page = self.client.get(f"/registry/apps/{self.app.pk}/").content.decode()
        self.assertIn("1.0", page)
        self.assertNotIn("6.6.6", page)
        self.assertNotIn("r.fake", page)
        api = self.api(self.company_user)
        versions = [v["sha256"] for v in api.get("/api/app-versions/").json()["results"]]
        self.assertEqual(versions, [self.genuine.sha256])
        rules = [f["rule_id"] for f in api.get("/api/findings/").json()["results"]]
        self.assertEqual(rules, ["r.genuine"])
        self.assertEqual(api.get(f"/api/app-versions/{job.app_version_id}/").status_code, 404)
        listed = self.client.get("/registry/apps/").content.decode()
        self.assertIn(f'id="app-confirmed-{self.app.pk}">1<', listed)

    def test_a_regulator_marks_a_foreign_build_as_the_companys_own(self):
        job = self.lookalike()
        version = job.app_version
        self.client.force_login(self.reviewer)
        url = f"/registry/versions/{version.pk}/signer/"
        self.assertEqual(self.client.post(url, {"relation": "own", "reason": "x"}).status_code, 403)
        self.client.force_login(self.regulator)
        self.client.post(url, {"relation": "own", "reason": ""})
        version.refresh_from_db()
        self.assertEqual(version.signer_relation, SIGNER_FOREIGN)  # a reason is required
        self.client.post(url, {"relation": "own", "reason": "企业提交了新签名密钥的证明"})
        version.refresh_from_db()
        self.assertEqual(version.signer_relation, SIGNER_OWN)
        self.assertIn("com.genuine.app", self.repeat_apps())
        # the key is now the app's: a later build with it is its own
        self.assertEqual(self.scan("10.0", OTHER, []).app_version.signer_relation, SIGNER_OWN)
        from appwarden.platform.core.models import AuditLog

        self.assertTrue(
            AuditLog.objects.filter(model="registry.appversion", object_id=str(version.pk)).exists()
        )

    def test_marking_applies_to_every_build_of_that_signer(self):
        a = self.lookalike(version="9.9")
        b = self.lookalike(version="9.8")
        self.client.force_login(self.regulator)
        self.client.post(
            f"/registry/versions/{a.app_version_id}/signer/", {"relation": "own", "reason": "密钥证明"}
        )
        self.assertEqual(
            set(
                AppVersion.objects.filter(pk__in=[a.app_version_id, b.app_version_id]).values_list(
                    "signer_relation", flat=True
                )
            ),
            {SIGNER_OWN},
        )


class BackfillMigrationTests(TransactionTestCase):
    """Versions stored before ``signer_relation`` existed are judged as ingest would have, oldest first per app."""

    def test_existing_versions_are_judged(self):
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        before = [
            ("registry", "0001_initial"),
            ("testing", "0005_job_sdk_versions"),
            ("enforcement", "0004_notice_scope"),
        ]
        after = [("registry", "0002_version_signer_relation")]
        executor = MigrationExecutor(connection)
        self.addCleanup(lambda: MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes()))
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        App, Version = old.get_model("registry", "App"), old.get_model("registry", "AppVersion")
        Job = old.get_model("testing", "ScanJob")
        solo, mixed = App.objects.create(package="com.solo"), App.objects.create(package="com.mixed")
        ids = {}
        for key, app, signer in [
            ("solo", solo, GENUINE),
            ("first", mixed, GENUINE),
            ("fake", mixed, OTHER),
            ("again", mixed, GENUINE),
            ("rotated", mixed, NEW_KEY),
            ("unsigned", mixed, ""),
            ("ordered", mixed, "12" * 32),
        ]:
            ids[key] = Version.objects.create(app=app, sha256=key.ljust(64, "0"), signer_sha256=signer).pk
        # a version an order already names as the company's stays its own
        Order = old.get_model("enforcement", "RectificationOrder")
        Order.objects.create(
            number="ZG-2026-1", app=mixed, app_version_id=ids["ordered"], deadline=dt.date(2026, 12, 31)
        )
        lineage = [{"sha256": GENUINE}, {"sha256": NEW_KEY}]
        Job.objects.create(
            sha256="r" * 64,
            size=1,
            status="done",
            app_version_id=ids["rotated"],
            finished_at=timezone.now(),
            report={"app": {"signing_lineage": lineage, "signing_lineage_verified": True}},
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        New = (
            MigrationExecutor(connection).loader.project_state(after).apps.get_model("registry", "AppVersion")
        )
        got = {k: New.objects.get(pk=pk).signer_relation for k, pk in ids.items()}
        self.assertEqual(
            got,
            {
                "solo": SIGNER_OWN,
                "first": SIGNER_OWN,
                "fake": SIGNER_FOREIGN,
                "again": SIGNER_OWN,
                "rotated": SIGNER_ROTATED,
                "unsigned": SIGNER_UNKNOWN,
                "ordered": SIGNER_OWN,
            },
        )


class RealApkTests(TestCase):
    """The identities read from real APKs (``tests/fixtures/apks``): ``minimal.apk`` (the fixture key),
    ``rotated.apk`` (a new key with a verified v3 lineage from it) and the same app re-signed by a stranger."""

    def setUp(self):
        from test_retest_integrity import stranger_signed

        self.eng = pf.ReportEngine()
        engine.use_engine(self.eng)
        self.addCleanup(engine.use_engine, None)
        self.reviewer, self.regulator = pf.user("reviewer"), pf.user("regulator")
        self.company = pf.company("整改科技有限公司")
        finding = [pf.finding("r.real", ["RD-3.1"])]
        self.minimal = self.eng.add_apk(pf.fixture_apk("minimal.apk"), finding)
        self.rotated = self.eng.add_apk(pf.fixture_apk("rotated.apk"), finding)
        self.stranger = self.eng.add_apk(stranger_signed(pf.fixture_apk("v1_only.apk")), finding)
        self.first = pf.scanned_job(self.reviewer, self.minimal, company=self.company)

    def relation(self, data: bytes) -> str:
        return pf.scanned_job(self.reviewer, data).app_version.signer_relation

    def test_real_signers(self):
        self.assertEqual(self.first.app_version.signer_relation, SIGNER_OWN)
        self.assertEqual(self.relation(self.rotated), SIGNER_ROTATED)
        self.assertEqual(self.relation(self.stranger), SIGNER_FOREIGN)

    def test_a_build_a_regulator_accepted_by_override_is_the_companys(self):
        for f in self.first.findings.all():
            services.review_finding(f, user=self.reviewer, action="confirm", reason="属实")
        order = workflow.issue_order(
            self.first.app_version, list(self.first.findings.all()), user=self.reviewer, reason="整改"
        )
        workflow.respond(
            order,
            user=self.regulator,
            explanation="企业更换了签名密钥，已提交书面证明",
            apk=self.stranger,
            file_name="fixed.apk",
            override_reason="企业书面证明新签名密钥",
        )
        retest = workflow.start_retest(order, user=self.reviewer, reason="复测")
        services.run_scan(retest.job_id)
        retest.job.refresh_from_db()
        self.assertEqual(retest.job.app_version.signer_relation, SIGNER_OWN)


class CounterfeitFirstTests(ForeignSignerCase):
    """A lookalike scanned before any genuine build establishes its own key; the genuine builds then read foreign
    until a regulator records whose key is whose, on the app page."""

    def test_a_regulator_sets_it_right(self):
        fake = self.scan(
            "0.1", OTHER, [pf.finding("r.fake", ["RD-4.2"])], package="com.first.app", batch=self.b1
        )
        real = self.scan(
            "1.0", GENUINE, [pf.finding("r.real", ["RD-3.1"])], package="com.first.app", batch=self.b2
        )
        self.confirm(fake)
        self.confirm(real)
        self.assertEqual(
            (fake.app_version.signer_relation, real.app_version.signer_relation), (SIGNER_OWN, SIGNER_FOREIGN)
        )
        app = fake.app_version.app
        self.client.force_login(self.regulator)
        page = self.client.get(f"/registry/apps/{app.pk}/").content.decode()
        self.assertIn(f'id="mark-foreign-{fake.app_version_id}"', page)
        self.assertIn(f'id="mark-own-{real.app_version_id}"', page)
        self.client.post(
            f"/registry/versions/{real.app_version_id}/signer/", {"relation": "own", "reason": "核实"}
        )
        self.client.post(
            f"/registry/versions/{fake.app_version_id}/signer/", {"relation": "foreign", "reason": "仿冒"}
        )
        page = self.client.get(f"/registry/apps/{app.pk}/").content.decode()
        self.assertIn(f'id="foreign-signer-{fake.app_version_id}"', page)
        self.assertNotIn(f'id="foreign-signer-{real.app_version_id}"', page)
        real.app_version.refresh_from_db()
        fake.app_version.refresh_from_db()
        workflow.issue_order(real.app_version, list(real.findings.all()), user=self.reviewer, reason="整改")
        with self.assertRaises(PlatformError):
            workflow.issue_order(fake.app_version, list(fake.findings.all()), user=self.reviewer, reason="r")
        # a build with an order is not marked foreign afterwards
        self.client.post(
            f"/registry/versions/{real.app_version_id}/signer/", {"relation": "foreign", "reason": "改判"}
        )
        real.app_version.refresh_from_db()
        self.assertEqual(real.app_version.signer_relation, SIGNER_OWN)

    def test_a_harmful_takedown_case_does_not_pin_a_lookalike_as_own(self):
        from test_early_warning import screening

        from appwarden.platform.testing.screening_review import review_screening

        rep = pf.report("com.harm.app", "0.1", [], label="仿冒")
        rep["app"]["signers"] = [{"subject": "CN=x", "sha256": OTHER}]
        rep["screening"] = screening("harmful", ["spyware"], 95)
        fake = pf.scanned_job(self.reviewer, self.eng.add("harm-first", rep))
        pf.listing(self.store, fake.app_version.app)
        review_screening(fake, user=self.reviewer, decision="confirmed", note="核实")
        workflow.takedown_harmful(fake.app_version, user=self.regulator, reason="有害")
        self.client.force_login(self.regulator)
        self.client.post(
            f"/registry/versions/{fake.app_version_id}/signer/", {"relation": "foreign", "reason": "仿冒"}
        )
        fake.app_version.refresh_from_db()
        self.assertEqual(fake.app_version.signer_relation, SIGNER_FOREIGN)


class SignerChangeListTests(ForeignSignerCase):
    def test_the_early_warning_signer_changes_say_how_each_is_judged(self):
        fake = self.lookalike()
        self.client.force_login(self.regulator)
        page = self.client.get("/early-warning/").content.decode()
        self.assertIn(f'id="signer-change-foreign-{fake.app_version_id}"', page)
        rows = APIClient()
        rows.force_authenticate(self.regulator)
        versions = rows.get("/api/early-warning/").json()["signer_changes"]["versions"]
        self.assertEqual([v["version"]["signer_relation"] for v in versions], [SIGNER_FOREIGN])
        identity.mark_signer(fake.app_version, relation="own", user=self.regulator, reason="企业证明新密钥")
        page = self.client.get("/early-warning/").content.decode()
        self.assertIn(f'id="signer-change-own-{fake.app_version_id}"', page)


class SdkOrderTests(ForeignSignerCase):
    """An SDK order's 通报 row names the apps of its findings and their companies: a lookalike's SDK finding would
    name the genuine app and company as carrying the SDK."""

    def test_a_lookalikes_sdk_finding_is_not_put_in_an_sdk_order(self):
        from appwarden.platform.enforcement import sdk_workflow
        from appwarden.platform.registry.models import SdkVendor

        vendor = SdkVendor.objects.create(name="甲SDK厂商", sdk_ids=["sdk.a"])
        fake = self.lookalike([pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")])
        real = self.scan("1.1", GENUINE, [pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")], tag="real-sdk")
        self.confirm(real)
        with self.assertRaisesMessage(PlatformError, "签名与该应用不一致"):
            sdk_workflow.issue_sdk_order(vendor, list(fake.findings.all()), user=self.reviewer, reason="r")
        self.client.force_login(self.reviewer)
        page = self.client.get(f"/enforcement/sdk-orders/new/?vendor={vendor.pk}").content.decode()
        self.assertIn(f'value="{real.findings.get().pk}"', page)
        self.assertNotIn(f'value="{fake.findings.get().pk}"', page)
        order = sdk_workflow.issue_sdk_order(
            vendor, list(real.findings.all()), user=self.reviewer, reason="r"
        )
        self.assertEqual(order.findings.count(), 1)


class StoreViewTests(ForeignSignerCase):
    """A store sees the versions of the apps listed with it: a lookalike is not one of the genuine app's versions
    there, but the store's own pre-listing check of a lookalike still shows that check's result to that store."""

    def test_a_store_does_not_see_a_lookalike_as_the_apps_version(self):
        job = self.lookalike(version="6.6.6")
        store_user = pf.user("store", store=self.store)
        self.client.force_login(store_user)
        page = self.client.get(f"/registry/apps/{self.app.pk}/").content.decode()
        self.assertIn(self.genuine.sha256, page)
        self.assertNotIn(job.sha256, page)
        self.assertNotIn("6.6.6", page)
        self.assertNotIn(BANNER, page)
        api = self.api(store_user)
        versions = [v["sha256"] for v in api.get("/api/app-versions/").json()["results"]]
        self.assertEqual(versions, [self.genuine.sha256])
        self.assertEqual(api.get(f"/api/app-versions/{job.app_version_id}/").status_code, 404)
        # staff still see it, flagged
        self.client.force_login(self.regulator)
        self.assertIn(job.sha256, self.client.get(f"/registry/apps/{self.app.pk}/").content.decode())

    def test_the_stores_own_check_of_a_lookalike_still_shows_its_result(self):
        store_user = pf.user("store", store=self.store)
        rep = pf.report("com.genuine.app", "6.6.6", [pf.finding("r.fake", ["RD-4.2"])])
        rep["app"]["signers"] = [{"subject": "CN=Lookalike", "sha256": OTHER}]
        check = prelisting.submit(self.eng.add("store-lookalike-2", rep), store=self.store, user=store_user)
        services.run_scan(check.job_id)
        check.job.refresh_from_db()
        self.assertEqual(check.job.app_version.signer_relation, SIGNER_FOREIGN)
        got = self.api(store_user).get(f"/api/prelisting/{check.pk}/").json()
        self.assertEqual(got["verdict"], "fail")
        self.assertEqual(got["app"], {"package": "com.genuine.app", "version_name": "6.6.6"})
        self.assertEqual(got["findings"]["total"], 1)
        self.client.force_login(store_user)
        page = self.client.get("/store/prelisting/").content.decode()
        self.assertIn("com.genuine.app 6.6.6", page)
        self.assertIn(f'id="verdict-{check.pk}"', page)
        # but not as a version of the genuine app
        self.assertNotIn(check.job.sha256, self.client.get(f"/registry/apps/{self.app.pk}/").content.decode())


class SdkVendorCountTests(ForeignSignerCase):
    """/my-sdk/ and the early-warning list's SDK versions do not count a lookalike's SDK findings under the genuine
    package name; /my-sdk/ says how many it left out (the vendor still sees the findings themselves)."""

    def setUp(self):
        super().setUp()
        from appwarden.platform.registry.models import SdkVendor

        self.vendor = SdkVendor.objects.create(name="甲SDK厂商", sdk_ids=["sdk.a"])
        self.vendor_user = pf.user("sdk_vendor", sdk_vendor=self.vendor)

    def test_my_sdk_leaves_a_lookalike_out_and_says_so(self):
        self.lookalike([pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")], version="6.6.6")
        self.client.force_login(self.vendor_user)
        page = self.client.get("/my-sdk/").content.decode()
        self.assertNotIn("com.genuine.app", page)
        self.assertNotIn("6.6.6", page)
        self.assertIn('id="my-sdk-foreign-sdk.a">1<', page)
        real = self.scan("1.1", GENUINE, [pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")], tag="real-sdk")
        self.confirm(real)
        page = self.client.get("/my-sdk/").content.decode()
        self.assertIn("com.genuine.app 1.1", page)
        self.assertNotIn("6.6.6", page)
        from appwarden.platform.web import stats as web_stats

        (entry,) = web_stats.my_sdk_view(self.vendor_user)["sdks"]
        self.assertEqual((entry["findings"], entry["foreign"]), (1, 1))
        # the findings themselves stay visible to the vendor
        rules = [f["rule_id"] for f in self.api(self.vendor_user).get("/api/findings/").json()["results"]]
        self.assertEqual(rules, ["r.sdka", "r.sdka"])

    def test_the_early_warning_sdk_versions_leave_a_lookalike_out(self):
        from appwarden.platform.web import early_warning

        self.lookalike([pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")])
        self.assertEqual(early_warning.sdk_versions(min_apps=1), [])
        real = self.scan("1.1", GENUINE, [pf.finding("r.sdka", ["RD-3.1"], owner="sdk.a")], tag="real-sdk")
        self.confirm(real)
        (row,) = early_warning.sdk_versions(min_apps=1)
        self.assertEqual((row["apps"], row["findings"]), ([("com.genuine.app", "正版应用")], 1))
