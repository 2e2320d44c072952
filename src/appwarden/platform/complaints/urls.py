from django.urls import path

from appwarden.platform.complaints import views

app_name = "complaints"
urlpatterns = [
    path("new/", views.public_new, name="public_new"),
    path("status/", views.public_status, name="public_status"),
    path("", views.complaint_list, name="complaint_list"),
    path("<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("<int:pk>/triage/", views.complaint_triage, name="complaint_triage"),
    path("<int:pk>/scan/", views.complaint_scan, name="complaint_scan"),
]
