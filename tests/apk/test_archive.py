"""The tolerant zip reader: quirks Android accepts, hostile inputs it must survive, limits while inflating."""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import pytest

from appwarden.apk.archive import EntryNotFoundError, ZipArchive
from appwarden.errors import ApkFormatError, LimitExceeded
from appwarden.limits import Limits

from .apk_zipbuild import Entry, ZipSpec, build_zip

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def notes(z: ZipArchive) -> list[str]:
    return [n.message for n in z.notes]


def test_reads_fixture_like_zipfile() -> None:
    data = (FIXTURES / "pi_all.apk").read_bytes()
    z = ZipArchive(data)
    with zipfile.ZipFile(FIXTURES / "pi_all.apk") as zf:
        assert z.names == zf.namelist()
        for name in zf.namelist():
            assert z.read(name) == zf.read(name)
    assert z.notes == []


def test_not_a_zip() -> None:
    with pytest.raises(ApkFormatError, match="no zip end-of-central-directory record"):
        ZipArchive(b"this is not a zip file at all, just some text" * 10)


def test_empty_and_tiny() -> None:
    with pytest.raises(ApkFormatError, match="empty"):
        ZipArchive(b"")
    with pytest.raises(ApkFormatError, match="too small"):
        ZipArchive(b"PK\x05\x06")


def test_truncated_fixture() -> None:
    data = (FIXTURES / "pi_all.apk").read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 100):
        with pytest.raises(ApkFormatError):
            ZipArchive(data[:cut])


def test_truncated_central_directory() -> None:
    good = build_zip(ZipSpec([Entry("a.txt", b"hello"), Entry("b.txt", b"world")]))
    z = build_zip(ZipSpec([Entry("a.txt", b"hello"), Entry("b.txt", b"world")], declared_entries=3))
    assert ZipArchive(good).names == ["a.txt", "b.txt"]
    with pytest.raises(ApkFormatError, match="truncated"):
        ZipArchive(z)


def test_eocd_comment_max_size() -> None:
    comment = os.urandom(0xFFFF).replace(b"PK\x05\x06", b"xxxx")
    z = ZipArchive(build_zip(ZipSpec([Entry("a.txt", b"x" * 100)], comment=comment)))
    assert z.read("a.txt") == b"x" * 100
    assert z.comment == comment
    assert z.notes == []


def test_fake_eocd_inside_comment_is_skipped() -> None:
    # a comment that itself looks like an EOCD pointing nowhere: the real record is found behind it
    fake = (
        b"PK\x05\x06"
        + b"\x00" * 4
        + b"\x01\x00\x01\x00"
        + b"\xff\xff\x00\x00"
        + b"\xff\xff\xff\x00"
        + b"\x00\x00"
    )
    z = ZipArchive(build_zip(ZipSpec([Entry("a.txt", b"abc")], comment=fake)))
    assert z.read("a.txt") == b"abc"


def test_trailing_garbage_and_gap_are_noted() -> None:
    data = build_zip(ZipSpec([Entry("a.txt", b"abc")], trailing=b"GARBAGE!" * 3, gap_before_eocd=b"\x00" * 7))
    z = ZipArchive(data)
    assert z.read("a.txt") == b"abc"
    msgs = " | ".join(notes(z))
    assert "24 bytes of trailing data" in msgs
    assert "7 bytes of garbage between the central directory" in msgs


def test_prefix_with_unadjusted_offsets_is_shifted() -> None:
    data = build_zip(
        ZipSpec([Entry("a.txt", b"abc"), Entry("b", b"\x00" * 50)], prefix=b"MZ" * 50, adjust_offsets=False)
    )
    z = ZipArchive(data)
    assert z.read("a.txt") == b"abc"
    assert z.read("b") == b"\x00" * 50
    assert z.prefix == 100
    assert any("precede the zip" in m for m in notes(z))


def test_prefix_with_adjusted_offsets_is_plain() -> None:
    data = build_zip(
        ZipSpec([Entry("a.txt", b"abc")], prefix=b"dex\n035\x00" + b"\x00" * 100, adjust_offsets=True)
    )
    z = ZipArchive(data)
    assert z.read("a.txt") == b"abc" and z.prefix == 0


