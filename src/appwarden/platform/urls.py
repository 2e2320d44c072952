"""Root URLs: web pages, ``/api/`` (DRF + OpenAPI), login/logout."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from appwarden.platform.core.login import LoginView

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("appwarden.platform.api.urls")),
    path("registry/", include("appwarden.platform.registry.urls")),
    path("testing/", include("appwarden.platform.testing.urls")),
    path("enforcement/", include("appwarden.platform.enforcement.urls")),
    path("complaints/", include("appwarden.platform.complaints.urls")),
    path("attestations/", include("appwarden.platform.attestation.urls")),
    path("", include("appwarden.platform.portal.urls")),
    path("", include("appwarden.platform.selfcheck.urls")),
    path("sanctions/", include("appwarden.platform.sanctions.urls")),
    path("store/", include("appwarden.platform.prelisting.urls")),
    path("notifications/", include("appwarden.platform.notifications.urls")),
    path("", include("appwarden.platform.web.urls")),
]

handler400 = "appwarden.platform.core.views.bad_request"
handler403 = "appwarden.platform.core.views.permission_denied"
handler404 = "appwarden.platform.core.views.page_not_found"
handler500 = "appwarden.platform.core.views.server_error"
