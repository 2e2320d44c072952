"""The notification work of the embedded worker (``appwarden serve``): :func:`tick` is called by the worker loop
(every wake-up, at least every 2 s while no scan runs). It delivers due notifications every time, runs
:func:`~appwarden.platform.notifications.services.notify_deadlines` once an hour and the daily early-warning
digest once a day at or after ``APPWARDEN_DIGEST_HOUR`` (local time, default 8)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)
_last = {"deadlines": 0.0}


def tick() -> None:
    """One round of the periodic notification work; errors are logged, never raised."""
    from appwarden.platform.notifications import services

    for name, action in (
        ("deliver", services.deliver_due),
        ("deadlines", _deadlines),
        ("digest", digest_if_due),
    ):
        try:
            action()
        except Exception:
            log.exception("notification %s failed", name)


def _deadlines() -> None:
    from appwarden.platform.notifications.services import notify_deadlines

    if time.monotonic() - _last["deadlines"] < 3600 and _last["deadlines"]:
        return
    notify_deadlines()
    _last["deadlines"] = time.monotonic()


def digest_if_due() -> bool:
    """Send today's early-warning digest if the local hour has reached ``APPWARDEN_DIGEST_HOUR`` and it was not
    sent yet; returns whether it sent one."""
    from appwarden.platform.notifications.digest import send_digest
    from appwarden.platform.notifications.models import DigestRun

    now = timezone.localtime()
    if now.hour < int(getattr(settings, "APPWARDEN_DIGEST_HOUR", 8)):
        return False
    if DigestRun.objects.filter(day=now.date()).exists():
        return False
    return bool(send_digest()["sent"])
