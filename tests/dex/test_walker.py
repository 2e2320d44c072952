"""The instruction walk: C extension == pure-Python walker, and both agree with Debian's dexdump."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from appwarden.dex import backend, pywalk
from appwarden.dex.index import build_index
from appwarden.dex.reader import DexFile
from appwarden.dex.records import (
    EV_CONST_CLASS,
    EV_INVOKE,
    EV_LITERAL,
    EV_NEW_INSTANCE,
    EV_SGET,
    EV_STRING,
    invoke_arg_registers,
    literal_value,
)

cext = pytest.importorskip("appwarden.dex._dexscan", reason="C extension not built (pip install -e .)")

DATA = Path(__file__).parent / "data"


def scan_args(dex: DexFile) -> tuple:
    return (
        dex.data,
        dex.class_defs_off,
        dex.class_defs_size,
        dex.method_ids_size,
        dex.string_ids_size,
        dex.type_ids_size,
        dex.field_ids_size,
        dex.proto_ids_size,
    )


def test_c_backend_is_active() -> None:
    assert backend() == "c"


def test_c_and_python_walkers_identical_on_fixtures(main_dex: bytes, pi_all_blobs, multidex_blobs) -> None:
    blobs = [("main.dex", main_dex), *pi_all_blobs, *multidex_blobs]
    for name, blob in blobs:
        args = scan_args(DexFile(name, blob))
        c_out = cext.scan(*args)
        py_out = pywalk.scan(*args)
        assert c_out == py_out, name
        assert len(c_out[1]) > 0


def _events(main_dex: bytes) -> tuple[DexFile, list[tuple[int, int, int, int, int, int]]]:
    index = build_index([("main.dex", main_dex)])
    code = index.codes[0]
    return code.dex, [code.event(i) for i in range(code.n_events)]


def test_literals_of_every_const_form(main_dex: bytes) -> None:
    index = build_index([("main.dex", main_dex)])
    assert index.method_literals("Lcom/aw/t/Walk;->literals()V") == [
        -3,
        -0x1234,
        0x12345678,
        0x7F010000,
        -2,
        0x10000,
        0x123456789ABCDEF0,
        0x4000000000000000,
    ]


def test_payloads_skipped_and_code_after_them_walked(main_dex: bytes) -> None:
    index = build_index([("main.dex", main_dex)])
    # the fill-array-data payload holds words that decode as const-string / invoke opcodes if misparsed
    assert index.method_strings("Lcom/aw/t/Walk;->payloads(I)I") == ["after-payloads", "case0", "case1-jumbo"]
    refs = index.invokes(["Lcom/aw/t/Walk;->sink"])
    assert [r.caller for r in refs] == ["Lcom/aw/t/Walk;->payloads(I)I"]


def test_invoke_formats_and_argument_registers(main_dex: bytes) -> None:
    dex, events = _events(main_dex)
    invokes = {op: (idx, a, b) for kind, op, _off, idx, a, b in events if kind == EV_INVOKE}
    assert {0x6E, 0x70, 0x71, 0x74, 0x77, 0xFA, 0xFB, 0xFC, 0xFD} <= set(invokes)
    idx, a, _ = invokes[0x77]  # invoke-static/range {p0 .. p5} in a 6-register method
    assert dex.method_desc(idx) == "Lcom/aw/t/Walk;->many(IIIIII)V"
    assert invoke_arg_registers(0x77, a) == [0, 1, 2, 3, 4, 5]
    idx, a, proto = invokes[0xFA]  # invoke-polymorphic {p0, p1} with 10 registers: v8, v9
    assert dex.method_desc(idx).startswith("Ljava/lang/invoke/MethodHandle;->invoke(")
    assert invoke_arg_registers(0xFA, a) == [8, 9]
    assert dex.proto_desc(proto) == "(Ljava/lang/String;)Ljava/lang/Object;"
    assert invoke_arg_registers(0xFB, invokes[0xFB][1]) == [8, 9]
    assert invokes[0xFC][0] < dex.call_site_ids_size and invokes[0xFD][0] < dex.call_site_ids_size


_KIND_OF = [
    (re.compile(r"invoke-"), EV_INVOKE),
    (re.compile(r"const-string"), EV_STRING),
    (re.compile(r"sget"), EV_SGET),
    (re.compile(r"const-class"), EV_CONST_CLASS),
    (re.compile(r"new-instance"), EV_NEW_INSTANCE),
    (re.compile(r"const(-wide)?(/4|/16|/32|/high16)?$"), EV_LITERAL),
]
_LINE = re.compile(r"^([0-9a-f]{6}): [0-9a-f ]+\|[0-9a-f]{4}: (\S+)")


def _dexdump_events(path: Path) -> set[tuple[int, int]]:
    proc = subprocess.run(["dexdump", "-d", str(path)], capture_output=True, check=True)
    out = proc.stdout.decode("utf-8", "replace")
    found = set()
    for line in out.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        for rx, kind in _KIND_OF:
            if rx.match(m.group(2)):
                found.add((int(m.group(1), 16), kind))
                break
    return found


@pytest.mark.skipif(shutil.which("dexdump") is None, reason="Debian dexdump not installed")
def test_events_match_dexdump_offsets(main_dex: bytes, tmp_path: Path, pi_all_blobs) -> None:
    for name, blob in [("main.dex", main_dex), *pi_all_blobs]:
        path = tmp_path / name
        path.write_bytes(blob)
        _dex, events = _events(blob)
        ours = {(off, kind) for kind, _op, off, _i, _a, _b in events}
        assert ours == _dexdump_events(path), name


def test_literal_value_sign() -> None:
    assert literal_value(0xFFFFFFFF, 0xFFFFFFFF) == -1
    assert literal_value(5, 0) == 5


def test_select_and_find_substrings_agree(main_dex: bytes) -> None:
    dex = DexFile("main.dex", main_dex)
    _methods, events, _bad = cext.scan(*scan_args(dex))
    bitmap = bytes([0xFF]) * ((dex.method_ids_size + 7) // 8)
    assert cext.select(events, EV_INVOKE, bitmap) == pywalk.select(events, EV_INVOKE, bitmap)
    assert len(cext.select(events, EV_INVOKE, bitmap)) > 0
    needles = [b"content://", b"wlan0", b"\xe4\xb8\xaa"]
    args = (dex.data, dex.string_ids_off, dex.string_ids_size, needles)
    assert cext.find_substrings(*args) == pywalk.find_substrings(*args)
    assert {k for _s, k in cext.find_substrings(*args)} == {0, 1, 2}
    # with a bitmap of string ids, only those strings are searched (a short bitmap leaves the rest out)
    every = cext.find_substrings(*args)
    for mask in (bytes([0b10101010]) * ((dex.string_ids_size + 7) // 8), b"\xff", b""):
        expected = [(i, k) for i, k in every if i >> 3 < len(mask) and mask[i >> 3] & (1 << (i & 7))]
        assert cext.find_substrings(*args, 0.0, mask) == expected
        assert pywalk.find_substrings(*args, 0.0, mask) == expected
    ascii_ids = [i for i in range(dex.string_ids_size) if dex.string(i).isascii()]
    keys = [dex.string(i).encode() for i in ascii_ids] + [b"", b"zzzz-not-there", b"A", b"\x7f"]
    args = (dex.data, dex.string_ids_off, dex.string_ids_size, keys)
    found = cext.find_strings(*args)
    assert found == pywalk.find_strings(*args)
    assert found[: len(ascii_ids)] == ascii_ids
    assert found[-3:] == [-1, -1, -1]


def test_validate_agrees(main_dex: bytes) -> None:
    dex = DexFile("main.dex", main_dex)
    args = [main_dex, dex.string_ids_off, dex.string_ids_size, dex.proto_ids_off, dex.proto_ids_size]
    assert cext.validate(*args, dex.type_ids_size) is None
    assert pywalk.validate(*args, dex.type_ids_size) is None
    for walker in (cext, pywalk):  # a type index limit below the ones used by the protos
        with pytest.raises(ValueError, match="parameter type index"):
            walker.validate(*args, 1)
    broken = bytearray(main_dex)
    broken[dex.string_ids_off : dex.string_ids_off + 4] = len(main_dex).to_bytes(4, "little")
    for walker in (cext, pywalk):
        with pytest.raises(ValueError, match="string 0 data offset out of bounds"):
            walker.validate(bytes(broken), *args[1:], dex.type_ids_size)


def test_max_item_c_equals_python() -> None:
    """The reader's id-table bound check: the largest u16/u32 item, 0 for an empty table, ValueError otherwise."""
    from array import array

    for a in (array("I", [3, 9, 2**32 - 1, 5]), array("H", [1, 65535, 7]), array("I"), array("H", [4])):
        assert cext.max_item(a, a.itemsize) == pywalk.max_item(a, a.itemsize) == max(a, default=0)
    for kernels in (cext, pywalk):
        with pytest.raises(ValueError):
            kernels.max_item(b"\x01\x02\x03", 2)
        with pytest.raises(ValueError):
            kernels.max_item(b"\x01\x02\x03\x04", 8)


