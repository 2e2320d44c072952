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


def staff_or_404(*roles: str) -> Callable:
    """Login required; a view of one object (by id) that only ``roles`` (staff) may open: every other role gets
    404 whether the object exists or not, as :func:`get_scoped` answers for an object the user may not see (no
    existence oracle; a 403 would be a different answer from the 404 of the same id on the shared views)."""

    def deco(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if role_of(request.user) not in roles:
                raise Http404("not found")
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


# --- error pages: one Chinese line (with the status), never Django's English defaults ----------------------------

ERROR_LINES = {
    400: "400 请求不正确",
    403: "403 无权访问：您的角色不能打开此页面或执行此操作",
    404: "404 未找到：该页面或对象不存在，或您无权查看",
    405: "405 仅接受 POST 请求：请使用页面上的按钮",
    500: "500 服务器内部错误，请稍后重试",
}


def error_page(status: int) -> HttpResponse:
    """A plain page with the status's Chinese line (no template, no database: safe for 500 too)."""
    from django.utils.html import escape

    line = escape(ERROR_LINES[status])
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>'
        f'{line}</title></head><body><h1>{line}</h1><p><a href="/">返回首页</a></p></body></html>'
    )
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


# why Django refused a request before any view ran (its SuspiciousOperation subclasses), for the API's JSON answer
REFUSED_REQUESTS = {
    "TooManyFilesSent": "请求中的文件过多（最多 {n} 个） too many files in one request",
    "TooManyFieldsSent": "请求中的字段过多（最多 {n} 个） too many fields in one request",
    "RequestDataTooBig": "请求体过大（表单/JSON 内容最多 {mb} MB） request body too large",
}


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """The 400 page; on the API a one-line JSON ``detail`` (naming Django's request limit when one was hit)."""
    if not request.path.startswith("/api/"):
        return error_page(400)
    from django.conf import settings
    from django.http import JsonResponse

    line = REFUSED_REQUESTS.get(type(exception).__name__, ERROR_LINES[400])
    n = settings.DATA_UPLOAD_MAX_NUMBER_FILES
    if type(exception).__name__ == "TooManyFieldsSent":
        n = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    mb = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) // (1024 * 1024)
    return JsonResponse({"detail": line.format(n=n, mb=mb), "code": "bad_request"}, status=400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(500)


def post_only(view: Callable) -> Callable:
    """Like Django's ``require_POST``, with the Chinese 405 page instead of an empty body."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            resp = error_page(405)
            resp["Allow"] = "POST"
            return resp
        return view(request, *args, **kwargs)

    return wrapper
