"""Registry REST API: serializers and viewsets (staff write, everyone reads within their scope)."""

from __future__ import annotations

from rest_framework import serializers

from appwarden.platform.core.api import ScopedModelViewSet, StaffWriteOrReadOnly
from appwarden.platform.registry.models import (
    App,
    AppVersion,
    Company,
    Contact,
    SdkVendor,
    Store,
    StoreListing,
)


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "company", "name", "title", "phone", "email"]


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "credit_code", "address", "website", "created_at"]


class SdkVendorSerializer(serializers.ModelSerializer):
    sdk_ids = serializers.ListField(child=serializers.CharField(max_length=100), required=False)

    class Meta:
        model = SdkVendor
        fields = ["id", "name", "company", "sdk_ids", "contact_email"]


class AppSerializer(serializers.ModelSerializer):
    class Meta:
        model = App
        fields = ["id", "package", "name", "company", "created_at"]

    def validate_package(self, value: str) -> str:
        """The package name of an app with a scanned build is a fact of its APKs (a rectified APK is checked
        against it, ``enforcement.identity``): it cannot be renamed; an app without builds may be corrected."""
        app = self.instance
        if app is not None and value != app.package and app.versions.exists():
            raise serializers.ValidationError(
                "该应用已有检测版本，包名不可修改 the app has scanned builds: its package name cannot change"
            )
        return value


class AppVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppVersion
        fields = [
            "id",
            "app",
            "sha256",
            "version_name",
            "version_code",
            "label",
            "signer_subject",
            "signer_sha256",
            "signer_relation",
            "size",
            "first_seen",
        ]
        read_only_fields = fields


class StoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Store
        fields = ["id", "name", "website", "contact_email"]


class StoreListingSerializer(serializers.ModelSerializer):
    class Meta:
        model = StoreListing
        fields = ["id", "store", "app", "url", "active", "listed_at"]

    def validate(self, attrs):
        """A 停止接入 measure in force refuses a new active listing of its company's app in a store it bars, or
        making one active again (409 naming the measure; ``sanctions.services.check_listing``)."""
        from appwarden.platform.sanctions.services import check_listing

        instance = self.instance
        app = attrs.get("app", getattr(instance, "app", None))
        store = attrs.get("store", getattr(instance, "store", None))
        active = attrs.get("active", getattr(instance, "active", True))
        was_on_sale = (
            instance is not None and instance.active and (instance.app, instance.store) == (app, store)
        )
        if active and not was_on_sale:
            request = self.context.get("request")
            check_listing(app, store, user=getattr(request, "user", None), via="api")
        return attrs


class _Base(ScopedModelViewSet):
    permission_classes = [StaffWriteOrReadOnly]


class CompanyViewSet(_Base):
    queryset = Company.objects.all()
    serializer_class = CompanySerializer
    filterset_fields = ["credit_code", "name"]


class ContactViewSet(_Base):
    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filterset_fields = ["company"]


class SdkVendorViewSet(_Base):
    queryset = SdkVendor.objects.all()
    serializer_class = SdkVendorSerializer
    filterset_fields = ["name", "company"]


class AppViewSet(_Base):
    queryset = App.objects.all()
    serializer_class = AppSerializer
    filterset_fields = ["package", "company"]


class AppVersionViewSet(ScopedModelViewSet):
    http_method_names = ["get", "head", "options"]
    queryset = AppVersion.objects.select_related("app")
    serializer_class = AppVersionSerializer
    filterset_fields = {"app": "app", "sha256": "sha256", "package": "app__package"}


class StoreViewSet(_Base):
    queryset = Store.objects.all()
    serializer_class = StoreSerializer
    filterset_fields = ["name"]


class StoreListingViewSet(_Base):
    queryset = StoreListing.objects.select_related("store", "app")
    serializer_class = StoreListingSerializer
    filterset_fields = ["store", "app", "active"]


ROUTES = [
    ("companies", CompanyViewSet),
    ("contacts", ContactViewSet),
    ("sdk-vendors", SdkVendorViewSet),
    ("apps", AppViewSet),
    ("app-versions", AppVersionViewSet),
    ("stores", StoreViewSet),
    ("listings", StoreListingViewSet),
]
