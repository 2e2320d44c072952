"""The manifest model: what AndroidManifest.xml declares, in plain Python objects.

Produced by :func:`appwarden.apk.manifest.parse_manifest`. Names are fully qualified (``.Foo`` expanded with the
package). ``exported`` is the effective state Android applies: the explicit ``android:exported`` when present, else
the pre-API-31 implicit rule (exported iff the component has an intent filter; providers default to exported when
targetSdk < 17).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

COMPONENT_KINDS = ("activity", "activity-alias", "service", "receiver", "provider")


@dataclass(slots=True)
class IntentFilter:
    """One ``<intent-filter>`` of a component."""

    actions: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    data: list[dict[str, str]] = field(default_factory=list)  # scheme/host/port/path/mimeType attributes
    priority: int | None = None


@dataclass(slots=True)
class Component:
    """One activity, activity-alias, service, receiver or provider declared in the manifest."""

    kind: str  # one of COMPONENT_KINDS
    name: str  # fully qualified Java name
    exported: bool = False  # effective exported state
    exported_explicit: bool | None = None  # the android:exported attribute, None when absent
    enabled: bool = True
    permission: str | None = None
    read_permission: str | None = None  # providers
    write_permission: str | None = None  # providers
    authorities: list[str] = field(default_factory=list)  # providers
    grant_uri_permissions: bool = False
    process: str | None = None
    target_activity: str | None = None  # activity-alias
    intent_filters: list[IntentFilter] = field(default_factory=list)
    meta_data: dict[str, str] = field(default_factory=dict)

    @property
    def actions(self) -> set[str]:
        """Every intent-filter action of this component."""
        return {a for f in self.intent_filters for a in f.actions}


@dataclass(slots=True)
class UsesPermission:
    """One ``<uses-permission>`` (or ``-sdk-23`` / ``-sdk-m``) of the manifest."""

    name: str
    max_sdk: int | None = None


@dataclass(slots=True)
class DeclaredPermission:
    """One ``<permission>`` the app defines."""

    name: str
    protection_level: str | None = None


@dataclass(slots=True)
class NscTrustAnchor:
    """One ``<certificates>`` of a ``<trust-anchors>``: ``src`` is ``system``, ``user``, ``wfa`` or a resource
    (``@raw/my_ca``, kept as written, ``res/raw/my_ca.pem`` when resources.arsc resolves it)."""

    src: str
    override_pins: bool = False  # as Android reads it (default false, true inside <debug-overrides>)
    resource: bool = False  # src is a resource reference (a bundled certificate file)


@dataclass(slots=True)
class NscDomain:
    """One ``<domain>`` of a network security ``<domain-config>``."""

    name: str  # trimmed and lower-cased, as Android stores it
    include_subdomains: bool = False


@dataclass(slots=True)
class NscConfig:
    """A ``<base-config>``, ``<domain-config>`` or ``<debug-overrides>`` element, as Android's XmlConfigSource reads
    it. ``None`` means "not set here": the value is inherited (parent domain-config, then base-config, then the
    platform default)."""

    kind: str  # "base-config", "domain-config" or "debug-overrides"
    cleartext_permitted: bool | None = None  # own cleartextTrafficPermitted; None: absent (inherited)
    cleartext_raw: str | None = None  # the attribute as written when not a compiled boolean ("@bool/x")
    trust_anchors: list[NscTrustAnchor] | None = None  # None: no <trust-anchors> (inherited); []: none
    domains: list[NscDomain] = field(default_factory=list)  # domain-config only
    pin_set: bool = False  # a <pin-set> is present (domain-config only)
    pin_count: int = 0
    pin_expiration: str | None = None
    parent: int | None = None  # index in NetworkSecurityConfig.domain_configs of the enclosing domain-config
    line: int = 0  # source line recorded by aapt

    @property
    def trusts_user(self) -> bool:
        """Its own trust anchors include the user-installed CA store."""
        return any(a.src == "user" for a in self.trust_anchors or ())


@dataclass(slots=True)
class NetworkSecurityConfig:
    """The network security config file (``android:networkSecurityConfig``), parsed by
    :func:`appwarden.apk.netsec.parse_network_security_config`. Android 7.0+ (API 24+) applies it and then ignores
    ``android:usesCleartextTraffic``; ``debug-overrides`` apply only when the app is debuggable."""

    path: str  # the entry in the APK (res/xml/....xml)
    base_config: NscConfig | None = None
    domain_configs: list[NscConfig] = field(default_factory=list)  # pre-order: nested ones after their parent
    debug_overrides: NscConfig | None = None
    debug_overrides_path: str | None = None  # when read from the <name>_debug.xml companion file
    notes: list[str] = field(default_factory=list)  # oddities, incl. what makes Android reject the file

    @staticmethod
    def default_cleartext(target_sdk: int) -> bool:
        """The platform default under a network security config: cleartext permitted iff targetSdk < 28."""
        return target_sdk < 28

    def base_cleartext(self, target_sdk: int) -> bool:
        """Whether cleartext is permitted for every domain no domain-config covers."""
        base = self.base_config
        if base is not None and base.cleartext_permitted is not None:
            return base.cleartext_permitted
        return self.default_cleartext(target_sdk)

    def cleartext(self, config: NscConfig, target_sdk: int) -> bool:
        """The effective cleartextTrafficPermitted of ``config`` (own value, else its parents', else base's)."""
        seen = 0
        current: NscConfig | None = config
        while current is not None and seen <= len(self.domain_configs):
            if current.cleartext_permitted is not None:
                return current.cleartext_permitted
            if current.kind != "domain-config":
                break
            current = self._parent(current)
            seen += 1
        return self.base_cleartext(target_sdk)

    def trusts_user_ca(self, config: NscConfig | None, target_sdk: int) -> bool:
        """Whether ``config`` (None: the base) trusts user-installed CAs: its own trust anchors, else its parents',
        else the base-config's, else the platform default (user CAs trusted iff targetSdk < 24)."""
        seen = 0
        current = config
        while current is not None and seen <= len(self.domain_configs):
            if current.trust_anchors is not None:
                return current.trusts_user
            current = self._parent(current) if current.kind == "domain-config" else None
            seen += 1
        base = self.base_config
        if base is not None and base.trust_anchors is not None:
            return base.trusts_user
        return target_sdk < 24

    def summary(self, target_sdk: int, debuggable: bool) -> dict[str, object]:
        """What the report's manifest ``flags.network_security`` shows: the file, the effective base cleartext and
        user-CA trust, each domain of every domain-config with its effective values and whether it is pinned,
        whether debug-overrides apply (debuggable apps only), and the parser's notes."""
        domains = [
            {
                "domain": d.name,
                "include_subdomains": d.include_subdomains,
                "cleartext_permitted": self.cleartext(cfg, target_sdk),
                "user_ca_trusted": self.trusts_user_ca(cfg, target_sdk),
                "pinned": cfg.pin_set,
            }
            for cfg in self.domain_configs
            for d in cfg.domains
        ]
        debug = self.debug_overrides if debuggable else None
        return {
            "path": self.path,
            "cleartext_permitted": self.base_cleartext(target_sdk),
            "user_ca_trusted": self.trusts_user_ca(None, target_sdk),
            "domains": domains,
            "debug_overrides_apply": debug is not None,
            "debug_overrides_user_ca": bool(debug is not None and debug.trusts_user),
            "notes": list(self.notes),
        }

    def inherited_from_domain(self, config: NscConfig) -> NscConfig | None:
        """The enclosing domain-config ``config`` takes its cleartext value from (None: set here or from base)."""
        if config.cleartext_permitted is not None:
            return None
        current = self._parent(config)
        seen = 0
        while current is not None and seen <= len(self.domain_configs):
            if current.cleartext_permitted is not None:
                return current
            current = self._parent(current)
            seen += 1
        return None

    def _parent(self, config: NscConfig) -> NscConfig | None:
        i = config.parent
        return self.domain_configs[i] if i is not None and 0 <= i < len(self.domain_configs) else None


