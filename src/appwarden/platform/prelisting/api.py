"""``POST /api/prelisting/`` (store token: multipart ``apk``, optional ``policy`` and listing metadata) queues a
pre-listing check; ``GET /api/prelisting/<id>/`` returns its status and, when done, the verdict. A store sees only
its own checks (404 otherwise); reviewers and regulators see all; other roles get 403."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from appwarden.platform.core.errors import RoleError
from appwarden.platform.core.roles import ROLE_STORE, STAFF, require, role_of, scoped
from appwarden.platform.prelisting import services
from appwarden.platform.prelisting.models import PrelistingCheck


class PrelistingRequest(serializers.Serializer):
    apk = serializers.FileField(help_text="the APK to be listed")
    policy = serializers.FileField(required=False, help_text="privacy policy (HTML/text/PDF)")
    developer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    version = serializers.CharField(required=False, allow_blank=True, max_length=100)
    policy_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    permissions = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, help_text="listed permissions, comma separated"
    )
    updated = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text="update time")


class PrelistingCreateView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=PrelistingRequest, responses={201: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT})
    def post(self, request):  # type: ignore[no-untyped-def]
        require(request.user, ROLE_STORE)
        store = request.user.profile.store
        if store is None:
            raise RoleError("该账号未绑定应用商店 this store account is not bound to a store")
        ser = PrelistingRequest(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        apk, policy = data.pop("apk"), data.pop("policy", None)
        if "permissions" not in request.data:
            data.pop("permissions", None)
        check = services.submit(apk, store=store, user=request.user, policy=policy, listing=data)
        return Response(services.verdict(check), status=201)

    @extend_schema(operation_id="prelisting_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):  # type: ignore[no-untyped-def]
        """The caller's checks, newest first (at most 100), and the store's share of violating apps."""
        require(request.user, ROLE_STORE, *STAFF)
        rows = list(
            scoped(
                PrelistingCheck.objects.select_related("job__app_version__app__company", "store"),
                request.user,
            ).defer("job__report")[:100]
        )
        out: dict = {"results": services.verdicts(rows)}
        if role_of(request.user) == ROLE_STORE:
            out["store_share"] = services.violating_share(request.user.profile.store)
        return Response(out)


class PrelistingDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):  # type: ignore[no-untyped-def]
        require(request.user, ROLE_STORE, *STAFF)
        check = scoped(PrelistingCheck.objects.select_related("job"), request.user).filter(pk=pk).first()
        if check is None:
            return Response({"detail": "没有该上架前检测 no such pre-listing check"}, status=404)
        return Response(services.verdict(check))
