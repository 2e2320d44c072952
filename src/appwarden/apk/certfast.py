"""The common case of APK certificates without asn1crypto: a strict DER reader for the few fields a scan reads.

Why: importing ``asn1crypto`` (``x509`` and ``cms`` with ``core``, ``algos``, ``keys``, ``util`` and the standard
modules they pull in: ``socket``, ``decimal``, ``fractions``, ``encodings.idna``) costs ~15 ms of CPU on every cold
``appwarden scan`` of a signed app (issue #19, per-scan fixed costs), while almost every APK certificate is plain
DER with a handful of name attributes.

Contract: :func:`pkcs7_signers` and :func:`cert_fields` return exactly what :func:`appwarden.apk.signing`'s
asn1crypto readers compute from the same bytes (the signer certificates' stored bytes; subject, issuer, serial and
validity), or ``None`` when the input is outside the subset read here: anything but definite-length DER with the
expected tags and nothing after them, constructed strings, time formats other than ``YYMMDDHHMMSSZ`` /
``YYYYMMDDHHMMSSZ``, name attributes other than the common directory strings as UTF8String or PrintableString
(those asn1crypto decodes as ``utf-8`` / ``latin1``), undecodable text, empty integers. ``None`` means "ask
asn1crypto", which then gives its own result or error; so a malformed or unusual certificate is read (or rejected,
with the same message) exactly as before. Never raises.
"""

from __future__ import annotations

from datetime import UTC, datetime

# Name attribute types (DER contents of the OID) whose asn1crypto spec is DirectoryString, with their dotted form.
_DIRECTORY_OIDS = {
    bytes([0x55, 0x04, n]): f"2.5.4.{n}"
    for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 17, 41, 42, 43, 44, 46, 65, 97)
}
_DIRECTORY_OIDS[bytes.fromhex("0992268993f22c640101")] = "0.9.2342.19200300.100.1.1"  # user id
_TEXT_TAGS = {0x0C: "utf-8", 0x13: "latin1"}  # UTF8String, PrintableString: asn1crypto's decodings
_SIGNED_DATA = bytes.fromhex("2a864886f70d010702")  # 1.2.840.113549.1.7.2
_DIGITS = frozenset(b"0123456789")
# SignerInfo after version and sid: digestAlgorithm, signedAttrs [0]?, signatureAlgorithm, signature, unsignedAttrs [1]?
_SIGNER_INFO_TAILS = {
    (0x30, 0x30, 0x04),
    (0x30, 0xA0, 0x30, 0x04),
    (0x30, 0x30, 0x04, 0xA1),
    (0x30, 0xA0, 0x30, 0x04, 0xA1),
}


class _Outside(Exception):
    """The input is outside the strict subset: asn1crypto reads it."""


