"""Static leads for 164号文 items 7–8 and 26号文 items 1, 3 and 7 (issue #20): the APK shows the capability or the
text; a reviewer judges whether the app deceives, lures, hides or renews without telling.

App text = every string of ``resources.arsc`` (the string pool) plus every ``const-string`` of the code (searched
by needle with the index's byte search, then filtered by the rule's regular expression). Text built at run time or
served by a back end is not seen; that is why these are leads (``possible``).

``sdk_app_install`` (M164-3.1, M26-1): an SDK of a KB category in ``sdk_categories`` (default ``advertising``)
holds code that hands an APK to the package installer — an ``Intent`` with the MIME type
``application/vnd.android.package-archive`` or ``PackageInstaller.createSession`` — and the app declares
``REQUEST_INSTALL_PACKAGES`` (without it, an app targeting Android 8+ cannot start an install). Evidence: the
permission, the SDK, the installer call sites and any ``DownloadManager.enqueue`` of the same SDK. This is the
capability 164号文 item 7 and 26号文 item 1 are about (下载安装 inside ads); whether a tap starts a download without a
conspicuous prompt is for a human or a UI trace. The app's own code is not reported: an app updating itself, or
an app store, installs APKs legitimately.

``text_pattern`` (params ``pattern``, ``needles``, ``unless``, ``require_sdk_categories``): app text matching the
regular expression ``pattern`` (only strings containing one of ``needles`` are tested) fires, unless some app text —
or the privacy policy, when one was supplied — matches ``unless``; ``require_sdk_categories`` additionally
requires an SDK of one of those KB categories (e.g. ``payment`` for auto-renewal), not counting ``ignore_sdks``. At most ``max_items`` strings are
reported. Used for luring users into giving ID numbers or biometrics for rewards (M164-3.2) and for an
auto-renewal offer with no cancellation path anywhere in the app or policy (M26-7). With ``absent: true`` the rule
fires the other way round: the required SDKs are present and *no* app text matches ``pattern`` (an advertising SDK
with no 个性化推荐/个性化广告 switch text anywhere in the app, M164-1.4).

``launcher_hidden`` (M26-3): app code disables its own launcher entry — a method calls
``PackageManager.setComponentEnabledSetting`` with the literal ``2`` (``COMPONENT_ENABLED_STATE_DISABLED``) and
names, by ``const-string``, the manifest's launcher activity — while the manifest declares no other launcher
entry to switch to (an ``activity-alias`` icon switch for festivals is not hiding). A launcher entry whose label is
blank is reported too (空白名称). Components named through ``const-class`` are not seen.
"""

from __future__ import annotations

import re
from typing import Any

from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import (
    code_of,
    invokes,
    method_literals,
    method_strings,
    owner_label_zh,
    owner_of,
    ref_parts,
    sdk_record,
    strings_containing,
)

INSTALL_MIME = "application/vnd.android.package-archive"
INSTALL_PERMISSION = "android.permission.REQUEST_INSTALL_PACKAGES"
SESSION = "Landroid/content/pm/PackageInstaller;->createSession"
ENQUEUE = "Landroid/app/DownloadManager;->enqueue"
SET_ENABLED = "Landroid/content/pm/PackageManager;->setComponentEnabledSetting"
LAUNCHER = "android.intent.category.LAUNCHER"
MAX_TEXT = 2000  # longer strings (JSON blobs, scripts) are not user-facing text


def _category(evidence: Evidence, owner: str) -> str:
    if owner == "host":
        return "host"
    record = sdk_record(evidence, owner)
    if record is None:
        try:
            from appwarden.sdk.kb import load_kb

            record = load_kb().get(owner)
        except Exception:  # KB problems are the SDK stage's to report
            record = None
    return str(getattr(record, "category", "") or "").lower()


