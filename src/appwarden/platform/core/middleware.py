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
