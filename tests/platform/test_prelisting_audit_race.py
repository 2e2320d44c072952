"""A pre-listing check refused under 停止接入 is audited once (``prelisting_stop_access``), even when its verdict is
first read by two requests at the same moment: each read sees no row yet, and before the fix each wrote one. Two
real PostgreSQL connections (threads) are held at the same point (both have looked for the row and found none)
and then let go; exactly one row must be written. Runs on PostgreSQL (the PostgreSQL suite in
``test_services.py``); SQLite's in-memory test database is one connection."""

from __future__ import annotations

import threading
import unittest
from unittest import mock

import platform_factories as pf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import TransactionTestCase
from django.utils import timezone

from appwarden.platform.core.models import AuditLog
from appwarden.platform.prelisting import services as prelisting
from appwarden.platform.prelisting.models import PrelistingCheck
from appwarden.platform.registry.models import App
from appwarden.platform.sanctions import services as sanctions
from appwarden.platform.testing import engine, services


class StopAccessAuditRaceTests(TransactionTestCase):
    def setUp(self):
        if connection.vendor != "postgresql":
            raise unittest.SkipTest("needs PostgreSQL (runs in the PostgreSQL suite of test_services.py)")
        self.engine = pf.ReportEngine()
        engine.use_engine(self.engine)
        self.addCleanup(engine.use_engine, None)

    def refused_check(self, n: int) -> PrelistingCheck:
        store = pf.store(f"竞争应用市场{n}")
        company = pf.company(f"竞争科技有限公司{n}")
        App.objects.create(package=f"com.race.app{n}", company=company)
        apk = self.engine.add(f"race-{n}", pf.report(f"com.race.app{n}", "1.0", []))
        check = prelisting.submit(
            SimpleUploadedFile("race.apk", apk), store=store, user=pf.user("store", store=store)
        )
        services.run_scan(check.job_id)
        # the measure comes after the check was scanned: the next reads of its verdict are the first to refuse it
        sanctions.issue(
            company,
            {"kind": "stop_access", "start_date": str(timezone.localdate()), "reason": "拒不整改，停止接入"},
            user=pf.user("regulator"),
        )
        self.assertFalse(
            AuditLog.objects.filter(action=prelisting.AUDIT_STOP, object_id=str(check.pk)).exists()
        )
        return check

    def test_two_simultaneous_first_reads_write_one_audit_row(self):
        original = prelisting._audited
        for n in range(3):  # a few rounds: each must end with one row
            check = self.refused_check(n)
            barrier = threading.Barrier(2, timeout=60)
            first_look = threading.local()
            errors: list[BaseException] = []
            verdicts: list[str] = []

            def looked(check_ids, barrier=barrier, first_look=first_look):
                seen = original(check_ids)
                if not getattr(
                    first_look, "done", False
                ):  # only each thread's first look waits for the other
                    first_look.done = True
                    barrier.wait()
                return seen

            def read(pk: int, errors=errors, verdicts=verdicts) -> None:
                try:
                    fresh = PrelistingCheck.objects.select_related("job__app_version__app", "store").get(
                        pk=pk
                    )
                    verdicts.append(prelisting.verdict(fresh)["verdict"])
                except BaseException as exc:  # reported below
                    errors.append(exc)
                finally:
                    connections.close_all()

            with mock.patch.object(prelisting, "_audited", looked):
                threads = [threading.Thread(target=read, args=(check.pk,)) for _ in range(2)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(timeout=120)
            self.assertEqual(errors, [])
            self.assertEqual(verdicts, ["fail", "fail"])
            rows = AuditLog.objects.filter(action=prelisting.AUDIT_STOP, object_id=str(check.pk))
            self.assertEqual(rows.count(), 1, f"round {n}: {rows.count()} audit rows for one refused check")
