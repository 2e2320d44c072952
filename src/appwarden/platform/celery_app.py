"""The Celery application: configured from Django settings (``CELERY_*``), late acknowledgement, prefetch 1.

``appwarden worker`` runs ``celery -A appwarden.platform.celery_app worker``; a beat schedule surfaces overdue
rectification orders every 10 minutes (run ``celery beat`` or a worker with ``-B``).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appwarden.platform.settings")

app = Celery("appwarden")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    beat_schedule={
        "surface-overdue": {"task": "appwarden.surface_overdue", "schedule": 600.0},
        # notifications (notifications/tasks.py): due deliveries, deadline reminders, the daily digest
        "notify-deliver-due": {"task": "appwarden.notify_deliver_due", "schedule": 60.0},
        "notify-deadlines": {"task": "appwarden.notify_deadlines", "schedule": 3600.0},
        # hourly; sends once a day at or after APPWARDEN_DIGEST_HOUR (local time)
        "early-warning-digest": {"task": "appwarden.early_warning_digest", "schedule": 3600.0},
        # daily: delete the notification delivery log past its retention (notifications/retention.py)
        "notify-prune": {"task": "appwarden.notify_prune", "schedule": 86400.0},
        # the yearly report's snapshot of the current year (web/yearly.py); APPWARDEN_STATS_SNAPSHOT_MINUTES old at most
        "stats-snapshot": {"task": "appwarden.stats_snapshot", "schedule": 1800.0},
        # daily: re-hash the whole transparency log against its signed checkpoints (attestation/logcheck.py)
        "attest-log-verify": {"task": "appwarden.attest_log_verify", "schedule": 86400.0},
    },
)
app.autodiscover_tasks(
    [
        "appwarden.platform.testing",
        "appwarden.platform.notifications",
        "appwarden.platform.selfcheck",
        "appwarden.platform.web",
        "appwarden.platform.attestation",
    ]
)
