"""Cryptographic verification of APK signatures (optional; :mod:`appwarden.apk.signing` only reads structure).

Contract: :func:`verify_signatures` returns ``{scheme: True | False | None}`` for each scheme that
:func:`~appwarden.apk.signing.read_signing` found, plus a list of one-line reasons for every ``False``/``None``.
``True`` means every check below passed; ``False`` that one failed (a tampered or broken APK); ``None`` that this
module cannot decide (an algorithm it does not implement, e.g. the verity-only v2/v3 algorithms). It never raises
for malformed input.

Checks, v2 / v3 / v3.1 (APK Signature Scheme v2/v3 as documented by AOSP):

* each signer's public key equals its first certificate's SubjectPublicKeyInfo;
* each signature whose algorithm is implemented (RSASSA-PSS and PKCS#1 v1.5 with SHA-256/512, ECDSA with
  SHA-256/512, DSA with SHA-256) verifies over the signer's *signed data*;
* the content digest in the signed data for that algorithm equals the chunked digest (1 MiB chunks,
  ``0xa5``/``0x5a`` prefixes) of the three protected sections: zip entries before the signing block, the central
  directory, and the EOCD with its central-directory offset pointing at the signing block.

Checks, v1 (JAR signing): for each ``.RSA``/``.DSA``/``.EC`` block with its ``.SF``: the PKCS#7 signature verifies
(over the signed attributes when present, whose message digest must equal the ``.SF`` digest; else over the
``.SF``); the ``.SF`` whole-manifest digest (or, when absent, every per-entry section digest) matches
``MANIFEST.MF``; every ``MANIFEST.MF`` entry digest matches the entry's uncompressed bytes and every entry outside
``META-INF/`` is listed. Not checked: certificate chains/validity (Android does not check them either),
SDK-version ranges of v3 signers, v4 and source stamps.

Key rotation (:func:`verify_lineage`): the v3/v3.1 proof-of-rotation lineage that ``read_signing`` read is trusted
only when the block carrying it verifies (above: the lineage is inside the signer's signed data), every level
after the first is signed by the previous level's certificate (with the algorithm the previous level names, which
must be the one the level's own signed data names), and the last level is the signer's own certificate.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
import struct
from typing import Any

from appwarden.apk.archive import ZipArchive
from appwarden.apk.signing import (
    SCHEME_IDS,
    _lp,
    _Malformed,
    _sequence,
    find_signing_block,
    parse_lineage,
    parse_scheme_block,
    signer_lineage,
)
from appwarden.errors import AppwardenError

CHUNK = 1024 * 1024

# algorithm id -> (signature kind, hash name, content digest kind or None for verity digests)
ALGORITHMS: dict[int, tuple[str, str, str | None]] = {
    0x0101: ("rsa-pss", "sha256", "sha256"),
    0x0102: ("rsa-pss", "sha512", "sha512"),
    0x0103: ("rsa-pkcs1", "sha256", "sha256"),
    0x0104: ("rsa-pkcs1", "sha512", "sha512"),
    0x0201: ("ecdsa", "sha256", "sha256"),
    0x0202: ("ecdsa", "sha512", "sha512"),
    0x0301: ("dsa", "sha256", "sha256"),
    0x0421: ("rsa-pkcs1", "sha256", None),
    0x0423: ("ecdsa", "sha256", None),
    0x0425: ("dsa", "sha256", None),
}
_SIG_FILES = re.compile(r"^META-INF/[^/]+\.(SF|RSA|DSA|EC)$|^META-INF/MANIFEST\.MF$", re.IGNORECASE)
_DIGEST_NAMES = {
    "SHA-256": "sha256",
    "SHA-512": "sha512",
    "SHA-384": "sha384",
    "SHA1": "sha1",
    "SHA-1": "sha1",
    "MD5": "md5",
}


class _Fail(Exception):
    """A verification check failed (message says which)."""


class _Unsupported(Exception):
    """Cannot decide (algorithm not implemented)."""


def _verify_raw(kind: str, hash_name: str, public_key: Any, signature: bytes, data: bytes) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa

    algo = {
        "sha256": hashes.SHA256(),
        "sha512": hashes.SHA512(),
        "sha1": hashes.SHA1(),
        "sha384": hashes.SHA384(),
        "md5": hashes.MD5(),
    }[hash_name]
    try:
        if kind in ("rsa-pss", "rsa-pkcs1"):
            if not isinstance(public_key, rsa.RSAPublicKey):
                raise _Fail("public key is not RSA")
            pad = (
                padding.PSS(mgf=padding.MGF1(algo), salt_length=algo.digest_size)
                if kind == "rsa-pss"
                else padding.PKCS1v15()
            )
            public_key.verify(signature, data, pad, algo)
        elif kind == "ecdsa":
            if not isinstance(public_key, ec.EllipticCurvePublicKey):
                raise _Fail("public key is not EC")
            public_key.verify(signature, data, ec.ECDSA(algo))
        elif kind == "dsa":
            if not isinstance(public_key, dsa.DSAPublicKey):
                raise _Fail("public key is not DSA")
            public_key.verify(signature, data, algo)
        else:
            raise _Unsupported(kind)
    except InvalidSignature:
        raise _Fail("signature does not verify") from None


def _chunked_digest(buf: Any, sections: list[tuple[int, int]], eocd: bytes, hash_name: str) -> bytes:
    digests: list[bytes] = []
    mv = memoryview(buf)
    try:
        parts = [mv[a:b] for a, b in sections] + [memoryview(eocd)]
        for part in parts:
            for pos in range(0, len(part), CHUNK):
                chunk = part[pos : pos + CHUNK]
                h = hashlib.new(hash_name)
                h.update(b"\xa5" + struct.pack("<I", len(chunk)))
                h.update(chunk)
                digests.append(h.digest())
        top = hashlib.new(hash_name)
        top.update(b"\x5a" + struct.pack("<I", len(digests)))
        for d in digests:
            top.update(d)
        return top.digest()
    finally:
        mv.release()


class _LazyDigests(dict):
    """Content digests of the protected sections, computed on first use per hash."""

    def __init__(self, buf: Any, sections: list[tuple[int, int]], eocd: bytes) -> None:
        super().__init__()
        self._args = (buf, sections, eocd)

    def __missing__(self, hash_name: str) -> bytes:
        buf, sections, eocd = self._args
        value = self[hash_name] = _chunked_digest(buf, sections, eocd, hash_name)
        return value


def _spki(cert_der: bytes) -> bytes:
    from asn1crypto import x509 as ax509

    return ax509.Certificate.load(cert_der)["tbs_certificate"]["subject_public_key_info"].dump()


def _verify_scheme(scheme: str, value: bytes, content: _LazyDigests) -> None:
    """Raise _Fail/_Unsupported/_Malformed unless every signer of this v2/v3 block verifies."""
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    signers_seq, _ = _lp(value, 0, len(value))
    signers = _sequence(signers_seq)
    if not signers:
        raise _Fail("no signers")
    v3 = scheme != "v2"
    for signer in signers:
        end = len(signer)
        signed_data, pos = _lp(signer, 0, end)
        if v3:
            pos += 8  # min/max SDK
        sigs_seq, pos = _lp(signer, pos, end)
        public_key_der, pos = _lp(signer, pos, end)
        digests_seq, p = _lp(signed_data, 0, len(signed_data))
        certs_seq, p = _lp(signed_data, p, len(signed_data))
        certs = _sequence(certs_seq)
        if not certs:
            raise _Fail("signer without certificates")
        if _spki(certs[0]) != public_key_der:
            raise _Fail("signer public key does not match its certificate")
        public_key = load_der_public_key(public_key_der)
        digests: dict[int, bytes] = {}
        for item in _sequence(digests_seq):
            if len(item) < 4:
                raise _Malformed("digest record too short")
            (alg,) = struct.unpack_from("<I", item, 0)
            digests[alg], _ = _lp(item, 4, len(item))
        verified_any = False
        for item in _sequence(sigs_seq):
            if len(item) < 4:
                raise _Malformed("signature record too short")
            (alg,) = struct.unpack_from("<I", item, 0)
            signature, _ = _lp(item, 4, len(item))
            spec = ALGORITHMS.get(alg)
            if spec is None:
                continue
            kind, hash_name, content_kind = spec
            _verify_raw(kind, hash_name, public_key, signature, signed_data)
            if content_kind is None:
                continue  # verity digest: not computed here
            if alg not in digests:
                raise _Fail(f"no content digest for algorithm 0x{alg:04x}")
            if digests[alg] != content[content_kind]:
                raise _Fail("content digest does not match the APK (modified after signing)")
            verified_any = True
        if not verified_any:
            raise _Unsupported("no implemented signature algorithm with a content digest")


def _parse_mf(text: str) -> tuple[dict[str, str], list[tuple[str, dict[str, str]]]]:
    """Main attributes and (name, attributes) of each named section of a JAR manifest / signature file."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n")
    main: dict[str, str] = {}
    entries: list[tuple[str, dict[str, str]]] = []
    for index, sec in enumerate(raw.split("\n\n")):
        attrs: dict[str, str] = {}
        key = None
        for line in sec.split("\n"):
            if line.startswith(" ") and key:
                attrs[key] += line[1:]
            elif ":" in line:
                key, _, val = line.partition(":")
                key = key.strip()
                attrs[key] = val.strip()
        if index == 0:
            main = attrs
        elif "Name" in attrs:
            entries.append((attrs["Name"], attrs))
    return main, entries


