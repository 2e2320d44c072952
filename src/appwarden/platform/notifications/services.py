"""Create notifications and deliver them (email through Django's mail backend, signed webhooks), with retries.

Contract:

* :func:`notify` creates at most one :class:`Notification` per ``dedupe_key`` (event + object + party), so a signal
  sent twice, a redelivered task or ``notify-deadlines`` run every hour never notify twice. It creates one email
  :class:`Delivery` (when the party has addresses for the event) and one webhook delivery per endpoint wanting the
  event, then dispatches them after the surrounding transaction commits.
* Dispatch follows ``APPWARDEN_NOTIFY_MODE`` (default: ``APPWARDEN_WORKER``): ``celery`` queues the
  ``appwarden.notify_deliver`` task; ``thread`` (``appwarden serve``) wakes the embedded worker, whose loop calls
  :func:`deliver_due`; ``eager`` delivers at once in the calling thread; ``none`` leaves it to :func:`deliver_due`.
* :func:`deliver` claims a due delivery (a lease on ``next_attempt_at``), tries once, logs a
  :class:`DeliveryAttempt` (status code, error, duration) and then marks it delivered, schedules the next try
  after ``APPWARDEN_NOTIFY_BACKOFF[attempts-1]`` seconds, or marks it failed after
  ``APPWARDEN_NOTIFY_MAX_ATTEMPTS`` tries or a non-retryable refusal (SSRF guard, redirect to another host).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.workdays import working_days_between
from appwarden.platform.notifications import events as ev
from appwarden.platform.notifications import signing, webhook
from appwarden.platform.notifications.models import (
    D_DELIVERED,
    D_FAILED,
    D_PENDING,
    Delivery,
    DeliveryAttempt,
    Notification,
)
from appwarden.platform.notifications.parties import (
    STAFF_P,
    Party,
    email_recipients,
    endpoints,
    party_name,
)

log = logging.getLogger(__name__)
LEASE_SECONDS = 120


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def base_url() -> str:
    return str(_setting("APPWARDEN_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def max_attempts() -> int:
    return max(1, int(_setting("APPWARDEN_NOTIFY_MAX_ATTEMPTS", 6)))


def backoff(attempt: int) -> int:
    """Seconds to wait after the ``attempt``-th failed try (1-based): the Django setting
    ``APPWARDEN_NOTIFY_BACKOFF`` (a list), else the environment variable of that name (comma list), else 30 s,
    2 min, 10 min, 1 h, 6 h; the last step repeats."""
    env = [int(x) for x in os.environ.get("APPWARDEN_NOTIFY_BACKOFF", "").split(",") if x.strip().isdigit()]
    steps = list(_setting("APPWARDEN_NOTIFY_BACKOFF", env or [30, 120, 600, 3600, 21600])) or [60]
    return int(steps[min(attempt, len(steps)) - 1])


# --- creating -------------------------------------------------------------------------------------------------------


def notify(
    event: str,
    party: Party,
    *,
    key: str,
    subject: str,
    body: str,
    data: dict[str, Any],
    obj: Any = None,
) -> Notification | None:
    """Create the notification ``key`` for ``party`` with its deliveries (see the module docstring); ``None`` when
    it exists already."""
    dedupe = f"{event}:{key}:{party.key}"[:200]
    payload = {
        "event": event,
        "event_label": ev.label(event),
        "party": {"kind": party.kind, "id": party.id, "name": party_name(party)},
        "data": data,
    }
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                event=event,
                dedupe_key=dedupe,
                # one line: app labels (the APK author's text) reach subjects, and a line break in a header makes
                # Django refuse the whole email (BadHeaderError), so it would never be sent
                subject=" ".join(subject.split())[:300],
                body=body,
                payload=payload,
                object_model=obj._meta.label_lower if obj is not None else "",
                object_id=str(getattr(obj, "pk", "") or ""),
                **party.fields(),
            )
            notification.payload = {
                "id": str(notification.uid),
                "created_at": notification.created_at.isoformat(),
                **payload,
            }
            notification.save(update_fields=["payload"])
            deliveries = []
            emails = email_recipients(party, event)
            if emails:
                deliveries.append(
                    Delivery.objects.create(notification=notification, channel="email", recipients=emails)
                )
            for endpoint in endpoints(party, event):
                deliveries.append(
                    Delivery.objects.create(
                        notification=notification, channel="webhook", endpoint=endpoint, url=endpoint.url
                    )
                )
    except IntegrityError:
        return None  # the same event for the same object and party was notified already
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: dispatch(ids))
    return notification


def dispatch(ids: list[int]) -> None:
    """Hand deliveries to the worker (see the module docstring for the modes)."""
    if not ids:
        return
    mode = _setting("APPWARDEN_NOTIFY_MODE", "") or settings.APPWARDEN_WORKER
    if mode == "celery":
        from appwarden.platform.notifications.tasks import deliver_task

        for pk in ids:
            deliver_task.delay(pk)
    elif mode == "eager":
        for pk in ids:
            deliver(pk)
    elif mode == "thread":
        from appwarden.platform.testing.worker import wake

        wake()


# --- delivering -----------------------------------------------------------------------------------------------------


def _claim(pk: int, *, force: bool = False) -> Delivery | None:
    now = timezone.now()
    qs = Delivery.objects.filter(pk=pk, status=D_PENDING)
    if not force:
        qs = qs.filter(next_attempt_at__lte=now)
    if not qs.update(next_attempt_at=now + dt.timedelta(seconds=LEASE_SECONDS)):
        return None
    return Delivery.objects.select_related("notification", "endpoint").get(pk=pk)


def webhook_body(notification: Notification, delivery: Delivery) -> bytes:
    """The JSON body POSTed for a delivery (the same bytes on every attempt)."""
    return json.dumps(
        {**notification.payload, "delivery": delivery.pk}, ensure_ascii=False, sort_keys=True
    ).encode("utf-8")


def _send_email(delivery: Delivery) -> webhook.Result:
    notification = delivery.notification
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=_setting("DEFAULT_FROM_EMAIL", "appwarden@localhost"),
        to=list(delivery.recipients),
        headers={"X-Appwarden-Event": notification.event, "X-Appwarden-Notification": str(notification.uid)},
    )
    try:
        sent = message.send(fail_silently=False)
    except Exception as exc:  # SMTP and backend errors: recorded, retried
        return webhook.Result(ok=False, error=f"{type(exc).__name__}: {str(exc)[:300]}")
    return webhook.Result(ok=bool(sent), error="" if sent else "邮件未发送 not sent")


def _send_webhook(delivery: Delivery) -> webhook.Result:
    endpoint = delivery.endpoint
    if endpoint is None or not endpoint.active:
        return webhook.Result(
            ok=False, error="回调地址已删除或停用 endpoint removed or inactive", retryable=False
        )
    body = webhook_body(delivery.notification, delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        signing.HEADER: signing.sign(endpoint.secret, body),
        "Appwarden-Event": delivery.notification.event,
        "Appwarden-Delivery": str(delivery.pk),
        "Appwarden-Notification": str(delivery.notification.uid),
    }
    return webhook.post(
        endpoint.url,
        body,
        headers,
        timeout=float(_setting("APPWARDEN_WEBHOOK_TIMEOUT", 10)),
        allow_private=bool(_setting("APPWARDEN_WEBHOOK_ALLOW_PRIVATE", False)),
    )


def deliver(pk: int, *, force: bool = False) -> str:
    """Try delivery ``pk`` once if it is due (``force``: even before its next attempt time); returns its status
    afterwards, or ``"skipped"`` when it was not due, finished or claimed by another worker."""
    delivery = _claim(pk, force=force)
    if delivery is None:
        return "skipped"
    result = _send_email(delivery) if delivery.channel == "email" else _send_webhook(delivery)
    now = timezone.now()
    DeliveryAttempt.objects.create(
        delivery=delivery,
        at=now,
        status_code=result.status_code,
        ok=result.ok,
        error=result.error[:500],
        duration_ms=result.duration_ms,
    )
    delivery.attempts += 1
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error[:500]
    retry_in: int | None = None
    if result.ok:
        delivery.status = D_DELIVERED
        delivery.delivered_at = now
    elif not result.retryable or delivery.attempts >= max_attempts():
        delivery.status = D_FAILED
    else:
        retry_in = backoff(delivery.attempts)
        delivery.next_attempt_at = now + dt.timedelta(seconds=retry_in)
    delivery.save(
        update_fields=[
            "attempts",
            "last_status_code",
            "last_error",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if (
        retry_in is not None
        and (_setting("APPWARDEN_NOTIFY_MODE", "") or settings.APPWARDEN_WORKER) == "celery"
    ):
        from appwarden.platform.notifications.tasks import deliver_task

        deliver_task.apply_async((delivery.pk,), countdown=retry_in)
    if not result.ok:
        log.warning("notification delivery %s (%s) failed: %s", delivery.pk, delivery.channel, result.error)
    return delivery.status


def deliver_due(limit: int = 100) -> int:
    """Try every due pending delivery (oldest first, at most ``limit``); returns how many were tried."""
    ids = list(
        Delivery.objects.filter(status=D_PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    return sum(1 for pk in ids if deliver(pk) != "skipped")


# --- events ---------------------------------------------------------------------------------------------------------


def _order_data(order: Any) -> dict[str, Any]:
    version = order.app_version
    return {
        "order": order.number,
        "order_id": order.pk,
        "state": order.state,
        "app": {"package": order.app.package, "name": order.app.name, "version": version.version_name},
        "company": {"id": order.company_id, "name": order.company.name if order.company_id else ""},
        "deadline": order.deadline.isoformat(),
        "working_days": order.working_days,
        "findings": order.findings.count(),
        "url": f"{base_url()}/enforcement/orders/{order.pk}/",
    }


def _app_text(data: dict[str, Any]) -> str:
    app = data["app"]
    return f"{app['name'] or app['package']}（{app['package']} {app['version']}）"


def order_issued(order: Any) -> Notification | None:
    """责令整改通知 issued → the order's company."""
    if not order.company_id:
        return None
    data = _order_data(order)
    subject = (
        f"【责令整改通知】{order.number} {order.app.name or order.app.package} Rectification order issued"
    )
    body = (
        f"贵单位的应用 {_app_text(data)} 经检测存在 {data['findings']} 项违规收集使用个人信息问题，"
        f"已下发责令整改通知 {order.number}。请于 {order.deadline:%Y-%m-%d} 前（{order.working_days} 个工作日）"
        f"完成整改并提交整改说明和整改后的安装包。\n\n"
        f"A rectification order {order.number} was issued for your app; answer by {order.deadline:%Y-%m-%d}.\n"
        f"{data['url']}\n"
    )
    return notify(
        ev.ORDER_ISSUED,
        Party(ev.COMPANY, order.company_id),
        key=f"order:{order.pk}",
        subject=subject,
        body=body,
        data=data,
        obj=order,
    )


