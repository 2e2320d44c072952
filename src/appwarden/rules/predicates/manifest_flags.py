"""Manifest security flags: ``android:debuggable``, ``android:allowBackup``, cleartext traffic, user-installed CAs.

Params: ``flag`` — one of

* ``debuggable``: fires when ``debuggable="true"``;
* ``allow_backup``: fires when ``allowBackup`` is true or absent, the platform default being true
  (``absent_counts`` false makes only an explicit true fire);
* ``cleartext``: with a readable network security config (NSC, ``android:networkSecurityConfig``) the NSC decides,
  as on Android 7.0+ where ``usesCleartextTraffic`` is then ignored: fires when ``<base-config>`` permits cleartext
  (explicitly, or by the NSC default when targetSdkVersion < 28) or when a ``<domain-config>`` does (its own
  attribute or one inherited from an enclosing domain-config; the domains are listed). Without an NSC: fires when
  ``usesCleartextTraffic="true"``, or when the attribute is absent and targetSdkVersion < 28 (platform default);
* ``user_ca``: fires when ``<base-config>`` or a ``<domain-config>`` lists ``<certificates src="user"/>`` in its
  trust anchors, or when ``<debug-overrides>`` does and the app is debuggable (Android applies debug-overrides
  only then).

Evidence: ``manifest`` items ``{attribute, value}``; NSC items also carry ``file`` (the XML entry), ``domains``
(for a domain-config) and ``note`` (e.g. that ``usesCleartextTraffic`` is ignored). Limits: Android 5-6 devices
(below API 24) ignore the NSC, so an app with minSdkVersion < 24 may still send cleartext there; an NSC that cannot
be read (an ``ErrorNote``) falls back to the attribute rule; ``user_ca`` reports explicit trust only, not the
implicit trust of user CAs by apps targeting API 23 or lower; code that builds its own TrustManager is
``sec.trust_all_tls``'s concern.
"""

from __future__ import annotations

from typing import Any

from appwarden.apk.model import Manifest, NetworkSecurityConfig, NscConfig
from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate

FLAGS = ("debuggable", "allow_backup", "cleartext", "user_ca")
MAX_ITEMS = 50  # evidence items per finding (a hostile NSC may hold a thousand domain-configs)
MAX_DOMAINS = 20  # domains listed per item
ALL_DOMAINS = ("全部域名（base-config）", "all domains (base-config)")  # where base-config applies (zh, en)


def _validate(params: dict) -> None:
    if params.get("flag") not in FLAGS:
        raise RuleError(f"'flag' must be one of {', '.join(FLAGS)}")


