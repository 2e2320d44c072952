"""``/notifications/`` 通知设置: a party's webhook endpoints and email recipients, and what was sent to it.

Every logged-in user acting for a party (company, store, SDK vendor; regulators and reviewers as the staff party)
manages its own rows here; regulators also see every party's endpoints and recipients (read only on this page,
changes through the API). A new or rotated secret is shown once, in the answer to that POST (never stored in a
flash message or cookie). All forms are CSRF-protected POSTs; a row outside the user's scope is 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from appwarden.errors import AppwardenError
from appwarden.platform.core import audit
from appwarden.platform.core.errors import RoleError
from appwarden.platform.core.models import ROLE_REGULATOR
from appwarden.platform.core.roles import role_of
from appwarden.platform.notifications import events as ev
from appwarden.platform.notifications import manage, services
from appwarden.platform.notifications.models import EmailRecipient, Endpoint, Notification
from appwarden.platform.notifications.parties import (
    fallback_emails,
    party_name,
    party_of,
    party_scoped,
    row_party,
)


def _party_or_404(request) -> Any:
    party = party_of(request.user)
    if party is None:
        raise Http404("not found")
    audit.set_actor(request.user)
    return party


def _context(request, party, **extra: Any) -> dict[str, Any]:
    own = party.fields()
    endpoints = Endpoint.objects.filter(**own)
    recipients = EmailRecipient.objects.filter(**own)
    context = {
        "party": party,
        "party_name": party_name(party),
        "events": ev.events_for(party.kind),
        "endpoints": endpoints,
        "recipients": recipients,
        "fallback": fallback_emails(party) if not recipients.exists() else [],
        "notifications": party_scoped(Notification.objects.filter(**own), request.user).prefetch_related(
            "deliveries__log"
        )[:50],
        "retention": _retention(),
        **extra,
    }
    if role_of(request.user) == ROLE_REGULATOR:
        context["all_endpoints"] = Endpoint.objects.exclude(**own).select_related(
            "company", "store", "sdk_vendor"
        )[:200]
        context["all_recipients"] = EmailRecipient.objects.exclude(**own).select_related(
            "company", "store", "sdk_vendor"
        )[:200]
    return context


def _retention() -> dict[str, Any] | None:
    """The delivery-log retention for the page: days kept and the cut-off before which a notification's
    deliveries may have been pruned (``None`` when a setting is invalid: the page still renders)."""
    import datetime as dt

    from django.utils import timezone

    from appwarden.platform.notifications.retention import RetentionError, retention_days

    try:
        delivered, failed = retention_days()
    except RetentionError:
        return None
    shortest = min(d for d in (delivered, failed, 0) if d) if (delivered or failed) else 0
    cutoff = timezone.now() - dt.timedelta(days=shortest) if shortest else None
    return {"delivered": delivered, "failed": failed, "cutoff": cutoff}


@login_required
def settings_page(request):
    party = _party_or_404(request)
    return render(request, "notifications/settings.html", _context(request, party))


def _fail(request, party, exc: AppwardenError):
    messages.error(request, str(exc))
    status = getattr(exc, "http_status", 400)
    return render(request, "notifications/settings.html", _context(request, party), status=status)


@login_required
@require_POST
def endpoint_new(request):
    party = _party_or_404(request)
    try:
        endpoint = manage.create_endpoint(
            request.user,
            url=request.POST.get("url", ""),
            events=request.POST.getlist("events"),
            description=request.POST.get("description", ""),
        )
    except AppwardenError as exc:
        return _fail(request, party, exc)
    messages.success(request, f"已添加回调地址 webhook added: {endpoint.url}")
    return render(request, "notifications/settings.html", _context(request, party, new_secret=endpoint))


def _own(request, model, pk: int) -> Any:
    row = party_scoped(model.objects.all(), request.user).filter(pk=pk).first()
    if row is None:
        raise Http404("not found")
    try:
        manage.check_can_change(request.user, row)
    except RoleError as exc:
        raise PermissionDenied(str(exc)) from None
    return row


@login_required
@require_POST
def endpoint_action(request, pk: int, what: str):
    party = _party_or_404(request)
    endpoint = _own(request, Endpoint, pk)
    try:
        if what == "rotate":
            manage.rotate_secret(request.user, endpoint)
            messages.success(request, "已更换签名密钥 secret rotated")
            return render(
                request, "notifications/settings.html", _context(request, party, new_secret=endpoint)
            )
        if what == "toggle":
            manage.update_endpoint(request.user, endpoint, active=not endpoint.active)
            messages.success(request, "已启用 enabled" if endpoint.active else "已停用 disabled")
        elif what == "delete":
            manage.delete_row(request.user, endpoint)
            messages.success(request, "已删除 deleted")
        elif what == "ping":
            services.ping(row_party(endpoint), request.user)
            messages.success(request, "已发送测试通知 test notification queued")
        else:
            raise Http404("not found")
    except AppwardenError as exc:
        return _fail(request, party, exc)
    return redirect("notifications:settings")


@login_required
@require_POST
def recipient_new(request):
    party = _party_or_404(request)
    try:
        row = manage.create_recipient(
            request.user, email=request.POST.get("email", ""), events=request.POST.getlist("events")
        )
    except AppwardenError as exc:
        return _fail(request, party, exc)
    messages.success(request, f"已添加邮箱 recipient added: {row.email}")
    return redirect("notifications:settings")


@login_required
@require_POST
def recipient_action(request, pk: int, what: str):
    party = _party_or_404(request)
    row = _own(request, EmailRecipient, pk)
    try:
        if what == "toggle":
            manage.update_recipient(request.user, row, active=not row.active)
        elif what == "delete":
            manage.delete_row(request.user, row)
        else:
            raise Http404("not found")
    except AppwardenError as exc:
        return _fail(request, party, exc)
    messages.success(request, "已保存 saved")
    return redirect("notifications:settings")
