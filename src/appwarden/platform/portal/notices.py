"""Which 通报 rows a user may see, through :func:`appwarden.platform.core.roles.scoped`.

A notice row (:class:`~appwarden.platform.enforcement.models.NoticeItem`) concerns one rectification order. Staff see
every row; a company sees the rows whose order it may see (``scoped`` on the orders: its own) and only once the
notice batch is **published** (a draft 拟通报 is not public yet); every other role sees none.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from appwarden.platform.core.models import ROLE_COMPANY
from appwarden.platform.core.roles import STAFF, role_of, scoped


def visible_notice_items(user: Any) -> QuerySet:
    """The notice rows ``user`` may see (newest publication first)."""
    from appwarden.platform.enforcement.models import NoticeItem, RectificationOrder

    items = NoticeItem.objects.select_related("batch", "order", "order__app", "order__company")
    role = role_of(user)
    if role in STAFF:
        return items.order_by("-batch__published_at", "-id")
    if role != ROLE_COMPANY:
        return items.none()
    orders = scoped(RectificationOrder.objects.all(), user).values("pk")
    return items.filter(order__in=orders, batch__published=True).order_by("-batch__published_at", "-id")
