"""``GET /api/attestations/<apk sha256>/``: public (no login), the APK's bundles with status, the log's latest
signed checkpoint, a consistency proof from each bundle's checkpoint to it, and the APK's revocation entries."""

from __future__ import annotations

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from appwarden.platform.attestation.services import log_page, public_record

_SHA = re.compile(r"[0-9a-fA-F]{64}")


class PublicAttestationView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # public and read-only: no session, so no CSRF and no per-user content

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
