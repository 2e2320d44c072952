from django.urls import path

from appwarden.platform.prelisting import views

app_name = "prelisting"
urlpatterns = [path("prelisting/", views.store_prelisting, name="store")]
