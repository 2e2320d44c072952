"""Issue #16 part 4 through the real pipeline (``build_evidence`` + rules) on ``_apps/libcode.apk``: platform-library
code (androidx, kotlin, Material) calling PI APIs with arguments the app passes in is not PI evidence; a library call
with a resolved argument is; ``Cipher.getInstance("AES")`` is ECB mode, not "weak AES"."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from appwarden.dex.api_index import is_platform_library
from appwarden.evidence import Evidence
from appwarden.rules.engine import evaluate_rule
from appwarden.rules.loader import load_rules

HERE = Path(__file__).resolve().parent
APK = HERE / "_apps" / "libcode.apk"
MINIMAL_POLICY = HERE.parent / "fixtures" / "policies" / "minimal_policy.txt"
RULES = {r.id: r for r in load_rules()}
MATERIAL = (
    "Lcom/google/android/material/color/DeviceKey;->id(Landroid/content/ContentResolver;)Ljava/lang/String;"
)


@lru_cache(maxsize=2)
def _evidence(policy: str | None = None) -> Evidence:
    from appwarden.scan import build_evidence

    return build_evidence(APK, policy_path=policy)


def test_package_boundary() -> None:
    assert is_platform_library("Landroidx/core/view/DisplayCompat;->getSystemProperty(Ljava/lang/String;)V")
    assert is_platform_library("Landroid/support/v4/content/CursorLoader;")
    assert is_platform_library("Lkotlin/jvm/internal/Reflection;") and is_platform_library("Lkotlinx/a/B;")
    assert is_platform_library("Lcom/google/android/material/color/DeviceKey;")
    assert not is_platform_library("Landroidxtra/probe/Probe;")
    assert not is_platform_library("Lcom/google/android/gms/ads/identifier/AdvertisingIdClient;")
    assert not is_platform_library("Lkotlinextra/A;")


def test_library_calls_with_unresolved_arguments_are_not_callsites() -> None:
    sites = _evidence().static.callsites
    library = [s for s in sites if is_platform_library(s.caller)]
    # the only library evidence left: the Material call whose key resolves to "android_id" (invoke + the string)
    assert library and all(s.caller == MATERIAL and s.category == "android_id" for s in library)
    assert any(s.kind == "invoke" and s.arg == "android_id" and not s.unresolved for s in library)
    # no contacts / serial / 规避检测 from androidx or kotlin, no clipboard from androidx's paste menu item
    assert not [
        s
        for s in sites
        if s.category in ("contacts", "serial", "runtime_evasion", "clipboard") and not s.unresolved
    ]
    # androidxtra.* is outside the androidx boundary: its unresolved query is kept, marked unresolved
    probe = [s for s in sites if s.caller.startswith("Landroidxtra/")]
    assert [(s.category, s.unresolved) for s in probe] == [("contacts", True)]


def test_device_id_rule_ignores_library_reflection() -> None:
    results = evaluate_rule(_evidence(), RULES["pi.device_id.read"])
    assert results.errors == []
    assert results.findings == []


def test_policy_undeclared_names_only_the_resolved_library_read() -> None:
    findings = evaluate_rule(_evidence(str(MINIMAL_POLICY)), RULES["policy.pi.undeclared"]).findings
    host = [f for f in findings if f.owner == "host"]
    assert len(host) == 1
    f = host[0]
    assert f.confidence == "likely"
    assert "通讯录" not in f.message_zh and "序列号" not in f.message_zh and "剪切板" not in f.message_zh
    callsites = [e for e in f.evidence if e["type"] == "callsite"]
    assert callsites and all(e["caller"] == MATERIAL for e in callsites)
    absence = [e for e in f.evidence if e["type"] == "policy"]
    assert absence[0]["categories"] == ["android_id"]


def test_bare_aes_is_reported_as_ecb_mode() -> None:
    findings = evaluate_rule(_evidence(), RULES["sec.weak_cipher"]).findings
    assert len(findings) == 1
    f = findings[0]
    assert [e["caller"].split("->")[1] for e in f.evidence] == ["bareAes()Ljavax/crypto/Cipher;"]
    assert "ECB" in f.message_zh and "ECB mode" in f.message_en
    assert "弱加密/摘要算法AES" not in f.message_zh and "weak algorithms AES" not in f.message_en


def test_weak_cipher_strings_judge_the_transformation_not_the_key_name() -> None:
    from appwarden.rules.predicates.data_security import WEAK_CIPHERS, _weak_strings, cipher_weakness

    weak = {a.upper() for a in WEAK_CIPHERS}
    assert _weak_strings(["AES"], weak, True) == ["AES"]
    assert _weak_strings(["AES", "AES/CBC/PKCS5Padding", "/sdcard/x"], weak, True) == []
    assert _weak_strings(["AES", "AES/GCM/NoPadding"], weak, True) == []
    assert _weak_strings(["AES", "http://a/b"], weak, True) == ["AES"]  # a URL is not a transformation
    assert _weak_strings(["DES", "DES/ECB/NoPadding"], weak, True) == ["DES/ECB/NoPadding"]
    assert _weak_strings(["RSA/ECB/PKCS1Padding"], weak, True) == []
    assert cipher_weakness("AES")[1].startswith("ECB mode")
    assert cipher_weakness("DESede/CBC/PKCS5Padding")[0].startswith("3DES")
    assert cipher_weakness("RSA/ECB/NoPadding")[1] == "RSA without padding (textbook RSA)"


def test_policy_undeclared_keeps_an_sdk_unresolved_read_the_sdk_documents_at_possible() -> None:
    # JPush computes the settings key at run time; its knowledge-base record (vendor documentation) lists android_id
    # but not contacts: the Android ID is named, at possible (an unresolved site never makes a finding likely)
    findings = evaluate_rule(_evidence(str(MINIMAL_POLICY)), RULES["policy.pi.undeclared"]).findings
    jpush = [f for f in findings if f.owner == "jpush"]
    assert len(jpush) == 1 and jpush[0].confidence == "possible"
    absence = [e for e in jpush[0].evidence if e["type"] == "policy"]
    assert absence[0]["categories"] == ["android_id"]
    sites = [e for e in jpush[0].evidence if e["type"] == "callsite"]
    assert sites and all(e["unresolved"] and e["category"] == "android_id" for e in sites)
