"""Enforcement REST API: orders with transition actions, notice batches (export), takedown orders."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from appwarden.platform.core.api import (
    FieldFilterBackend,
    ScopedPrimaryKeyRelatedField,
    ScopedReadOnlyViewSet,
    ScopedViewSetMixin,
)
from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.parsers import JSONParser
from appwarden.platform.core.roles import STAFF, require, role_of
from appwarden.platform.enforcement import export, sdk_workflow, workflow
from appwarden.platform.enforcement.models import (
    CompanyResponse,
    NoticeBatch,
    NoticeItem,
    OrderTransition,
    RectificationOrder,
    Retest,
    SdkOrder,
    SdkOrderTransition,
    SdkResponse,
    TakedownOrder,
)
from appwarden.platform.registry.models import AppVersion, SdkVendor
from appwarden.platform.testing.models import Finding


class TransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderTransition
        fields = ["name", "from_state", "to_state", "actor_name", "reason", "at"]


class ResponseSerializer(serializers.ModelSerializer):
    late = serializers.BooleanField(read_only=True, help_text="submitted after the deadline (逾期提交)")

    class Meta:
        model = CompanyResponse
        fields = [
            "id",
            "explanation",
            "new_sha256",
            "new_file_name",
            "new_package",
            "new_version_code",
            "new_version_name",
            "new_signer_sha256",
            "signer_check",
            "override_reason",
            "at",
            "late",
        ]


class DiffRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    rule_id = serializers.CharField()
    title_zh = serializers.CharField()
    owner = serializers.CharField()
    evidence_kinds = serializers.ListField(child=serializers.CharField(), required=False)
    reason_zh = serializers.CharField(required=False)


class RetestSerializer(serializers.ModelSerializer):
    """A re-test with its four groups of ordered findings spelled out (also inside ``diff``)."""

    passed = serializers.SerializerMethodField()
    fixed = serializers.SerializerMethodField()
    persisting = serializers.SerializerMethodField()
    new = serializers.SerializerMethodField()
    not_retested = serializers.SerializerMethodField()
    evidence_kinds = serializers.SerializerMethodField()
    policy_sha256 = serializers.CharField(source="job.policy_sha256", read_only=True)
    trace_sha256 = serializers.CharField(source="job.trace_sha256", read_only=True)

    class Meta:
        model = Retest
        fields = [
            "id",
            "job",
            "passed",
            "fixed",
            "persisting",
            "new",
            "not_retested",
            "evidence_kinds",
            "policy_sha256",
            "trace_sha256",
            "diff",
            "created_at",
            "completed_at",
        ]

    def get_passed(self, obj: Retest) -> bool | None:
        return None if obj.diff is None else bool(obj.diff.get("passed"))

    @extend_schema_field(DiffRowSerializer(many=True))
    def get_fixed(self, obj: Retest) -> list:
        return (obj.diff or {}).get("fixed", [])

    @extend_schema_field(DiffRowSerializer(many=True))
    def get_persisting(self, obj: Retest) -> list:
        return (obj.diff or {}).get("persisting", [])

    @extend_schema_field(DiffRowSerializer(many=True))
    def get_new(self, obj: Retest) -> list:
        return (obj.diff or {}).get("new", [])

    @extend_schema_field(DiffRowSerializer(many=True))
    def get_not_retested(self, obj: Retest) -> list:
        return (obj.diff or {}).get("not_retested", [])

    def get_evidence_kinds(self, obj: Retest) -> list[str]:
        return (obj.diff or {}).get("evidence_kinds", [])


class OrderSerializer(serializers.ModelSerializer):
    transitions = TransitionSerializer(many=True, read_only=True)
    responses = ResponseSerializer(many=True, read_only=True)
    retests = RetestSerializer(many=True, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = RectificationOrder
        fields = [
            "id",
            "number",
            "app",
            "app_version",
            "company",
            "foreign_build",
            "findings",
            "state",
            "working_days",
            "deadline",
            "requirements",
            "issued_at",
            "overdue_since",
            "is_overdue",
            "closed_at",
            "transitions",
            "responses",
            "retests",
        ]
        read_only_fields = fields


class IssueSerializer(serializers.Serializer):
    # ids the user may not see are "does not exist" (no existence oracle)
    app_version = ScopedPrimaryKeyRelatedField(queryset=AppVersion.objects.all())
    findings = ScopedPrimaryKeyRelatedField(queryset=Finding.objects.all(), many=True)
    reason = serializers.CharField(max_length=2000)
    working_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
    requirements = serializers.CharField(required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RespondSerializer(serializers.Serializer):
    explanation = serializers.CharField(max_length=10000)
    apk = serializers.FileField(required=False, help_text="the rectified APK")
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="regulators only: accept an APK refused for its package name or signer (written reason, audited)",
    )


class StartRetestSerializer(ReasonSerializer):
    policy = serializers.FileField(required=False, help_text="privacy-policy text to re-test with")
    trace = serializers.FileField(required=False, help_text="runtime trace (JSONL) to re-test with")


class EscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    notice = ScopedPrimaryKeyRelatedField(queryset=NoticeBatch.objects.all())


class HarmfulTakedownSerializer(serializers.Serializer):
    # an id the user may not see is "does not exist" (no existence oracle)
    app_version = ScopedPrimaryKeyRelatedField(queryset=AppVersion.objects.all())
    reason = serializers.CharField(max_length=2000)


class OrderViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """责令整改 orders. ``POST`` issues one; actions apply state-machine transitions (illegal ones → 409)."""

    queryset = RectificationOrder.objects.select_related("app", "company").prefetch_related(
        "transitions",
        "responses",
        # each re-test's job (policy/trace sha256) without its report: a list never decodes reports (issue #17)
        Prefetch("retests", queryset=Retest.objects.select_related("job").defer("job__report")),
        "findings",
    )
    serializer_class = OrderSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends = [FieldFilterBackend]
    filterset_fields = ["state", "company", "app"]

    def _done(self, order: RectificationOrder, code: int = 200) -> Response:
        return Response(OrderSerializer(self.get_queryset().get(pk=order.pk)).data, status=code)

    @extend_schema(request=IssueSerializer, responses={201: OrderSerializer})
    def create(self, request, *args, **kwargs):
        req = IssueSerializer(data=request.data, context={"request": request})
        req.is_valid(raise_exception=True)
        d = req.validated_data
        order = workflow.issue_order(
            d["app_version"],
            list(d["findings"]),
            user=request.user,
            reason=d["reason"],
            working_days=d.get("working_days"),
            requirements=d.get("requirements", ""),
        )
        return self._done(order, status.HTTP_201_CREATED)

    @extend_schema(request=RespondSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        order = self.get_object()
        req = RespondSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        apk = req.validated_data.get("apk")
        workflow.respond(
            order,
            user=request.user,
            explanation=req.validated_data["explanation"],
            apk=apk,
            file_name=getattr(apk, "name", ""),
            override_reason=req.validated_data.get("override_reason", ""),
        )
        return self._done(order)

    @extend_schema(request=StartRetestSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def start_retest(self, request, pk=None):
        order = self.get_object()
        req = StartRetestSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        d = req.validated_data
        workflow.start_retest(
            order, user=request.user, reason=d["reason"], policy=d.get("policy"), trace=d.get("trace")
        )
        return self._done(order)

    @extend_schema(request=ReasonSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        order = self.get_object()
        req = ReasonSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        workflow.close(order, user=request.user, reason=req.validated_data["reason"])
        return self._done(order)

    @extend_schema(request=EscalateSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        order = self.get_object()
        req = EscalateSerializer(data=request.data, context={"request": request})
        req.is_valid(raise_exception=True)
        workflow.escalate(
            order, user=request.user, reason=req.validated_data["reason"], notice=req.validated_data["notice"]
        )
        return self._done(order)

    @extend_schema(request=ReasonSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def withdraw_notice(self, request, pk=None):
        """撤出通报: take the order out of its **draft** notice batch (regulators; written reason): it goes back to
        the state it was escalated from and its row leaves the draft (a published batch 409)."""
        order = self.get_object()
        require(request.user, *workflow.TRANSITIONS["withdraw_notice"][2])  # 403 before the body is judged
        req = ReasonSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        workflow.withdraw_notice(order, user=request.user, reason=req.validated_data["reason"])
        return self._done(order)

    @extend_schema(request=ReasonSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def order_takedown(self, request, pk=None):
        order = self.get_object()
        req = ReasonSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        workflow.order_takedown(order, user=request.user, reason=req.validated_data["reason"])
        return self._done(order)

    @extend_schema(request=HarmfulTakedownSerializer, responses={201: OrderSerializer})
    @action(detail=False, methods=["post"])
    def harmful_takedown(self, request):
        """不良APP 直接下架: open a takedown case for an app version whose latest screening verdict is harmful
        (regulators; other staff 403, companies and stores 404; not harmful 400; already in takedown 409)."""
        if role_of(request.user) not in STAFF:
            raise NotFound()
        req = HarmfulTakedownSerializer(data=request.data, context={"request": request})
        req.is_valid(raise_exception=True)
        order = workflow.takedown_harmful(
            req.validated_data["app_version"], user=request.user, reason=req.validated_data["reason"]
        )
        return self._done(order, status.HTTP_201_CREATED)


class NoticeItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeItem
        fields = [
            "id",
            "order",
            "sdk_order",
            "app_name",
            "developer",
            "source",
            "version",
            "sdk_name",
            "sdk_vendor",
            "problems",
            "correction_note",
        ]


class NoticeBatchSerializer(serializers.ModelSerializer):
    items = NoticeItemSerializer(many=True, read_only=True)

    class Meta:
        model = NoticeBatch
        fields = ["id", "title", "number", "published", "published_at", "created_at", "items"]
        read_only_fields = ["published", "published_at", "created_at", "items"]


class WithdrawItemSerializer(ReasonSerializer):
    item = serializers.IntegerField(help_text="the id of the row (NoticeItem) to withdraw")


class NoticeBatchViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """通报 notice batches (regulators create/publish; staff read)."""

    queryset = NoticeBatch.objects.prefetch_related("items")
    serializer_class = NoticeBatchSerializer

    def create(self, request, *args, **kwargs):
        req = NoticeBatchSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        notice = workflow.create_notice_batch(
            user=request.user, title=req.validated_data["title"], number=req.validated_data.get("number", "")
        )
        return Response(NoticeBatchSerializer(notice).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: NoticeBatchSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        notice = self.get_object()
        workflow.publish_notice(notice, user=request.user)
        return Response(NoticeBatchSerializer(notice).data)

    @extend_schema(request=WithdrawItemSerializer, responses={200: NoticeBatchSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤出本批次: take the row ``item`` (an app order's or an APP(SDK) row) out of this **draft** batch
        (regulators; written reason); its order goes back to the state it was escalated from. A published batch
        is 409; a row of another batch 400."""
        notice = self.get_object()
        require(request.user, *workflow.TRANSITIONS["withdraw_notice"][2])
        req = WithdrawItemSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        item = notice.items.filter(pk=req.validated_data["item"]).first()
        if item is None:
            raise PlatformError(
                f"通报行 #{req.validated_data['item']} 不在本批次中 no such row in this notice batch"
            )
        workflow.withdraw_item(item, user=request.user, reason=req.validated_data["reason"])
        return Response(NoticeBatchSerializer(self.get_queryset().get(pk=notice.pk)).data)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY
        }
    )
    @action(detail=True, methods=["get"])
    def xlsx(self, request, pk=None):
        return notice_download(self.get_object(), "xlsx")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return notice_download(self.get_object(), "pdf")


