"""Issue #19: the screening's indicators share work and skip what their answer does not need, with the same
results (bench/report_equality.py checks whole reports; these check the equivalences the shortcuts rest on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.dex import callgraph
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import screen

APPS = Path(__file__).resolve().parent / "_apps"


@pytest.mark.parametrize("apk", sorted(APPS.glob("*.apk")), ids=lambda p: p.stem)
def test_callers_are_the_callees_reversed(apk: Path) -> None:
    """``api_groups_in_class``'s nearness test finds a near call in a caller of the matched methods from the near
    calls' callees: n is among m's callers exactly when m is among n's callees (virtual nodes crossed both ways)."""
    static, _apk = _static_stage(apk, DEFAULT_LIMITS)
    if static.code is None:
        return
    graph = static.code.callgraph
    names = [n for n in graph.node_names() if n is not None]
    callees = {n: set(graph.callees(n)) for n in names}
    checked = 0
    for m in names:
        assert set(graph.callers(m)) == {n for n in names if m in callees[n]}, m
        checked += 1
    assert checked == len(names)


def test_screening_does_not_build_the_reversed_call_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ransomware walker's nearness test (screen_ransom fires it) reads forward edges only: the reversed call
    graph (a C pass over every edge, 7 ms of a 50 MB app's screening) is not built for it."""
    static, apk = _static_stage(APPS / "screen_ransom.apk", DEFAULT_LIMITS)
    reversed_: list[int] = []
    real = callgraph.walker.reverse_csr
    monkeypatch.setattr(callgraph.walker, "reverse_csr", lambda *a: reversed_.append(1) or real(*a))
    result = screen(static, apk)
    assert "ransomware.file_encryption" in {h.spec.id for h in result.hits}
    assert reversed_ == []
