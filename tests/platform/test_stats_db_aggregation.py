"""The statistics aggregated by the database equal the row-by-row computation they replaced
(``stats_oracle.py``, the code as it was), on a varied random dataset: several companies, apps and versions, builds
of another signer, re-tests and complaint checks, pending / rejected / confirmed findings, odd ``notice_types``
values (duplicates, non-string elements, empty), findings without a version, SDK owners and the empty owner,
jobs finishing on both sides of the local-time year and period boundaries (Asia/Shanghai midnight is 16:00 UTC),
orders (one a 不良APP takedown case, one of a foreign build), published and draft notices, confirmed and pending
takedowns. Run on SQLite and, through ``test_services.test_suites_pass_on_postgresql``, on PostgreSQL.

Also a hand-counted case, so that the oracle itself is checked against numbers written down here."""

from __future__ import annotations

import datetime as dt
import random

import platform_factories as pf
from django.test import TestCase
from django.utils import timezone
from stats_oracle import sdk_versions_rowwise, yearly_stats_rowwise

from appwarden.platform.enforcement.models import (
    NoticeBatch,
    NoticeItem,
    OrderTransition,
    RectificationOrder,
    TakedownOrder,
)
from appwarden.platform.registry.models import App, AppVersion, Company, SdkVendor, Store, StoreListing
from appwarden.platform.testing.models import Batch, Finding, ScanJob
from appwarden.platform.web import early_warning, yearly

YEAR = 2026
TZ = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai, the settings' default time zone


def local(y: int, m: int, d: int, h: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, minute, tzinfo=TZ)


# instants around the boundaries the periods below use, in local time: a job one minute either side of midnight
BOUNDARY_TIMES = [
    local(YEAR - 1, 12, 31, 23, 59),
    local(YEAR, 1, 1, 0, 0),
    local(YEAR, 1, 1, 0, 1),
    local(YEAR, 6, 30, 23, 59),
    local(YEAR, 7, 1, 0, 0),
    local(YEAR, 12, 31, 23, 59),
    local(YEAR + 1, 1, 1, 0, 0),
]
PERIODS = [
    yearly.Period(YEAR, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)),
    yearly.Period(YEAR, dt.date(YEAR, 1, 1), dt.date(YEAR, 6, 30)),
    yearly.Period(YEAR, dt.date(YEAR, 7, 1), dt.date(YEAR, 7, 1)),
    yearly.Period(YEAR, dt.date(YEAR, 3, 5), dt.date(YEAR, 9, 20)),
    yearly.Period(YEAR - 1, dt.date(YEAR - 1, 1, 1), dt.date(YEAR - 1, 12, 31)),
    yearly.Period(YEAR + 1, dt.date(YEAR + 1, 1, 1), dt.date(YEAR + 1, 12, 31)),
]
SDKS = ["sdk.alpha", "sdk.beta", "sdk.gamma", "sdk.delta", 'sdk."quoted".x', "sdk.unowned"]
NOTICE_TYPES = [
    [],
    ["M337-1"],
    ["M337-3"],
    ["M337-1", "M337-3"],
    ["M337-7", "M337-7"],
    ["M164-4.1"],
    ["not-in-vocabulary"],
    [3, "M337-2"],
    [None],
]
# (never a JSON object or a string: ingest and migrations write ``finding_notice_types``, a list of type ids; the
# old code iterated such a value's keys or characters, the database counts it as no type)
GROUPS = ["collection", "permission", "third_party", "other", "sharing"]


