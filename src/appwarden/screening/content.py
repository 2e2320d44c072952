"""What the screening detectors read besides the code index: text blobs and asset heads, bounded and lazy.

Contract: :class:`ScreenContext` wraps one app's :class:`~appwarden.evidence.StaticEvidence` and, when given, the
opened :class:`~appwarden.apk.Apk`. Nothing is executed; entries are read only through the APK reader (its size,
ratio and total limits apply) and each text source is capped (:data:`MAX_TEXT_FILES`, :data:`MAX_TEXT_BYTES`).
Asset heads are read from the zip's local data without inflating whole entries. Unreadable entries are skipped and
noted in ``notes`` (they become report ``errors`` with stage ``screening``).
"""

from __future__ import annotations

import re
import struct
import zlib
from functools import cached_property
from typing import Any

from appwarden.errors import AppwardenError
from appwarden.evidence import Evidence, StaticEvidence

MAX_TEXT_FILES = 400  # layouts or bundled HTML files read per app
MAX_TEXT_BYTES = 8 * 1024 * 1024  # per text source kind
MAX_TEXT_FILE = 4 * 1024 * 1024  # a larger layout or HTML file is skipped (noted)
MAX_ASSETS = 2000  # asset heads read per app
MAX_NESTED_ZIPS = 50  # zip assets opened to look for an APK/JAR inside
MAX_NESTED_ZIP = 16 * 1024 * 1024
HEAD = 64
_LAYOUT = re.compile(r"^res/layout[^/]*/[^/]+\.xml$")
_HTML = re.compile(r"^assets/.+\.(?:html?|js)$", re.IGNORECASE)
_LFH = struct.Struct("<4sHHHHHIIIHH")


