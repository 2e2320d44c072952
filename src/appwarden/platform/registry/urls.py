from django.urls import path

from appwarden.platform.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.app_list, name="index"),
    path("companies/", views.company_list, name="company_list"),
    path("companies/<int:pk>/", views.company_detail, name="company_detail"),
    path("apps/", views.app_list, name="app_list"),
    path("apps/<int:pk>/", views.app_detail, name="app_detail"),
    path("versions/<int:pk>/signer/", views.version_signer, name="version_signer"),
    path("stores/", views.store_list, name="store_list"),
    path("stores/<int:pk>/", views.store_detail, name="store_detail"),
    path("listings/<int:pk>/activate/", views.listing_activate, name="listing_activate"),
    path("new/<str:kind>/", views.create, name="create"),
]
