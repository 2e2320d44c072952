"""Manifest model: fixture APKs against their committed sources, and the exported/name-expansion rules."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from appwarden.apk.archive import ZipArchive
from appwarden.apk.arsc import ResourceTable
from appwarden.apk.manifest import parse_manifest, protection_level_name
from appwarden.errors import AxmlFormatError

from .apk_zipbuild import Attr, Node, a, build_axml, manifest_node

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
SOURCES = FIXTURES / "src"


def load(name: str):
    z = ZipArchive((FIXTURES / name).read_bytes())
    res = ResourceTable(z.read("resources.arsc")) if "resources.arsc" in z else None
    return parse_manifest(z.read("AndroidManifest.xml"), res)


def source_permissions(src: str) -> list[str]:
    text = (SOURCES / src / "AndroidManifest.xml").read_text(encoding="utf-8")
    return re.findall(r'<uses-permission android:name="([^"]+)"', text)


def test_pi_all_manifest() -> None:
    m = load("pi_all.apk")
    assert m.package == "com.appwarden.fixture.pi"
    assert (m.version_code, m.version_name, m.min_sdk, m.target_sdk) == (7, "1.7", 21, 30)
    assert m.permissions == source_permissions("pi_all")
    wes = next(p for p in m.uses_permissions if p.name.endswith("WRITE_EXTERNAL_STORAGE"))
    assert wes.max_sdk == 28
    assert m.label == "PI 全类别 Fixture"
    assert m.application_class == "com.appwarden.fixture.pi.App"
    assert m.debuggable is True and m.allow_backup is True and m.uses_cleartext_traffic is True
    assert m.meta_data["UMENG_APPKEY"] == "5f0000000000000000000001"
    assert m.meta_data["JPUSH_APPKEY"] == "0123456789abcdef01234567"
    assert [(p.name, p.protection_level) for p in m.declared_permissions] == [
        ("com.appwarden.fixture.pi.permission.DATA", "signature")
    ]
    assert m.has_queries and m.queries_packages == ["com.tencent.mm"]
    assert m.queries_intents[0].actions == ["android.intent.action.VIEW"]
    assert m.queries_intents[0].data == [{"scheme": "https"}]


def test_pi_all_components() -> None:
    m = load("pi_all.apk")
    by_name = {c.name: c for c in m.components}
    main = by_name["com.appwarden.fixture.pi.MainActivity"]
    assert main.kind == "activity" and main.exported and main.exported_explicit is True
    assert main.intent_filters[0].categories == ["android.intent.category.LAUNCHER"]
    assert by_name["com.appwarden.fixture.pi.PrivacyActivity"].exported is False
    boot = by_name["com.appwarden.fixture.pi.BootReceiver"]
    assert boot.kind == "receiver" and boot.exported
    assert "android.intent.action.BOOT_COMPLETED" in boot.actions
    svc = by_name["cn.jpush.android.service.PushService"]
    assert svc.kind == "service" and not svc.exported
    prov = by_name["com.appwarden.fixture.pi.DataProvider"]
    assert prov.kind == "provider" and prov.exported and prov.authorities == ["com.appwarden.fixture.pi.data"]
    assert {c.name for c in m.exported_components} == {
        "com.appwarden.fixture.pi.MainActivity",
        "com.appwarden.fixture.pi.BootReceiver",
        "com.appwarden.fixture.pi.DataProvider",
    }
    assert m.to_json()["permissions"] == m.permissions


def test_multidex_implicit_export() -> None:
    m = load("multidex.apk")
    (main,) = m.components
    assert main.name == "com.appwarden.fixture.multidex.Main"  # ".Main" expanded
    assert main.exported_explicit is None and main.exported is True  # intent filter, pre-31 rule
    assert m.label == "Multidex Fixture"


@pytest.mark.skipif(shutil.which("aapt") is None, reason="aapt not installed")
@pytest.mark.parametrize("name", ["pi_all.apk", "multidex.apk", "v1_only.apk"])
def test_fixture_matches_aapt_badging(name: str) -> None:
    out = subprocess.run(
        ["aapt", "dump", "badging", str(FIXTURES / name)], capture_output=True, text=True, check=True
    ).stdout
    m = load(name)
    pkg = re.search(r"package: name='([^']+)' versionCode='(\d+)' versionName='([^']*)'", out)
    assert (m.package, str(m.version_code), m.version_name) == pkg.groups()
    assert str(m.target_sdk) == re.search(r"targetSdkVersion:'(\d+)'", out).group(1)
    assert m.permissions == re.findall(r"uses-permission: name='([^']+)'", out)
    label = re.search(r"application-label:'([^']*)'", out)  # aapt omits it for APKs without resources.arsc
    if label:
        assert m.label == label.group(1)
    else:
        assert "resources.arsc" not in ZipArchive((FIXTURES / name).read_bytes())


def _component_manifest(target: int | None, *components: Node) -> bytes:
    return build_axml(manifest_node("com.ex", Node("application", [], list(components)), target=target))


def test_provider_default_export_depends_on_target_sdk() -> None:
    prov = Node("provider", [a("name", "Prov"), a("authorities", "com.ex.a;com.ex.b")])
    old = parse_manifest(_component_manifest(16, prov))
    new = parse_manifest(_component_manifest(17, prov))
    assert old.components[0].exported is True
    assert new.components[0].exported is False
    assert old.components[0].name == "com.ex.Prov"  # bare name gets the package
    assert old.components[0].authorities == ["com.ex.a", "com.ex.b"]


def test_target_defaults_to_min_sdk() -> None:
    prov = Node("provider", [a("name", ".P"), a("authorities", "x")])
    m = parse_manifest(_component_manifest(None, prov))
    assert m.target_sdk is None and m.min_sdk == 15 and m.effective_target_sdk == 15
    assert m.components[0].exported is True  # min 15 < 17


def test_explicit_export_wins_and_intent_filter_rule() -> None:
    f = Node("intent-filter", [], [Node("action", [a("name", "x.y.ACTION")])])
    comps = [
        Node("service", [a("name", "a.b.S1")], [f]),
        Node("service", [a("name", "a.b.S2"), a("exported", False)], [f]),
        Node("receiver", [a("name", "a.b.R"), a("enabled", False), a("exported", True)]),
        Node("activity", [a("name", "a.b.A")]),
    ]
    m = parse_manifest(_component_manifest(31, *comps))
    exp = {c.name: (c.exported, c.exported_explicit, c.enabled) for c in m.components}
    assert exp == {
        "a.b.S1": (True, None, True),
        "a.b.S2": (False, False, True),
        "a.b.R": (True, True, False),
        "a.b.A": (False, None, True),
    }
    assert [c.name for c in m.exported_components] == ["a.b.S1"]  # disabled receiver excluded
    assert any("Android 12+" in n for n in m.notes)


def test_obfuscated_attribute_names() -> None:
    # names in the string pool blanked: the package parser reads by resource ID
    root = Node(
        "manifest",
        [Attr("", 9, res_id=0x0101021B), Attr("package", "com.obf", ns=None)],
        [Node("uses-permission", [Attr("", "android.permission.CAMERA", res_id=0x01010003)])],
    )
    m = parse_manifest(build_axml(root))
    assert m.version_code == 9 and m.permissions == ["android.permission.CAMERA"]


def test_not_a_manifest_root() -> None:
    with pytest.raises(AxmlFormatError, match="not <manifest>"):
        parse_manifest(build_axml(Node("resources")))


def test_protection_level_names() -> None:
    assert protection_level_name(0) == "normal"
    assert protection_level_name(1) == "dangerous"
    assert protection_level_name(0x12) == "signature|privileged"


def test_sdk_codename_counts_as_development_level() -> None:
    root = Node(
        "manifest",
        [Attr("package", "p.q", ns=None)],
        [Node("uses-sdk", [a("minSdkVersion", "Q"), a("targetSdkVersion", "33")])],
    )
    m = parse_manifest(build_axml(root))
    assert (m.min_sdk, m.target_sdk) == (10000, 33)  # a numeric string is just a number
    assert any("codename 'Q'" in n for n in m.notes)
