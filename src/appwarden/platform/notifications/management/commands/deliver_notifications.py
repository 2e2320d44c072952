"""``python -m appwarden.platform deliver_notifications``: try every due notification delivery once (the embedded
worker and Celery beat do this by themselves; for cron set-ups without either)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "try the due notification deliveries (emails, webhooks) once"

    def handle(self, *args, **options):
        from appwarden.platform.notifications.services import deliver_due

        self.stdout.write(f"{deliver_due()} deliveries tried")
