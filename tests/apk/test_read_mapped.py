"""A large DEX is read as an mmap of an unlinked temporary file (``read_mapped``), so the scan can give its pages
back between stages (``DexFile.release_pages``): same bytes, same limits, same index as ``read`` (issue #19, the
merged 100 MB app's peak RSS)."""

from __future__ import annotations

import mmap
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

import appwarden.apk.archive as archive_mod
from appwarden.apk import open_apk
from appwarden.apk.archive import ZipArchive
from appwarden.dex.index import build_index
from appwarden.errors import LimitExceeded
from appwarden.limits import Limits

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def _temp_rss_kb() -> int:
    """Resident kB of this process's mappings of deleted temporary files in the temporary folder
    (/proc/self/smaps): named ``appwarden-*``, or ``#<inode>`` when the file was made with O_TMPFILE, as
    ``tempfile.TemporaryFile`` makes it on Linux (matching only the first read 0 there, whatever was resident)."""
    folder = tempfile.gettempdir().rstrip("/") + "/"
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and ":" in head[3]:
            path = line.split(None, 5)[-1].rstrip() if len(head) >= 6 else ""
            name = path[len(folder) :] if path.startswith(folder) else ""
            inside = path.endswith("(deleted)") and (name.startswith("appwarden-") or name.startswith("#"))
        elif inside and line.startswith("Rss:"):
            total += int(head[1])
    return total


def _zip(path: Path, stored: bytes, deflated: bytes) -> ZipArchive:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("classes.dex"), stored)
        z.writestr("classes2.dex", deflated, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("small.txt", b"x" * 100, compress_type=zipfile.ZIP_DEFLATED)
    return ZipArchive(path.read_bytes())


ON_DISK = pytest.mark.skipif(
    archive_mod.memory_backed(tempfile.gettempdir()),
    reason="the temporary folder is on tmpfs: read_mapped keeps entries on the heap there (tested below)",
)


@ON_DISK
def test_large_entries_come_back_mapped_with_the_same_bytes(tmp_path: Path) -> None:
    stored, deflated = os.urandom(2 << 20), bytes(range(256)) * (8 << 10)
    mapped = _zip(tmp_path / "a.zip", stored, deflated)
    plain = _zip(tmp_path / "b.zip", stored, deflated)
    for name in ("classes.dex", "classes2.dex"):
        got = mapped.read_mapped(name)
        assert isinstance(got, mmap.mmap)
        assert got[:] == plain.read(name)
    small = mapped.read_mapped("small.txt")
    assert isinstance(small, bytes) and small == b"x" * 100
    assert mapped.notes == plain.notes


def test_read_mapped_keeps_the_limits(tmp_path: Path) -> None:
    bomb = bytes(8 << 20)  # zeros: ratio ~1000
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w") as z:
        z.writestr("classes.dex", bomb, compress_type=zipfile.ZIP_DEFLATED)
    data = (tmp_path / "bomb.zip").read_bytes()
    with pytest.raises(LimitExceeded, match="compression-ratio"):
        ZipArchive(data, Limits(max_compression_ratio=100)).read_mapped("classes.dex")
    with pytest.raises(LimitExceeded):
        ZipArchive(data).read_mapped("classes.dex", max_size=1 << 20)


@ON_DISK
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")
def test_index_over_a_mapped_dex_is_the_same_and_gives_its_pages_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(archive_mod, "MAPPED_MIN", 0)  # the fixture's DEX files are small: map them all
    apk = open_apk(FIXTURES / "multidex.apk")
    plain = build_index([(n, apk.read(n)) for n in apk.dex_names])
    blobs = [(n, apk.read_mapped(n)) for n in apk.dex_names]
    assert all(isinstance(b, mmap.mmap) for _, b in blobs)
    index = build_index(blobs)
    assert [c.dex.name for c in index.codes] == [c.dex.name for c in plain.codes]
    for a, b in zip(index.codes, plain.codes, strict=True):
        assert isinstance(a.dex.data, mmap.mmap)
        assert bytes(a.methods_raw) == bytes(b.methods_raw) and bytes(a.events_raw) == bytes(b.events_raw)
    assert sorted(index.classes) == sorted(plain.classes)
    for code in index.codes:  # touch every page of every DEX
        assert sum(code.dex.data[i] for i in range(0, code.dex.size, mmap.PAGESIZE)) >= 0
    size_kb = sum(c.dex.size for c in index.codes) // 1024
    # every touched page resident (the fixture's DEX files are small: at least one 4 kB page each)
    assert _temp_rss_kb() >= max(size_kb - 8, 4 * len(index.codes))
    index.release_pages()
    assert _temp_rss_kb() == 0
    some = sorted(plain.classes)[:50]  # read back from the page cache: the same answers
    for desc in some:
        a, b = index.class_info(desc), plain.class_info(desc)
        assert (a is None) == (b is None)
        if a is not None:
            assert a.methods == b.methods
    assert index.strings_starting_with(["http"]) == plain.strings_starting_with(["http"])


def test_an_index_over_mapped_dex_files_survives_pickling(monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    monkeypatch.setattr(archive_mod, "MAPPED_MIN", 0)
    apk = open_apk(FIXTURES / "multidex.apk")
    index = build_index([(n, apk.read_mapped(n)) for n in apk.dex_names])
    clone = pickle.loads(pickle.dumps(index))
    assert [c.dex.data for c in clone.codes] == [c.dex.data[:] for c in index.codes]
    assert sorted(clone.classes) == sorted(index.classes)
    assert clone.stats() == index.stats()


@pytest.mark.skipif(
    not archive_mod.memory_backed("/dev/shm"), reason="no tmpfs at /dev/shm to place the temporary folder on"
)
def test_a_temporary_folder_in_memory_keeps_the_entry_on_the_heap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On tmpfs the temporary file is memory too: mapping it would only move the DEX out of the scan's RSS, not
    free it, so the bytes stay on the heap (where the RSS budget counts them)."""
    stored, deflated = os.urandom(2 << 20), bytes(range(256)) * (8 << 10)
    archive = _zip(tmp_path / "a.zip", stored, deflated)
    monkeypatch.setattr(tempfile, "tempdir", "/dev/shm")
    for name, want in (("classes.dex", stored), ("classes2.dex", deflated)):
        got = archive.read_mapped(name)
        assert isinstance(got, bytes) and got == want
