"""The APK reader: one call, :func:`open_apk`, gives everything the engine needs from an APK except its code.

Contract (see ``docs/architecture.md``): ``open_apk(path, limits=DEFAULT_LIMITS) -> Apk``. It raises
:class:`~appwarden.errors.InputError` when the path is missing, a directory or unreadable;
:class:`~appwarden.errors.ApkFormatError` (or a subclass) when the file is not an APK Android would open (not a zip,
empty, truncated, no ``AndroidManifest.xml``, unreadable manifest); :class:`~appwarden.errors.LimitExceeded` for
hostile sizes. Everything else that cannot be read (signature blocks, ``resources.arsc``, the network security
config, zip oddities) becomes an :class:`~appwarden.evidence.ErrorNote` in ``Apk.errors`` and the APK still opens.

The file is read once; the zip central directory, the manifest, ``resources.arsc`` (index only), the network
security config (``Manifest.network_security``, see :mod:`appwarden.apk.netsec`) and the signatures are parsed at
open; DEX entries are inflated only when :meth:`Apk.read` asks for them. Cryptographic signature
verification is on demand: :meth:`Apk.verify_signatures`.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
from pathlib import Path
from typing import Any

from appwarden.apk.archive import EntryNotFoundError, ZipArchive, ZipEntry
from appwarden.apk.arsc import ResourceTable
from appwarden.apk.manifest import parse_manifest
from appwarden.apk.model import Manifest
from appwarden.apk.signing import SigningInfo, read_signing
from appwarden.errors import ApkFormatError, AppwardenError, InputError, LimitExceeded
from appwarden.evidence import AppInfo, ErrorNote
from appwarden.limits import DEFAULT_LIMITS, Limits, check_deadline, open_regular_file

__all__ = [
    "Apk",
    "EntryNotFoundError",
    "Manifest",
    "SigningInfo",
    "ZipArchive",
    "ZipEntry",
    "dex_load_order",
    "open_apk",
]

MANIFEST = "AndroidManifest.xml"
ARSC = "resources.arsc"
_NATIVE = re.compile(r"^lib/[^/]+/[^/]+\.so$")
_DEX = re.compile(r"classes\d*\.dex")


def dex_load_order(names: list[str] | set[str]) -> list[str]:
    """``classes.dex``, ``classes2.dex``, ``classes3.dex`` ... as Android loads them: stop at the first gap."""
    present = set(names)
    order: list[str] = []
    if "classes.dex" not in present:
        return order
    order.append("classes.dex")
    i = 2
    while f"classes{i}.dex" in present:
        order.append(f"classes{i}.dex")
        i += 1
    return order


class Apk:
    """An opened APK (see the module docstring). Use :func:`open_apk` to build one."""

    def __init__(
        self, path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS, sha256: str | None = None
    ) -> None:
        self.path = path
        self.size = len(data)
        self.limits = limits
        self.sha256 = sha256 or hashlib.sha256(data).hexdigest()
        self.errors: list[ErrorNote] = []
        self.archive = ZipArchive(data, limits)
        self.entry_names: list[str] = list(self.archive.names)
        self.dex_names: list[str] = dex_load_order(self.entry_names)
        extra_dex = sorted(
            n
            for n in self.entry_names
            if n.startswith("classes") and _DEX.fullmatch(n) and n not in self.dex_names
        )
        if extra_dex:
            self.errors.append(
                ErrorNote(
                    "apk", f"DEX entries Android does not load (gap in numbering): {', '.join(extra_dex)}"
                )
            )
        first_local = min((e.local_header_offset for e in self.archive.entries.values()), default=0)
        if first_local > 0:
            head = bytes(data[:8])
            what = (
                " (a DEX header: Janus-style DEX/APK polyglot, CVE-2017-13156)"
                if head.startswith(b"dex\n")
                else ""
            )
            self.errors.append(ErrorNote("apk", f"{first_local} bytes before the first zip entry{what}"))
        self.native_libs: list[str] = [n for n in self.entry_names if _NATIVE.match(n)]
        self.assets: list[str] = [
            n for n in self.entry_names if n.startswith("assets/") and not n.endswith("/")
        ]
        if MANIFEST not in self.archive:
            raise ApkFormatError("not an APK: the zip has no AndroidManifest.xml")
        self.resources: ResourceTable | None = self._load_resources()
        manifest_bytes = self.archive.read(MANIFEST, max_size=limits.max_manifest_size)
        self.manifest: Manifest = parse_manifest(manifest_bytes, self.resources)
        for msg in self.manifest.notes:
            self.errors.append(ErrorNote("manifest", msg, MANIFEST))
        if self.manifest.network_security_config:  # few apps have one: its parser is imported only then
            from appwarden.apk.netsec import read_network_security_config

            self.manifest.network_security, nsc_notes = read_network_security_config(
                self.archive, self.manifest, self.resources
            )
            self.errors.extend(nsc_notes)
        self.signing: SigningInfo = read_signing(self.archive)
        self.errors.extend(self.signing.notes)
        self.errors[:0] = list(self.archive.notes)  # zip notes first; later reads may add more (see read())

    def read_mapped(self, name: str) -> bytes | mmap.mmap:
        """Like :meth:`read`, but a large entry comes back as a read-only ``mmap`` of an unlinked temporary file
        (:meth:`ZipArchive.read_mapped`): what the DEX engine reads DEX files with, so their pages can be given back
        between the scan's stages."""
        before = len(self.archive.notes)
        cap = self.limits.max_dex_size if name.endswith(".dex") else None
        try:
            return self.archive.read_mapped(name, max_size=cap)
        finally:
            self.errors.extend(self.archive.notes[before:])

    def _load_resources(self) -> ResourceTable | None:
        if ARSC not in self.archive:
            return None
        try:
            return ResourceTable(self.archive.read(ARSC, max_size=self.limits.max_arsc_size))
        except AppwardenError as exc:
            self.errors.append(ErrorNote("arsc", str(exc), ARSC))
            return None

    def read(self, name: str) -> bytes:
        """Uncompressed bytes of one entry, bounded by the limits (DEX entries also by ``max_dex_size``).

        Raises ``EntryNotFoundError``/``ApkFormatError``/``LimitExceeded``; zip oddities met while reading are
        appended to ``errors``."""
        before = len(self.archive.notes)
        cap = self.limits.max_dex_size if name.endswith(".dex") else None
        try:
            return self.archive.read(name, max_size=cap)
        finally:
            self.errors.extend(self.archive.notes[before:])

    def __contains__(self, name: object) -> bool:
        return name in self.archive

    def verify_signatures(self) -> dict[str, bool | None]:
        """Verify the signatures cryptographically (see :mod:`appwarden.apk.verify`; not done at open because it
        hashes the whole file and every v1-signed entry). Stores the result in ``signing.verified``, adds one
        ``ErrorNote`` per failed or undecided scheme, and returns ``{scheme: True | False | None}``."""
        if not self.signing.verified and self.signing.schemes:
            from appwarden.apk.verify import verify_signatures

            result, reasons = verify_signatures(self.archive, self.signing.schemes)
            self.signing.verified = result
            self.errors.extend(ErrorNote("signing", reason) for reason in reasons)
        return dict(self.signing.verified)

    def verify_rotation(self) -> bool | None:
        """Whether the key-rotation lineage (``signing.lineage``) can be trusted: the block carrying it verifies and
        every level is signed by the one before (:func:`appwarden.apk.verify.verify_lineage`). None without a
        lineage or when undecidable; a reason is added to ``errors`` when not True."""
        scheme = self.signing.lineage_scheme
        if scheme is None:
            return None
        if not self.signing.lineage_checked:
            from appwarden.apk.verify import verify_lineage

            ok, reason = verify_lineage(self.archive, scheme)
            if reason:
                self.errors.append(ErrorNote("signing", reason))
            self.signing.lineage_verified, self.signing.lineage_checked = ok, True
        return self.signing.lineage_verified

    def app_info(self) -> AppInfo:
        m = self.manifest
        return AppInfo(
            sha256=self.sha256,
            package=m.package,
            version_name=m.version_name,
            version_code=m.version_code,
            min_sdk=m.min_sdk,
            target_sdk=m.target_sdk,
            label=m.label,
            signers=list(self.signing.signers),
            signing_schemes=list(self.signing.schemes),
            signing_lineage=list(self.signing.lineage),
            # verified when there is one (rare): hashes the APK once, as the block's content digest requires
            signing_lineage_verified=self.verify_rotation(),
            size=self.size,
            dex_count=len(self.dex_names),
        )

    def close(self) -> None:
        """Nothing to release (the file is read once at open); kept for ``with`` use."""

    def __enter__(self) -> Apk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Apk {self.manifest.package} {self.sha256[:12]} {self.path}>"


