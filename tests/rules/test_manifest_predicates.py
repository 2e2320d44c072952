"""Manifest-only predicates on hand-built manifests: the edge cases the fixture APKs do not cover."""

from __future__ import annotations

from appwarden.apk.model import (
    Component,
    IntentFilter,
    Manifest,
    NetworkSecurityConfig,
    NscConfig,
    NscDomain,
    NscTrustAnchor,
    UsesPermission,
)
from appwarden.evidence import AppInfo, Evidence, StaticEvidence
from appwarden.rules.predicates.data_security import exported_unprotected
from appwarden.rules.predicates.manifest_flags import manifest_flag
from appwarden.rules.predicates.permissions import target_sdk_below
from appwarden.rules.predicates.self_start import push_wakeup_components, self_start_receivers


def ev(**kw) -> Evidence:
    return Evidence(static=StaticEvidence(app=AppInfo(sha256="0" * 64, package="p"), manifest=Manifest(**kw)))


def test_cleartext_variants() -> None:
    assert manifest_flag(ev(uses_cleartext_traffic=True, target_sdk=30), {"flag": "cleartext"})
    assert manifest_flag(ev(target_sdk=27), {"flag": "cleartext"})  # platform default allows it
    assert not manifest_flag(ev(target_sdk=28), {"flag": "cleartext"})
    assert not manifest_flag(ev(target_sdk=27, network_security_config="@xml/nsc"), {"flag": "cleartext"})
    assert not manifest_flag(ev(uses_cleartext_traffic=False, target_sdk=22), {"flag": "cleartext"})


def _nsc(
    base: NscConfig | None = None, *domains: NscConfig, debug: NscConfig | None = None
) -> NetworkSecurityConfig:
    return NetworkSecurityConfig("res/xml/nsc.xml", base, list(domains), debug)


def _dc(*names: str, cleartext: bool | None = None, parent: int | None = None, **kw) -> NscConfig:
    return NscConfig("domain-config", cleartext, domains=[NscDomain(n) for n in names], parent=parent, **kw)


def test_cleartext_nsc_defaults_follow_target_sdk_not_the_attribute() -> None:
    bare = _nsc(NscConfig("base-config"))
    (hit,) = manifest_flag(ev(target_sdk=27, network_security=bare), {"flag": "cleartext"})
    assert hit.evidence[0]["value"] == "absent, targetSdkVersion 27 < 28 (default true)"
    assert not manifest_flag(
        ev(target_sdk=28, uses_cleartext_traffic=True, network_security=bare), {"flag": "cleartext"}
    )
    # no targetSdk: minSdk applies
    (hit,) = manifest_flag(ev(min_sdk=21, network_security=_nsc()), {"flag": "cleartext"})
    assert hit.evidence[0]["value"].startswith("no base-config, targetSdkVersion 21")


def test_cleartext_nsc_reports_permitting_domain_configs_only() -> None:
    cfg = _nsc(
        NscConfig("base-config", False),
        _dc("a.cn"),  # inherits base: not reported
        _dc("b.cn", cleartext=True),
        _dc("c.b.cn", parent=1),  # inherits b.cn's true
        _dc("d.b.cn", cleartext=False, parent=1),
        _dc("e.cn", cleartext=True, cleartext_raw="@bool/x"),
    )
    (hit,) = manifest_flag(ev(target_sdk=30, network_security=cfg), {"flag": "cleartext"})
    assert [(i["domains"], i["value"]) for i in hit.evidence] == [
        (["b.cn"], "true"),
        (["c.b.cn"], "true (inherited from the enclosing domain-config, line 0)"),
        (["e.cn"], "@bool/x (not a compiled boolean: Android reads the default, true)"),
    ]
    assert "b.cn; c.b.cn; e.cn" in hit.message_en


def test_cleartext_unreadable_nsc_falls_back_to_the_attribute() -> None:
    (hit,) = manifest_flag(
        ev(uses_cleartext_traffic=True, network_security_config="res/xml/nsc.xml"), {"flag": "cleartext"}
    )
    assert "could not be read" in hit.evidence[0]["note"]


