"""Retention of the notification delivery log: :func:`prune` deletes old ``Delivery`` rows (and their
``DeliveryAttempt`` rows) so the log does not grow for ever.

* a **delivered** delivery is deleted ``APPWARDEN_NOTIFY_RETENTION_DAYS`` (default 90) days after it was delivered;
* a **failed** one ``APPWARDEN_NOTIFY_FAILED_RETENTION_DAYS`` (default 365) days after it was created — never
  sooner than a delivered one (the larger of the two settings applies), since a failed delivery is what a party
  asks about later;
* a **pending** delivery (still being tried) is never deleted.

``0`` keeps that kind for ever. The ``Notification`` rows themselves stay (they are the once-per-event record that
stops a reminder from being sent again, and what ``/notifications/`` lists); only their delivery log goes. Each run
that deletes something writes one audit row ``notify_prune`` (counts and cut-offs). Runs from the embedded worker
once a day, Celery beat (``appwarden.notify_prune``, daily) and ``python -m appwarden.platform prune_notifications``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from appwarden.platform.core.errors import PlatformError
from appwarden.platform.notifications.models import D_DELIVERED, D_FAILED, Delivery, DeliveryAttempt

BATCH = 2000
MAX_DAYS = 36500


class RetentionError(PlatformError):
    code = "retention"


def _days(name: str, default: int) -> int:
    raw = getattr(settings, name, default)
    text = str(raw if raw is not None else "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise RetentionError(
            f"{name} 须为0到{MAX_DAYS}之间的整数天数（0表示永久保留） must be a whole number of days: {text[:20]!r}"
        ) from None
    if not 0 <= value <= MAX_DAYS:
        raise RetentionError(
            f"{name} 须为0到{MAX_DAYS}之间的整数天数（0表示永久保留） must be 0..{MAX_DAYS} days: {value}"
        )
    return value


def retention_days(delivered: Any = None, failed: Any = None) -> tuple[int, int]:
    """``(delivered days, failed days)`` from the arguments or the settings, checked; failed ≥ delivered unless
    either is 0 (forever)."""
    d = _days("APPWARDEN_NOTIFY_RETENTION_DAYS", 90) if delivered is None else _check(delivered, "--days")
    f = (
        _days("APPWARDEN_NOTIFY_FAILED_RETENTION_DAYS", 365)
        if failed is None
        else _check(failed, "--failed-days")
    )
    if d and f:
        f = max(f, d)
    return d, f


def _check(value: Any, label: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise RetentionError(
            f"{label} 须为整数天数 must be a whole number of days: {str(value)[:20]!r}"
        ) from None
    if not 0 <= number <= MAX_DAYS:
        raise RetentionError(f"{label} 须在0到{MAX_DAYS}之间 must be 0..{MAX_DAYS}: {number}")
    return number


def _candidates(now: dt.datetime, delivered_days: int, failed_days: int) -> dict[str, Any]:
    out = {}
    if delivered_days:
        cutoff = now - dt.timedelta(days=delivered_days)
        out["delivered"] = (
            Delivery.objects.filter(status=D_DELIVERED, delivered_at__lt=cutoff),
            cutoff,
        )
    if failed_days:
        cutoff = now - dt.timedelta(days=failed_days)
        out["failed"] = (Delivery.objects.filter(status=D_FAILED, created_at__lt=cutoff), cutoff)
    return out


def prune(
    *,
    now: dt.datetime | None = None,
    delivered_days: Any = None,
    failed_days: Any = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Delete the delivery log rows past their retention (see the module docstring); returns
    ``{"delivered", "failed", "attempts", "delivered_days", "failed_days", "dry_run"}`` (counts of deliveries and
    attempts deleted, or that would be with ``dry_run``). Works in batches of ``BATCH`` deliveries, one transaction
    each, so a long backlog never holds one big lock."""
    now = now or timezone.now()
    d_days, f_days = retention_days(delivered_days, failed_days)
    result: dict[str, Any] = {
        "delivered": 0,
        "failed": 0,
        "attempts": 0,
        "delivered_days": d_days,
        "failed_days": f_days,
        "dry_run": dry_run,
    }
    cutoffs = {}
    for kind, (qs, cutoff) in _candidates(now, d_days, f_days).items():
        cutoffs[kind] = cutoff.isoformat()
        if dry_run:
            result[kind] = qs.count()
            result["attempts"] += DeliveryAttempt.objects.filter(delivery__in=qs.values("pk")).count()
            continue
        while True:
            ids = list(qs.order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            with transaction.atomic():
                # re-check under a row lock: a delivery retried meanwhile (status changed) is left alone
                ids = list(qs.filter(pk__in=ids).select_for_update().values_list("pk", flat=True))
                attempts, _ = DeliveryAttempt.objects.filter(delivery_id__in=ids).delete()
                _, per_model = Delivery.objects.filter(pk__in=ids).delete()
            result[kind] += per_model.get(Delivery._meta.label, 0)
            result["attempts"] += attempts
            if not ids:
                break
    if not dry_run and (result["delivered"] or result["failed"]):
        _audit(result, cutoffs)
    return result


def _audit(result: dict[str, Any], cutoffs: dict[str, str]) -> None:
    from appwarden.platform.core import audit
    from appwarden.platform.core.models import AuditLog

    actor = audit.current_actor()
    AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        action="notify_prune",
        model="notifications.delivery",
        object_id="*",
        summary=(
            f"清理通知投递记录：已送达 {result['delivered']}，失败 {result['failed']}，尝试 {result['attempts']} "
            "pruned delivery log"
        ),
        reason="按保留期限清理 retention",
        data={
            **{k: result[k] for k in ("delivered", "failed", "attempts", "delivered_days", "failed_days")},
            "cutoffs": cutoffs,
        },
    )
