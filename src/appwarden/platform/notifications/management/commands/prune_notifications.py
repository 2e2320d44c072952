"""``python -m appwarden.platform prune_notifications``: delete the notification delivery log past its retention
(delivered after ``APPWARDEN_NOTIFY_RETENTION_DAYS``, failed after ``APPWARDEN_NOTIFY_FAILED_RETENTION_DAYS``;
pending never). The embedded worker and Celery beat run it daily; this is for cron set-ups and for trying it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "delete old notification deliveries (通知投递记录): delivered after N days, failed after M days"

    def add_arguments(self, parser):
        parser.add_argument("--days", help="keep delivered deliveries this many days (default: the setting)")
        parser.add_argument(
            "--failed-days", help="keep failed deliveries this many days (default: the setting)"
        )
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    def handle(self, *args, **options):
        from appwarden.platform.notifications.retention import RetentionError, prune

        try:
            result = prune(
                delivered_days=options.get("days"),
                failed_days=options.get("failed_days"),
                dry_run=options.get("dry_run", False),
            )
        except RetentionError as exc:
            raise CommandError(str(exc)) from None

        def keep(days: int) -> str:
            return f"{days} 天" if days else "永久 forever"

        verb = "将删除 would delete" if result["dry_run"] else "已删除 deleted"
        self.stdout.write(
            f"{verb}: 已送达 delivered {result['delivered']}（保留 {keep(result['delivered_days'])}），"
            f"失败 failed {result['failed']}（保留 {keep(result['failed_days'])}），"
            f"投递尝试 attempts {result['attempts']}；待发送的不清理 pending kept"
        )
