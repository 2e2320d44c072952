"""Round eight of the screening (issue #23): recall on missed harmful apps, tuned on the misses of blind4 and blind5
(so not blind), each rule general (no app names, no hashes).

* A locker's hard-coded unlock code may hold symbols (``@``, ``$``, ``!`` ...), as passwords do: the constant a
  typed text is compared with before the overlay is removed is any 3..32 printable ASCII characters without a space
  that hold a letter or a digit (a sentence shown to the user has spaces; "!!!" is no code).
* ``sms.config_short_code_table``: the app sends SMS (directly, or by reflection on ``SmsManager`` while holding
  SEND_SMS) and a small bundled file is a per-country table of 4-5 digit short codes (3 rows, 3 countries, 3
  numbers at least): the premium destinations of a trojan that charges subscribers in many countries.
* ``dropper.runtime_component``: a service or receiver with a powerful role (accessibility, notification
  listener, device admin, incoming SMS) has no class in the APK's DEX and no known packer protects the app: its
  code arrives at run time.

``screen_r8`` does each the harmful way; ``screen_r8_clean`` holds the near misses (tests/screening/_apps/src, our
own smali)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from appwarden.errors import KnowledgeError
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import run_indicator, screen
from appwarden.screening.behaviour import _CODE_LITERAL, compared_constants
from appwarden.screening.content import ScreenContext
from appwarden.screening.detectors import _sms_senders, short_code_table
from appwarden.screening.loader import load_indicators

APPS = Path(__file__).resolve().parent / "_apps"
SPECS = {s.id: s for s in load_indicators()}
NAMES = ("screen_r8", "screen_r8_clean")


@pytest.fixture(scope="module")
def r8() -> dict[str, Any]:
    out = {}
    for name in NAMES:
        static, opened = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
        out[name] = (static, opened, ScreenContext(static, opened))
    return out


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("4815162342", True),  # digits (round five)
        ("pin", True),
        ("Pay@2024#", True),  # round eight: symbols, as in a password
        ("Abdullah@", True),
        ("a_b-c.d!", True),
        ("Try again later", False),  # a sentence: spaces
        ("!!!", False),  # no letter or digit
        ("ab", False),  # too short
        ("x" * 33, False),  # too long
        ("密码123", False),  # not ASCII
        ("tab\there", False),
    ],
)
def test_unlock_code_literal(value: str, code: bool) -> None:
    assert bool(_CODE_LITERAL.match(value)) is code


def test_unlock_code_with_symbols(r8: dict[str, Any]) -> None:
    spec = SPECS["ransomware.overlay_unlock_code"]
    ctx = r8["screen_r8"][2]
    hit = run_indicator(ctx, spec)
    assert hit is not None
    (item,) = hit.evidence
    assert item["caller"].endswith("r8/LockService;->unlock(Landroid/widget/EditText;Landroid/view/View;)V")
    assert item["constants"] == ["Pay@2024#"]
    # the note window of the clean twin is closed on a sentence or on "!!!": no unlock code
    clean = r8["screen_r8_clean"][2]
    note = "Lcom/appwarden/screen/r8c/NoteService;->dismiss(Landroid/widget/EditText;Landroid/view/View;)V"
    assert compared_constants(clean, note) == []
    assert run_indicator(clean, spec) is None


def test_round8_clean_twin_is_clean(r8: dict[str, Any]) -> None:
    clean = screen(r8["screen_r8_clean"][0], r8["screen_r8_clean"][1])
    # its only sign is the platform DeviceAdminReceiver it declares (device admin, 10)
    assert clean.verdict == "none" and [h.spec.id for h in clean.hits] == ["ransomware.device_admin"]


TABLE = (
    b"country|operator|text|number\nru|any|SUB 11,7132;SUB 12,7133\nua|any|SUB 11,7122\nkz|any|SUB 11,2990\n"
)


@pytest.mark.parametrize(
    ("data", "table"),
    [
        (TABLE, True),
        (b'<c code="RU" n="7132"/>\n<c code="UA" n="7122"/>\n<c code="KZ" n="2990"/>\n', True),
        (b'[{"c":"ru","n":7132},\n{"c":"ua","n":7122},\n{"c":"kz","n":2990}]\n', True),  # JSON
        (b"ru,7132\nua,7122\n", False),  # two countries
        (b"ru,7132\nua,7132\nkz,7132\n", False),  # one number
        (b"ru|+7|Russia\nua|+380|Ukraine\nkz|+7|Kazakhstan\nby|+375|Belarus\n", False),  # dialling codes
        (b"rumts|7132\nuamts|7122\nkzmts|2990\n", False),  # no country as a whole field
        (b"ru,713200\nua,712200\nkz,299000\n", False),  # six digits: no short code
        (b"ru 2024-12-07\nua 2023-01-01\nkz 2022-05-05\n", False),  # dates are not whole fields
        (b"In 1584 it was\nBy 1603 it was\nTo 1756 as in\n", False),  # prose: words between spaces
        (b"born in 1584\nborn in 1603\nborn by 1756\nborn to 1874\n", False),  # prose, one word a row
        (b'{"h":"bj","bt":1113}\n{"h":"cd","bb":1109}\n{"h":"cl","br":1016}\n', False),  # several per row
        (b"ne=08800\nge=08805\nin=08712\n", False),  # a leading zero: no short code
    ],
)
def test_short_code_table(data: bytes, table: bool) -> None:
    assert (short_code_table(data) is not None) is table


def test_short_code_table_fires_with_reflective_send(r8: dict[str, Any]) -> None:
    spec = SPECS["sms.config_short_code_table"]
    hit = run_indicator(r8["screen_r8"][2], spec)
    assert hit is not None
    (item,) = hit.evidence
    assert item["path"] == "assets/plan.txt" and item["send"] == "reflection"
    assert item["countries"] == ["by", "kz", "ru", "ua"]
    assert item["numbers"] == ["2990", "4161", "7122", "7132", "7133"]
    assert item["sender"].endswith("r8/Billing;->send(Ljava/lang/String;Ljava/lang/String;)V")
    # the clean twin carries the same table, but its SmsManager reflection is a dual-SIM lookup without SEND_SMS
    clean = r8["screen_r8_clean"][2]
    assert _sms_senders(clean, spec.params) == []
    assert run_indicator(clean, spec) is None
    without_gate = {k: v for k, v in spec.params.items() if k not in ("permissions_any",)}
    assert _sms_senders(clean, {**without_gate, "permissions_any": ["android.permission.READ_PHONE_STATE"]})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"apis": ["x"], "min_rows": 1}, "min_rows"),
        ({"apis": ["x"], "min_rows": True}, "min_rows"),
        ({"apis": ["x"], "reflective": ["android.telephony.SmsManager"]}, "permissions_any"),
        ({"reflective": ["y"], "permissions_any": ["z"]}, "apis"),
    ],
)
def test_short_code_table_params_checked(params: dict[str, Any], message: str) -> None:
    from appwarden.screening.detectors import DETECTORS

    error = DETECTORS["sms_config_table"].check(params)
    assert error is not None and message in error


def test_runtime_component(r8: dict[str, Any]) -> None:
    spec = SPECS["dropper.runtime_component"]
    hit = run_indicator(r8["screen_r8"][2], spec)
    assert hit is not None
    assert hit.evidence == [
        {
            "component": "com.appwarden.screen.r8.Relay",
            "kind": "service",
            "role": "android.permission.BIND_NOTIFICATION_LISTENER_SERVICE",
            "components_without_class": "1 of 3",
        }
    ]
    # the clean twin's listener has its class; its stale plain service without a class has no powerful role; its
    # device-admin receiver is the platform's own DeviceAdminReceiver, named as is (on the device, not in the APK)
    clean = r8["screen_r8_clean"][2]
    admin = next(
        c for c in clean.manifest.components if c.permission == "android.permission.BIND_DEVICE_ADMIN"
    )
    assert admin.name == "android.app.admin.DeviceAdminReceiver"
    assert "Landroid/app/admin/DeviceAdminReceiver;" not in clean.code.classes
    assert run_indicator(clean, spec) is None


def test_runtime_component_silent_when_a_dex_was_refused(r8: dict[str, Any], tmp_path: Path) -> None:
    # a class-less component may live in a DEX the engine refused (here a zip-bomb classes2.dex): no claim then
    apk = tmp_path / "bomb.apk"
    shutil.copy(APPS / "screen_r8.apk", apk)
    with zipfile.ZipFile(apk, "a", zipfile.ZIP_DEFLATED) as z, z.open("classes2.dex", "w") as f:
        f.write(b"dex\n035\x00" + b"\x00" * (3 << 20))
    static, opened = _static_stage(apk, DEFAULT_LIMITS.__class__(max_entry_size=1 << 20))
    assert any(e.stage == "dex" and e.path == "classes2.dex" for e in static.errors)
    ctx = ScreenContext(static, opened)
    assert run_indicator(ctx, SPECS["dropper.runtime_component"]) is None
    assert run_indicator(r8["screen_r8"][2], SPECS["dropper.runtime_component"]) is not None


def test_round8_verdict(r8: dict[str, Any]) -> None:
    bad = screen(r8["screen_r8"][0], r8["screen_r8"][1])
    assert bad.verdict == "harmful"
    assert {h.spec.id for h in bad.hits} == {
        "ransomware.overlay_unlock_code",
        "sms.config_short_code_table",
        "dropper.runtime_component",
    }


_ENTRY = """indicators:
- id: x.y
  category: sms_fraud
  weight: 10
  evidence: assets
  detector: sms_config_table
  params: {apis: [La;->b], reflective: [android.telephony.SmsManager], permissions_any: [android.permission.SEND_SMS]}
  description: d
  description_zh: d
  source: s
  fixtures: {fires: [screen_r8], clean: [screen_r8_clean]}
