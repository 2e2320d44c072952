"""The notification delivery log is pruned (``notifications/retention.py``): delivered deliveries after
``APPWARDEN_NOTIFY_RETENTION_DAYS``, failed ones after ``APPWARDEN_NOTIFY_FAILED_RETENTION_DAYS`` (never sooner than
delivered ones), pending never; notifications stay; one audit row per run; the command, the embedded worker's daily
tick and the Celery beat entry. Also run on PostgreSQL by ``test_services.py``."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import platform_factories as pf
from django.core.management import CommandError, call_command
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from appwarden.platform.core.models import AuditLog
from appwarden.platform.notifications import periodic, retention
from appwarden.platform.notifications.models import Delivery, DeliveryAttempt, Notification

_seq = itertools.count()


class RetentionCase(TestCase):
    def setUp(self):
        self.now = timezone.now()

    def delivery(self, status: str, age_days: float, attempts: int = 2) -> Delivery:
        when = self.now - dt.timedelta(days=age_days)
        n = Notification.objects.create(
            party_kind="staff",
            event="ping",
            dedupe_key=f"test:{next(_seq)}",
            subject="测试通知",
            body="x",
            created_at=when,
        )
        d = Delivery.objects.create(
            notification=n,
            channel="webhook",
            url="https://example.com/hook",
            status=status,
            attempts=attempts,
            created_at=when,
            delivered_at=when + dt.timedelta(minutes=1) if status == "delivered" else None,
        )
        for i in range(attempts):
            DeliveryAttempt.objects.create(
                delivery=d, at=when + dt.timedelta(seconds=i), ok=status == "delivered" and i == attempts - 1
            )
        return d

    def remaining(self) -> set[int]:
        return set(Delivery.objects.values_list("pk", flat=True))


class PruneTests(RetentionCase):
    def setUp(self):
        super().setUp()
        self.old_ok = self.delivery("delivered", 100)
        self.new_ok = self.delivery("delivered", 10)
        self.failed_100 = self.delivery("failed", 100, attempts=6)
        self.failed_400 = self.delivery("failed", 400, attempts=6)
        self.pending_old = self.delivery("pending", 500)

    def test_defaults_keep_failed_longer_than_delivered_and_pending_for_ever(self):
        notifications = Notification.objects.count()
        result = retention.prune(now=self.now)
        self.assertEqual((result["delivered"], result["failed"], result["attempts"]), (1, 1, 2 + 6))
        self.assertEqual((result["delivered_days"], result["failed_days"]), (90, 365))
        self.assertEqual(self.remaining(), {self.new_ok.pk, self.failed_100.pk, self.pending_old.pk})
        self.assertFalse(DeliveryAttempt.objects.filter(delivery_id__in=[self.old_ok.pk, self.failed_400.pk]))
        self.assertEqual(DeliveryAttempt.objects.count(), 2 + 6 + 2)
        self.assertEqual(Notification.objects.count(), notifications)  # the once-per-event record stays
        row = AuditLog.objects.get(action="notify_prune")
        self.assertEqual((row.data["delivered"], row.data["failed"], row.data["attempts"]), (1, 1, 8))
        self.assertIn("清理通知投递记录", row.summary)
        again = retention.prune(now=self.now)
        self.assertEqual((again["delivered"], again["failed"]), (0, 0))
        self.assertEqual(AuditLog.objects.filter(action="notify_prune").count(), 1)  # nothing deleted: no row

    def test_dry_run_counts_and_deletes_nothing(self):
        result = retention.prune(now=self.now, dry_run=True)
        self.assertEqual((result["delivered"], result["failed"], result["attempts"]), (1, 1, 8))
        self.assertEqual(Delivery.objects.count(), 5)
        self.assertFalse(AuditLog.objects.filter(action="notify_prune").exists())

    @override_settings(APPWARDEN_NOTIFY_RETENTION_DAYS="30", APPWARDEN_NOTIFY_FAILED_RETENTION_DAYS="7")
    def test_failed_deliveries_are_never_pruned_before_delivered_ones(self):
        result = retention.prune(now=self.now)
        self.assertEqual((result["delivered_days"], result["failed_days"]), (30, 30))
        self.assertEqual(self.remaining(), {self.new_ok.pk, self.pending_old.pk})

    @override_settings(APPWARDEN_NOTIFY_RETENTION_DAYS="0", APPWARDEN_NOTIFY_FAILED_RETENTION_DAYS="0")
    def test_zero_keeps_for_ever(self):
        result = retention.prune(now=self.now)
        self.assertEqual((result["delivered"], result["failed"]), (0, 0))
        self.assertEqual(Delivery.objects.count(), 5)

    def test_batches(self):
        for _ in range(5):
            self.delivery("delivered", 200, attempts=1)
        old_batch = retention.BATCH
        retention.BATCH = 2
        try:
            result = retention.prune(now=self.now)
        finally:
            retention.BATCH = old_batch
        self.assertEqual(result["delivered"], 6)
        self.assertEqual(self.remaining(), {self.new_ok.pk, self.failed_100.pk, self.pending_old.pk})

    @override_settings(APPWARDEN_NOTIFY_RETENTION_DAYS="ninety")
    def test_a_bad_setting_is_one_line_and_deletes_nothing(self):
        with self.assertRaises(retention.RetentionError) as ctx:
            retention.prune(now=self.now)
        self.assertIn("APPWARDEN_NOTIFY_RETENTION_DAYS 须为0到36500之间的整数天数", str(ctx.exception))
        self.assertNotIn("\n", str(ctx.exception))
        self.assertEqual(Delivery.objects.count(), 5)

    def test_command(self):
        out = io.StringIO()
        call_command("prune_notifications", "--dry-run", stdout=out)
        self.assertIn(
            "将删除 would delete: 已送达 delivered 1（保留 90 天），失败 failed 1（保留 365 天）",
            out.getvalue(),
        )
        self.assertEqual(Delivery.objects.count(), 5)
        out = io.StringIO()
        call_command("prune_notifications", "--days", "5", "--failed-days", "50", stdout=out)
        self.assertIn(
            "已删除 deleted: 已送达 delivered 2（保留 5 天），失败 failed 2（保留 50 天）", out.getvalue()
        )
        self.assertEqual(self.remaining(), {self.pending_old.pk})
        for bad in (["--days", "x"], ["--failed-days", "-1"], ["--days", "99999999"]):
            with self.assertRaises(CommandError) as ctx:
                call_command("prune_notifications", *bad, stdout=io.StringIO())
            self.assertRegex(str(ctx.exception), r"^--(failed-)?days 须")

    def test_embedded_worker_prunes_once_a_day(self):
        periodic._last["prune"] = 0.0
        periodic._prune()
        self.assertEqual(self.remaining(), {self.new_ok.pk, self.failed_100.pk, self.pending_old.pk})
        fresh = self.delivery("delivered", 200)
        periodic._prune()  # within the day: not again
        self.assertIn(fresh.pk, self.remaining())
        periodic._last["prune"] -= periodic.PRUNE_EVERY + 1
        periodic._prune()
        self.assertNotIn(fresh.pk, self.remaining())

    def test_celery_beat_runs_the_task_daily(self):
        from appwarden.platform.celery_app import app
        from appwarden.platform.notifications import tasks

        entry = app.conf.beat_schedule["notify-prune"]
        self.assertEqual((entry["task"], entry["schedule"]), ("appwarden.notify_prune", 86400.0))
        self.assertEqual(tasks.prune_task.name, "appwarden.notify_prune")
        result = tasks.prune_task.run()
        self.assertEqual((result["delivered"], result["failed"]), (1, 1))


class PageTests(RetentionCase):
    def test_page_states_the_retention_and_a_pruned_log(self):
        d = self.delivery("delivered", 200)
        retention.prune(now=self.now)
        client = Client()
        client.force_login(pf.user("regulator"))
        page = client.get("/notifications/").content.decode()
        self.assertIn('id="delivery-retention"', page)
        self.assertIn("投递记录保留期限：已送达 90 天，失败 365 天，待发送的不清理", page)
        self.assertIn("投递记录已超过保留期限被清理", page)
        self.assertTrue(Notification.objects.filter(pk=d.notification_id).exists())
