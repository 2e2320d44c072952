"""open_apk: the public entry point (errors, attributes, dex order, app_info)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from appwarden.apk import dex_load_order, open_apk
from appwarden.errors import ApkFormatError, AxmlFormatError, InputError, LimitExceeded
from appwarden.limits import Limits

from .apk_zipbuild import Entry, Node, ZipSpec, a, build_axml, build_zip, manifest_node

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
MANIFEST = build_axml(manifest_node("com.ex.app", Node("application", [a("label", "Ex")])))


def write(tmp_path: Path, data: bytes, name: str = "x.apk") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_pi_all_attributes() -> None:
    path = FIXTURES / "pi_all.apk"
    apk = open_apk(path)
    assert apk.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert apk.size == path.stat().st_size
    assert apk.dex_names == ["classes.dex"]
    assert apk.read("classes.dex")[:4] == b"dex\n"
    assert "AndroidManifest.xml" in apk.entry_names and "AndroidManifest.xml" in apk
    assert apk.manifest.package == "com.appwarden.fixture.pi"
    assert apk.resources is not None
    assert apk.signing.schemes == ["v1", "v2", "v3"]
    assert apk.native_libs == [] and apk.assets == []
    assert apk.errors == []
    info = apk.app_info()
    assert (info.package, info.version_code, info.version_name, info.min_sdk, info.target_sdk) == (
        "com.appwarden.fixture.pi",
        7,
        "1.7",
        21,
        30,
    )
    assert info.label == "PI 全类别 Fixture" and info.dex_count == 1 and info.sha256 == apk.sha256
    assert info.signing_schemes == ["v1", "v2", "v3"] and len(info.signers) == 1


def test_multidex_order() -> None:
    apk = open_apk(FIXTURES / "multidex.apk")
    assert apk.dex_names == ["classes.dex", "classes2.dex"]
    assert all(apk.read(n)[:4] == b"dex\n" for n in apk.dex_names)


def test_dex_load_order_stops_at_gap(tmp_path: Path) -> None:
    assert dex_load_order(
        ["classes3.dex", "classes2.dex", "classes.dex", "classes5.dex", "classes10.dex"]
    ) == [
        "classes.dex",
        "classes2.dex",
        "classes3.dex",
    ]
    assert dex_load_order(["classes2.dex"]) == []
    entries = [Entry("AndroidManifest.xml", MANIFEST)] + [
        Entry(n, b"dex\n035\x00") for n in ("classes.dex", "classes3.dex")
    ]
    apk = open_apk(write(tmp_path, build_zip(ZipSpec(entries))))
    assert apk.dex_names == ["classes.dex"]
    assert any("classes3.dex" in e.message for e in apk.errors)


def test_native_libs_and_assets(tmp_path: Path) -> None:
    entries = [
        Entry("AndroidManifest.xml", MANIFEST),
        Entry("lib/arm64-v8a/libjiagu.so", b"\x7fELF"),
        Entry("lib/armeabi/libx.so", b"\x7fELF"),
        Entry("assets/", b""),
        Entry("assets/privacy.html", b"<html/>"),
        Entry("assets/sub/dir/a.json", b"{}"),
    ]
    apk = open_apk(write(tmp_path, build_zip(ZipSpec(entries))))
    assert apk.native_libs == ["lib/arm64-v8a/libjiagu.so", "lib/armeabi/libx.so"]
    assert apk.assets == ["assets/privacy.html", "assets/sub/dir/a.json"]
    assert apk.signing.schemes == [] and apk.app_info().signers == []
    assert apk.manifest.label == "Ex"


def test_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_apk(tmp_path / "missing.apk")
    with pytest.raises(InputError, match="directory"):
        open_apk(tmp_path)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello world, not a zip" * 20, "no zip end-of-central-directory record"),
        (build_zip(ZipSpec([Entry("classes.dex", b"dex\n035\x00")])), "no AndroidManifest.xml"),
        (build_zip(ZipSpec([])), "no AndroidManifest.xml"),
    ],
)
def test_not_an_apk(tmp_path: Path, data: bytes, message: str) -> None:
    with pytest.raises(ApkFormatError, match=message) as err:
        open_apk(write(tmp_path, data))
    assert "\n" not in str(err.value)


def test_truncated_fixture(tmp_path: Path) -> None:
    data = (FIXTURES / "pi_all.apk").read_bytes()
    with pytest.raises(ApkFormatError):
        open_apk(write(tmp_path, data[: len(data) * 2 // 3]))


def test_unreadable_manifest_is_fatal_bad_arsc_is_not(tmp_path: Path) -> None:
    bad_manifest = build_zip(ZipSpec([Entry("AndroidManifest.xml", b"\x03\x00\x08\x00\xff\xff\xff\xff")]))
    with pytest.raises(AxmlFormatError):
        open_apk(write(tmp_path, bad_manifest))
    bad_arsc = build_zip(
        ZipSpec([Entry("AndroidManifest.xml", MANIFEST), Entry("resources.arsc", b"junk" * 10)])
    )
    apk = open_apk(write(tmp_path, bad_arsc, "y.apk"))
    assert apk.resources is None
    assert [e.stage for e in apk.errors] == ["arsc"]


def test_zip_notes_reach_errors(tmp_path: Path) -> None:
    data = build_zip(
        ZipSpec(
            [
                Entry("AndroidManifest.xml", MANIFEST),
                Entry("AndroidManifest.xml", b"evil"),
                Entry("../x", b"1"),
            ],
            trailing=b"JUNK",
        )
    )
    apk = open_apk(write(tmp_path, data))
    msgs = [e.message for e in apk.errors if e.stage == "apk"]
    assert any("duplicate" in m for m in msgs) and any("'..'" in m for m in msgs)
    assert any("trailing" in m for m in msgs)
    assert apk.manifest.package == "com.ex.app"  # the first manifest


def test_limits_apply_to_reads(tmp_path: Path) -> None:
    entries = [Entry("AndroidManifest.xml", MANIFEST), Entry("classes.dex", b"\x00" * 300_000)]
    path = write(tmp_path, build_zip(ZipSpec(entries)))
    apk = open_apk(path, Limits(max_dex_size=100_000))
    with pytest.raises(LimitExceeded):
        apk.read("classes.dex")
    with pytest.raises(LimitExceeded):
        open_apk(path, Limits(max_manifest_size=100))
    with pytest.raises(LimitExceeded, match="max_apk_size"):
        open_apk(path, Limits(max_apk_size=100))


def test_dex_not_read_at_open(tmp_path: Path) -> None:
    # a corrupt DEX entry does not prevent opening: it fails only when read
    entries = [Entry("AndroidManifest.xml", MANIFEST), Entry("classes.dex", b"", raw_payload=b"\xff" * 64)]
    apk = open_apk(write(tmp_path, build_zip(ZipSpec(entries))))
    assert apk.dex_names == ["classes.dex"]
    with pytest.raises(ApkFormatError, match=r"classes\.dex"):
        apk.read("classes.dex")
    assert re.match(r"<Apk com\.ex\.app [0-9a-f]{12} ", repr(apk))


def test_data_before_first_entry_is_reported(tmp_path: Path) -> None:
    entries = [Entry("AndroidManifest.xml", MANIFEST), Entry("classes.dex", b"dex\n035\x00")]
    apk = open_apk(write(tmp_path, build_zip(ZipSpec(entries, prefix=b"dex\n035\x00" + b"\x00" * 120))))
    assert any("Janus" in e.message and "128 bytes" in e.message for e in apk.errors)
    plain = open_apk(write(tmp_path, build_zip(ZipSpec(entries)), "plain.apk"))
    assert not any("before the first zip entry" in e.message for e in plain.errors)


def test_version_code_major(tmp_path: Path) -> None:
    from .apk_zipbuild import Attr

    root = manifest_node("com.big", version_code=5)
    root.attrs.append(Attr("versionCodeMajor", 2, res_id=0x01010576))
    apk = open_apk(write(tmp_path, build_zip(ZipSpec([Entry("AndroidManifest.xml", build_axml(root))]))))
    assert apk.manifest.version_code == (2 << 32) | 5
