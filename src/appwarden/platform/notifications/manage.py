"""Managing a party's webhook endpoints and email recipients (one set of rules for the web page and the API).

* Each party manages its own rows; regulators may also change (e.g. deactivate or delete) any party's rows;
  reviewers only the staff party's. Rows outside the user's scope are not found (404), a visible row the user may
  not change is :class:`~appwarden.platform.core.errors.RoleError` (403).
* A webhook URL must be ``http(s)``, without credentials, and (unless ``APPWARDEN_WEBHOOK_ALLOW_PRIVATE``) resolve
  only to public addresses; events must be ones the party can receive. Errors are one line, Chinese first
  (:class:`NotifySettingsError`, HTTP 400).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from appwarden.platform.core import audit
from appwarden.platform.core.errors import PlatformError, RoleError
from appwarden.platform.core.models import ROLE_REGULATOR
from appwarden.platform.core.roles import role_of
from appwarden.platform.notifications import events as ev
from appwarden.platform.notifications import webhook
from appwarden.platform.notifications.models import EmailRecipient, Endpoint, new_secret
from appwarden.platform.notifications.parties import Party, party_of, row_party


class NotifySettingsError(PlatformError):
    code = "notify_settings"


def require_party(user: Any) -> Party:
    party = party_of(user)
    if party is None:
        raise RoleError("该账号未绑定企业、商店或SDK厂商 this account acts for no party")
    return party


def check_can_change(user: Any, row: Any) -> None:
    """Raise RoleError unless ``user`` may change ``row`` (its own party's, or a regulator)."""
    if role_of(user) == ROLE_REGULATOR:
        return
    party = party_of(user)
    if party is None or party != row_party(row):
        raise RoleError("只能修改本单位的通知设置 you can only change your own party's notification settings")


def clean_events(party: Party, events: Any) -> list[str]:
    allowed = {name for name, _ in ev.events_for(party.kind)}
    if events in (None, ""):
        return []
    if isinstance(events, str):
        events = [e for e in events.replace(" ", ",").split(",") if e]
    if not isinstance(events, list | tuple):
        raise NotifySettingsError("事件列表格式错误 events must be a list")
    bad = [str(e) for e in events if e not in allowed]
    if bad:
        raise NotifySettingsError(
            f"未知或不适用的事件 unknown event(s) for this party: {', '.join(bad)[:200]}; "
            f"可选 allowed: {', '.join(sorted(allowed))}"
        )
    return sorted(set(events))


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 500:
        raise NotifySettingsError("回调地址过长 the URL is longer than 500 characters")
    try:
        webhook.validate(url, allow_private=bool(getattr(settings, "APPWARDEN_WEBHOOK_ALLOW_PRIVATE", False)))
    except webhook.UrlRefused as exc:
        raise NotifySettingsError(str(exc)) from None
    return url


# per party: the addresses and URLs are the party's own choice, and each notification goes to all of them
MAX_RECIPIENTS = 50
MAX_ENDPOINTS = 20


def _check_room(model: Any, party: Party, limit: int, what: str) -> None:
    if model.objects.filter(**party.fields()).count() >= limit:
        raise NotifySettingsError(f"每个单位最多 {limit} 个{what}，请先删除不用的 at most {limit} per party")


def create_endpoint(user: Any, *, url: str, events: Any = None, description: str = "") -> Endpoint:
    party = require_party(user)
    _check_room(Endpoint, party, MAX_ENDPOINTS, "回调地址")
    with audit.acting_as(user):
        return Endpoint.objects.create(
            url=clean_url(url),
            events=clean_events(party, events),
            description=(description or "")[:200],
            created_by=user,
            **party.fields(),
        )


def update_endpoint(user: Any, endpoint: Endpoint, **changes: Any) -> Endpoint:
    check_can_change(user, endpoint)
    party = row_party(endpoint)
    if "url" in changes:
        endpoint.url = clean_url(changes["url"])
    if "events" in changes:
        endpoint.events = clean_events(party, changes["events"])
    if "description" in changes:
        endpoint.description = (changes["description"] or "")[:200]
    if "active" in changes:
        endpoint.active = bool(changes["active"])
    with audit.acting_as(user):
        endpoint.save()
    return endpoint


def rotate_secret(user: Any, endpoint: Endpoint) -> str:
    check_can_change(user, endpoint)
    endpoint.secret = new_secret()
    with audit.acting_as(user, "rotate webhook secret"):
        endpoint.save(update_fields=["secret"])
    return endpoint.secret


def delete_row(user: Any, row: Any) -> None:
    check_can_change(user, row)
    with audit.acting_as(user):
        row.delete()


def create_recipient(user: Any, *, email: str, events: Any = None) -> EmailRecipient:
    party = require_party(user)
    email = (email or "").strip()
    try:
        EmailValidator()(email)
    except ValidationError:
        raise NotifySettingsError(f"邮箱地址无效 invalid email address: {email[:100]!r}") from None
    if EmailRecipient.objects.filter(email__iexact=email, **party.fields()).exists():
        raise NotifySettingsError(f"该邮箱已添加 {email} is already a recipient")
    _check_room(EmailRecipient, party, MAX_RECIPIENTS, "接收邮箱")
    with audit.acting_as(user):
        return EmailRecipient.objects.create(
            email=email, events=clean_events(party, events), created_by=user, **party.fields()
        )


def update_recipient(user: Any, recipient: EmailRecipient, **changes: Any) -> EmailRecipient:
    check_can_change(user, recipient)
    party = row_party(recipient)
    if "events" in changes:
        recipient.events = clean_events(party, changes["events"])
    if "active" in changes:
        recipient.active = bool(changes["active"])
    with audit.acting_as(user):
        recipient.save()
    return recipient
