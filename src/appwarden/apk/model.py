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
    actions: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    data: list[dict[str, str]] = field(default_factory=list)  # scheme/host/port/path/mimeType attributes
    priority: int | None = None


@dataclass(slots=True)
class Component:
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
    name: str
    max_sdk: int | None = None


@dataclass(slots=True)
class DeclaredPermission:
    name: str
    protection_level: str | None = None


@dataclass(slots=True)
class Manifest:
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
