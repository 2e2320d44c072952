from django.urls import path

from appwarden.platform.selfcheck import views

app_name = "selfcheck"
urlpatterns = [
    path("my/selfcheck/", views.my_list, name="my_list"),
    path("my/selfcheck/<int:pk>/", views.my_detail, name="my_detail"),
    path("my/selfcheck/<int:pk>/report.<str:fmt>", views.my_report, name="my_report"),
    path("selfcheck/", views.staff_counts, name="staff_counts"),
]
