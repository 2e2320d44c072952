"""Testing REST API: batches, scan jobs (multipart upload), findings with review actions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from appwarden.platform.core.api import (
    FieldFilterBackend,
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
    ScopedViewSetMixin,
    StaffWriteOrReadOnly,
)
from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.roles import STAFF, require
from appwarden.platform.registry.models import Company
from appwarden.platform.testing import categories, screening_review, services
from appwarden.platform.testing.models import (
    REVIEW_ACTIONS,
    SCREENING_DECISIONS,
    Batch,
    Finding,
    Review,
    ScanJob,
    ScreeningReview,
)


class BatchSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Batch
        fields = ["id", "name", "description", "created_at", "progress"]

    def get_progress(self, obj: Batch) -> dict[str, int]:
        return obj.progress()


class ScanJobSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(
        read_only=True, help_text="status and failure kind in words, e.g. 失败 Failed · 已隔离 Quarantined"
    )
    app_company = serializers.IntegerField(
        source="app_version.app.company_id",
        read_only=True,
        allow_null=True,
        help_text="the company the scanned app is registered to; differs from `company` (chosen at upload) when "
        "the app already belonged to another company (the registry is not changed)",
    )

    class Meta:
        model = ScanJob
        fields = [
            "id",
            "batch",
            "purpose",
            "sha256",
            "file_name",
            "size",
            "policy_sha256",
            "trace_sha256",
            "category",
            "company",
            "app_company",
            "status",
            "failure_kind",
            "status_label",
            "error",
            "engine_version",
            "rules_version",
            "app_version",
            "reused_from",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class CategoryField(serializers.ChoiceField):
    """The 39类 app category: an ``N39-xx`` id (its Chinese or English name is accepted and normalised)."""

    def __init__(self, **kwargs):
        super().__init__(choices=categories.choices(), **kwargs)

    def to_internal_value(self, data):
        try:
            return categories.normalise(str(data))
        except PlatformError as exc:
            raise serializers.ValidationError(str(exc)) from None


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="the APK")
    policy = serializers.FileField(required=False, help_text="privacy policy (HTML/text/PDF)")
    trace = serializers.FileField(required=False, help_text="runtime trace (JSONL)")
    category = CategoryField(
        required=False, allow_blank=True, help_text="39类 app category (N39-01 … N39-39); empty: inferred"
    )
    batch = serializers.PrimaryKeyRelatedField(queryset=Batch.objects.all(), required=False, allow_null=True)
    company = serializers.PrimaryKeyRelatedField(
        queryset=Company.objects.all(), required=False, allow_null=True
    )


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = [
            "id",
            "job",
            "app_version",
            "rule_id",
            "title_zh",
            "title_en",
            "clauses",
            "notice_types",
            "problem_type",
            "severity",
            "confidence",
            "needs_review",
            "evidence",
            "owner",
            "remediation_zh",
            "message_zh",
            "status",
            "reviewed_by",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = fields


class ReviewRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=REVIEW_ACTIONS)
    reason = serializers.CharField(max_length=2000)
    changes = serializers.DictField(required=False, help_text="edit only: field -> new value")


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "finding", "reviewer", "action", "reason", "changes", "at"]
        read_only_fields = fields


class ScreeningReviewRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=SCREENING_DECISIONS)
    note = serializers.CharField(max_length=screening_review.NOTE_MAX, help_text="复核意见（必填）")


class ScreeningReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer_name", read_only=True)

    class Meta:
        model = ScreeningReview
        fields = ["id", "job", "verdict", "decision", "note", "reviewer", "at"]
        read_only_fields = fields


class BatchViewSet(ScopedModelViewSet):
    queryset = Batch.objects.all()
    serializer_class = BatchSerializer
    permission_classes = [StaffWriteOrReadOnly]
    filterset_fields = ["name"]

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)


class ScanJobViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Scan jobs. ``POST`` (multipart) uploads an APK and queues a job; it never scans in the request."""

    queryset = ScanJob.objects.select_related("app_version__app").defer(
        "report"
    )  # lists never decode reports; the report action loads its one
    serializer_class = ScanJobSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends = [FieldFilterBackend]
    filterset_fields = ["batch", "status", "failure_kind", "sha256", "purpose"]

    @extend_schema(request=UploadSerializer, responses={201: ScanJobSerializer})
    def create(self, request, *args, **kwargs):
        require(request.user, *STAFF)
        upload = UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        job = services.submit_apk(
            data["file"],
            user=request.user,
            file_name=data["file"].name,
            batch=data.get("batch"),
            policy=data.get("policy"),
            trace=data.get("trace"),
            category=data.get("category", ""),
            company=data.get("company"),
        )
        return Response(ScanJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        """The engine's report JSON of a finished job."""
        job = self.get_object()
        if job.report is None:
            return Response(
                {"detail": f"job is {job.status}; no report yet", "code": "not_ready"}, status=409
            )
        return Response(job.report)

    @extend_schema(request=ScreeningReviewRequestSerializer, responses={201: ScreeningReviewSerializer})
    @action(detail=True, methods=["post"])
    def screening_review(self, request, pk=None):
        """筛查结论复核: confirm (``confirmed``, 确认有害/可疑) or reject (``rejected``, 误报) the job's 不良APP screening
        verdict with a written ``note`` (reviewer/regulator; companies and stores 404). 201 with the review; 400 with
        a one-line error for a bad decision, a missing or too long note, or a job without a harmful/suspicious
        verdict. The latest review of a job counts (see ``testing.screening_review``)."""
        job = self.get_object()
        data = request.data if isinstance(request.data, dict) else {}
        decision, note = data.get("decision"), data.get("note")
        review = screening_review.review_screening(
            job,
            user=request.user,
            decision=decision if isinstance(decision, str) else "",
            note=note if isinstance(note, str) else "",
        )
        return Response(ScreeningReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class FindingViewSet(ScopedReadOnlyViewSet):
    """Findings (companies see only confirmed findings of their own apps)."""

    queryset = Finding.objects.all()
    serializer_class = FindingSerializer
    filterset_fields = ["job", "app_version", "status", "rule_id", "problem_type", "owner", "severity"]

    @extend_schema(request=ReviewRequestSerializer, responses={200: FindingSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Confirm, reject or edit the finding with a reason (reviewer/regulator)."""
        finding = self.get_object()
        req = ReviewRequestSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        services.review_finding(
            finding,
            user=request.user,
            action=req.validated_data["action"],
            reason=req.validated_data["reason"],
            changes=req.validated_data.get("changes"),
        )
        finding.refresh_from_db()
        return Response(FindingSerializer(finding).data)


class ReviewViewSet(ScopedReadOnlyViewSet):
    queryset = Review.objects.all()
    serializer_class = ReviewSerializer
    filterset_fields = ["finding", "action"]


ROUTES = [
    ("batches", BatchViewSet),
    ("jobs", ScanJobViewSet),
    ("findings", FindingViewSet),
    ("reviews", ReviewViewSet),
]
