from django.urls import path

from appwarden.platform.enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("issue/<int:job_pk>/", views.issue, name="issue"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/<str:name>/", views.transition, name="transition"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/publish/", views.notice_publish, name="notice_publish"),
    path("notices/<int:pk>/export.<str:fmt>", views.notice_export, name="notice_export"),
    path("takedowns/", views.takedown_list, name="takedown_list"),
    path("takedowns/<int:pk>/confirm/", views.takedown_confirm, name="takedown_confirm"),
]
