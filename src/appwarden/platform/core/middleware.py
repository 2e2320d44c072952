"""Attribute changes made while handling a web request to the logged-in user."""

from __future__ import annotations

from appwarden.platform.core import audit


class AuditActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.acting_as(getattr(request, "user", None)):
            return self.get_response(request)


class UploadLimitMiddleware:
    """Refuse a request whose declared body is larger than the APK limit plus room for the side files (HTTP 413,
    one line), before Django reads it."""

    SLACK = 64 * 1024 * 1024  # policy, trace and form fields

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.http import JsonResponse

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.APPWARDEN_MAX_UPLOAD + self.SLACK
        if length > limit:
            message = f"file too large: the request is {length // (1024 * 1024)} MB, the limit is {limit // (1024 * 1024)} MB"
            return JsonResponse({"detail": message, "code": "upload"}, status=413)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """A body larger than the APK limit may hold a file over it: parse it here (through
        :class:`~appwarden.platform.core.uploadhandlers.LimitedUploadHandler`, which stops the upload at the limit)
        and answer 413 before the view runs when a file was refused; smaller bodies are left to the view."""
        from django.conf import settings

        from appwarden.platform.core.uploadhandlers import REFUSED_ATTR

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if (
            request.method not in ("POST", "PUT", "PATCH")
            or length <= settings.APPWARDEN_MAX_UPLOAD
            or not request.content_type.startswith("multipart/")
        ):
            return None
        try:
            request.FILES  # noqa: B018 - parses the body (the handlers stop an oversize file)
        except Exception:  # a malformed body: the view reports it as before
            return None
        message = getattr(request, REFUSED_ATTR, None)
        if not message:
            return None
        return upload_refused_response(request, message, status=413)


def upload_refused_response(request, message: str, *, status: int, headers: dict[str, str] | None = None):
    """A one-line refusal: JSON ``{"detail", "code"}`` for the API (``/api/``), plain text for the web pages."""
    from django.http import HttpResponse, JsonResponse

    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "upload"}, status=status)
    else:
        response = HttpResponse(message + "\n", content_type="text/plain; charset=utf-8", status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