def order_deadline_soon(order: Any, days_left: int) -> Notification | None:
    if not order.company_id:
        return None
    data = {**_order_data(order), "working_days_left": days_left}
    subject = f"【整改期限提醒】{order.number} 剩余 {days_left} 个工作日 Deadline in {days_left} working days"
    body = (
        f"责令整改通知 {order.number}（应用 {_app_text(data)}）的整改期限为 {order.deadline:%Y-%m-%d}，"
        f"剩余 {days_left} 个工作日，尚未收到贵单位的整改答复。逾期未答复的将依法予以通报。\n\n"
        f"The deadline of order {order.number} is {order.deadline:%Y-%m-%d} ({days_left} working days left); "
        f"no answer has been received yet.\n{data['url']}\n"
    )
    return notify(
        ev.ORDER_DEADLINE_SOON,
        Party(ev.COMPANY, order.company_id),
        key=f"order:{order.pk}:{order.deadline.isoformat()}",
        subject=subject,
        body=body,
        data=data,
        obj=order,
    )


def order_overdue(order: Any) -> list[Notification]:
    """逾期 → the company and the regulators."""
    data = _order_data(order)
    out = []
    subject = f"【整改逾期】{order.number} {order.app.name or order.app.package} Order overdue"
    body = (
        f"责令整改通知 {order.number}（应用 {_app_text(data)}，企业 {data['company']['name'] or '未登记'}）"
        f"的整改期限 {order.deadline:%Y-%m-%d} 已过，尚未收到整改答复。\n\n"
        f"Order {order.number} passed its deadline {order.deadline:%Y-%m-%d} without an answer.\n{data['url']}\n"
    )
    parties = ([Party(ev.COMPANY, order.company_id)] if order.company_id else []) + [STAFF_P]
    for party in parties:
        n = notify(
            ev.ORDER_OVERDUE,
            party,
            key=f"order:{order.pk}:{order.deadline.isoformat()}",
            subject=subject,
            body=body,
            data=data,
            obj=order,
        )
        if n is not None:
            out.append(n)
    return out


