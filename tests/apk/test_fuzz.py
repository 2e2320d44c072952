"""Property tests: for arbitrary bytes and for mutations of valid fixture data, the parsers either succeed or raise
an ``AppwardenError`` subclass -- never IndexError, struct.error, MemoryError, RecursionError or a hang."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appwarden.apk import Apk
from appwarden.apk.archive import ZipArchive
from appwarden.apk.arsc import ResourceTable
from appwarden.apk.axml import parse_axml
from appwarden.apk.manifest import parse_manifest
from appwarden.apk.netsec import parse_network_security_config
from appwarden.apk.signing import find_signing_block, parse_pkcs7_signers, parse_scheme_block, read_signing
from appwarden.errors import AppwardenError
from appwarden.limits import Limits

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
APK = (FIXTURES / "pi_all.apk").read_bytes()
_Z = ZipArchive(APK)
MANIFEST = _Z.read("AndroidManifest.xml")
ARSC = _Z.read("resources.arsc")
V2_APK = (FIXTURES / "v2_only.apk").read_bytes()
NSC_APK = (FIXTURES.parents[1] / "rules" / "_apps" / "nsc_user_ca.apk").read_bytes()
_NZ = ZipArchive(NSC_APK)
NSC_PATH = "res/xml/network_security_config.xml"
NSC = _NZ.read(NSC_PATH)
NSC_MANIFEST = _NZ.read("AndroidManifest.xml")
NSC_ARSC = _NZ.read("resources.arsc")
SMALL_LIMITS = Limits(max_entry_size=4 * 1024 * 1024, max_total_uncompressed=16 * 1024 * 1024)

FUZZ = settings(
    max_examples=int(os.environ.get("APPWARDEN_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def mutations(draw: st.DrawFn, base: bytes) -> bytes:
    """Overwrite, insert, delete or truncate bytes of ``base`` (a few edits), biased to headers and offsets."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["set", "word", "insert", "delete", "truncate"]))
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        if kind == "set":
            data[pos] = draw(st.integers(0, 255))
        elif kind == "word":
            word = draw(st.sampled_from([0, 1, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, len(data)]))
            data[pos : pos + 4] = word.to_bytes(4, "little")
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            del data[pos:]
    return bytes(data)


def _only_appwarden_errors(fn, data: bytes) -> None:
    with contextlib.suppress(AppwardenError):
        fn(data)


def _archive_all(data: bytes) -> None:
    z = ZipArchive(data, SMALL_LIMITS)
    for name in z.names[:50]:
        with contextlib.suppress(AppwardenError):
            z.read(name)
    read_signing(z)


@FUZZ
@given(st.binary(max_size=4096))
def test_axml_arbitrary_bytes(data: bytes) -> None:
    _only_appwarden_errors(parse_axml, data)
    _only_appwarden_errors(parse_manifest, data)


@FUZZ
@given(mutations(MANIFEST))
def test_axml_mutated_manifest(data: bytes) -> None:
    _only_appwarden_errors(lambda d: parse_manifest(d, ResourceTable(ARSC)), data)


@FUZZ
@given(st.binary(max_size=4096))
def test_arsc_arbitrary_bytes(data: bytes) -> None:
    _only_appwarden_errors(ResourceTable, data)


@FUZZ
@given(mutations(ARSC), st.integers(0x7F000000, 0x7F05FFFF))
def test_arsc_mutated(data: bytes, rid: int) -> None:
    try:
        table = ResourceTable(data)
    except AppwardenError:
        return
    table.resolve(rid)
    table.name_of(rid)


@FUZZ
@given(st.binary(max_size=4096))
def test_archive_arbitrary_bytes(data: bytes) -> None:
    _only_appwarden_errors(_archive_all, data)


@FUZZ
@given(mutations(APK))
def test_archive_mutated_fixture(data: bytes) -> None:
    _only_appwarden_errors(_archive_all, data)


@FUZZ
@given(mutations(V2_APK))
def test_signing_block_mutated(data: bytes) -> None:
    try:
        z = ZipArchive(data)
    except AppwardenError:
        return
    info = read_signing(z)  # never raises: problems are notes
    assert all(n.stage == "signing" for n in info.notes)


@FUZZ
@given(st.binary(max_size=2048))
def test_signing_structures_arbitrary_bytes(data: bytes) -> None:
    for fn in (parse_scheme_block, parse_pkcs7_signers):
        try:
            fn(data)
        except Exception as exc:  # these internal helpers signal malformed input with their own exception
            assert type(exc).__name__ == "_Malformed", repr(exc)
    try:
        find_signing_block(data + b"APK Sig Block 42", len(data) + 16)
    except Exception as exc:
        assert type(exc).__name__ == "_Malformed", repr(exc)


def _nsc_all(data: bytes) -> None:
    """Parse, then use every derived value the rules use (inheritance walks must not fail on any model)."""
    for debuggable in (True, False):
        cfg = parse_network_security_config(data, NSC_PATH, ResourceTable(NSC_ARSC), debuggable=debuggable)
        for target in (27, 28):
            cfg.base_cleartext(target)
            for c in cfg.domain_configs:
                cfg.cleartext(c, target)
                cfg.inherited_from_domain(c)
                assert isinstance(c.trusts_user, bool)


@FUZZ
@given(st.binary(max_size=4096))
def test_nsc_arbitrary_bytes(data: bytes) -> None:
    _only_appwarden_errors(_nsc_all, data)


@FUZZ
@given(mutations(NSC))
def test_nsc_mutated(data: bytes) -> None:
    _only_appwarden_errors(_nsc_all, data)


@FUZZ
@given(mutations(NSC))
def test_apk_opens_whatever_its_nsc(data: bytes) -> None:
    """A broken network security config is an error note, never a failure to open the APK."""
    from .apk_zipbuild import Entry, ZipSpec, build_zip

    entries = [
        Entry("AndroidManifest.xml", NSC_MANIFEST),
        Entry("resources.arsc", NSC_ARSC),
        Entry(NSC_PATH, data),
    ]
    apk = Apk(Path("fuzz.apk"), build_zip(ZipSpec(entries)))
    if apk.manifest.network_security is None:
        assert any(e.stage == "netsec" for e in apk.errors)