def test_cleartext_evidence_is_bounded() -> None:
    many = [_dc(*(f"h{i}-{j}.cn" for j in range(30)), cleartext=True) for i in range(80)]
    (hit,) = manifest_flag(ev(target_sdk=30, network_security=_nsc(None, *many)), {"flag": "cleartext"})
    assert len(hit.evidence) == 50  # no base item: targetSdk 30
    assert hit.evidence[0]["domains"][-1] == "... 10 more"


def test_user_ca_explicit_and_debug_overrides() -> None:
    user = [NscTrustAnchor("system"), NscTrustAnchor("user")]
    debug = NscConfig("debug-overrides", trust_anchors=[NscTrustAnchor("user", override_pins=True)])
    assert not manifest_flag(
        ev(network_security=_nsc(NscConfig("base-config"), debug=debug)), {"flag": "user_ca"}
    )
    (hit,) = manifest_flag(
        ev(debuggable=True, network_security=_nsc(NscConfig("base-config"), debug=debug)), {"flag": "user_ca"}
    )
    assert [i["attribute"] for i in hit.evidence] == [
        "network-security-config debug-overrides trust-anchors certificates src"
    ]
    cfg = _nsc(
        NscConfig("base-config", trust_anchors=[NscTrustAnchor("system")]), _dc("x.cn", trust_anchors=user)
    )
    (hit,) = manifest_flag(ev(network_security=cfg), {"flag": "user_ca"})
    assert [i.get("domains") for i in hit.evidence] == [["x.cn"]] and "note" not in hit.evidence[0]
    # the implicit trust of apps targeting API <= 23 is not reported
    assert not manifest_flag(ev(target_sdk=23), {"flag": "user_ca"})


def test_allow_backup_absent_can_be_ignored() -> None:
    assert manifest_flag(ev(), {"flag": "allow_backup"})
    assert not manifest_flag(ev(), {"flag": "allow_backup", "absent_counts": False})
    assert not manifest_flag(ev(allow_backup=False), {"flag": "allow_backup"})


def test_exported_unprotected_skips_protected_and_launcher() -> None:
    main = IntentFilter(
        actions=["android.intent.action.MAIN"], categories=["android.intent.category.LAUNCHER"]
    )
    comps = [
        Component("activity", "p.Main", exported=True, intent_filters=[main]),
        Component("provider", "p.Guarded", exported=True, read_permission="p.READ"),
        Component("provider", "p.Open", exported=True, authorities=["p.open"]),
        Component("provider", "p.Off", exported=True, enabled=False),
        Component("service", "p.Svc", exported=True, permission="p.BIND"),
    ]
    hits = exported_unprotected(ev(components=comps), {"kinds": ["provider", "service", "activity"]})
    assert [i["name"] for h in hits for i in h.evidence] == ["p.Open"]


def test_self_start_ignores_disabled_and_other_actions() -> None:
    boot = IntentFilter(actions=["android.intent.action.BOOT_COMPLETED"])
    other = IntentFilter(actions=["p.CUSTOM"])
    comps = [
        Component("receiver", "p.Boot", exported=False, intent_filters=[boot]),
        Component("receiver", "p.Off", enabled=False, intent_filters=[boot]),
        Component("receiver", "p.Custom", exported=True, intent_filters=[other]),
    ]
    hits = self_start_receivers(ev(components=comps), {})
    assert [i["name"] for h in hits for i in h.evidence] == ["p.Boot"]


def test_target_sdk_needs_dangerous_permissions() -> None:
    perms = [UsesPermission("android.permission.INTERNET")]
    assert not target_sdk_below(ev(target_sdk=22, uses_permissions=perms), {})
    perms.append(UsesPermission("android.permission.CAMERA"))
    hits = target_sdk_below(ev(target_sdk=22, uses_permissions=perms), {})
    assert [i.get("name") for i in hits[0].evidence] == [None, "android.permission.CAMERA"]
    assert not target_sdk_below(ev(target_sdk=23, uses_permissions=perms), {})
    assert target_sdk_below(ev(min_sdk=19, uses_permissions=perms), {})  # no targetSdk: minSdk applies