def takedown_ordered(takedown: Any) -> Notification | None:
    """下架通知 → the store of the takedown order. A case of a build of another signer (``order.foreign_build``) says
    so, with that build's signer and file, and that the app registered under the package name is not concerned:
    the store removes the build it submitted, not the genuine app."""
    order = takedown.order
    listing = takedown.listing
    version = order.app_version
    data: dict[str, Any] = {
        "takedown_id": takedown.pk,
        "order": order.number,
        "app": {
            "package": order.app.package,
            "name": order.app.name,
            "version": version.version_name,
        },
        "listing_url": listing.url if listing is not None else "",
        "store": {"id": takedown.store_id, "name": takedown.store.name},
        "url": f"{base_url()}/enforcement/takedowns/",
        "foreign_build": bool(order.foreign_build),
    }
    if order.foreign_build:
        signer = version.signer_sha256 or "无签名 unsigned"
        data["app"]["name"] = ""  # the registered app's name is not this build's
        data["build"] = {
            "kind": "仿冒/非该应用签名的构建 build of another signer",
            "sha256": version.sha256,
            "version": version.version_name,
            "label": version.label,
            "signer_sha256": version.signer_sha256,
            "signer_subject": version.signer_subject,
            "prelisting_check": takedown.prelisting_check_id,
        }
        subject = (
            f"【下架通知】{order.number} 仿冒/非该应用签名的构建 {order.app.package} "
            f"（签名 {signer[:16]}） Takedown of a build of another signer"
        )
        body = (
            f"请贵平台下架贵平台在上架前检测中提交的、仿冒/非该应用签名的构建：包名 {order.app.package}，"
            f"版本 {version.version_name or '—'}，文件 SHA-256 {version.sha256}，签名证书 SHA-256 {signer}"
            f"{'（' + version.signer_subject + '）' if version.signer_subject else ''}"
            f"（案件 {order.number}，上架前检测 #{takedown.prelisting_check_id or '—'}），并在平台上确认下架。"
            f"该构建的签名不是该包名已登记应用的签名，仅借用其包名；本通知不涉及该应用的正版构建及其上架。\n\n"
            f"Please take down the build of another signer you submitted (package {order.app.package}, "
            f"sha256 {version.sha256}, signer {signer}; case {order.number}) and confirm it on the platform. "
            f"It only carries the package name: the genuine app is not concerned.\n{data['url']}\n"
        )
    else:
        subject = f"【下架通知】{order.number} {order.app.name or order.app.package} Takedown ordered"
        body = (
            f"请贵平台下架应用 {_app_text(data)}（案件 {order.number}，上架链接 {data['listing_url'] or '—'}），"
            f"并在平台上确认下架。\n\n"
            f"Please take down the app {order.app.package} (case {order.number}) and confirm it on the platform.\n"
            f"{data['url']}\n"
        )
    return notify(
        ev.TAKEDOWN_ORDERED,
        Party(ev.STORE, takedown.store_id),
        key=f"takedown:{takedown.pk}",
        subject=subject,
        body=body,
        data=data,
        obj=takedown,
    )


