"""Self-start and associated start (自启动 / 关联启动), from the manifest.

``self_start_receivers``: broadcast receivers (enabled, any export state: system broadcasts reach them) listening
for actions that wake the app without the user — boot, connectivity changes, package events, user present, power.
One hit per owner (the receiver class's owner: host or SDK). Params: ``actions`` (default :data:`WAKE_ACTIONS`).
Registration alone is the fact; whether the app then starts services or collects PI needs a trace, hence the
rules' ``possible``/``likely`` confidence.

``push_wakeup_components``: exported services/receivers/providers owned by a push SDK (SDK category ``push`` in the
SDK knowledge base, or an id in ``sdk_ids``) with an intent filter: other apps of the same push alliance bind or
broadcast to them to wake this app (关联启动, M164-2.2). Params ``vendor_channels`` (SDK ids left out: phone-maker and
Google channels, woken by the system push service) and ``vendor_channel_actions`` (action prefixes: a component whose
every action has one is such a channel's receiver, even inside another push SDK).

``sticky_service``: services whose ``onStartCommand`` returns ``START_STICKY`` (1) or ``START_REDELIVER_INTENT``
(3) as the only small constants returned — restarted by the system after being killed. Static: the constant
appears in the method; a conditional return is not distinguished (confidence ``possible``).
"""

from __future__ import annotations

from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import (
    code_of,
    java_to_desc,
    method_literals,
    owner_label_zh,
    owner_of,
    sdk_record,
    superclasses,
)

WAKE_ACTIONS = (
    "android.intent.action.BOOT_COMPLETED",
    "android.intent.action.LOCKED_BOOT_COMPLETED",
    "android.intent.action.QUICKBOOT_POWERON",
    "com.htc.intent.action.QUICKBOOT_POWERON",
    "android.net.conn.CONNECTIVITY_CHANGE",
    "android.net.wifi.STATE_CHANGE",
    "android.net.wifi.WIFI_STATE_CHANGED",
    "android.intent.action.PACKAGE_ADDED",
    "android.intent.action.PACKAGE_REMOVED",
    "android.intent.action.PACKAGE_REPLACED",
    "android.intent.action.MY_PACKAGE_REPLACED",
    "android.intent.action.USER_PRESENT",
    "android.intent.action.ACTION_POWER_CONNECTED",
    "android.intent.action.ACTION_POWER_DISCONNECTED",
    "android.intent.action.SCREEN_ON",
)
PUSH_HINTS = (
    "push",
    "jpush",
    "getui",
    "igexin",
    "xinge",
    "mipush",
    "umeng_push",
    "vivo_push",
    "oppo_push",
    "hms_push",
)


def _component_item(comp, actions: list[str] | None = None) -> dict:
    item = {"type": "component", "kind": comp.kind, "name": comp.name, "exported": comp.exported}
    if actions is not None:
        item["actions"] = actions
    if comp.permission:
        item["permission"] = comp.permission
    return item


@predicate("self_start_receivers", needs=("static.manifest",))
def self_start_receivers(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    manifest = static.manifest if static is not None else None
    if manifest is None:
        return []
    wake = set(param(params, "actions", WAKE_ACTIONS))
    groups: dict[str, list[dict]] = {}
    for comp in manifest.components_of("receiver"):
        if not comp.enabled:
            continue
        hit_actions = sorted(comp.actions & wake)
        if hit_actions:
            groups.setdefault(owner_of(evidence, comp.name), []).append(_component_item(comp, hit_actions))
    hits = []
    for owner, items in groups.items():
        actions = sorted({a.rsplit(".", 1)[-1] for i in items for a in i["actions"]})
        hits.append(
            Hit(
                evidence=items,
                owner=owner,
                message_zh=f"{owner_label_zh(evidence, owner, host='应用自身')}注册了{len(items)}个监听系统事件（{'、'.join(actions)}）的广播接收器，可在用户未操作时被唤醒。",
                message_en=f"{owner}: {len(items)} receivers woken by system events ({', '.join(actions)}).",
            )
        )
    return hits


def _is_push(evidence: Evidence, owner: str, sdk_ids: set[str]) -> bool:
    if owner == "host":
        return False
    if owner in sdk_ids:
        return True
    record = sdk_record(evidence, owner)
    category = (getattr(record, "category", "") or "").lower() if record is not None else ""
    return "push" in category or any(h in owner.lower() for h in PUSH_HINTS)


@predicate("push_wakeup_components", needs=("static.manifest", "static.sdks"))
def push_wakeup_components(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    manifest = static.manifest if static is not None else None
    if manifest is None:
        return []
    sdk_ids = set(param(params, "sdk_ids", ()))
    vendors = set(param(params, "vendor_channels", ()))
    vendor_actions = tuple(param(params, "vendor_channel_actions", ()))
    groups: dict[str, list[dict]] = {}
    for comp in manifest.components:
        if comp.kind not in ("service", "receiver", "provider") or not comp.enabled or not comp.exported:
            continue
        if comp.kind != "provider" and not comp.intent_filters:
            continue
        if comp.permission and comp.kind != "provider":
            continue
        if vendor_actions and comp.actions and all(a.startswith(vendor_actions) for a in comp.actions):
            continue  # a vendor channel's receiver: the phone maker's / Google's push service wakes it
        owner = owner_of(evidence, comp.name)
        if owner in vendors:
            continue
        if _is_push(evidence, owner, sdk_ids):
            groups.setdefault(owner, []).append(_component_item(comp, sorted(comp.actions)))
    return [
        Hit(
            evidence=items,
            owner=owner,
            message_zh=f"{owner_label_zh(evidence, owner)}的{len(items)}个推送组件对其他应用导出，可被同一推送联盟的应用关联唤醒。",
            message_en=f"{owner}: {len(items)} exported push components other apps can wake (associated start).",
        )
        for owner, items in groups.items()
    ]


SERVICE = "Landroid/app/Service;"
ON_START = "onStartCommand(Landroid/content/Intent;II)I"


@predicate("sticky_service", needs=("static.manifest", "static.code"))
def sticky_service(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    manifest = static.manifest if static is not None else None
    code = code_of(evidence)
    if manifest is None or code is None:
        return []
    groups: dict[str, list[dict]] = {}
    for comp in manifest.components_of("service"):
        if not comp.enabled:
            continue
        for cls in superclasses(code, java_to_desc(comp.name)):
            method = f"{cls}->{ON_START}"
            literals = set(method_literals(code, method))
            if not literals:
                continue
            if literals & {1, 3} and not literals & {2}:  # START_NOT_STICKY (2) also present: ambiguous, skip
                item = _component_item(comp)
                item["method"] = method
                item["returns"] = sorted(literals & {1, 3})
                groups.setdefault(owner_of(evidence, comp.name), []).append(item)
            break
    return [
        Hit(
            evidence=items,
            owner=owner,
            message_zh=f"{owner_label_zh(evidence, owner, host='应用自身')}的{len(items)}个服务以START_STICKY方式运行，被系统结束后会自动重启。",
            message_en=f"{owner}: {len(items)} sticky services (restarted by the system after being killed).",
        )
        for owner, items in groups.items()
    ]
