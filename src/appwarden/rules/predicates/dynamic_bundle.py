"""Several unrelated permissions asked in one dialog run, from a runtime trace (``dynamic_permission_bundled``).

A ``permission_request`` event asks at once for permissions of at least ``min_groups`` (default 3) Android
permission groups (电话、位置、通讯录、短信、通话记录、日历、相机、麦克风、身体传感器、体育活动), storage/media
permissions not counted (they accompany almost any feature). That is the "一揽子" request 26号文 item 10 forbids
("不得要求用户一揽子同意打开多个非必要权限") and GB/T 35273 §5.3 describes (several business functions' permissions
taken together instead of when each function starts). Two groups are not reported: a video call legitimately asks
for camera and microphone together. One hit per owner of the requesting stack. Whether each permission is
"非必要" for the function the user started is left to the reviewer (``likely``). Params: ``min_groups``.
"""

from __future__ import annotations

from appwarden.dynamic.refs import permission_request_ref
from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate

_P = "android.permission."
GROUPS: dict[str, str] = {
    **dict.fromkeys(
        [
            _P + p
            for p in (
                "READ_PHONE_STATE",
                "READ_PHONE_NUMBERS",
                "CALL_PHONE",
                "ANSWER_PHONE_CALLS",
                "ADD_VOICEMAIL",
                "USE_SIP",
            )
        ],
        "电话",
    ),
    **dict.fromkeys(
        [_P + p for p in ("ACCESS_FINE_LOCATION", "ACCESS_COARSE_LOCATION", "ACCESS_BACKGROUND_LOCATION")],
        "位置",
    ),
    **dict.fromkeys([_P + p for p in ("READ_CONTACTS", "WRITE_CONTACTS", "GET_ACCOUNTS")], "通讯录"),
    **dict.fromkeys(
        [_P + p for p in ("READ_SMS", "SEND_SMS", "RECEIVE_SMS", "RECEIVE_MMS", "RECEIVE_WAP_PUSH")], "短信"
    ),
    **dict.fromkeys(
        [_P + p for p in ("READ_CALL_LOG", "WRITE_CALL_LOG", "PROCESS_OUTGOING_CALLS")], "通话记录"
    ),
    **dict.fromkeys([_P + p for p in ("READ_CALENDAR", "WRITE_CALENDAR")], "日历"),
    _P + "CAMERA": "相机",
    _P + "RECORD_AUDIO": "麦克风",
    _P + "BODY_SENSORS": "身体传感器",
    _P + "ACTIVITY_RECOGNITION": "体育活动",
}


def _validate(params: dict) -> None:
    value = params.get("min_groups", 3)
    if not isinstance(value, int) or isinstance(value, bool) or value < 2:
        raise RuleError("'min_groups' must be an integer >= 2")


@predicate("dynamic_permission_bundled", needs=("dynamic.trace",), validate=_validate)
def dynamic_permission_bundled(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    need = int(param(params, "min_groups", 3))
    grouped: dict[str, list[tuple]] = {}
    for req in dyn.permission_requests:
        groups = list(dict.fromkeys(GROUPS[p] for p in req.permissions if p in GROUPS))
        if len(groups) >= need:
            grouped.setdefault(req.owner, []).append((req, groups))
    hits = []
    for owner, items in grouped.items():
        shown = "；".join("、".join(g) for _r, g in items[:3])
        hits.append(
            Hit(
                evidence=[permission_request_ref(r, list(r.permissions), "bundled") for r, _g in items],
                owner=owner,
                message_zh=f"一次权限申请同时索取多组权限（{shown}），未在对应功能启动时分别申请",
                message_en=f"one permission request asks for {max(len(g) for _r, g in items)} permission groups at "
                "once instead of when each feature starts",
            )
        )
    return hits
