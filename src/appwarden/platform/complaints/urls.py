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
    path("<int:pk>/forward/", views.complaint_forward, name="complaint_forward"),
    path("forwards/", views.forward_list, name="forward_list"),
    path("forwards/<int:pk>/", views.forward_detail, name="forward_detail"),
    path("forwards/<int:pk>/answer/", views.forward_answer, name="forward_answer"),
    path("forwards/<int:pk>/decide/", views.forward_decide, name="forward_decide"),
    path(
        "forwards/<int:pk>/answers/<int:answer_id>/attachment/",
        views.forward_attachment,
        name="forward_attachment",
    ),
    path("forwards/<int:pk>/pdf/", views.forward_pdf, name="forward_pdf"),
]