def _mf_sections(data: bytes) -> dict[str, bytes]:
    """Exact bytes of each named section of MANIFEST.MF, including the blank line that ends it (what the .SF
    per-entry digests cover)."""
    out: dict[str, bytes] = {}
    current: list[bytes] = []
    for line in [*data.splitlines(keepends=True), b""]:
        current.append(line)
        if line.strip(b"\r\n"):
            continue
        section = b"".join(current)
        current = []
        unfolded = re.sub(rb"\r?\n ", b"", section)
        if unfolded.startswith(b"Name: "):
            name = unfolded.split(b"\n", 1)[0][6:].rstrip(b"\r").decode("utf-8", "replace")
            out[name] = section
    return out


def _digest_of(attrs: dict[str, str], suffix: str) -> tuple[str, str] | None:
    """(hashlib name, base64 value) of the strongest ``<ALG>-<suffix>`` attribute present."""
    for alg in ("SHA-512", "SHA-384", "SHA-256", "SHA-1", "SHA1", "MD5"):
        value = attrs.get(f"{alg}-{suffix}")
        if value:
            return _DIGEST_NAMES[alg], value
    return None


def _verify_v1(archive: ZipArchive) -> None:
    from asn1crypto import cms
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    names = archive.names
    bad = [n for n in names if any(c in n for c in "\r\n\x00")]
    if bad:
        raise _Fail(f"JAR entry name with CR, LF or NUL (Android rejects it): {bad[0]!r}")
    upper = {n.upper(): n for n in names}
    blocks = [n for n in names if re.fullmatch(r"META-INF/[^/]+\.(RSA|DSA|EC)", n, re.IGNORECASE)]
    mf_name = upper.get("META-INF/MANIFEST.MF")
    if mf_name is None:
        raise _Fail("no META-INF/MANIFEST.MF")
    mf_bytes = archive.read(mf_name)
    _main, mf_entries = _parse_mf(mf_bytes.decode("utf-8", "replace"))
    mf_raw_sections = _mf_sections(mf_bytes)
    checked = 0
    for block in blocks:
        sf_name = upper.get(block.rsplit(".", 1)[0].upper() + ".SF")
        if sf_name is None:
            continue
        sf = archive.read(sf_name)
        info = cms.ContentInfo.load(archive.read(block))
        signed = info["content"]
        certs = [c.chosen for c in signed["certificates"] or [] if c.name == "certificate"]
        for si in signed["signer_infos"]:
            sid = si["sid"]
            cert = next(
                (
                    c
                    for c in certs
                    if sid.name == "issuer_and_serial_number"
                    and c["tbs_certificate"]["issuer"].dump() == sid.chosen["issuer"].dump()
                    and c["tbs_certificate"]["serial_number"].native == sid.chosen["serial_number"].native
                ),
                certs[0] if certs else None,
            )
            if cert is None:
                raise _Fail("PKCS#7 block without the signer certificate")
            hash_name = si["digest_algorithm"]["algorithm"].native
            if hash_name not in ("md5", "sha1", "sha256", "sha384", "sha512"):
                raise _Unsupported(f"v1 digest algorithm {hash_name}")
            try:
                sig_algo = si["signature_algorithm"].signature_algo
            except (
                ValueError
            ):  # e.g. the key OID (id-ecPublicKey) given as signature algorithm: use the key type
                sig_algo = {"rsa": "rsassa_pkcs1v15", "ec": "ecdsa", "dsa": "dsa"}.get(
                    cert["tbs_certificate"]["subject_public_key_info"].algorithm, ""
                )
            kind = {"rsassa_pkcs1v15": "rsa-pkcs1", "ecdsa": "ecdsa", "dsa": "dsa"}.get(sig_algo)
            if kind is None:
                raise _Unsupported(f"v1 signature algorithm {sig_algo}")
            signed_attrs = si["signed_attrs"]
            if isinstance(signed_attrs, cms.CMSAttributes) and len(signed_attrs):
                md = next(
                    (a["values"][0].native for a in signed_attrs if a["type"].native == "message_digest"),
                    None,
                )
                if md != hashlib.new(hash_name, sf).digest():
                    raise _Fail(f"{sf_name}: PKCS#7 message digest does not match")
                data = signed_attrs.untag().dump()
            else:
                data = sf
            public_key = load_der_public_key(cert["tbs_certificate"]["subject_public_key_info"].dump())
            _verify_raw(kind, hash_name, public_key, si["signature"].native, data)
        sf_main, sf_entries = _parse_mf(sf.decode("utf-8", "replace"))
        whole = _digest_of(sf_main, "Digest-Manifest")
        if whole and base64.b64decode(whole[1]) == hashlib.new(whole[0], mf_bytes).digest():
            pass
        else:  # fall back to per-entry section digests
            for name, attrs in sf_entries:
                d = _digest_of(attrs, "Digest")
                section = mf_raw_sections.get(name)
                if (
                    d is None
                    or section is None
                    or base64.b64decode(d[1]) != hashlib.new(d[0], section).digest()
                ):
                    raise _Fail(f"{sf_name}: digest of the MANIFEST.MF section for {name!r} does not match")
        checked += 1
    if not checked:
        raise _Fail("no v1 signature block with its .SF file")
    listed = set()
    for name, attrs in mf_entries:
        d = _digest_of(attrs, "Digest")
        if d is None or name not in archive:
            continue
        if base64.b64decode(d[1]) != hashlib.new(d[0], archive.read(name)).digest():
            raise _Fail(f"MANIFEST.MF digest of {name!r} does not match the entry")
        listed.add(name)
    unlisted = [n for n in names if not n.endswith("/") and not _SIG_FILES.match(n) and n not in listed]
    if unlisted:
        raise _Fail(f"entries not covered by the v1 signature: {', '.join(unlisted[:3])}")


