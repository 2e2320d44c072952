"""A zip reader as tolerant as Android's ``libziparchive``, and as strict about limits as a scanner must be.

Contract: :class:`ZipArchive` takes the whole APK as a buffer (``bytes`` or an ``mmap``), finds the end-of-central-
directory record, parses the central directory and serves entries with :meth:`ZipArchive.read`. Android trusts the
central directory, so this reader does too: method, sizes and local-header offset come from the central directory;
the local header is only used to find where the data starts (its name/extra lengths). Fatal problems (no EOCD, a
central directory outside the file or truncated) raise :class:`~appwarden.errors.ApkFormatError`; oddities Android
tolerates (or that only some versions reject) are recorded as :class:`~appwarden.evidence.ErrorNote` in
``ZipArchive.notes`` and reading goes on:

* EOCD found by scanning back over a comment of up to 64 KiB; trailing garbage after the comment and garbage between
  the central directory and the EOCD are noted, not fatal. Data prepended before the zip (self-extractor style,
  offsets not adjusted) is detected and the offsets shifted, like Info-ZIP does.
* Zip64 EOCD / extra fields are honoured where the 32-bit fields are saturated.
* Duplicate names: recent Android rejects the APK (``kDuplicateEntry``); we record a note and keep the first entry
  (the one ``libziparchive``'s hash lookup returned on the versions that accepted duplicates).
* Names: UTF-8 (flag bit 11 or valid UTF-8 without the flag, as Android reads them), else CP437. Names with ``..``
  components, absolute paths, backslashes, NUL or CR are reported as notes; nothing here ever writes files.
* General-purpose flag bit 0 ("encrypted"): Android ignores it (the "fake encryption" trick that breaks desktop
  tools), so do we, with a note.
* Compression method: ``libziparchive`` (Android 5+) extracts method 0 (stored) and 8 (deflated) and fails on any
  other method (``ExtractToWriter`` leaves ``return_value = -1``), while the older Dalvik-era ``ZipFileRO`` treated
  every method other than "stored" as deflate. We follow the old, more tolerant behaviour: an unknown method is
  inflated as deflate, with a note; if that fails the read raises ``ApkFormatError``. A stored entry whose
  compressed and uncompressed sizes differ is read with the uncompressed size (what ``CopyEntryToWriter`` copies),
  with a note. A local header whose method differs from the central directory's is noted; the central directory
  wins.

Limits (:class:`appwarden.limits.Limits`) are enforced *while* inflating: ``max_entry_size``,
``max_compression_ratio`` (uncompressed/compressed of one entry; not applied below :data:`RATIO_FLOOR` bytes of
output, where a high ratio costs nothing), ``max_total_uncompressed`` (sum over distinct entries read) and
``max_entries``; exceeding one raises :class:`~appwarden.errors.LimitExceeded`. Memory is bounded by the input's
*unique* bytes: an entry whose data overlaps the data of another entry already read (several names sharing one
compressed record, or the overlapping-entries zip bomb where each entry's data contains the next) is refused with
:class:`~appwarden.errors.ApkFormatError` (``read`` of it raises; callers record it and go on), so sixteen
``classesN.dex`` names over one 255 MiB record inflate it once, not sixteen times. Python's ``zipfile`` is not
used: it rejects files Android installs.

Notes are bounded too: a crafted zip with 20,000 odd entries would otherwise give 20,000 report errors. Notes of one
*kind* (the message with its numbers masked; the entry path is not part of it) are kept up to
:data:`MAX_NOTES_PER_KIND`; past that, one summary note per kind (``… and K more of this kind: <message>``, updated
in place as more arrive) carries the count, so nothing is dropped silently.
"""

from __future__ import annotations

import bisect
import contextlib
import mmap
import re
import struct
import typing
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from appwarden.errors import ApkFormatError, LimitExceeded
from appwarden.evidence import ErrorNote
from appwarden.limits import DEFAULT_LIMITS, Limits

try:  # libdeflate: whole-buffer inflate, ~2-3x zlib's speed; without it every entry takes the zlib path
    from deflate import DeflateError as _DeflateError
    from deflate import crc32 as _fast_crc32
    from deflate import deflate_decompress as _fast_decompress
except ImportError:  # pragma: no cover - the package is a dependency; this keeps a broken install scanning
    _fast_decompress = None

