"""The statistics and early-warning pages make a fixed number of SQL queries however many apps, scans and
pre-listing checks there are (at 50,000 scan jobs the per-row queries took minutes: ``bench/platform_volume.py``,
``bench/results/*-platform-volume-*``), and ``ScanJob.sdk_versions`` is filled at ingest and by migration
``testing 0005`` for jobs stored before it. Also run on PostgreSQL by ``test_services.py``."""

from __future__ import annotations

import platform_factories as pf
from django.db import connection
from django.test import Client, TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext

from appwarden.platform.enforcement import identity, workflow
from appwarden.platform.prelisting import services as prelisting
from appwarden.platform.prelisting.models import PrelistingCheck
from appwarden.platform.sanctions import services as sanctions
from appwarden.platform.testing import engine, services
from appwarden.platform.testing.models import Batch, ScanJob

PAGES = [
    "/stats/yearly/",
    "/api/stats/yearly/",
    "/early-warning/",
    "/api/early-warning/",
    "/repeat-offenders/",
    "/store/prelisting/",
    "/api/prelisting/",
]


class PageDataCase(TestCase):
    """Apps, scans, orders, listings and pre-listing checks built through the real services."""

    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.reviewer = pf.user("reviewer")
        self.regulator = pf.user("regulator")
        self.stores = [pf.store(f"量测商店{i}") for i in range(2)]
        self.store_user = pf.user("store", store=self.stores[0])
        self.batches = [Batch.objects.create(name=f"批次{i}") for i in range(2)]
        self.n = 0

    def add_apps(self, count: int) -> None:
        """``count`` apps of new companies, each scanned in both batches with confirmed SDK and host findings (a
        repeat offender with an order), listed in a store, a new signer on the second version, a pre-listing
        check in each store (one company under 停止接入)."""
        for _ in range(count):
            self.n += 1
            package, company = f"com.volume.app{self.n}", pf.company()
            for k, batch in enumerate(self.batches):
                rep = pf.report(
                    package,
                    f"{k + 1}.0",
                    [
                        pf.finding(f"r.host{k}", ["RD-3.1"], severity="high", notice_types=["M337-1"]),
                        pf.finding("r.sdk", ["RD-3.2"], severity="high", owner="sdk.volume"),
                    ],
                )
                rep["app"]["signers"] = [{"subject": "CN=V, O=量测", "sha256": f"{self.n:02x}{k}" * 16}]
                rep["sdks"] = [{"id": "sdk.volume", "version": "3.1"}]
                job = pf.scanned_job(
                    self.reviewer, self.engine.add(f"{package}-{k}", rep), batch=batch, company=company
                )
                for f in job.findings.all():
                    services.review_finding(f, user=self.reviewer, action="confirm", reason="确认")
            # the new signer is not a verified rotation: a regulator records it as the company's own (else it is
            # a build of another signer, which neither counts against the company nor can be ordered to it)
            identity.mark_signer(
                job.app_version, relation="own", user=self.regulator, reason="企业证明了新签名密钥"
            )
            workflow.issue_order(job.app_version, list(job.findings.all()), user=self.reviewer, reason="整改")
            pf.listing(self.stores[0], job.app_version.app)
            if self.n == 1:
                data = {"kind": "stop_access", "start_date": "2020-01-01", "reason": "停止接入"}
                sanctions.issue(company, data, user=self.regulator)
            for store in self.stores:
                check_job = services.submit_apk(
                    self.engine.add(f"{package}-{k}", rep), user=self.reviewer, allow_duplicate=True
                )
                services.run_scan(check_job.pk)
                PrelistingCheck.objects.create(job=check_job, store=store, developer="量测", permissions=[])

    def queries(self) -> dict[str, int]:
        out = {}
        for url in PAGES:
            client = Client()
            client.force_login(self.store_user if "prelisting" in url else self.regulator)
            with CaptureQueriesContext(connection) as ctx:
                resp = client.get(url)
            self.assertEqual(resp.status_code, 200, url)
            out[url] = len(ctx.captured_queries)
        return out

    def api_json(self, url: str) -> dict:
        client = Client()
        client.force_login(self.regulator)
        return client.get(url).json()


