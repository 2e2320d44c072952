"""Evasion by an app that wants to pass vetting while collecting (helper ``evade``, 2026-12-07).

evasion_sdk_disguise.apk (tests/rules/_apps/src/evasion_sdk_disguise) is an app that asks no consent and puts its
own collecting code in vendor namespaces so the vendors' compliance contracts (knowledge/sdk_contracts) would hold
it back: ``cn/jpush/android/helper/Collector`` reads the IMEI after a hard-coded ``JCollectionAuth.setAuth(ctx,
false)`` it defines itself as a no-op, and its own ``com/umeng/commonsdk/UMConfigure.preInit`` reads the Android
ID. Neither vendor is in its manifest and each "SDK" is one class. A contract is the vendor's word about its own
code: it gates only an SDK fingerprinted by more than a few classes in its namespace (rules/consent.py
``FINGERPRINT_SIGNATURES``, ``FINGERPRINT_CLASSES``), so both reads stay pre-consent findings. The real
integrations (consent_vendor.apk, consent_gated.apk: the vendors' manifest keys) stay gated
(tests/rules/test_consent.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from appwarden.cli.scan import fails
from appwarden.rules.consent import consent_model
from appwarden.scan import build_evidence, scan_apk

APPS = Path(__file__).parent / "_apps"
DISGUISE = APPS / "evasion_sdk_disguise.apk"
MAIN = "Lcom/appwarden/rules/evasion/Main;->onCreate(Landroid/os/Bundle;)V"


@lru_cache(maxsize=2)
def _report(name: str) -> dict[str, Any]:
    return scan_apk(APPS / name)


def test_disguised_collectors_are_attributed_to_the_vendors_by_package_only() -> None:
    sdks = {s["id"]: s for s in _report(DISGUISE.name)["sdks"]}
    assert sdks["jpush"]["matched"] == ["package:cn.jpush.android"] and sdks["jpush"]["classes"] == 1
    assert sdks["umeng_common"]["matched"] == ["package:com.umeng.commonsdk"]


def test_contract_of_a_package_only_sdk_gates_nothing() -> None:
    model = consent_model(build_evidence(DISGUISE))
    assert model is not None
    # the contract calls are seen, before consent ...
    roles = {(n["sdk"], n["role"], n["value"], n["before_consent"]) for n in model.contract_notes}
    assert ("jiguang_jcore", "auth", False, True) in roles
    assert "Lcom/umeng/commonsdk/UMConfigure;->preInit" in model.preinit_apis
    # ... but neither "SDK" is fingerprinted, so neither is held back by them
    assert not model.fingerprinted & {"jpush", "jiguang_jcore", "umeng_common"}


def test_disguised_pre_consent_reads_are_high_findings_and_fail_the_gate() -> None:
    report = _report(DISGUISE.name)
    startup = {f["owner"]: f for f in report["findings"] if f["rule_id"] == "pi.startup.device_id"}
    assert set(startup) == {"jpush", "umeng_common"}
    assert {f["severity"] for f in startup.values()} == {"high"}
    entries = {e["owner"]: e for e in report["consent"]["owners"]}
    assert entries["jpush"]["verdict"] == "likely" and entries["umeng_common"]["verdict"] == "likely"
    assert entries["jpush"]["path"][0] == MAIN
    assert fails({"findings": list(startup.values())}, "high")


def test_fingerprinted_vendor_is_still_held_back_by_its_contract() -> None:
    # the precision side: the same contracts with the vendors' manifest entries still gate (no new finding)
    report = _report("consent_vendor.apk")
    entries = {e["owner"]: e for e in report["consent"]["owners"]}
    for owner in ("jpush", "umeng_common"):
        assert entries[owner]["verdict"] == "gated"
        assert entries[owner]["gate"]["kind"] == "sdk_contract"
    assert not [
        f
        for f in report["findings"]
        if f["rule_id"] == "pi.startup.device_id" and f["owner"] in ("jpush", "umeng_common")
    ]


def test_collection_moved_into_an_asset_dex_is_seen() -> None:
    # evasion_asset_dex.apk: Main.onCreate loads assets/plugin.dex with a DexClassLoader and invokes its
    # Payload.run(Context) by reflection; the IMEI read is only in the asset DEX. On main: no PI call site, and
    # READ_PHONE_STATE reported as requested but unused
    report = scan_apk(APPS / "evasion_asset_dex.apk")
    (site,) = [c for c in report["callsites"] if c["category"] == "imei"]
    assert site["dex"] == "assets/plugin.dex"
    assert site["caller"] == "Lcom/appwarden/rules/assetdex/payload/Payload;->run(Landroid/content/Context;)V"
    rules = {f["rule_id"] for f in report["findings"]}
    assert "pi.device_id.read" in rules and "perm.unused_dangerous" not in rules
    assert report["app"]["dex_count"] == 1  # the DEX files Android loads itself


def test_an_asset_named_dex_that_is_no_dex_is_not_an_error(tmp_path: Path) -> None:
    # packers and ad-SDK plugins ship encrypted code or a jar under assets/*.dex: read as DEX it gave "bad magic"
    # errors of the dex stage, so a benign app's analysis counted as incomplete and failed `--fail-on`
    import zipfile

    from appwarden.completeness import incomplete
    from appwarden.scan import is_dex_file

    apk = tmp_path / "encrypted_asset.apk"
    with zipfile.ZipFile(APPS / "evasion_asset_dex.apk") as src, zipfile.ZipFile(apk, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "assets/plugin.dex":
                data = bytes((b * 131 + 7) & 0xFF for b in data)  # "encrypted": no DEX magic
            out.writestr(info, data)
        out.writestr("assets/plugin.jar.dex", b"PK\x03\x04" + bytes(60))
    report = scan_apk(apk)
    assert not [e for e in report["errors"] if e["stage"] == "dex"], report["errors"]
    assert incomplete(report) is None
    assert not [c for c in report["callsites"] if c["category"] == "imei"]
    assert is_dex_file(b"dex\n035\x00....") and is_dex_file(b"dex\n041\x00")
    assert (
        not is_dex_file(b"dex\n035") and not is_dex_file(b"dey\n035\x00") and not is_dex_file(b"dex\nab5\x00")
    )


def test_own_collector_called_by_constant_reflection_is_a_startup_read() -> None:
    # evasion_reflection.apk: Main.onCreate -> Class.forName("com.appwarden.rules.reflection.Collector")
    # .getMethod("collect", Context).invoke(null, this) -> TelephonyManager.getDeviceId()
    report = scan_apk(APPS / "evasion_reflection.apk")
    assert "pi.device_id.read" in {f["rule_id"] for f in report["findings"]}  # found, but not from start-up
    assert "pi.startup.device_id" in {f["rule_id"] for f in report["findings"]}
