"""Company portal pages: ``/my/notices/`` (published 通报 about the company's apps) and the 责令整改通知书 PDF of an
order (``/documents/orders/<id>/pdf/``, for the order's company and staff)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from appwarden.platform.core.models import ROLE_COMPANY
from appwarden.platform.core.roles import STAFF
from appwarden.platform.core.views import get_scoped, role_required
from appwarden.platform.portal.notices import visible_notice_items


@role_required(ROLE_COMPANY)
def my_notices(request):
    """The rows of published notice batches about the company's own apps (never drafts, never others')."""
    return render(request, "portal/my_notices.html", {"items": visible_notice_items(request.user)[:500]})


@role_required(*STAFF, ROLE_COMPANY)
def order_pdf(request, pk: int):
    """责令整改通知书 of one order (404 outside the user's scope)."""
    from appwarden.platform.enforcement.models import RectificationOrder
    from appwarden.platform.portal.documents import order_pdf_response

    order = get_scoped(RectificationOrder, request.user, pk=pk)
    if order is None:  # pragma: no cover - get_scoped raises
        raise Http404("not found")
    # a 下架 of a build of another signer has no company to order: there is no such notice
    if order.foreign_build:
        raise Http404(
            "仿冒/非该应用签名构建的下架案件没有责令整改通知书 no rectification notice for this case"
        )
    return order_pdf_response(order)
