from django.urls import path

from appwarden.platform.sanctions import views

app_name = "sanctions"
urlpatterns = [
    path("", views.sanction_list, name="list"),
    path("<int:pk>/", views.sanction_detail, name="detail"),
]