def _string_table(strings: list[str]) -> tuple[bytes, int, int]:
    """A buffer holding ``strings`` as a DEX string_ids table and MUTF-8 string data (U+0000 as C0 80), in order."""
    ids_off = 0
    data_off = 4 * len(strings)
    ids, data = bytearray(), bytearray()
    for s in strings:
        ids += (data_off + len(data)).to_bytes(4, "little")
        units = len(s.encode("utf-16-le")) // 2
        data += bytes([units]) + s.encode("utf-8").replace(b"\x00", b"\xc0\x80") + b"\x00"
    return bytes(ids + data), ids_off, len(strings)


def test_find_strings_orders_mutf8_nul_as_the_lowest_code_unit() -> None:
    """The DEX sorts strings by UTF-16 code units, so "Lcom/\\u0000x" comes before "Lcom/a;"; its MUTF-8 bytes
    (C0 80) sort above ASCII. A byte-wise binary search that lands on such a string turned the wrong way and
    missed the key: an app could hide a class name from every lookup with one crafted string constant."""
    strings = ["A", "B", "Lcom/\u0000x", "Lcom/a;", "Z"]
    assert strings == sorted(strings, key=lambda s: s.encode("utf-16-be"))
    buf, ids_off, n = _string_table(strings)
    keys = [s.encode() for s in strings if s.isascii() and "\u0000" not in s] + [b"Lcom/", b"Lcom/b;", b"C"]
    want = [0, 1, 3, 4, -1, -1, -1]
    assert cext.find_strings(buf, ids_off, n, keys) == want
    assert pywalk.find_strings(buf, ids_off, n, keys) == want