@dataclass(slots=True)
class Manifest:
    """What a scan reads from AndroidManifest.xml."""

    package: str | None = None
    version_code: int | None = None
    version_name: str | None = None
    min_sdk: int | None = None
    target_sdk: int | None = None
    max_sdk: int | None = None
    shared_user_id: str | None = None
    label: str | None = None  # resolved through resources.arsc when it was a @string reference
    icon: str | None = None
    uses_permissions: list[UsesPermission] = field(default_factory=list)
    declared_permissions: list[DeclaredPermission] = field(default_factory=list)
    uses_features: list[str] = field(default_factory=list)
    application_class: str | None = None  # android:name of <application>
    app_component_factory: str | None = None
    components: list[Component] = field(default_factory=list)
    meta_data: dict[str, str] = field(default_factory=dict)  # <application> level <meta-data> name -> value
    uses_cleartext_traffic: bool | None = (
        None  # None: attribute absent (platform default depends on targetSdk)
    )
    debuggable: bool = False
    allow_backup: bool | None = None  # None: absent (platform default true)
    network_security_config: str | None = None  # resource reference/path
    network_security: NetworkSecurityConfig | None = None  # the parsed file; None when absent or unreadable
    queries_packages: list[str] = field(default_factory=list)
    queries_intents: list[IntentFilter] = field(default_factory=list)
    has_queries: bool = False
    notes: list[str] = field(
        default_factory=list
    )  # tolerated oddities (unknown chunks, unresolvable values, ...)

    @property
    def effective_min_sdk(self) -> int:
        """minSdkVersion as Android applies it (1 when absent)."""
        return self.min_sdk if self.min_sdk is not None else 1

    @property
    def effective_target_sdk(self) -> int:
        """targetSdkVersion as Android applies it (minSdkVersion when absent)."""
        return self.target_sdk if self.target_sdk is not None else self.effective_min_sdk

    @property
    def permissions(self) -> list[str]:
        """Names of the uses-permission entries, in order, without duplicates."""
        seen: dict[str, None] = {}
        for p in self.uses_permissions:
            seen.setdefault(p.name, None)
        return list(seen)

    def components_of(self, kind: str) -> list[Component]:
        return [c for c in self.components if c.kind == kind]

    @property
    def exported_components(self) -> list[Component]:
        return [c for c in self.components if c.exported and c.enabled]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["permissions"] = self.permissions
        return data