@predicate("sdk_app_install", needs=("static.manifest", "static.code", "static.sdks"))
def sdk_app_install(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    code = code_of(evidence)
    if static is None or static.manifest is None or code is None:
        return []
    if INSTALL_PERMISSION not in static.manifest.permissions:
        return []
    wanted = {c.lower() for c in param(params, "sdk_categories", ["advertising"])}
    per_owner: dict[str, list[dict[str, Any]]] = {}

    def add(caller: str, api: str, dex: str, offset: int, what: str) -> None:
        owner = owner_of(evidence, caller.split("->", 1)[0])
        if owner == "host" or _category(evidence, owner) not in wanted:
            return
        items = per_owner.setdefault(owner, [])
        if len(items) < 8:
            items.append({"type": "callsite", "caller": caller, "api": api, "owner": owner, "dex": dex,
                          "offset": offset, "kind": what})  # fmt: skip

    for ref in code.strings_matching([INSTALL_MIME]):
        caller, target, dex, offset = ref_parts(ref)
        add(caller, f'const-string "{target}"', dex, offset, "install_intent")
    for ref in invokes(code, [SESSION]):
        caller, target, dex, offset = ref
        add(caller, target, dex, offset, "package_installer")
    hits = []
    for owner, items in per_owner.items():
        for caller, target, dex, offset in invokes(code, [ENQUEUE]):
            if owner_of(evidence, caller.split("->", 1)[0]) == owner and len(items) < 12:
                items.append({"type": "callsite", "caller": caller, "api": target, "owner": owner, "dex": dex,
                              "offset": offset, "kind": "download"})  # fmt: skip
        rec = sdk_record(evidence, owner)
        sdk_ref = {"type": "sdk", "id": owner, "name_zh": getattr(rec, "name_zh", None),
                   "name_en": getattr(rec, "name_en", None), "vendor": getattr(rec, "vendor", None)}  # fmt: skip
        refs = [{"type": "permission", "name": INSTALL_PERMISSION}, sdk_ref, *items]
        label = owner_label_zh(evidence, owner)
        hits.append(
            Hit(
                evidence=refs,
                owner=owner,
                message_zh=f"{label}含调起系统安装器安装APK的代码，且App声明了REQUEST_INSTALL_PACKAGES权限："
                "广告内可下载安装其他App，需核查下载前是否显著提示并经用户确认",
                message_en=f"{owner} holds code that opens the package installer for an APK and the app declares "
                "REQUEST_INSTALL_PACKAGES: ads can download and install apps (check for a clear prompt and consent)",
            )
        )
    return hits


def app_texts(evidence: Evidence, needles: list[str]) -> list[dict[str, Any]]:
    """Strings of the APK (resources and ``const-string``) containing one of ``needles``: evidence items
    ``{type: string, value, where, caller?}``, resources first, de-duplicated by value."""
    out: dict[str, dict[str, Any]] = {}
    static = evidence.static
    apk = getattr(static, "apk", None) if static is not None else None
    res = getattr(apk, "resources", None)
    pool = getattr(res, "strings", None)
    if pool is not None:
        for i in range(len(pool)):
            value = pool.get(i)
            if value and len(value) <= MAX_TEXT and any(n in value for n in needles) and value not in out:
                out[value] = {
                    "type": "string",
                    "value": value,
                    "where": "resources.arsc",
                    "caller": "resources.arsc",
                }
    code = code_of(evidence)
    if code is not None:
        for ref in strings_containing(code, needles):  # perhaps answered from a search made for another rule
            caller, value, _dex, _off = ref_parts(ref)
            if len(value) <= MAX_TEXT and value not in out:
                out[value] = {"type": "string", "value": value, "where": "dex", "caller": caller,
                              "owner": owner_of(evidence, caller.split("->", 1)[0])}  # fmt: skip
    return list(out.values())


def _validate_text(params: dict) -> None:
    for key in ("pattern", "unless"):
        value = params.get(key)
        if value is None and key == "unless":
            continue
        if not isinstance(value, str) or not value:
            raise RuleError(f"'{key}' must be a non-empty regular expression")
        try:
            re.compile(value)
        except re.error as exc:
            raise RuleError(f"'{key}' is not a valid regular expression: {exc}") from None
    needles = params.get("needles")
    if not isinstance(needles, list) or not needles or not all(isinstance(n, str) and n for n in needles):
        raise RuleError("'needles' must be a non-empty list of strings")
    for key in ("require_sdk_categories", "ignore_sdks"):
        value = params.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            raise RuleError(f"'{key}' must be a list of strings")
    for key in ("message_zh", "message_en"):
        if not isinstance(params.get(key), str):
            raise RuleError(f"'{key}' must be a string")
    if not isinstance(params.get("absent", False), bool):
        raise RuleError("'absent' must be true or false")
    if params.get("absent") and not params.get("require_sdk_categories"):
        raise RuleError("'absent: true' needs 'require_sdk_categories' (what makes the missing text matter)")


@predicate("text_pattern", needs=("static.manifest",), validate=_validate_text)
def text_pattern(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    if static is None:
        return []
    required = {c.lower() for c in param(params, "require_sdk_categories", ())}
    sdks: list[dict[str, Any]] = []
    if required:
        ignore = set(param(params, "ignore_sdks", ()))
        sdks = [
            {"type": "sdk", "id": h.id, "name_zh": h.name_zh, "name_en": h.name_en, "vendor": h.vendor}
            for h in static.sdks
            if str(h.category or "").lower() in required and h.id not in ignore
        ]
        if not sdks:
            return []
    pattern = re.compile(params["pattern"])
    texts = app_texts(evidence, list(params["needles"]))
    matched = [t for t in texts if pattern.search(t["value"])]
    if param(params, "absent", False):
        return _absent_hit(params, sdks, texts) if not matched else []
    if not matched:
        return []
    unless = param(params, "unless", None)
    if unless:
        rx = re.compile(unless)
        if any(rx.search(t["value"]) for t in app_texts(evidence, _literal_needles(unless)) if t):
            return []
        policy = evidence.policy
        if (
            policy is not None
            and getattr(policy, "found", True)
            and rx.search(getattr(policy, "text", "") or "")
        ):
            return []
    limit = int(param(params, "max_items", 5))
    refs: list[dict[str, Any]] = matched[:limit]
    refs += [dict(r) for r in sdks]
    shown = "；".join(f"“{t['value'][:60]}”" for t in matched[:2])
    return [
        Hit(
            evidence=refs,
            owner="host",
            message_zh=f"{params['message_zh']}：{shown}",
            message_en=f"{params['message_en']} ({len(matched)} strings)",
        )
    ]


def _absent_hit(params: dict, sdks: list[dict[str, Any]], texts: list[dict[str, Any]]) -> list[Hit]:
    """``absent: true``: the required SDKs are present and no app text matches ``pattern``."""
    refs: list[dict[str, Any]] = [dict(r) for r in sdks]
    refs.append(
        {
            "type": "string",
            "value": f"（未找到）{params['pattern']}",
            "caller": "resources.arsc + dex",
            "where": "resources.arsc + dex",
            "present": False,
            "note_zh": f"App文案中未找到：{params['pattern']}",
            "candidates": len(texts),
        }
    )
    return [
        Hit(
            evidence=refs,
            owner="host",
            message_zh=f"{params['message_zh']}（{'、'.join(str(r['name_zh'] or r['id']) for r in sdks)}）",
            message_en=f"{params['message_en']} ({', '.join(str(r['name_en'] or r['id']) for r in sdks)})",
        )
    ]


def _literal_needles(regex: str) -> list[str]:
    """Plain CJK/word runs of a regular expression, used as byte-search needles for its candidates (every
    alternative of ``a|b`` yields its literal part)."""
    parts = re.split(r"[|()\[\]?*+.{}\\^$]", regex)
    needles = [p for p in parts if len(p) >= 2]
    return needles or [regex]


@predicate("launcher_hidden", needs=("static.manifest", "static.code"))
def launcher_hidden(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    code = code_of(evidence)
    if static is None or static.manifest is None:
        return []
    manifest = static.manifest
    launchers = [
        c
        for c in manifest.components
        if c.kind in ("activity", "activity-alias")
        and any(LAUNCHER in f.categories for f in c.intent_filters)
    ]
    refs: list[dict[str, Any]] = []
    if launchers and manifest.label is not None and not manifest.label.strip():
        refs.append({"type": "manifest", "attribute": "application android:label", "value": manifest.label})
    if code is not None and len(launchers) == 1:
        names = {launchers[0].name}
        for caller, target, dex, offset in invokes(code, [SET_ENABLED]):
            if owner_of(evidence, caller.split("->", 1)[0]) != "host":
                continue
            if 2 not in method_literals(code, caller):
                continue
            named = names.intersection(method_strings(code, caller))
            if named:
                refs.append({"type": "callsite", "caller": caller, "api": target, "owner": "host", "dex": dex,
                             "offset": offset, "component": sorted(named)[0], "state": "DISABLED (2)"})  # fmt: skip
    if not refs:
        return []
    return [
        Hit(
            evidence=refs,
            owner="host",
            message_zh="App禁用自身唯一的桌面启动入口或使用空白名称，用户可能找不到图标而难以卸载",
            message_en="the app disables its only launcher entry or has a blank label: users may not find it to "
            "uninstall it",
        )
    ]
