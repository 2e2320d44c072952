"""``FlowAnalysis.run`` past its bounds (issue #19): a wave's walks past :data:`flow.MAX_METHODS` /
:data:`flow.MAX_UNITS` answered from the memo, and the waves after one that ran past the bounds not asked for, give
the leaks, counters and note of the former driver (kept below as the oracle), wherever the bounds cut."""

from __future__ import annotations

from typing import Any

import pytest

from appwarden.screening import flow
from appwarden.screening.flow import EMPTY, MAX_UP, FlowAnalysis, Sink, Summary, _cap

from .test_flow_walk_twin import APP_NAMES, _ctx, _new, _outcome


@pytest.fixture(params=["python", "c"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both walks (as in test_flow_walk_twin)."""
    if request.param == "c" and flow._KERNEL is None:
        pytest.skip("the _flow extension is not built (or the Python backend is forced)")
    return request.param


class FormerRun(FlowAnalysis):
    """The analysis with ``run`` as it was before the bounds were tested in it."""

    def run(self) -> list[Sink]:
        if self.code is None:
            return []
        self._prepare_queries()
        found: list[Sink] = []
        wave = list(dict.fromkeys(self._roots()))
        icc_done: set[tuple[str, Any]] = set()
        stores_done: set[str] = set()
        for level in range(MAX_UP + 1):
            returning: list[str] = []
            fields: list[str] = []
            for desc in wave:
                summ = self.call(desc, (), 0)
                if summ is None:
                    continue
                found.extend(summ.sinks)
                if desc not in self.private_returns and any(lab[0] == "s" for lab in summ.returns):
                    self.private_returns.add(desc)
                    returning.append(desc)
                for fdesc, labels in summ.stores.items():
                    self.field_labels[fdesc] = _cap(self.field_labels.get(fdesc, EMPTY) | labels)
                    if fdesc not in stores_done:
                        stores_done.add(fdesc)
                        fields.append(fdesc)
                for target, labels, how in summ.starts:
                    if (target, labels) not in icc_done:
                        icc_done.add((target, labels))
                        found.extend(self._component(target, labels, how))
            if level == MAX_UP:
                break
            again: dict[str, None] = {}
            if returning:
                for ref in self.code.invokes(returning):
                    again.setdefault(ref.caller, None)
            if fields:
                for ref in self.code.field_reads(fields):
                    again.setdefault(ref.caller, None)
                for fdesc in fields:
                    for desc in self._class_methods(fdesc.split("->", 1)[0]):
                        again.setdefault(desc, None)
            wave = [d for d in again if self.ctx.is_app_code(d)]
            for desc in wave:
                self._summaries.pop((desc, ()), None)
        return found


def _former(ctx: Any, backend: str) -> FormerRun:
    analysis = FormerRun(ctx)
    analysis.kernel = flow._KERNEL if backend == "c" else None
    return analysis


@pytest.mark.parametrize("name", APP_NAMES)
def test_same_outcome_wherever_the_bounds_cut(
    name: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = _ctx(name)
    if ctx.code is None:
        pytest.skip("no code")
    full = _former(ctx, backend)
    _outcome(full, full.run)
    bounds = [(m, 10**9) for m in range(0, full.analyses + 2)]
    bounds += [
        (10**6, u) for u in sorted({0, 1, full.units // 3, full.units // 2, full.units - 1, full.units})
    ]
    for methods, units in bounds:
        monkeypatch.setattr(flow, "MAX_METHODS", methods)
        monkeypatch.setattr(flow, "MAX_UNITS", units)
        ref, new = _former(ctx, backend), _new(ctx, backend)
        assert _outcome(new, new.run) == _outcome(ref, ref.run), (methods, units)


def test_a_memoised_walk_still_counts_past_the_bounds(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the bounds a root whose walk was memoised (as a callee returning private data, say) still gives its
    sinks, stores and returns, as call() gives them; the others say the analysis stopped."""
    ctx = _ctx("screen_spy")
    roots = FlowAnalysis(ctx)._roots()
    assert len(roots) >= 2
    monkeypatch.setattr(flow, "MAX_METHODS", 0)
    outcomes = []
    for make in (_former, _new):
        analysis = make(ctx, backend)
        analysis.sites.append(
            {"category": "imei", "api": "x", "caller": roots[0], "dex": "classes.dex", "offset": 2}
        )
        sink = Sink(
            "network",
            frozenset({"s0"}),
            frozenset({"h:http://203.0.113.7/"}),
            roots[0],
            "y",
            "classes.dex",
            8,
        )
        analysis._summaries[(roots[0], ())] = Summary(
            returns=frozenset({"s0"}), sinks=[sink], stores={"Lcom/x/A;->f:I": frozenset({"s0"})}
        )
        analysis._summaries[(roots[-1], ())] = None
        outcomes.append(_outcome(analysis, analysis.run))
        assert analysis.truncated == (len(roots) > 2)
    assert outcomes[0] == outcomes[1]
    assert outcomes[1][0]  # the memoised sink is found
