"""The generated Frida agent (syntax, completeness vs the knowledge base, behaviour under a stand-in Java bridge)
and the runner's message -> trace path with recorded agent messages."""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from appwarden.dynamic.agent.generate import filter_table, generate_agent, hook_list, write_agent
from appwarden.dynamic.analyze import analyze_trace
from appwarden.dynamic.attribution import PrefixAttributor
from appwarden.dynamic.runner import RunnerState, message_to_events, run_trace
from appwarden.dynamic.trace import TraceWriter, read_trace
from appwarden.errors import AppwardenError
from appwarden.knowledge import pi_categories

HERE = Path(__file__).resolve().parent
IMPL_BASE = "android.content.pm.PackageManager"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


@pytest.fixture(scope="module")
def agent_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agent") / "agent.js"
    assert write_agent(path) == len(hook_list())
    return path


def harness(agent: Path, missing: list[str] = ()) -> dict:
    out = subprocess.run(
        [NODE, str(HERE / "agent_harness.js"), str(agent), json.dumps(list(missing))],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


@needs_node
def test_generated_agent_is_valid_javascript(agent_file: Path) -> None:
    result = subprocess.run([NODE, "--check", str(agent_file)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_every_knowledge_base_api_is_hooked_by_the_agent() -> None:
    hooks = {(h["c"], h["m"]) for h in hook_list()}
    expected = set()
    for rec in pi_categories().values():
        for smali in [*(rec.get("apis") or []), *(rec.get("sdk_apis") or [])]:
            cls, _, name = smali.partition("->")
            expected.add((cls[1:-1].replace("/", "."), "$init" if name == "<init>" else name))
    assert expected <= hooks
    extra = (
        hooks - expected
    )  # concrete classes of abstract APIs (hooking an abstract method intercepts nothing)
    assert extra == {("android.app.ApplicationPackageManager", m) for c, m in expected if c == IMPL_BASE}
    source = generate_agent()
    for cls, method in expected:
        assert json.dumps({"c": cls, "m": method}, separators=(",", ":"))[:-1] in source


def test_filters_mirror_the_knowledge_base_arg_filters() -> None:
    table = filter_table()
    assert table["android.provider.Settings$Secure.getString"] == [{"arg1_equals": "android_id"}]
    query = table["android.content.ContentResolver.query"]
    assert {"uri_authority_in": ["com.android.contacts", "contacts"]} in query
    assert "android.telephony.TelephonyManager.getDeviceId" not in table  # unfiltered
    assert "ro.serialno" in table["java.lang.Runtime.exec"][0]["args_contain"]


@needs_node
def test_agent_hooks_all_overloads_and_retries_missing_classes(agent_file: Path) -> None:
    out = harness(agent_file)
    assert out["missing"] == [] and len(out["installed"]) == len(hook_list())
    sdk = "com.bun.miitmdid.core.MdidSdkHelper"
    out2 = harness(agent_file, [sdk])
    assert out2["missing"] == [f"{sdk}.InitSdk"]
    ready = next(m for m in out2["sent"] if m["type"] == "agent_ready")
    assert ready["pending"] == 1


@needs_node
def test_agent_messages_become_a_trace_with_the_expected_evidence(agent_file: Path, tmp_path: Path) -> None:
    messages = [{"type": "send", "payload": p} for p in harness(agent_file)["sent"]]
    state = RunnerState()
    buf = io.StringIO()
    writer = TraceWriter(buf, {"app": {"package": "com.example.shop"}, "started_at": "2026-11-23T14:00:00Z"})
    writer.write({"type": "ui", "t": 0, "event": "process_start", "cause": "launcher"})
    for message in messages:
        for event in message_to_events(message, state):
            writer.write(event)
    assert state.agent_errors == [] and state.hooked == 2 * (len(hook_list()) + 1)  # + OkHttpClient.newCall
    path = tmp_path / "trace.jsonl"
    path.write_text(buf.getvalue(), encoding="utf-8")
    header, events, errors = read_trace(path)
    dyn = analyze_trace(
        header, events, attributor=PrefixAttributor({"com.umeng": "umeng"}, {"umeng.com": "umeng"})
    )
    assert errors == []
    start = dyn.consent.dialog_shown - 1200  # the agent's clock origin may lag the fake clock by a few ms
    assert 0 <= start < 50 and dyn.consent.agreed - start == 3000
    assert {(o.category, o.owner) for o in dyn.pre_consent} == {("mac", "host"), ("android_id", "host")}
    tx, okhttp = dyn.transmissions
    assert (tx.host, tx.categories, tx.owner, tx.third_party, tx.before_consent) == (
        "ulogs.umeng.com", ["mac"], "umeng", True, False,
    )  # fmt: skip
    assert (okhttp.host, okhttp.method, okhttp.categories, okhttp.third_party) == (
        "api.example.com", "GET", ["android_id"], False,
    )  # fmt: skip
    assert [r.permissions for r in dyn.permission_requests] == [["android.permission.ACCESS_FINE_LOCATION"]]
    assert [(s.sensor, s.rate_us) for s in dyn.sensors] == [("accelerometer", 20000)]
    assert "3c:5a:b4:01:02:03" not in buf.getvalue()  # PI values are masked in the trace


def send(payload: dict) -> dict:
    return {"type": "send", "payload": {"aw": 1, **payload}}


def test_message_handler_drops_non_pi_and_refines_indirect_access() -> None:
    state = RunnerState()
    non_pi = send({"type": "api_call", "t": 5, "class": "android.provider.Settings$Secure", "method": "getString",
                   "args": ["cr", "bluetooth_name"]})  # fmt: skip
    assert message_to_events(non_pi, state) == [] and state.non_pi_calls == 1
    shell = send({"type": "api_call", "t": 6, "class": "java.lang.Runtime", "method": "exec",
                  "args": ["getprop ro.serialno"]})  # fmt: skip
    assert message_to_events(shell, state)[0]["category"] == "serial"
    reflect = send({"type": "api_call", "t": 7, "class": "java.lang.reflect.Method", "method": "invoke",
                    "args": ["obj", "[]"], "self": "public java.lang.String android.telephony.TelephonyManager.getImei()"})  # fmt: skip
    assert message_to_events(reflect, state)[0]["category"] == "imei"


def test_message_handler_clamps_time_and_records_errors() -> None:
    state = RunnerState()
    assert (
        message_to_events(send({"type": "ui", "t": 100, "event": "screen", "screen": "A"}), state)[0]["t"]
        == 100
    )
    late = message_to_events(send({"type": "ui", "t": 90, "event": "screen", "screen": "B"}), state)
    assert late[0]["t"] == 100 and state.clamped == 1
    assert message_to_events(send({"type": "ui", "t": 110, "event": "dance"}), state) == []
    assert message_to_events({"type": "error", "description": "ReferenceError: x"}, state) == []
    assert message_to_events(send({"type": "agent_error", "message": "hook failed"}), state) == []
    assert message_to_events({"type": "send", "payload": {"not": "ours"}}, state) == []
    assert message_to_events("garbage", state) == []
    assert message_to_events(send({"type": "network", "t": 120}), state) == []
    assert len(state.agent_errors) == 4 and state.ignored == 2
    url = "https://t.example.net/c?imei=490154203237518"
    [net] = message_to_events(send({"type": "network", "t": 130, "host": "t.example.net", "url": url}), state)
    assert net["pi"][0]["category"] == "imei" and "490154203237518" not in json.dumps(net)


@pytest.mark.skipif(importlib.util.find_spec("frida") is not None, reason="frida is installed")
def test_runner_without_frida_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(AppwardenError, match=r"pip install 'appwarden\[device\]'"):
        run_trace("com.example.shop", tmp_path / "t.jsonl", device_id="emulator-5554", timeout=1)


def test_offsets_place_a_restarted_process_later_in_the_session() -> None:
    from appwarden.dynamic.runner import restart_event

    state = RunnerState()
    first = message_to_events(send({"type": "ui", "t": 500, "event": "app_background"}), state)
    later = message_to_events(
        send({"type": "ui", "t": 20, "event": "screen", "screen": "A"}), state, offset_ms=90_000
    )
    assert first[0]["t"] == 500 and later[0]["t"] == 90_020 and state.clamped == 0
    assert restart_event("com.example.shop", "com.example.shop", 9)["cause"] == "self_restart"
    other = restart_event("com.example.shop:push", "com.example.shop", 9)
    assert other["event"] == "mark" and "push" in other["label"]