"""


def test_loader_checks_round8_params(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(_ENTRY, encoding="utf-8")
    assert len(load_indicators(tmp_path)) == 1
    (tmp_path / "a.yaml").write_text(_ENTRY.replace(", permissions_any: [android.permission.SEND_SMS]", ""))
    with pytest.raises(KnowledgeError, match="reflective needs permissions_any"):
        load_indicators(tmp_path)
    runtime = _ENTRY.replace("detector: sms_config_table", "detector: runtime_components").replace(
        "params: {apis: [La;->b], reflective: [android.telephony.SmsManager], permissions_any: [android.permission.SEND_SMS]}",
        "params: {permissions: [android.permission.BIND_DEVICE_ADMIN], actions: [7]}",
    )
    (tmp_path / "a.yaml").write_text(runtime, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="actions"):
        load_indicators(tmp_path)
    assert SPECS["sms.config_short_code_table"].supersedes == ("sms.config_premium_number",)


def test_runtime_component_count_leaves_out_activity_aliases(tmp_path: Path) -> None:
    # an <activity-alias> names no class of its own (it points at its targetActivity): the "n of m" evidence counts
    # only components that must have a class, so two aliases in screen_r8's manifest change neither n nor m
    from appwarden.apk.model import Component

    static, opened = _static_stage(APPS / "screen_r8.apk", DEFAULT_LIMITS)
    main = "com.appwarden.screen.r8.MainActivity"
    for alias in ("com.appwarden.screen.r8.FestivalIcon", "com.appwarden.screen.r8.PlainIcon"):
        static.manifest.components.append(Component(kind="activity-alias", name=alias, target_activity=main))
    hit = run_indicator(ScreenContext(static, opened), SPECS["dropper.runtime_component"])
    assert hit is not None
    assert [i["components_without_class"] for i in hit.evidence] == ["1 of 3"]