@predicate("manifest_flag", needs=("static.manifest",), validate=_validate)
def manifest_flag(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    manifest = static.manifest if static is not None else None
    if manifest is None:
        return []
    flag = params["flag"]
    if flag == "cleartext":
        return _cleartext(manifest)
    if flag == "user_ca":
        return _user_ca(manifest)
    item: dict | None = None
    if flag == "debuggable" and manifest.debuggable:
        item = {"type": "manifest", "attribute": "android:debuggable", "value": "true"}
    elif flag == "allow_backup":
        if manifest.allow_backup is True:
            item = {"type": "manifest", "attribute": "android:allowBackup", "value": "true"}
        elif manifest.allow_backup is None and param(params, "absent_counts", True):
            item = {"type": "manifest", "attribute": "android:allowBackup", "value": "absent (default true)"}
    if item is None:
        return []
    return [_attribute_hit(item)]


def _hit(items: list[dict[str, Any]], zh: str, en: str) -> Hit:
    return Hit(evidence=items, owner="host", message_zh=zh, message_en=en)


def _attribute_hit(item: dict[str, Any]) -> Hit:
    """The hit of one ``{attribute, value}`` manifest item: ``attribute = value`` in English, a Chinese sentence
    naming the same attribute and value in ``message_zh`` (an absent attribute says so, with its default)."""
    attribute, value = item["attribute"], str(item["value"])
    en = f"{attribute} = {value}"
    if value.startswith("absent"):
        default = value.split("default", 1)[1].strip(" )") if "default" in value else ""
        zh = f"应用清单未设置{attribute}" + (f"（系统默认值为{default}）" if default else "")
    else:
        zh = f"应用清单设置了{attribute} = {value}"
    return _hit([item], zh, en)


def _bool(value: bool | None) -> str:
    return "true" if value else "false"


def _domains(cfg: NscConfig) -> list[str]:
    names = [f"{d.name} (includeSubdomains)" if d.include_subdomains else d.name for d in cfg.domains]
    if len(names) > MAX_DOMAINS:
        names = [*names[:MAX_DOMAINS], f"... {len(names) - MAX_DOMAINS} more"]
    return names


def _scope(cfg: NscConfig) -> tuple[str, str]:
    """Where a configuration applies, for the messages (zh, en): its domains, or all of them for base-config."""
    if cfg.kind != "domain-config":
        return ALL_DOMAINS
    names = [d.name for d in cfg.domains[:MAX_DOMAINS]]
    return "、".join(names), ", ".join(names)


def _not_boolean(raw: str) -> str:
    return f"{raw} (not a compiled boolean: Android reads the default, true)"


def _nsc_item(nsc: NetworkSecurityConfig, cfg_kind: str, attribute: str, value: str) -> dict[str, Any]:
    return {
        "type": "manifest",
        "attribute": f"network-security-config {cfg_kind} {attribute}",
        "value": value,
        "file": nsc.path,
    }


# -- cleartext -------------------------------------------------------------------------------------------------------
def _cleartext(manifest: Manifest) -> list[Hit]:
    nsc = manifest.network_security
    if nsc is not None:
        return _cleartext_nsc(manifest, nsc)
    item: dict[str, Any] | None = None
    if manifest.uses_cleartext_traffic is True:
        item = {"type": "manifest", "attribute": "android:usesCleartextTraffic", "value": "true"}
        if manifest.network_security_config:
            item["note"] = (
                f"the network security config {manifest.network_security_config} could not be read "
                "(see errors); on Android 7.0+ it decides instead of this attribute"
            )
    elif (
        manifest.uses_cleartext_traffic is None
        and not manifest.network_security_config
        and manifest.effective_target_sdk < 28
    ):
        target = (
            str(manifest.target_sdk)
            if manifest.target_sdk is not None
            else f"absent (minSdkVersion {manifest.effective_target_sdk} applies)"
        )
        item = {
            "type": "manifest",
            "attribute": "android:usesCleartextTraffic",
            "value": f"absent, targetSdkVersion {target} < 28 (default true)",
        }
    if item is None:
        return []
    return [_attribute_hit(item)]


def _cleartext_nsc(manifest: Manifest, nsc: NetworkSecurityConfig) -> list[Hit]:
    target = manifest.effective_target_sdk
    items: list[dict[str, Any]] = []
    where_zh: list[str] = []
    where_en: list[str] = []
    base = nsc.base_config
    if nsc.base_cleartext(target):
        if base is not None and base.cleartext_permitted is not None:
            value = "true" if base.cleartext_raw is None else _not_boolean(base.cleartext_raw)
        else:
            where = "absent" if base is not None else "no base-config"
            value = f"{where}, targetSdkVersion {target} < 28 (default true)"
        items.append(_nsc_item(nsc, "base-config", "cleartextTrafficPermitted", value))
        where_zh.append(ALL_DOMAINS[0])
        where_en.append(ALL_DOMAINS[1])
    for cfg in nsc.domain_configs:
        if not nsc.cleartext(cfg, target):
            continue
        source = nsc.inherited_from_domain(cfg)
        if cfg.cleartext_permitted is None and source is None:
            continue  # inherits base-config's value, reported above
        if len(items) >= MAX_ITEMS:
            break
        value = "true"
        if cfg.cleartext_raw is not None:
            value = _not_boolean(cfg.cleartext_raw)
        elif source is not None:
            value = f"true (inherited from the enclosing domain-config, line {source.line})"
        item = _nsc_item(nsc, "domain-config", "cleartextTrafficPermitted", value)
        item["domains"] = _domains(cfg)
        items.append(item)
        zh_scope, en_scope = _scope(cfg)
        where_zh.append(zh_scope)
        where_en.append(en_scope)
    if not items:
        return []
    zh = f"网络安全配置 {nsc.path} 允许明文（HTTP）传输：{'；'.join(where_zh)}"
    en = f"network security config {nsc.path} permits cleartext (HTTP): {'; '.join(where_en)}"
    if manifest.uses_cleartext_traffic is not None:
        flag = _bool(manifest.uses_cleartext_traffic)
        items[0]["note"] = (
            f"android:usesCleartextTraffic={flag} is ignored on Android 7.0+ (API 24+): "
            "the network security config decides"
        )
        zh += f"（android:usesCleartextTraffic={flag} 在Android 7.0+上被忽略）"
        en += f" (android:usesCleartextTraffic={flag} is ignored on Android 7.0+)"
    return [_hit(items, zh, en)]


# -- user-installed CAs ----------------------------------------------------------------------------------------------
def _user_ca(manifest: Manifest) -> list[Hit]:
    nsc = manifest.network_security
    if nsc is None:
        return []
    items: list[dict[str, Any]] = []
    where_zh: list[str] = []
    where_en: list[str] = []
    configs = ([nsc.base_config] if nsc.base_config is not None else []) + nsc.domain_configs
    for cfg in configs:
        if not cfg.trusts_user:
            continue
        if len(items) >= MAX_ITEMS:
            break
        item = _nsc_item(nsc, cfg.kind, "trust-anchors certificates src", "user")
        if cfg.kind == "domain-config":
            item["domains"] = _domains(cfg)
        zh_scope, en_scope = _scope(cfg)
        where_zh.append(zh_scope)
        where_en.append(en_scope)
        if any(a.src == "user" and a.override_pins for a in cfg.trust_anchors or ()):
            item["note"] = "overridePins=true: user-installed CAs also bypass certificate pinning"
        items.append(item)
    debug = nsc.debug_overrides
    if debug is not None and debug.trusts_user and manifest.debuggable:
        item = _nsc_item(nsc, "debug-overrides", "trust-anchors certificates src", "user")
        item["file"] = nsc.debug_overrides_path or nsc.path
        item["note"] = (
            "applies because android:debuggable=true: Android adds debug-overrides' trust anchors to every "
            "configuration (and they override pins by default)"
        )
        items.append(item)
        where_zh.append("debug-overrides（应用可调试，生效）")
        where_en.append("debug-overrides (in effect: the app is debuggable)")
    if not items:
        return []
    zh = f"网络安全配置 {nsc.path} 信任用户安装的CA证书：{'；'.join(where_zh)}"
    en = f"network security config {nsc.path} trusts user-installed CA certificates: {'; '.join(where_en)}"
    return [_hit(items, zh, en)]