VERDICT_ZH = {"pass": "通过 pass", "fail": "不通过 fail", "needs_review": "需人工复核 needs review"}


def prelisting_verdict(check: Any) -> Notification | None:
    """上架前检测结论 → the store that asked (sent when the check's scan job finished, done or failed)."""
    from appwarden.platform.prelisting.services import verdict

    result = verdict(check)
    outcome = result.get("verdict") or "failed"
    data = {
        "check": check.pk,
        "status": result.get("status"),
        "verdict": result.get("verdict"),
        "reasons": result.get("reasons", []),
        "findings": result.get("findings", {}),
        "notice_types": result.get("notice_types", []),
        "failure_kind": result.get("failure_kind", ""),
        "app": result.get("app", {}),
        "stop_access": result.get("stop_access"),
        "url": f"{base_url()}/api/prelisting/{check.pk}/",
    }
    label = VERDICT_ZH.get(outcome, "检测失败 scan failed")
    subject = f"【上架前检测】#{check.pk} {label} Pre-listing verdict"
    findings = data["findings"] or {}
    body = (
        f"上架前检测 #{check.pk}（{(data['app'] or {}).get('package', '') or check.job.file_name}）结论：{label}。\n"
        f"问题数 findings: {findings.get('total', 0)} {findings.get('by_severity', {})}\n"
        f"原因 reasons: {', '.join(data['reasons']) or '—'}\n"
        + (f"{data['stop_access']['message_zh']}\n" if data["stop_access"] else "")
        + f"{data['url']}\n"
    )
    return notify(
        ev.PRELISTING_VERDICT,
        Party(ev.STORE, check.store_id),
        key=f"prelisting:{check.pk}",
        subject=subject,
        body=body,
        data=data,
        obj=check,
    )


