"""AndroidManifest.xml (binary) -> :class:`appwarden.apk.model.Manifest`.

Contract: :func:`parse_manifest` reads the compiled manifest the way Android's package parser does: attributes by
resource ID (see :mod:`appwarden.apk.axml`), class names expanded (``.Foo`` and ``Foo`` become
``<package>.Foo``), and the *effective* exported state of each component:

* the explicit ``android:exported`` when present (a ``@bool`` reference is resolved through ``resources`` when
  possible);
* else providers are exported iff the effective targetSdk < 17;
* else a component is exported iff it has at least one intent filter (the pre-API-31 rule; from API 31 such an
  APK no longer installs, but older devices still apply the rule, so we report it as exported and note it).

``minSdkVersion``/``targetSdkVersion`` are kept as declared (``None`` when absent);
``Manifest.effective_target_sdk`` applies Android's defaults (min 1, target = min). ``@string`` references (label,
meta-data values) are resolved through ``resources`` (an :class:`appwarden.apk.arsc.ResourceTable`, optional).
Malformed XML raises :class:`~appwarden.errors.AxmlFormatError`; oddities go to ``Manifest.notes``.
"""

from __future__ import annotations

from typing import Any, Protocol

from appwarden.apk.axml import ANDROID_NS, Attribute, Element, parse_axml
from appwarden.apk.model import (
    COMPONENT_KINDS,
    Component,
    DeclaredPermission,
    IntentFilter,
    Manifest,
    UsesPermission,
)
from appwarden.errors import AxmlFormatError

_PROTECTION_BASE = {0: "normal", 1: "dangerous", 2: "signature", 3: "signatureOrSystem"}
_PROTECTION_FLAGS = {
    0x10: "privileged",
    0x20: "development",
    0x40: "appop",
    0x80: "pre23",
    0x100: "installer",
    0x200: "verifier",
    0x400: "preinstalled",
    0x800: "setup",
    0x1000: "instant",
    0x2000: "runtimeOnly",
    0x4000: "oem",
    0x8000: "vendorPrivileged",
    0x10000: "textClassifier",
}
_DATA_ATTRS = ("scheme", "host", "port", "path", "pathPrefix", "pathPattern", "mimeType")


class ResourceResolver(Protocol):
    def resolve(self, res_id: int) -> Any: ...


def protection_level_name(value: int) -> str:
    """``2`` -> ``signature``; ``0x12`` -> ``signature|privileged``."""
    parts = [_PROTECTION_BASE.get(value & 0xF, str(value & 0xF))]
    parts += [name for bit, name in _PROTECTION_FLAGS.items() if value & bit]
    return "|".join(parts)


class _Reader:
    def __init__(self, resources: ResourceResolver | None, notes: list[str]) -> None:
        self.resources = resources
        self.notes = notes

    def resolve(self, a: Attribute) -> Any:
        """The attribute's value, with references resolved through the resource table when possible."""
        if a.is_reference and self.resources is not None:
            try:
                value = self.resources.resolve(a.data)
            except Exception:  # a broken table must not break the manifest
                value = None
            if value is not None:
                return value
        return a.value

    def text(self, el: Element, name: str, ns: str | None = ANDROID_NS) -> str | None:
        a = el.attr(name, ns)
        if a is None:
            return None
        v = self.resolve(a)
        if v is None:
            return None
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v) if not isinstance(v, str) else v

    def integer(self, el: Element, name: str) -> int | None:
        a = el.attr(name)
        if a is None:
            return None
        v = self.resolve(a)
        if isinstance(v, bool):
            return int(v)
        if isinstance(v, int):
            return v
        if isinstance(v, str):
            try:
                return int(v.strip(), 0)
            except ValueError:
                return None
        return None

    def boolean(self, el: Element, name: str) -> bool | None:
        a = el.attr(name)
        if a is None:
            return None
        v = self.resolve(a)
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return v != 0
        if isinstance(v, str):
            low = v.strip().lower()
            if low in ("true", "false"):
                return low == "true"
        self.notes.append(f"<{el.tag}> android:{name} has an unresolvable value {a.text!r}")
        return None


def _class_name(package: str | None, name: str | None) -> str | None:
    if not name:
        return name
    if name.startswith("."):
        return f"{package}{name}" if package else name[1:]
    if "." not in name and package:
        return f"{package}.{name}"
    return name


CUR_DEVELOPMENT = 10000  # the API level Android gives a pre-release codename ("Q", "UpsideDownCake")


def _sdk_level(r: _Reader, el: Element, name: str) -> int | None:
    """An SDK level; a codename (a non-numeric string) counts as the in-development level, as Android does."""
    value = r.integer(el, name)
    if value is None:
        text = r.text(el, name)
        if text and text.strip() and not text.strip().lstrip("-").isdigit():
            r.notes.append(
                f"uses-sdk android:{name} is the codename {text!r}; treated as API level {CUR_DEVELOPMENT}"
            )
            return CUR_DEVELOPMENT
    return value


def _intent_filter(r: _Reader, el: Element) -> IntentFilter:
    f = IntentFilter(priority=r.integer(el, "priority"))
    for child in el.children:
        if child.tag == "action":
            v = r.text(child, "name")
            if v is not None:
                f.actions.append(v)
        elif child.tag == "category":
            v = r.text(child, "name")
            if v is not None:
                f.categories.append(v)
        elif child.tag == "data":
            d = {k: v for k in _DATA_ATTRS if (v := r.text(child, k)) is not None}
            if d:
                f.data.append(d)
    return f


