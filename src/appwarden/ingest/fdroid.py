"""An F-Droid-format repository: ``index-v2.json`` (via ``entry.json``), ``index-v1.json`` or ``index-v1.jar``.

The repository address is a base URL (``http://127.0.0.1:8000/repo``) or a local directory. APK file names are
relative to it; the index publishes each APK's sha256 (verified on fetch) and its signer's certificate sha256.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from appwarden.errors import InputError
from appwarden.ingest.base import Listing, copy_verified
from appwarden.limits import read_regular_file

MAX_INDEX = 256 * 1024 * 1024


class FDroidConnector:
    name = "fdroid"

    def __init__(self, address: str, timeout: float = 60.0) -> None:
        self.address = address.rstrip("/")
        self.timeout = timeout

    def _read(self, name: str) -> bytes | None:
        location = f"{self.address}/{name}"
        try:
            if location.startswith(("http://", "https://")):
                with urllib.request.urlopen(location, timeout=self.timeout) as fh:
                    return fh.read(MAX_INDEX + 1)
            path = Path(location)
            # size-checked before a byte is read: an index over MAX_INDEX is one line, never read into memory
            return read_regular_file(path, MAX_INDEX, "F-Droid index") if path.is_file() else None
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise InputError(f"cannot read {location}: HTTP {exc.code}") from None
        except (OSError, urllib.error.URLError) as exc:
            raise InputError(f"cannot read {location}: {getattr(exc, 'reason', None) or exc}") from None

    def _index(self) -> tuple[int, dict[str, Any]]:
        """(format version, parsed index); tries v2 via entry.json, then v1 JSON, then v1 JAR."""
        entry = self._read("entry.json")
        if entry is not None:
            name = _obj(_json(entry, "entry.json").get("index")).get("name", "/index-v2.json")
            name = name.lstrip("/") if isinstance(name, str) else "index-v2.json"
            data = self._read(name)
            if data is not None:
                return 2, _json(data, name)
        data = self._read("index-v1.json")
        if data is not None:
            return 1, _json(data, "index-v1.json")
        jar = self._read("index-v1.jar")
        if jar is not None:
            try:
                with zipfile.ZipFile(io.BytesIO(jar)) as zf:
                    return 1, _json(zf.read("index-v1.json"), "index-v1.jar")
            except (zipfile.BadZipFile, KeyError) as exc:
                raise InputError(f"{self.address}/index-v1.jar: not a valid index jar ({exc})") from None
        raise InputError(f"{self.address}: no F-Droid index (entry.json, index-v1.json or index-v1.jar)")

    def listings(self) -> Iterator[Listing]:
        """Every APK the index lists. The index is the store's, so untrusted: a package, version or field of the
        wrong JSON type, and a version that names no APK file, is skipped (no APK can be fetched from it)."""
        version, index = self._index()
        packages = index.get("packages")
        if not isinstance(packages, dict):
            raise InputError(f"{self.address}: index has no 'packages' object")
        for package, value in packages.items():
            if version == 1:
                for apk in value if isinstance(value, list) else []:
                    if (
                        not isinstance(apk, dict)
                        or not isinstance(apk.get("apkName"), str)
                        or not apk["apkName"]
                    ):
                        continue
                    yield Listing(
                        self.name,
                        _str(apk.get("packageName")) or package,
                        _int(apk.get("versionCode")),
                        _str(apk.get("versionName")),
                        f"{self.address}/{apk['apkName']}",
                        _str(apk.get("hash")) if apk.get("hashType", "sha256") == "sha256" else None,
                        _str(apk.get("signer")),
                        _int(apk.get("size")),
                    )
            else:
                for ver in _obj(_obj(value).get("versions")).values():
                    file = _obj(_obj(ver).get("file"))
                    name = file.get("name")
                    if not isinstance(name, str) or not name.lstrip("/"):
                        continue
                    manifest = _obj(ver.get("manifest"))
                    signers = _obj(manifest.get("signer")).get("sha256")
                    yield Listing(
                        self.name,
                        package,
                        _int(manifest.get("versionCode")),
                        _str(manifest.get("versionName")),
                        f"{self.address}/{name.lstrip('/')}",
                        _str(file.get("sha256")),
                        _str(signers[0]) if isinstance(signers, list) and signers else None,
                        _int(file.get("size")),
                    )

    def fetch(self, listing: Listing, dest_dir: Path) -> Path:
        name = listing.source.rsplit("/", 1)[-1] or f"{listing.package}_{listing.version_code}.apk"
        return copy_verified(listing.source, dest_dir / name, listing.sha256, self.timeout)


def _json(data: bytes, name: str) -> dict[str, Any]:
    if len(data) > MAX_INDEX:
        raise InputError(f"{name}: index larger than {MAX_INDEX} bytes")
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: nested too deep
        raise InputError(f"{name}: not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise InputError(f"{name}: not a JSON object")
    return value


def _obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (an index field of the wrong type)."""
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    """``value`` when it is a string, else None."""
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
