from django.urls import path

from appwarden.platform.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("repeat-offenders/", views.repeat_offenders, name="repeat_offenders"),
    path("sdk-vendors/", views.sdk_vendors, name="sdk_vendors"),
    path("audit/", views.audit_log, name="audit"),
]
