"""The yearly report's snapshot never passes off numbers that were not measured on the data a regulator now reads.

``appwarden serve``'s embedded worker computes the current year's snapshot at its first tick, on a fresh server
before any app was tested: all zeros. Before this fix the page and API served those zeros as the year's figures
for up to ``APPWARDEN_STATS_SNAPSHOT_MINUTES`` (60). Now a snapshot remembers the audit log's last row when it
was computed (every change of a platform model writes one); a snapshot the data has changed since is recomputed
on the read when it was cheap to compute (at most ``APPWARDEN_STATS_INLINE_SECONDS``, default 1 s), else served
with 快照生成后数据已有变更 on the page, in the downloads and ``outdated``/``changes_since`` in the JSON. Also run on
PostgreSQL by ``test_services.py``."""

from __future__ import annotations

import io

from django.test import Client, override_settings
from test_page_queries import PageDataCase

from appwarden.platform.notifications import periodic
from appwarden.platform.web.models import YearlySnapshot


def start_tick() -> None:
    """What the embedded worker does at its first tick after ``serve`` starts."""
    periodic._last["stats"] = 0.0
    periodic._stats_snapshot()


@override_settings(APPWARDEN_STATS_SNAPSHOT_MINUTES="60")
class StartZerosTests(PageDataCase):
    def client_(self) -> Client:
        client = Client()
        client.force_login(self.regulator)
        return client

    def test_zeros_taken_at_start_are_not_served_once_there_is_data(self):
        start_tick()  # the fresh server: nothing tested yet
        self.assertEqual(YearlySnapshot.objects.get().data["summary"]["tested"], 0)
        self.add_apps(1)
        client = self.client_()
        body = client.get("/api/stats/yearly/").json()
        self.assertEqual(body["summary"]["tested"], 1, body["summary"])
        self.assertEqual(body["summary"]["prelisting"], 2)
        self.assertFalse(body["snapshot"])  # computed on this read (the snapshot was cheap to compute)
        self.assertFalse(body["outdated"])
        page = client.get("/stats/yearly/").content.decode()
        self.assertRegex(page, r"检测应用数 Apps tested</td><td>1<")
        self.assertNotIn('id="yearly-outdated"', page)
        # the recomputed snapshot is stored and served as long as nothing changes
        again = client.get("/api/stats/yearly/").json()
        self.assertTrue(again["snapshot"])
        self.assertFalse(again["outdated"])
        self.assertEqual(again["summary"]["tested"], 1)
        page = client.get("/stats/yearly/").content.decode()
        self.assertIn("预先计算的统计快照", page)
        self.assertNotIn('id="yearly-outdated"', page)

    def test_a_snapshot_that_was_expensive_is_served_marked_outdated(self):
        start_tick()
        self.add_apps(1)
        with override_settings(APPWARDEN_STATS_INLINE_SECONDS="0"):  # as if it had taken long to compute
            client = self.client_()
            body = client.get("/api/stats/yearly/").json()
            self.assertTrue(body["snapshot"])
            self.assertTrue(body["outdated"])
            self.assertGreater(body["changes_since"], 0)
            self.assertEqual(body["summary"]["tested"], 0)  # the snapshot's numbers, said to be outdated
            page = client.get("/stats/yearly/").content.decode()
            self.assertIn('id="yearly-outdated"', page)
            self.assertIn("快照生成后数据已有变更", page)
            self.assertIn("立即重新计算", page)
            from openpyxl import load_workbook

            xlsx = client.get("/stats/yearly/export.xlsx").content
            cells = [
                c for row in load_workbook(io.BytesIO(xlsx))["总览"].iter_rows(values_only=True) for c in row
            ]
            self.assertTrue(any(isinstance(c, str) and "快照生成后数据已有变更" in c for c in cells), cells)
            fresh = client.get("/api/stats/yearly/?fresh=1").json()
            self.assertEqual((fresh["summary"]["tested"], fresh["outdated"]), (1, False))
            again = client.get("/api/stats/yearly/").json()
            self.assertEqual((again["snapshot"], again["outdated"], again["changes_since"]), (True, False, 0))

    def test_a_snapshot_of_unchanged_data_is_served_as_is(self):
        self.add_apps(1)
        start_tick()
        with override_settings(APPWARDEN_STATS_INLINE_SECONDS="0"):
            body = self.client_().get("/api/stats/yearly/").json()
        self.assertEqual((body["snapshot"], body["outdated"], body["changes_since"]), (True, False, 0))
        self.assertEqual(body["summary"]["tested"], 1)

    def test_a_snapshot_from_before_the_mark_existed_counts_as_outdated(self):
        self.add_apps(1)
        start_tick()
        YearlySnapshot.objects.update(data_mark=None)  # stored by an older version
        with override_settings(APPWARDEN_STATS_INLINE_SECONDS="0"):
            body = self.client_().get("/api/stats/yearly/").json()
        self.assertEqual((body["snapshot"], body["outdated"]), (True, True))
        body = self.client_().get("/api/stats/yearly/").json()  # cheap: recomputed
        self.assertEqual((body["snapshot"], body["outdated"]), (False, False))
