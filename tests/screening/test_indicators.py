"""Screening indicators: the knowledge is schema-checked, and each indicator fires on its firing fixture app and
stays silent on its clean twin (tests/screening/_apps, built from smali by tests/screening/build_all.sh)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.errors import KnowledgeError
from appwarden.evidence import AppInfo, LineageCert, SignerCert, StaticEvidence
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import run_indicator, screen, verdict_for
from appwarden.screening.content import ScreenContext
from appwarden.screening.loader import load_indicators, load_known_apps
from appwarden.screening.model import CATEGORIES, IndicatorSpec

APPS = Path(__file__).resolve().parent / "_apps"
SPECS = load_indicators()


@pytest.fixture(scope="module")
def contexts() -> dict[str, ScreenContext]:
    out = {}
    for apk in sorted(APPS.glob("*.apk")):
        static, opened = _static_stage(apk, DEFAULT_LIMITS)
        out[apk.stem] = ScreenContext(static, opened)
    return out


def test_knowledge_is_complete() -> None:
    assert len(SPECS) >= 20
    assert len({s.id for s in SPECS}) == len(SPECS)
    assert {s.category for s in SPECS} <= set(CATEGORIES)
    for spec in SPECS:
        assert spec.source and spec.description and spec.description_zh
        for name in spec.fixtures["fires"] + spec.fixtures["clean"]:
            assert (APPS / f"{name}.apk").is_file(), f"{spec.id}: fixture {name} missing"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_indicator_fires_on_its_fixture(spec: IndicatorSpec, contexts: dict[str, ScreenContext]) -> None:
    for name in spec.fixtures["fires"]:
        hit = run_indicator(contexts[name], spec)
        assert hit is not None, f"{spec.id} did not fire on {name}"
        assert hit.evidence and all(isinstance(item, dict) for item in hit.evidence)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_indicator_silent_on_clean_twin(spec: IndicatorSpec, contexts: dict[str, ScreenContext]) -> None:
    for name in spec.fixtures["clean"]:
        assert run_indicator(contexts[name], spec) is None, f"{spec.id} fired on clean fixture {name}"


def test_fixture_verdicts(contexts: dict[str, ScreenContext]) -> None:
    bad = screen(contexts["screen_bad"].static, contexts["screen_bad"].apk)
    assert bad.verdict == "harmful" and "sms_fraud" in bad.categories
    clean = screen(contexts["screen_clean"].static, contexts["screen_clean"].apk)
    assert clean.verdict == "none" and clean.hits == [] and clean.categories == []
    # round two: a boot-started background SMS sender whose SP number sits in a bundled config file is harmful;
    # its twin (SMS only from the Activity, a config file with ordinary numbers) stays clean
    bad3 = screen(contexts["screen_bad3"].static, contexts["screen_bad3"].apk)
    assert bad3.verdict == "harmful" and bad3.categories == ["sms_fraud", "dropper", "spyware"]
    assert {h.spec.id for h in bad3.hits} == {
        "sms.background_sender_at_boot",
        "sms.config_premium_number",
        "spyware.boot_device_beacon",
        "dropper.bundled_apk_install",
        "dropper.disguised_payload",
    }
    config = next(h for h in bad3.hits if h.spec.id == "sms.config_premium_number").evidence[0]
    assert config["path"] == "assets/channel.cfg" and config["numbers"] == ["1066123456"]
    clean3 = screen(contexts["screen_clean3"].static, contexts["screen_clean3"].apk)
    assert clean3.verdict == "none" and clean3.hits == []
    # a packer alone is no sign; a packer with system-only permissions is (with those permissions' own weight)
    packed = screen(contexts["screen_packed"].static, contexts["screen_packed"].apk)
    assert packed.verdict == "suspicious" and contexts["screen_packed"].static.app.packer == "qihoo_jiagu"
    packed_clean = screen(contexts["screen_packed_clean"].static, contexts["screen_packed_clean"].apk)
    assert packed_clean.verdict == "none" and packed_clean.hits == []
    assert contexts["screen_packed_clean"].static.app.packer == "qihoo_jiagu"
    fake = screen(contexts["screen_counterfeit"].static, contexts["screen_counterfeit"].apk)
    assert fake.verdict == "harmful" and fake.categories == ["counterfeit"]
    item = fake.hits[0].evidence[0]
    assert item["package"] == "org.thoughtcrime.securesms" and item["signers"] != item["expected_signers"]


def test_premium_number_evidence_names_the_number(contexts: dict[str, ScreenContext]) -> None:
    spec = next(s for s in SPECS if s.id == "sms.premium_number")
    hit = run_indicator(contexts["screen_bad"], spec)
    assert hit is not None and hit.evidence[0]["numbers"] == ["1066185829"]


@pytest.mark.parametrize(
    ("score", "verdict"), [(0, "none"), (39, "none"), (40, "suspicious"), (69, "suspicious"), (70, "harmful")]
)
def test_verdict_thresholds(score: int, verdict: str) -> None:
    assert verdict_for(score) == verdict


def _signal(digest: str, lineage: tuple[str, ...] = ()) -> StaticEvidence:
    signer = SignerCert("CN=x", "CN=x", "01", "", "", digest, "0" * 40)
    app = AppInfo(sha256="0" * 64, package="org.thoughtcrime.securesms", label="Signal", signers=[signer])
    app.signing_lineage = [LineageCert(sha256=d, subject="CN=old") for d in lineage]
    return StaticEvidence(app=app, manifest=None)


def test_counterfeit_accepts_the_real_signer_and_its_lineage() -> None:
    spec = next(s for s in SPECS if s.id == "counterfeit.package_signer")
    real = load_known_apps()[0]["signers"][0]
    assert run_indicator(ScreenContext(_signal(real)), spec) is None
    # a rotated key: the new signer is unknown but the lineage holds the registered certificate
    assert run_indicator(ScreenContext(_signal("ab" * 32, lineage=(real,))), spec) is None
    assert run_indicator(ScreenContext(_signal("ab" * 32)), spec) is not None


def test_known_apps_are_sourced() -> None:
    apps = load_known_apps()
    assert apps and all(a["source"] and (a["signers"] or a["names"]) for a in apps)
    assert sum(1 for a in apps if a["signers"]) >= 5
    assert len({a["package"] for a in apps}) == len(apps)


_GOOD = """
indicators:
- id: x.y
  category: sms_fraud
  weight: 10
  evidence: manifest
  detector: manifest_component
  params: {permission: android.permission.BIND_DEVICE_ADMIN}
  description: d
  description_zh: d
  source: s
  fixtures: {fires: [screen_bad], clean: [screen_clean]}
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("category: sms_fraud", "category: malware", "category"),
        ("weight: 10", "weight: 0", "weight"),
        ("weight: 10", "weight: 'ten'", "weight"),
        ("evidence: manifest", "evidence: vibes", "evidence"),
        ("detector: manifest_component", "detector: nope", "detector"),
        ("params: {permission: android.permission.BIND_DEVICE_ADMIN}", "params: {}", "params"),
        (
            "params: {permission: android.permission.BIND_DEVICE_ADMIN}",
            "params: {permission: android.permission.BIND_DEVICE_ADMIN, kind: [receiver]}",
            "not read by detector",
        ),
        (
            "fixtures: {fires: [screen_bad], clean: [screen_clean]}",
            "fixtures: {fires: [screen_bad]}",
            "fixtures",
        ),
        ("source: s", "source: ''", "missing"),
        ("id: x.y", "id: X", "id"),
    ],
)
def test_loader_rejects_bad_indicators(tmp_path: Path, old: str, new: str, message: str) -> None:
    (tmp_path / "ok.yaml").write_text(_GOOD, encoding="utf-8")
    assert len(load_indicators(tmp_path)) == 1
    (tmp_path / "ok.yaml").write_text(_GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_indicators(tmp_path)


def test_loader_rejects_bad_pattern_and_duplicates(tmp_path: Path) -> None:
    bad = _GOOD.replace(
        "detector: manifest_component\n  params: {permission: android.permission.BIND_DEVICE_ADMIN}",
        "detector: sms_send_number\n  params: {apis: [La;->b], number_patterns: ['(']}",
    )
    (tmp_path / "a.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="bad pattern"):
        load_indicators(tmp_path)
    (tmp_path / "a.yaml").write_text(_GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(_GOOD, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="also defined"):
        load_indicators(tmp_path)


def test_a_failing_detector_is_noted_and_the_others_run(contexts: dict[str, ScreenContext]) -> None:
    broken = IndicatorSpec(
        id="t.broken",
        category="other",
        weight=5,
        evidence="code",
        detector="sms_send_number",
        description="",
        description_zh="",
        source="",
        params={"apis": ["Landroid/telephony/SmsManager;->sendTextMessage"], "number_patterns": ["("]},
    )
    good = next(s for s in SPECS if s.id == "sms.abort_broadcast")
    ctx = contexts["screen_bad"]
    result = screen(ctx.static, ctx.apk, indicators=[broken, good])
    assert [h.spec.id for h in result.hits] == ["sms.abort_broadcast"]
    assert any("t.broken not evaluated" in n for n in result.notes)


def _labelled(label: str, package: str) -> ScreenContext:
    app = AppInfo(sha256="0" * 64, package=package, label=label)
    return ScreenContext(StaticEvidence(app=app, manifest=None))


@pytest.mark.parametrize(
    ("label", "package", "fires"),
    [
        ("中国移动积分兑换", "com.example.points", True),
        ("工商银行安全控件", "com.example.ctrl", True),
        ("中国移动积分兑换", "com.greenpoint.android.mc10086.activity", False),  # the carrier's own app
        ("中国移动云盘", "com.chinamobile.mcloud", False),  # an official sibling, no phishing cue
        ("招商银行", "com.example.cmb", False),  # the exact name is counterfeit.name_imitation's case
        ("积分兑换", "com.example.points", False),  # a cue without a brand
    ],
)
def test_phishing_brand_name(label: str, package: str, fires: bool) -> None:
    spec = next(s for s in SPECS if s.id == "phishing.brand_name")
    assert (run_indicator(_labelled(label, package), spec) is not None) == fires


@pytest.mark.parametrize(
    ("label", "package", "fires"),
    [
        ("微信", "com.example.wx", True),
        ("微信", "com.tencent.mm", False),
        ("微信读书", "com.tencent.weread", False),
    ],
)
def test_name_imitation(label: str, package: str, fires: bool) -> None:
    spec = next(s for s in SPECS if s.id == "counterfeit.name_imitation")
    assert (run_indicator(_labelled(label, package), spec) is not None) == fires


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{package: a.b, source: s}", "signers or names"),
        ("{package: a.b, source: s, names: [x], kind: shop}", "kind"),
        ("{package: a.b, source: s, signers: ['12:34']}", "SHA-256"),
        ("{package: a.b, names: [x]}", "package and source"),
        ("{package: a.b, source: s, names: [x], logo: y}", "unknown keys"),
    ],
)
def test_known_apps_loader_rejects(tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "known_apps.yaml"
    path.write_text(f"apps:\n- {entry}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_known_apps(path)


# --------------------------------------------------------------------------- indicators tuned on the malware set


def test_abort_broadcast_finds_a_receiver_registered_in_code(contexts: dict[str, ScreenContext]) -> None:
    spec = next(s for s in SPECS if s.id == "sms.abort_broadcast")
    # screen_bad: the manifest receiver aborts; screen_bad2: its manifest receiver does not, a receiver registered
    # at run time reads the SMS and aborts
    declared = run_indicator(contexts["screen_bad"], spec)
    assert (
        declared is not None and declared.evidence[0]["component"] == "com.appwarden.screen.bad.SmsReceiver"
    )
    dynamic = run_indicator(contexts["screen_bad2"], spec)
    assert dynamic is not None
    assert [(i["component"], i["registered"]) for i in dynamic.evidence] == [
        ("com.appwarden.screen.bad2.DynSms", "at run time")
    ]
    # without ``dynamic`` the run-time receiver is not looked at
    static_only = IndicatorSpec(**{**_fields(spec), "params": {"min_priority": 1, "abort": True}})
    assert run_indicator(contexts["screen_bad2"], static_only) is None


def _fields(spec: IndicatorSpec) -> dict[str, object]:
    return {f: getattr(spec, f) for f in spec.__dataclass_fields__}


def test_admin_sms_interception_needs_both_components(contexts: dict[str, ScreenContext]) -> None:
    spec = next(s for s in SPECS if s.id == "banker.sms_intercept_admin")
    hit = run_indicator(contexts["screen_bad2"], spec)
    assert hit is not None
    assert [i["component"] for i in hit.evidence] == [
        "com.appwarden.screen.bad2.SmsTap",
        "com.appwarden.screen.bad2.Admin",
    ]
    # screen_clean takes SMS (priority 10) but is no device administrator
    assert run_indicator(contexts["screen_clean"], spec) is None


def test_boot_priority_and_system_permissions_evidence(contexts: dict[str, ScreenContext]) -> None:
    boot = run_indicator(
        contexts["screen_bad2"], next(s for s in SPECS if s.id == "stealth.boot_priority_abuse")
    )
    assert boot is not None and boot.evidence == [
        {
            "component": "com.appwarden.screen.bad2.Boot",
            "kind": "receiver",
            "action": "android.intent.action.BOOT_COMPLETED",
            "priority": 2147483647,
        }
    ]
    perms = run_indicator(
        contexts["screen_bad2"], next(s for s in SPECS if s.id == "dropper.system_permissions")
    )
    assert perms is not None and perms.evidence == [{"permission": "android.permission.INSTALL_PACKAGES"}]


def test_screen_bad2_verdict_and_flash_player_name(contexts: dict[str, ScreenContext]) -> None:
    result = screen(contexts["screen_bad2"].static, contexts["screen_bad2"].apk)
    ids = {h.spec.id for h in result.hits}
    assert "counterfeit.name_imitation" in ids  # "Adobe Flash Player" under another package
    assert result.verdict == "harmful"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"components": [{"action": "a"}]}, "at least two"),
        ({"components": [{"action": "a"}, {"kind": "receiver"}]}, "permission, action or kinds only"),
        ({"components": [{"action": "a"}, {"kinds": ["receiver"]}]}, "permission or action is required"),
    ],
)
def test_manifest_all_params_are_checked(tmp_path: Path, params: dict[str, object], message: str) -> None:
    import yaml

    doc = yaml.safe_load(_GOOD)
    doc["indicators"][0].update({"detector": "manifest_all", "params": params})
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_indicators(tmp_path)