def complaint_forwarded(forward: Any) -> Notification | None:
    """投诉转办 → the company the complaint was forwarded to (``complaints.ComplaintForward``)."""
    company_id = getattr(forward, "company_id", None)
    if not company_id:
        return None
    app = getattr(forward, "app", None)
    deadline = getattr(forward, "deadline", None)
    data = {
        "forward": getattr(forward, "number", str(forward.pk)),
        "forward_id": forward.pk,
        "app": {"package": getattr(app, "package", ""), "name": getattr(app, "name", "")},
        "deadline": deadline.isoformat() if deadline else None,
        "instructions": getattr(forward, "instructions", ""),
        "url": f"{base_url()}/complaints/forwards/{forward.pk}/",
    }
    subject = (
        f"【投诉转办】{data['forward']} {data['app']['name'] or data['app']['package']} Complaint forwarded"
    )
    body = (
        f"用户关于贵单位应用 {data['app']['name'] or data['app']['package']}（{data['app']['package']}）的投诉已转办，"
        f"请于 {data['deadline'] or '规定期限'} 前答复。\n转办意见：{data['instructions']}\n\n"
        f"A complaint about your app was forwarded to you; answer by {data['deadline']}.\n{data['url']}\n"
    )
    return notify(
        ev.COMPLAINT_FORWARDED,
        Party(ev.COMPANY, company_id),
        key=f"forward:{forward.pk}",
        subject=subject,
        body=body,
        data=data,
        obj=forward,
    )


