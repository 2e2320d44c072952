"""A drop directory as a store: every file in it (recursively) is offered; metadata is read from the APK."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from appwarden.batch import discover
from appwarden.ingest.base import Listing, copy_verified


class DirectoryConnector:
    """APKs dropped into a directory (e.g. by an upload portal or a crawler)."""

    name = "directory"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def listings(self) -> Iterator[Listing]:
        for path, error in discover([self.root]):
            if error is None:
                yield Listing(self.name, None, None, None, path)

    def fetch(self, listing: Listing, dest_dir: Path) -> Path:
        return copy_verified(listing.source, dest_dir / Path(listing.source).name, listing.sha256)
