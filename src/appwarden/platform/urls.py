"""Root URLs: web pages, ``/api/`` (DRF + OpenAPI), login/logout."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include("appwarden.platform.api.urls")),
    path("registry/", include("appwarden.platform.registry.urls")),
    path("testing/", include("appwarden.platform.testing.urls")),
    path("enforcement/", include("appwarden.platform.enforcement.urls")),
    path("complaints/", include("appwarden.platform.complaints.urls")),
    path("", include("appwarden.platform.web.urls")),
]
