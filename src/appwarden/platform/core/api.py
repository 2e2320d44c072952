"""Shared API pieces: the base viewset (scoping), a small query-parameter filter backend and the
exception handler that turns :class:`~appwarden.errors.AppwardenError` into a one-line JSON error."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import filters, serializers, viewsets
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from appwarden.errors import AppwardenError
from appwarden.platform.core.roles import scoped


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler: AppwardenError → ``{"detail": <one line>, "code": ...}`` with its HTTP status."""
    if isinstance(exc, AppwardenError):
        status = getattr(exc, "http_status", 400)
        body: dict[str, Any] = {"detail": str(exc), "code": exc.code}
        if getattr(exc, "job_id", None):
            body["job"] = exc.job_id
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(body, status=status, headers=headers)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": " ".join(exc.messages), "code": "invalid"}, status=400)
    if isinstance(exc, (ProtectedError, RestrictedError)):  # e.g. a company with orders or sanction measures
        detail = "该记录仍被整改通知、惩戒措施等引用，不能删除 it is still referenced, cannot be deleted"
        return Response({"detail": detail, "code": "protected"}, status=409)
    return drf_exception_handler(exc, context)


class FieldFilterBackend(filters.BaseFilterBackend):
    """Exact-match filtering on the viewset's ``filterset_fields`` (``?status=confirmed&batch=3``).

    A field name may map to a lookup (``{"package": "app__package"}``); unknown parameters are ignored.
    """

    def _fields(self, view: Any) -> dict[str, str]:
        fields = getattr(view, "filterset_fields", ())
        return fields if isinstance(fields, dict) else {f: f for f in fields}

    def filter_queryset(self, request, queryset, view):
        for param, lookup in self._fields(view).items():
            value = request.query_params.get(param)
            if value in (None, ""):
                continue
            field = _lookup_field(queryset.model, lookup.removesuffix("__in"))
            values = value.split(",") if lookup.endswith("__in") else [value]
            try:
                if any("\x00" in v for v in values):
                    raise ValueError("NUL character")
                cleaned = [field.to_python(v) for v in values] if field is not None else values
            except (DjangoValidationError, ValueError, TypeError):
                raise DrfValidationError({param: f"invalid value {value[:40]!r}"}) from None
            queryset = queryset.filter(**{lookup: cleaned if lookup.endswith("__in") else cleaned[0]})
        return queryset

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": param,
                "required": False,
                "in": "query",
                "schema": {"type": "string"},
                "description": f"exact match on {lookup}",
            }
            for param, lookup in self._fields(view).items()
        ]


def _lookup_field(model: Any, lookup: str) -> Any:
    """The model field at the end of a ``a__b__c`` lookup path (the target field for a relation)."""
    field = None
    for part in lookup.split("__"):
        field = model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
            if field.many_to_one or field.one_to_one:
                field = field.target_field
    return field


class ScopedViewSetMixin:
    """Restrict the queryset to what the user's role may see. Changes are attributed to the API user by the
    authentication itself (token: ``HashedTokenAuthentication``; session: the audit middleware)."""

    def get_queryset(self):
        return scoped(super().get_queryset(), self.request.user)  # type: ignore[misc]


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    filter_backends = [FieldFilterBackend, filters.OrderingFilter]
    ordering = ["-id"]


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    filter_backends = [FieldFilterBackend, filters.OrderingFilter]
    ordering = ["-id"]


class StaffWriteOrReadOnly:
    """Any authenticated user may read (within scope); only regulators/reviewers may write.

    A write to one object (``PUT``/``PATCH``/``DELETE``/a detail action) is judged after the scoped lookup, so an
    object the user may not see answers 404 exactly like one that does not exist (no existence oracle); a
    visible object the role may not change answers 403.
    """

    def has_permission(self, request, view) -> bool:
        from appwarden.platform.core.roles import is_staff_role

        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        if lookup in getattr(view, "kwargs", {}):
            return True  # decided by has_object_permission once the object is found in scope
        return is_staff_role(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        from appwarden.platform.core.roles import is_staff_role

        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return is_staff_role(request.user)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key in a request body, looked up only among the rows the requesting user may see: an id of an
    object outside the user's scope gets the same "does not exist" error as an id that does not exist.

    The serializer needs ``context={"request": request}``; without it no id is accepted (fail closed).
    """

    def get_queryset(self):
        request = self.context.get("request")
        queryset = super().get_queryset()
        if request is None:
            return queryset.none()
        return scoped(queryset, request.user)


# --- audit log and identity -------------------------------------------------------------------------------------
from rest_framework.views import APIView  # noqa: E402

from appwarden.platform.core.models import AuditLog  # noqa: E402


class AuditLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "action",
            "model",
            "object_id",
            "summary",
            "reason",
            "data",
        ]
        read_only_fields = fields


class AuditLogViewSet(ScopedReadOnlyViewSet):
    """The append-only audit log (regulators and reviewers only)."""

    queryset = AuditLog.objects.all()
    serializer_class = AuditLogSerializer
    filterset_fields = ["model", "object_id", "action", "actor"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    company = serializers.IntegerField(allow_null=True)
    store = serializers.IntegerField(allow_null=True)


class MeView(APIView):
    """Who am I: username, role and the company/store the account is bound to."""

    serializer_class = MeSerializer

    def get(self, request):
        from appwarden.platform.core.roles import role_of

        profile = getattr(request.user, "profile", None)
        return Response(
            {
                "username": request.user.username,
                "role": role_of(request.user),
                "company": getattr(profile, "company_id", None),
                "store": getattr(profile, "store_id", None),
            }
        )


# --- API tokens ---------------------------------------------------------------------------------------------------
from drf_spectacular.utils import extend_schema  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    """``POST /api/token/`` with ``username`` and ``password``: a new API token (shown only in this answer; the
    server keeps its hash). Wrong credentials → 400; too many failures → 429 (the login lockout policy)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = TokenRequestSerializer

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        from appwarden.platform.core import lockout, tokens

        req = TokenRequestSerializer(data=request.data)
        req.is_valid(raise_exception=True)
        user = lockout.login(request, req.validated_data["username"], req.validated_data["password"])
        if user is None:
            return Response(
                {"detail": "用户名或密码错误 wrong username or password", "code": "credentials"}, status=400
            )
        return Response({"token": tokens.issue(user, "api-login")})