def test_duplicate_names_keep_first() -> None:
    z = ZipArchive(
        build_zip(ZipSpec([Entry("AndroidManifest.xml", b"first"), Entry("AndroidManifest.xml", b"second")]))
    )
    assert z.names == ["AndroidManifest.xml"]
    assert z.entry_count == 2
    assert z.read("AndroidManifest.xml") == b"first"
    assert any("duplicate entry name" in m for m in notes(z))


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../evil.so", "'..' component"),
        ("/etc/passwd", "absolute path"),
        ("lib\\x86\\a.so", "backslash"),
        ("a\x00b", "NUL"),
        ("test.txt\r", "CR/LF"),
    ],
)
def test_suspicious_names_are_reported_not_used(name: str, reason: str) -> None:
    z = ZipArchive(build_zip(ZipSpec([Entry(name, b"data")])))
    assert z.read(name) == b"data"
    assert any(reason in n.message and n.path == name for n in z.notes)


def test_name_encodings() -> None:
    cp437 = "Ω√.txt".encode("cp437")
    with pytest.raises(UnicodeDecodeError):
        cp437.decode("utf-8")
    z = ZipArchive(
        build_zip(
            ZipSpec(
                [
                    Entry(cp437, b"1"),
                    Entry("现代汉语.txt", b"2"),  # UTF-8 without the flag: Android reads UTF-8
                    Entry("ελληνικά.txt", b"3", flags=0x800),
                ]
            )
        )
    )
    assert z.names == ["Ω√.txt", "现代汉语.txt", "ελληνικά.txt"]
    assert z.info("Ω√.txt").raw_name == cp437


def test_data_descriptor_uses_central_directory_sizes() -> None:
    payload = os.urandom(3000) + b"a" * 5000
    z = ZipArchive(
        build_zip(ZipSpec([Entry("classes.dex", payload, data_descriptor=True), Entry("x", b"y")]))
    )
    assert z.read("classes.dex") == payload
    assert z.read("x") == b"y"
    assert z.notes == []


def test_local_header_method_lie_central_directory_wins() -> None:
    z = ZipArchive(build_zip(ZipSpec([Entry("a.txt", b"hello " * 100, method=8, local_method=0)])))
    assert z.read("a.txt") == b"hello " * 100
    assert any("local header says compression method 0" in m for m in notes(z))


def test_unknown_method_is_inflated_as_deflate() -> None:
    z = ZipArchive(build_zip(ZipSpec([Entry("a.txt", b"abc" * 300, method=99)])))
    assert any("unknown compression method 99" in m for m in notes(z))
    assert z.read("a.txt") == b"abc" * 300


def test_stored_with_size_lie_reads_uncompressed_size() -> None:
    z = ZipArchive(
        build_zip(ZipSpec([Entry("a.txt", b"0123456789", method=0, cd_csize=4), Entry("b", b"zz")]))
    )
    assert z.read("a.txt") == b"0123456789"
    assert any("stored entry with different" in m for m in notes(z))


def test_encrypted_flag_is_ignored() -> None:
    z = ZipArchive(build_zip(ZipSpec([Entry("classes.dex", b"dex\n035\x00" * 10, flags=0x1)])))
    assert z.read("classes.dex") == b"dex\n035\x00" * 10
    assert any("encrypted" in m for m in notes(z))


def test_declared_size_lie_is_noted() -> None:
    z = ZipArchive(build_zip(ZipSpec([Entry("a", b"q" * 1000, cd_usize=10)])))
    assert z.read("a") == b"q" * 1000
    assert any("differs from the declared" in m for m in notes(z))


def test_corrupt_deflate_data() -> None:
    z = ZipArchive(build_zip(ZipSpec([Entry("a", b"", raw_payload=b"\xff\xff\xff\xff\xff\xff")])))
    with pytest.raises(ApkFormatError, match=r"corrupt compressed data|truncated"):
        z.read("a")


def test_truncated_deflate_stream() -> None:
    full = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = full.compress(os.urandom(5000)) + full.flush()
    z = ZipArchive(build_zip(ZipSpec([Entry("a", b"", raw_payload=payload[:1000])])))
    with pytest.raises(ApkFormatError, match="truncated"):
        z.read("a")


