"""The fair scan queue (``testing/fairq.py``): parties take turns, deadline work first, a bound per party.

A store that floods ``POST /api/prelisting/`` no longer holds everybody else back: the next job is the oldest of
the party that has waited longest without service (the embedded worker and Celery tokens alike), re-tests and
complaint scans go first, and a store, company or SDK vendor may have at most ``APPWARDEN_MAX_QUEUED_PER_PARTY``
jobs queued (the next submission: 429, nothing stored). The two-claimer test needs PostgreSQL (it runs in the
PostgreSQL suite of ``test_services.py``); the rest runs on both databases."""

from __future__ import annotations

import contextlib
import threading
import unittest

import platform_factories as pf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client, TestCase, TransactionTestCase, override_settings
from rest_framework.test import APIClient

from appwarden.platform.core import storage
from appwarden.platform.core.models import AuditLog
from appwarden.platform.prelisting.models import PrelistingCheck
from appwarden.platform.selfcheck import services as selfcheck
from appwarden.platform.testing import engine, fairq, services, signals, worker
from appwarden.platform.testing.models import ScanJob


def _blob_count() -> int:
    return sum(1 for p in storage.root().rglob("*") if p.is_file()) if storage.root().exists() else 0


class FairCase(TestCase):
    def setUp(self):
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)
        self.store_a, self.store_b = pf.store("甲应用市场"), pf.store("乙应用商店")
        self.a_user = pf.user("store", store=self.store_a)
        self.b_user = pf.user("store", store=self.store_b)
        self.regulator = pf.user("regulator")
        self.n = 0
        self.ran: list[int] = []

        def listen(sender, job, **_):
            self.ran.append(job.pk)

        signals.scan_finished.connect(listen, weak=False, dispatch_uid="fair-queue-test")
        self.addCleanup(signals.scan_finished.disconnect, dispatch_uid="fair-queue-test")

    def apk(self) -> bytes:
        self.n += 1
        return self.engine.add(f"fair-{self.n}", pf.report(f"com.fair.app{self.n}", "1.0", []))

    def api(self, user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    def prelist(self, user) -> int:
        resp = self.api(user).post(
            "/api/prelisting/", {"apk": SimpleUploadedFile("app.apk", self.apk())}, format="multipart"
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        return resp.json()["job"]

    def upload(self, user) -> int:
        resp = self.api(user).post(
            "/api/jobs/", {"file": SimpleUploadedFile("app.apk", self.apk())}, format="multipart"
        )
        self.assertEqual(resp.status_code, 201, resp.content)
        return resp.json()["id"]

    def drain(self) -> list[int]:
        """Run the embedded worker's loop until the queue is empty; the job ids in the order they ran."""
        w = worker.DbQueueWorker()
        while w.run_once():
            pass
        return list(self.ran)


class FairOrderTests(FairCase):
    def test_a_flooding_store_does_not_hold_back_another_store_or_the_regulator(self):
        a_jobs = [self.prelist(self.a_user) for _ in range(20)]
        b_job = self.prelist(self.b_user)
        reg_job = self.upload(self.regulator)
        order = self.drain()
        self.assertEqual(sorted(order), sorted([*a_jobs, b_job, reg_job]))  # every job ran, once
        third_a = order.index(a_jobs[2])
        self.assertLess(order.index(b_job), third_a, order)
        self.assertLess(order.index(reg_job), third_a, order)
        self.assertEqual(order[:3], [a_jobs[0], b_job, reg_job])  # then turns: A, B, the regulator
        self.assertEqual([j for j in order if j in a_jobs], a_jobs)  # one party's own jobs stay FIFO
        self.assertEqual(
            set(ScanJob.objects.filter(pk__in=order).values_list("status", "attempts")), {("done", 1)}
        )

    def test_the_parties_recorded_on_the_jobs(self):
        a = self.prelist(self.a_user)
        reg = self.upload(self.regulator)
        self.assertEqual(ScanJob.objects.get(pk=a).party, f"store:{self.store_a.pk}")
        self.assertEqual(ScanJob.objects.get(pk=reg).party, "staff")
        retest = services.queue_job(
            ScanJob.objects.get(pk=a).sha256, user=self.regulator, purpose="retest", allow_duplicate=True
        )
        complaint = services.queue_job(
            ScanJob.objects.get(pk=a).sha256, user=self.regulator, purpose="complaint", allow_duplicate=True
        )
        self.assertEqual((retest.party, complaint.party), ("deadline", "deadline"))
        company = pf.company()
        self.assertEqual(fairq.party_for(pf.user("company", company=company)), f"company:{company.pk}")

    def test_re_tests_and_complaint_scans_go_first(self):
        a_jobs = [self.prelist(self.a_user) for _ in range(5)]
        reg_job = self.upload(self.regulator)
        sha = ScanJob.objects.get(pk=a_jobs[0]).sha256
        retest = services.queue_job(sha, user=self.regulator, purpose="retest", allow_duplicate=True).pk
        complaint = services.queue_job(sha, user=self.regulator, purpose="complaint", allow_duplicate=True).pk
        order = self.drain()
        self.assertEqual(order[:2], [retest, complaint])  # deadline work first, oldest first
        self.assertEqual(order[2:4], [a_jobs[0], reg_job])

    def test_a_party_with_a_job_running_comes_after_the_parties_without(self):
        a_jobs = [self.prelist(self.a_user) for _ in range(3)]
        b_job = self.prelist(self.b_user)
        first = fairq.claim_next()  # two workers claim without finishing
        second = fairq.claim_next()
        self.assertEqual((first[1].pk, second[1].pk), (a_jobs[0], b_job))
        third = fairq.claim_next()
        self.assertEqual(third[1].pk, a_jobs[1])  # everybody is busy: the longest wait without service

    def test_a_companys_self_assessment_takes_its_turn_among_the_stores_checks(self):
        company = pf.company("自评估企业")
        company_user = pf.user("company", company=company)
        a_jobs = [self.prelist(self.a_user) for _ in range(6)]
        rep = pf.report("com.self.app", "1.0", [])
        row = selfcheck.submit(self.engine.add("self-1", rep), user=company_user)
        w = worker.DbQueueWorker()
        self.assertTrue(w.run_once())  # A's first
        self.assertTrue(w.run_once())  # the company's self-assessment before A's second
        row.refresh_from_db()
        self.assertEqual(row.status, "done")
        self.assertEqual(self.ran, [a_jobs[0]])
        self.drain()
        self.assertEqual(self.ran, a_jobs)

    @override_settings(APPWARDEN_SCAN_MAX_ATTEMPTS=2)
    def test_a_queued_job_out_of_attempts_is_quarantined_and_the_next_one_claimed(self):
        spent, fresh = self.prelist(self.a_user), self.prelist(self.a_user)
        ScanJob.objects.filter(pk=spent).update(attempts=2)
        kind, job = fairq.claim_next()
        self.assertEqual((kind, job.pk, job.attempts), ("scan", fresh, 1))
        self.assertEqual(ScanJob.objects.get(pk=spent).failure_kind, "quarantined")


class TokenTests(FairCase):
    """Celery tokens, driven in-process (the real broker: ``test_celery_tokens_over_rabbitmq`` below)."""

    def test_each_token_runs_the_fairest_job_and_every_job_runs_once(self):
        a_jobs = [self.prelist(self.a_user) for _ in range(6)]
        b_job = self.prelist(self.b_user)
        reg_job = self.upload(self.regulator)
        results = [fairq.run_token(f"token-{i}") for i in range(8)]  # one token per queued job
        self.assertTrue(all(r.endswith(":done") for r in results), results)
        self.assertEqual(self.ran[:3], [a_jobs[0], b_job, reg_job])
        self.assertEqual(sorted(self.ran), sorted([*a_jobs, b_job, reg_job]))
        self.assertEqual(fairq.run_token("token-extra"), "empty")  # nothing left: the token ends
        tokens = set(ScanJob.objects.filter(pk__in=self.ran).values_list("claim_token", flat=True))
        self.assertEqual(tokens, {f"token-{i}" for i in range(8)})

    def test_a_redelivered_token_reruns_the_job_it_had_claimed(self):
        first, second = self.prelist(self.a_user), self.prelist(self.b_user)
        kind, job = fairq.claim_next("token-1")  # its worker dies here: the job stays running
        self.assertEqual((kind, job.pk), ("scan", first))
        self.assertEqual(fairq.run_token("token-1"), f"scan:{first}:done")  # redelivered: same job
        job.refresh_from_db()
        self.assertEqual((job.status, job.attempts), ("done", 2))
        self.assertEqual(fairq.run_token("token-1"), f"scan:{first}:done")  # delivered again: nothing run
        self.assertEqual(ScanJob.objects.get(pk=second).status, "queued")
        self.assertEqual(fairq.run_token("token-2"), f"scan:{second}:done")

    @override_settings(APPWARDEN_SCAN_MAX_ATTEMPTS=2)
    def test_a_token_redelivered_once_too_often_quarantines_its_job(self):
        job_id = self.prelist(self.a_user)
        fairq.claim_next("token-q")
        ScanJob.objects.filter(pk=job_id).update(attempts=2)  # died twice
        self.assertEqual(fairq.run_token("token-q"), f"scan:{job_id}:failed")
        self.assertEqual(ScanJob.objects.get(pk=job_id).failure_kind, "quarantined")

    def test_a_self_assessment_token_claims_fairly_and_is_found_again(self):
        company = pf.company("令牌企业")
        row = selfcheck.submit(
            self.engine.add("self-tok", pf.report("com.self.tok", "1.0", [])),
            user=pf.user("company", company=company),
        )
        kind, claimed = fairq.claim_next("token-s")
        self.assertEqual((kind, claimed.pk), ("self", row.pk))
        self.assertEqual(fairq.run_token("token-s"), f"self:{row.pk}:done")  # redelivered before it ended
        row.refresh_from_db()
        self.assertEqual((row.status, row.attempts), ("done", 2))

    def test_the_tasks_are_tokens(self):
        from appwarden.platform.celery_app import app

        app.loader.import_default_modules()
        a_job, b_job = self.prelist(self.a_user), self.prelist(self.b_user)
        self.assertTrue(app.tasks["appwarden.scan_job"].acks_late)
        out = app.tasks["appwarden.scan_job"].apply(args=[b_job]).get()  # sent for B's job, runs A's (older)
        self.assertEqual(out, f"scan:{a_job}:done")
        out = app.tasks["appwarden.selfcheck_job"].apply(args=[0]).get()
        self.assertEqual(out, f"scan:{b_job}:done")


class QueueModeTests(FairCase):
    def test_eager_mode_still_runs_the_job_at_once(self):
        with override_settings(APPWARDEN_WORKER="eager"), self.captureOnCommitCallbacks(execute=True):
            job_id = self.prelist(self.a_user)
        self.assertEqual(ScanJob.objects.get(pk=job_id).status, "done")

    def test_backfill_of_the_migration(self):
        from importlib import import_module

        from django.apps import apps

        fill = import_module("appwarden.platform.testing.migrations.0007_fair_queue").fill_party
        a = self.prelist(self.a_user)
        reg = self.upload(self.regulator)
        retest = services.queue_job(
            ScanJob.objects.get(pk=a).sha256, user=self.regulator, purpose="retest", allow_duplicate=True
        )
        company = pf.company()
        own = services.submit_apk(self.apk(), user=pf.user("company", company=company))
        ScanJob.objects.update(party="staff")
        fill(apps, None)
        parties = dict(ScanJob.objects.values_list("pk", "party"))
        self.assertEqual(
            (parties[a], parties[reg], parties[retest.pk], parties[own.pk]),
            (f"store:{self.store_a.pk}", "staff", "deadline", f"company:{company.pk}"),
        )


@override_settings(APPWARDEN_MAX_QUEUED_PER_PARTY=3)
class BoundTests(FairCase):
    def test_the_next_check_beyond_the_bound_gets_429_and_nothing_is_stored(self):
        for _ in range(3):
            self.prelist(self.a_user)
        jobs, checks, blobs = ScanJob.objects.count(), PrelistingCheck.objects.count(), _blob_count()
        resp = self.api(self.a_user).post(
            "/api/prelisting/", {"apk": SimpleUploadedFile("app.apk", self.apk())}, format="multipart"
        )
        self.assertEqual(resp.status_code, 429, resp.content)
        self.assertEqual(resp["Retry-After"], "60")
        detail = resp.json()["detail"]
        self.assertTrue(detail.startswith("排队检测过多"), detail)
        self.assertIn("3", detail)
        self.assertNotIn("\n", detail)
        self.assertEqual(
            (ScanJob.objects.count(), PrelistingCheck.objects.count(), _blob_count()), (jobs, checks, blobs)
        )
        rows = AuditLog.objects.filter(action="queue_full")
        self.assertEqual(
            [(r.model, r.object_id, r.data["party"]) for r in rows],
            [("registry.store", str(self.store_a.pk), f"store:{self.store_a.pk}")],
        )
        again = self.api(self.a_user).post(
            "/api/prelisting/", {"apk": SimpleUploadedFile("app.apk", self.apk())}, format="multipart"
        )
        self.assertEqual(again.status_code, 429)
        self.assertEqual(AuditLog.objects.filter(action="queue_full").count(), 1)  # one row per party a while

    def test_the_bound_holds_inside_the_queueing_transaction_too(self):
        for _ in range(3):
            self.prelist(self.a_user)
        sha = ScanJob.objects.filter(party=f"store:{self.store_a.pk}").first().sha256
        jobs = ScanJob.objects.count()
        with self.assertRaises(
            fairq.QueueFull
        ):  # past the first check (a race with the same store): rolled back
            services.queue_job(sha, user=self.a_user, allow_duplicate=True)
        self.assertEqual(ScanJob.objects.count(), jobs)
        services.queue_job(sha, user=self.b_user, allow_duplicate=True)  # store B has room

    def test_other_parties_and_the_staff_are_not_held_by_one_partys_bound(self):
        for _ in range(3):
            self.prelist(self.a_user)
        self.prelist(self.b_user)  # another store: its own bound
        for _ in range(5):
            self.upload(self.regulator)  # staff: not bounded
        services.run_scan(ScanJob.objects.filter(party=f"store:{self.store_a.pk}").order_by("id").first().pk)
        self.prelist(self.a_user)  # a place became free

    def test_the_store_web_form_refuses_in_chinese_with_429(self):
        for _ in range(3):
            self.prelist(self.a_user)
        web = Client()
        web.force_login(self.a_user)
        jobs = ScanJob.objects.count()
        resp = web.post("/store/prelisting/", {"apk": SimpleUploadedFile("app.apk", self.apk())})
        self.assertEqual(resp.status_code, 429)
        self.assertEqual(resp["Retry-After"], "60")
        self.assertIn("排队检测过多", resp.content.decode())
        self.assertEqual(ScanJob.objects.count(), jobs)


class TwoClaimersTests(TransactionTestCase):
    """Two worker threads, each on its own PostgreSQL connection, drain one queue: every job runs exactly once, and
    the claimers do race for the same row (both are held until each has chosen, then let go)."""

    def setUp(self):
        if connection.vendor != "postgresql":
            raise unittest.SkipTest("needs PostgreSQL (runs in the PostgreSQL suite of test_services.py)")
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)

    def test_every_job_runs_exactly_once_under_two_claimers(self):
        stores = [pf.store(f"并发商店{i}") for i in range(3)]
        users = [pf.user("store", store=s) for s in stores] + [pf.user("regulator")]
        expected = []
        for n in range(40):
            data = self.engine.add(f"race-{n}", pf.report(f"com.race.app{n}", "1.0", []))
            expected.append(services.submit_apk(data, user=users[n % 4], allow_duplicate=True).pk)
        original = fairq.pick
        barrier = threading.Barrier(2, timeout=30)
        picks = {"n": 0}

        def racing_pick(*args, **kwargs):
            choice = original(*args, **kwargs)
            picks["n"] += 1
            if picks["n"] <= 10:  # the first picks of both threads meet here: both chose before either claims
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait()
            return choice

        fairq.pick = racing_pick
        self.addCleanup(setattr, fairq, "pick", original)
        ran: dict[str, list[int]] = {"t0": [], "t1": []}
        errors: list[BaseException] = []

        def claimer(name: str) -> None:
            try:
                i = 0
                while True:
                    done = fairq.run_next(token=f"{name}-{i}")
                    if done is None:
                        break
                    ran[name].append(done[1])
                    i += 1
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                barrier.abort()
                connections.close_all()

        threads = [threading.Thread(target=claimer, args=(name,)) for name in ran]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        self.assertEqual(errors, [])
        everything = ran["t0"] + ran["t1"]
        self.assertEqual(sorted(everything), sorted(expected))  # each once: no job twice, none left
        self.assertTrue(ran["t0"] and ran["t1"])
        self.assertGreater(picks["n"], len(expected) + 2)  # some picks lost the race and chose again
        rows = ScanJob.objects.filter(pk__in=expected)
        self.assertEqual(set(rows.values_list("status", "attempts")), {("done", 1)})


FLOOD_SUBMIT = r"""
import json, sys
from appwarden.platform import setup
setup()
from appwarden.platform.prelisting import services as prelisting
from appwarden.platform.registry.models import Store
from appwarden.platform.testing import services
from appwarden.platform.testing.models import Batch
import platform_factories as pf
apk = open(sys.argv[1], "rb").read()
a, b = Store.objects.create(name="甲应用市场"), Store.objects.create(name="乙应用商店")
a_user, b_user, regulator = pf.user("store", store=a), pf.user("store", store=b), pf.user("regulator")
a_jobs = [prelisting.submit(apk, store=a, user=a_user).job_id for _ in range(8)]
b_job = prelisting.submit(apk, store=b, user=b_user).job_id
batch = Batch.objects.create(name="监管批次")
reg_job = services.submit_apk(apk, user=regulator, file_name="minimal.apk", batch=batch).pk
print(json.dumps({"a": a_jobs, "b": b_job, "reg": reg_job}))
"""

FLOOD_STATE = r"""
import json
from appwarden.platform import setup
setup()
from appwarden.platform.testing.models import ScanJob
print(json.dumps([
    {"id": j.pk, "status": j.status, "attempts": j.attempts, "token": j.claim_token,
     "started": j.started_at.isoformat() if j.started_at else None}
    for j in ScanJob.objects.order_by("id")
]))
"""


@pytest.mark.service
@pytest.mark.slow
def test_celery_tokens_over_rabbitmq(amqp_url, postgres_url, tmp_path):
    """Real broker, real ``appwarden worker`` (2 pool processes), PostgreSQL: store A queues 8 checks, then store B
    one and a regulator one, all before the worker starts (the broker holds 10 tokens in that order). B's and the
    regulator's jobs start before A's third; every job runs once, each claimed by its own token."""
    import os
    from urllib.parse import urlparse

    import psycopg

    name = f"appwarden_fairq_{os.getpid()}"
    admin = urlparse(postgres_url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    try:
        _celery_tokens(amqp_url, urlparse(postgres_url)._replace(path=f"/{name}").geturl(), tmp_path)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _celery_tokens(amqp_url: str, database_url: str, tmp_path) -> None:
    import os
    import time
    from pathlib import Path

    from celery_worker import migrate, run_json, worker, worker_log
    from test_services import FIXTURE_APK, _platform_env

    env = _platform_env(tmp_path, amqp_url)
    env["DATABASE_URL"] = database_url
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")])
    migrate(env)
    ids = run_json(env, FLOOD_SUBMIT, str(FIXTURE_APK))
    with worker(env, tmp_path, concurrency=2):
        deadline = time.time() + 240
        jobs = run_json(env, FLOOD_STATE)
        while time.time() < deadline and any(j["status"] not in ("done", "failed") for j in jobs):
            time.sleep(1)
            jobs = run_json(env, FLOOD_STATE)
    log = worker_log(tmp_path)
    assert len(jobs) == 10, jobs
    assert {(j["status"], j["attempts"]) for j in jobs} == {("done", 1)}, (jobs, log)
    tokens = [j["token"] for j in jobs]
    assert all(tokens) and len(set(tokens)) == 10, jobs  # each job claimed by a token of its own
    order = [j["id"] for j in sorted(jobs, key=lambda j: j["started"])]
    third_a = order.index(ids["a"][2])
    assert order.index(ids["b"]) < third_a and order.index(ids["reg"]) < third_a, (order, ids)
    assert [j for j in order if j in ids["a"]] == ids["a"]  # A's own checks in the order queued


@pytest.mark.service
@pytest.mark.slow
def test_celery_tokens_over_rabbitmq_on_sqlite(amqp_url, tmp_path):
    """The same with SQLite, the database of a one-machine install: two pool processes claiming jobs and storing
    reports at once must wait for each other, not fail with ``database is locked`` (a deferred transaction that
    reads and then writes cannot wait for the lock; the platform opens SQLite transactions IMMEDIATE)."""
    _celery_tokens(amqp_url, f"sqlite:///{tmp_path}/platform.sqlite3", tmp_path)
