"""Manifest security flags: ``android:debuggable``, ``android:allowBackup``, cleartext traffic.

Params: ``flag`` — one of ``debuggable`` (fires when ``debuggable="true"``), ``allow_backup`` (fires when
``allowBackup`` is true or absent, the platform default being true; ``absent_counts`` false makes only an explicit
true fire), ``cleartext`` (fires when ``usesCleartextTraffic="true"``, or when the attribute and a network security
config are both absent and targetSdkVersion < 28, where the platform default allows cleartext).
Evidence: one ``manifest`` item ``{attribute, value}``. Limits: a network-security-config file that re-allows
cleartext for some domains is not parsed here (only its presence is seen), so ``cleartext`` may miss such apps.
"""

from __future__ import annotations

from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate

FLAGS = ("debuggable", "allow_backup", "cleartext")


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
    item: dict | None = None
    if flag == "debuggable" and manifest.debuggable:
        item = {"type": "manifest", "attribute": "android:debuggable", "value": "true"}
    elif flag == "allow_backup":
        if manifest.allow_backup is True:
            item = {"type": "manifest", "attribute": "android:allowBackup", "value": "true"}
        elif manifest.allow_backup is None and param(params, "absent_counts", True):
            item = {"type": "manifest", "attribute": "android:allowBackup", "value": "absent (default true)"}
    elif flag == "cleartext":
        if manifest.uses_cleartext_traffic is True:
            item = {"type": "manifest", "attribute": "android:usesCleartextTraffic", "value": "true"}
        elif (
            manifest.uses_cleartext_traffic is None
            and not manifest.network_security_config
            and manifest.target_sdk is not None
            and manifest.target_sdk < 28
        ):
            item = {
                "type": "manifest",
                "attribute": "android:usesCleartextTraffic",
                "value": f"absent, targetSdkVersion {manifest.target_sdk} < 28 (default true)",
            }
    if item is None:
        return []
    return [Hit(evidence=[item], owner="host", message_zh=f"{item['attribute']} = {item['value']}",
                message_en=f"{item['attribute']} = {item['value']}")]  # fmt: skip
