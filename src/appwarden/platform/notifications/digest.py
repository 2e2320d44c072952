"""The daily early-warning digest to the regulators (``appwarden early-warning-digest``, Celery beat, embedded
worker).

One per local day (:class:`DigestRun`): it covers the window since the previous digest (the first one: the last 24
hours), lists the five sections of :mod:`appwarden.platform.web.early_warning` plus the 不良APP counts, and is sent as
the ``early_warning.digest`` event to the ``staff`` party (its email recipients, else the active regulators'
addresses, and its webhooks with the JSON of the list). A second run on the same day does nothing unless forced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from appwarden.platform.notifications import events as ev
from appwarden.platform.notifications.models import DigestRun
from appwarden.platform.notifications.parties import STAFF_P
from appwarden.platform.notifications.services import base_url, notify


def send_digest(now: dt.datetime | None = None, *, force: bool = False) -> dict[str, Any]:
    """Build and send today's digest; returns ``{"day", "sent", "counts", "since"}`` (``sent`` False when today's
    digest exists and ``force`` is not given)."""
    from appwarden.platform.web import early_warning

    now = now or timezone.now()
    day = timezone.localtime(now).date()
    existing = DigestRun.objects.filter(day=day).first()
    if existing is not None and not force:
        return {
            "day": day.isoformat(),
            "sent": False,
            "counts": existing.counts,
            "since": existing.since.isoformat(),
        }
    previous = DigestRun.objects.filter(day__lt=day).order_by("-day").first()
    since = previous.until if previous is not None else now - dt.timedelta(days=1)
    data = early_warning.daily_list(since=since, digest=True)
    counts = early_warning.counts(data)
    from appwarden.platform.web.views import _early_warning_context

    screening = _early_warning_context()
    counts.update(harmful=len(screening["harmful"]), suspicious=len(screening["suspicious"]))
    text = early_warning.as_text(data)
    body = (
        f"每日预警清单 Daily early-warning list {day:%Y-%m-%d}\n"
        f"不良APP：有害 {counts['harmful']}，可疑 {counts['suspicious']} (harmful / suspicious)\n\n{text}\n"
        f"{base_url()}/early-warning/\n"
    )
    subject = (
        f"【每日预警】{day:%Y-%m-%d} 新增高风险 {counts['new_high_apps']} · 屡查屡犯 {counts['repeat_offenders']} · "
        f"签名变更 {counts['signer_changes']} · SDK {counts['sdk_versions']} · 停止接入 {counts['stop_access']} "
        "Daily early warning"
    )
    key = day.isoformat() if not force else f"{day.isoformat()}:{now.isoformat()}"
    try:
        with transaction.atomic():
            if existing is not None:
                existing.delete()
            run = DigestRun.objects.create(day=day, since=since, until=now, counts=counts)
            notification = notify(
                ev.EARLY_WARNING_DIGEST,
                STAFF_P,
                key=key,
                subject=subject,
                body=body,
                data={
                    "day": day.isoformat(),
                    "since": since.isoformat(),
                    "counts": counts,
                    **early_warning.as_json(data),
                },
            )
            run.notification = notification
            run.save(update_fields=["notification"])
    except IntegrityError:  # another process is sending today's digest at this moment
        return {"day": day.isoformat(), "sent": False, "counts": counts, "since": since.isoformat()}
    return {
        "day": day.isoformat(),
        "sent": notification is not None,
        "counts": counts,
        "since": since.isoformat(),
    }
