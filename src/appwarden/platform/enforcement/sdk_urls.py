"""The SDK vendor's own order pages, mounted at ``/my-sdk/orders/`` (issue #21.1)."""

from django.urls import path

from appwarden.platform.enforcement import sdk_views

app_name = "my_sdk_orders"
urlpatterns = [
    path("", sdk_views.my_sdk_order_list, name="list"),
    path("<int:pk>/", sdk_views.my_sdk_order_detail, name="detail"),
    path("<int:pk>/<str:name>/", sdk_views.sdk_order_transition, name="transition"),
]
