from django.urls import path

from appwarden.platform.attestation import views

app_name = "attestation"
urlpatterns = [path("store/", views.store_status, name="store")]