def verify_signatures(archive: ZipArchive, schemes: list[str]) -> tuple[dict[str, bool | None], list[str]]:
    """Verify each scheme in ``schemes`` (as found by ``read_signing``); see the module docstring."""
    result: dict[str, bool | None] = {}
    reasons: list[str] = []

    def run(scheme: str, fn: Any, *args: Any) -> None:
        try:
            fn(*args)
            result[scheme] = True
        except _Fail as exc:
            result[scheme] = False
            reasons.append(f"{scheme}: {exc}")
        except _Unsupported as exc:
            result[scheme] = None
            reasons.append(f"{scheme}: not verified ({exc})")
        except (_Malformed, AppwardenError, ValueError, TypeError, KeyError, IndexError, struct.error) as exc:
            result[scheme] = False
            reasons.append(f"{scheme}: malformed ({type(exc).__name__}: {exc})")

    if "v1" in schemes:
        run("v1", _verify_v1, archive)
    block_schemes = [s for s in schemes if s != "v1"]
    if block_schemes:
        try:
            found = find_signing_block(archive.buffer, archive.cd_offset)
        except _Malformed as exc:
            found = None
            reasons.append(f"signing block: {exc}")
        if found is None:
            for s in block_schemes:
                result[s] = False
            return result, reasons
        start, pairs = found
        buf = archive.buffer
        eocd = bytearray(buf[archive.eocd_offset :])
        struct.pack_into("<I", eocd, 16, start - archive.prefix)
        sections = [(0, start), (archive.cd_offset, archive.eocd_offset)]
        content = _LazyDigests(buf, sections, bytes(eocd))
        for pair_id, value in pairs:
            scheme = SCHEME_IDS.get(pair_id)
            if scheme in block_schemes and scheme not in result:
                run(scheme, _verify_scheme, scheme, value, content)
    return result, reasons


