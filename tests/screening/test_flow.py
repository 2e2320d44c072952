"""Round three: the data-flow indicators (appwarden.screening.flow) on their fixture apps.

screen_spy (tests/screening/_apps/src/screen_spy) leaks by design: contacts read in a service reach an
HttpURLConnection's output stream through a helper (one call hop), the IMEI reaches an Apache HttpClient request
through a static field read in another class (a field hop), each incoming SMS is forwarded by SMS and handed in an
explicit Intent to a service that opens a URL holding it and the IMSI from a helper (an Intent hop and a return-value
hop), and the call log read in a loop is posted through a helper with a null-defaulted list and register copies. screen_spy_clean reads the same data without a leak from background code: only its Activity uploads contacts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.errors import StageTimeout
from appwarden.limits import DEFAULT_LIMITS, cooperative_deadline
from appwarden.scan import _static_stage
from appwarden.screening import flow, screen
from appwarden.screening.content import ScreenContext
from appwarden.screening.flow import find_leaks

APPS = Path(__file__).resolve().parent / "_apps"
SPY = "Lcom/appwarden/screen/spy/"


def _ctx(name: str) -> ScreenContext:
    static, opened = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
    return ScreenContext(static, opened)


@pytest.fixture(scope="module")
def spy() -> ScreenContext:
    return _ctx("screen_spy")


def _pairs(ctx: ScreenContext) -> set[tuple[str, str, str]]:
    return {(lk.category, lk.sink.kind, lk.sink.caller.split("->", 1)[0]) for lk in find_leaks(ctx)}


def test_flows_found_across_hops(spy: ScreenContext) -> None:
    assert _pairs(spy) == {
        ("contacts", "network", SPY + "Uploader;"),  # call hop: Uploader.post(String)
        ("imei", "network", SPY + "Beacon;"),  # static field hop
        ("sms_in", "sms", SPY + "SmsForwarder;"),
        ("sms_in", "network", SPY + "Relay;"),  # explicit Intent hop into Relay.onStartCommand
        ("imsi", "network", SPY + "Relay;"),  # the IMSI a helper returns
        # the call log: a loop whose result is returned above its body (second walk over the back edge), a
        # null-defaulted list (register states merged where a forward branch lands), a move-object copy of the
        # entity before its constructor (register aliases); missed before these three were modelled
        ("call_log", "network", SPY + "Harvest;"),
    }
    contacts = next(lk for lk in find_leaks(spy) if lk.category == "contacts")
    assert contacts.source["api"].startswith("Landroid/content/ContentResolver;->query")
    assert contacts.endpoint == ["http://203.0.113.7/c"]  # the URL constant reached the stream's write
    assert contacts.sink.chain == (SPY + "SyncService;->onStartCommand(Landroid/content/Intent;II)I",)
    relay = next(lk for lk in find_leaks(spy) if lk.category == "sms_in" and lk.sink.kind == "network")
    assert relay.sink.chain[0] == "intent:" + SPY + "Relay;"


def test_spy_fixture_verdict(spy: ScreenContext) -> None:
    result = screen(spy.static, spy.apk)
    fired = {h.spec.id: h for h in result.hits}
    assert {
        "spyware.private_data_exfiltration",
        "spyware.device_data_exfiltration",
        "banker.sms_forwarder",
    } <= set(fired)
    assert result.verdict == "harmful" and {"spyware", "banker"} <= set(result.categories)
    items = {i["category"]: i for i in fired["spyware.private_data_exfiltration"].evidence}
    assert set(items) == {"contacts", "call_log"}
    assert items["contacts"]["sink"] == "network" and items["contacts"]["endpoint"] == [
        "http://203.0.113.7/c"
    ]
    assert items["call_log"]["endpoint"] == ["http://203.0.113.7/h"]
    devices = {
        (i["category"], i["caller"].split("->", 1)[0])
        for i in fired["spyware.device_data_exfiltration"].evidence
    }
    assert devices == {("imei", SPY + "Beacon;"), ("imsi", SPY + "Relay;")}
    forwards = {(i["sink"], i["caller"].split("->", 1)[0]) for i in fired["banker.sms_forwarder"].evidence}
    assert forwards == {("sms", SPY + "SmsForwarder;"), ("network", SPY + "Relay;")}


def test_clean_twin_has_only_the_ui_upload() -> None:
    ctx = _ctx("screen_spy_clean")
    # the analysis sees the Activity's upload (so the twin is clean because of the background rule, not blindness)
    assert _pairs(ctx) == {("contacts", "network", "Lcom/appwarden/screen/spyclean/MainActivity;")}
    result = screen(ctx.static, ctx.apk)
    assert result.verdict == "none"
    assert not {h.spec.id for h in result.hits} & {
        "spyware.private_data_exfiltration",
        "spyware.device_data_exfiltration",
        "banker.sms_forwarder",
    }


def test_bounded_by_method_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flow, "MAX_METHODS", 1)
    ctx = _ctx("screen_spy")
    find_leaks(ctx)
    assert any("data-flow analysis stopped at its bound" in n for n in ctx.notes)


def test_bounded_by_code_units(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(flow, "MAX_UNITS", 10)
    ctx = _ctx("screen_spy")
    assert len(find_leaks(ctx)) < 6
    assert any("data-flow analysis stopped at its bound" in n for n in ctx.notes)


def test_stage_deadline_propagates() -> None:
    ctx = _ctx("screen_spy")
    with cooperative_deadline("screening", 1e-9), pytest.raises(StageTimeout):
        find_leaks(ctx)


def test_no_code_no_leaks(spy: ScreenContext) -> None:
    ctx = ScreenContext(spy.static, spy.apk)
    ctx.code = None
    assert find_leaks(ctx) == []


def test_unexpected_failure_is_a_note_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: flow.FlowAnalysis) -> list[flow.Sink]:
        raise ValueError("malformed")

    monkeypatch.setattr(flow.FlowAnalysis, "run", broken)
    ctx = _ctx("screen_spy")
    assert find_leaks(ctx) == [] and find_leaks(ctx) == []
    assert [n for n in ctx.notes if "data-flow analysis not completed" in n] == [
        "data-flow analysis not completed: ValueError: malformed"
    ]


def test_flow_indicator_supersedes_its_co_occurrence_twin() -> None:
    from appwarden.screening.loader import load_indicators
    from appwarden.screening.model import IndicatorHit, Screening, drop_superseded

    specs = {s.id: s for s in load_indicators()}
    flow_hit = IndicatorHit(specs["spyware.device_data_exfiltration"], [{"category": "imei"}])
    beacon = IndicatorHit(specs["spyware.boot_device_beacon"], [{"caller": "x"}])
    other = IndicatorHit(specs["sms.intercept_receiver"], [{"component": "r"}])
    kept = drop_superseded([beacon, flow_hit, other])
    assert [h.spec.id for h in kept] == ["spyware.device_data_exfiltration", "sms.intercept_receiver"]
    result = Screening(hits=kept)
    assert result.score == 45  # 25 + 20: the beacon's 25 is not added again
    shown = {i["id"]: i for i in result.to_json()["indicators"]}
    assert shown["spyware.device_data_exfiltration"]["supersedes"] == ["spyware.boot_device_beacon"]
    assert "supersedes" not in shown["sms.intercept_receiver"]
    # the co-occurrence indicator alone still counts
    assert [h.spec.id for h in drop_superseded([beacon])] == ["spyware.boot_device_beacon"]


def test_supersedes_must_name_known_indicators(tmp_path: Path) -> None:
    from appwarden.errors import KnowledgeError
    from appwarden.screening.loader import load_indicators

    (tmp_path / "x.yaml").write_text(
        "indicators:\n"
        "- {id: a.b, category: spyware, weight: 10, evidence: code, detector: permissions,\n"
        "   params: {permissions: [android.permission.READ_SMS]}, description: d, description_zh: d, source: s,\n"
        "   fixtures: {fires: [f], clean: [c]}, supersedes: [no.such]}\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match="supersedes unknown indicators"):
        load_indicators(tmp_path)
