"""A mapped APK (``open_apk`` maps files over ``MMAP_THRESHOLD``) does not keep the pages of an entry it has read
resident: the entry was copied out, so ``ZipArchive.read`` drops them (issue #19, peak RSS of big apps)."""

from __future__ import annotations

import mmap
import os
import sys
import zipfile
from pathlib import Path

import pytest

from appwarden.apk.archive import ZipArchive

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")


def _mapped_rss_kb(path: Path) -> int:
    """Resident kB of this process's mappings of ``path`` (from /proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and ":" in head[3]:  # a mapping's header line
            inside = line.rstrip().endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(head[1])
    return total


def test_read_drops_the_pages_of_a_mapped_entry(tmp_path: Path) -> None:
    apk = tmp_path / "big.zip"
    stored, deflated = os.urandom(3 << 20), bytes(range(256)) * (12 << 10)  # 3 MiB each
    with zipfile.ZipFile(apk, "w") as z:
        z.writestr(zipfile.ZipInfo("classes.dex"), stored)  # ZipInfo: stored
        z.writestr("classes2.dex", deflated, compress_type=zipfile.ZIP_DEFLATED)
    with open(apk, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    archive = ZipArchive(mm)
    assert sum(mm[i] for i in range(0, len(mm), mmap.PAGESIZE)) >= 0  # touch every page
    assert _mapped_rss_kb(apk) >= 3 << 10
    assert archive.read("classes.dex") == stored
    assert archive.read("classes2.dex") == deflated
    assert _mapped_rss_kb(apk) < 256  # the entries' pages are gone (the central directory's may stay)
    assert archive.read("classes.dex") == stored  # and are read back from the file when needed again
    mm.close()


def test_read_of_an_in_memory_buffer_is_unchanged(tmp_path: Path) -> None:
    apk = tmp_path / "small.zip"
    with zipfile.ZipFile(apk, "w") as z:
        z.writestr("a.txt", b"hello" * 100, compress_type=zipfile.ZIP_DEFLATED)
    archive = ZipArchive(apk.read_bytes())
    assert archive.read("a.txt") == b"hello" * 100