MAX_NOTES_PER_KIND = 50  # notes of one kind listed one by one; the rest are counted in one summary note
_DIGITS = re.compile(r"\d+")

EOCD_SIG = b"PK\x05\x06"
CD_SIG = b"PK\x01\x02"
LFH_SIG = b"PK\x03\x04"
ZIP64_LOCATOR_SIG = b"PK\x06\x07"
ZIP64_EOCD_SIG = b"PK\x06\x06"
EOCD_SIZE = 22
MAX_COMMENT = 0xFFFF
CD_ENTRY_SIZE = 46
LFH_SIZE = 30
METHOD_STORED = 0
METHOD_DEFLATED = 8
FLAG_ENCRYPTED = 0x1
FLAG_DATA_DESCRIPTOR = 0x8
FLAG_UTF8 = 0x800
RATIO_FLOOR = 1024 * 1024  # the ratio limit only applies once an entry inflates beyond this
_CHUNK = 256 * 1024
FAST_INFLATE_MAX = 64 << 20  # larger entries inflate in zlib's pieces, so no one buffer of that size is made
MAPPED_WRITE = 64 << 10  # read_mapped writes its file in pieces this large (see _write_small)
MAPPED_MIN = 1 << 20  # read_mapped: entries this large are served as an mmap of a temporary file
_MEMORY_FS = frozenset({"tmpfs", "ramfs", "hugetlbfs"})
_memory_backed: dict[str, bool] = {}


def memory_backed(folder: str) -> bool:
    """Whether ``folder`` lies on a file system held in memory (tmpfs, ramfs), read from the mount table of this
    process (``/proc/self/mountinfo``: the mount point that is the longest prefix of the folder's real path). A
    file there is not page cache the kernel can drop, so :meth:`ZipArchive.read_mapped` keeps such entries on the
    heap, where the scan's RSS shows them. False when the mount table cannot be read (not Linux): an ordinary
    disk is assumed. Cached per folder."""
    hit = _memory_backed.get(folder)
    if hit is not None:
        return hit
    import os

    path = os.path.realpath(folder)
    best, fstype = -1, ""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                left, sep, right = line.partition(" - ")
                fields = left.split()
                if not sep or len(fields) < 5 or not right:
                    continue
                point = fields[4].replace("\\040", " ")
                inside = path == point or path.startswith(point.rstrip("/") + "/")
                if inside and len(point) > best:
                    best, fstype = len(point), right.split()[0]
    except OSError:
        fstype = ""
    _memory_backed[folder] = result = fstype in _MEMORY_FS
    return result


_EOCD = struct.Struct("<4sHHHHIIH")
_CD = struct.Struct("<4sHHHHHHIIIHHHHHII")
_LFH = struct.Struct("<4sHHHHHIIIHH")
_Z64_LOC = struct.Struct("<4sIQI")
_Z64_EOCD = struct.Struct("<4sQHHIIQQQQ")


class EntryNotFoundError(ApkFormatError, KeyError):
    """The requested entry is not in the archive (also a ``KeyError`` for dict-like callers)."""

    code = "apk_entry_missing"


@dataclass(slots=True)
class ZipEntry:
    """One central-directory record (the values Android trusts)."""

    name: str
    raw_name: bytes
    method: int
    flags: int
    crc32: int
    compressed_size: int
    uncompressed_size: int
    local_header_offset: int  # absolute offset in the file (after any prefix shift)
    index: int  # position in the central directory

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")


def _decode_name(raw: bytes, flags: int) -> str:
    if flags & FLAG_UTF8:
        return raw.decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp437")


_ODD = ("\x00", "\r", "\n", "\\", "..", ":")
_SUSPICIOUS = re.compile(r"[\x00\r\n\\]|^/|^[A-Za-z]:|(?:^|/)\.\.(?:/|$)")


def _unsafe_name_reason(name: str) -> str | None:
    if _SUSPICIOUS.search(name) is None:  # fast path: almost every name
        return None
    if "\x00" in name:
        return "contains NUL"
    if "\r" in name or "\n" in name:
        return "contains CR/LF"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    if "\\" in name:
        return "contains a backslash"
    return "has a '..' component"


