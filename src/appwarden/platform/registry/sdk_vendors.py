"""Link the SDK knowledge base's vendor names to :class:`SdkVendor` rows (issue #21.1).

The engine attributes findings to an SDK id (a finding's ``owner``); the knowledge base names each SDK's vendor
(``SdkRecord.vendor``, usually the Chinese company name). :func:`sync_from_kb` makes every KB SDK id whose vendor
is named belong to the ``SdkVendor`` of that name, so the SDK vendor pages and the ``sdk_vendor`` role reach it.

Contract:

- idempotent: a second run changes nothing;
- additive: it creates vendors and appends SDK ids, never deletes a vendor or removes an id;
- a regulator's assignment wins: an SDK id already listed by any vendor is left where it is;
- vendors named ``unknown`` (or empty) in the KB are skipped.

Run by ``appwarden serve`` and ``appwarden demo-data`` at start (after migrations) and on demand by
``appwarden platform-sdk-vendors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from appwarden.platform.registry.models import SdkVendor

UNNAMED = {"", "unknown", "未知"}


@dataclass
class SyncResult:
    """What one sync did: vendors created, SDK ids linked, KB SDKs without a named vendor."""

    created: int = 0
    linked: int = 0
    unnamed: int = 0


def kb_vendor_map(kb: Any = None) -> dict[str, list[str]]:
    """``{vendor name: [sdk ids, sorted]}`` of the knowledge base (default: ``load_kb()``), named vendors only."""
    if kb is None:
        from appwarden.sdk.kb import load_kb

        kb = load_kb()
    out: dict[str, list[str]] = {}
    for record in kb:
        name = (record.vendor or "").strip()
        if name.lower() in UNNAMED:
            continue
        out.setdefault(name[:200], []).append(record.id)
    return {name: sorted(ids) for name, ids in sorted(out.items())}


@transaction.atomic
def sync_from_kb(kb: Any = None) -> SyncResult:
    """Create/extend ``SdkVendor`` rows from the KB's vendor names (see the module contract)."""
    if kb is None:
        from appwarden.sdk.kb import load_kb

        kb = load_kb()
    records = list(kb)
    result = SyncResult(unnamed=sum(1 for r in records if (r.vendor or "").strip().lower() in UNNAMED))
    mapping = kb_vendor_map(records)
    vendors = {v.name: v for v in SdkVendor.objects.select_for_update()}
    assigned = {s for v in vendors.values() for s in (v.sdk_ids or []) if isinstance(s, str)}
    for name, ids in mapping.items():
        new_ids = [i for i in ids if i not in assigned]
        if not new_ids:
            continue
        vendor = vendors.get(name)
        if vendor is None:
            vendor = SdkVendor.objects.create(name=name, sdk_ids=[])
            vendors[name] = vendor
            result.created += 1
        vendor.sdk_ids = list(vendor.sdk_ids or []) + new_ids
        vendor.save(update_fields=["sdk_ids"])
        assigned.update(new_ids)
        result.linked += len(new_ids)
    return result


__all__ = ["SyncResult", "kb_vendor_map", "sync_from_kb"]
