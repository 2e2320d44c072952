"""Signal receivers: the other apps' models and signals → notifications, without touching their service code.

| event | hooked on |
|---|---|
| ``order.issued`` | ``post_save`` of ``enforcement.OrderTransition`` created with name ``issue`` |
| ``takedown.ordered`` | ``post_save`` of ``enforcement.TakedownOrder`` created |
| ``prelisting.verdict`` | ``testing.signals.scan_finished`` for a job behind a ``prelisting.PrelistingCheck`` |
| ``complaint.forwarded`` | ``post_save`` of ``complaints.ComplaintForward`` created (when that model exists) |
| ``sdk_order.issued`` | ``post_save`` created of any ``enforcement`` model whose name contains ``SdkOrder`` and that has a foreign key to ``registry.SdkVendor`` (when one exists) |
| any | :data:`notify_party` — ``notify_party.send(sender, event=..., party_kind=..., party_id=..., key=..., subject=..., body=..., data=...)`` |

Every notification is created after the surrounding transaction commits (``transaction.on_commit``) and a failure
to notify is logged, never raised into the action that caused it. ``order.deadline_soon`` and ``order.overdue`` come
from the periodic :func:`~appwarden.platform.notifications.services.notify_deadlines`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

log = logging.getLogger(__name__)

notify_party = Signal()


def _later(action: Callable[[], Any], what: str) -> None:
    def run() -> None:
        try:
            action()
        except Exception:
            log.exception("notification for %s failed", what)

    transaction.on_commit(run)


def on_transition(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    if raw or not created or instance.name != "issue":
        return
    from appwarden.platform.notifications import services

    order_id = instance.order_id

    def run() -> None:
        from appwarden.platform.enforcement.models import RectificationOrder

        order = RectificationOrder.objects.select_related("app", "app_version", "company").get(pk=order_id)
        services.order_issued(order)

    _later(run, f"order {order_id}")


def on_takedown(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    if raw or not created:
        return
    from appwarden.platform.notifications import services

    pk = instance.pk

    def run() -> None:
        from appwarden.platform.enforcement.models import TakedownOrder

        td = TakedownOrder.objects.select_related("order__app", "order__app_version", "listing", "store").get(
            pk=pk
        )
        services.takedown_ordered(td)

    _later(run, f"takedown {pk}")


def on_scan_finished(sender: Any, job: Any, **_: Any) -> None:
    from appwarden.platform.prelisting.models import PrelistingCheck

    check = PrelistingCheck.objects.filter(job_id=job.pk).first()
    if check is None:
        return
    from appwarden.platform.notifications import services

    pk = check.pk
    _later(
        lambda: services.prelisting_verdict(PrelistingCheck.objects.select_related("job").get(pk=pk)),
        f"pre-listing {pk}",
    )


def on_complaint_forward(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    if raw or not created:
        return
    from appwarden.platform.notifications import services

    pk = instance.pk
    _later(lambda: services.complaint_forwarded(sender.objects.get(pk=pk)), f"complaint forward {pk}")


def _vendor_field(model: Any) -> str | None:
    for field in model._meta.concrete_fields:
        if (
            field.is_relation
            and field.related_model is not None
            and field.related_model._meta.label == "registry.SdkVendor"
        ):
            return field.attname
    return None


def on_sdk_order(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    if raw or not created:
        return
    attname = _vendor_field(sender)
    vendor_id = getattr(instance, attname, None) if attname else None
    if not vendor_id:
        return
    from appwarden.platform.notifications import services

    pk = instance.pk
    _later(lambda: services.sdk_order_issued(sender.objects.get(pk=pk), vendor_id), f"SDK order {pk}")


def on_notify_party(
    sender: Any, *, event: str, party_kind: str, party_id: int | None = None, **kw: Any
) -> None:
    from appwarden.platform.notifications import services
    from appwarden.platform.notifications.parties import Party

    party = Party(party_kind, party_id)
    _later(
        lambda: services.notify(
            event,
            party,
            key=str(kw.get("key", "")),
            subject=str(kw.get("subject", event)),
            body=str(kw.get("body", "")),
            data=dict(kw.get("data") or {}),
            obj=kw.get("obj"),
        ),
        event,
    )


# --- audit of the settings rows, without the secret ------------------------------------------------------------------


def _audit_save(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    if raw:
        return
    from appwarden.platform.core import audit

    data = audit.snapshot(instance)
    if "secret" in data:
        data["secret"] = "<omitted>"
    audit.record("create" if created else "update", instance, data=data)


def _audit_delete(sender: Any, instance: Any, **_: Any) -> None:
    from appwarden.platform.core import audit

    data = audit.snapshot(instance)
    if "secret" in data:
        data["secret"] = "<omitted>"
    audit.record("delete", instance, data=data)


def connect() -> None:
    """Connect every receiver (called once from the app's ``ready``)."""
    from appwarden.platform.enforcement.models import OrderTransition, TakedownOrder
    from appwarden.platform.notifications.models import EmailRecipient, Endpoint
    from appwarden.platform.testing.signals import scan_finished

    post_save.connect(on_transition, sender=OrderTransition, dispatch_uid="notify-order-issued")
    post_save.connect(on_takedown, sender=TakedownOrder, dispatch_uid="notify-takedown")
    scan_finished.connect(on_scan_finished, dispatch_uid="notify-prelisting")
    notify_party.connect(on_notify_party, dispatch_uid="notify-party")
    try:
        forward = apps.get_model("complaints", "ComplaintForward")
    except LookupError:
        forward = None
    if forward is not None:
        post_save.connect(on_complaint_forward, sender=forward, dispatch_uid="notify-complaint-forward")
    for model in apps.get_app_config("enforcement").get_models():
        if "sdkorder" in model.__name__.lower() and _vendor_field(model):
            post_save.connect(on_sdk_order, sender=model, dispatch_uid=f"notify-sdk-order-{model.__name__}")
    for model in (Endpoint, EmailRecipient):
        post_save.connect(_audit_save, sender=model, dispatch_uid=f"audit-save-{model._meta.label_lower}")
        post_delete.connect(_audit_delete, sender=model, dispatch_uid=f"audit-del-{model._meta.label_lower}")