def test_fake_image_asset(contexts: dict[str, ScreenContext]) -> None:
    from appwarden.screening.detectors import _is_image

    spec = next(s for s in SPECS if s.id == "dropper.fake_image_asset")
    hit = run_indicator(contexts["screen_bad2"], spec)
    assert hit is not None and [i["path"] for i in hit.evidence] == ["assets/logo.png"]
    assert _is_image(b"\x89PNG\r\n\x1a\n" + b"\0" * 8) and _is_image(b"\xff\xd8\xff\xe0" + b"\0" * 8)
    assert _is_image(b"RIFF\x10\0\0\0WEBPVP8 ") and not _is_image(b"RIFF\x10\0\0\0WAVEfmt ")
    assert not _is_image(bytes(range(16)))


def test_repackaged_classes(contexts: dict[str, ScreenContext]) -> None:
    spec = next(s for s in SPECS if s.id == "counterfeit.repackaged_classes")
    hit = run_indicator(contexts["screen_repackaged"], spec)
    assert hit is not None
    (item,) = hit.evidence
    assert (item["package"], item["imitates"], item["classes"]) == (
        "com.appwarden.screen.repack",
        "com.whatsapp",
        5,
    )
    assert item["examples"] == [
        "Lcom/whatsapp/Contact;",
        "Lcom/whatsapp/Conversation;",
        "Lcom/whatsapp/Main;",
    ]
    # one class fewer than min_classes: silent
    strict = IndicatorSpec(**{**_fields(spec), "params": {"mode": "classes", "min_classes": 6}})
    assert run_indicator(contexts["screen_repackaged"], strict) is None
    result = screen(contexts["screen_repackaged"].static, contexts["screen_repackaged"].apk)
    assert result.verdict == "suspicious" and result.categories == ["counterfeit"]


