"""Self-assessment API: ``POST /api/selfchecks/`` (company: multipart ``apk``, optional ``policy``, ``category``),
``GET /api/selfchecks/`` and ``/api/selfchecks/<id>/`` (the company's own, with findings from the report; anyone
else sees none: 404), ``GET /api/selfchecks/summary/`` (staff: counts only)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from appwarden.platform.core import audit
from appwarden.platform.core.api import FieldFilterBackend
from appwarden.platform.core.roles import is_staff_role
from appwarden.platform.selfcheck import services
from appwarden.platform.selfcheck.models import SelfAssessment


class SelfAssessmentSerializer(serializers.ModelSerializer):
    findings = serializers.SerializerMethodField()

    class Meta:
        model = SelfAssessment
        fields = [
            "id",
            "file_name",
            "sha256",
            "size",
            "category",
            "status",
            "failure_kind",
            "error",
            "package",
            "version_name",
            "label",
            "summary",
            "created_at",
            "finished_at",
            "findings",
        ]
        read_only_fields = fields

    def get_findings(self, obj) -> list[dict]:
        """The report's findings (rule, title, severity, confidence, clauses, owner, remediation), ranked."""
        keep = (
            "rule_id",
            "title_zh",
            "title_en",
            "severity",
            "confidence",
            "clauses",
            "owner",
            "remediation_zh",
        )
        return [{k: f.get(k) for k in keep} for f in services.ranked_findings(obj.report)]


class SubmitSerializer(serializers.Serializer):
    apk = serializers.FileField()
    policy = serializers.FileField(required=False)
    category = serializers.CharField(required=False, allow_blank=True, max_length=64)


class SummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    companies = serializers.ListField(child=serializers.DictField())


class SelfAssessmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """自评估: a company's scans of its own APKs; not tests (no job, no findings rows, no counts)."""

    queryset = SelfAssessment.objects.select_related("company")
    serializer_class = SelfAssessmentSerializer
    parser_classes = [MultiPartParser, FormParser]
    filter_backends = [FieldFilterBackend]
    filterset_fields = ["status", "package"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        audit.set_actor(request.user)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list":
            qs = qs.defer("report")
        return services.own(qs, self.request.user)

    def get_serializer_class(self):
        return SubmitSerializer if self.action == "create" else SelfAssessmentSerializer

    def list(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset())[:200]
        data = SelfAssessmentSerializer(rows, many=True).data
        for item in data:
            item.pop("findings", None)  # the list carries the summary; findings are on the detail
        return Response(data)

    @extend_schema(request=SubmitSerializer, responses={201: SelfAssessmentSerializer})
    def create(self, request, *args, **kwargs):
        req = SubmitSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        d = req.validated_data
        row = services.submit(
            d["apk"], user=request.user, policy=d.get("policy"), category=d.get("category", "")
        )
        return Response(SelfAssessmentSerializer(row).data, status=201)

    @extend_schema(responses={200: SummarySerializer})
    @action(detail=False, methods=["get"])
    def summary(self, request):
        """Staff: how many self-assessments exist (by status, per company); no app or finding."""
        if not is_staff_role(request.user):
            raise PermissionDenied("只有监管人员和审核人员可以查看自评估统计 staff only")
        return Response(services.counts())


ROUTES = [("selfchecks", SelfAssessmentViewSet)]
