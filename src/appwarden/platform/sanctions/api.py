"""``/api/sanctions/``: sanction and credit measures. Regulators decide (``POST``) and change them (``amend``,
``end``, ``revoke`` actions); reviewers read everything; a company reads its own measures; a store reads the 停止接入
measures that concern it. A measure outside the caller's view answers 404; a visible one the role may not change
403. Measures are never edited in place (``PUT``/``PATCH``/``DELETE`` answer 405): every change is an action with a
reason, kept in the append-only ``events``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import filters, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from appwarden.platform.core.api import FieldFilterBackend, ScopedViewSetMixin
from appwarden.platform.core.roles import scoped
from appwarden.platform.registry.models import Company
from appwarden.platform.sanctions import services
from appwarden.platform.sanctions.models import SanctionEvent, SanctionMeasure


class SanctionEventSerializer(serializers.ModelSerializer):
    # issue / amend / end / revoke; a plain string so the schema's enum of review actions keeps its name
    action = serializers.CharField(read_only=True)

    class Meta:
        model = SanctionEvent
        fields = ["id", "action", "from_status", "to_status", "changes", "reason", "actor_name", "at"]
        read_only_fields = fields


class SanctionSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(read_only=True)
    in_force = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()
    events = SanctionEventSerializer(many=True, read_only=True)

    class Meta:
        model = SanctionMeasure
        fields = [
            "id",
            "company",
            "company_name",
            "kind",
            "kind_label",
            "status",
            "state_label",
            "in_force",
            "start_date",
            "end_date",
            "reason",
            "authority",
            "stores",
            "decision_number",
            "amount",
            "legal_basis",
            "credit_list",
            "order",
            "decided_by",
            "decided_at",
            "events",
        ]
        read_only_fields = fields

    def get_in_force(self, obj: SanctionMeasure) -> bool:
        return obj.in_force()

    def get_decided_by(self, obj: SanctionMeasure) -> str:
        return obj.decided_by.username if obj.decided_by else ""


class SanctionRequest(serializers.Serializer):
    """Input of ``POST /api/sanctions/`` (validated by ``services.issue``; errors are one Chinese line)."""

    company = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["stop_access", "penalty", "credit"])
    start_date = serializers.CharField(help_text="YYYY-MM-DD")
    end_date = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD, optional")
    reason = serializers.CharField()
    authority = serializers.CharField(required=False, allow_blank=True)
    legal_basis = serializers.CharField(required=False, allow_blank=True)
    stores = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="停止接入 only"
    )
    decision_number = serializers.CharField(required=False, allow_blank=True, help_text="行政处罚 only")
    amount = serializers.CharField(required=False, allow_blank=True, help_text="行政处罚 only, yuan")
    credit_list = serializers.ChoiceField(
        choices=["dishonest", "key_attention"], required=False, help_text="信用管理 only"
    )
    order = serializers.IntegerField(required=False, allow_null=True)


class AmendRequest(serializers.Serializer):
    reason = serializers.CharField()
    end_date = serializers.CharField(required=False, allow_blank=True)
    authority = serializers.CharField(required=False, allow_blank=True)
    legal_basis = serializers.CharField(required=False, allow_blank=True)
    stores = serializers.ListField(child=serializers.IntegerField(), required=False)


class EndRequest(serializers.Serializer):
    reason = serializers.CharField()
    end_date = serializers.CharField(required=False, allow_blank=True, help_text="default today")


class ReasonRequest(serializers.Serializer):
    reason = serializers.CharField()


def _plain(data) -> dict:  # type: ignore[no-untyped-def]
    """A QueryDict or JSON body as a plain dict (``stores`` kept as a list)."""
    if hasattr(data, "getlist"):
        out = {k: data.get(k) for k in data}
        if "stores" in data:
            out["stores"] = [s for v in data.getlist("stores") for s in str(v).split(",") if s.strip()]
        return out
    return dict(data) if isinstance(data, dict) else {}


class SanctionViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = SanctionMeasure.objects.select_related("company", "decided_by").prefetch_related(
        "stores", "events"
    )
    serializer_class = SanctionSerializer
    filter_backends = [FieldFilterBackend, filters.OrderingFilter]
    filterset_fields = ["company", "kind", "status", "credit_list"]
    ordering = ["-start_date", "-id"]

    def get_queryset(self):
        return services.visible(self.queryset.all(), self.request.user)

    @extend_schema(request=SanctionRequest, responses={201: SanctionSerializer})
    def create(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        services._require_regulator(request.user)
        data = _plain(request.data)
        try:
            company_id = int(str(data.get("company") or "").strip())
        except ValueError:
            raise services.SanctionError("请选择企业（企业编号） the company id is required") from None
        company = scoped(Company.objects.all(), request.user).filter(pk=company_id).first()
        if company is None:
            raise services.SanctionError(f"企业 #{company_id} 不存在 no such company")
        measure = services.issue(company, data, user=request.user)
        return Response(SanctionSerializer(self._fresh(measure)).data, status=201)

    def _fresh(self, measure: SanctionMeasure) -> SanctionMeasure:
        return self.queryset.get(pk=measure.pk)

    @extend_schema(request=AmendRequest, responses={200: SanctionSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):  # type: ignore[no-untyped-def]
        measure = self.get_object()
        data = _plain(request.data)
        reason = str(data.pop("reason", "") or "")
        services.amend(measure, data, user=request.user, reason=reason)
        return Response(SanctionSerializer(self._fresh(measure)).data)

    @extend_schema(request=EndRequest, responses={200: SanctionSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):  # type: ignore[no-untyped-def]
        measure = self.get_object()
        data = _plain(request.data)
        services.end(
            measure, user=request.user, reason=str(data.get("reason") or ""), end_date=data.get("end_date")
        )
        return Response(SanctionSerializer(self._fresh(measure)).data)

    @extend_schema(request=ReasonRequest, responses={200: SanctionSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):  # type: ignore[no-untyped-def]
        measure = self.get_object()
        services.revoke(measure, user=request.user, reason=str(_plain(request.data).get("reason") or ""))
        return Response(SanctionSerializer(self._fresh(measure)).data)


ROUTES = [("sanctions", SanctionViewSet)]