def test_encrypted_code_asset_tamper_strings_and_platform_package(contexts: dict[str, ScreenContext]) -> None:
    by_id = {s.id: s for s in SPECS}
    enc = run_indicator(contexts["screen_bad2"], by_id["dropper.encrypted_code_asset"])
    assert enc is not None and [i["path"] for i in enc.evidence] == ["assets/core.jar"]
    tamper = run_indicator(contexts["screen_bad2"], by_id["other.system_partition_tamper"])
    assert tamper is not None and tamper.evidence[0]["string"] == "mount -o remount,rw /system"
    platform = run_indicator(contexts["screen_platform_name"], by_id["counterfeit.platform_package"])
    assert platform is not None
    assert platform.evidence == [{"package": "com.android.systemupdate.helper", "namespace": "com.android."}]
    # weak alone: a platform-namespace package by itself stays below suspicious
    only = screen(contexts["screen_platform_name"].static, contexts["screen_platform_name"].apk)
    assert [h.spec.id for h in only.hits] == ["counterfeit.platform_package"] and only.verdict == "none"


def test_encrypted_code_asset_ignores_packed_apps(contexts: dict[str, ScreenContext]) -> None:
    spec = next(s for s in SPECS if s.id == "dropper.encrypted_code_asset")
    ctx = contexts["screen_bad2"]
    packer = ctx.static.app.packer
    try:
        ctx.static.app.packer = "jiagu"  # a packer's stub keeps its payload encrypted by design
        assert run_indicator(ctx, spec) is None
    finally:
        ctx.static.app.packer = packer


