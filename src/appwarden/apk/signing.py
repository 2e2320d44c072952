"""APK signatures: v1 (JAR, PKCS#7) and the APK Signing Block (v2, v3, v3.1): structure and certificates.

Contract: :func:`read_signing` takes an open :class:`~appwarden.apk.archive.ZipArchive` and returns
:class:`SigningInfo` -- the schemes whose structure is present and parses (``v1``, ``v2``, ``v3``, ``v3.1``) and the
signer certificates as :class:`~appwarden.evidence.SignerCert` (one per distinct certificate, with the schemes it
signs under). It never raises for malformed signature data: problems are returned as ``ErrorNote``s
(``stage="signing"``) in ``SigningInfo.notes`` and the scheme is left out.

What is checked: the signing block's framing (both size fields equal, magic, every ID-value pair inside the block),
the length-prefixed signer/signed-data/certificate sequences, and that certificates parse as X.509 (via
``cryptography``, falling back to ``asn1crypto`` for BER-encoded certificates Android still accepts). For v1 the
PKCS#7 ``SignedData`` certificates are read with ``asn1crypto`` (plain DER blocks and certificates, nearly all,
by :mod:`appwarden.apk.certfast` with the same result, without importing it); the signer certificate is the one
named by the ``SignerInfo`` (issuer + serial), and a signature block without its ``.SF`` file does not count as a v1 signature
(Android ignores it). A v3/v3.1 signer's proof-of-rotation attribute (key rotation) is read into ``SigningInfo.lineage``: the
certificates from the oldest to the signer's own, each with the capabilities the app still grants it (v3.1's
lineage when both blocks carry one: it is the newer rotation). A malformed lineage is a note, not a failure of
the scheme. Signature cryptography and content digests are *not* checked here (opening stays cheap);
:mod:`appwarden.apk.verify` does that on demand (``Apk.verify_signatures()``). Fingerprints are over the
certificate bytes as stored (not re-encoded), as ``apksigner`` prints them.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field, replace
from datetime import datetime

from appwarden.apk.archive import ZipArchive
from appwarden.errors import AppwardenError
from appwarden.evidence import ErrorNote, LineageCert, SignerCert

APK_SIG_BLOCK_MAGIC = b"APK Sig Block 42"
V2_ID = 0x7109871A
V3_ID = 0xF05368C0
V31_ID = 0x1B93AD61
SCHEME_IDS = {V2_ID: "v2", V3_ID: "v3", V31_ID: "v3.1"}
KNOWN_BLOCK_IDS = {
    V2_ID: "v2",
    V3_ID: "v3",
    V31_ID: "v3.1",
    0x42726577: "verity-padding",
    0x6DFF800D: "source-stamp-v2",
    0x2B09189E: "source-stamp-v1",
    0x504B4453: "dependency-info",
    0x71777777: "walle-channel",
    0x2146444E: "play-frosting",
}
SCHEME_ORDER = ("v1", "v2", "v3", "v3.1")
PROOF_OF_ROTATION_ID = (
    0x3BA06F8C  # v3 signed-data additional attribute holding the signing-certificate lineage
)
# lineage node flags: what the app still grants an older certificate (AOSP SigningCertificateLineage)
LINEAGE_CAPABILITIES = (
    (1, "installed_data"),
    (2, "shared_user_id"),
    (4, "permission"),
    (8, "rollback"),
    (16, "auth"),
)
MAX_LINEAGE = 64  # levels; a longer lineage is malformed (real ones have a handful)
# Signers read per v2/v3/v3.1 block: real APKs have one (a handful at most); a 5 MB block can hold 200 000 signers
# of unparseable certificates, each a note and a certificate parse. The rest are named in one note.
MAX_SIGNERS = 16
# Signing notes listed one by one; the rest are counted in one summary note (100 000 junk v1 signature files fit in
# the entry limit, each a note).
MAX_SIGNING_NOTES = 50
V1_BLOCK_SUFFIXES = (".RSA", ".DSA", ".EC")
MAX_SIG_BLOCK = 64 * 1024 * 1024
MAX_V1_BLOCK = 16 * 1024 * 1024


class _Malformed(Exception):
    pass


@dataclass(slots=True)
class SigningInfo:
    """Schemes present and signer certificates (see the module docstring)."""

    schemes: list[str] = field(default_factory=list)
    signers: list[SignerCert] = field(default_factory=list)
    has_signing_block: bool = False
    block_ids: list[str] = field(
        default_factory=list
    )  # IDs in the APK Signing Block (names when known, else hex)
    v1_files: list[str] = field(default_factory=list)  # META-INF signature block files seen
    notes: list[ErrorNote] = field(default_factory=list)
    # scheme -> True (verifies) / False (fails) / None (cannot decide); empty until Apk.verify_signatures()
    verified: dict[str, bool | None] = field(default_factory=dict)
    lineage: list[LineageCert] = field(default_factory=list)  # key rotation, oldest first (module docstring)
    lineage_scheme: str | None = None  # the block it was read from: "v3" or "v3.1"
    # Apk.verify_rotation()'s answer once asked (True / False / None: undecidable); unset before
    lineage_verified: bool | None = None
    lineage_checked: bool = False


@dataclass(slots=True)
class LineageLevel:
    """One node of a proof-of-rotation lineage as stored: the certificate, the node's signed data (certificate and
    ``parent_algorithm``, the algorithm the previous node signed it with), its flags, ``algorithm`` (the one this
    node's key signs the next node with; 0 in the last) and the previous node's signature over the signed data
    (empty in the first)."""

    der: bytes
    signed_data: bytes
    parent_algorithm: int
    flags: int
    algorithm: int
    signature: bytes


@dataclass(slots=True)
class _Cert:
    """One distinct signer certificate (stored bytes) and the schemes that carry it."""

    der: bytes
    schemes: list[str] = field(default_factory=list)


# -- certificates -------------------------------------------------------------------------------------------------
def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


# attribute types RFC 4514 (section 3) writes by short name; any other is written as its dotted OID
_SHORT_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.6": "C",
    "2.5.4.9": "STREET",
    "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
}
_RFC4514_SPECIAL = str.maketrans(
    {"\\": "\\\\", '"': '\\"', "+": "\\+", ",": "\\,", ";": "\\;", "<": "\\<", ">": "\\>", "\0": "\\00"}
)


def _dn_value(value: str | bytes) -> str:
    """One attribute value as RFC 4514 section 2.4 writes it: strings escaped, anything else as #hex of its DER."""
    if isinstance(value, bytes):
        return "#" + value.hex()
    if not value:
        return ""
    out = value.translate(_RFC4514_SPECIAL)
    if out[0] == "#" or (out[0] == " " and len(out) > 1):
        out = "\\" + out
    if out[-1] == " ":
        out = out[:-1] + "\\ "
    return out


def rfc4514(name: object) -> str:
    """An asn1crypto ``Name`` as an RFC 4514 string (RDNs in reverse order, multi-valued RDNs joined by ``+``):
    the form ``apksigner``-style tools and ``cryptography`` print, e.g. ``CN=Android Debug,O=Android,C=US``."""
    rdns = []
    for rdn in reversed(list(name.chosen)):  # type: ignore[attr-defined]
        parts = []
        for atv in rdn:
            oid = atv["type"].dotted
            value = atv["value"]
            try:
                native = value.native
            except Exception:  # a value asn1crypto cannot decode: keep its bytes
                native = None
            if not isinstance(native, str):
                native = value.dump()
            parts.append(f"{_SHORT_NAMES.get(oid, oid)}={_dn_value(native)}")
        rdns.append("+".join(parts))
    return ",".join(rdns)


def cert_info(der: bytes, schemes: tuple[str, ...] = ()) -> SignerCert:
    """Describe one X.509 certificate given as stored bytes; raises ``ValueError`` when it does not parse.

    Parsed with ``asn1crypto`` (which, like Android, also accepts BER-encoded certificates), the library the v1
    PKCS#7 reader needs anyway: one ASN.1 library on the scan path keeps start-up short. Plain DER certificates
    with common name attributes are read by :mod:`appwarden.apk.certfast` instead, with the same result, so that
    most scans never import asn1crypto (~15 ms of a cold scan).
    """
    from appwarden.apk.certfast import cert_fields

    fast = cert_fields(der)
    if fast is None:
        return _cert_info_asn1(der, schemes)
    subject, issuer, serial, not_before, not_after = fast
    return SignerCert(
        subject=subject,
        issuer=issuer,
        serial=serial,
        not_before=_iso(not_before),
        not_after=_iso(not_after),
        sha256=hashlib.sha256(der).hexdigest(),
        sha1=hashlib.sha1(der).hexdigest(),
        schemes=schemes,
    )


def _cert_info_asn1(der: bytes, schemes: tuple[str, ...] = ()) -> SignerCert:
    """:func:`cert_info` by asn1crypto alone."""
    from asn1crypto import x509 as ax509

    sha256 = hashlib.sha256(der).hexdigest()
    sha1 = hashlib.sha1(der).hexdigest()
    try:
        cert = ax509.Certificate.load(der)
        tbs = cert["tbs_certificate"]
        validity = tbs["validity"]
        not_before, not_after = validity["not_before"].native, validity["not_after"].native
        if not isinstance(not_before, datetime) or not isinstance(not_after, datetime):
            raise ValueError("validity is not a time")
        subject = rfc4514(tbs["subject"])
        same = tbs["issuer"].dump() == tbs["subject"].dump()  # self-signed, as most APK certificates are
        return SignerCert(
            subject=subject,
            issuer=subject if same else rfc4514(tbs["issuer"]),
            serial=format(tbs["serial_number"].native, "x"),
            not_before=_iso(not_before),
            not_after=_iso(not_after),
            sha256=sha256,
            sha1=sha1,
            schemes=schemes,
        )
    except Exception as exc:
        raise ValueError(f"certificate does not parse ({type(exc).__name__})") from None


# -- APK Signing Block ---------------------------------------------------------------------------------------------
def find_signing_block(
    data: bytes | memoryview, cd_offset: int
) -> tuple[int, list[tuple[int, bytes]]] | None:
    """Locate the APK Signing Block that ends at ``cd_offset``: (block offset, [(id, value)]), or None when there
    is none. Raises ``_Malformed`` when the magic is there but the framing is wrong."""
    if cd_offset < 32:
        return None
    footer = bytes(data[cd_offset - 24 : cd_offset])
    if footer[8:] != APK_SIG_BLOCK_MAGIC:
        return None
    (size_footer,) = struct.unpack_from("<Q", footer, 0)
    if size_footer < 24 or size_footer > MAX_SIG_BLOCK or size_footer + 8 > cd_offset:
        raise _Malformed(f"APK Signing Block size {size_footer} is invalid")
    start = cd_offset - size_footer - 8
    block = bytes(data[start:cd_offset])
    (size_header,) = struct.unpack_from("<Q", block, 0)
    if size_header != size_footer:
        raise _Malformed("APK Signing Block size fields disagree")
    pairs: list[tuple[int, bytes]] = []
    pos, end = 8, len(block) - 24
    while pos < end:
        if pos + 8 > end:
            raise _Malformed("APK Signing Block: truncated ID-value pair")
        (length,) = struct.unpack_from("<Q", block, pos)
        if length < 4 or pos + 8 + length > end:
            raise _Malformed("APK Signing Block: ID-value pair runs past the block")
        (pair_id,) = struct.unpack_from("<I", block, pos + 8)
        pairs.append((pair_id, block[pos + 12 : pos + 8 + length]))
        pos += 8 + length
    return start, pairs


def _lp(buf: bytes, pos: int, end: int) -> tuple[bytes, int]:
    """Read one uint32-length-prefixed field."""
    if pos + 4 > end:
        raise _Malformed("length prefix runs past its container")
    (n,) = struct.unpack_from("<I", buf, pos)
    if pos + 4 + n > end:
        raise _Malformed("length-prefixed field runs past its container")
    return buf[pos + 4 : pos + 4 + n], pos + 4 + n


def _sequence(buf: bytes) -> list[bytes]:
    items: list[bytes] = []
    pos = 0
    while pos < len(buf):
        item, pos = _lp(buf, pos, len(buf))
        items.append(item)
    return items


def parse_scheme_block(value: bytes) -> list[list[bytes]]:
    """Certificates (DER bytes) per signer of a v2/v3/v3.1 block value; raises ``_Malformed``."""
    return _scheme_signers(value, None)[0]


def _scheme_signers(value: bytes, limit: int | None) -> tuple[list[list[bytes]], bool]:
    """:func:`parse_scheme_block` of the first ``limit`` signers (None: all), and whether the block has more: the
    signers past the limit are not sliced out or parsed."""
    signers_seq, _ = _lp(value, 0, len(value))
    result: list[list[bytes]] = []
    pos = 0
    while pos < len(signers_seq):
        if limit is not None and len(result) >= limit:
            return result, True
        signer, pos = _lp(signers_seq, pos, len(signers_seq))
        signed_data, _ = _lp(signer, 0, len(signer))
        _digests, at = _lp(signed_data, 0, len(signed_data))
        certs_seq, at = _lp(signed_data, at, len(signed_data))
        certs = _sequence(certs_seq)
        if not certs:
            raise _Malformed("signer without certificates")
        result.append(certs)
    if not result:
        raise _Malformed("no signers")
    return result, False


def signer_lineage(value: bytes) -> bytes | None:
    """The proof-of-rotation attribute value of the first signer of a v3/v3.1 block value that has one (None when
    none does); raises ``_Malformed``."""
    signers_seq, _ = _lp(value, 0, len(value))
    for signer in _sequence(signers_seq):
        signed_data, _ = _lp(signer, 0, len(signer))
        end = len(signed_data)
        _digests, pos = _lp(signed_data, 0, end)
        _certs, pos = _lp(signed_data, pos, end)
        pos += 8  # min and max SDK
        if pos > end:
            raise _Malformed("v3 signed data ends inside its SDK range")
        if pos == end:
            continue  # no additional attributes
        attributes, _ = _lp(signed_data, pos, end)
        for attribute in _sequence(attributes):
            if len(attribute) < 4:
                raise _Malformed("v3 additional attribute shorter than its ID")
            if struct.unpack_from("<I", attribute, 0)[0] == PROOF_OF_ROTATION_ID:
                return attribute[4:]
    return None


def parse_lineage(value: bytes) -> list[LineageLevel]:
    """The levels of a proof-of-rotation attribute value (uint32 version, then length-prefixed nodes: signed data
    (length-prefixed certificate, uint32 algorithm), uint32 flags, uint32 algorithm, length-prefixed signature);
    raises ``_Malformed``."""
    if len(value) < 4:
        raise _Malformed("lineage shorter than its version")
    levels: list[LineageLevel] = []
    for node in _sequence(value[4:]):
        if len(levels) >= MAX_LINEAGE:
            raise _Malformed(f"lineage longer than {MAX_LINEAGE} levels")
        end = len(node)
        signed_data, pos = _lp(node, 0, end)
        if pos + 8 > end:
            raise _Malformed("lineage node ends inside its flags")
        flags, algorithm = struct.unpack_from("<II", node, pos)
        signature, _ = _lp(node, pos + 8, end)
        der, p = _lp(signed_data, 0, len(signed_data))
        if p + 4 > len(signed_data):
            raise _Malformed("lineage node's signed data ends inside its algorithm")
        (parent_algorithm,) = struct.unpack_from("<I", signed_data, p)
        levels.append(LineageLevel(der, signed_data, parent_algorithm, flags, algorithm, signature))
    if not levels:
        raise _Malformed("empty lineage")
    return levels


def capabilities(flags: int) -> tuple[str, ...]:
    """The names of the capability bits set in a lineage node's flags."""
    return tuple(name for bit, name in LINEAGE_CAPABILITIES if flags & bit)


def _read_lineage(scheme: str, value: bytes, info: SigningInfo, describe, note) -> None:
    """Set ``info.lineage`` from a v3/v3.1 block value that carries one (a malformed one is a note)."""
    try:
        raw = signer_lineage(value)
        if raw is None:
            return
        levels = parse_lineage(raw)
        lineage = [
            LineageCert(
                hashlib.sha256(level.der).hexdigest(), describe(level.der).subject, capabilities(level.flags)
            )
            for level in levels
        ]
    except (_Malformed, struct.error, ValueError) as exc:
        note(f"{scheme} key-rotation lineage is malformed: {exc}")
        return
    info.lineage, info.lineage_scheme = lineage, scheme


# -- v1 -----------------------------------------------------------------------------------------------------------
def parse_pkcs7_signers(data: bytes) -> list[bytes]:
    """Signer certificates (stored bytes) of a PKCS#7 SignedData block; raises ``_Malformed``. Plain DER blocks are
    read by :mod:`appwarden.apk.certfast` (same result, no asn1crypto import), others by asn1crypto."""
    from appwarden.apk.certfast import pkcs7_signers

    raw = pkcs7_signers(data)
    if raw is None:
        return _pkcs7_signers_asn1(data)
    if not raw:
        raise _Malformed("PKCS#7 block has no certificates")
    return raw


def _pkcs7_signers_asn1(data: bytes) -> list[bytes]:
    """:func:`parse_pkcs7_signers` by asn1crypto alone."""
    from asn1crypto import cms

    try:
        info = cms.ContentInfo.load(data)
        signed = info["content"]
        certs = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
        sids = []
        for si in signed["signer_infos"]:
            sid = si["sid"]
            if sid.name == "issuer_and_serial_number":
                sids.append((sid.chosen["issuer"].dump(), sid.chosen["serial_number"].native))
        chosen = []
        for c in certs:
            tbs = c["tbs_certificate"]
            if (tbs["issuer"].dump(), tbs["serial_number"].native) in sids:
                chosen.append(c)
        raw = [c.dump() for c in (chosen or certs)]
    except Exception as exc:
        raise _Malformed(f"PKCS#7 block does not parse ({type(exc).__name__})") from None
    if not raw:
        raise _Malformed("PKCS#7 block has no certificates")
    return raw


# -- entry point --------------------------------------------------------------------------------------------------
def read_signing(archive: ZipArchive) -> SigningInfo:
    """Signing schemes and signer certificates of an APK (never raises for bad signature data)."""
    info = SigningInfo()
    certs: dict[str, _Cert] = {}
    described: dict[bytes, SignerCert] = {}

    def describe(der: bytes) -> SignerCert:
        """cert_info once per distinct certificate (v1, v2 and v3 usually carry the same one)."""
        got = described.get(der)
        if got is None:
            got = described[der] = cert_info(der)
        return got

    def add(der: bytes, scheme: str) -> None:
        key = hashlib.sha256(der).hexdigest()
        entry = certs.setdefault(key, _Cert(der))
        if scheme not in entry.schemes:
            entry.schemes.append(scheme)

    overflow: list[ErrorNote] = []  # the summary note past MAX_SIGNING_NOTES
    count = 0

    def note(message: str, path: str | None = None) -> None:
        nonlocal count
        count += 1
        if count <= MAX_SIGNING_NOTES:
            info.notes.append(ErrorNote(stage="signing", message=message, path=path))
            return
        if not overflow:
            overflow.append(ErrorNote(stage="signing", message=""))
            info.notes.append(overflow[0])
        overflow[0].message = f"… and {count - MAX_SIGNING_NOTES} more signing notes, the last: {message}"

    _read_v1(archive, add, note, info, describe)
    try:
        found = find_signing_block(archive.buffer, archive.cd_offset)
    except _Malformed as exc:
        note(str(exc))
        found = None
    if found is not None:
        info.has_signing_block = True
        _start, pairs = found
        for pair_id, value in pairs:
            info.block_ids.append(KNOWN_BLOCK_IDS.get(pair_id, f"0x{pair_id:08x}"))
            scheme = SCHEME_IDS.get(pair_id)
            if scheme is None:
                continue
            try:
                signer_certs, more = _scheme_signers(value, MAX_SIGNERS)
            except (_Malformed, struct.error) as exc:
                note(f"{scheme} signature block is malformed: {exc}")
                continue
            if more:
                note(
                    f"{scheme} signature block has more than {MAX_SIGNERS} signers; only the first {MAX_SIGNERS} read"
                )
            ok = False
            for chain in signer_certs:
                try:
                    describe(chain[0])
                except ValueError as exc:
                    note(f"{scheme} signer {exc}")
                    continue
                add(chain[0], scheme)
                ok = True
            if ok and scheme not in info.schemes:
                info.schemes.append(scheme)
            if ok and scheme != "v2" and (info.lineage_scheme is None or scheme == "v3.1"):
                _read_lineage(scheme, value, info, describe, note)
    info.schemes.sort(key=SCHEME_ORDER.index)
    for c in certs.values():
        schemes = tuple(sorted(c.schemes, key=SCHEME_ORDER.index))
        try:
            info.signers.append(replace(describe(c.der), schemes=schemes))
        except ValueError as exc:
            note(f"signer {exc}")
    return info


def _read_v1(archive: ZipArchive, add, note, info: SigningInfo, describe) -> None:
    names = archive.names
    upper = {n.upper(): n for n in names if n.upper().startswith("META-INF/")}
    for name in names:
        up = name.upper()
        if not up.startswith("META-INF/") or "/" in up[9:] or not up.endswith(V1_BLOCK_SUFFIXES):
            continue
        info.v1_files.append(name)
        base = up.rsplit(".", 1)[0]
        if base + ".SF" not in upper:
            note("v1 signature block without its .SF file (Android ignores it)", name)
            continue
        try:
            data = archive.read(name, max_size=MAX_V1_BLOCK)
            ders = parse_pkcs7_signers(data)
        except (AppwardenError, _Malformed) as exc:
            note(f"v1 signature block is malformed: {exc}", name)
            continue
        ok = False
        for der in ders:
            try:
                describe(der)
            except ValueError as exc:
                note(f"v1 signer {exc}", name)
                continue
            add(der, "v1")
            ok = True
        if ok and "v1" not in info.schemes:
            info.schemes.append("v1")
