"""Evidence objects shared by every stage: what was observed, never what it means.

Contract: the static stage (``appwarden.apk`` + ``appwarden.dex`` + ``appwarden.sdk``) produces one
:class:`StaticEvidence` per APK; the policy stage a ``PolicyEvidence`` (``appwarden.policy.model``); the dynamic stage
a ``DynamicEvidence`` (``appwarden.dynamic.model``). :class:`Evidence` bundles them for the rule engine. Findings
(``appwarden.rules.model``) only *refer* to evidence; they never copy engine internals into the report.

All descriptors use smali form: classes ``Lcom/example/Foo;``, methods ``Lcom/example/Foo;->bar(I)V``, fields
``Landroid/os/Build;->SERIAL:Ljava/lang/String;``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appwarden.apk.model import Manifest
    from appwarden.dex.index import CodeIndex


@dataclass(frozen=True, slots=True)
class SignerCert:
    """One signer certificate, as read from a v1 PKCS#7 block or the v2/v3 APK Signing Block."""

    subject: str
    issuer: str
    serial: str  # hex
    not_before: str  # ISO 8601
    not_after: str
    sha256: str  # of the DER certificate, lower-case hex
    sha1: str
    schemes: tuple[str, ...] = ()  # e.g. ("v1", "v2", "v3")


@dataclass(frozen=True, slots=True)
class LineageCert:
    """One certificate of a v3/v3.1 signer's proof-of-rotation lineage (oldest first; the last is the signer's).

    ``capabilities`` are what the app still grants this certificate after rotation (AOSP's lineage flags):
    ``installed_data``, ``shared_user_id``, ``permission``, ``rollback``, ``auth``."""

    sha256: str  # of the DER certificate, lower-case hex
    subject: str
    capabilities: tuple[str, ...] = ()


@dataclass(slots=True)
class AppInfo:
    """Identity of one app version (the report's ``app`` object)."""

    sha256: str
    package: str | None = None
    version_name: str | None = None
    version_code: int | None = None
    min_sdk: int | None = None
    target_sdk: int | None = None
    label: str | None = None
    signers: list[SignerCert] = field(default_factory=list)
    signing_schemes: list[str] = field(
        default_factory=list
    )  # schemes with a valid structure: v1, v2, v3, v3.1
    signing_lineage: list[LineageCert] = field(
        default_factory=list
    )  # key rotation (v3/v3.1 proof-of-rotation), oldest certificate first; empty without rotation
    signing_lineage_verified: bool | None = (
        None  # Apk.verify_rotation(): None without a lineage or undecidable
    )
    size: int = 0
    dex_count: int = 0
    packer: str | None = None  # packer id when the app is packed (static evidence then incomplete)


# Kinds of call-site evidence. "invoke": a direct call of the API; "field": a static field read (sget*, e.g.
# Build.SERIAL); "string": a const-string signalling the category (e.g. "android_id"); "content_uri": a
# content:// URI string for a provider holding PI; "reflection": the API's class/method names appear as strings
# in the same method together with a reflective call (Class.forName / getMethod / invoke).
CALLSITE_KINDS = ("invoke", "field", "string", "content_uri", "reflection")


@dataclass(frozen=True, slots=True)
class CallSite:
    """One place in the app's bytecode where a PI-sensitive API is used."""

    caller: str  # full method descriptor of the calling method
    api: str  # full method/field descriptor of the callee, or the string literal for kind "string"/"content_uri"
    category: str  # PI category key from knowledge/pi_apis.yaml (imei, android_id, location, ...)
    kind: str = "invoke"
    dex: str = "classes.dex"
    offset: int = 0  # byte offset of the instruction inside the DEX file
    owner: str = "host"  # SDK id or "host" (set by appwarden.sdk.attribute)
    arg: str | None = (
        None  # resolved argument when an arg filter decided the category ("android_id", URI, ...)
    )
    unresolved: bool = False  # an arg filter applied but the argument could not be resolved statically
    reachable_from: tuple[
        str, ...
    ] = ()  # entry points (method descriptors) that reach the caller, if computed

    @property
    def caller_class(self) -> str:
        """The caller's class descriptor (``Lcom/x/Foo;``)."""
        return self.caller.split("->", 1)[0]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reachable_from"] = list(self.reachable_from)
        return data

    def rebuilt(self, owner: str, reachable_from: tuple[str, ...]) -> CallSite:
        """``dataclasses.replace(self, owner=owner, reachable_from=reachable_from)`` for a plain ``CallSite``, built
        positionally: ``replace`` reads the fields and builds keyword arguments per call (~2x the cost; a 100 MB app
        has thousands of call sites). ``tests/sdk/test_attribute.py`` and ``tests/test_scan_reachability.py`` check it
        against ``replace`` over every field: a field added here fails them until added below."""
        return CallSite(
            self.caller,
            self.api,
            self.category,
            self.kind,
            self.dex,
            self.offset,
            owner,
            self.arg,
            self.unresolved,
            reachable_from,
        )


