"""``python -m appwarden.platform early_warning_digest`` (also ``appwarden early-warning-digest``): send today's
daily early-warning list to the regulators (once a day; ``--force`` sends again)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "send the daily early-warning digest to the regulators (每日预警清单); once per day unless --force"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="send even if today's digest was sent")
        parser.add_argument("--no-deliver", action="store_true", help="only create the notification")

    def handle(self, *args, **options):
        from appwarden.platform.notifications.digest import send_digest
        from appwarden.platform.notifications.services import deliver_due

        result = send_digest(force=options.get("force", False))
        tried = 0 if options.get("no_deliver") else deliver_due()
        state = "sent" if result["sent"] else "already sent today (use --force)"
        counts = ", ".join(f"{k} {v}" for k, v in result["counts"].items())
        self.stdout.write(f"digest {result['day']}: {state}; {counts}; {tried} deliveries tried")
