"""Round-nine detectors (issue #23): how the stubs that the earlier rounds missed keep their real code out of sight.

Each function is a detector of :mod:`appwarden.screening.detectors` (registered there): ``run(ctx, params) ->
[evidence item]``; an empty list means the indicator does not fire. Both need the app's code index (an app whose
DEX could not be read is left out) and skip apps a known packer (加固) protects: their stubs do this by design and
other indicators speak about them.

* :func:`payload_blob_asset` - an asset without a file extension whose bytes are random-looking (encrypted or
  compressed, no known file format) and large, in an app whose own code loads code or a native library or calls
  methods by reflection: the payload of a loader stub, decrypted at run time.
* :func:`loader_classless_components` - the app's own code builds a DEX class loader and several components the
  manifest declares have no class in the APK: the classes Android will start come from the code that loader
  brings in.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from typing import Any

from appwarden.errors import AppwardenError
from appwarden.screening.content import ScreenContext

Item = dict[str, Any]

ENTROPY_BYTES = 65536
"""How many leading bytes of an asset :func:`byte_entropy` is computed on (inflated from at most 128 KiB)."""

_PLATFORM_PACKAGES = ("android.", "com.android.internal.", "java.", "javax.", "dalvik.")

# leading bytes of file formats that are random-looking by nature (compressed media, archives, databases, models)
_KNOWN_MAGICS = (
    b"PK\x03\x04",  # zip, jar, apk
    b"\x1f\x8b",  # gzip
    b"7z\xbc\xaf",
    b"\xfd7zXZ",  # xz
    b"BZh",
    b"\x28\xb5\x2f\xfd",  # zstd
    b"\x04\x22\x4d\x18",  # lz4 frame
    b"Rar!",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"BM",
    b"RIFF",  # webp, wav, avi
    b"OggS",
    b"ID3",
    b"\xff\xfb",  # mp3 frames
    b"\xff\xf3",
    b"\xff\xf1",  # aac adts
    b"\xff\xf9",
    b"fLaC",
    b"\x00\x01\x00\x00",  # truetype
    b"OTTO",
    b"wOFF",
    b"wOF2",
    b"ttcf",
    b"%PDF",
    b"SQLite format 3",
    b"UnityFS",
    b"UnityWeb",
    b"UnityRaw",
    b"\x7fELF",
    b"dex\n",
    b"\xab\x4b\x54\x58",  # ktx
    b"PKM ",
    b"\x13\xab\xa1\x5c",  # astc
    b"\x1a\x45\xdf\xa3",  # matroska/webm
    b"\xca\xfe\xba\xbe",  # java class
)


def byte_entropy(data: bytes) -> float:
    """Shannon entropy of ``data`` in bits per byte (0.0 for no data; at most 8.0)."""
    if not data:
        return 0.0
    n = len(data)
    return -sum(c / n * math.log2(c / n) for c in Counter(data).values())


def _known_format(head: bytes) -> bool:
    if head.startswith(_KNOWN_MAGICS):
        return True
    # ISO media (mp4, m4a, 3gp, heif): "ftyp" at offset 4; TensorFlow Lite: "TFL3" at offset 4
    return head[4:8] in (b"ftyp", b"TFL3")


def _lead_bytes(ctx: ScreenContext, name: str, size: int) -> bytes:
    """The first :data:`ENTROPY_BYTES` bytes of asset ``name`` (stored or deflated; b"" if unreadable)."""
    archive = ctx.apk.archive
    try:
        entry = archive.info(name)
        buf = archive.buffer
        pos = entry.local_header_offset
        if bytes(buf[pos : pos + 4]) != b"PK\x03\x04":
            return b""
        nlen = int.from_bytes(bytes(buf[pos + 26 : pos + 28]), "little")
        xlen = int.from_bytes(bytes(buf[pos + 28 : pos + 30]), "little")
        start = pos + 30 + nlen + xlen
        if entry.method == 0:
            return bytes(buf[start : start + min(ENTROPY_BYTES, size)])
        if entry.method == 8:
            raw = bytes(buf[start : start + min(int(entry.compressed_size), 2 * ENTROPY_BYTES)])
            return zlib.decompressobj(-15).decompress(raw, ENTROPY_BYTES)
    except (AppwardenError, KeyError, AttributeError, ValueError, IndexError, zlib.error):
        return b""
    return b""


def _app_calls(ctx: ScreenContext, params: dict[str, Any]) -> list[Any]:
    """The app's own call sites of ``params["loaders"]``, without those in ``params["skip_callers"]`` (class-name
    prefixes of build-tool code that ships inside debug builds, such as Android Studio's Instant Run runtime)."""
    if ctx.code is None:
        return []
    skip = tuple(params.get("skip_callers") or ())
    return [
        r
        for r in ctx.code.invokes(list(params["loaders"]), through_app_subclasses=True)
        if ctx.is_app_code(r.caller) and not (skip and r.caller.startswith(skip))
    ]


def _site(ref: Any) -> Item:
    return {"caller": ref.caller, "api": ref.target, "dex": ref.dex, "offset": int(ref.offset)}


def _dex_refused(ctx: ScreenContext) -> bool:
    return any(e.stage == "dex" and e.path for e in ctx.static.errors)


