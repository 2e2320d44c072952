"""Celery tasks of the notifications (distributed mode): one delivery try (retries are scheduled by
:func:`~appwarden.platform.notifications.services.deliver` with a countdown), and the beat jobs: due deliveries
(safety net: a retry whose countdown message was lost is still sent), deadlines, the daily digest and the delivery-log retention."""

from __future__ import annotations

from appwarden.platform.celery_app import app


@app.task(name="appwarden.notify_deliver", acks_late=True)
def deliver_task(delivery_id: int) -> str:
    from appwarden.platform.notifications.services import deliver

    return deliver(delivery_id)


@app.task(name="appwarden.notify_deliver_due", acks_late=True)
def deliver_due_task() -> int:
    from appwarden.platform.notifications.services import deliver_due

    return deliver_due()


@app.task(name="appwarden.notify_deadlines", acks_late=True)
def notify_deadlines_task() -> dict:
    from appwarden.platform.notifications.services import notify_deadlines

    return notify_deadlines()


@app.task(name="appwarden.early_warning_digest", acks_late=True)
def early_warning_digest_task() -> bool:
    """Send today's digest when it is due (at or after ``APPWARDEN_DIGEST_HOUR`` and not sent yet)."""
    from appwarden.platform.notifications.periodic import digest_if_due

    return digest_if_due()


@app.task(name="appwarden.notify_prune", acks_late=True)
def prune_task() -> dict:
    """Delete the delivery log past its retention (``retention.prune``; daily from beat)."""
    from appwarden.platform.notifications.retention import prune

    return prune()
