"""Notification settings and log over the API, scoped to the caller's party (staff see every party's rows).

* ``/api/notification-endpoints/`` — webhook endpoints: list, create (the answer carries the ``secret``, shown
  only then), update (``url``, ``events``, ``description``, ``active``), delete, ``POST …/{id}/rotate_secret/`` (new
  secret, shown once), ``POST …/{id}/ping/`` (a test notification to the endpoint's party).
* ``/api/notification-recipients/`` — email recipients: list, create, update (``events``, ``active``), delete.
* ``/api/notifications/`` — what was sent to the party: event, subject, payload, deliveries with their attempts
  (time, HTTP status code, error).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import filters, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from appwarden.platform.core import audit
from appwarden.platform.core.api import FieldFilterBackend
from appwarden.platform.notifications import manage, services
from appwarden.platform.notifications.models import (
    Delivery,
    DeliveryAttempt,
    EmailRecipient,
    Endpoint,
    Notification,
)
from appwarden.platform.notifications.parties import party_scoped, row_party


class PartyScopedMixin:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        audit.set_actor(request.user)

    def get_queryset(self):
        return party_scoped(super().get_queryset(), self.request.user)  # type: ignore[misc]


class EndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    party = serializers.CharField(source="party_label", read_only=True)

    class Meta:
        model = Endpoint
        fields = ["id", "party_kind", "party", "url", "events", "description", "active", "created_at"]
        read_only_fields = ["id", "party_kind", "party", "created_at"]
        extra_kwargs = {"url": {"validators": []}}


class EndpointWithSecretSerializer(EndpointSerializer):
    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = [*EndpointSerializer.Meta.read_only_fields, "secret"]


class EndpointViewSet(PartyScopedMixin, viewsets.ModelViewSet):
    """Webhook endpoints of the caller's party."""

    queryset = Endpoint.objects.all()
    serializer_class = EndpointSerializer
    filter_backends = [FieldFilterBackend, filters.OrderingFilter]
    filterset_fields = ["party_kind", "active"]
    ordering = ["-id"]

    @extend_schema(responses={201: EndpointWithSecretSerializer})
    def create(self, request, *args, **kwargs):
        ser = EndpointSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        endpoint = manage.create_endpoint(
            request.user, url=data["url"], events=data.get("events"), description=data.get("description", "")
        )
        return Response(EndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        ser = EndpointSerializer(endpoint, data=request.data, partial=kwargs.get("partial", False))
        ser.is_valid(raise_exception=True)
        changes = {
            k: v for k, v in ser.validated_data.items() if k in ("url", "events", "description", "active")
        }
        manage.update_endpoint(request.user, endpoint, **changes)
        return Response(EndpointSerializer(endpoint).data)

    def destroy(self, request, *args, **kwargs):
        manage.delete_row(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: EndpointWithSecretSerializer})
    @action(detail=True, methods=["post"])
    def rotate_secret(self, request, pk=None):
        endpoint = self.get_object()
        manage.rotate_secret(request.user, endpoint)
        return Response(EndpointWithSecretSerializer(endpoint).data)

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        endpoint = self.get_object()
        manage.check_can_change(request.user, endpoint)
        notification = services.ping(row_party(endpoint), request.user)
        return Response({"notification": str(notification.uid) if notification else None}, status=201)


class RecipientSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    party = serializers.CharField(source="party_label", read_only=True)

    class Meta:
        model = EmailRecipient
        fields = ["id", "party_kind", "party", "email", "events", "active", "created_at"]
        read_only_fields = ["id", "party_kind", "party", "created_at"]


class RecipientViewSet(PartyScopedMixin, viewsets.ModelViewSet):
    """Email recipients of the caller's party (none configured: the registry contacts get the emails)."""

    queryset = EmailRecipient.objects.all()
    serializer_class = RecipientSerializer
    filter_backends = [FieldFilterBackend, filters.OrderingFilter]
    filterset_fields = ["party_kind", "active"]
    ordering = ["email"]

    def create(self, request, *args, **kwargs):
        ser = RecipientSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        row = manage.create_recipient(
            request.user, email=ser.validated_data["email"], events=ser.validated_data.get("events")
        )
        return Response(RecipientSerializer(row).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        row = self.get_object()
        ser = RecipientSerializer(row, data=request.data, partial=kwargs.get("partial", False))
        ser.is_valid(raise_exception=True)
        changes = {k: v for k, v in ser.validated_data.items() if k in ("events", "active")}
        manage.update_recipient(request.user, row, **changes)
        return Response(RecipientSerializer(row).data)

    def destroy(self, request, *args, **kwargs):
        manage.delete_row(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["at", "status_code", "ok", "error", "duration_ms"]


class DeliverySerializer(serializers.ModelSerializer):
    log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "channel",
            "endpoint",
            "url",
            "recipients",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "log",
        ]


class NotificationSerializer(serializers.ModelSerializer):
    deliveries = DeliverySerializer(many=True, read_only=True)
    party = serializers.CharField(source="party_label", read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "uid",
            "event",
            "party_kind",
            "party",
            "subject",
            "payload",
            "created_at",
            "deliveries",
        ]


class NotificationViewSet(
    PartyScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """What was sent to the caller's party, with the delivery log (HTTP status codes of each attempt)."""

    queryset = Notification.objects.prefetch_related("deliveries__log")
    serializer_class = NotificationSerializer
    filter_backends = [FieldFilterBackend, filters.OrderingFilter]
    filterset_fields = ["event", "party_kind"]
    ordering = ["-id"]


ROUTES = [
    ("notification-endpoints", EndpointViewSet),
    ("notification-recipients", RecipientViewSet),
    ("notifications", NotificationViewSet),
]
