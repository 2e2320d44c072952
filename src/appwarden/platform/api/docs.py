"""Swagger UI for the API at ``/api/docs/``, working offline.

The Swagger UI JavaScript/CSS come from the ``drf-spectacular-sidecar`` package (the ``platform`` extra) and are
served by this module under ``/api/docs/assets/`` — no CDN, and no dependence on Django's staticfiles app (the
embedded ``serve`` has none). Login is required like for the schema (``SERVE_PERMISSIONS``). Without the sidecar
package the asset URLs answer 404 and the page says so in the browser console only; the schema at
``/api/schema/`` works either way.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.views.static import serve
from drf_spectacular.views import SpectacularSwaggerView

ASSETS_URL = "/api/docs/assets/swagger-ui-dist"


def sidecar_dir() -> Path | None:
    """The sidecar's ``swagger-ui-dist`` directory, or ``None`` when the package is not installed."""
    try:
        import drf_spectacular_sidecar
    except ImportError:
        return None
    path = (
        Path(drf_spectacular_sidecar.__file__).parent
        / "static"
        / "drf_spectacular_sidecar"
        / "swagger-ui-dist"
    )
    return path if path.is_dir() else None


class SwaggerView(SpectacularSwaggerView):
    """drf-spectacular's Swagger UI page with its assets served locally (see the module docstring)."""

    @staticmethod
    def _swagger_ui_resource(filename: str) -> str:
        return f"{ASSETS_URL}/{filename}"

    @staticmethod
    def _swagger_ui_favicon() -> str:
        return f"{ASSETS_URL}/favicon-32x32.png"


def swagger_asset(request: HttpRequest, path: str) -> HttpResponse:
    """One file of the sidecar's Swagger UI distribution (``serve`` refuses paths leaving the directory)."""
    root = sidecar_dir()
    if root is None:
        raise Http404("drf-spectacular-sidecar is not installed")
    try:
        return serve(request, path, document_root=str(root))
    except SuspiciousFileOperation:
        raise Http404("not found") from None
