"""The C walk runs without the GIL and takes it back only to grow the bytes objects it returns (issue #19): walks
in several threads at once give the records one walk alone gives, and the error paths free what they made."""

from __future__ import annotations

import random
import struct
import threading

import pytest

from appwarden.dex import pywalk
from appwarden.dex.reader import DexFile

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")


def many_events_dex(methods: int = 40, per_method: int = 120) -> tuple[bytes, tuple]:
    """A buffer the walk reads as one class whose ``methods`` direct methods share one code item of
    ``per_method`` ``const/4`` instructions (``methods * per_method`` events: far past the first allocation), and
    the walk's arguments for it."""
    size = 0x400 + 16 + 2 * per_method + methods * per_method * 2  # the walked code units stay below the size
    buf = bytearray(size)
    struct.pack_into("<I", buf, 0x100 + 24, 0x200)  # class def 0: class_data_off
    data = bytearray([0, 0, methods, 0])  # uleb counts (< 128): fields, direct and virtual methods
    for i in range(methods):
        data += bytes([0 if i == 0 else 1, 1]) + bytes([0x80, 0x08])  # idx diff, ACC_PUBLIC, code_off 0x400
    buf[0x200 : 0x200 + len(data)] = data
    struct.pack_into("<I", buf, 0x400 + 12, per_method)  # insns_size
    for k in range(per_method):
        struct.pack_into("<H", buf, 0x400 + 16 + 2 * k, 0x0012)  # const/4 v0, #0
    return bytes(buf), (0x100, 1, methods + 1, 10, 10, 10, 10)


def scan_args(dex: DexFile) -> tuple:
    return (
        dex.class_defs_off,
        dex.class_defs_size,
        dex.method_ids_size,
        dex.string_ids_size,
        dex.type_ids_size,
        dex.field_ids_size,
        dex.proto_ids_size,
    )


def test_walks_in_threads_equal_one_walk() -> None:
    data, args = many_events_dex()
    expected = cext.scan(data, *args)
    assert expected == pywalk.scan(data, *args)
    assert len(expected[1]) == 40 * 120 * 20  # the events outgrow the first allocation: the GIL is taken back
    got: list[tuple] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(40):
                got.append(cext.scan(data, *args))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(got) == 160 and all(g == expected for g in got)


def test_walks_that_fail_after_recording_events_raise_as_the_python_walker(main_dex: bytes) -> None:
    """Mutated DEX files whose walk fails part-way (records already made) raise the twin's ValueError."""
    dex = DexFile("classes.dex", main_dex)
    args = scan_args(dex)
    rng = random.Random(19)
    failed = 0
    for _ in range(400):
        data = bytearray(main_dex)
        for _ in range(3):
            data[0x70 + rng.randrange(len(data) - 0x70)] = rng.randrange(256)
        data = bytes(data)
        try:
            out = cext.scan(data, *args)
        except ValueError as exc:
            failed += 1
            with pytest.raises(ValueError) as py_exc:
                pywalk.scan(data, *args)
            assert str(py_exc.value) == str(exc)
        else:
            assert out == pywalk.scan(data, *args)
    assert failed > 10
