"""Network security config (``android:networkSecurityConfig``, a compiled ``res/xml`` file) ->
:class:`appwarden.apk.model.NetworkSecurityConfig`.

Contract: :func:`parse_network_security_config` reads the file the way Android's ``XmlConfigSource`` does (API 24+):

* attributes are plain (no namespace) and read by name; booleans only count when aapt compiled them to an integer
  type (``TYPE_INT_BOOLEAN``/``TYPE_INT_DEC``...); any other value -- a ``@bool/x`` or ``@string/x`` reference, a
  string -- reads as the attribute's default, as ``XmlResourceParser.getAttributeBooleanValue`` does (Android does
  not resolve references here). For ``cleartextTrafficPermitted`` that default is *true*, so
  ``cleartextTrafficPermitted="@bool/x"`` permits cleartext whatever ``x`` is; the model keeps the value as written
  in ``cleartext_raw`` and a note says what resources.arsc holds;
* ``<certificates src>``: a resource reference is a bundled certificate file, else ``system``, ``user`` or ``wfa``;
  ``overridePins`` defaults to false, true inside ``<debug-overrides>``;
* ``<domain>`` names are trimmed and lower-cased; nested ``<domain-config>`` elements record their parent (they
  inherit from it, top-level ones from ``<base-config>``); unknown elements are skipped with their content.

What makes Android reject the whole file (the app then fails on its first connection: a second ``<base-config>``,
a domain-config without ``<domain>``, an unknown ``src``, a duplicate domain, ...) is recorded in ``notes`` and the
rest is still read. Malformed binary XML, a root other than ``<network-security-config>`` and hostile sizes
(:data:`MAX_CONFIGS`, :data:`MAX_DOMAINS`, :data:`MAX_ANCHORS`, :data:`MAX_NESTING`) raise
:class:`~appwarden.errors.AxmlFormatError`; nothing else escapes. :func:`read_network_security_config` is the APK
glue: it finds, reads and parses the file and turns every failure into an :class:`~appwarden.evidence.ErrorNote`.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

from appwarden.apk.axml import TYPE_REFERENCE, Attribute, Element, parse_axml
from appwarden.apk.model import Manifest, NetworkSecurityConfig, NscConfig, NscDomain, NscTrustAnchor
from appwarden.errors import AppwardenError, AxmlFormatError
from appwarden.evidence import ErrorNote

if TYPE_CHECKING:
    from appwarden.apk.archive import ZipArchive
    from appwarden.apk.manifest import ResourceResolver

MAX_NSC_SIZE = 1024 * 1024  # bytes; real files are well under 10 KB
MAX_CONFIGS = 1024  # <domain-config> elements
MAX_DOMAINS = 4096  # <domain> elements
MAX_ANCHORS = 1024  # <certificates> elements
MAX_NESTING = 64  # nested <domain-config> depth
MAX_NOTES = 50

TYPE_FIRST_INT = 0x10
TYPE_LAST_INT = 0x1F
_SOURCES = ("system", "user", "wfa")
_DATE = re.compile(r"\d{1,4}-\d{1,2}-\d{1,2}")
_REJECT = "Android rejects this file"


class _Notes(list):
    def add(self, message: str) -> None:
        if len(self) < MAX_NOTES:
            self.append(message)
        elif len(self) == MAX_NOTES:
            self.append("further notes omitted")


def _plain(el: Element, name: str) -> Attribute | None:
    """``getAttributeValue(null, name)``: the attribute without a namespace."""
    for a in el.attributes:
        if a.name == name and not a.ns:
            return a
    return None


def _as_bool(a: Attribute, default: bool) -> bool:
    """``getAttributeBooleanValue``: integer-typed values only; anything else is the default."""
    if TYPE_FIRST_INT <= a.type <= TYPE_LAST_INT:
        return a.data != 0
    return default


def _written(a: Attribute) -> str:
    return a.raw if a.raw is not None else a.text


class _Parser:
    def __init__(self, path: str, resources: ResourceResolver | None) -> None:
        self.path = path
        self.resources = resources
        self.notes = _Notes()
        self.seen_domains: set[str] = set()
        self.n_domains = 0
        self.n_anchors = 0

    def reject(self, el: Element, why: str) -> None:
        self.notes.add(f"{_REJECT} (line {el.line}): {why}")

    def resolve(self, a: Attribute) -> Any:
        if self.resources is None or not a.is_reference:
            return None
        try:
            return self.resources.resolve(a.data)
        except Exception:  # a broken table must not break the config
            return None

    def config(self, el: Element, kind: str, parent: int | None) -> tuple[NscConfig, list[Element]]:
        """One config element; returns it and its nested <domain-config> children (not yet parsed)."""
        cfg = NscConfig(kind=kind, parent=parent, line=el.line)
        for a in el.attributes:  # Android loops over every attribute by name, whatever its namespace
            if a.name == "cleartextTrafficPermitted":
                cfg.cleartext_permitted = _as_bool(a, True)
                if not TYPE_FIRST_INT <= a.type <= TYPE_LAST_INT and kind != "debug-overrides":
                    cfg.cleartext_raw = _written(a)
                    value = self.resolve(a)
                    if isinstance(value, bool):
                        value = "true" if value else "false"
                    held = f" (resources.arsc holds {value!r})" if value is not None else ""
                    self.notes.add(
                        f"<{kind}> cleartextTrafficPermitted={cfg.cleartext_raw!r}{held} is not a compiled boolean: "
                        "Android reads it as the default, true"
                    )
        nested: list[Element] = []
        for child in el.children:
            tag = child.tag
            if tag == "domain":
                if kind != "domain-config":
                    self.reject(child, f"<domain> not allowed in <{kind}>")
                    continue
                self.domain(child, cfg)
            elif tag == "trust-anchors":
                if cfg.trust_anchors is not None:
                    self.reject(child, f"more than one <trust-anchors> in <{kind}>")
                    continue  # Android stops at the second one; keep the first
                cfg.trust_anchors = self.anchors(child, default_override=kind == "debug-overrides")
            elif tag == "pin-set":
                if kind != "domain-config":
                    self.reject(child, f"<pin-set> not allowed in <{kind}>")
                    continue
                if cfg.pin_set:
                    self.reject(child, "more than one <pin-set> in a <domain-config>")
                    continue
                self.pin_set(child, cfg)
            elif tag == "domain-config":
                if kind != "domain-config":
                    self.reject(child, f"nested <domain-config> not allowed in <{kind}>")
                    continue
                nested.append(child)
        if kind == "domain-config" and not cfg.domains:
            self.reject(el, "<domain-config> without a <domain>")
        return cfg, nested

    def domain(self, el: Element, cfg: NscConfig) -> None:
        self.n_domains += 1
        if self.n_domains > MAX_DOMAINS:
            raise AxmlFormatError(f"{self.path}: more than {MAX_DOMAINS} <domain> elements")
        a = _plain(el, "includeSubdomains")
        include = _as_bool(a, False) if a is not None else False
        name = (el.text or "").strip().lower()
        if not name:
            self.reject(el, "<domain> without a domain name")
            return
        if el.children:
            self.reject(el, f"<domain>{name}</domain> contains elements")
        if name in self.seen_domains:
            self.reject(el, f"domain {name} specified twice")
        self.seen_domains.add(name)
        cfg.domains.append(NscDomain(name=name, include_subdomains=include))

    def anchors(self, el: Element, default_override: bool) -> list[NscTrustAnchor]:
        found: list[NscTrustAnchor] = []
        for child in el.children:
            if child.tag != "certificates":
                continue
            self.n_anchors += 1
            if self.n_anchors > MAX_ANCHORS:
                raise AxmlFormatError(f"{self.path}: more than {MAX_ANCHORS} <certificates> elements")
            a = _plain(child, "overridePins")
            override = _as_bool(a, default_override) if a is not None else default_override
            src = _plain(child, "src")
            if src is None:
                self.reject(child, "<certificates> without src")
                continue
            if src.type == TYPE_REFERENCE:  # getAttributeResourceValue: a bundled certificate file
                value = self.resolve(src)
                shown = value if isinstance(value, str) and value else _written(src)
                found.append(NscTrustAnchor(src=shown, override_pins=override, resource=True))
                continue
            text = _written(src)
            if text not in _SOURCES:
                self.reject(child, f"unknown certificates src {text!r} (system, user or a resource)")
                continue
            found.append(NscTrustAnchor(src=text, override_pins=override))
        return found

    def pin_set(self, el: Element, cfg: NscConfig) -> None:
        cfg.pin_set = True
        exp = _plain(el, "expiration")
        if exp is not None:
            cfg.pin_expiration = _written(exp)
            if not _DATE.match(cfg.pin_expiration):
                self.reject(el, f"pin-set expiration {cfg.pin_expiration!r} is not a yyyy-MM-dd date")
        for pin in el.children:
            if pin.tag != "pin":
                continue
            cfg.pin_count += 1
            digest = _plain(pin, "digest")
            algo = _written(digest) if digest is not None else None
            if algo != "SHA-256":
                self.reject(pin, f"unsupported pin digest algorithm {algo!r}")
                continue
            try:
                raw = base64.b64decode((pin.text or "").strip(), validate=False)
            except (binascii.Error, ValueError):
                raw = b""
            if len(raw) != 32:
                self.reject(pin, "pin is not a base64 SHA-256 digest")


def parse_network_security_config(
    data: bytes,
    path: str = "res/xml/network_security_config.xml",
    resources: ResourceResolver | None = None,
    debuggable: bool = True,
) -> NetworkSecurityConfig:
    """Parse a compiled network security config; raise ``AxmlFormatError`` when it is not one (see module doc).

    ``debuggable`` false: the content of ``<debug-overrides>`` is still modelled but not checked (Android skips it
    unread in a non-debuggable app, so it cannot make the file rejected)."""
    doc = parse_axml(data)
    root = doc.root
    if root is None or root.tag != "network-security-config":
        tag = root.tag if root is not None else ""
        raise AxmlFormatError(f"{path}: root element is <{tag}>, not <network-security-config>")
    p = _Parser(path, resources)
    for note in doc.notes:
        p.notes.add(note)
    nsc = NetworkSecurityConfig(path=path)
    for el in root.children:
        if el.tag == "base-config":
            if nsc.base_config is not None:
                p.reject(el, "more than one <base-config>")
                continue
            nsc.base_config, _ = p.config(el, "base-config", None)
        elif el.tag == "debug-overrides":
            if nsc.debug_overrides is not None:
                p.reject(el, "more than one <debug-overrides>")
                continue
            if debuggable:
                nsc.debug_overrides, _ = p.config(el, "debug-overrides", None)
            else:
                unread = _Parser(path, resources)
                nsc.debug_overrides, _ = unread.config(el, "debug-overrides", None)
                p.n_anchors += unread.n_anchors
        elif el.tag == "domain-config":
            _domain_configs(p, nsc, el)
    nsc.notes = list(p.notes)
    return nsc


def _domain_configs(p: _Parser, nsc: NetworkSecurityConfig, top: Element) -> None:
    """A top-level <domain-config> and its nested ones, depth-first in document order (no recursion)."""
    stack: list[tuple[Element, int | None, int]] = [(top, None, 1)]
    while stack:
        el, parent, depth = stack.pop()
        if depth > MAX_NESTING:
            raise AxmlFormatError(f"{p.path}: <domain-config> nested deeper than {MAX_NESTING}")
        if len(nsc.domain_configs) >= MAX_CONFIGS:
            raise AxmlFormatError(f"{p.path}: more than {MAX_CONFIGS} <domain-config> elements")
        cfg, nested = p.config(el, "domain-config", parent)
        nsc.domain_configs.append(cfg)
        index = len(nsc.domain_configs) - 1
        stack.extend((child, index, depth + 1) for child in reversed(nested))


def _debug_companion(
    archive: ZipArchive,
    nsc: NetworkSecurityConfig,
    resources: ResourceResolver | None,
    notes: list[ErrorNote],
) -> None:
    """Android reads ``<debug-overrides>`` of ``@xml/<name>_debug`` when the main file has none (debuggable apps)."""
    if nsc.debug_overrides is not None or not nsc.path.endswith(".xml"):
        return
    companion = nsc.path[: -len(".xml")] + "_debug.xml"
    if companion not in archive:
        return
    try:
        debug = parse_network_security_config(
            archive.read(companion, max_size=MAX_NSC_SIZE), companion, resources
        )
    except AppwardenError as exc:
        notes.append(ErrorNote("netsec", str(exc), companion))
        return
    if debug.debug_overrides is not None:
        nsc.debug_overrides = debug.debug_overrides
        nsc.debug_overrides_path = companion


def read_network_security_config(
    archive: ZipArchive, manifest: Manifest, resources: ResourceResolver | None = None
) -> tuple[NetworkSecurityConfig | None, list[ErrorNote]]:
    """Find, read and parse the APK's network security config; never raises (failures become notes)."""
    ref = manifest.network_security_config
    if not ref:
        return None, []
    notes: list[ErrorNote] = []
    if ref not in archive:
        what = "unresolved resource reference" if ref.startswith("@") else "no such entry"
        notes.append(ErrorNote("netsec", f"network security config {ref!r} not read ({what})"))
        return None, notes
    try:
        data = archive.read(ref, max_size=MAX_NSC_SIZE)
        nsc = parse_network_security_config(data, ref, resources, debuggable=manifest.debuggable)
        if manifest.debuggable:
            _debug_companion(archive, nsc, resources, notes)
    except AppwardenError as exc:
        notes.append(ErrorNote("netsec", str(exc), ref))
        return None, notes
    notes[:0] = [ErrorNote("netsec", msg, ref) for msg in nsc.notes]
    return nsc, notes
