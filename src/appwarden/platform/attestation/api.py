"""``GET /api/attestations/<apk sha256>/``: public (no login), the APK's bundles with status, the log's latest
signed checkpoint, a consistency proof from each bundle's checkpoint to it, and the APK's revocation entries."""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from appwarden.platform.attestation import services
from appwarden.platform.attestation.models import Attestation
from appwarden.platform.attestation.services import log_page, public_record
from appwarden.platform.core import audit
from appwarden.platform.core.errors import PlatformError, TransitionError
from appwarden.platform.core.roles import STAFF, require
from appwarden.platform.testing.models import ScanJob

_SHA = re.compile(r"[0-9a-fA-F]{64}")


class PublicAttestationThrottle(SimpleRateThrottle):
    """The anonymous attestation look-ups and log pages: 600 requests an hour per client address (each may read
    the whole transparency log), counted in the default cache."""

    scope = "public_attestations"
    rate = "600/hour"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicAttestationView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # public and read-only: no session, so no CSRF and no per-user content
    throttle_classes = [PublicAttestationThrottle]

    @extend_schema(
        summary="APK attestations (public)",
        parameters=[
            OpenApiParameter("sha256", OpenApiTypes.STR, OpenApiParameter.PATH, description="APK SHA-256")
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
        auth=[],
    )
    def get(self, request, sha256: str):  # type: ignore[no-untyped-def]
        if not _SHA.fullmatch(sha256):
            return Response({"detail": "不是 SHA-256 not a sha256 (64 hex digits)"}, status=400)
        record = public_record(sha256.lower())
        if record is None:
            return Response({"detail": "该APK没有认证记录 no attestation for this APK"}, status=404)
        return Response(record)


class PublicLogView(APIView):
    """``GET /api/attestations/log/?start=N``: one page of the transparency log (public; mirrored by
    ``appwarden attest log mirror``)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicAttestationThrottle]

    @extend_schema(
        summary="Transparency log page (public)",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.INT, OpenApiParameter.QUERY, description="first index")
        ],
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        auth=[],
    )
    def get(self, request):  # type: ignore[no-untyped-def]
        raw = request.query_params.get("start", "0")
        if not raw.isdigit() or len(raw) > 18:
            return Response({"detail": "start 须为非负整数 start must be a non-negative integer"}, status=400)
        return Response(log_page(int(raw)))


class AttestationIssueSerializer(serializers.Serializer):
    job = serializers.IntegerField(
        help_text="a finished scan job (e.g. a pre-listing check) whose test passed"
    )
    reason = serializers.CharField(max_length=2000, help_text="why (理由必填)")


class RevokeSerializer(serializers.Serializer):
    attestation = serializers.IntegerField()
    reason = serializers.CharField(max_length=2000)


class IssueAttestationView(APIView):
    """``POST /api/attestations/issue/`` (reviewer/regulator): attest the APK of a finished, passed scan job, e.g.
    a pre-listing check (上架前检测); 409 when the test did not pass or the job is already attested."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AttestationIssueSerializer, responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT}
    )
    def post(self, request):  # type: ignore[no-untyped-def]
        require(request.user, *STAFF)
        data = _valid(AttestationIssueSerializer, request)
        job = ScanJob.objects.filter(pk=data["job"]).first()
        if job is None:
            return Response({"detail": "没有该检测任务 no such job"}, status=404)
        att = services.issue_for_job(job, user=request.user, reason=data["reason"])
        return Response(services.attestation_json(att), status=201)


class RevokeAttestationView(APIView):
    """``POST /api/attestations/revoke/`` (reviewer/regulator): append a revocation of an attestation."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=RevokeSerializer, responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT})
    def post(self, request):  # type: ignore[no-untyped-def]
        require(request.user, *STAFF)
        data = _valid(RevokeSerializer, request)
        att = Attestation.objects.filter(pk=data["attestation"]).first()
        if att is None:
            return Response({"detail": "没有该认证 no such attestation"}, status=404)
        if att.revoked_at is not None:
            raise TransitionError("该认证已撤销 the attestation is already revoked")
        att = services.revoke(att, data["reason"])
        audit.record("attest_revoke", att, reason=data["reason"], actor=request.user)
        return Response(services.attestation_json(att))


def _valid(serializer_class, request):  # type: ignore[no-untyped-def]
    ser = serializer_class(data=request.data)
    ser.is_valid(raise_exception=True)
    if not " ".join(str(ser.validated_data.get("reason", "")).split()):
        raise PlatformError("请填写理由 a reason is required (理由必填)")
    return ser.validated_data
