"""Android permission facts the report needs: which permissions are ``dangerous`` (runtime) and which are
"special" (granted through a settings screen, yet sensitive for PI).

The dangerous set is AOSP's ``protectionLevel="dangerous"`` list as of API 34 (the test compares it with the
copy androguard ships, when androguard is installed). Special permissions are highlighted beside dangerous ones
because MIIT checks treat them the same way (app list, overlay, install packages, usage stats).
"""

from __future__ import annotations

from functools import lru_cache

DANGEROUS_PERMISSIONS: frozenset[str] = frozenset(
    "android.permission." + name
    for name in (
        "ACCEPT_HANDOVER",
        "ACCESS_BACKGROUND_LOCATION",
        "ACCESS_COARSE_LOCATION",
        "ACCESS_FINE_LOCATION",
        "ACCESS_MEDIA_LOCATION",
        "ACTIVITY_RECOGNITION",
        "ANSWER_PHONE_CALLS",
        "BLUETOOTH_ADVERTISE",
        "BLUETOOTH_CONNECT",
        "BLUETOOTH_SCAN",
        "BODY_SENSORS",
        "BODY_SENSORS_BACKGROUND",
        "CALL_PHONE",
        "CAMERA",
        "GET_ACCOUNTS",
        "NEARBY_WIFI_DEVICES",
        "POST_NOTIFICATIONS",
        "PROCESS_OUTGOING_CALLS",
        "READ_CALENDAR",
        "READ_CALL_LOG",
        "READ_CELL_BROADCASTS",
        "READ_CONTACTS",
        "READ_EXTERNAL_STORAGE",
        "READ_MEDIA_AUDIO",
        "READ_MEDIA_IMAGES",
        "READ_MEDIA_VIDEO",
        "READ_MEDIA_VISUAL_USER_SELECTED",
        "READ_PHONE_NUMBERS",
        "READ_PHONE_STATE",
        "READ_SMS",
        "RECEIVE_MMS",
        "RECEIVE_SMS",
        "RECEIVE_WAP_PUSH",
        "RECORD_AUDIO",
        "SEND_SMS",
        "USE_SIP",
        "UWB_RANGING",
        "WRITE_CALENDAR",
        "WRITE_CALL_LOG",
        "WRITE_CONTACTS",
        "WRITE_EXTERNAL_STORAGE",
    )
) | {"com.android.voicemail.permission.ADD_VOICEMAIL"}

SPECIAL_PERMISSIONS: frozenset[str] = frozenset(
    "android.permission." + name
    for name in (
        "QUERY_ALL_PACKAGES",
        "SYSTEM_ALERT_WINDOW",
        "REQUEST_INSTALL_PACKAGES",
        "PACKAGE_USAGE_STATS",
        "MANAGE_EXTERNAL_STORAGE",
        "WRITE_SETTINGS",
        "BIND_ACCESSIBILITY_SERVICE",
        "BIND_NOTIFICATION_LISTENER_SERVICE",
        "READ_PRIVILEGED_PHONE_STATE",
    )
)


def is_dangerous(name: str) -> bool:
    """True when ``name`` is a runtime (``dangerous``) permission."""
    return name in DANGEROUS_PERMISSIONS


def is_special(name: str) -> bool:
    """True when ``name`` is a special-access permission sensitive for PI (not runtime, but granted in settings)."""
    return name in SPECIAL_PERMISSIONS


@lru_cache(maxsize=1)
def permission_pi_categories() -> dict[str, tuple[str, ...]]:
    """Permission name -> PI category keys (from ``knowledge/pi_apis.yaml``) that need it; empty when unreadable."""
    from appwarden.errors import KnowledgeError
    from appwarden.knowledge import pi_categories

    try:
        categories = pi_categories()
    except KnowledgeError:
        return {}
    out: dict[str, list[str]] = {}
    for key, record in categories.items():
        for perm in (record or {}).get("permissions") or []:
            out.setdefault(str(perm), []).append(str(key))
    return {perm: tuple(keys) for perm, keys in out.items()}
