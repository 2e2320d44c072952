"""Attribute changes made while handling a web request to the logged-in user."""

from __future__ import annotations

from appwarden.platform.core import audit


class AuditActorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.acting_as(getattr(request, "user", None)):
            return self.get_response(request)