@dataclass(slots=True)
class SdkHit:
    """One third-party SDK recognised in the app (a row of the 第三方SDK清单)."""

    id: str
    name_zh: str
    name_en: str
    vendor: str
    category: str
    version: str | None = None
    matched: list[str] = field(
        default_factory=list
    )  # signatures hit, e.g. "package:com.umeng", "meta:UMENG_APPKEY"
    classes: int = 0  # number of app classes attributed to it
    chinese: bool = False
    permissions: list[str] = field(
        default_factory=list
    )  # manifest permissions it needs (from the KB), present in app
    pi_categories: list[str] = field(default_factory=list)  # PI categories seen accessed by its call sites
    apis: list[str] = field(default_factory=list)  # PI APIs its call sites use
    reachable: bool | None = None  # whether any of its PI call sites is reachable from an entry point

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class PackerInfo:
    """A packer (加固) detected in the app: the real code is encrypted, static evidence is incomplete."""

    id: str
    name: str
    matched: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ErrorNote:
    """Something that could not be analysed, and why (never silently dropped)."""

    stage: str  # apk, manifest, netsec, arsc, signing, dex, sdk, rules, policy, dynamic
    message: str
    path: str | None = None  # entry or file concerned

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(slots=True)
class StaticEvidence:
    """Everything the static stage observed in one APK."""

    app: AppInfo
    manifest: Manifest | None
    callsites: list[CallSite] = field(default_factory=list)
    sdks: list[SdkHit] = field(default_factory=list)
    packer: PackerInfo | None = None
    native_libs: list[str] = field(default_factory=list)  # lib/<abi>/<name>.so entry names
    assets: list[str] = field(default_factory=list)  # assets/... entry names
    entry_names: list[str] = field(default_factory=list)  # every zip entry name (for SDK/packer signatures)
    errors: list[ErrorNote] = field(default_factory=list)
    code: CodeIndex | None = None  # queryable bytecode index (not serialised)
    apk: Any = None  # the opened Apk (entries, resources.arsc) for rules reading resources (not serialised)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


@dataclass(slots=True)
class Evidence:
    """All evidence about one app version, as the rule engine sees it.

    ``policy`` and ``dynamic`` are ``None`` when not supplied: rules that need them are then ``not_evaluated``.
    ``category`` is the app's 39类 type key (``N39-xx``) given by the user, or inferred (``category_inferred``).
    """

    static: StaticEvidence | None = None
    policy: Any | None = None  # appwarden.policy.model.PolicyEvidence
    dynamic: Any | None = None  # appwarden.dynamic.model.DynamicEvidence
    category: str | None = None
    category_inferred: bool = False
    screening: dict[str, Any] | None = (
        None  # the report's screening section (appwarden.screening), once screened
    )

    def available(self) -> set[str]:
        """Evidence kinds present, in the vocabulary rules use in ``needs``."""
        kinds: set[str] = set()
        if self.static is not None:
            kinds |= {"static.manifest", "static.sdks"}
            if self.static.code is not None:
                kinds |= {"static.callsites", "static.code", "static.entrypoints"}
        if self.policy is not None:
            kinds.add("policy.text")
        if self.dynamic is not None:
            kinds.add("dynamic.trace")
        if self.category is not None:
            kinds.add("app.category")
        return kinds
