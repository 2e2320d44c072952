"""Store connectors: where APKs come from (``appwarden ingest``).

A connector lists what a store offers (:class:`Listing`) and fetches an APK into a local directory, verifying its
sha256 when the store publishes one. :class:`~appwarden.ingest.state.IngestState` remembers every (package,
version code, signer) seen, so a new version of a known app is detected and a changed signer is flagged
(a changed signing certificate is how a repackaged or hijacked app shows up in a store).

Implementations: :mod:`.directory` (a drop directory), :mod:`.fdroid` (an F-Droid repository, index-v1 or
index-v2, over HTTP or a local path), :mod:`.platform_api` (the platform's own upload API).
"""

from appwarden.ingest.base import Connector, Listing

__all__ = ["Connector", "Listing"]