def test_string_needles_are_specific() -> None:
    """Needles match as substrings anywhere in the code's strings: a short one (e.g. "rw", what an unquoted
    ``remount,rw`` in a YAML flow list becomes) would fire on every app."""
    for spec in SPECS:
        if spec.detector == "strings_any":
            assert all(len(n) >= 5 for n in spec.params["needles"]), spec.id


def test_repackaged_classes_ignores_embedded_client_libraries(contexts: dict[str, ScreenContext]) -> None:
    """screen_clean embeds classes under com.android.vending.licensing (as apps using Google's License
    Verification Library do): the Play Store registry entry lists that namespace as a client library."""
    from appwarden.screening.detectors import _registered_classes

    ctx = contexts["screen_clean"]
    assert "Lcom/android/vending/licensing/LicenseChecker;" in ctx.code.classes
    play = next(a for a in load_known_apps() if a["package"] == "com.android.vending")
    params = {"min_classes": 5}
    assert _registered_classes(ctx, [play], params) == []
    without = {**play, "client_libraries": []}
    (item,) = _registered_classes(ctx, [without], params)
    assert item["imitates"] == "com.android.vending" and item["classes"] == 5


# ----------------------------------------------------------------------------- round four: ransomware (issue #23)


def test_file_encryption_follows_one_call_from_the_walker(contexts: dict[str, ScreenContext]) -> None:
    """screen_ransom walks external storage in MainActivity.walk and encrypts/deletes in Crypto.encrypt: neither
    class holds all three behaviours, the walking method reaches them one call away."""
    spec = next(s for s in SPECS if s.id == "ransomware.file_encryption")
    hit = run_indicator(contexts["screen_ransom"], spec)
    assert hit is not None
    item = hit.evidence[0]
    assert item["method"] == "Lcom/appwarden/screen/ransom/MainActivity;->walk(Ljava/io/File;)V"
    assert item["via"] == ["Lcom/appwarden/screen/ransom/Crypto;->encrypt(Ljava/io/File;)V"]
    assert item["with"] == ["Ljava/io/File;->delete()Z", "Ljava/io/File;->listFiles()[Ljava/io/File;"]
    # the clean twin lists and deletes in one method and encrypts in a vault called from another: silent
    assert run_indicator(contexts["screen_ransom_clean"], spec) is None


