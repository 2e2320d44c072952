"""Permission checks: beyond the category's necessary PI, declared but unused, and old targetSdk (强制索权).

``permissions_beyond_category`` (needs ``app.category``): dangerous PI permissions in the manifest that the 39类 type
does not justify (``knowledge/necessary_pi.yaml``: ``justified_permissions``). The 39类 list defines *necessary* PI
for the *basic* function; an extended function may still justify more, so this is a review lead (``needs_review``).
With an inferred category (``Evidence.category_inferred``) or the broad utilities type the confidence is lowered to
``possible``. Params: ``ignore`` (permissions never reported), ``permissions`` (the set considered; default: every
permission of ``permission_categories``).

``dangerous_permission_unused`` (needs ``static.callsites``): a PI permission declared while no call site of any PI
category that permission serves exists in the code (host or SDK). Packed apps are skipped (their code is hidden).
Write/send permissions (``SEND_SMS``, ``WRITE_CONTACTS``, ...) and ones used through broadcasts (``RECEIVE_SMS``)
are never reported: the PI call sites are reads. Params: ``ignore``.

``target_sdk_below`` (manifest only): ``targetSdkVersion`` below ``min`` (default 23) while the app declares dangerous
permissions: Android then grants every permission at install, so the user cannot refuse one (N39-A3, M164-2.1).
"""

from __future__ import annotations

from appwarden.evidence import Evidence
from appwarden.rules.category import category_record, necessary_pi
from appwarden.rules.model import EvidenceMissing, Hit
from appwarden.rules.predicates import param, predicate

DEFAULT_IGNORE = (
    # storage is not PI by itself and is requested by most apps for caching (reported elsewhere if ever needed)
    "android.permission.WRITE_EXTERNAL_STORAGE",
    "android.permission.READ_EXTERNAL_STORAGE",
    "android.permission.ACCESS_NETWORK_STATE",
    "android.permission.ACCESS_WIFI_STATE",
    "android.permission.CHANGE_WIFI_STATE",
    "android.permission.BLUETOOTH",
    "android.permission.BLUETOOTH_ADMIN",
    "android.permission.READ_PRIVILEGED_PHONE_STATE",
    "android.permission.LOCAL_MAC_ADDRESS",
    "android.permission.USE_FINGERPRINT",
    "android.permission.USE_BIOMETRIC",
)
# Permissions used by writing/sending or by the system delivering a broadcast, not by a PI read API: a missing
# PI call site says nothing about their use.
NOT_READS = (
    "android.permission.SEND_SMS",
    "android.permission.RECEIVE_SMS",
    "android.permission.RECEIVE_MMS",
    "android.permission.WRITE_CONTACTS",
    "android.permission.WRITE_CALENDAR",
    "android.permission.WRITE_CALL_LOG",
    "android.permission.ACCESS_BACKGROUND_LOCATION",
    "android.permission.BLUETOOTH_CONNECT",
    "android.permission.BLUETOOTH_SCAN",
)
# Android runtime ("dangerous") permissions that guard PI.
DANGEROUS = frozenset(
    "android.permission." + p
    for p in (
        "READ_PHONE_STATE", "READ_PHONE_NUMBERS", "ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION",
        "ACCESS_BACKGROUND_LOCATION", "READ_CONTACTS", "WRITE_CONTACTS", "GET_ACCOUNTS", "READ_CALL_LOG",
        "WRITE_CALL_LOG", "READ_SMS", "RECEIVE_SMS", "RECEIVE_MMS", "SEND_SMS", "READ_CALENDAR", "WRITE_CALENDAR",
        "CAMERA", "RECORD_AUDIO", "BODY_SENSORS", "ACTIVITY_RECOGNITION", "READ_EXTERNAL_STORAGE",
        "WRITE_EXTERNAL_STORAGE", "READ_MEDIA_IMAGES", "READ_MEDIA_VIDEO", "READ_MEDIA_AUDIO",
        "ACCESS_MEDIA_LOCATION", "BLUETOOTH_SCAN", "BLUETOOTH_CONNECT", "NEARBY_WIFI_DEVICES",
    )
)  # fmt: skip