def build(seed: int, n_apps: int = 24, n_jobs: int = 140) -> None:
    """A random but reproducible dataset through the models (bulk, no engine)."""
    rnd = random.Random(seed)
    reg = pf.user("regulator")
    companies = [
        Company.objects.create(name=f"测试企业{seed}-{i}有限公司", credit_code=pf.credit_code(seed * 100 + i))
        for i in range(4)
    ]
    SdkVendor.objects.create(name="甲厂商", sdk_ids=["sdk.alpha", "sdk.beta"])
    SdkVendor.objects.create(name="乙厂商", sdk_ids=["sdk.gamma", 'sdk."quoted".x', 7])
    stores = [Store.objects.create(name=f"商店{seed}-{i}") for i in range(3)]
    apps = [
        App.objects.create(
            package=f"com.s{seed}.app{i}",
            name=f"应用{i}" if i % 5 else "",
            company=rnd.choice([*companies, None]),
        )
        for i in range(n_apps)
    ]
    versions: list[AppVersion] = []
    for app in apps:
        for k in range(rnd.randint(1, 3)):
            versions.append(
                AppVersion.objects.create(
                    app=app,
                    sha256=f"{app.pk:032x}{k:032x}",
                    version_name=f"{k + 1}.0",
                    signer_relation="foreign" if k and rnd.random() < 0.25 else "own",
                )
            )
    for app in apps:
        for store in rnd.sample(stores, rnd.randint(0, 2)):
            StoreListing.objects.create(store=store, app=app, active=rnd.random() > 0.2)
    batches = [Batch.objects.create(name=f"批次{i}", created_by=reg) for i in range(4)]
    jobs: list[ScanJob] = []
    for i in range(n_jobs):
        version = rnd.choice(versions)
        if i < len(BOUNDARY_TIMES):
            finished = BOUNDARY_TIMES[i]
        else:
            finished = local(YEAR - 1, 12, 1) + dt.timedelta(minutes=rnd.randint(0, 60 * 24 * 430))
        sdk_versions = {
            s: rnd.choice(["1.0", "1.1", "2.0"]) for s in rnd.sample(SDKS, rnd.randint(0, len(SDKS)))
        }
        job = ScanJob.objects.create(
            batch=rnd.choice([*batches, None]),
            purpose=rnd.choices(["scan", "retest", "complaint", "prelisting"], [70, 15, 10, 5])[0],
            sha256=version.sha256,
            status=rnd.choices(["done", "failed"], [92, 8])[0],
            dedupe_key=f"s{seed}:{i}",
            app_version=version if rnd.random() > 0.03 else None,
            sdk_versions=sdk_versions,
            finished_at=finished,
            created_by=reg,
        )
        jobs.append(job)
        for _ in range(rnd.randint(0, 7)):
            Finding.objects.create(
                job=job,
                app_version=job.app_version if rnd.random() > 0.05 else None,
                rule_id=f"rule.{rnd.randint(0, 6)}",
                title_zh="问题",
                notice_types=rnd.choice(NOTICE_TYPES),
                problem_type=rnd.choice(GROUPS),
                owner=rnd.choice(["host", "host", "", *SDKS]),
                status=rnd.choices(["confirmed", "pending", "rejected"], [55, 25, 20])[0],
            )
    # orders over confirmed findings, a 不良APP takedown case, a foreign build's case
    confirmed = list(Finding.objects.filter(status="confirmed", app_version__isnull=False))
    rnd.shuffle(confirmed)
    published = NoticeBatch.objects.create(
        title="通报", published=True, published_at=local(YEAR, 7, 1, 0, 0), created_by=reg
    )
    draft = NoticeBatch.objects.create(title="草稿", published=False, created_by=reg)
    early = NoticeBatch.objects.create(
        title="去年通报", published=True, published_at=local(YEAR - 1, 12, 31, 23, 59), created_by=reg
    )
    for k in range(min(18, len(confirmed) // 2)):
        f1, f2 = confirmed[2 * k], confirmed[2 * k + 1]
        version = f1.app_version
        issued = rnd.choice(BOUNDARY_TIMES)
        order = RectificationOrder.objects.create(
            number=f"ZG-{seed}-{k:04d}",
            app=version.app,
            app_version=version,
            company=version.app.company,
            deadline=issued.date(),
            issued_by=reg,
            issued_at=issued,
            foreign_build=version.signer_relation == "foreign",
            state="closed" if k % 5 in (1, 2) else "issued",
            closed_at=issued + dt.timedelta(days=rnd.randint(-30, 200)) if k % 5 == 1 else None,
        )
        order.findings.set([f1] if k % 4 == 0 else [f1, f2])
        if k % 7 == 3:
            OrderTransition.objects.create(
                order=order, name="harmful_takedown", from_state="", to_state="issued", actor=reg, at=issued
            )
        if k % 3:
            NoticeItem.objects.create(
                batch=rnd.choice([published, draft, early]),
                order=order,
                app_name="应用",
                developer="企业",
                source="商店",
                version="1.0",
                problems="问题",
            )
        listing = StoreListing.objects.filter(app=version.app).first()
        if listing is not None and k % 2:
            TakedownOrder.objects.create(
                order=order,
                store=listing.store,
                listing=listing,
                status=rnd.choice(["confirmed", "confirmed", "pending"]),
                issued_by=reg,
                confirmed_at=rnd.choice(BOUNDARY_TIMES),
            )


class DbAggregationEqualsRowwise(TestCase):
    """Three seeds, six periods, three ``min_apps``: the new numbers are the old ones."""

    def check_seed(self, seed: int) -> None:
        build(seed)
        self.assertGreater(Finding.objects.filter(status="confirmed").count(), 100)
        with timezone.override("Asia/Shanghai"):
            for period in PERIODS:
                with self.subTest(seed=seed, period=period):
                    old, new = yearly_stats_rowwise(period), yearly.yearly_stats(period)
                    for key in old:
                        if key != "generated_at":
                            self.assertEqual(new[key], old[key], key)
            self.assertGreater(yearly.yearly_stats(PERIODS[0])["summary"]["confirmed_findings"], 50)
        for min_apps in (1, 2, 3, 5):
            with self.subTest(seed=seed, min_apps=min_apps):
                old, new = sdk_versions_rowwise(min_apps), early_warning.sdk_versions(min_apps)
                self.assertEqual(new, old)
        self.assertTrue(early_warning.sdk_versions(1))

    def test_seed_1(self) -> None:
        self.check_seed(1)

    def test_seed_2(self) -> None:
        self.check_seed(2)

    def test_seed_3(self) -> None:
        self.check_seed(3)


class HandCounted(TestCase):
    """A small case counted by hand: app A (2 versions, one foreign) and app B, one batch."""

    def test_numbers(self) -> None:
        reg = pf.user("regulator")
        a, b = App.objects.create(package="com.hand.a"), App.objects.create(package="com.hand.b", name="乙")
        a1 = AppVersion.objects.create(app=a, sha256="a1" * 32)
        a2 = AppVersion.objects.create(app=a, sha256="a2" * 32, signer_relation="foreign")
        b1 = AppVersion.objects.create(app=b, sha256="b1" * 32)

        def job(version, when, sdks, findings):
            j = ScanJob.objects.create(
                sha256=version.sha256, status="done", dedupe_key=str(when), app_version=version,
                sdk_versions=sdks, finished_at=when, created_by=reg,
            )  # fmt: skip
            for rule, owner, types, status in findings:
                Finding.objects.create(
                    job=j, app_version=version, rule_id=rule, title_zh="t", owner=owner,
                    notice_types=types, problem_type="collection", status=status,
                )  # fmt: skip

        c = "confirmed"
        # A: two scans in 2026 (the second a re-test of the same version), one just before 2026 local time
        job(a1, local(2026, 1, 1, 0, 0), {"x": "1"}, [("r1", "x", ["M337-1"], c), ("r2", "host", [], c)])
        job(a1, local(2026, 5, 1), {"x": "1"}, [("r1", "x", ["M337-1"], c), ("r3", "x", [], "rejected")])
        job(a1, local(2025, 12, 31, 23, 59), {"x": "1"}, [("r1", "x", ["M337-3"], c)])
        # the foreign build of A: not tested, not counted
        job(a2, local(2026, 2, 1), {"x": "1"}, [("r1", "x", ["M337-3"], c)])
        # B: one scan, SDK x at another version
        job(b1, local(2026, 3, 1), {"x": "2"}, [("r1", "x", ["M337-1"], c), ("r4", "host", [], "pending")])
        with timezone.override("Asia/Shanghai"):
            s = yearly.yearly_stats(yearly.Period(2026, dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
        summary = s["summary"]
        self.assertEqual((summary["tested"], summary["tested_versions"], summary["tested_jobs"]), (2, 2, 3))
        self.assertEqual((summary["apps_with_confirmed"], summary["confirmed_findings"]), (2, 4))
        types = {r["id"]: r["tested"] for r in s["by_type"]}
        self.assertEqual((types["M337-1"], types["M337-3"], types["other"]), (2, 0, 0))
        self.assertEqual([(r["sdk"], r["findings"], r["tested"]) for r in s["by_sdk"]], [("x", 3, 2)])
        self.assertEqual({r["id"]: r["tested"] for r in s["by_group"]}["collection"], 2)
        rows = early_warning.sdk_versions(1)
        # x@1: A's three confirmed r1 findings (2025 and 2026; the foreign build's is not A's); x@2: B's one
        self.assertEqual(
            [(r["sdk"], r["version"], r["apps"], r["findings"], r["rules"]) for r in rows],
            [("x", "1", [("com.hand.a", "com.hand.a")], 3, [("r1", 3)]), ("x", "2", [("com.hand.b", "乙")], 1, [("r1", 1)])],
        )  # fmt: skip
        self.assertEqual(rows, sdk_versions_rowwise(1))