@override_settings(APPWARDEN_STATS_SNAPSHOT_MINUTES="0")  # the yearly report computed on each request here
class QueryCountTests(PageDataCase):
    def test_queries_do_not_grow_with_the_data(self):
        self.add_apps(2)
        self.queries()  # the first read of a refused pre-listing check writes its audit row
        small = self.queries()
        self.add_apps(4)
        self.queries()
        self.assertEqual(self.queries(), small)
        # and the pages did see the data
        body = self.api_json("/api/early-warning/")
        self.assertEqual(len(body["repeat_offenders"]), 6)
        self.assertEqual(body["sdk_versions"]["sdks"][0]["version"], "3.1")
        self.assertEqual(len(body["sdk_versions"]["sdks"][0]["apps"]), 6)
        self.assertEqual(len(body["signer_changes"]["versions"]), 6)
        self.assertEqual(len(body["stop_access"]), 1)
        yearly = self.api_json("/api/stats/yearly/")
        self.assertEqual(yearly["summary"]["prelisting"], 12)
        by_store = {s["id"]: s for s in yearly["by_store"]}
        self.assertEqual(by_store[self.stores[0].pk]["prelisting_fail"], 6)  # high likely findings: fail

    def test_bulk_verdicts_equal_single_verdicts(self):
        self.add_apps(3)
        checks = list(PrelistingCheck.objects.select_related("job__app_version__app__company", "store"))
        bulk = prelisting.verdicts(checks)
        single = [prelisting.verdict(PrelistingCheck.objects.get(pk=c.pk)) for c in checks]
        self.assertEqual(bulk, single)
        self.assertTrue(any(v.get("stop_access") for v in bulk))

    def test_sdk_versions_are_copied_at_ingest(self):
        self.add_apps(1)
        job = ScanJob.objects.filter(batch__isnull=False).first()
        self.assertEqual(job.sdk_versions, {"sdk.volume": "3.1"})


class SdkVersionsBackfillTests(TransactionTestCase):
    """Jobs stored before ``sdk_versions`` existed get it from their report's ``sdks`` section."""

    def test_existing_jobs_get_their_sdk_versions(self):
        from django.db.migrations.executor import MigrationExecutor

        before, after = [("testing", "0004_job_screening")], [("testing", "0005_job_sdk_versions")]
        executor = MigrationExecutor(connection)
        self.addCleanup(lambda: MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes()))
        executor.migrate(before)
        Job = executor.loader.project_state(before).apps.get_model("testing", "ScanJob")
        reports = {
            "two": {
                "sdks": [
                    {"id": "a", "version": "1.0"},
                    {"id": "b", "version": None},
                    {"id": "a", "version": "9"},
                ]
            },
            "odd": {"sdks": [{"id": ""}, "x", {"version": "1"}, {"id": "c", "version": 5}]},
            "not_a_list": {"sdks": {"id": "a"}},
            "none": {"app": {}},
            "null": None,
        }
        ids = {k: Job.objects.create(sha256="cd" * 32, size=1, report=r).pk for k, r in reports.items()}
        MigrationExecutor(connection).migrate(after)
        New = MigrationExecutor(connection).loader.project_state(after).apps.get_model("testing", "ScanJob")
        got = {k: New.objects.get(pk=pk).sdk_versions for k, pk in ids.items()}
        self.assertEqual(
            got,
            {"two": {"a": "1.0", "b": ""}, "odd": {"c": "5"}, "not_a_list": {}, "none": {}, "null": {}},
        )


class YearlySnapshotTests(PageDataCase):
    """The yearly report is served from a snapshot at most APPWARDEN_STATS_SNAPSHOT_MINUTES old."""

    # INLINE 0: the snapshot is served (marked outdated) after the data changed, as a slow one at volume would be;
    # a cheap one is recomputed on the read instead (test_yearly_snapshot.py)
    @override_settings(APPWARDEN_STATS_SNAPSHOT_MINUTES="60", APPWARDEN_STATS_INLINE_SECONDS="0")
    def test_snapshot_is_served_until_it_expires_or_is_recomputed(self):
        import datetime as dt

        from django.utils import timezone

        from appwarden.platform.web.models import YearlySnapshot

        self.add_apps(1)
        client = Client()
        client.force_login(self.regulator)
        first = client.get("/api/stats/yearly/").json()
        self.assertFalse(first["snapshot"])
        self.assertEqual(first["summary"]["prelisting"], 2)
        self.assertEqual(YearlySnapshot.objects.count(), 1)
        self.add_apps(1)
        again = client.get("/api/stats/yearly/").json()
        self.assertTrue(again["snapshot"])
        self.assertEqual(again["summary"]["prelisting"], 2)  # the snapshot's numbers
        self.assertTrue(again["outdated"])  # ... said to predate the new data
        self.assertEqual(again["generated_at"], first["generated_at"])
        page = client.get("/stats/yearly/").content.decode()
        self.assertIn("预先计算的统计快照", page)
        self.assertIn('id="yearly-fresh"', page)
        fresh = client.get("/api/stats/yearly/?fresh=1").json()
        self.assertFalse(fresh["snapshot"])
        self.assertEqual(fresh["summary"]["prelisting"], 4)
        self.add_apps(1)
        YearlySnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(minutes=61))  # expired
        self.assertEqual(client.get("/api/stats/yearly/").json()["summary"]["prelisting"], 6)
        self.assertEqual(YearlySnapshot.objects.count(), 1)  # one row per period

    @override_settings(APPWARDEN_STATS_SNAPSHOT_MINUTES="60")
    def test_periodic_refresh(self):
        from appwarden.platform.celery_app import app
        from appwarden.platform.notifications import periodic
        from appwarden.platform.web import tasks, yearly
        from appwarden.platform.web.models import YearlySnapshot

        self.add_apps(1)
        periodic._last["stats"] = 0.0
        periodic._stats_snapshot()
        year = timezone_year()
        snap = YearlySnapshot.objects.get()
        self.assertEqual((snap.start.isoformat(), snap.end.isoformat()), (f"{year}-01-01", f"{year}-12-31"))
        self.assertEqual(snap.data["summary"]["prelisting"], 2)
        self.add_apps(1)
        periodic._stats_snapshot()  # within the interval: not again
        self.assertEqual(YearlySnapshot.objects.get().data["summary"]["prelisting"], 2)
        self.assertEqual(tasks.stats_snapshot_task.run(), 1)
        self.assertEqual(YearlySnapshot.objects.get().data["summary"]["prelisting"], 4)
        self.assertEqual(app.conf.beat_schedule["stats-snapshot"]["task"], "appwarden.stats_snapshot")
        with override_settings(APPWARDEN_STATS_SNAPSHOT_MINUTES="0"):
            self.assertEqual(yearly.refresh_snapshots(), 0)


