from django.urls import include, path

from appwarden.platform.web import users, views, yearly_views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("repeat-offenders/", views.repeat_offenders, name="repeat_offenders"),
    path("early-warning/", views.early_warning, name="early_warning"),
    path(
        "early-warning/<int:version_pk>/takedown/",
        views.early_warning_takedown,
        name="early_warning_takedown",
    ),
    path("sdk-vendors/", views.sdk_vendors, name="sdk_vendors"),
    path("my-sdk/", views.my_sdk, name="my_sdk"),
    path("my-sdk/orders/", include("appwarden.platform.enforcement.sdk_urls")),  # SDK orders (issue #21.1)
    path("audit/", views.audit_log, name="audit"),
    path("stats/yearly/", yearly_views.yearly_page, name="yearly"),
    path("stats/yearly/export.<str:fmt>", yearly_views.yearly_export, name="yearly_export"),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_new, name="user_new"),
    path("users/<int:pk>/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", users.user_active, name="user_active"),
    path("users/<int:pk>/password/", users.user_password, name="user_password"),
    path("users/<int:pk>/unlock/", users.user_unlock, name="user_unlock"),
    path("users/<int:pk>/tokens/revoke/", users.user_tokens_revoke, name="user_tokens_revoke"),
]