def test_api_groups_in_one_class_across_methods(contexts: dict[str, ScreenContext]) -> None:
    spec = next(s for s in SPECS if s.id == "ransomware.file_encryption")
    fields = _fields(spec)
    fields["params"] = {
        "groups": [
            ["Landroid/os/Environment;->getExternalStorageDirectory"],
            ["Ljava/io/File;->listFiles"],
        ]
    }
    hit = run_indicator(contexts["screen_ransom"], IndicatorSpec(**fields))
    assert hit is not None
    assert hit.evidence[0]["class"] == "Lcom/appwarden/screen/ransom/MainActivity;"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("{detector_params: 1}", "not read by detector"),
        ("{groups: [[Ljava/io/File;->listFiles]]}", "at least two"),
        ("{groups: [[a], []]}", "non-empty"),
        ("{groups: [[a], [b]], app_any: x}", "app_any"),
    ],
)
def test_loader_rejects_bad_api_groups(tmp_path: Path, params: str, message: str) -> None:
    text = _GOOD.replace("detector: manifest_component", "detector: api_groups_in_class").replace(
        "params: {permission: android.permission.BIND_DEVICE_ADMIN}", f"params: {params}"
    )
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_indicators(tmp_path)


def test_loader_rejects_bad_window_types(tmp_path: Path) -> None:
    text = _GOOD.replace("detector: manifest_component", "detector: api_in_service").replace(
        "params: {permission: android.permission.BIND_DEVICE_ADMIN}",
        "params: {apis: [a], literals_any: [TYPE_PHONE]}",
    )
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="literals_any"):
        load_indicators(tmp_path)