def test_unused_dangerous_ignores_write_and_broadcast_permissions() -> None:
    from appwarden.evidence import CallSite
    from appwarden.rules.predicates.permissions import dangerous_permission_unused

    perms = [
        UsesPermission(f"android.permission.{p}")
        for p in ("SEND_SMS", "RECEIVE_SMS", "READ_CONTACTS", "CAMERA")
    ]
    e = ev(uses_permissions=perms)
    e.static.callsites = [
        CallSite("Lp/A;->a()V", "Landroid/hardware/Camera;->open()Landroid/hardware/Camera;", "camera")
    ]
    hits = dangerous_permission_unused(e, {})
    assert [i["name"] for i in hits[0].evidence] == ["android.permission.READ_CONTACTS"]


def test_query_all_packages_alone_says_no_call_site_was_found() -> None:
    """The permission-only host finding sits under the title 读取软件安装列表: its message must say that no reading
    code was found, not read as if the app reads the list (report audit)."""
    from appwarden.rules.predicates.pi_collection import pi_callsites

    evidence = ev(uses_permissions=[UsesPermission("android.permission.QUERY_ALL_PACKAGES")])
    params = {
        "categories": ["app_list"],
        "manifest_permissions": ["android.permission.QUERY_ALL_PACKAGES"],
        "permission_alone": True,
    }
    (hit,) = pi_callsites(evidence, params)
    assert hit.owner == "host" and hit.confidence == "possible"
    assert "QUERY_ALL_PACKAGES" in hit.message_zh
    assert "未发现" in hit.message_zh and "需人工确认" in hit.message_zh


def test_reflection_alone_is_not_pi_use_of_an_undisclosed_library() -> None:
    """``runtime_evasion`` call sites (Class.forName / Method.invoke) are not PI: a general-purpose library (KB
    category other) with only those is no PI-sharing third party, and an SDK whose only 'PI' is reflection is not
    reported at the PI-using severity (report audit: MobPush__demo with a policy got a medium/likely
    'Google Play服务基础库 not disclosed' from seven reflection calls)."""
    from appwarden.evidence import SdkHit
    from appwarden.policy.model import PolicyEvidence
    from appwarden.rules.predicates.policy_consistency import check_policy_sdk_undisclosed

    def hit(sdk_id: str, category: str, cats: list[str]) -> SdkHit:
        return SdkHit(sdk_id, sdk_id, sdk_id, "Vendor", category, pi_categories=cats)

    evidence = Evidence(
        static=StaticEvidence(
            app=AppInfo(sha256="0" * 64, package="p"),
            manifest=Manifest(),
            sdks=[
                hit("google_play_services", "other", ["runtime_evasion"]),
                hit("tencent_tinker", "hotfix", ["runtime_evasion"]),
                hit("umeng_common", "analytics", ["imei", "runtime_evasion"]),
            ],
        ),
        policy=PolicyEvidence(source="policy.txt", text="本隐私政策说明我们如何收集个人信息。"),
    )
    found = {h.owner: (h.severity, h.confidence) for h in check_policy_sdk_undisclosed(evidence, {})}
    assert "google_play_services" not in found
    assert found["tencent_tinker"] == ("low", "possible")
    assert found["umeng_common"] == (None, None)  # the rule's medium / likely


