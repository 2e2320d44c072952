"""Company portal routes, mounted at the site root: ``/my/...`` pages and ``/documents/...`` PDFs."""

from django.urls import path

from appwarden.platform.complaints import views as complaint_views
from appwarden.platform.portal import views

app_name = "portal"
urlpatterns = [
    path("my/notices/", views.my_notices, name="my_notices"),
    path("my/complaints/", complaint_views.my_complaints, name="my_complaints"),
    path("documents/orders/<int:pk>/pdf/", views.order_pdf, name="order_pdf"),
]