def timezone_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


class LongListTests(PageDataCase):
    def test_repeat_offenders_are_paginated_and_the_early_warning_page_shows_the_top_rows(self):
        from unittest import mock

        from appwarden.platform.web import views

        self.add_apps(3)  # three companies, one repeat-offender app each
        client = Client()
        client.force_login(self.regulator)
        with (
            mock.patch.object(views, "REPEAT_PAGE_SIZE", 2),
            mock.patch.object(views, "EARLY_WARNING_REPEAT_ROWS", 2),
        ):
            first = client.get("/repeat-offenders/").content.decode()
            second = client.get("/repeat-offenders/?page=2").content.decode()
            beyond = client.get("/repeat-offenders/?page=99").content.decode()  # the last page, not an error
            early = client.get("/early-warning/").content.decode()
        self.assertIn("共 3 家企业、3 个应用", first)
        self.assertIn("第 1/2 页", first)
        self.assertIn('id="repeat-next"', first)
        self.assertEqual(first.count('class="card repeat-offender"'), 2)
        self.assertEqual(second.count('class="card repeat-offender"'), 1)
        self.assertIn("第 2/2 页", beyond)
        shown = {p for p in (f"com.volume.app{i}" for i in range(1, 4)) if p in first or p in second}
        self.assertEqual(len(shown), 3)  # every app on one of the pages
        self.assertIn('id="repeat-limited"', early)
        self.assertIn("前2个应用（共3个", early)
        self.assertEqual(early.split('id="repeat-apps"')[1].split("</table>")[0].count("<tr data-app="), 2)
        self.assertEqual(
            len(self.api_json("/api/early-warning/")["repeat_offenders"]), 3
        )  # the API lists all


class EarlyWarningSnapshotTests(PageDataCase):
    @override_settings(APPWARDEN_STATS_SNAPSHOT_MINUTES="60")
    def test_repeat_offender_and_sdk_sections_are_kept_for_the_snapshot_time(self):
        from appwarden.platform.notifications.digest import send_digest

        self.add_apps(1)
        first = self.api_json("/api/early-warning/")
        self.assertIsNone(first["snapshot_at"])  # computed now
        self.assertEqual(len(first["repeat_offenders"]), 1)
        self.add_apps(1)
        again = self.api_json("/api/early-warning/")
        self.assertIsNotNone(again["snapshot_at"])
        self.assertEqual(len(again["repeat_offenders"]), 1)  # the kept sections
        self.assertEqual(len(again["signer_changes"]["versions"]), 2)  # the other sections are live
        client = Client()
        client.force_login(self.regulator)
        page = client.get("/early-warning/").content.decode()
        self.assertIn('id="daily-snapshot"', page)
        self.assertIn("计算的快照（至多60分钟前）", page)
        fresh = self.api_json("/api/early-warning/?fresh=1")
        self.assertIsNone(fresh["snapshot_at"])
        self.assertEqual(len(fresh["repeat_offenders"]), 2)
        self.add_apps(1)
        self.assertEqual(
            send_digest(force=True)["counts"]["repeat_offenders"], 3
        )  # the digest reads it fresh