def test_undeclared_app_list_counts_only_calls_that_read_the_list() -> None:
    """policy.pi.undeclared used every ``app_list`` call site, including the ones pi.app_list.read itself excludes
    because they return the app's own data: android.support's getPackagesForUid and its side-channel
    queryIntentServices, Tinker's getRunningAppProcesses. UmengDemo and xgdemo3 with a policy got a high
    'App自身使用了隐私政策未声明的个人信息：软件安装列表' from them (report audit)."""
    from appwarden.evidence import CallSite
    from appwarden.policy.model import PolicyEvidence
    from appwarden.rules.loader import load_rules
    from appwarden.rules.predicates.policy_consistency import check_policy_pi_undeclared

    def site(caller: str, api: str, owner: str = "host") -> CallSite:
        return CallSite(caller, api, "app_list", owner=owner, reachable_from=("Lp/Main;->onCreate()V",))

    pm = "Landroid/content/pm/PackageManager;->"
    own = [
        site("Landroid/support/v4/app/NotificationCompatSideChannelService;->checkPermission(II)V",
             f"{pm}getPackagesForUid(I)[Ljava/lang/String;"),
        site("Landroid/support/v4/app/NotificationManagerCompat$SideChannelManager;->update()V",
             f"{pm}queryIntentServices(Landroid/content/Intent;I)Ljava/util/List;"),
        site("Lcom/tencent/tinker/loader/shareutil/ShareTinkerInternals;->getProcessName()V",
             "Landroid/app/ActivityManager;->getRunningAppProcesses()Ljava/util/List;", "tencent_tinker"),
    ]  # fmt: skip
    reads = site("Lp/Apps;->list()V", f"{pm}getInstalledPackages(I)Ljava/util/List;")

    def run(callsites: list[CallSite]) -> dict[str, list[str]]:
        evidence = Evidence(
            static=StaticEvidence(
                app=AppInfo(sha256="0" * 64, package="p"), manifest=Manifest(), callsites=callsites
            ),
            policy=PolicyEvidence(source="policy.txt", text="本隐私政策说明我们如何收集个人信息。"),
        )
        (rule,) = [r for r in load_rules() if r.id == "policy.pi.undeclared"]
        return {
            h.owner: [e.get("api") for e in h.evidence if e.get("type") == "callsite"]
            for h in check_policy_pi_undeclared(evidence, dict(rule.params))
        }

    assert run(own) == {}
    assert run([*own, reads]) == {"host": [reads.api]}


def test_push_wakeup_leaves_out_channels_the_phone_maker_or_google_wakes() -> None:
    """selfstart.push_wakeup says '可被同一推送联盟的应用关联唤醒' (other apps wake this one). A vendor channel's
    receiver (华为/小米/魅族/vivo/OPPO/荣耀 push, FCM) is woken by the phone maker's or Google's push service, the
    sanctioned way to deliver pushes: XPush, MobPush and the FCM apps of the corpus were told they allow 关联启动 for
    them (report audit). An alliance SDK's own components still fire, and a vendor-channel receiver inside such an SDK
    does not count towards it."""
    from appwarden.rules.loader import load_rules

    def comp(kind: str, name: str, *actions: str) -> Component:
        return Component(kind, name, exported=True, intent_filters=[IntentFilter(actions=list(actions))])

    evidence = ev(
        components=[
            comp("receiver", "com.huawei.hms.support.api.push.PushEventReceiver", "com.huawei.intent.action.PUSH"),
            comp("receiver", "com.xiaomi.push.service.receivers.NetworkStatusReceiver",
                 "android.net.conn.CONNECTIVITY_CHANGE"),
            comp("service", "com.google.firebase.iid.FirebaseInstanceIdService", "com.google.firebase.INSTANCE_ID_EVENT"),
            comp("receiver", "com.mob.pushsdk.plugins.xiaomi.PushXiaoMiRevicer", "com.xiaomi.mipush.RECEIVE_MESSAGE"),
            comp("receiver", "com.mob.pushsdk.plugins.huawei.PushHaiWeiRevicer", "com.huawei.android.push.intent.RECEIVE"),
            comp("service", "com.mob.pushsdk.MobService", "com.mob.intent.MOB_SERVICE"),
            comp("service", "com.igexin.sdk.PushService", "com.igexin.sdk.action.service.message"),
        ]
    )  # fmt: skip
    (rule,) = [r for r in load_rules() if r.id == "selfstart.push_wakeup"]
    hits = {
        h.owner: [e["name"] for e in h.evidence] for h in push_wakeup_components(evidence, dict(rule.params))
    }
    assert hits == {"mob_push": ["com.mob.pushsdk.MobService"], "getui_push": ["com.igexin.sdk.PushService"]}