def _meta_data(r: _Reader, el: Element, into: dict[str, str]) -> None:
    name = r.text(el, "name")
    if name is None:
        return
    value = r.text(el, "value")
    if value is None:
        value = r.text(el, "resource")
    into.setdefault(name, value if value is not None else "")


def parse_manifest(axml_bytes: bytes, resources: ResourceResolver | None = None) -> Manifest:
    """Parse a compiled AndroidManifest.xml; raise ``AxmlFormatError`` when it is not a readable manifest."""
    doc = parse_axml(axml_bytes)
    root = doc.root
    if root is None or root.tag != "manifest":
        raise AxmlFormatError(
            f"AndroidManifest.xml: root element is <{root.tag if root else ''}>, not <manifest>"
        )
    notes = list(doc.notes)
    r = _Reader(resources, notes)
    m = Manifest()
    m.notes = notes
    m.package = r.text(root, "package", ns=None)
    m.version_code = r.integer(root, "versionCode")
    major = r.integer(root, "versionCodeMajor")
    if major:  # the long version code Android compares: major in the high 32 bits
        m.version_code = (major << 32) | ((m.version_code or 0) & 0xFFFFFFFF)
    m.version_name = r.text(root, "versionName")
    m.shared_user_id = r.text(root, "sharedUserId")
    pkg = m.package
    app: Element | None = None
    for el in root.children:
        tag = el.tag
        if tag == "uses-sdk":
            if m.min_sdk is None and m.target_sdk is None:
                m.min_sdk = _sdk_level(r, el, "minSdkVersion")
                m.target_sdk = _sdk_level(r, el, "targetSdkVersion")
                m.max_sdk = r.integer(el, "maxSdkVersion")
        elif tag in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
            name = r.text(el, "name")
            if name:
                m.uses_permissions.append(UsesPermission(name=name, max_sdk=r.integer(el, "maxSdkVersion")))
        elif tag == "permission":
            name = r.text(el, "name")
            if name:
                a = el.attr("protectionLevel")
                level: str | None = None
                if a is not None:
                    v = r.resolve(a)
                    level = (
                        protection_level_name(v) if isinstance(v, int) and not isinstance(v, bool) else str(v)
                    )
                m.declared_permissions.append(DeclaredPermission(name=name, protection_level=level))
        elif tag == "uses-feature":
            name = r.text(el, "name")
            if name:
                m.uses_features.append(name)
        elif tag == "queries":
            m.has_queries = True
            for q in el.children:
                if q.tag == "package":
                    name = r.text(q, "name")
                    if name:
                        m.queries_packages.append(name)
                elif q.tag == "intent":
                    m.queries_intents.append(_intent_filter(r, q))
        elif tag == "application":
            if app is None:
                app = el
            else:
                notes.append("second <application> element ignored")
    if app is not None:
        _application(r, m, app, pkg)
    return m


def _application(r: _Reader, m: Manifest, app: Element, pkg: str | None) -> None:
    m.application_class = _class_name(pkg, r.text(app, "name"))
    m.app_component_factory = _class_name(pkg, r.text(app, "appComponentFactory"))
    m.label = r.text(app, "label")
    m.icon = r.text(app, "icon")
    m.debuggable = bool(r.boolean(app, "debuggable"))
    m.allow_backup = r.boolean(app, "allowBackup")
    m.uses_cleartext_traffic = r.boolean(app, "usesCleartextTraffic")
    m.network_security_config = r.text(app, "networkSecurityConfig")
    target = m.effective_target_sdk
    for el in app.children:
        if el.tag == "meta-data":
            _meta_data(r, el, m.meta_data)
            continue
        if el.tag not in COMPONENT_KINDS:
            continue
        name = _class_name(pkg, r.text(el, "name"))
        if not name:
            r.notes.append(f"<{el.tag}> without android:name ignored")
            continue
        c = Component(kind=el.tag, name=name)
        c.exported_explicit = r.boolean(el, "exported")
        enabled = r.boolean(el, "enabled")
        c.enabled = True if enabled is None else enabled
        c.permission = r.text(el, "permission")
        c.process = r.text(el, "process")
        if el.tag == "provider":
            c.read_permission = r.text(el, "readPermission")
            c.write_permission = r.text(el, "writePermission")
            auth = r.text(el, "authorities")
            c.authorities = [a for a in (auth or "").split(";") if a]
            c.grant_uri_permissions = bool(r.boolean(el, "grantUriPermissions"))
        if el.tag == "activity-alias":
            c.target_activity = _class_name(pkg, r.text(el, "targetActivity"))
        for child in el.children:
            if child.tag == "intent-filter":
                c.intent_filters.append(_intent_filter(r, child))
            elif child.tag == "meta-data":
                _meta_data(r, child, c.meta_data)
        if c.exported_explicit is not None:
            c.exported = c.exported_explicit
        elif el.tag == "provider":
            c.exported = target < 17
        else:
            c.exported = bool(c.intent_filters)
            if c.exported and target >= 31:
                r.notes.append(
                    f"{name}: intent filter without android:exported (Android 12+ refuses to install this APK)"
                )
        m.components.append(c)
