"""Complaints REST API: the public intake/status endpoints (no login) and the staff triage endpoints."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from appwarden.platform.complaints import services
from appwarden.platform.complaints.models import PRIORITY, STATUS, Complaint
from appwarden.platform.core.api import ScopedReadOnlyViewSet
from appwarden.platform.registry.models import App
from appwarden.platform.testing.api import ScanJobSerializer


class PublicComplaintSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = [
            "tracking_number",
            "app_name",
            "package",
            "store_name",
            "category",
            "description",
            "reporter_name",
            "reporter_contact",
            "status",
            "created_at",
        ]
        read_only_fields = ["tracking_number", "status", "created_at"]


class PublicStatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = ["tracking_number", "app_name", "status", "created_at", "updated_at"]


class ComplaintSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = [
            "id",
            "tracking_number",
            "app_name",
            "package",
            "store_name",
            "category",
            "description",
            "reporter_name",
            "reporter_contact",
            "status",
            "priority",
            "assignee",
            "triage_note",
            "app",
            "job",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TriageSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUS)
    note = serializers.CharField(max_length=5000)
    priority = serializers.ChoiceField(choices=PRIORITY, required=False)
    app = serializers.PrimaryKeyRelatedField(queryset=App.objects.all(), required=False, allow_null=True)


class OpenScanSerializer(serializers.Serializer):
    apk = serializers.FileField(required=False, help_text="APK to test; else the latest stored version")


class PublicThrottle(SimpleRateThrottle):
    """30 requests an hour per client address, shared by the public intake and status lookup, API and web pages
    alike (``complaints/views.py`` applies it too), logged in or not. Counts live in the default cache."""

    scope = "public_complaints"
    rate = "30/hour"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicComplaintCreate(generics.CreateAPIView):
    """Public intake (no login): returns the tracking number. The only write endpoint open to anonymous users."""

    serializer_class = PublicComplaintSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]


class PublicComplaintStatus(generics.RetrieveAPIView):
    """Public status lookup by tracking number (status only, no personal data)."""

    serializer_class = PublicStatusSerializer
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]
    lookup_field = "tracking_number"
    queryset = Complaint.objects.all()


class ComplaintViewSet(ScopedReadOnlyViewSet):
    """Complaints for staff: triage and open a scan."""

    queryset = Complaint.objects.all()
    serializer_class = ComplaintSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["status", "category", "priority", "tracking_number"]

    @extend_schema(request=TriageSerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        complaint = self.get_object()
        req = TriageSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        d = req.validated_data
        services.triage(
            complaint,
            user=request.user,
            status=d["status"],
            note=d["note"],
            priority=d.get("priority"),
            app=d.get("app"),
        )
        return Response(ComplaintSerializer(complaint).data)

    @extend_schema(request=OpenScanSerializer, responses={201: ScanJobSerializer})
    @action(detail=True, methods=["post"])
    def open_scan(self, request, pk=None):
        complaint = self.get_object()
        req = OpenScanSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        apk = req.validated_data.get("apk")
        job = services.open_scan(complaint, user=request.user, apk=apk, file_name=getattr(apk, "name", ""))
        return Response(ScanJobSerializer(job).data, status=201)


ROUTES = [("complaints", ComplaintViewSet)]
