"""Round six of the screening (issue #23): fewer false alarms on real store apps, each rule general (no app names).

* An accessibility service of an app that can send nothing out (neither INTERNET nor SEND_SMS) reads and clicks,
  but cannot report or take orders: the offline splash-ad skipper / auto-clicker (TouchHelper, AT助手, 李跳跳).
* A method that builds the accessibility event it reads (``AccessibilityEvent.obtain`` ... send) is the app's own
  view announcing itself (androidx ``ExploreByTouchHelper``), not a read of another app's text.
* ``lockNow`` in an ``onClick`` handler is a lock button or tile the user presses (one-tap screen-off).
* A device-policy controller that declares Android's managed-provisioning actions (device or profile owner: MDM,
  work profiles) holds device-admin powers by design (MDPC).
* Without a category's permission, a bare provider query whose URI the static stage could not resolve is no read of
  that category: a calendar sync adapter's ``ContentProviderClient.query`` (URI from a parameter) next to its server
  is not a contacts leak; a read naming the store (``Telephony.Sms.Inbox.CONTENT_URI``) still counts.

``screen_r6`` does each the harmful way; ``screen_r6_skipper`` (offline ad skipper with a lock button) and
``screen_r6_dpc`` (a work-profile DPC with a view announcing a virtual child) do the near misses
(tests/screening/_apps/src, our own smali)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from appwarden.errors import KnowledgeError
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import run_indicator, screen
from appwarden.screening.content import ScreenContext
from appwarden.screening.loader import load_indicators
from appwarden.screening.model import IndicatorSpec

APPS = Path(__file__).resolve().parent / "_apps"
SPECS = {s.id: s for s in load_indicators()}
A11Y_READS = ("accessibility.read_windows", "accessibility.auto_click", "accessibility.text_capture")
DPC_POWERS = (
    "ransomware.device_admin",
    "ransomware.lock_now",
    "ransomware.reset_password",
    "dropper.install_apk",
)


@pytest.fixture(scope="module")
def r6() -> dict[str, ScreenContext]:
    out = {}
    for name in ("screen_r6", "screen_r6_skipper", "screen_r6_dpc"):
        static, opened = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
        out[name] = ScreenContext(static, opened)
    return out


def _without(spec: IndicatorSpec, *params: str) -> IndicatorSpec:
    """The same indicator with some params removed (to show which param keeps the near miss silent)."""
    fields: dict[str, Any] = {f: getattr(spec, f) for f in spec.__dataclass_fields__}
    fields["params"] = {k: v for k, v in spec.params.items() if k not in params}
    return IndicatorSpec(**fields)


def test_round6_fixture_verdicts(r6: dict[str, ScreenContext]) -> None:
    bad = screen(r6["screen_r6"].static, r6["screen_r6"].apk)
    assert {h.spec.id for h in bad.hits} == {
        "accessibility.service",
        *A11Y_READS,
        *DPC_POWERS,
        "spyware.private_data_to_hardcoded_host",
    }
    assert bad.verdict == "harmful"
    skipper = screen(r6["screen_r6_skipper"].static, r6["screen_r6_skipper"].apk)
    assert {h.spec.id for h in skipper.hits} == {"accessibility.service", "ransomware.device_admin"}
    assert skipper.verdict == "none" and skipper.score == 20
    dpc = screen(r6["screen_r6_dpc"].static, r6["screen_r6_dpc"].apk)
    assert {h.spec.id for h in dpc.hits} == {"accessibility.service"}
    assert dpc.verdict == "none"


@pytest.mark.parametrize("ident", A11Y_READS)
def test_offline_accessibility_service_does_not_count(r6: dict[str, ScreenContext], ident: str) -> None:
    """The skipper's service reads the window and clicks the 跳过 node exactly as screen_r6's does; only the
    way out (INTERNET or SEND_SMS) differs."""
    spec = SPECS[ident]
    assert set(spec.params["permissions_any"]) == {
        "android.permission.INTERNET",
        "android.permission.SEND_SMS",
    }
    assert run_indicator(r6["screen_r6"], spec) is not None
    assert run_indicator(r6["screen_r6_skipper"], spec) is None
    hit = run_indicator(r6["screen_r6_skipper"], _without(spec, "permissions_any"))
    assert hit is not None and hit.evidence[0]["caller"].startswith(
        "Lcom/appwarden/screen/r6skip/SkipService;"
    )


def test_event_the_app_builds_is_not_text_capture(r6: dict[str, ScreenContext]) -> None:
    spec = SPECS["accessibility.text_capture"]
    assert run_indicator(r6["screen_r6_dpc"], spec) is None
    hit = run_indicator(r6["screen_r6_dpc"], _without(spec, "skip_with_any"))
    assert hit is not None
    assert {i["caller"].split("->")[0] for i in hit.evidence} == {
        "Lcom/appwarden/screen/r6dpc/VirtualViewHelper;"
    }
    # a view populating its own event (View.onPopulateAccessibilityEvent, as ActionBarSherlock's views do) is no
    # capture either: the framework hands it the app's own event
    assert "onPopulateAccessibilityEvent(" in spec.params["skip_methods"]
    hit = run_indicator(r6["screen_r6_dpc"], _without(spec, "skip_methods"))
    assert hit is not None
    assert "Lcom/appwarden/screen/r6dpc/LabelView;->onPopulateAccessibilityEvent(" in {
        i["caller"].split("Landroid")[0] for i in hit.evidence
    }
    # the service reading a received event's text still counts
    bad = run_indicator(r6["screen_r6"], spec)
    assert bad is not None and bad.evidence[0]["caller"].startswith("Lcom/appwarden/screen/r6/SkipService;")


def test_lock_button_is_not_a_locker(r6: dict[str, ScreenContext]) -> None:
    spec = SPECS["ransomware.lock_now"]
    assert spec.params["skip_methods"] == ["onClick("]
    assert run_indicator(r6["screen_r6_skipper"], spec) is None
    hit = run_indicator(r6["screen_r6_skipper"], _without(spec, "skip_methods"))
    assert hit is not None and hit.evidence[0]["caller"] == (
        "Lcom/appwarden/screen/r6skip/MainActivity$1;->onClick(Landroid/view/View;)V"
    )
    bad = run_indicator(r6["screen_r6"], spec)
    assert bad is not None and bad.evidence[0]["caller"].startswith(
        "Lcom/appwarden/screen/r6/Policy;->apply("
    )


@pytest.mark.parametrize("ident", DPC_POWERS)
def test_device_policy_controller_holds_admin_powers_by_design(
    r6: dict[str, ScreenContext], ident: str
) -> None:
    """The DPC twin calls the same Policy code as screen_r6; it also declares the managed-provisioning actions."""
    spec = SPECS[ident]
    assert "android.app.action.PROFILE_PROVISIONING_COMPLETE" in spec.params["unless_actions_any"]
    assert run_indicator(r6["screen_r6"], spec) is not None
    assert run_indicator(r6["screen_r6_dpc"], spec) is None
    assert run_indicator(r6["screen_r6_dpc"], _without(spec, "unless_actions_any")) is not None


def test_private_data_read_needs_a_permission_that_allows_it(r6: dict[str, ScreenContext]) -> None:
    """Both twins read through ``ContentProviderClient.query`` with a URI from a parameter next to a hard-coded
    server; screen_r6 holds READ_CONTACTS, the DPC twin only READ_CALENDAR."""
    spec = SPECS["spyware.private_data_to_hardcoded_host"]
    hit = run_indicator(r6["screen_r6"], spec)
    assert hit is not None and hit.evidence[0]["caller"].startswith("Lcom/appwarden/screen/r6/CalendarSync;")
    assert hit.evidence[0]["hosts"] == ["https://sync.example.com/calendar/feeds/"]
    assert run_indicator(r6["screen_r6_dpc"], spec) is None
    assert run_indicator(r6["screen_r6_dpc"], _without(spec, "permissions_for")) is not None
    # screen_r6 holds no READ_SMS: its bare query of the inbox is dropped, the inbox's CONTENT_URI still counts
    peek = [i for i in hit.evidence if i["caller"].startswith("Lcom/appwarden/screen/r6/SmsPeek;")]
    assert [i["api"] for i in peek] == [
        "Landroid/provider/Telephony$Sms$Inbox;->CONTENT_URI:Landroid/net/Uri;"
    ]
    full = run_indicator(r6["screen_r6"], _without(spec, "permissions_for"))
    assert full is not None
    assert len([i for i in full.evidence if i["caller"].startswith("Lcom/appwarden/screen/r6/SmsPeek;")]) == 2


@pytest.mark.parametrize("uid", ["android.uid.system", "android.uid.phone"])
def test_platform_shared_uid_holds_the_permissions_it_does_not_request(uid: str) -> None:
    """An app sharing a platform user id reads the stores without requesting their permissions (Adups FOTA,
    ``android.uid.system``, blind5): the DPC twin's bare calendar query counts again; another shared id does not."""
    spec = SPECS["spyware.private_data_to_hardcoded_host"]
    static, opened = _static_stage(APPS / "screen_r6_dpc.apk", DEFAULT_LIMITS)
    ctx = ScreenContext(static, opened)
    ctx.manifest.shared_user_id = "com.example.shared"
    assert run_indicator(ctx, spec) is None
    ctx.manifest.shared_user_id = uid
    hit = run_indicator(ctx, spec)
    assert hit is not None and hit.evidence[0]["hosts"] == ["https://sync.example.com/calendar/feeds/"]


@pytest.mark.parametrize(
    ("detector", "params", "message"),
    [
        ("api_calls", "{apis: [La;->b], unless_actions_any: x}", "unless_actions_any"),
        ("api_calls", "{apis: [La;->b], skip_methods: [1]}", "skip_methods"),
        ("api_calls", "{apis: [La;->b], skip_with_any: x}", "skip_with_any"),
        ("manifest_component", "{permission: p, unless_actions_any: [1]}", "unless_actions_any"),
        ("pi_with_hardcoded_host", "{categories: [sms], permissions_for: [x]}", "permissions_for"),
        ("pi_with_hardcoded_host", "{categories: [sms], permissions_for: {contacts: [p]}}", "not one of"),
        ("pi_with_hardcoded_host", "{categories: [sms], permissions_for: {sms: []}}", "non-empty"),
    ],
)
def test_loader_rejects_bad_round6_params(tmp_path: Path, detector: str, params: str, message: str) -> None:
    text = f"""
indicators:
- id: x.y
  category: other
  weight: 10
  evidence: code
  detector: {detector}
  params: {params}
  description: d
  description_zh: d
  source: s
  fixtures: {{fires: [screen_r6], clean: [screen_r6_skipper]}}
"""
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=message):
        load_indicators(tmp_path)
