"""Roles and data scoping.

Regulators and reviewers (staff) see everything. A company user sees only rows whose ``COMPANY_PATH`` leads to
its company (and a model may narrow further with ``scope_company``); a store operator sees only rows whose
``STORE_PATH`` leads to its store (narrowed further by ``scope_store``); an SDK vendor user sees only rows whose ``SDK_VENDOR_PATH`` leads to its vendor
(SDK orders) or whose ``SDK_OWNER_PATH`` (a finding's ``owner``) is one of its vendor's SDK ids (narrowed further
by ``scope_sdk_vendor``, else ``scope_company``).
A model without the path is invisible to that role. Every list, detail view
and API viewset goes through :func:`scoped`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from appwarden.platform.core.errors import RoleError
from appwarden.platform.core.models import (
    ROLE_COMPANY,
    ROLE_REGULATOR,
    ROLE_REVIEWER,
    ROLE_SDK_VENDOR,
    ROLE_STORE,
)

STAFF = (ROLE_REGULATOR, ROLE_REVIEWER)


def role_of(user: Any) -> str | None:
    """The user's role (superusers are regulators); ``None`` for anonymous users or users without a profile."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ROLE_REGULATOR
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def is_staff_role(user: Any) -> bool:
    return role_of(user) in STAFF


def require(user: Any, *roles: str) -> None:
    """Raise :class:`RoleError` unless the user has one of ``roles``."""
    role = role_of(user)
    if role not in roles:
        names = "/".join(roles)
        raise RoleError(f"this action needs the role {names} (you are {role or 'anonymous'})")


def scoped(qs: QuerySet, user: Any) -> QuerySet:
    """Restrict ``qs`` to the rows ``user`` may see."""
    role = role_of(user)
    model = qs.model
    if role in STAFF:
        return qs
    profile = getattr(user, "profile", None)
    if role == ROLE_COMPANY and profile and profile.company_id:
        path = getattr(model, "COMPANY_PATH", None)
        if path is None:
            return qs.none()
        qs = qs.filter(**{path: profile.company_id})
        narrow = getattr(model, "scope_company", None)
        return narrow(qs) if narrow else qs
    if role == ROLE_STORE and profile and profile.store_id:
        path = getattr(model, "STORE_PATH", None)
        if path is None:
            return qs.none()
        qs = qs.filter(**{path: profile.store_id}).distinct()
        narrow = getattr(model, "scope_store", None)
        return narrow(qs) if narrow else qs
    if role == ROLE_SDK_VENDOR and profile and profile.sdk_vendor_id:
        vendor_path = getattr(model, "SDK_VENDOR_PATH", None)
        if vendor_path is not None:  # rows addressed to the vendor itself (SDK orders)
            return qs.filter(**{vendor_path: profile.sdk_vendor_id})
        path = getattr(model, "SDK_OWNER_PATH", None)
        ids = sdk_ids_of(user)
        if path is None or not ids:
            return qs.none()
        qs = qs.filter(**{f"{path}__in": ids})
        narrow = getattr(model, "scope_sdk_vendor", None) or getattr(model, "scope_company", None)
        return narrow(qs) if narrow else qs
    return qs.none()


def sdk_ids_of(user: Any) -> list[str]:
    """The SDK ids (knowledge-base ids, findings' ``owner``) of an SDK vendor user's vendor; ``[]`` otherwise."""
    profile = getattr(user, "profile", None)
    vendor = getattr(profile, "sdk_vendor", None) if profile else None
    if vendor is None:
        return []
    return [s for s in vendor.sdk_ids or [] if isinstance(s, str) and s and s != "host"]


def role_context(request: Any) -> dict[str, Any]:
    """Template context: ``role`` and ``is_staff_role`` of the current user."""
    role = role_of(getattr(request, "user", None))
    return {"role": role, "is_staff_role": role in STAFF}


__all__ = [
    "ROLE_COMPANY",
    "ROLE_REGULATOR",
    "ROLE_REVIEWER",
    "ROLE_SDK_VENDOR",
    "ROLE_STORE",
    "STAFF",
    "require",
    "role_of",
    "scoped",
    "sdk_ids_of",
]
