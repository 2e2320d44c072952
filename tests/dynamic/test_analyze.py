"""The analyzer's state machine, attribution and PI lookup, on small hand-built event lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appwarden.dynamic.analyze import analyze_trace, load_dynamic_evidence
from appwarden.dynamic.attribution import PrefixAttributor, caller_frame, is_first_party, stack_owner
from appwarden.dynamic.model import DynamicParams
from appwarden.dynamic.pi_lookup import api_table, categorize, permission_categories
from appwarden.knowledge import pi_categories

TRACES = Path(__file__).resolve().parents[1] / "fixtures" / "traces"
HEADER = {"type": "header", "schema_version": 1, "app": {"package": "com.example.shop"}, "started_at": "x"}
SDKS = PrefixAttributor({"com.umeng": "umeng", "cn.jpush": "jpush"}, domains={"umeng.com": "umeng"})
HOST_STACK = [
    "android.telephony.TelephonyManager.getDeviceId(Native Method)",
    "com.example.shop.App.onCreate(App.java:3)",
]
UMENG_STACK = [
    "android.telephony.TelephonyManager.getDeviceId(Native Method)",
    "com.umeng.x.D.imei(D.java:1)",
]


def imei(t: int, stack: list[str] = HOST_STACK) -> dict:
    return {"type": "api_call", "t": t, "class": "android.telephony.TelephonyManager", "method": "getDeviceId",
            "stack": stack}  # fmt: skip


def ui(t: int, event: str, **kw: str) -> dict:
    return {"type": "ui", "t": t, "event": event, **kw}


def run(events: list[dict], **kw):
    return analyze_trace(HEADER, iter(events), attributor=SDKS, **kw)


# ---- PI lookup ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cls", "method", "args", "category"),
    [
        ("android.telephony.TelephonyManager", "getDeviceId", [], "imei"),
        ("android.provider.Settings$Secure", "getString", ["cr", "android_id"], "android_id"),
        ("android.provider.Settings$Secure", "getString", ["cr", '"android_id"'], "android_id"),
        ("android.provider.Settings$Secure", "getString", ["cr", "bluetooth_name"], None),
        ("android.content.ContentResolver", "query", ["content://com.android.contacts/data"], "contacts"),
        ("android.content.ContentResolver", "query", ["content://sms/inbox", "null"], "sms"),
        ("android.content.ContentResolver", "query", ["content://com.example.provider/x"], None),
        ("android.content.ContentResolver", "query", None, None),
        ("android.hardware.SensorManager", "getDefaultSensor", ["1"], "sensors"),
        ("android.hardware.SensorManager", "getDefaultSensor", ["5"], None),
        ("android.os.SystemProperties", "get", ["ro.serialno"], "serial"),
        ("android.os.SystemProperties", "get", ["ro.build.version.sdk"], None),
        ("com.example.Unknown", "getDeviceId", [], None),
    ],
)
def test_categorize_applies_knowledge_base_arg_filters(cls, method, args, category) -> None:
    assert categorize(cls, method, args) == category


def test_every_knowledge_base_api_is_in_the_lookup_table() -> None:
    table = api_table()
    for cat, rec in pi_categories().items():
        for smali in [*(rec.get("apis") or []), *(rec.get("sdk_apis") or [])]:
            cls, _, name = smali.partition("->")
            key = (cls[1:-1].replace("/", "."), "$init" if name == "<init>" else name)
            assert cat in table[key].categories, smali
    assert "location" in permission_categories()["android.permission.ACCESS_FINE_LOCATION"]


# ---- attribution ----------------------------------------------------------------------------------------------
def test_prefix_attributor_matches_package_boundaries_only() -> None:
    attr = PrefixAttributor({"com.dv": "dv", "com.umeng": "umeng", "com.umeng.push": "umeng_push"})
    assert attr("Lcom/dv/Ads;") == "dv"
    assert attr("Lcom/dvadm/Main;") == "host"
    assert attr("Lcom/umeng/push/A;") == "umeng_push"
    assert attr("Lcom/umeng/A$1;") == "umeng"


def test_caller_is_first_non_platform_frame() -> None:
    stack = [
        "java.lang.Thread.getStackTrace(Thread.java:1)",
        *UMENG_STACK,
        "com.example.shop.App.onCreate(App.java:3)",
    ]
    assert caller_frame(stack) == "com.umeng.x.D.imei(D.java:1)"
    assert stack_owner(stack, SDKS) == ("umeng", "com.umeng.x.D.imei(D.java:1)")
    assert stack_owner(["android.app.Activity.onCreate(Activity.java:1)"], SDKS) == ("host", None)
    assert stack_owner(["\tat com.umeng.x.D.imei(D.java:1)"], SDKS)[0] == "umeng"


def test_first_party_domains() -> None:
    assert is_first_party("api.example.com", "com.example.shop")
    assert not is_first_party("ulogs.umeng.com", "com.example.shop")
    assert is_first_party("cdn.shopcloud.cn", "com.example.shop", ["shopcloud.cn"])
    assert not is_first_party("evilexample.com", "com.example.shop")


# ---- consent state machine ------------------------------------------------------------------------------------
def test_consent_phases() -> None:
    ev = run(
        [
            imei(10),
            ui(20, "privacy_dialog_shown"),
            imei(30, UMENG_STACK),
            ui(40, "consent_agree"),
            imei(50),
            ui(60, "consent_withdraw"),
            imei(70),
            imei(80),
            ui(90, "consent_agree"),
            imei(100),
        ]
    )
    assert ev.consent.dialog_shown == 20 and ev.consent.agreed == 40 and ev.consent.withdrawn == 60
    assert sorted((o.owner, o.t, o.count) for o in ev.pre_consent) == [("host", 10, 1), ("umeng", 30, 1)]
    assert [(o.t, o.count, o.last_t) for o in ev.after_refusal] == [(70, 2, 80)]
    assert sum(o.count for o in ev.api_summary) == 6
    assert ev.consent.observed


def test_no_consent_step_means_everything_is_pre_consent_and_unobserved() -> None:
    ev = run([imei(10), imei(20)])
    assert not ev.consent.observed
    assert ev.pre_consent[0].count == 2


def test_background_from_events_and_from_non_user_start() -> None:
    ev = run([ui(0, "process_start", cause="boot"), imei(5), ui(10, "app_foreground"), imei(20),
              ui(30, "app_background"), imei(40)])  # fmt: skip
    assert [(o.t, o.count) for o in ev.background] == [(5, 2)]
    assert [p.cause for p in ev.self_starts()] == ["boot"]
    ev2 = run([ui(0, "process_start", cause="launcher"), imei(5)])
    assert ev2.background == [] and ev2.self_starts() == []


# ---- frequency ------------------------------------------------------------------------------------------------
def test_frequency_uses_a_sliding_60s_window() -> None:
    # 11 calls within 59.9 s straddling a minute boundary: fixed buckets would see 5 + 6
    calls = [imei(30_000 + i * 5_990) for i in range(11)]
    ev = run(calls)
    peak = ev.frequency[0]
    assert peak.peak_per_minute == 11 and peak.window_start == 30_000 and peak.total == 11
    assert ev.frequency_exceeded() == [peak]
    assert ev.frequency_exceeded(limit=11) == []
    spread = run([imei(i * 6_000) for i in range(30)])  # every 6 s: 10 in any 60 s window
    assert spread.frequency[0].peak_per_minute == 10 and spread.frequency_exceeded() == []


# ---- permissions ----------------------------------------------------------------------------------------------
def perm_req(t: int, *perms: str) -> dict:
    return {"type": "permission_request", "t": t, "permissions": list(perms)}


def perm_res(t: int, perm: str, granted: bool) -> dict:
    return {"type": "permission_result", "t": t, "permission": perm, "granted": granted}


LOC = "android.permission.ACCESS_FINE_LOCATION"
PHONE = "android.permission.READ_PHONE_STATE"


def test_rerequest_gaps_and_window() -> None:
    ev = run([perm_req(0, LOC), perm_res(1000, LOC, False), perm_req(5000, LOC), perm_res(6000, LOC, True),
              perm_req(9000, LOC)])  # fmt: skip
    assert [(r.denied_at, r.requested_at, r.gap_ms) for r in ev.rerequests] == [(1000, 5000, 4000)]
    assert len(ev.rerequests_within(48)) == 1
    assert ev.rerequests_within(0.001) == []  # 3.6 s window: a 4 s gap is fine


def test_premature_request_only_when_granted_and_unused() -> None:
    used = run([perm_req(100, PHONE), perm_res(900, PHONE, True), imei(2000)])
    assert used.early_requests == []
    unused = run([perm_req(100, PHONE), perm_res(900, PHONE, True), imei(30_000)])
    assert [(r.permission, r.first_use_at) for r in unused.early_requests] == [(PHONE, 30_000)]
    denied = run([perm_req(100, PHONE), perm_res(900, PHONE, False)])
    assert denied.early_requests == []
    late = run([perm_req(20_000, PHONE), perm_res(20_900, PHONE, True)])
    assert late.early_requests == []
    short = run(
        [perm_req(100, PHONE), perm_res(900, PHONE, True), imei(3000)],
        params=DynamicParams(need_window_ms=1000),
    )
    assert len(short.early_requests) == 1


# ---- network and sensors --------------------------------------------------------------------------------------
def test_network_attribution_by_stack_then_domain() -> None:
    pi = [{"category": "imei", "where": "query"}]
    ev = run(
        [
            {"type": "network", "t": 1, "host": "ulogs.umeng.com", "pi": pi},
            {
                "type": "network",
                "t": 2,
                "host": "t.cn.jpush.io",
                "pi": pi,
                "stack": ["cn.jpush.a.B.c(B.java:1)"],
            },
            {"type": "network", "t": 3, "host": "api.example.com", "pi": pi},
            {"type": "network", "t": 4, "host": "static.cdn.net"},
            ui(5, "consent_agree"),
            {"type": "network", "t": 6, "host": "ulogs.umeng.com", "pi": pi},
        ]
    )
    got = [(x.host, x.owner, x.owner_source, x.third_party, x.before_consent) for x in ev.transmissions]
    assert got == [
        ("ulogs.umeng.com", "umeng", "domain", True, True),
        ("t.cn.jpush.io", "jpush", "stack", True, True),
        ("api.example.com", "host", "none", False, True),
        ("ulogs.umeng.com", "umeng", "domain", True, False),
    ]


@pytest.mark.parametrize(
    ("thresholds", "below", "sensitive"),
    [
        ({"accel_mps2": 11, "duration_s": 1}, ["accel_mps2", "duration_s"], True),
        ({"accel_mps2": 11, "duration_s": 3}, ["accel_mps2"], False),
        ({"rotation_deg": 20}, ["rotation_deg"], True),
        ({"accel_mps2": 15}, [], False),
        ({}, [], False),
    ],
)
def test_shake_thresholds_against_ttaf_078_7(thresholds, below, sensitive) -> None:
    ev = run([{"type": "sensor_register", "t": 1, "sensor": "Accelerometer", "thresholds": thresholds}])
    assert ev.sensors[0].below == below and ev.sensors[0].too_sensitive is sensitive


def test_non_motion_sensor_is_ignored() -> None:
    assert run([{"type": "sensor_register", "t": 1, "sensor": "light"}]).sensors == []


# ---- whole fixtures -------------------------------------------------------------------------------------------
def test_evidence_to_json_round_trips_through_json() -> None:
    for path in sorted(TRACES.glob("*.jsonl")):
        ev = load_dynamic_evidence(path, attributor=SDKS)
        data = json.loads(json.dumps(ev.to_json(), ensure_ascii=False))
        assert (
            data["package"] == json.loads(path.read_text(encoding="utf-8").splitlines()[0])["app"]["package"]
        )
        assert data["params"]["rerequest_min_interval_h"] == 48.0


def test_first_minute_is_bounded_and_ordered() -> None:
    ev = load_dynamic_evidence(TRACES / "applist_background_polling.jsonl", attributor=SDKS)
    ts = [row["t"] for row in ev.first_minute]
    assert ts == sorted(ts) and max(ts) < 60_000
    assert any(row.get("owner") == "host" for row in ev.first_minute)
    gdt = PrefixAttributor({"com.qq.e": "gdt"})
    assert ev.frequency[0].owner == "host"
    assert (
        load_dynamic_evidence(TRACES / "applist_background_polling.jsonl", attributor=gdt).frequency[0].owner
        == "gdt"
    )


def test_default_attribution_uses_the_sdk_knowledge_base() -> None:
    from appwarden.dynamic.attribution import KbAttributor, default_attributor

    attr = default_attributor("com.example.shop")
    assert isinstance(attr, KbAttributor)
    assert attr("Lcom/umeng/commonsdk/UMConfigure;") != "host"
    assert attr("Lcom/example/shop/App;") == "host"
    assert attr.domain_owner("ulogs.umeng.com") == attr("Lcom/umeng/commonsdk/UMConfigure;")
    ev = load_dynamic_evidence(TRACES / "sdk_android_id_pre_consent.jsonl")
    assert [o.owner for o in ev.pre_consent] == [attr("Lcom/umeng/commonsdk/UMConfigure;")]


def test_summary_is_compact_json_with_line_pointers() -> None:
    ev = load_dynamic_evidence(TRACES / "applist_background_polling.jsonl", attributor=SDKS)
    summary = json.loads(json.dumps(ev.summary(max_rows=3)))
    assert summary["events"] == 124 and summary["bad_lines"] == 0
    assert summary["background"][0]["count"] == 120 and summary["background"][0]["line"] == 6
    assert summary["frequency_exceeded"][0]["peak_per_minute"] == 60
    assert summary["consent"]["observed"] is True and len(summary["consent"]["events"]) == 2
    assert len(json.dumps(summary)) < len(json.dumps(ev.to_json()))


@pytest.mark.parametrize(
    ("app_state", "pre_consent", "confidence"),
    [("fresh", 1, "likely"), ("unknown", 1, "possible"), (None, 1, "possible"), ("existing", 0, "possible")],
)
def test_app_state_decides_how_unobserved_consent_is_read(app_state, pre_consent, confidence) -> None:
    header = {**HEADER, **({"app_state": app_state} if app_state else {})}
    ev = analyze_trace(header, iter([imei(10)]), attributor=SDKS)
    assert len(ev.pre_consent) == pre_consent
    assert ev.consent.pre_consent_confidence() == confidence
    observed = analyze_trace(header, iter([ui(1, "privacy_dialog_shown"), imei(10)]), attributor=SDKS)
    assert observed.consent.pre_consent_confidence() is None
