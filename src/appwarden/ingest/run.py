"""Pull what a store offers into a local directory and classify each APK (new app, new version, signer change or
key rotation)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from appwarden.errors import AppwardenError
from appwarden.ingest.base import Connector
from appwarden.ingest.state import Change, IngestState, verified_lineage


def ingest(connector: Connector, dest: Path, state: IngestState) -> Iterator[Change | tuple[str, str]]:
    """Fetch every listing not yet known into ``dest``; yield a Change per APK or ``(source, error)``."""
    from appwarden.apk import open_apk

    dest.mkdir(parents=True, exist_ok=True)
    known_shas = {v["sha256"] for entry in state.data.values() for v in entry.get("versions", {}).values()}
    for listing in connector.listings():
        if listing.sha256 and listing.sha256.lower() in known_shas:
            continue  # already ingested: the store's hash is enough to skip the download
        try:
            path = connector.fetch(listing, dest)
            apk = open_apk(path)
        except AppwardenError as exc:
            yield listing.source, str(exc)
            continue
        info = apk.app_info()
        signers = [s.sha256 for s in info.signers]
        # an unverified lineage proves nothing: a changed signer then stays a change
        lineage = verified_lineage(info)
        change = state.observe(info.package, info.version_code, info.sha256, signers, lineage)
        change.path, change.store = str(path), connector.name
        state.save()
        yield change