def notice_download(notice: NoticeBatch, fmt: str) -> HttpResponse:
    """An HTTP attachment of the notice table in ``xlsx`` or ``pdf``."""
    if fmt == "xlsx":
        body = export.notice_xlsx(notice)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        body = export.notice_pdf(notice)
        ctype = "application/pdf"
    else:
        raise PlatformError(f"未知的导出格式 unknown export format {fmt!r}")
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="notice-{notice.pk}.{fmt}"'
    return resp


class TakedownSerializer(serializers.ModelSerializer):
    app = serializers.IntegerField(source="order.app_id", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    foreign_build = serializers.BooleanField(source="order.foreign_build", read_only=True)
    build = serializers.SerializerMethodField()

    def get_build(self, obj: TakedownOrder) -> dict | None:
        """The build a case of another signer concerns (package, version, sha256, signer); null otherwise."""
        if not obj.order.foreign_build:
            return None
        v = obj.order.app_version
        return {
            "package": obj.order.app.package,
            "version_name": v.version_name,
            "sha256": v.sha256,
            "signer_sha256": v.signer_sha256,
            "signer_subject": v.signer_subject,
        }

    class Meta:
        model = TakedownOrder
        fields = [
            "id",
            "order",
            "order_number",
            "listing",
            "store",
            "app",
            "foreign_build",
            "build",
            "prelisting_check",
            "status",
            "issued_at",
            "confirmed_at",
            "note",
        ]
        read_only_fields = fields


class ConfirmSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class TakedownViewSet(ScopedReadOnlyViewSet):
    """下架 orders; store operators see those for their own store and confirm them."""

    queryset = TakedownOrder.objects.select_related("listing", "order__app", "order__app_version")
    serializer_class = TakedownSerializer
    filterset_fields = {"status": "status", "order": "order", "store": "store"}

    @extend_schema(request=ConfirmSerializer, responses={200: TakedownSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        takedown = self.get_object()
        req = ConfirmSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        workflow.confirm_takedown(takedown, user=request.user, note=req.validated_data.get("note", ""))
        takedown.refresh_from_db()
        return Response(TakedownSerializer(takedown).data)


# --- SDK orders (issue #21.1) --------------------------------------------------------------------------------------


class SdkTransitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = SdkOrderTransition
        fields = ["name", "from_state", "to_state", "actor_name", "reason", "at"]


class SdkResponseSerializer(serializers.ModelSerializer):
    late = serializers.BooleanField(read_only=True, help_text="submitted after the deadline (逾期提交)")

    class Meta:
        model = SdkResponse
        fields = ["id", "explanation", "new_sdk_version", "demo_sha256", "demo_file_name", "at", "late"]


class SdkOrderFindingSerializer(serializers.ModelSerializer):
    """An ordered finding with the app it was found in (only findings owned by the order's SDKs are ordered)."""

    package = serializers.CharField(source="app_version.app.package", read_only=True)
    app_name = serializers.CharField(source="app_version.app.name", read_only=True)
    app_version_name = serializers.CharField(source="app_version.version_name", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule_id",
            "title_zh",
            "severity",
            "confidence",
            "owner",
            "clauses",
            "package",
            "app_name",
            "app_version_name",
        ]


class SdkOrderSerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    sdk_names = serializers.SerializerMethodField()
    findings = SdkOrderFindingSerializer(many=True, read_only=True)
    transitions = SdkTransitionSerializer(many=True, read_only=True)
    responses = SdkResponseSerializer(many=True, read_only=True)
    retest = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = SdkOrder
        fields = [
            "id",
            "number",
            "vendor",
            "vendor_name",
            "sdk_ids",
            "sdk_names",
            "findings",
            "state",
            "working_days",
            "deadline",
            "requirements",
            "issued_at",
            "overdue_since",
            "is_overdue",
            "closed_at",
            "transitions",
            "responses",
            "retest",
        ]
        read_only_fields = fields

    def get_sdk_names(self, obj: SdkOrder) -> dict[str, str]:
        return sdk_workflow.sdk_names(list(obj.sdk_ids or []))

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_retest(self, obj: SdkOrder) -> dict | None:
        """The latest re-test table: ``{apps: [{app, package, name, status, job, sdk_versions, fixed,
        persisting, new, not_retested, note_zh}], demo, retested, passed, since, new_sdk_version}``; ``job`` ids
        only for staff (vendors cannot open scan jobs)."""
        retest = max(obj.retests.all(), key=lambda r: r.pk, default=None)  # prefetched
        if retest is None or retest.diff is None:
            return None
        diff = dict(retest.diff)
        request = self.context.get("request")
        if request is not None and role_of(request.user) not in STAFF:
            diff["apps"] = [{**row, "job": None} for row in diff.get("apps", [])]
            if diff.get("demo"):
                diff["demo"] = {**diff["demo"], "job": None}
        return diff


class SdkIssueSerializer(serializers.Serializer):
    # ids the user may not see are "does not exist" (no existence oracle)
    vendor = ScopedPrimaryKeyRelatedField(queryset=SdkVendor.objects.all())
    findings = ScopedPrimaryKeyRelatedField(queryset=Finding.objects.all(), many=True)
    reason = serializers.CharField(max_length=2000)
    working_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
    requirements = serializers.CharField(required=False, allow_blank=True)


class SdkRespondSerializer(serializers.Serializer):
    explanation = serializers.CharField(max_length=10000)
    new_sdk_version = serializers.CharField(
        max_length=100, help_text="the SDK version that fixes the findings"
    )
    demo_apk = serializers.FileField(
        required=False, help_text="optional: a demo APK embedding the new SDK version"
    )


class SdkOrderViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """责令整改 orders to SDK vendors. ``POST`` issues one (reviewers/regulators); the vendor's users see only
    their vendor's orders (others 404) and answer them; companies and stores never see them."""

    queryset = SdkOrder.objects.select_related("vendor").prefetch_related(
        "transitions",
        "responses",
        "retests",
        Prefetch("findings", queryset=Finding.objects.select_related("app_version__app").order_by("id")),
    )
    serializer_class = SdkOrderSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends = [FieldFilterBackend]
    filterset_fields = ["state", "vendor"]

    def _done(self, order: SdkOrder, code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=order.pk)
        return Response(SdkOrderSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(request=SdkIssueSerializer, responses={201: SdkOrderSerializer})
    def create(self, request, *args, **kwargs):
        require(request.user, *STAFF)  # 403 before anything is looked up
        req = SdkIssueSerializer(data=request.data, context={"request": request})
        req.is_valid(raise_exception=True)
        d = req.validated_data
        order = sdk_workflow.issue_sdk_order(
            d["vendor"],
            list(d["findings"]),
            user=request.user,
            reason=d["reason"],
            working_days=d.get("working_days"),
            requirements=d.get("requirements", ""),
        )
        return self._done(order, status.HTTP_201_CREATED)

    @extend_schema(request=SdkRespondSerializer, responses={200: SdkOrderSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        order = self.get_object()
        req = SdkRespondSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        d = req.validated_data
        demo = d.get("demo_apk")
        sdk_workflow.respond(
            order,
            user=request.user,
            explanation=d["explanation"],
            new_sdk_version=d["new_sdk_version"],
            demo_apk=demo,
            file_name=getattr(demo, "name", ""),
        )
        return self._done(order)

    @extend_schema(request=ReasonSerializer, responses={200: SdkOrderSerializer})
    @action(detail=True, methods=["post"])
    def start_retest(self, request, pk=None):
        order = self.get_object()
        req = ReasonSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        sdk_workflow.start_retest(order, user=request.user, reason=req.validated_data["reason"])
        return self._done(order)

    @extend_schema(request=ReasonSerializer, responses={200: SdkOrderSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        order = self.get_object()
        req = ReasonSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        sdk_workflow.close(order, user=request.user, reason=req.validated_data["reason"])
        return self._done(order)

    @extend_schema(request=EscalateSerializer, responses={200: SdkOrderSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        order = self.get_object()
        require(request.user, *sdk_workflow.TRANSITIONS["escalate"][2])  # 403 before the notice id is judged
        req = EscalateSerializer(data=request.data, context={"request": request})
        req.is_valid(raise_exception=True)
        sdk_workflow.escalate(
            order, user=request.user, reason=req.validated_data["reason"], notice=req.validated_data["notice"]
        )
        return self._done(order)

    @extend_schema(request=ReasonSerializer, responses={200: SdkOrderSerializer})
    @action(detail=True, methods=["post"])
    def withdraw_notice(self, request, pk=None):
        """撤出通报 of an APP(SDK) row: as ``/api/orders/<id>/withdraw_notice/`` (regulators; draft batch only)."""
        order = self.get_object()
        require(request.user, *sdk_workflow.TRANSITIONS["withdraw_notice"][2])
        req = ReasonSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        sdk_workflow.withdraw_notice(order, user=request.user, reason=req.validated_data["reason"])
        return self._done(order)


ROUTES = [
    ("orders", OrderViewSet),
    ("notices", NoticeBatchViewSet),
    ("takedowns", TakedownViewSet),
    ("sdk-orders", SdkOrderViewSet),
]
