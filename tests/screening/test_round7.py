"""Round seven of the screening (issue #23): fewer false alarms on real store apps, tuned on the second store set
(benign_store2, so not blind), each rule general (no app names).

* A tool-like behaviour alone is "review this app", never "harmful": the accessibility cluster of an auto-clicker
  (service, window reads, clicks, event text) and the system-tool cluster of a root/ADB tool (``/system`` remount,
  system-only permissions, an executable in assets, installing APKs) each count at most ``group_cap`` (50) unless a
  fired indicator outside the group weighs ``SECOND_SIGN_WEIGHT`` (20) or more (SMS interception, an overlay, icon
  hiding, a data leak ...).
* WRITE_SECURE_SETTINGS (a ``development`` permission the user grants over ADB) is no system-partition sign in an app
  that declares Shizuku's provider (the user grants it through Shizuku, started over ADB).
* A boot-started service's system-type window counts as a lock screen only if it may cover the screen: a window the
  calling method builds with a fixed width or height (a 0 x 0 key catcher, a floating button) does not.

``screen_r7`` does each the harmful way; ``screen_r7_clicker`` (an online auto-clicker with Shizuku and a
self-update) and ``screen_r7_root`` (a root tool with busybox and a 0 x 0 home-key window) are the near misses
(tests/screening/_apps/src, our own smali)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from appwarden.errors import KnowledgeError
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import run_indicator, screen
from appwarden.screening.behaviour import sized_windows_only
from appwarden.screening.content import ScreenContext
from appwarden.screening.loader import load_indicators
from appwarden.screening.model import (
    SECOND_SIGN_WEIGHT,
    IndicatorHit,
    IndicatorSpec,
    cap_notes,
    capped_groups,
    capped_score,
)

APPS = Path(__file__).resolve().parent / "_apps"
SPECS = {s.id: s for s in load_indicators()}
NAMES = ("screen_r7", "screen_r7_clicker", "screen_r7_root")


@pytest.fixture(scope="module")
def r7() -> dict[str, Any]:
    out = {}
    for name in NAMES:
        static, opened = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
        out[name] = (static, opened, ScreenContext(static, opened))
    return out


def _without(spec: IndicatorSpec, *params: str) -> IndicatorSpec:
    fields: dict[str, Any] = {f: getattr(spec, f) for f in spec.__dataclass_fields__}
    fields["params"] = {k: v for k, v in spec.params.items() if k not in params}
    return IndicatorSpec(**fields)


def _fired(result: Any) -> set[str]:
    return {h.spec.id for h in result.hits}


def test_round7_verdicts(r7: dict[str, Any]) -> None:
    bad = screen(r7["screen_r7"][0], r7["screen_r7"][1])
    assert bad.verdict == "harmful" and bad.score == 100
    assert {
        "dropper.system_permissions",
        "ransomware.locker_overlay",
        "other.system_partition_tamper",
    } <= _fired(bad)
    assert not capped_groups(bad.hits), "each group is the other's second sign: nothing capped"
    assert not any(n.startswith("group ") for n in bad.to_json()["notes"])

    clicker = screen(r7["screen_r7_clicker"][0], r7["screen_r7_clicker"][1])
    assert _fired(clicker) == {
        "accessibility.service",
        "accessibility.read_windows",
        "accessibility.auto_click",
        "accessibility.text_capture",
        "dropper.install_apk",
    }
    assert sum(h.spec.weight for h in clicker.hits) == 75  # was harmful before round seven
    assert (clicker.verdict, clicker.score) == ("suspicious", 65)  # 60 capped to 50, + 15
    assert capped_groups(clicker.hits) == {"accessibility_tool": (60, 50)}
    assert any("accessibility_tool" in n and "60" in n for n in clicker.to_json()["notes"])

    root = screen(r7["screen_r7_root"][0], r7["screen_r7_root"][1])
    assert _fired(root) == {
        "other.system_partition_tamper",
        "dropper.disguised_payload",
        "dropper.system_permissions",
    }
    assert (root.verdict, root.score) == ("suspicious", 50)  # 100 capped to 50
    assert capped_groups(root.hits) == {"system_tool": (100, 50)}


def test_shizuku_provider_lifts_write_secure_settings(r7: dict[str, Any]) -> None:
    spec = SPECS["dropper.system_permissions"]
    assert run_indicator(r7["screen_r7"][2], spec) is not None  # WRITE_SECURE_SETTINGS, no Shizuku
    assert run_indicator(r7["screen_r7_clicker"][2], spec) is None  # the same permission, Shizuku provider
    plain = _without(spec, "adb_grantable", "adb_grant_providers")
    hit = run_indicator(r7["screen_r7_clicker"][2], plain)
    assert hit is not None and hit.evidence == [{"permission": "android.permission.WRITE_SECURE_SETTINGS"}]
    # INSTALL_PACKAGES is not grantable over ADB: it counts whatever the app declares
    assert run_indicator(r7["screen_r7_root"][2], spec).evidence == [
        {"permission": "android.permission.INSTALL_PACKAGES"}
    ]


def test_sized_window_is_no_lock_screen(r7: dict[str, Any]) -> None:
    spec = SPECS["ransomware.locker_overlay"]
    hit = run_indicator(r7["screen_r7"][2], spec)
    assert hit is not None
    assert {e["caller"].split("/")[-1] for e in hit.evidence} == {
        "LockService;->onCreate()V",  # MATCH_PARENT
        "FloatService;->onCreate()V",  # WRAP_CONTENT: its content may fill the screen
        "FloatService;->show(Z)V",  # 1 x 1 on one branch, MATCH_PARENT on the other
    }
    assert run_indicator(r7["screen_r7_root"][2], spec) is None  # 0 x 0 window
    raw = run_indicator(r7["screen_r7_root"][2], _without(spec, "skip_sized_windows"))
    assert raw is not None and raw.evidence[0]["constants"] == [2006]
    ctx = r7["screen_r7_root"][2]
    assert sized_windows_only(ctx, "Lcom/appwarden/screen/r7root/HomeService;->onCreate()V")
    assert not sized_windows_only(
        ctx, "Lcom/appwarden/screen/r7root/MainActivity;->onCreate(Landroid/os/Bundle;)V"
    )
    assert not sized_windows_only(ctx, "Lno/Such;->method()V")


def _hit(ident: str, weight: int, group: str = "", cap: int = 0) -> IndicatorHit:
    spec = IndicatorSpec(
        id=ident,
        category="other",
        weight=weight,
        evidence="code",
        detector="api_calls",
        description="",
        description_zh="",
        source="",
        group=group,
        group_cap=cap,
    )
    return IndicatorHit(spec=spec, evidence=[{}])


def test_group_cap_arithmetic() -> None:
    a = [_hit("a.one", 30, "g", 50), _hit("a.two", 30, "g", 50)]
    assert capped_score(a) == 50 and capped_groups(a) == {"g": (60, 50)}
    # a weak sign outside the group adds but does not lift the cap
    weak = [*a, _hit("b.weak", SECOND_SIGN_WEIGHT - 1)]
    assert capped_score(weak) == 50 + SECOND_SIGN_WEIGHT - 1
    # a second behaviour's sign lifts it
    strong = [*a, _hit("b.strong", SECOND_SIGN_WEIGHT)]
    assert capped_score(strong) == 80 and not capped_groups(strong) and not cap_notes(strong)
    # two groups: each one's sign lifts the other's cap
    two = [*a, _hit("c.one", 25, "h", 50), _hit("c.two", 30, "h", 50)]
    assert capped_score(two) == 100 and not capped_groups(two)
    # under the cap nothing changes; the sum is still capped at 100
    assert capped_score([_hit("a.one", 30, "g", 50)]) == 30
    assert capped_score([_hit(f"x.i{i}", 40) for i in range(4)]) == 100


def test_loader_checks_groups(tmp_path: Path) -> None:
    from appwarden.screening.loader import load_indicators as load

    base = (
        "indicators:\n- id: t.one\n  category: other\n  weight: 10\n  evidence: manifest\n  detector: permissions\n"
        "  params: {permissions: [android.permission.INTERNET]}\n  description: d\n  description_zh: d\n"
        "  source: s\n  fixtures: {fires: [a], clean: [b]}\n"
    )
    for extra, message in (
        ("  group: g\n", "go together"),
        ("  group_cap: 50\n", "go together"),
        ("  group: g\n  group_cap: 0\n", "1..100"),
        ("  group: G!\n  group_cap: 50\n", "lower-case"),
    ):
        (tmp_path / "x.yaml").write_text(base + extra, encoding="utf-8")
        with pytest.raises(KnowledgeError, match=message):
            load(tmp_path)
    two = base + "  group: g\n  group_cap: 50\n" + base.replace("t.one", "t.two").replace("indicators:\n", "")
    (tmp_path / "x.yaml").write_text(two + "  group: g\n  group_cap: 40\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="more than one group_cap"):
        load(tmp_path)
    (tmp_path / "x.yaml").write_text(two + "  group: g\n  group_cap: 50\n", encoding="utf-8")
    assert [s.group_cap for s in load(tmp_path)] == [50, 50]
    bad = base.replace(
        "{permissions: [android.permission.INTERNET]}",
        "{permissions: [android.permission.INTERNET], adb_grantable: [android.permission.INTERNET]}",
    )
    (tmp_path / "x.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="adb_grant_providers"):
        load(tmp_path)


def test_shipped_groups() -> None:
    groups = {s.id: (s.group, s.group_cap) for s in SPECS.values() if s.group}
    assert groups == {
        "accessibility.service": ("accessibility_tool", 50),
        "accessibility.read_windows": ("accessibility_tool", 50),
        "accessibility.auto_click": ("accessibility_tool", 50),
        "accessibility.text_capture": ("accessibility_tool", 50),
        "other.system_partition_tamper": ("system_tool", 50),
        "dropper.system_permissions": ("system_tool", 50),
        "dropper.disguised_payload": ("system_tool", 50),
        "dropper.install_apk": ("system_tool", 50),
    }
    # a bundled payload app is a dropper's own act, not a tool's: it stays outside (BaseBridge keeps harmful)
    assert not SPECS["dropper.bundled_apk_install"].group