MMAP_THRESHOLD = 8 * 1024 * 1024
"""APKs larger than this are mapped (``mmap``, file-backed pages the kernel can drop) instead of read into memory;
the pages of an entry are dropped again once it is read (``ZipArchive._release``)."""


def open_apk(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> Apk:
    """Open and parse an APK; see the module docstring for what raises and what is only noted.

    Only a regular file is read (a named pipe, a socket, a device such as a link to ``/dev/zero``, or a directory
    is an :class:`InputError`, refused without blocking), and its size is checked against ``max_apk_size`` before a
    byte is read. Files over :data:`MMAP_THRESHOLD` are memory-mapped rather than copied into the heap.
    """
    p = Path(path)
    if not os.path.lexists(p):
        raise InputError(f"no such file: {p}")
    try:
        fh, size = open_regular_file(p, limits.max_apk_size, "APK")
    except LimitExceeded as exc:
        raise LimitExceeded(f"{exc} (max_apk_size)") from None
    digest = None
    with fh:
        try:
            if size > MMAP_THRESHOLD:
                digest = _hash_stream(fh)  # through a small buffer: the mapping is touched only where parsed
                data: bytes | mmap.mmap = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            else:
                data = fh.read(size + 1)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read {p}: {getattr(exc, 'strerror', None) or exc}") from None
    if len(data) != size:
        raise InputError(f"cannot read {p}: the file changed size while being read")
    return Apk(p, data, limits, sha256=digest)  # type: ignore[arg-type]


def _hash_stream(fh: Any) -> str:
    """SHA-256 of an open file read in 1 MiB chunks, checking the stage deadline between chunks."""
    h = hashlib.sha256()
    while chunk := fh.read(1024 * 1024):
        h.update(chunk)
        check_deadline()
    fh.seek(0)
    return h.hexdigest()
