"""The notification work of the embedded worker (``appwarden serve``): :func:`tick` is called by the worker loop
(every wake-up, at least every 2 s while no scan runs). It delivers due notifications every time, runs
:func:`~appwarden.platform.notifications.services.notify_deadlines` once an hour, the daily early-warning
digest once a day at or after ``APPWARDEN_DIGEST_HOUR`` (local time, default 8) and the delivery-log retention
(:func:`~appwarden.platform.notifications.retention.prune`) and the full transparency-log check
(:func:`~appwarden.platform.attestation.logcheck.verify_log`) once a day."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)
_last = {"deadlines": 0.0, "prune": 0.0, "stats": 0.0, "tlog": 0.0}
PRUNE_EVERY = 24 * 3600.0


def tick() -> None:
    """One round of the periodic notification work; errors are logged, never raised."""
    from appwarden.platform.notifications import services

    for name, action in (
        ("deliver", services.deliver_due),
        ("deadlines", _deadlines),
        ("digest", digest_if_due),
        ("prune", _prune),
        ("stats", _stats_snapshot),
        ("tlog", _tlog_verify),
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


def _prune() -> None:
    """The delivery-log retention (``retention.prune``) once a day (the first tick after start, then every 24 h)."""
    from appwarden.platform.notifications.retention import prune

    if _last["prune"] and time.monotonic() - _last["prune"] < PRUNE_EVERY:
        return
    _last["prune"] = time.monotonic()  # a failing run (bad setting) is logged once a day, not every tick
    prune()


def _stats_snapshot() -> None:
    """The yearly report's snapshot of the current year (``web.yearly.refresh_snapshots``) every
    ``APPWARDEN_STATS_SNAPSHOT_MINUTES`` (the first tick after start, then at that interval; off when 0)."""
    from appwarden.platform.web.yearly import refresh_snapshots, snapshot_minutes

    minutes = snapshot_minutes()
    if not minutes or (_last["stats"] and time.monotonic() - _last["stats"] < minutes * 60):
        return
    _last["stats"] = time.monotonic()
    refresh_snapshots()


def _tlog_verify() -> None:
    """The full transparency-log check (``attestation.logcheck.verify_log``, logs an error on a problem) once a day
    (the first tick after start, then every 24 h)."""
    from appwarden.platform.attestation.logcheck import verify_log

    if _last["tlog"] and time.monotonic() - _last["tlog"] < PRUNE_EVERY:
        return
    _last["tlog"] = time.monotonic()
    verify_log()


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
