"""Company portal API: ``/api/my/notices/`` (published 通报 rows about the caller's apps) and the PDF documents
``/api/documents/orders/<id>/`` (责令整改通知书); the 投诉转办单 is ``/api/complaint-forwards/<id>/pdf/``."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.views import APIView

from appwarden.platform.core.models import ROLE_COMPANY
from appwarden.platform.core.roles import STAFF, role_of, scoped
from appwarden.platform.portal.notices import visible_notice_items


class MyNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    notice_title = serializers.CharField(source="batch.title")
    notice_number = serializers.CharField(source="batch.number")
    published_at = serializers.DateTimeField(source="batch.published_at")
    order = serializers.IntegerField(source="order_id")
    order_number = serializers.CharField(source="order.number")
    app = serializers.IntegerField(source="order.app_id")
    package = serializers.CharField(source="order.app.package")
    app_name = serializers.CharField()
    developer = serializers.CharField()
    source = serializers.CharField()
    version = serializers.CharField()
    problems = serializers.CharField()


class MyNoticeList(generics.ListAPIView):
    """通报 rows visible to the caller: a company gets the rows of **published** notice batches about its own
    orders (never drafts, never another company's rows); staff get every row; other roles an empty list."""

    serializer_class = MyNoticeSerializer

    def get_queryset(self):
        return visible_notice_items(self.request.user)[:1000]


class OrderPdfView(APIView):
    """``GET /api/documents/orders/<id>/``: the order's 责令整改通知书 as a PDF, for the order's company and staff
    (anyone else, or an order outside the caller's scope: 404)."""

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk: int):
        from appwarden.platform.enforcement.models import RectificationOrder
        from appwarden.platform.portal.documents import order_pdf_response

        if role_of(request.user) not in (*STAFF, ROLE_COMPANY):
            raise Http404("not found")
        order = scoped(RectificationOrder.objects.all(), request.user).filter(pk=pk).first()
        if order is None:
            raise Http404("not found")
        return order_pdf_response(order)
