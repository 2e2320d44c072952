"""Parties (who a notification is for), the party of a user, scoping of party-owned rows, and the email addresses
and webhook endpoints an event reaches.

Email recipients: the party's configured :class:`EmailRecipient` rows that want the event. A party that has
configured none falls back to its registry contacts (company ``Contact`` emails, ``Store.contact_email``,
``SdkVendor.contact_email``) and the email addresses of the active user accounts bound to it; for ``staff`` the
fallback is the active regulators' (and superusers') addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from appwarden.platform.core.models import ROLE_REGULATOR, ROLE_SDK_VENDOR
from appwarden.platform.core.roles import STAFF, role_of, scoped
from appwarden.platform.notifications.events import COMPANY, SDK_VENDOR, STORE
from appwarden.platform.notifications.events import STAFF as STAFF_PARTY


@dataclass(frozen=True)
class Party:
    """A party: ``kind`` and the id of its company / store / SDK vendor (``None`` for staff)."""

    kind: str
    id: int | None = None

    @property
    def key(self) -> str:
        return self.kind if self.id is None else f"{self.kind}:{self.id}"

    def fields(self) -> dict[str, Any]:
        """Model field values of a row owned by this party."""
        return {
            "party_kind": self.kind,
            "company_id": self.id if self.kind == COMPANY else None,
            "store_id": self.id if self.kind == STORE else None,
            "sdk_vendor_id": self.id if self.kind == SDK_VENDOR else None,
        }


STAFF_P = Party(STAFF_PARTY)


def row_party(row: Any) -> Party:
    """The party owning a party-owned row (``party_kind`` + its company / store / SDK vendor)."""
    return Party(row.party_kind, row.company_id or row.store_id or row.sdk_vendor_id)


def party_of(user: Any) -> Party | None:
    """The party a user acts for: staff roles → ``staff``; company / store / SDK vendor users → their binding;
    ``None`` for anyone else."""
    role = role_of(user)
    if role in STAFF:
        return STAFF_P
    profile = getattr(user, "profile", None)
    if profile is None:
        return None
    if role == COMPANY and profile.company_id:
        return Party(COMPANY, profile.company_id)
    if role == STORE and profile.store_id:
        return Party(STORE, profile.store_id)
    if role == SDK_VENDOR and profile.sdk_vendor_id:
        return Party(SDK_VENDOR, profile.sdk_vendor_id)
    return None


def party_scoped(qs: QuerySet, user: Any) -> QuerySet:
    """The party-owned rows of ``qs`` ``user`` may see: staff everything, companies and stores through
    ``core.roles.scoped`` (``COMPANY_PATH`` / ``STORE_PATH``), SDK vendor users their vendor's rows
    (``SDK_VENDOR_PATH``), nobody else anything."""
    role = role_of(user)
    if role == ROLE_SDK_VENDOR:
        profile = getattr(user, "profile", None)
        path = getattr(qs.model, "SDK_VENDOR_PATH", None)
        if path is None or not getattr(profile, "sdk_vendor_id", None):
            return qs.none()
        return qs.filter(**{f"{path}_id": profile.sdk_vendor_id})
    return scoped(qs, user)


def _active_emails(users: QuerySet) -> list[str]:
    return [e for e in users.filter(is_active=True).exclude(email="").values_list("email", flat=True)]


def fallback_emails(party: Party) -> list[str]:
    """The registry contacts and bound accounts' addresses of a party without configured recipients."""
    from appwarden.platform.registry.models import Contact, SdkVendor, Store

    users = get_user_model().objects
    out: list[str] = []
    if party.kind == COMPANY:
        out += list(
            Contact.objects.filter(company_id=party.id).exclude(email="").values_list("email", flat=True)
        )
        out += _active_emails(users.filter(profile__role=COMPANY, profile__company_id=party.id))
    elif party.kind == STORE:
        out += [e for e in Store.objects.filter(pk=party.id).values_list("contact_email", flat=True) if e]
        out += _active_emails(users.filter(profile__role=STORE, profile__store_id=party.id))
    elif party.kind == SDK_VENDOR:
        out += [e for e in SdkVendor.objects.filter(pk=party.id).values_list("contact_email", flat=True) if e]
        out += _active_emails(users.filter(profile__role=SDK_VENDOR, profile__sdk_vendor_id=party.id))
    elif party.kind == STAFF_PARTY:
        out += _active_emails(users.filter(Q(is_superuser=True) | Q(profile__role=ROLE_REGULATOR)))
    return _unique(out)


def _unique(emails: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for e in emails:
        if e.lower() not in seen:
            seen.add(e.lower())
            out.append(e)
    return out


def email_recipients(party: Party, event: str) -> list[str]:
    """The addresses ``event`` is emailed to for ``party`` (see the module docstring)."""
    from appwarden.platform.notifications.models import EmailRecipient

    rows = list(EmailRecipient.objects.filter(**party.fields()))
    if not rows:
        return fallback_emails(party)
    return _unique([r.email for r in rows if r.active and r.wants(event)])


def endpoints(party: Party, event: str) -> list[Any]:
    """The party's active webhook endpoints that want ``event``."""
    from appwarden.platform.notifications.models import Endpoint

    return [e for e in Endpoint.objects.filter(active=True, **party.fields()) if e.wants(event)]


def party_name(party: Party) -> str:
    """The party's display name (Chinese)."""
    from appwarden.platform.registry.models import Company, SdkVendor, Store

    model = {COMPANY: Company, STORE: Store, SDK_VENDOR: SdkVendor}.get(party.kind)
    if model is None:
        return "监管部门"
    obj = model.objects.filter(pk=party.id).first()
    return str(obj) if obj else party.key
