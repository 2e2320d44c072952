"""Complaints REST API: the public intake/status endpoints (no login) and the staff triage endpoints."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from appwarden.platform.complaints import forwarding, services
from appwarden.platform.complaints.forms import DESCRIPTION_MAX
from appwarden.platform.complaints.models import (
    PRIORITY,
    STATUS,
    WAITING_STATES,
    Complaint,
    ComplaintForward,
    ForwardAnswer,
    ForwardTransition,
)
from appwarden.platform.core.api import ScopedReadOnlyViewSet
from appwarden.platform.core.parsers import JSONParser
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
            "contact_consent",
            "status",
            "created_at",
        ]
        read_only_fields = ["tracking_number", "status", "created_at"]
        extra_kwargs = {"description": {"max_length": DESCRIPTION_MAX}}  # anonymous input: bounded


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
            "contact_consent",
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


# --- 投诉转办 (forwarded complaints) -----------------------------------------------------------------------------
class ForwardRequestSerializer(serializers.Serializer):
    instructions = serializers.CharField(max_length=5000)
    working_days = serializers.IntegerField(min_value=1, max_value=60, required=False)


class AnswerRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000)
    attachment = serializers.FileField(required=False)


class DecisionRequestSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)
    working_days = serializers.IntegerField(
        min_value=1, max_value=60, required=False, help_text="send_back only: working days for the new answer"
    )


class ForwardTransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ForwardTransition
        fields = ["name", "from_state", "to_state", "actor_name", "reason", "at"]
        read_only_fields = fields


class ForwardAnswerSerializer(serializers.ModelSerializer):
    late = serializers.BooleanField(
        read_only=True, help_text="submitted after the deadline then in force (逾期提交)"
    )

    class Meta:
        model = ForwardAnswer
        fields = [
            "id",
            "text",
            "attachment_name",
            "attachment_size",
            "at",
            "deadline",
            "late",
            "outcome",
            "review_note",
            "reviewed_at",
        ]
        read_only_fields = fields


class ForwardedComplaintSerializer(serializers.Serializer):
    """The complaint as the company sees it: the complainant's name and contact only with their consent."""

    tracking_number = serializers.CharField()
    app_name = serializers.CharField()
    package = serializers.CharField()
    store_name = serializers.CharField()
    category = serializers.CharField()
    category_zh = serializers.CharField(source="get_category_display")
    description = serializers.CharField()
    created_at = serializers.DateTimeField()
    contact_consent = serializers.BooleanField()
    reporter_name = serializers.SerializerMethodField()
    reporter_contact = serializers.SerializerMethodField()

    def _visible(self, obj) -> bool:
        return bool(self.context.get("contact_visible"))

    def get_reporter_name(self, obj) -> str | None:
        return obj.reporter_name if self._visible(obj) else None

    def get_reporter_contact(self, obj) -> str | None:
        return obj.reporter_contact if self._visible(obj) else None


class ForwardSerializer(serializers.ModelSerializer):
    complaint = serializers.SerializerMethodField()
    app_package = serializers.CharField(source="app.package", read_only=True)
    app_name = serializers.CharField(source="app.name", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    answers = ForwardAnswerSerializer(many=True, read_only=True)
    transitions = ForwardTransitionSerializer(many=True, read_only=True)

    class Meta:
        model = ComplaintForward
        fields = [
            "id",
            "number",
            "state",
            "complaint",
            "app",
            "app_package",
            "app_name",
            "company",
            "company_name",
            "instructions",
            "working_days",
            "deadline",
            "overdue",
            "forwarded_at",
            "closed_at",
            "answers",
            "transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(ForwardedComplaintSerializer)
    def get_complaint(self, obj):
        request = self.context.get("request")
        visible = forwarding.contact_visible(obj, getattr(request, "user", None))
        return ForwardedComplaintSerializer(obj.complaint, context={"contact_visible": visible}).data


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

    @extend_schema(request=ForwardRequestSerializer, responses={201: ForwardSerializer})
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        """投诉转办: forward this triaged complaint to the company of its linked app (reviewers/regulators)."""
        complaint = self.get_object()
        req = ForwardRequestSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        d = req.validated_data
        fwd = forwarding.forward(
            complaint, user=request.user, instructions=d["instructions"], working_days=d.get("working_days")
        )
        return Response(ForwardSerializer(fwd, context={"request": request}).data, status=201)


class ComplaintForwardViewSet(ScopedReadOnlyViewSet):
    """Forwarded complaints (投诉转办): a company sees those forwarded to it (404 otherwise), staff all.

    ``?overdue=1`` lists those waiting for an answer past their deadline."""

    queryset = ComplaintForward.objects.select_related("complaint", "app", "company").prefetch_related(
        "answers", "transitions"
    )
    serializer_class = ForwardSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["state", "company", "app", "number"]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.query_params.get("overdue") in ("1", "true"):
            from django.utils import timezone

            qs = qs.filter(state__in=WAITING_STATES, deadline__lt=timezone.localdate())
        return qs

    @extend_schema(request=AnswerRequestSerializer, responses={201: ForwardAnswerSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The company answers (multipart ``text`` + optional ``attachment``)."""
        fwd = self.get_object()
        req = AnswerRequestSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        att = req.validated_data.get("attachment")
        ans = forwarding.answer(
            fwd,
            user=request.user,
            text=req.validated_data["text"],
            attachment=att,
            file_name=getattr(att, "name", ""),
        )
        return Response(ForwardAnswerSerializer(ans).data, status=201)

    @extend_schema(request=DecisionRequestSerializer, responses={200: ForwardSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the company's answer and close the complaint (reviewers/regulators)."""
        fwd = self.get_object()
        req = DecisionRequestSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        forwarding.accept(fwd, user=request.user, note=req.validated_data["note"])
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=DecisionRequestSerializer, responses={200: ForwardSerializer})
    @action(detail=True, methods=["post"])
    def send_back(self, request, pk=None):
        """Send the company's answer back with a reason and a new deadline (reviewers/regulators)."""
        fwd = self.get_object()
        req = DecisionRequestSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        d = req.validated_data
        forwarding.send_back(fwd, user=request.user, note=d["note"], working_days=d.get("working_days"))
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], url_path=r"answers/(?P<answer_id>[0-9]+)/attachment")
    def attachment(self, request, pk=None, answer_id=None):
        """Download an answer's attachment (as an attachment, never rendered inline)."""
        from appwarden.platform.complaints.views import attachment_response

        fwd = self.get_object()
        return attachment_response(fwd, answer_id)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The 投诉转办单 as a PDF (Chinese; contact details only as the company may see them)."""
        from appwarden.platform.portal.documents import forward_pdf_response

        return forward_pdf_response(self.get_object(), request.user)


ROUTES = [("complaints", ComplaintViewSet), ("complaint-forwards", ComplaintForwardViewSet)]