def test_locker_overlay_needs_a_system_window_type(contexts: dict[str, ScreenContext]) -> None:
    spec = next(s for s in SPECS if s.id == "ransomware.locker_overlay")
    hit = run_indicator(contexts["screen_ransom"], spec)
    assert hit is not None and hit.evidence[0]["constants"] == [2010]  # TYPE_SYSTEM_ERROR
    # the clean twin's boot-started service adds a TYPE_TOAST window (2005): not a lock screen
    assert run_indicator(contexts["screen_ransom_clean"], spec) is None
    fields = _fields(spec)
    fields["params"] = {**spec.params, "literals_any": [2005]}
    assert run_indicator(contexts["screen_ransom_clean"], IndicatorSpec(**fields)) is not None


def test_ransom_note_needs_two_strong_phrases(contexts: dict[str, ScreenContext]) -> None:
    spec = next(s for s in SPECS if s.id == "ransomware.ransom_note")
    hit = run_indicator(contexts["screen_ransom"], spec)
    assert hit is not None
    assert {i["term"] for i in hit.evidence if i["strong"]} >= {
        "your files have been encrypted",
        "你的文件已被加密",
    }
    # the clean twin: a wallet app with bitcoin/解锁/decryption key and one lock phrase (1 strong): silent
    assert run_indicator(contexts["screen_ransom_clean"], spec) is None
