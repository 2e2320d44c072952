"""``python -m appwarden.platform notify_deadlines`` (also ``appwarden notify-deadlines``): notify companies of
orders due within 3 working days and companies + regulators of overdue orders, once each; then try the due
deliveries. Safe to run from cron as often as wanted."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "notify deadlines in 3 working days and overdue orders (整改期限提醒/逾期通知); idempotent"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="pretend today is this ISO date (default: today)")
        parser.add_argument("--no-deliver", action="store_true", help="only create the notifications")

    def handle(self, *args, **options):
        from appwarden.platform.notifications.services import deliver_due, notify_deadlines

        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式错误 --date must be YYYY-MM-DD: {options['date']!r}") from None
        counts = notify_deadlines(today)
        tried = 0 if options.get("no_deliver") else deliver_due()
        self.stdout.write(
            f"deadline_soon {counts['deadline_soon']}, overdue {counts['overdue']} new notifications; "
            f"{tried} deliveries tried"
        )
