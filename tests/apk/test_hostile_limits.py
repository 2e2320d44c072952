"""Memory bounded by the input's unique bytes in the APK reader (issue #17): string pools cached by offset,
zip entries that share or overlap their data refused, non-regular files refused before reading."""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

from appwarden.apk import open_apk
from appwarden.apk.archive import ZipArchive
from appwarden.apk.axml import StringPool
from appwarden.errors import ApkFormatError, InputError

from .hostile_build import one_string_pool, overlapping_apk, shared_record_apk

MB = 1024 * 1024


def test_string_pool_indices_sharing_one_string_decode_it_once() -> None:
    text = "x" * 100_000
    chunk = one_string_pool(3000, text)
    pool = StringPool(chunk, 0, 28, len(chunk))
    tracemalloc.start()
    try:
        values = [pool.get(i) for i in range(3000)]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert values[0] == text and all(v is values[0] for v in values)
    assert peak < 5 * MB  # per-index decoding held 3000 copies: ~300 MB


def test_dex_entries_sharing_one_record_are_inflated_once(tmp_path: Path) -> None:
    payload = bytes(range(256)) * (32 * MB // 256)  # 32 MiB, deflates ~1000:1 (under the ratio limit)
    path = tmp_path / "shared.apk"
    path.write_bytes(shared_record_apk(payload, 16))
    assert path.stat().st_size < 200_000
    apk = open_apk(path)
    assert len(apk.dex_names) == 16
    tracemalloc.start()
    try:
        assert apk.read("classes.dex") == payload
        refused = []
        for name in apk.dex_names[1:]:
            with pytest.raises(ApkFormatError, match=r"shares its data with entry 'classes\.dex'") as err:
                apk.read(name)
            refused.append(str(err.value))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(refused) == 15 and all("\n" not in m for m in refused)
    assert peak < 3 * 32 * MB  # 16 inflations would hold 512 MiB
    assert apk.read("classes.dex") == payload  # the owner itself may be read again


def test_entry_inside_another_entrys_data_is_refused() -> None:
    archive = ZipArchive(overlapping_apk(b"inner secret" * 10))
    assert archive.read("assets/outer.bin").endswith(b"inner secret" * 10)
    with pytest.raises(ApkFormatError, match=r"shares its data with entry 'assets/outer\.bin'"):
        archive.read("assets/inner.bin")
    # read in the other order: the inner one first, then the outer one overlapping it
    archive = ZipArchive(overlapping_apk(b"inner secret" * 10))
    assert archive.read("assets/inner.bin") == b"inner secret" * 10
    with pytest.raises(ApkFormatError, match="shares its data"):
        archive.read("assets/outer.bin")


def test_named_pipe_and_device_link_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.apk"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.apk"
    zero.symlink_to("/dev/zero")
    started = time.monotonic()
    for path in (fifo, zero):
        with pytest.raises(InputError, match="not a regular file"):
            open_apk(path)
    assert time.monotonic() - started < 10


def test_huge_sparse_file_is_not_read_into_the_heap(tmp_path: Path) -> None:
    big = tmp_path / "big.apk"
    with big.open("wb") as fh:
        fh.truncate(512 * MB)  # sparse: no disk used; over the mmap threshold
    tracemalloc.start()
    try:
        with pytest.raises(ApkFormatError, match="end-of-central-directory"):
            open_apk(big)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * MB