class ScreenContext:
    """One app as the detectors see it (see the module docstring)."""

    def __init__(self, static: StaticEvidence, apk: Any = None) -> None:
        self.static = static
        self.apk = apk
        self.code = static.code
        self.manifest = static.manifest
        self.notes: list[str] = []
        self._owners: dict[str, bool] = {}
        self._nested = 0

    # -- code ownership ----------------------------------------------------------------------------------------

    def is_app_code(self, method_or_class: str) -> bool:
        """True for code the app itself ships and no known SDK or platform library owns (malware hides there)."""
        from appwarden.dex.api_index import is_platform_library
        from appwarden.rules.static_support import owner_of

        cls = method_or_class.split("->", 1)[0]
        known = self._owners.get(cls)
        if known is None:
            known = not is_platform_library(cls) and owner_of(Evidence(static=self.static), cls) == "host"
            self._owners[cls] = known
        return known

    @cached_property
    def permissions(self) -> set[str]:
        return set(self.manifest.permissions) if self.manifest is not None else set()

    @cached_property
    def launcher_activities(self) -> set[str]:
        """Dotted names of activities (and aliases, with their targets) that show a launcher icon."""
        names: set[str] = set()
        for comp in self.manifest.components if self.manifest is not None else []:
            if comp.kind not in ("activity", "activity-alias"):
                continue
            for flt in comp.intent_filters:
                if (
                    "android.intent.action.MAIN" in flt.actions
                    and "android.intent.category.LAUNCHER" in flt.categories
                ):
                    names.add(comp.name)
                    if comp.target_activity:
                        names.add(comp.target_activity)
        return names

    # -- text --------------------------------------------------------------------------------------------------

    def _read(self, name: str) -> bytes | None:
        if self.apk is None:
            return None
        try:
            return bytes(self.apk.read(name))
        except AppwardenError as exc:
            self.notes.append(f"{name}: not read for screening: {exc}")
            return None

    def _blobs(self, pattern: re.Pattern[str]) -> list[tuple[str, bytes]]:
        out: list[tuple[str, bytes]] = []
        total = 0
        for name in self.static.entry_names:
            if not pattern.match(name):
                continue
            if len(out) >= MAX_TEXT_FILES or total >= MAX_TEXT_BYTES:
                self.notes.append(f"text sources capped at {len(out)} files matching {pattern.pattern}")
                break
            if self._size(name) > MAX_TEXT_FILE:
                self.notes.append(
                    f"{name}: over {MAX_TEXT_FILE // (1024 * 1024)} MB, not searched for screening"
                )
                continue
            data = self._read(name)
            if data:
                out.append((name, data))
                total += len(data)
        return out

    @cached_property
    def text_blobs(self) -> list[tuple[str, str, bytes]]:
        """``(source kind, entry, lower-cased bytes)`` for resources.arsc, compiled layouts and bundled HTML/JS.

        Compiled XML string pools hold UTF-8 or UTF-16LE; search both encodings (:meth:`find_text`)."""
        blobs: list[tuple[str, str, bytes]] = []
        if "resources.arsc" in self.static.entry_names:
            data = self._read("resources.arsc")
            if data:
                blobs.append(("resources", "resources.arsc", data.lower()))
        blobs += [("layout", n, d.lower()) for n, d in self._blobs(_LAYOUT)]
        blobs += [("html", n, d.lower()) for n, d in self._blobs(_HTML)]
        return blobs

    def find_text(self, terms: list[str]) -> dict[str, list[dict[str, Any]]]:
        """For each term found anywhere in the app's text: where (first few places). Case-insensitive for ASCII.

        Sources: ``const-string`` literals of the bytecode (with their method) and :attr:`text_blobs`."""
        found: dict[str, list[dict[str, Any]]] = {}
        if self.code is not None and terms:
            variants: dict[str, str] = {}
            for t in terms:
                for v in {t, t.lower(), t.capitalize(), t.upper()}:
                    variants[v] = t
            for ref in self.code.strings_containing(list(variants)):
                value = str(ref.target)
                low = value.lower()
                for t in terms:
                    if t.lower() in low:
                        places = found.setdefault(t, [])
                        if len(places) < 3:
                            places.append(
                                {"source": "dex", "caller": ref.caller, "dex": ref.dex, "text": value[:120]}
                            )
        for kind, name, blob in self.text_blobs:
            for t in terms:
                low = t.lower()
                if low.encode("utf-8") in blob or low.encode("utf-16-le") in blob:
                    places = found.setdefault(t, [])
                    if len(places) < 3:
                        places.append({"source": kind, "path": name})
        return found

    # -- assets ------------------------------------------------------------------------------------------------

    @cached_property
    def asset_heads(self) -> list[tuple[str, bytes]]:
        """The first :data:`HEAD` bytes of each asset (at most :data:`MAX_ASSETS`), read without inflating it all."""
        if self.apk is None:
            return []
        out: list[tuple[str, bytes]] = []
        for name in self.static.assets[:MAX_ASSETS]:
            head = self._head(name)
            if head:
                out.append((name, head))
        if len(self.static.assets) > MAX_ASSETS:
            self.notes.append(
                f"only the first {MAX_ASSETS} of {len(self.static.assets)} assets were screened"
            )
        return out

    def _head(self, name: str) -> bytes | None:
        archive = self.apk.archive
        try:
            entry = archive.info(name)
            buf = archive.buffer
            pos = entry.local_header_offset
            sig, *_rest, nlen, xlen = _LFH.unpack_from(buf, pos)
            if sig != b"PK\x03\x04":
                return None
            start = pos + _LFH.size + nlen + xlen
            if entry.method == 0:
                return bytes(buf[start : start + min(HEAD, entry.uncompressed_size)])
            if entry.method == 8:
                raw = bytes(buf[start : start + min(entry.compressed_size, 4096)])
                return zlib.decompressobj(-15).decompress(raw, HEAD)
        except (AppwardenError, KeyError, struct.error, zlib.error, ValueError, IndexError):
            self.notes.append(f"{name}: asset head not readable")
        return None

    def _size(self, name: str) -> int:
        try:
            return int(self.apk.archive.info(name).uncompressed_size)
        except (AppwardenError, KeyError, AttributeError):
            return 0

    def entry_contains(self, name: str, needles: list[bytes]) -> bool:
        """Whether a zip asset contains any of the byte strings (e.g. an APK inside an asset). Bounded: at most
        :data:`MAX_NESTED_ZIPS` entries of at most :data:`MAX_NESTED_ZIP` bytes each are read (others noted)."""
        self._nested += 1
        if self._nested > MAX_NESTED_ZIPS or self._size(name) > MAX_NESTED_ZIP:
            self.notes.append(f"{name}: zip asset not opened for screening (over the bounds)")
            return False
        data = self._read(name)
        return bool(data) and any(n in data for n in needles)  # type: ignore[operator]
