"""Login throttling and lockout, the same for the web login form and ``POST /api/token/``.

Policy (settings, from environment variables; documented in ``docs/platform.md``):

- counted per pair (username as typed, lower-cased; client address): the account need not exist, and another
  address is not locked out by an attacker's attempts;
- every login *begun* counts as an attempt before the password is checked, so parallel requests cannot slip past
  the limit; a successful login deletes the pair's counter;
- ``APPWARDEN_LOGIN_MAX_FAILURES`` (5) attempts that did not succeed within ``APPWARDEN_LOGIN_WINDOW_MINUTES``
  (15) lock the pair for ``APPWARDEN_LOGIN_LOCK_MINUTES`` (15): every login from that address for that username is
  refused with :class:`LockedOut` (HTTP 429, a Chinese-first one-line message) *without checking the password*,
  the right one included;
- the lock ends by itself after the lock time; a regulator ends it earlier with :func:`unlock` (``/users/<id>/``
  "解除登录锁定") or by resetting the password (``core/users.py``, also the ``platform-user`` command);
- a lock is written to the audit log (``login_locked``), an unlock too (``login_unlock``).

The client address is DRF's (``REMOTE_ADDR``, or with ``APPWARDEN_NUM_PROXIES`` set the address the proxies
report in ``X-Forwarded-For``), the same one the complaint throttle uses.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from appwarden.platform.core import audit
from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.models import LoginThrottle


class LockedOut(PlatformError):
    """Too many failed logins for this username from this address; ``minutes`` until the lock ends."""

    code = "locked"
    http_status = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(
            f"登录失败次数过多，该账户在此地址已锁定，请{minutes}分钟后再试或联系监管人员解锁 "
            f"too many failed logins: locked for {minutes} min (a regulator can unlock it)"
        )
        self.minutes = minutes


def client_ip(request: Any) -> str:
    """The client address the throttles use for ``request`` (a Django or DRF request)."""
    return (BaseThrottle().get_ident(request) or "unknown")[:64]


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def _limits() -> tuple[int, dt.timedelta, dt.timedelta]:
    return (
        max(1, settings.APPWARDEN_LOGIN_MAX_FAILURES),
        dt.timedelta(minutes=settings.APPWARDEN_LOGIN_WINDOW_MINUTES),
        dt.timedelta(minutes=settings.APPWARDEN_LOGIN_LOCK_MINUTES),
    )


def _minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def _row(username: str, ip: str, now: dt.datetime) -> LoginThrottle:
    """The pair's counter, locked for update (created at zero if missing)."""
    try:
        with transaction.atomic():
            row, _ = LoginThrottle.objects.select_for_update().get_or_create(
                username=username, ip=ip, defaults={"window_start": now}
            )
    except IntegrityError:  # created concurrently
        row = LoginThrottle.objects.select_for_update().get(username=username, ip=ip)
    return row


def purge_stale(now: dt.datetime | None = None) -> int:
    """Delete counters whose window and lock are both over (they would be reset on next use); return how many."""
    _limit, window, _lock = _limits()
    now = now or timezone.now()
    stale = LoginThrottle.objects.filter(window_start__lt=now - window).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )
    count, _ = stale.delete()
    return count


def begin(username: str, ip: str) -> None:
    """Count a login attempt for (``username``, ``ip``); raise :class:`LockedOut` if the pair is locked."""
    limit, window, lock = _limits()
    key, now = _key(username), timezone.now()
    if secrets.randbelow(100) == 0:  # keep the table small when many usernames are tried
        purge_stale(now)
    locked_minutes = 0
    with transaction.atomic():
        row = _row(key, ip, now)
        if row.locked_until is not None and row.locked_until > now:
            locked_minutes = _minutes_left(row.locked_until, now)
        else:
            if row.locked_until is not None or row.window_start + window <= now:
                row.attempts, row.window_start, row.locked_until = 0, now, None
            if row.attempts >= limit:  # attempts still in flight reached the limit
                row.locked_until = now + lock
                locked_minutes = _minutes_left(row.locked_until, now)
            else:
                row.attempts += 1
            row.save()
    if locked_minutes:
        raise LockedOut(locked_minutes)


def failed(username: str, ip: str) -> None:
    """The attempt counted by :func:`begin` failed: lock the pair (and raise :class:`LockedOut`) at the limit."""
    limit, _window, lock = _limits()
    key, now = _key(username), timezone.now()
    with transaction.atomic():
        row = LoginThrottle.objects.select_for_update().filter(username=key, ip=ip).first()
        if row is None or row.attempts < limit or row.locked_until is not None:
            return
        row.locked_until = now + lock
        row.save(update_fields=["locked_until"])
        audit.record(
            "login_locked",
            row,
            data={"username": key, "ip": ip, "attempts": row.attempts, "until": str(row.locked_until)},
        )
    raise LockedOut(_minutes_left(row.locked_until, now))


def succeeded(username: str, ip: str) -> None:
    """A login succeeded: forget the pair's counter."""
    LoginThrottle.objects.filter(username=_key(username), ip=ip).delete()


def login(request: Any, username: str, password: str) -> Any | None:
    """Authenticate ``username``/``password`` under the lockout policy.

    Returns the user, or ``None`` for wrong credentials or an inactive account; raises :class:`LockedOut` when
    the pair is locked (the password is then not checked) or this failure locks it.
    """
    ip = client_ip(request)
    begin(username, ip)
    user = authenticate(request, username=username, password=password)
    if user is None:
        failed(username, ip)
        return None
    succeeded(username, ip)
    return user


def locks_for(username: str) -> list[LoginThrottle]:
    """The addresses currently locked out for ``username``."""
    return list(
        LoginThrottle.objects.filter(username=_key(username), locked_until__gt=timezone.now()).order_by("ip")
    )


def unlock(username: str, *, actor: Any = None) -> int:
    """Clear every counter and lock of ``username`` (all addresses); return how many pairs were locked.

    Audited as ``login_unlock`` when a lock was lifted.
    """
    key = _key(username)
    locked = len(locks_for(key))
    LoginThrottle.objects.filter(username=key).delete()
    if locked:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username__iexact=key).first()
        if user is not None:
            audit.record("login_unlock", user, actor=actor, data={"username": key, "locked": locked})
    return locked