class ZipArchive:
    """Central-directory view of one zip buffer; see the module docstring for the tolerance rules."""

    def __init__(self, data: bytes | bytearray | memoryview, limits: Limits = DEFAULT_LIMITS) -> None:
        self._data = data
        self.size = len(data)
        self.limits = limits
        self.notes: list[ErrorNote] = []
        self.entries: dict[str, ZipEntry] = {}  # first entry of each name
        self.names: list[str] = []  # distinct names, central-directory order
        self.entry_count = 0  # records in the central directory (duplicates included)
        self.prefix = 0  # bytes of data before the zip whose offsets were not adjusted
        self.eocd_offset = 0
        self.cd_offset = 0  # absolute offset of the central directory (where an APK Signing Block ends)
        self.cd_size = 0
        self.comment = b""
        self._counted: set[str] = set()
        self._total_read = 0
        self._spans: list[tuple[int, int, str]] = []  # (start, end, name) of entry data read, sorted by start
        self._noted: set[tuple[str, str]] = set()
        self._kinds: dict[str, int] = {}  # notes met per kind (see note())
        self._summaries: dict[str, ErrorNote] = {}  # the summary note of each kind over MAX_NOTES_PER_KIND
        if self.size == 0:
            raise ApkFormatError("not an APK: the file is empty")
        if self.size > limits.max_apk_size:
            raise LimitExceeded(
                f"APK is {self.size} bytes, over the max_apk_size limit ({limits.max_apk_size})"
            )
        self._find_eocd()
        self._parse_central_directory()

    # -- structure -------------------------------------------------------------------------------------------
    def note(self, message: str, path: str | None = None) -> None:
        """Record an oddity once per (message, path); past :data:`MAX_NOTES_PER_KIND` of one kind, count it in
        that kind's summary note (appended to ``notes`` once, its message updated in place) instead."""
        key = (message, path or "")
        if key in self._noted:
            return
        self._noted.add(key)
        kind = _DIGITS.sub("#", message)
        count = self._kinds[kind] = self._kinds.get(kind, 0) + 1
        if count <= MAX_NOTES_PER_KIND:
            self.notes.append(ErrorNote(stage="apk", message=message, path=path))
            return
        summary = self._summaries.get(kind)
        if summary is None:
            summary = self._summaries[kind] = ErrorNote(stage="apk", message="")
            self.notes.append(summary)
        summary.message = f"… and {count - MAX_NOTES_PER_KIND} more of this kind: {message}"

    def _find_eocd(self) -> None:
        data, size = self._data, self.size
        if size < EOCD_SIZE:
            raise ApkFormatError(
                "not an APK: file too small to be a zip (no end-of-central-directory record)"
            )
        lowest = max(0, size - EOCD_SIZE - MAX_COMMENT)
        # Android only accepts an EOCD whose comment reaches the end of the file; we scan further back (trailing
        # garbage) but never more than the maximum comment plus a bounded slack, to stay O(64 KiB).
        lowest = max(0, lowest - 64 * 1024)
        window = bytes(data[lowest:size])
        pos = len(window) - EOCD_SIZE
        first_bad: str | None = None
        while pos >= 0:
            pos = window.rfind(EOCD_SIG, 0, pos + 4)
            if pos < 0:
                break
            offset = lowest + pos
            reason = self._try_eocd(offset)
            if reason is None:
                return
            first_bad = first_bad or reason
            pos -= 1
        if first_bad:
            raise ApkFormatError(f"not an APK: {first_bad}")
        raise ApkFormatError("not an APK: no zip end-of-central-directory record")

    def _try_eocd(self, offset: int) -> str | None:
        """Accept the EOCD at ``offset`` (return None) or say why not."""
        data, size = self._data, self.size
        if offset + EOCD_SIZE > size:
            return "truncated end-of-central-directory record"
        _sig, disk, cd_disk, n_disk, n_total, cd_size, cd_off, comment_len = _EOCD.unpack_from(data, offset)
        if (disk != 0 or cd_disk != 0 or n_disk != n_total) and not (disk == 0xFFFF or n_total == 0xFFFF):
            return "multi-disk (spanned) zip archives are not APKs"
        n_entries, cd_size64, cd_off64 = n_total, cd_size, cd_off
        if n_total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_off == 0xFFFFFFFF:
            z64 = self._read_zip64(offset)
            if z64 is not None:
                n_entries, cd_size64, cd_off64 = z64
        comment_end = offset + EOCD_SIZE + comment_len
        if cd_size64 > offset:
            return "central directory larger than the file (truncated zip)"
        cd_end_expected = offset if (n_total != 0xFFFF and cd_size != 0xFFFFFFFF) else None
        prefix = 0
        if cd_off64 + cd_size64 > offset or (n_entries and bytes(data[cd_off64 : cd_off64 + 4]) != CD_SIG):
            # Maybe bytes were prepended and offsets not adjusted: the CD then ends right at the EOCD.
            guess = offset - cd_size64
            shift = guess - cd_off64
            if n_entries and shift > 0 and bytes(data[guess : guess + 4]) == CD_SIG:
                prefix = shift
            elif cd_off64 + cd_size64 > offset:
                return "central directory extends past the end-of-central-directory record (truncated zip)"
            else:
                return "central directory not found at the offset the end-of-central-directory record gives"
        if n_entries > self.limits.max_entries:
            raise LimitExceeded(
                f"zip declares {n_entries} entries, over the max_entries limit ({self.limits.max_entries})"
            )
        self.eocd_offset = offset
        self.prefix = prefix
        self.cd_offset = cd_off64 + prefix
        self.cd_size = cd_size64
        self.entry_count = n_entries
        self.comment = bytes(data[offset + EOCD_SIZE : min(comment_end, size)])
        if prefix:
            self.note(f"{prefix} bytes precede the zip data (offsets not adjusted); offsets shifted")
        if comment_end > size:
            self.note("EOCD comment length runs past the end of the file")
        elif comment_end < size:
            self.note(
                f"{size - comment_end} bytes of trailing data after the end-of-central-directory record"
            )
        if cd_end_expected is not None and self.cd_offset + cd_size64 < offset:
            gap = offset - (self.cd_offset + cd_size64)
            self.note(
                f"{gap} bytes of garbage between the central directory and the end-of-central-directory record"
            )
        return None

    def _read_zip64(self, eocd_offset: int) -> tuple[int, int, int] | None:
        loc = eocd_offset - _Z64_LOC.size
        if loc < 0:
            return None
        sig, _disk, z64_off, _ndisks = _Z64_LOC.unpack_from(self._data, loc)
        if sig != ZIP64_LOCATOR_SIG or z64_off + _Z64_EOCD.size > loc:
            return None
        fields = _Z64_EOCD.unpack_from(self._data, z64_off)
        if fields[0] != ZIP64_EOCD_SIG:
            return None
        _sig, _rec, _made, _need, _disk, _cd_disk, _n_disk, n_total, cd_size, cd_off = fields
        return n_total, cd_size, cd_off

    def _parse_central_directory(self) -> None:
        data = self._data
        pos = self.cd_offset
        end = self.cd_offset + self.cd_size
        # Bound the bytes we copy: the CD sits inside the file (checked in _try_eocd).
        cd = bytes(data[pos:end])
        off = 0
        entries = self.entries
        names = self.names
        for index in range(self.entry_count):
            if off + CD_ENTRY_SIZE > len(cd):
                raise ApkFormatError(
                    f"not an APK: central directory is truncated (entry {index + 1} of {self.entry_count})"
                )
            (
                sig,
                _made,
                _need,
                flags,
                method,
                _t,
                _d,
                crc,
                csize,
                usize,
                nlen,
                xlen,
                clen,
                _disk,
                _ia,
                _ea,
                lho,
            ) = _CD.unpack_from(cd, off)
            if sig != CD_SIG:
                raise ApkFormatError(
                    f"not an APK: corrupt central directory (bad signature at entry {index + 1} of {self.entry_count})"
                )
            name_start = off + CD_ENTRY_SIZE
            extra_start = name_start + nlen
            next_off = extra_start + xlen + clen
            if next_off > len(cd):
                raise ApkFormatError(
                    f"not an APK: central directory is truncated (entry {index + 1} of {self.entry_count})"
                )
            raw = cd[name_start:extra_start]
            if csize == 0xFFFFFFFF or usize == 0xFFFFFFFF or lho == 0xFFFFFFFF:
                usize, csize, lho = _zip64_extra(cd[extra_start : extra_start + xlen], usize, csize, lho)
            name = _decode_name(raw, flags)
            entry = ZipEntry(name, raw, method, flags, crc, csize, usize, lho + self.prefix, index)
            off = next_off
            if name in entries:
                self.note(
                    "duplicate entry name (recent Android rejects the APK); the first one is used", name
                )
                continue
            entries[name] = entry
            names.append(name)
            if flags & FLAG_ENCRYPTED:
                self.note("entry has the 'encrypted' flag set; Android ignores it and so do we", name)
            if method not in (METHOD_STORED, METHOD_DEFLATED):
                self.note(f"unknown compression method {method}; will try deflate", name)
        if off < len(cd):
            self.note(f"{len(cd) - off} unused bytes at the end of the central directory")
        joined = "\x01".join(names)  # one cheap scan; per-name checks only when something looks odd
        if any(c in joined for c in _ODD) or joined.startswith("/") or "\x01/" in joined:
            for name in names:
                reason = _unsafe_name_reason(name)
                if reason:
                    self.note(f"suspicious entry name: {reason}", name)

    # -- reading ----------------------------------------------------------------------------------------------
    @property
    def buffer(self) -> bytes | bytearray | memoryview:
        """The whole file (for the APK Signing Block, which lives outside any entry)."""
        return self._data

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def info(self, name: str) -> ZipEntry:
        try:
            return self.entries[name]
        except KeyError:
            raise EntryNotFoundError(f"no entry {name!r} in the APK") from None

    def _data_offset(self, entry: ZipEntry) -> int:
        lho = entry.local_header_offset
        if lho + LFH_SIZE > self.size:
            raise ApkFormatError(f"entry {entry.name!r}: local header lies outside the file (truncated APK)")
        sig, _ver, _flags, method, _t, _d, _crc, _cs, _us, nlen, xlen = _LFH.unpack_from(self._data, lho)
        if sig != LFH_SIG:
            raise ApkFormatError(f"entry {entry.name!r}: no local file header at offset {lho}")
        if method != entry.method:
            self.note(
                f"local header says compression method {method}, central directory {entry.method}; "
                "the central directory is used",
                entry.name,
            )
        return lho + LFH_SIZE + nlen + xlen

    def read(self, name: str, max_size: int | None = None) -> bytes:
        """The uncompressed bytes of entry ``name``.

        Raises ``EntryNotFoundError`` (an ``ApkFormatError``) when absent, ``ApkFormatError`` when its data is
        corrupt or outside the file, ``LimitExceeded`` when it inflates beyond ``max_size`` (default
        ``limits.max_entry_size``), the compression-ratio limit or the total-uncompressed limit.
        """
        chunks: list[bytes] = []
        # bytes() copies a stored entry's view now, before its pages are released (bytes pieces are not copied);
        # the join of one piece is that piece
        self._read_into(name, max_size, lambda piece: chunks.append(bytes(piece)))
        return b"".join(chunks)

    def _read_into(self, name: str, max_size: int | None, put: Callable[[bytes | memoryview], object]) -> int:
        """Check, claim and hand the uncompressed data of entry ``name`` to ``put`` (a stored entry as one piece, a
        deflated one as it inflates), then count it and release its compressed pages: the one reading path of
        :meth:`read` and :meth:`read_mapped` (same limits, errors, notes and order). Returns the length."""
        entry = self.info(name)
        cap = self.limits.max_entry_size if max_size is None else min(max_size, self.limits.max_entry_size)
        if entry.uncompressed_size > cap:  # declared over the limit: refused before a byte is inflated
            raise LimitExceeded(
                f"entry {name!r} is {entry.uncompressed_size} bytes, over the size limit ({cap})"
            )
        start = self._data_offset(entry)
        span = entry.uncompressed_size if entry.method == METHOD_STORED else entry.compressed_size
        if span > 0:
            self._claim(name, start, min(start + span, self.size))
        if entry.method == METHOD_STORED:
            length = entry.uncompressed_size
            if entry.compressed_size != entry.uncompressed_size:
                self.note("stored entry with different compressed and uncompressed sizes", name)
            if start + length > self.size:
                raise ApkFormatError(f"entry {name!r}: data runs past the end of the file (truncated APK)")
            with memoryview(self._data) as whole:
                put(whole[start : start + length])  # read() joins it into bytes, read_mapped() writes it out
        else:
            length = self._inflate_into(entry, start, cap, put)
        self._count(name, length)
        self._release(start, span)
        return length

    def _release(self, start: int, span: int) -> None:
        """When the file is mapped, drop the pages of ``[start, start + span)`` from this process's memory: the
        entry was copied out, and the kernel reads the pages back from the file if they are needed again (so a
        scan does not keep the compressed DEX of a big APK resident next to the inflated DEX)."""
        data = self._data
        if not isinstance(data, mmap.mmap) or span <= 0:
            return
        lo = start - start % mmap.PAGESIZE
        hi = min(self.size, start + span)
        if hi > lo:  # no madvise on some platforms: then the pages simply stay
            with contextlib.suppress(OSError, ValueError, AttributeError):
                data.madvise(mmap.MADV_DONTNEED, lo, hi - lo)

    def _claim(self, name: str, start: int, end: int) -> None:
        """Record that ``name``'s data is ``[start, end)``; ApkFormatError if another entry read before owns any of
        those bytes (shared or overlapping entry data: each byte of the file is inflated for one name only)."""
        spans = self._spans
        i = bisect.bisect_left(spans, (start, end, name))
        if i < len(spans) and spans[i] == (start, end, name):
            return  # the same entry read again
        for j in (i - 1, i):
            if 0 <= j < len(spans):
                other_start, other_end, other = spans[j]
                if other != name and other_start < end and start < other_end:
                    raise ApkFormatError(
                        f"entry {name!r} shares its data with entry {other!r} (overlapping zip entries, "
                        "a decompression-bomb trick): not read"
                    )
        spans.insert(i, (start, end, name))

    def _count(self, name: str, n: int) -> None:
        if name in self._counted:
            return
        self._counted.add(name)
        self._total_read += n
        if self._total_read > self.limits.max_total_uncompressed:
            raise LimitExceeded(
                f"total uncompressed data read exceeds the max_total_uncompressed limit ({self.limits.max_total_uncompressed})"
            )

    def read_mapped(self, name: str, max_size: int | None = None) -> bytes | mmap.mmap:
        """The uncompressed bytes of entry ``name`` like :meth:`read` (same limits, errors and notes), but an entry
        of at least :data:`MAPPED_MIN` bytes is inflated into an unlinked temporary file and returned as a read-only
        ``mmap`` of it instead of ``bytes``: its pages are page cache the kernel can drop and read back, so the
        caller can give them back with ``madvise(MADV_DONTNEED)`` between uses (the DEX engine does, see
        :meth:`appwarden.dex.reader.DexFile.release_pages`) instead of keeping every inflated DEX on the heap for
        the whole scan. Falls back to :meth:`read` when the entry is small or a temporary file cannot be made."""
        entry = self.info(name)
        if entry.uncompressed_size < MAPPED_MIN:
            return self.read(name, max_size)
        import tempfile  # here: a cold scan of a small app never needs it

        folder = tempfile.gettempdir()
        if memory_backed(folder):  # tmpfs: the "file" is memory too; mapping it would only hide it from RSS
            return self.read(name, max_size)
        try:
            sink = tempfile.TemporaryFile(prefix="appwarden-", dir=folder)  # noqa: SIM115 (closed by the with below)
        except OSError:
            return self.read(name, max_size)
        with sink:
            length = self._read_into(name, max_size, lambda piece: _write_small(sink, piece))
            if length == 0:
                return b""
            try:
                sink.flush()
                return mmap.mmap(sink.fileno(), length, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # no mmap here: the bytes from the file
                sink.seek(0)
                return sink.read()

    def _inflate_into(self, entry: ZipEntry, start: int, cap: int, put: Callable[[bytes], object]) -> int:
        """Inflate ``entry`` (data at ``start``) within the limits, handing each piece to ``put``; the length."""
        name = entry.name
        csize = entry.compressed_size
        if start + csize > self.size:
            csize = max(0, self.size - start)
            self.note("compressed data runs past the end of the file; reading what is there", name)
        ratio_cap = max(RATIO_FLOOR, self.limits.max_compression_ratio * max(csize, 1))
        remaining_total = self.limits.max_total_uncompressed - self._total_read
        if name in self._counted:  # already counted once; re-reading is bounded by the other limits only
            remaining_total = cap
        limit = min(cap, ratio_cap, max(remaining_total, 0))
        view = memoryview(self._data)[start : start + csize]
        fast = _inflate_whole(view, entry, limit)
        if fast is not None:
            view.release()
            put(fast)
            return len(fast)
        inflater = zlib.decompressobj(-15)
        produced = 0
        pos = 0
        try:
            while True:
                if inflater.unconsumed_tail:
                    feed: bytes | memoryview = inflater.unconsumed_tail
                elif pos < csize:
                    feed = view[pos : pos + _CHUNK]
                    pos += len(feed)
                else:
                    break
                piece = inflater.decompress(feed, limit - produced + 1)
                produced += len(piece)
                if produced > limit:
                    raise self._limit_error(name, limit, cap, ratio_cap)
                put(piece)
                if inflater.eof:
                    break
        except zlib.error as exc:
            raise ApkFormatError(f"entry {name!r}: corrupt compressed data ({exc})") from None
        finally:
            view.release()
        if not inflater.eof:
            raise ApkFormatError(f"entry {name!r}: compressed data is truncated")
        if produced != entry.uncompressed_size:
            self.note(
                f"inflated size {produced} differs from the declared uncompressed size {entry.uncompressed_size}",
                name,
            )
        return produced

    def _limit_error(self, name: str, limit: int, cap: int, ratio_cap: int) -> LimitExceeded:
        if limit == ratio_cap and ratio_cap < cap:
            return LimitExceeded(
                f"entry {name!r} exceeds the compression-ratio limit "
                f"({self.limits.max_compression_ratio}:1): possible zip bomb"
            )
        if limit == cap:
            return LimitExceeded(f"entry {name!r} inflates beyond the size limit ({cap} bytes)")
        return LimitExceeded(
            f"total uncompressed data read exceeds the max_total_uncompressed limit ({self.limits.max_total_uncompressed})"
        )


def _write_small(sink: typing.BinaryIO, piece: bytes | memoryview) -> None:
    """Write ``piece`` to the temporary file behind :meth:`ZipArchive.read_mapped` in writes of at most
    :data:`MAPPED_WRITE` bytes. The kernel sizes the page-cache folios of a file by the writes that fill it, and a
    read fault on a mapping maps a whole folio: one 10 MB write gave 2 MB folios, and the DEX engine's scattered
    reads of a 100 MB app then kept ~90 MB of its DEX resident instead of ~40 MB (measured on Linux 6.18, ext4)."""
    with memoryview(piece) as whole:
        for i in range(0, len(whole), MAPPED_WRITE):
            sink.write(whole[i : i + MAPPED_WRITE])


def _inflate_whole(view: memoryview, entry: ZipEntry, limit: int) -> bytes | None:
    """The inflated bytes of ``entry`` (compressed data ``view``) in one libdeflate call, or None when the zlib
    path must read it instead: no libdeflate, a declared size of 0, over ``limit`` or over
    :data:`FAST_INFLATE_MAX`, a stream libdeflate rejects, an inflated length other than the declared one, or a
    CRC-32 other than the central directory's.

    Contract: whenever this returns bytes, they are exactly what the zlib path would hand over for the entry, with
    no note (the zlib path notes a size that differs from the declared one; this path never accepts one). Every
    stream that a real compressor writes decodes the same in both; libdeflate also decodes a few hostile streams
    zlib rejects (a single-codeword Huffman table whose unused codeword is read), and the CRC check sends those back
    to zlib unless the file's CRC-32 was forged to match libdeflate's output (documented in
    docs/architecture.md). Nothing here can exceed ``limit``: the output buffer is the declared size."""
    size = entry.uncompressed_size
    if _fast_decompress is None or size <= 0 or size > limit or size > FAST_INFLATE_MAX:
        return None
    try:
        out = _fast_decompress(view, size)
    except _DeflateError:
        return None
    if len(out) != size or _fast_crc32(out) != entry.crc32:
        return None
    return out


def _zip64_extra(extra: bytes, usize: int, csize: int, lho: int) -> tuple[int, int, int]:
    """Replace saturated 32-bit fields from a zip64 extended-information extra field (id 0x0001)."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if tag != 0x0001:
            continue
        vals = [struct.unpack_from("<Q", body, i)[0] for i in range(0, len(body) - 7, 8)]
        it = iter(vals)
        if usize == 0xFFFFFFFF:
            usize = next(it, usize)
        if csize == 0xFFFFFFFF:
            csize = next(it, csize)
        if lho == 0xFFFFFFFF:
            lho = next(it, lho)
        break
    return usize, csize, lho
