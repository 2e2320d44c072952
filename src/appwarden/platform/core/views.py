"""Helpers shared by the server-rendered views: role checks, scoped lookups, one-line error messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from appwarden.errors import AppwardenError
from appwarden.platform.core.roles import role_of, scoped


def role_required(*roles: str) -> Callable:
    """Login required, and (when ``roles`` given) one of these roles; otherwise 403."""

    def deco(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if roles and role_of(request.user) not in roles:
                raise PermissionDenied("your role cannot open this page")
            return view(request, *args, **kwargs)

        return wrapper

    return deco


def get_scoped(model: Any, user: Any, **lookup: Any) -> Any:
    """The object matching ``lookup`` if the user may see it, else 404 (never reveals existence)."""
    obj = scoped(model.objects.all(), user).filter(**lookup).first()
    if obj is None:
        raise Http404("not found")
    return obj


def safe_next(request: HttpRequest, target: str | None, default: str) -> str:
    """``target`` when it is a local URL of this site, else ``default`` (no open redirects)."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def attempt(request: HttpRequest, action: Callable[[], Any], success: str, back: str) -> HttpResponse:
    """Run ``action``; flash ``success`` or the one-line AppwardenError message; redirect to ``back``."""
    try:
        action()
    except AppwardenError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect(back)