def _elements(buf: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """The DER elements in ``buf[start:end]``, each (tag, header start, contents start, contents end); they must
    fill the range exactly."""
    out = []
    pos = start
    while pos < end:
        if pos + 2 > end:
            raise _Outside
        tag = buf[pos]
        if tag & 0x1F == 0x1F:  # high tag number form
            raise _Outside
        first = buf[pos + 1]
        body = pos + 2
        if first < 0x80:
            length = first
        else:
            count = first & 0x7F
            if count == 0 or count > 4 or body + count > end:  # indefinite (BER) or absurd
                raise _Outside
            length = int.from_bytes(buf[body : body + count], "big")
            body += count
        stop = body + length
        if stop > end:
            raise _Outside
        out.append((tag, pos, body, stop))
        pos = stop
    return out


def _tags(children: list[tuple[int, int, int, int]], *expected: int | tuple[int, ...]) -> None:
    if len(children) != len(expected):
        raise _Outside
    for (tag, *_rest), want in zip(children, expected, strict=True):
        if tag != want if isinstance(want, int) else tag not in want:
            raise _Outside


def _integer(buf: bytes, element: tuple[int, int, int, int]) -> int:
    tag, _head, body, stop = element
    if tag != 0x02 or stop == body:
        raise _Outside
    return int.from_bytes(buf[body:stop], "big", signed=True)


def _tbs_children(buf: bytes, cert: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    """The TBSCertificate's fields (version first when present), checked against X.509's layout."""
    parts = _elements(buf, cert[2], cert[3])
    _tags(parts, 0x30, 0x30, 0x03)  # tbsCertificate, signatureAlgorithm, signatureValue
    tbs = _elements(buf, parts[0][2], parts[0][3])
    if tbs and tbs[0][0] == 0xA0:  # [0] EXPLICIT version
        version = _elements(buf, tbs[0][2], tbs[0][3])
        _tags(version, 0x02)
        fields = tbs[1:]
    else:
        fields = tbs
    if len(fields) < 6:
        raise _Outside
    _tags(
        fields[:6], 0x02, 0x30, 0x30, 0x30, 0x30, 0x30
    )  # serial, signature, issuer, validity, subject, spki
    optional = [tag for tag, *_rest in fields[6:]]
    if optional != sorted(set(optional)) or not set(optional) <= {0x81, 0xA1, 0x82, 0xA2, 0xA3}:
        raise _Outside  # issuerUniqueID [1], subjectUniqueID [2], extensions [3], in order, once each
    return fields


def _time(buf: bytes, element: tuple[int, int, int, int]) -> datetime:
    tag, _head, body, stop = element
    raw = buf[body:stop]
    if tag == 0x17 and len(raw) == 13:  # UTCTime YYMMDDHHMMSSZ
        digits, year = raw[:12], int(raw[:2])
        year += 2000 if year < 50 else 1900
        rest = digits[2:]
    elif tag == 0x18 and len(raw) == 15:  # GeneralizedTime YYYYMMDDHHMMSSZ
        digits, year = raw[:14], int(raw[:4])
        rest = digits[4:]
        if year == 0:
            raise _Outside
    else:
        raise _Outside
    if raw[-1:] != b"Z" or not _DIGITS.issuperset(digits):
        raise _Outside
    month, day, hour, minute, second = (int(rest[i : i + 2]) for i in range(0, 10, 2))
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        raise _Outside from None


def _name(buf: bytes, element: tuple[int, int, int, int]) -> str:
    """An RDNSequence as :func:`appwarden.apk.signing.rfc4514` writes it."""
    from appwarden.apk.signing import _SHORT_NAMES, _dn_value

    rdns = []
    for rdn in _elements(buf, element[2], element[3]):
        if rdn[0] != 0x31:
            raise _Outside
        parts = []
        for atv in _elements(buf, rdn[2], rdn[3]):
            if atv[0] != 0x30:
                raise _Outside
            kind, value = _elements_pair(buf, atv)
            oid = _DIRECTORY_OIDS.get(buf[kind[2] : kind[3]])
            encoding = _TEXT_TAGS.get(value[0])
            if kind[0] != 0x06 or oid is None or encoding is None:
                raise _Outside
            try:
                text = buf[value[2] : value[3]].decode(encoding)
            except UnicodeDecodeError:
                raise _Outside from None
            parts.append(f"{_SHORT_NAMES.get(oid, oid)}={_dn_value(text)}")
        rdns.append("+".join(parts))
    return ",".join(reversed(rdns))


def _elements_pair(buf: bytes, element: tuple[int, int, int, int]) -> list[tuple[int, int, int, int]]:
    pair = _elements(buf, element[2], element[3])
    if len(pair) != 2:
        raise _Outside
    return pair


def cert_fields(der: bytes) -> tuple[str, str, str, datetime, datetime] | None:
    """(subject, issuer, serial as hex, not before, not after) of one certificate, or None (see the module
    docstring)."""
    try:
        top = _elements(der, 0, len(der))
        _tags(top, 0x30)
        fields = _tbs_children(der, top[0])
        serial = _integer(der, fields[0])
        validity = _elements(der, fields[3][2], fields[3][3])
        _tags(validity, (0x17, 0x18), (0x17, 0x18))
        not_before, not_after = _time(der, validity[0]), _time(der, validity[1])
        subject = _name(der, fields[4])
        issuer_raw, subject_raw = der[fields[2][1] : fields[2][3]], der[fields[4][1] : fields[4][3]]
        issuer = subject if issuer_raw == subject_raw else _name(der, fields[2])
        return subject, issuer, format(serial, "x"), not_before, not_after
    except (_Outside, ValueError, IndexError):
        return None


def pkcs7_signers(data: bytes) -> list[bytes] | None:
    """The signer certificates (stored bytes) of a PKCS#7 SignedData block as
    :func:`appwarden.apk.signing.parse_pkcs7_signers` picks them (those a SignerInfo names by issuer and serial,
    else all), or None (see the module docstring)."""
    try:
        top = _elements(data, 0, len(data))
        _tags(top, 0x30)
        info = _elements(data, top[0][2], top[0][3])
        _tags(info, 0x06, 0xA0)
        if data[info[0][2] : info[0][3]] != _SIGNED_DATA:
            raise _Outside
        content = _elements(data, info[1][2], info[1][3])
        _tags(content, 0x30)
        signed = _elements(data, content[0][2], content[0][3])
        tags = [tag for tag, *_rest in signed]
        if tags not in ([0x02, 0x31, 0x30, 0xA0, 0x31], [0x02, 0x31, 0x30, 0xA0, 0xA1, 0x31]):
            raise _Outside  # version, digestAlgorithms, encapContentInfo, certificates [0], crls [1]?, signerInfos
        certs = _elements(data, signed[3][2], signed[3][3])
        keys = []
        for cert in certs:
            if cert[0] != 0x30:  # another CertificateChoices alternative
                raise _Outside
            fields = _tbs_children(data, cert)
            keys.append((data[fields[2][1] : fields[2][3]], _integer(data, fields[0])))
        sids = set()
        for si in _elements(data, signed[-1][2], signed[-1][3]):
            if si[0] != 0x30:
                raise _Outside
            parts = _elements(data, si[2], si[3])
            tags = [tag for tag, *_rest in parts]
            if len(tags) < 2 or tags[0] != 0x02 or tags[1] not in (0x30, 0x80):
                raise _Outside
            if tuple(tags[2:]) not in _SIGNER_INFO_TAILS:
                raise _Outside
            if tags[1] == 0x30:  # issuerAndSerialNumber
                issuer, serial = _elements_pair(data, parts[1])
                if issuer[0] != 0x30:
                    raise _Outside
                sids.add((data[issuer[1] : issuer[3]], _integer(data, serial)))
        chosen = [cert for cert, key in zip(certs, keys, strict=True) if key in sids]
        return [data[c[1] : c[3]] for c in (chosen or certs)]
    except (_Outside, ValueError, IndexError):
        return None