def sdk_order_issued(order: Any, vendor_id: int) -> Notification | None:
    """SDK 整改通知 → the SDK vendor (any model with a foreign key to ``registry.SdkVendor``)."""
    number = str(getattr(order, "number", "") or order.pk)
    deadline = getattr(order, "deadline", None)
    sdk_ids = getattr(order, "sdk_ids", None) or getattr(order, "sdk_id", None)
    data = {
        "order": number,
        "order_id": order.pk,
        "model": order._meta.label_lower,
        "sdk": sdk_ids,
        "deadline": deadline.isoformat() if hasattr(deadline, "isoformat") else None,
        "url": f"{base_url()}/my-sdk/orders/{order.pk}/",
    }
    subject = f"【SDK整改通知】{number} SDK rectification order issued"
    body = (
        f"贵单位的SDK（{sdk_ids or '—'}）经检测存在违规收集使用个人信息问题，已下发整改通知 {number}"
        f"{f'，请于 {deadline} 前完成整改并提交新版本SDK' if deadline else ''}。\n\n"
        f"An SDK rectification order {number} was issued to you.\n{data['url']}\n"
    )
    return notify(
        ev.SDK_ORDER_ISSUED,
        Party(ev.SDK_VENDOR, vendor_id),
        key=f"{order._meta.label_lower}:{order.pk}",
        subject=subject,
        body=body,
        data=data,
        obj=order,
    )


PING_INTERVAL = (
    60  # seconds between two test notifications of one party (each is an email and a POST per endpoint)
)


