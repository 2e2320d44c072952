"""``/attestations/store/``: the 认证 status of a store's listings (store operators see their store; staff pick
one with ``?store=<id>`` or see all)."""

from __future__ import annotations

from django.shortcuts import render

from appwarden.platform.attestation.models import Attestation
from appwarden.platform.core.models import ROLE_STORE
from appwarden.platform.core.roles import STAFF, role_of
from appwarden.platform.core.views import role_required
from appwarden.platform.registry.models import Store, StoreListing


@role_required(ROLE_STORE, *STAFF)
def store_status(request):  # type: ignore[no-untyped-def]
    listings = StoreListing.objects.select_related("store", "app").order_by("store__name", "app__package")
    store = None
    if role_of(request.user) == ROLE_STORE:
        store = request.user.profile.store
        listings = listings.filter(store=store)
    elif request.GET.get("store", "").isdigit():
        store = Store.objects.filter(pk=int(request.GET["store"])).first()
        listings = listings.filter(store=store)
    packages = {item.app.package for item in listings}
    latest: dict[str, Attestation] = {}
    for att in Attestation.objects.filter(package__in=packages).order_by("issued_at", "id"):
        latest[att.package] = att  # the newest attestation of each app
    rows = [{"listing": item, "attestation": latest.get(item.app.package)} for item in listings]
    return render(request, "attestation/store.html", {"rows": rows, "store": store})
