from django.urls import path

from appwarden.platform.enforcement import sdk_views, views

app_name = "enforcement"
urlpatterns = [
    path("issue/<int:job_pk>/", views.issue, name="issue"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/<str:name>/", views.transition, name="transition"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/publish/", views.notice_publish, name="notice_publish"),
    path("notices/<int:pk>/items/<int:item_pk>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("notices/<int:pk>/export.<str:fmt>", views.notice_export, name="notice_export"),
    path("takedowns/", views.takedown_list, name="takedown_list"),
    path("takedowns/<int:pk>/confirm/", views.takedown_confirm, name="takedown_confirm"),
    # orders to SDK vendors (issue #21.1); the vendor's own pages are /my-sdk/orders/ (sdk_urls.py)
    path("sdk-orders/", sdk_views.sdk_order_list, name="sdk_order_list"),
    path("sdk-orders/new/", sdk_views.sdk_order_new, name="sdk_order_new"),
    path("sdk-orders/<int:pk>/", sdk_views.sdk_order_detail, name="sdk_order_detail"),
    path("sdk-orders/<int:pk>/<str:name>/", sdk_views.sdk_order_transition, name="sdk_order_transition"),
]
