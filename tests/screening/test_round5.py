"""Round five of the screening indicators (issue #23): a screen locker's hard-coded unlock code, another app's
private data read with a root shell, a clipboard wallet swap, DEX loaded from a bundled asset, and a launcher
activity hiding its own icon. ``screen_r5`` does each; ``screen_r5_clean`` does the near miss of each (tests/screening
/_apps/src, our own smali)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.errors import KnowledgeError
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import run_indicator, screen
from appwarden.screening.behaviour import _wallet_kind, compared_constants
from appwarden.screening.content import ScreenContext
from appwarden.screening.loader import load_indicators

APPS = Path(__file__).resolve().parent / "_apps"
SPECS = {s.id: s for s in load_indicators()}
ROUND5 = {
    "ransomware.overlay_unlock_code",
    "spyware.other_app_data",
    "banker.clipboard_wallet_swap",
    "dropper.asset_dex_loader",
}


@pytest.fixture(scope="module")
def r5() -> dict[str, ScreenContext]:
    out = {}
    for name in ("screen_r5", "screen_r5_clean", "screen_packed"):
        static, opened = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
        out[name] = ScreenContext(static, opened)
    return out


def test_round5_fixture_verdicts(r5: dict[str, ScreenContext]) -> None:
    bad = screen(r5["screen_r5"].static, r5["screen_r5"].apk)
    # spyware.message_stores fires too, but spyware.surveillance_set (the larger set) replaces it
    assert {h.spec.id for h in bad.hits} == ROUND5 | {
        "stealth.hide_launcher_icon",
        "spyware.surveillance_set",
        "stealth.library_namespace_disguise",
        "phishing.remote_page_sms_app",
    }
    assert bad.verdict == "harmful"
    assert set(bad.categories) == {
        "banker",
        "dropper",
        "spyware",
        "adware",
        "ransomware",
        "other",
        "phishing",
    }
    clean = screen(r5["screen_r5_clean"].static, r5["screen_r5_clean"].apk)
    assert clean.verdict == "none" and clean.hits == []


def test_unlock_code_is_a_constant_that_reaches_equals(r5: dict[str, ScreenContext]) -> None:
    hit = run_indicator(r5["screen_r5"], SPECS["ransomware.overlay_unlock_code"])
    assert hit is not None
    assert hit.evidence[0]["caller"].startswith("Lcom/appwarden/screen/r5/LockService;->unlock(")
    assert hit.evidence[0]["constants"] == ["4815162342"]
    # the clean twin compares with the PIN read from its settings: the key "pin" is loaded in the same method but
    # its register is overwritten by getString's move-result before equals reads it
    method = (
        "Lcom/appwarden/screen/r5clean/LockService;->unlock(Landroid/widget/EditText;Landroid/view/View;)V"
    )
    assert compared_constants(r5["screen_r5_clean"], method) == []
    assert run_indicator(r5["screen_r5_clean"], SPECS["ransomware.overlay_unlock_code"]) is None


def test_other_app_data_needs_another_apps_data_store(r5: dict[str, ScreenContext]) -> None:
    hit = run_indicator(r5["screen_r5"], SPECS["spyware.other_app_data"])
    assert hit is not None
    assert [(i["package"], i["string"]) for i in hit.evidence] == [
        ("org.example.browser", "/data/data/org.example.browser/app_webview/Cookies")
    ]
    # clean: its own database, and another app's helper binary under files/ (no data store), with the same su
    assert run_indicator(r5["screen_r5_clean"], SPECS["spyware.other_app_data"]) is None


def test_clipboard_swap_needs_a_read_and_a_wallet(r5: dict[str, ScreenContext]) -> None:
    hit = run_indicator(r5["screen_r5"], SPECS["banker.clipboard_wallet_swap"])
    assert hit is not None
    assert [i.get("wallet") for i in hit.evidence if "wallet" in i] == ["ethereum"]
    # a wallet's "copy my address" writes the same address without reading the clipboard; the clean twin also
    # reads the clipboard, but in another class (a paste helper): read, write and address must share a class
    assert run_indicator(r5["screen_r5_clean"], SPECS["banker.clipboard_wallet_swap"]) is None


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("0x52908400098527886E0F7030069857D2E4169EE7", "ethereum"),  # EIP-55's test vector
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "bitcoin"),  # the genesis block's address
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "bitcoin"),  # BIP-13 style P2SH example
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bitcoin"),  # BIP-173 style bech32
        ("0x1234", None),
        ("1234567890123456789012345678", None),  # digits only: base58 has no 0, and a phone-like run
        ("https://example.org/0x52908400098527886E0F7030069857D2E4169EE7", None),
        ("ThirdPartyDeviceManagementRequired", None),  # a 34-letter identifier starting with T (Tron's shape)
        (
            "3ec91f7b1ada165e4aeee782f524f6bf",
            None,
        ),  # a lower-case hex digest starting with 3 (legacy P2SH's shape)
    ],
)
def test_wallet_address_formats(value: str, kind: str | None) -> None:
    assert _wallet_kind(value) == kind


def test_asset_dex_loader_needs_both_in_one_class(r5: dict[str, ScreenContext]) -> None:
    spec = SPECS["dropper.asset_dex_loader"]
    hit = run_indicator(r5["screen_r5"], spec)
    assert hit is not None and hit.evidence[0]["class"] == "Lcom/appwarden/screen/r5/Loader;"
    # clean: a font read from the assets in one class, a downloaded plugin loaded in another
    assert run_indicator(r5["screen_r5_clean"], spec) is None
    # a known packer's stub does this by design: never counted
    assert r5["screen_packed"].static.app.packer
    assert run_indicator(r5["screen_packed"], spec) is None


def test_launcher_hides_itself_by_component_name(r5: dict[str, ScreenContext]) -> None:
    spec = SPECS["stealth.hide_launcher_icon"]
    hit = run_indicator(r5["screen_r5"], spec)
    assert hit is not None
    assert [(i["caller"].split("->")[0], i["component"]) for i in hit.evidence] == [
        ("Lcom/appwarden/screen/r5/MainActivity;", "com.appwarden.screen.r5.MainActivity"),
        # its own package's MAIN/LAUNCHER activity resolved at run time, then disabled
        ("Lcom/appwarden/screen/r5/Stager;", "launcher of com.appwarden.screen.r5"),
    ]
    # the clean twin's non-launcher settings activity disables itself the same way (no icon is hidden), and it
    # resolves its own launcher only to re-enable it (state 1)
    assert run_indicator(r5["screen_r5_clean"], spec) is None


def test_loader_rejects_non_boolean_not_packed(tmp_path: Path) -> None:
    text = """
