"""Hand-made evidence and findings for the report tests (no APK, no corpus: fast and self-contained).

A uniquely named module (not conftest) so test files can import it without clashing with other areas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from appwarden.apk.model import Component, IntentFilter, Manifest, UsesPermission
from appwarden.evidence import (
    AppInfo,
    CallSite,
    ErrorNote,
    Evidence,
    SdkHit,
    SignerCert,
    StaticEvidence,
)
from appwarden.rules.model import Finding, NotEvaluated

SHA = "ab" * 32
CERT_SHA = "cd" * 32
ENGINE = {"name": "appwarden", "version": "0.1.0", "rules_version": "2026.11"}
HOSTILE = '<script>alert(\'x\')</script>&"=HYPERLINK("http://evil")'


@dataclass
class Results:
    """Stands in for rules.engine.RuleResults (same three attributes)."""

    findings: list[Finding] = field(default_factory=list)
    not_evaluated: list[NotEvaluated] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)
    evaluated: list[str] = field(default_factory=list)


def make_evidence(label: str = "测试应用", package: str = "com.example.demo") -> Evidence:
    manifest = Manifest(
        package=package,
        version_code=42,
        version_name="4.2.0",
        min_sdk=21,
        target_sdk=30,
        label=label,
        uses_permissions=[
            UsesPermission("android.permission.READ_PHONE_STATE"),
            UsesPermission("android.permission.INTERNET"),
            UsesPermission("android.permission.ACCESS_FINE_LOCATION"),
            UsesPermission("android.permission.QUERY_ALL_PACKAGES"),
        ],
        components=[
            Component(
                "activity",
                f"{package}.MainActivity",
                exported=True,
                intent_filters=[
                    IntentFilter(
                        actions=["android.intent.action.MAIN"],
                        categories=["android.intent.category.LAUNCHER"],
                    )
                ],
            ),
            Component(
                "receiver",
                "com.umeng.message.BootReceiver",
                exported=True,
                intent_filters=[IntentFilter(actions=["android.intent.action.BOOT_COMPLETED"])],
            ),
            Component("service", f"{package}.Hidden", exported=False),
        ],
        debuggable=True,
        allow_backup=None,
        uses_cleartext_traffic=True,
    )
    app = AppInfo(
        sha256=SHA,
        package=package,
        version_name="4.2.0",
        version_code=42,
        min_sdk=21,
        target_sdk=30,
        label=label,
        signers=[
            SignerCert(
                subject="CN=Demo Dev, O=示例科技有限公司, C=CN",
                issuer="CN=Demo Dev, O=示例科技有限公司, C=CN",
                serial="01",
                not_before="2020-01-01T00:00:00Z",
                not_after="2050-01-01T00:00:00Z",
                sha256=CERT_SHA,
                sha1="ef" * 20,
                schemes=("v1", "v2"),
            )
        ],
        signing_schemes=["v1", "v2"],
        size=123456,
        dex_count=2,
    )
    callsites = [
        CallSite(
            caller=f"L{package.replace('.', '/')}/MainActivity;->onCreate(Landroid/os/Bundle;)V",
            api="Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;",
            category="imei",
            offset=0x1234,
        ),
        CallSite(
            caller="Lcom/umeng/commonsdk/statistics/common/DeviceConfig;->getImei(Landroid/content/Context;)Ljava/lang/String;",
            api="Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;",
            category="imei",
            dex="classes2.dex",
            offset=0x40,
            owner="umeng",
            reachable_from=("Lcom/example/demo/App;->onCreate()V",),
        ),
        CallSite(
            caller="Lcom/umeng/commonsdk/utils/UMUtils;->getMac(Landroid/content/Context;)Ljava/lang/String;",
            api="Landroid/os/Build;->SERIAL:Ljava/lang/String;",
            category="serial",
            kind="field",
            dex="classes2.dex",
            offset=0x80,
            owner="umeng",
        ),
        CallSite(
            caller=f"L{package.replace('.', '/')}/Util;->apps(Landroid/content/Context;)V",
            api="Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;",
            category="app_list",
        ),
    ]
    sdks = [
        SdkHit(
            id="umeng",
            name_zh="友盟统计",
            name_en="Umeng Analytics",
            vendor="友盟同欣（北京）科技有限公司",
            category="analytics",
            version="9.4.0",
            matched=["package:com.umeng", "meta:UMENG_APPKEY"],
            classes=120,
            chinese=True,
            permissions=["android.permission.READ_PHONE_STATE"],
            pi_categories=["imei", "serial"],
            apis=["Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;"],
            reachable=True,
        )
    ]
    static = StaticEvidence(
        app=app,
        manifest=manifest,
        callsites=callsites,
        sdks=sdks,
        packer=None,
        native_libs=["lib/arm64-v8a/libumeng.so"],
        errors=[ErrorNote(stage="dex", message="classes3.dex: bad magic", path="classes3.dex")],
        timings={"apk": 0.12, "dex": 1.5},
    )
    return Evidence(static=static, category="N39-08")


def make_findings(package: str = "com.example.demo") -> list[Finding]:
    pkg = package.replace(".", "/")
    return [
        Finding(
            rule_id="pi.device_id.pre_consent",
            title_zh="在用户同意隐私政策前收集设备标识符",
            title_en="Device identifier collected before consent",
            clauses=["RD-3.1", "M164-1.1"],
            severity="high",
            confidence="confirmed",
            needs_review=False,
            evidence=[
                {
                    "type": "callsite",
                    "caller": "Lcom/umeng/commonsdk/statistics/common/DeviceConfig;->getImei(Landroid/content/Context;)Ljava/lang/String;",
                    "api": "Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;",
                    "category": "imei",
                    "owner": "umeng",
                    "dex": "classes2.dex",
                    "offset": 64,
                    "kind": "invoke",
                },
                {"type": "trace", "ts": 1.25, "event": "api_call", "api": "TelephonyManager.getImei"},
                {
                    "type": "sdk",
                    "id": "umeng",
                    "name_zh": "友盟统计",
                    "name_en": "Umeng Analytics",
                    "vendor": "友盟",
                },
            ],
            remediation_zh="在用户同意隐私政策后再初始化友盟SDK。",
            owner="umeng",
            message_zh="友盟SDK在同意前读取IMEI",
            message_en="Umeng reads the IMEI before consent",
            notice_types=["M337-1"],
        ),
        Finding(
            rule_id="perm.over_scope",
            title_zh="申请与业务功能无关的权限",
            title_en="Permission unrelated to the app's functions",
            clauses=["RD-4.1", "M164-2.1"],
            severity="medium",
            confidence="confirmed",
            needs_review=True,
            evidence=[{"type": "permission", "name": "android.permission.ACCESS_FINE_LOCATION"}],
            owner="host",
            notice_types=["M337-7"],
        ),
        Finding(
            rule_id="policy.sdk_undisclosed",
            title_zh="隐私政策未列明第三方SDK",
            title_en="Third-party SDK not disclosed in the privacy policy",
            clauses=["RD-2.1"],
            severity="medium",
            confidence="possible",
            needs_review=True,
            evidence=[{"type": "policy", "sentence": "我们会收集您的设备信息。", "start": 10, "end": 22}],
            owner="host",
            notice_types=["M26-A"],
        ),
        Finding(
            rule_id="app.self_start",
            title_zh="APP自启动",
            title_en="Self-start on boot",
            clauses=["M164-2.2"],
            severity="low",
            confidence="likely",
            needs_review=False,
            evidence=[
                {
                    "type": "component",
                    "kind": "receiver",
                    "name": "com.umeng.message.BootReceiver",
                    "exported": True,
                    "actions": ["android.intent.action.BOOT_COMPLETED"],
                },
                {
                    "type": "callsite",
                    "caller": f"L{pkg}/Util;->apps(Landroid/content/Context;)V",
                    "api": "Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;",
                    "category": "app_list",
                    "owner": "host",
                    "dex": "classes.dex",
                    "offset": 0,
                    "kind": "invoke",
                },
            ],
            owner="host",
            notice_types=["M164-2.2"],
        ),
    ]


def make_results() -> Results:
    return Results(
        findings=make_findings(),
        not_evaluated=[NotEvaluated("pi.dynamic.frequency", ["dynamic.trace"], "no runtime trace supplied")],
        errors=[ErrorNote(stage="rules", message="predicate x raised ValueError: boom")],
        evaluated=[
            "pi.device_id.pre_consent",
            "perm.over_scope",
            "policy.sdk_undisclosed",
            "app.self_start",
            "sec.ok",
        ],
    )
