"""Precision round 4 (docs/rules-eval.md): an interface call dispatched to an implementer the call never reaches.

``_apps/dispatch_live.apk`` and ``_apps/dispatch_dead.apk`` (sources in ``_apps/src/dispatch_*``) are twins: the
launcher's ``onCreate`` creates a ``Constant`` and an ``ImeiReader`` (both implement ``Source``) and calls
``Source.get``. In the live twin the receiver is the ``ImeiReader`` (the IMEI is read at start-up); in the dead twin
it is the ``Constant`` and the ``ImeiReader`` is only printed, so the IMEI read never runs (DroidBench
GeneralJava/VirtualDispatch3 and 4 in the corpus have this shape). The call graph resolves an interface or
virtual call to every implementer of the app (class-hierarchy analysis), so the dead twin is reported too: a
false start-up finding, strict xfail until the call graph narrows a dispatch by the receiver's type where the
calling method creates it (``dex/callgraph.py``, not the rules).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from appwarden.evidence import Evidence
from appwarden.rules.engine import evaluate_rule
from appwarden.rules.loader import load_rules

HERE = Path(__file__).resolve().parent
RULES = {r.id: r for r in load_rules()}
READER = "Lcom/example/dispatch/ImeiReader;->get(Landroid/content/Context;)Ljava/lang/String;"
ONCREATE = "Lcom/example/dispatch/Main;->onCreate(Landroid/os/Bundle;)V"


@lru_cache(maxsize=2)
def _evidence(name: str) -> Evidence:
    from appwarden.scan import build_evidence

    return build_evidence(HERE / "_apps" / f"{name}.apk")


def _startup(name: str) -> list:
    res = evaluate_rule(_evidence(name), RULES["pi.startup.device_id"])
    assert res.errors == []
    return res.findings


def test_imei_read_through_an_interface_call_on_the_reader_is_a_startup_read() -> None:
    findings = _startup("dispatch_live")
    assert [(f.owner, f.confidence) for f in findings] == [("host", "likely")]
    sites = [e for e in findings[0].evidence if e["type"] == "callsite"]
    assert [(e["caller"], e["path"]) for e in sites] == [(READER, [ONCREATE, READER])]


def test_both_twins_hold_the_same_imei_call_site() -> None:
    # the call site itself is a true fact in both (the code is there); only its reachability differs
    for name in ("dispatch_live", "dispatch_dead"):
        sites = [s for s in _evidence(name).static.callsites if s.category == "imei"]
        assert [s.caller for s in sites] == [READER]


@pytest.mark.xfail(
    strict=True,
    reason="call graph dispatches Source.get to every implementer (CHA); the receiver created in onCreate is a "
    "Constant, so ImeiReader.get never runs (round 4 false positive, fix belongs to dex/callgraph.py)",
)
def test_imei_reader_never_called_is_not_a_startup_read() -> None:
    assert _startup("dispatch_dead") == []