class PingThrottled(PlatformError):
    """A party asked for test notifications faster than one per ``PING_INTERVAL`` (HTTP 429 + Retry-After)."""

    code = "throttled"
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def ping(party: Party, user: Any = None) -> Notification | None:
    """A test notification to the party's endpoints and recipients (each ping is new; at most one per party every
    ``PING_INTERVAL`` seconds, else :class:`PingThrottled`: the addresses and URLs are the party's choice)."""
    now = timezone.now()
    last = (
        Notification.objects.filter(event=ev.PING, created_at__gt=now - dt.timedelta(seconds=PING_INTERVAL))
        .filter(**party.fields())
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is not None:
        wait = max(1, int(PING_INTERVAL - (now - last).total_seconds()) + 1)
        raise PingThrottled(
            f"测试通知发送过于频繁，请 {wait} 秒后再试 test notifications are limited to one a minute", wait
        )
    return notify(
        ev.PING,
        party,
        key=f"{now.isoformat()}:{getattr(user, 'pk', '')}",
        subject="【测试通知】appwarden Test notification",
        body="这是一条测试通知，说明通知设置可以送达。This is a test notification.\n",
        data={"sent_by": getattr(user, "username", ""), "at": now.isoformat()},
    )


# --- periodic: deadlines --------------------------------------------------------------------------------------------


def notify_deadlines(today: dt.date | None = None) -> dict[str, int]:
    """Orders still waiting for the company's answer (``issued``): deadline within
    ``APPWARDEN_DEADLINE_WARN_DAYS`` (3) working days → ``order.deadline_soon`` to the company; deadline passed
    → ``order.overdue`` to the company and the regulators. The same for SDK orders waiting for the vendor
    (``sdk_order.*``) and forwarded complaints waiting for the company (``complaint.*``). Each once per order and deadline; safe to run often
    (cron, Celery beat, the embedded worker). Returns the counts of new notifications."""
    from appwarden.platform.enforcement.models import ISSUED, RectificationOrder

    today = today or timezone.localdate()
    warn = int(_setting("APPWARDEN_DEADLINE_WARN_DAYS", 3))
    holidays = settings.APPWARDEN_HOLIDAYS
    counts = {"deadline_soon": 0, "overdue": 0}
    orders = RectificationOrder.objects.filter(state=ISSUED, working_days__gt=0).select_related(
        "app", "app_version", "company"
    )
    for order in orders:
        if order.deadline < today:
            counts["overdue"] += len(order_overdue(order))
            continue
        left = working_days_between(today, order.deadline, holidays)
        if left <= warn and order_deadline_soon(order, left) is not None:
            counts["deadline_soon"] += 1
    for item in _other_deadlines():
        if item["deadline"] < today:
            counts["overdue"] += _deadline_notice(item, None)
            continue
        left = working_days_between(today, item["deadline"], holidays)
        if left <= warn:
            counts["deadline_soon"] += _deadline_notice(item, left)
    return counts


def _other_deadlines() -> list[dict[str, Any]]:
    """SDK orders waiting for the vendor's answer and forwarded complaints waiting for the company's, when those
    models exist: ``{kind, obj, party, number, deadline, url, what}``."""
    from django.apps import apps

    items: list[dict[str, Any]] = []
    try:
        sdk_order = apps.get_model("enforcement", "SdkOrder")
    except LookupError:
        sdk_order = None
    if sdk_order is not None:
        for order in sdk_order.objects.filter(state="issued").select_related("vendor"):
            items.append(
                {
                    "kind": "sdk_order",
                    "obj": order,
                    "party": Party(ev.SDK_VENDOR, order.vendor_id),
                    "number": order.number,
                    "deadline": order.deadline,
                    "url": f"{base_url()}/my-sdk/orders/{order.pk}/",
                    "what": f"SDK整改通知 {order.number}（{order.vendor.name}）",
                }
            )
    try:
        forward = apps.get_model("complaints", "ComplaintForward")
        from appwarden.platform.complaints.models import WAITING_STATES
    except (LookupError, ImportError):
        forward = None
    if forward is not None:
        for fwd in forward.objects.filter(state__in=WAITING_STATES).select_related("app"):
            items.append(
                {
                    "kind": "complaint",
                    "obj": fwd,
                    "party": Party(ev.COMPANY, fwd.company_id),
                    "number": fwd.number,
                    "deadline": fwd.deadline,
                    "url": f"{base_url()}/complaints/forwards/{fwd.pk}/",
                    "what": f"投诉转办 {fwd.number}（应用 {fwd.app.name or fwd.app.package}）",
                }
            )
    return items


def _deadline_notice(item: dict[str, Any], left: int | None) -> int:
    """``<kind>.deadline_soon`` (``left`` working days) or, with ``left`` None, ``<kind>.overdue`` (to the party and
    the regulators); returns how many notifications were new."""
    deadline = item["deadline"]
    data = {"number": item["number"], "deadline": deadline.isoformat(), "url": item["url"]}
    if left is None:
        event = ev.SDK_ORDER_OVERDUE if item["kind"] == "sdk_order" else ev.COMPLAINT_OVERDUE
        subject = f"【已逾期】{item['number']} Overdue"
        body = f"{item['what']} 的答复期限 {deadline:%Y-%m-%d} 已过，尚未收到答复。\n\nOverdue since {deadline:%Y-%m-%d}.\n{item['url']}\n"
        parties = [item["party"], STAFF_P]
    else:
        event = ev.SDK_ORDER_DEADLINE_SOON if item["kind"] == "sdk_order" else ev.COMPLAINT_DEADLINE_SOON
        data["working_days_left"] = left
        subject = f"【期限提醒】{item['number']} 剩余 {left} 个工作日 Due in {left} working days"
        body = f"{item['what']} 的答复期限为 {deadline:%Y-%m-%d}，剩余 {left} 个工作日，请及时答复。\n\nDue {deadline:%Y-%m-%d}.\n{item['url']}\n"
        parties = [item["party"]]
    made = 0
    for party in parties:
        n = notify(
            event,
            party,
            key=f"{item['kind']}:{item['obj'].pk}:{deadline.isoformat()}",
            subject=subject,
            body=body,
            data=data,
            obj=item["obj"],
        )
        made += n is not None
    return made
