"""The connector interface."""

from __future__ import annotations

import hashlib
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from appwarden.errors import InputError

MAX_DOWNLOAD = 2 * 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Listing:
    """One APK a store offers."""

    store: str
    package: str | None
    version_code: int | None
    version_name: str | None
    source: str  # URL or local path of the APK
    sha256: str | None = None  # as published by the store, verified on fetch
    signer_sha256: str | None = None  # as published by the store (if any)
    size: int | None = None


class Connector(Protocol):
    name: str

    def listings(self) -> Iterator[Listing]:
        """Every APK the store currently offers."""
        ...

    def fetch(self, listing: Listing, dest_dir: Path) -> Path:
        """Copy/download the APK into ``dest_dir`` and return its path (sha256-verified when published)."""
        ...


def copy_verified(source: str, dest: Path, expected_sha256: str | None, timeout: float = 60.0) -> Path:
    """Copy a local path or http(s) URL to ``dest``, checking size bound and the published sha256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    digest = hashlib.sha256()
    total = 0
    try:
        if source.startswith(("http://", "https://")):
            fh = urllib.request.urlopen(source, timeout=timeout)
        else:
            fh = open(source, "rb")  # noqa: SIM115
        with fh, tmp.open("wb") as out:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                total += len(chunk)
                if total > MAX_DOWNLOAD:
                    raise InputError(f"{source}: larger than {MAX_DOWNLOAD} bytes")
                digest.update(chunk)
                out.write(chunk)
    except (OSError, urllib.error.URLError) as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot fetch {source}: {getattr(exc, 'reason', None) or exc}") from None
    except InputError:
        tmp.unlink(missing_ok=True)
        raise
    if expected_sha256 and digest.hexdigest() != expected_sha256.lower():
        tmp.unlink(missing_ok=True)
        raise InputError(
            f"{source}: sha256 mismatch (store says {expected_sha256}, got {digest.hexdigest()})"
        )
    shutil.move(str(tmp), dest)
    return dest