indicators:
- id: x.y
  category: dropper
  weight: 10
  evidence: code
  detector: api_groups_in_class
  params: {groups: [[a], [b]], not_packed: 'yes'}
  description: d
  description_zh: d
  source: s
  fixtures: {fires: [screen_r5], clean: [screen_r5_clean]}
"""
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="not_packed"):
        load_indicators(tmp_path)


def test_file_encryption_needs_the_storage_root_near_the_walk(r5: dict[str, ScreenContext]) -> None:
    """An SDK-style cache class (cipher, listFiles, delete on its own files) in an app that reaches the shared
    storage elsewhere (an unrelated export folder): silent with ``app_any_near`` (the shipped setting), as the
    round-four rule (anywhere in the app) would have fired on it."""
    from appwarden.screening.model import IndicatorSpec

    spec = SPECS["ransomware.file_encryption"]
    assert spec.params["app_any_near"] is True
    assert run_indicator(r5["screen_r5_clean"], spec) is None
    fields = {f: getattr(spec, f) for f in spec.__dataclass_fields__}
    fields["params"] = {k: v for k, v in spec.params.items() if k != "app_any_near"}
    hit = run_indicator(r5["screen_r5_clean"], IndicatorSpec(**fields))
    assert hit is not None and hit.evidence[0]["class"] == "Lcom/appwarden/screen/r5clean/CacheStore;"


def test_background_data_sets(r5: dict[str, ScreenContext]) -> None:
    stores = run_indicator(r5["screen_r5"], SPECS["spyware.message_stores"])
    assert stores is not None
    assert [i["category"] for i in stores.evidence] == ["call_log", "contacts", "sms"]
    assert all(i["caller"].startswith("Lcom/appwarden/screen/r5/Collector;->") for i in stores.evidence)
    full = run_indicator(r5["screen_r5"], SPECS["spyware.surveillance_set"])
    assert full is not None and len(full.evidence) == 6
    assert SPECS["spyware.surveillance_set"].supersedes == ("spyware.message_stores",)
    # the clean twin reads the same six from an Activity the user drives: neither fires
    assert run_indicator(r5["screen_r5_clean"], SPECS["spyware.message_stores"]) is None
    assert run_indicator(r5["screen_r5_clean"], SPECS["spyware.surveillance_set"]) is None


def test_library_namespace_disguise(r5: dict[str, ScreenContext]) -> None:
    spec = SPECS["stealth.library_namespace_disguise"]
    hit = run_indicator(r5["screen_r5"], spec)
    assert hit is not None
    assert hit.evidence == [
        {
            "component": "androidx.core.app.SyncHelperService",
            "kind": "service",
            "permission": "android.permission.BIND_NOTIFICATION_LISTENER_SERVICE",
        }
    ]
    # clean: a notification listener in the app's own package, and androidx's real FileProvider
    assert run_indicator(r5["screen_r5_clean"], spec) is None


def test_remote_page_in_an_sms_app(r5: dict[str, ScreenContext]) -> None:
    spec = SPECS["phishing.remote_page_sms_app"]
    hit = run_indicator(r5["screen_r5"], spec)
    assert hit is not None
    assert hit.evidence[0] == {"path": "assets/server.txt", "url": "https://pay.example.invalid/login"}
    assert hit.evidence[-1] == {"component": "com.appwarden.screen.r5.SmsIn", "receives": "SMS"}
    # the clean twin has the same asset and WebView but receives no SMS
    assert run_indicator(r5["screen_r5_clean"], spec) is None


def test_bundled_app_inventor_runtime_is_not_the_apps_collector(
    r5: dict[str, ScreenContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    """MIT App Inventor packs its whole component runtime (texting, contacts, camera, location...) into every app it
    builds; the clean twin carries such a class. It must not count (helper B's store apps: two App Inventor apps)."""
    from appwarden.screening import behaviour

    spec = SPECS["spyware.surveillance_set"]
    assert run_indicator(r5["screen_r5_clean"], spec) is None
    monkeypatch.setattr(behaviour, "_BUNDLED_RUNTIMES", ())
    hit = run_indicator(r5["screen_r5_clean"], spec)
    assert hit is not None
    assert all(i["caller"].startswith("Lcom/google/appinventor/components/runtime/") for i in hit.evidence)


def test_hide_icon_switch_in_settings_is_a_feature(
    r5: dict[str, ScreenContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clean twin disables its launcher from a preference callback (the user's "hide app icon" option)."""
    from appwarden.screening import detectors

    spec = SPECS["stealth.hide_launcher_icon"]
    assert run_indicator(r5["screen_r5_clean"], spec) is None
    monkeypatch.setattr(detectors, "_USER_TOGGLES", ("noSuchCallback(",))
    clean = r5["screen_r5_clean"]  # a new context: the hides are found once per context (ScreenContext.memo)
    hit = run_indicator(ScreenContext(clean.static, clean.apk), spec)
    assert hit is not None
    assert [i["caller"].split("->")[1].split("(")[0] for i in hit.evidence] == ["onPreferenceChange"]


def test_play_billing_helper_is_a_client_library() -> None:
    """Google's In-app Billing v3 helper (TrivialDrive's ``com.android.vending.util``: IabHelper, Base64...) is
    copied into ordinary apps; like the licensing and billing libraries it must not read as Play Store classes
    repackaged (helper B's store apps: a DashClock extension)."""
    from appwarden.screening.loader import load_known_apps

    play = next(a for a in load_known_apps() if a["package"] == "com.android.vending")
    assert "com.android.vending.util" in play["client_libraries"]