class SdkSectionTests(PageDataCase):
    def test_the_page_lists_ten_apps_per_sdk_version_and_the_api_all(self):
        self.add_apps(11)
        client = Client()
        client.force_login(self.regulator)
        page = client.get("/early-warning/").content.decode()
        row = page.split('data-sdk="sdk.volume"')[1].split("</tr>")[0]
        self.assertEqual(row.count("<code>com.volume.app"), 10)
        self.assertIn("等11个应用（JSON 接口分页列出全部）", row)
        body = self.api_json("/api/early-warning/")
        sdk = body["sdk_versions"]["sdks"][0]
        # the API's row: the first ten apps and how many; apps_next pages through all of them
        self.assertEqual((len(sdk["apps"]), sdk["apps_count"]), (10, 11))
        rest = self.api_json(sdk["apps_next"])
        self.assertEqual((rest["count"], rest["section"], rest["sdk"]), (11, "sdk_apps", "sdk.volume"))
        self.assertEqual(len(rest["results"]), 1)
        self.assertIsNone(rest["next"])
        whole = self.api_json("/api/early-warning/?section=sdk_apps&sdk=sdk.volume&version=3.1&limit=500")
        self.assertEqual(len({a["package"] for a in whole["results"]}), 11)
        self.assertEqual(
            {a["package"] for a in whole["results"][:10]}, {a["package"] for a in sdk["apps"]}
        )  # the first page's ten are the first ten of the list


class EarlyWarningApiPaginationTests(PageDataCase):
    """/api/early-warning/ paginates its long lists (at 50,000 scan jobs the unpaginated JSON was ~5 MB): the
    default response keeps its shape with the first page of each list and ``pagination``; ``?section=`` pages
    through one list as the other list APIs do (count, next, previous, results)."""

    def test_first_page_and_sections(self):
        self.add_apps(7)
        full = self.api_json("/api/early-warning/?limit=500")
        repeat_all = [r["app"]["package"] for r in full["repeat_offenders"]]
        self.assertGreaterEqual(len(repeat_all), 7)
        first = self.api_json("/api/early-warning/?limit=3")
        self.assertEqual([r["app"]["package"] for r in first["repeat_offenders"]], repeat_all[:3])
        sections = first["pagination"]["sections"]
        self.assertEqual(first["pagination"]["limit"], 3)
        self.assertEqual(sections["repeat_offenders"]["count"], len(repeat_all))
        self.assertIn("section=repeat_offenders", sections["repeat_offenders"]["next"])
        self.assertEqual(
            set(sections),
            {
                "harmful",
                "suspicious",
                "false_alarms",  # verdicts reviewed as 误报 (test_screening_review.py)
                "new_high_findings",
                "repeat_offenders",
                "signer_changes",
                "sdk_versions",
                "stop_access",
            },
        )
        for name in ("harmful", "suspicious", "sdk_versions", "stop_access"):
            self.assertIsNone(sections[name]["next"], name)  # fewer rows than a page
        # following next until the end gives every row once, in order
        url, seen, pages = (
            sections["repeat_offenders"]["next"],
            [r["app"]["package"] for r in first["repeat_offenders"]],
            1,
        )
        while url:
            page = self.api_json(url)
            self.assertEqual(set(page), {"count", "next", "previous", "results", "section", "snapshot_at"})
            self.assertEqual(page["count"], len(repeat_all))
            self.assertIsNotNone(page["previous"])
            seen += [r["app"]["package"] for r in page["results"]]
            url, pages = page["next"], pages + 1
        self.assertEqual(seen, repeat_all)
        self.assertEqual(pages, -(-len(repeat_all) // 3))
        # the default page size is the platform's (50): every list here fits, shape as before plus pagination
        default = self.api_json("/api/early-warning/")
        self.assertEqual(default["pagination"]["limit"], 50)
        self.assertEqual([r["app"]["package"] for r in default["repeat_offenders"]], repeat_all)
        signer = self.api_json("/api/early-warning/?section=signer_changes&limit=2")
        self.assertEqual(signer["count"], len(full["signer_changes"]["versions"]))
        self.assertEqual(signer["results"], full["signer_changes"]["versions"][:2])

    def test_bad_section_is_400_in_chinese_and_unknown_sdk_404(self):
        client = Client()
        client.force_login(self.regulator)
        resp = client.get("/api/early-warning/?section=everything")
        self.assertEqual(resp.status_code, 400)
        self.assertTrue(resp.json()["detail"].startswith("参数 section=everything 无效"))
        resp = client.get("/api/early-warning/?section=sdk_apps&sdk=nope&version=1")
        self.assertEqual(resp.status_code, 404)
        self.assertIn("未找到该SDK版本", resp.json()["detail"])
