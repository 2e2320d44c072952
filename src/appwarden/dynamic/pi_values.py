"""Find personal-information values in captured network data (URLs, query strings, headers, bodies).

:func:`detect_pi(text_or_pairs, where)` returns ``[{category, where, name?, value}]`` (``value`` masked: never the
full identifier). Two kinds of signal, both conservative:

* **value patterns** that are specific enough on their own: IMEI (15 digits passing the Luhn check), IMSI of a
  Chinese carrier (15 digits starting 460, not Luhn-valid IMEI), ICCID (19-20 digits starting 8986), MAC addresses
  (``aa:bb:cc:dd:ee:ff`` / ``-`` / URL-encoded, excluding the all-zero and the Android placeholder
  ``02:00:00:00:00:00``);
* **parameter names** for values with no distinctive shape: ``android_id``/``androidid``, ``oaid``, ``imei``,
  ``imsi``, ``mac``, ``lat``/``lng``/``latitude``/``longitude``, phone numbers (``phone``/``mobile``/``tel`` with an
  11-digit 1[3-9]x number), app lists (``applist``/``pkgs``/``installed``... or three or more package names).

``known`` maps exact values observed in the trace (e.g. what ``getDeviceId`` returned) to their category: those
are found wherever they appear.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, urlsplit

MAX_TEXT = 256 * 1024  # bytes of a body examined

_DIGITS15 = re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])")
_ICCID = re.compile(r"(?<![0-9])8986[0-9]{15,16}(?![0-9])")
_MAC = re.compile(
    r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}([:-]))(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![0-9A-Fa-f])"
)
_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_PACKAGE = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+){2,}\b")
_PLACEHOLDER_MACS = {"02:00:00:00:00:00", "00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"}

NAME_HINTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(android_?id|androidid|ssaid|aid)$"), "android_id"),
    (re.compile(r"^(oaid|oa_id|adid|gaid|idfa)$"), "oaid"),
    (re.compile(r"^(imei\d?|meid|device_?imei)$"), "imei"),
    (re.compile(r"^(imsi)$"), "imsi"),
    (re.compile(r"^(iccid|sim_?serial)$"), "iccid"),
    (re.compile(r"^(mac|mac_?addr(ess)?|wifi_?mac|bssid)$"), "mac"),
    (re.compile(r"^(lat|lng|lon|latitude|longitude|location|gps)$"), "location"),
    (re.compile(r"^(applist|app_?list|installed_?apps?|pkgs|pkg_?list|packages)$"), "app_list"),
    (re.compile(r"^(serial|serial_?no|sn)$"), "serial"),
]
PHONE_NAMES = re.compile(r"^(phone|mobile|tel|msisdn|phone_?num(ber)?|line1)$")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def mask(value: str) -> str:
    """Keep 3 leading and 2 trailing characters: enough to match evidence, not enough to identify."""
    value = str(value)
    return value if len(value) <= 6 else value[:3] + "****" + value[-2:]


def _values_in(text: str) -> list[tuple[str, str]]:
    """(category, value) found by value shape alone."""
    found: list[tuple[str, str]] = []
    for m in _ICCID.finditer(text):
        found.append(("iccid", m.group(0)))
    for m in _DIGITS15.finditer(text):
        digits = m.group(0)
        if luhn_ok(digits) and not digits.startswith("460"):
            found.append(("imei", digits))
        elif digits.startswith("460"):
            found.append(("imsi", digits))
    for m in _MAC.finditer(text):
        mac = m.group(0).lower().replace("-", ":")
        if mac not in _PLACEHOLDER_MACS:
            found.append(("mac", m.group(0)))
    return found


def _by_name(name: str, value: str) -> str | None:
    key = name.strip().lower()
    if not value or value.lower() in ("null", "none", "unknown", "0", ""):
        return None
    for pattern, category in NAME_HINTS:
        if pattern.match(key):
            return category
    if PHONE_NAMES.match(key) and _PHONE.search(value):
        return "phone_number"
    return None


def _flatten_json(obj: Any, prefix: str = "", depth: int = 0) -> Iterable[tuple[str, str]]:
    if depth > 20:
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten_json(v, str(k), depth + 1)
    elif isinstance(obj, list):
        if obj and all(isinstance(x, str) for x in obj):
            yield prefix, ",".join(obj)
        else:
            for v in obj:
                yield from _flatten_json(v, prefix, depth + 1)
    elif obj is not None:
        yield prefix, str(obj)


def pairs_of(text: str) -> list[tuple[str, str]]:
    """Name/value pairs of a body: JSON keys (flattened), else form/query pairs, else none."""
    stripped = text.strip()
    if stripped[:1] in "{[":
        try:
            return list(_flatten_json(json.loads(stripped)))
        except (ValueError, RecursionError):  # RecursionError: nested past the decoder's limit
            return []
    if "=" in stripped and "\n" not in stripped[:2000]:
        return parse_qsl(stripped, keep_blank_values=False)
    return []


def detect_pi(
    text: str,
    where: str,
    pairs: Iterable[tuple[str, str]] = (),
    known: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """PI found in ``text`` (raw URL/body/header text) and in name/value ``pairs``; see the module docstring."""
    text = text[:MAX_TEXT]
    decoded = unquote_plus(text) if "%" in text or "+" in text else text
    out: dict[tuple[str, str | None], dict[str, Any]] = {}

    def add(category: str, value: str, name: str | None = None) -> None:
        key = (category, name)
        if key not in out:
            item: dict[str, Any] = {"category": category, "where": where, "value": mask(value)}
            if name:
                item["name"] = name
            out[key] = item

    pairs = list(pairs)
    for name, value in pairs:
        cat = _by_name(name, str(value))
        if cat is not None:
            add(cat, str(value), name)
        if len(_PACKAGE.findall(str(value))) >= 3 and cat is None:
            add("app_list", str(value), name)
    for cat, value in _values_in(" ".join([decoded, *(str(v)[:MAX_TEXT] for _n, v in pairs)])):
        if not any(k[0] == cat for k in out):
            add(cat, value)
    for value, cat in (known or {}).items():
        if len(value) >= 6 and value in decoded and not any(k[0] == cat for k in out):
            add(cat, value)
    return list(out.values())


def detect_in_url(url: str, known: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """PI in a URL's query string (names and values) and path."""
    parts = urlsplit(url)
    found = detect_pi(parts.query, "query", parse_qsl(parts.query, keep_blank_values=False), known)
    seen = {f["category"] for f in found}
    found += [f for f in detect_pi(parts.path, "path", (), known) if f["category"] not in seen]
    return found
