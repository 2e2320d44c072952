from django.urls import path

from appwarden.platform.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("endpoints/new/", views.endpoint_new, name="endpoint_new"),
    path(
        "endpoints/<int:pk>/<str:what>/",
        views.endpoint_action,
        name="endpoint_action",
    ),
    path("recipients/new/", views.recipient_new, name="recipient_new"),
    path("recipients/<int:pk>/<str:what>/", views.recipient_action, name="recipient_action"),
]