def test_missing_entry() -> None:
    z = ZipArchive(build_zip(ZipSpec([Entry("a", b"1")])))
    with pytest.raises(EntryNotFoundError):
        z.read("nope")
    with pytest.raises(KeyError):
        z.read("nope")


def test_zip_bomb_ratio_limit_while_inflating() -> None:
    bomb = b"\x00" * (8 * 1024 * 1024)
    data = build_zip(ZipSpec([Entry("classes.dex", bomb)]))
    assert len(data) < 20_000  # ratio well above 400:1
    z = ZipArchive(data, Limits(max_compression_ratio=100))
    with pytest.raises(LimitExceeded, match="compression-ratio limit"):
        z.read("classes.dex")
    # deflate tops out near 1032:1, so the default 1000:1 also stops zeros; a looser limit lets it through
    with pytest.raises(LimitExceeded):
        ZipArchive(data).read("classes.dex")
    assert len(ZipArchive(data, Limits(max_compression_ratio=2000)).read("classes.dex")) == len(bomb)


def test_zip_bomb_lying_about_its_size_is_stopped_by_entry_limit() -> None:
    bomb = b"A" * (4 * 1024 * 1024)
    data = build_zip(ZipSpec([Entry("classes.dex", bomb, cd_usize=100)]))
    z = ZipArchive(data, Limits(max_entry_size=1024 * 1024))
    with pytest.raises(LimitExceeded, match="size limit"):
        z.read("classes.dex")


def test_entry_declared_over_the_limit_is_refused_before_inflating() -> None:
    """A deflated entry whose central directory declares more than the entry limit is refused at once (a zip bomb
    that states its size costs nothing), with the declared size in the message; one that lies is still stopped
    while inflating (above)."""
    bomb = os.urandom(4 * 1024 * 1024)  # incompressible: only the entry limit can refuse it
    data = build_zip(ZipSpec([Entry("classes.dex", bomb)]))
    z = ZipArchive(data, Limits(max_entry_size=1024 * 1024))
    with pytest.raises(
        LimitExceeded, match=r"'classes.dex' is 4194304 bytes, over the size limit \(1048576\)"
    ):
        z.read("classes.dex")
    with pytest.raises(LimitExceeded, match="is 4194304 bytes"):
        z.read_mapped("classes.dex")
    assert len(ZipArchive(data).read("classes.dex")) == len(bomb)  # under the default limit it reads


def test_total_uncompressed_limit() -> None:
    entries = [Entry(f"f{i}", os.urandom(40_000)) for i in range(5)]
    z = ZipArchive(build_zip(ZipSpec(entries)), Limits(max_total_uncompressed=100_000))
    z.read("f0")
    z.read("f1")
    z.read("f0")  # re-reading an entry does not count twice
    with pytest.raises(LimitExceeded, match="max_total_uncompressed"):
        z.read("f2")


def test_max_entries_limit() -> None:
    data = build_zip(ZipSpec([Entry(f"f{i}", b"x") for i in range(20)]))
    with pytest.raises(LimitExceeded, match="max_entries"):
        ZipArchive(data, Limits(max_entries=10))
    assert len(ZipArchive(data).names) == 20


def test_max_apk_size_limit() -> None:
    data = build_zip(ZipSpec([Entry("a", os.urandom(5000), method=0)]))
    with pytest.raises(LimitExceeded, match="max_apk_size"):
        ZipArchive(data, Limits(max_apk_size=1000))


def test_zip64_end_of_central_directory() -> None:
    z = ZipArchive(build_zip(ZipSpec([Entry("a.txt", b"zip64!"), Entry("b.txt", b"more")], zip64=True)))
    assert z.names == ["a.txt", "b.txt"]
    assert z.read("b.txt") == b"more"


def test_cd_offset_points_at_signing_block_end() -> None:
    block = b"S" * 64
    data = build_zip(ZipSpec([Entry("a", b"1")], signing_block=block))
    z = ZipArchive(data)
    assert data[z.cd_offset - 64 : z.cd_offset] == block
    assert data[z.cd_offset : z.cd_offset + 4] == b"PK\x01\x02"
