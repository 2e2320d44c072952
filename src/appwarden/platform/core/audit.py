"""Record every change of a platform model in :class:`~appwarden.platform.core.models.AuditLog`.

The acting user comes from a context variable set by the web middleware, the API views and the workers
(:func:`acting_as`). ``post_save``/``post_delete`` signals of every model in the platform apps write one row each,
except models with ``AUDIT_CHANGES = False`` (login counters, API tokens), which record their own events. A login
is one ``login`` row (``user_logged_in``), not an update of the user's ``last_login``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save

PLATFORM_APPS = (
    "core",
    "registry",
    "testing",
    "enforcement",
    "complaints",
    "prelisting",
    "sanctions",
    "selfcheck",  # SelfAssessment records its own rows (AUDIT_CHANGES = False): never the package or findings
    "notifications",  # every model records its own rows or none (webhook secrets never reach the log)
)
SKIP_FIELDS = {"report", "evidence", "password"}  # big or secret fields: recorded as present, not copied

_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("appwarden_actor", default=None)
_reason: contextvars.ContextVar[str] = contextvars.ContextVar("appwarden_reason", default="")
_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("appwarden_audit_quiet", default=False)


def set_actor(user: Any) -> None:
    """Set the user that following changes are attributed to (``None`` = system)."""
    _actor.set(user if getattr(user, "is_authenticated", False) else None)


def current_actor() -> Any:
    return _actor.get()


@contextmanager
def acting_as(user: Any, reason: str = "") -> Iterator[None]:
    """Attribute changes in the block to ``user`` with an optional ``reason``."""
    t1 = _actor.set(user if getattr(user, "is_authenticated", False) else None)
    t2 = _reason.set(reason)
    try:
        yield
    finally:
        _actor.reset(t1)
        _reason.reset(t2)


@contextmanager
def unrecorded() -> Iterator[None]:
    """Saves and deletes in the block write no audit row from the signals: for a caller that records the outcome
    itself with :func:`record`, e.g. a row first saved with a placeholder number, then numbered from its primary
    key, whose one ``create`` row must carry the real number. Other ``post_save`` receivers still run."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def create_numbered(instance: Any, number_for: Callable[[Any], str]) -> Any:
    """Save the new ``instance`` (a model with a unique ``number`` made from its primary key), give it its number
    ``number_for(instance)`` and record **one** audit ``create`` row, with the real number. The row is first saved
    with a unique placeholder number (``pending-<uuid>``), so two concurrent creations never collide; the saves
    themselves write no audit row (:func:`unrecorded`). Call inside the caller's transaction and
    :func:`acting_as` (the row's actor and reason). Returns ``instance``."""
    instance.number = f"pending-{uuid.uuid4().hex}"
    with unrecorded():
        instance.save(force_insert=True)
        instance.number = number_for(instance)
        instance.save(update_fields=["number"])
    record("create", instance)
    return instance


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, decimal.Decimal)):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, dict)):
        return value if len(str(value)) < 2000 else f"<{type(value).__name__} of {len(value)}>"
    return str(value)


def snapshot(instance: Any) -> dict[str, Any]:
    """Field values of a model instance as JSON-safe data (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIP_FIELDS:
            data[field.name] = "<omitted>"
            continue
        data[field.attname] = _plain(getattr(instance, field.attname))
    return data


def record(
    action: str, instance: Any, *, reason: str = "", data: dict | None = None, actor: Any = None
) -> None:
    """Append one audit row about ``instance``."""
    from appwarden.platform.core.models import AuditLog

    user = actor if actor is not None else _actor.get()
    AuditLog.objects.create(
        actor=user if getattr(user, "pk", None) else None,
        actor_name=getattr(user, "username", "") or "system",
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        summary=str(instance)[:300],
        reason=reason or _reason.get(),
        data=data if data is not None else snapshot(instance),
    )


def _unaudited(sender: Any) -> bool:
    """No row from the signals: inside :func:`unrecorded`, for the audit log itself, or for a model that records
    its own events (``AUDIT_CHANGES = False``)."""
    return (
        _quiet.get()
        or sender._meta.label_lower == "core.auditlog"
        or not getattr(sender, "AUDIT_CHANGES", True)
    )


def _on_save(
    sender: Any, instance: Any, created: bool, raw: bool = False, update_fields: Any = None, **_: Any
) -> None:
    if raw or _unaudited(sender):
        return
    if update_fields is not None and set(update_fields) == {"last_login"}:
        return  # Django's update of the last login: the login is recorded by :func:`_on_login`
    record("create" if created else "update", instance)


def _on_delete(sender: Any, instance: Any, **_: Any) -> None:
    if _unaudited(sender):
        return
    record("delete", instance)


def _on_login(sender: Any, request: Any, user: Any, **_: Any) -> None:
    """One ``login`` row per login (web form, admin, test client), by the user who logged in, with the client
    address; Django's own ``last_login`` update of the user writes no row."""
    from appwarden.platform.core.lockout import client_ip

    ip = client_ip(request) if request is not None else ""
    record("login", user, reason="登录 login", data={"username": user.get_username(), "ip": ip}, actor=user)


def connect_signals() -> None:
    """Connect the audit receivers to every model of the platform apps (and Django users)."""
    from django.apps import apps

    for label in PLATFORM_APPS:
        for model in apps.get_app_config(label).get_models():
            post_save.connect(_on_save, sender=model, dispatch_uid=f"audit-save-{model._meta.label_lower}")
            post_delete.connect(_on_delete, sender=model, dispatch_uid=f"audit-del-{model._meta.label_lower}")
    user_model = apps.get_model("auth", "User")
    post_save.connect(_on_save, sender=user_model, dispatch_uid="audit-save-user")
    post_delete.connect(_on_delete, sender=user_model, dispatch_uid="audit-del-user")
    user_logged_in.connect(_on_login, dispatch_uid="audit-login")