def _label(category: str | None) -> str:
    rec = category_record(category)
    return f"{category} {rec['name_zh']}" if rec else str(category)


@predicate("permissions_beyond_category", needs=("static.manifest", "app.category"))
def permissions_beyond_category(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    manifest = static.manifest if static is not None else None
    record = category_record(evidence.category)
    if manifest is None:
        return []
    if record is None:
        raise EvidenceMissing(
            "app.category", f"unknown app category {evidence.category!r} (expected N39-01 … N39-39)"
        )
    considered = set(param(params, "permissions", ())) or (
        set(necessary_pi()["permission_categories"]) & DANGEROUS
    )
    ignore = set(param(params, "ignore", DEFAULT_IGNORE))
    justified = set(record.get("justified_permissions") or [])
    extra = [p for p in manifest.permissions if p in considered and p not in ignore and p not in justified]
    if not extra:
        return []
    perm_cats = necessary_pi()["permission_categories"]
    items = [{"type": "permission", "name": p, "categories": perm_cats.get(p, [])} for p in extra]
    items.append(
        {
            "type": "manifest",
            "attribute": "app.category",
            "value": evidence.category,
            "inferred": evidence.category_inferred,
        }
    )
    weak = evidence.category_inferred or bool(record.get("broad"))
    how = "（类型为推断，需人工确认）" if evidence.category_inferred else ""
    return [
        Hit(
            evidence=items,
            owner="host",
            confidence="possible" if weak else None,
            clauses=[evidence.category] if evidence.category else [],
            message_zh=f"按《39类必要个人信息范围规定》{_label(evidence.category)}{how}，"
            f"基本功能不需要以下权限：{'、'.join(p.rsplit('.', 1)[-1] for p in extra)}。",
            message_en=f"Permissions not needed by the basic function of {evidence.category}"
            f"{' (inferred)' if evidence.category_inferred else ''}: {', '.join(extra)}.",
        )
    ]


@predicate("dangerous_permission_unused", needs=("static.manifest", "static.callsites"))
def dangerous_permission_unused(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    manifest = static.manifest if static is not None else None
    if manifest is None or static.packer is not None:
        return []
    ignore = set(param(params, "ignore", DEFAULT_IGNORE)) | set(NOT_READS)
    perm_cats = necessary_pi()["permission_categories"]
    used = {
        s.category for s in static.callsites if s.kind in ("invoke", "field", "reflection", "content_uri")
    }
    unused = []
    for perm in manifest.permissions:
        if perm not in DANGEROUS or perm in ignore or perm not in perm_cats:
            continue
        if not used.intersection(perm_cats[perm]):
            unused.append(perm)
    if not unused:
        return []
    return [
        Hit(
            evidence=[{"type": "permission", "name": p, "categories": perm_cats[p]} for p in unused],
            owner="host",
            message_zh=f"声明了危险权限但代码中未发现对应的个人信息接口调用：{'、'.join(p.rsplit('.', 1)[-1] for p in unused)}。",
            message_en=f"Dangerous permissions declared with no matching PI API use in the code: {', '.join(unused)}.",
        )
    ]


@predicate("target_sdk_below", needs=("static.manifest",))
def target_sdk_below(evidence: Evidence, params: dict) -> list[Hit]:
    static = evidence.static
    manifest = static.manifest if static is not None else None
    if manifest is None:
        return []
    limit = int(param(params, "min", 23))
    target = manifest.target_sdk if manifest.target_sdk is not None else manifest.min_sdk
    if target is None or target >= limit:
        return []
    dangerous = [p for p in manifest.permissions if p in DANGEROUS]
    if not dangerous and param(params, "require_dangerous", True):
        return []
    items: list[dict] = [{"type": "manifest", "attribute": "android:targetSdkVersion", "value": str(target)}]
    items += [{"type": "permission", "name": p} for p in dangerous]
    return [
        Hit(
            evidence=items,
            owner="host",
            message_zh=f"targetSdkVersion为{target}（低于{limit}），安装即授予全部{len(dangerous)}项危险权限，用户无法拒绝单项权限。",
            message_en=f"targetSdkVersion {target} < {limit}: all {len(dangerous)} dangerous permissions are granted at "
            "install; the user cannot refuse one.",
        )
    ]
