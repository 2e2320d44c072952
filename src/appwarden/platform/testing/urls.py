from django.urls import path

from appwarden.platform.testing import views

app_name = "testing"
urlpatterns = [
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("upload/", views.upload, name="upload"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/screening-review/", views.screening_review_post, name="screening_review"),
    path("jobs/<int:pk>/report.<str:fmt>", views.job_report, name="job_report"),
    path("findings/", views.review_queue, name="review_queue"),
    path("findings/bulk/", views.bulk_review, name="bulk_review"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/review/", views.review, name="review"),
]