def payload_blob_asset(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """Assets that look like an encrypted payload, in an app whose own code calls one of ``loaders``.

    An asset counts when its file name (the part after the last ``/``) has no extension, it holds at least
    ``min_size`` bytes (default 16384), its leading bytes match no known file format (archives, images, media,
    fonts, databases, Unity bundles, models, ELF, DEX ...), it lies under none of ``skip_prefixes`` (engine data
    folders), and the entropy of its first :data:`ENTROPY_BYTES` bytes is at least ``min_entropy`` bits per byte
    (default 7.75: encrypted or compressed bytes reach 7.8-8.0 over 64 KiB; text, tables, code and uncompressed
    media stay far below).
    Items: up to three such assets (path, size, entropy, first bytes) and one call site of a loader (calls in
    ``skip_callers``, build-tool code of debug builds, do not count). Apps a known packer protects, apps without a
    code index and apps without such a call are left out."""
    if ctx.code is None or ctx.apk is None or ctx.static.app.packer:
        return []
    min_size = int(params.get("min_size", 16384))
    min_entropy = float(params.get("min_entropy", 7.75))
    skip = tuple(params.get("skip_prefixes") or ())
    blobs: list[Item] = []
    for name, head in ctx.asset_heads:
        base = name.rsplit("/", 1)[-1]
        if not base or "." in base or name.startswith(skip) or _known_format(head):
            continue
        size = ctx._size(name)
        if size < min_size:
            continue
        lead = _lead_bytes(ctx, name, size)
        if len(lead) < min(size, ENTROPY_BYTES):
            continue
        entropy = byte_entropy(lead)
        if entropy >= min_entropy:
            blobs.append({"path": name, "size": size, "entropy": round(entropy, 3), "head": head[:8].hex()})
            if len(blobs) >= 3:
                break
    if not blobs:
        return []
    calls = _app_calls(ctx, params)
    if not calls:
        return []
    return [*blobs, _site(calls[0])]


def loader_classless_components(ctx: ScreenContext, params: dict[str, Any]) -> list[Item]:
    """The app's own code (not ``skip_callers``) calls one of ``loaders`` (DEX class-loader constructors) and at least ``min_missing``
    (default 3) activities, services, receivers or providers of the manifest have no class in any DEX of the APK.

    Activity aliases (which name no class), components named in the platform's packages (their class is on the
    device) and components in a known SDK's namespace (an SDK's manifest entries merged in without its classes) are
    not counted. Apps a known packer protects, apps without a code index and apps with a DEX the engine
    refused (the class may be in it) are left out. Items: up to five class-less components (name, kind), each with
    ``components_without_class`` ("n of m"), and one class-loader call site."""
    if ctx.manifest is None or ctx.code is None or ctx.static.app.packer or _dex_refused(ctx):
        return []
    min_missing = int(params.get("min_missing", 3))
    classes = ctx.code.classes
    counted = [c for c in ctx.manifest.components if c.kind != "activity-alias" and c.name]
    missing = []
    for c in counted:
        desc = "L" + c.name.replace(".", "/") + ";"
        # a known SDK's entry merged in without its classes (a demo, a stale library) says nothing about the app
        if desc not in classes and not c.name.startswith(_PLATFORM_PACKAGES) and ctx.is_app_code(desc):
            missing.append(c)
    if len(missing) < min_missing:
        return []
    calls = _app_calls(ctx, params)
    if not calls:
        return []
    share = f"{len(missing)} of {len(counted)}"
    items: list[Item] = [
        {"component": c.name, "kind": c.kind, "components_without_class": share} for c in missing[:5]
    ]
    return [*items, _site(calls[0])]


def check_payload_blob(params: dict[str, Any]) -> str | None:
    """Parameter check of :func:`payload_blob_asset` (the loader's message for a bad YAML entry, else None)."""
    loaders = params.get("loaders")
    if not isinstance(loaders, list) or not loaders or not all(isinstance(v, str) and v for v in loaders):
        return "loaders must be a non-empty list of strings"
    for key in ("skip_prefixes", "skip_callers"):
        skip = params.get(key, [])
        if not isinstance(skip, list) or not all(isinstance(v, str) and v for v in skip):
            return f"{key} must be a list of strings"
    size = params.get("min_size", 16384)
    if not isinstance(size, int) or isinstance(size, bool) or size < 1024:
        return "min_size must be an integer of at least 1024"
    entropy = params.get("min_entropy", 7.75)
    if not isinstance(entropy, (int, float)) or isinstance(entropy, bool) or not 7.0 <= float(entropy) <= 8.0:
        return "min_entropy must be a number from 7.0 to 8.0"
    return None


def check_classless(params: dict[str, Any]) -> str | None:
    """Parameter check of :func:`loader_classless_components`."""
    loaders = params.get("loaders")
    if not isinstance(loaders, list) or not loaders or not all(isinstance(v, str) and v for v in loaders):
        return "loaders must be a non-empty list of strings"
    skip = params.get("skip_callers", [])
    if not isinstance(skip, list) or not all(isinstance(v, str) and v for v in skip):
        return "skip_callers must be a list of strings"
    n = params.get("min_missing", 3)
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        return "min_missing must be a positive integer"
    return None


__all__ = [
    "ENTROPY_BYTES",
    "byte_entropy",
    "check_classless",
    "check_payload_blob",
    "loader_classless_components",
    "payload_blob_asset",
]