def _verify_levels(value: bytes) -> None:
    """Raise unless the lineage in a v3/v3.1 block value chains (see the module docstring)."""
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    raw = signer_lineage(value)
    if raw is None:
        raise _Fail("no lineage in this block")
    levels = parse_lineage(raw)
    for previous, level in itertools.pairwise(levels):
        if level.parent_algorithm != previous.algorithm:
            raise _Fail("lineage signature algorithm IDs disagree between levels")
        spec = ALGORITHMS.get(previous.algorithm)  # the previous level signs this one with its algorithm
        if spec is None:
            raise _Unsupported(f"lineage signature algorithm 0x{previous.algorithm:04x}")
        kind, hash_name, _ = spec
        key = load_der_public_key(_spki(previous.der))
        try:
            _verify_raw(kind, hash_name, key, level.signature, level.signed_data)
        except _Fail:
            raise _Fail("a lineage level is not signed by the certificate before it") from None
    signer_certs = [chain[0] for chain in parse_scheme_block(value)]
    if levels[-1].der not in signer_certs:
        raise _Fail("the lineage does not end with the signer's certificate")


def verify_lineage(archive: ZipArchive, scheme: str) -> tuple[bool | None, str | None]:
    """Whether the key-rotation lineage in the ``scheme`` ("v3" or "v3.1") block can be trusted (see the module
    docstring): True, False (forged, broken, or the block does not verify) or None (cannot decide), with the
    reason when not True. Never raises for malformed input."""
    verified, reasons = verify_signatures(archive, [scheme])
    if verified.get(scheme) is not True:
        return verified.get(scheme, False), "; ".join(reasons) or f"{scheme}: no such block"
    try:
        found = find_signing_block(archive.buffer, archive.cd_offset)
        value = next(v for pair_id, v in (found[1] if found else []) if SCHEME_IDS.get(pair_id) == scheme)
        _verify_levels(value)
    except StopIteration:
        return False, f"{scheme}: no such block"
    except _Fail as exc:
        return False, f"{scheme} lineage: {exc}"
    except _Unsupported as exc:
        return None, f"{scheme} lineage: not verified ({exc})"
    except (_Malformed, AppwardenError, ValueError, TypeError, KeyError, IndexError, struct.error) as exc:
        return False, f"{scheme} lineage: malformed ({type(exc).__name__}: {exc})"
    return True, None
