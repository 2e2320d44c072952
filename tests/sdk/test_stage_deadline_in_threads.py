"""Issue #17: the ``sdk`` and ``reachability`` stages keep their deadline outside the main thread.

SIGALRM only reaches the main thread; in a worker thread (the platform's threads, batch pools) only the cooperative
deadline (:func:`appwarden.limits.check_deadline`) holds, so the stages' own loops must check it. Each stage runs
here in a thread on fresh evidence of a fixture APK under a deadline that has already passed: it must stop with
``StageTimeout`` instead of finishing, and a whole scan in a thread records the timeout in ``errors``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from appwarden.errors import StageTimeout
from appwarden.evidence import StaticEvidence
from appwarden.scan import _identify_sdks, _mark_reachability, build_static_evidence, stage_deadline

TINY = 1e-9  # seconds: passed before the stage's first check


def in_thread(fn: Callable[[], Any]) -> BaseException | None:
    """Run ``fn`` in a new thread; return what it raised (None when it finished)."""
    raised: list[BaseException | None] = [None]

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # handed to the test
            raised[0] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    assert not thread.is_alive()
    return raised[0]


@pytest.fixture
def evidence(fixtures_dir: Path) -> StaticEvidence:
    ev = build_static_evidence(fixtures_dir / "apks" / "pi_all.apk")
    assert ev.code is not None and ev.callsites
    ev.code.__dict__.pop("callgraph", None)  # built again by the stage under test
    return ev


@pytest.mark.parametrize(("stage", "run"), [("sdk", _identify_sdks), ("reachability", _mark_reachability)])
def test_stage_stops_at_its_deadline_outside_the_main_thread(stage, run, evidence: StaticEvidence) -> None:
    def go() -> None:
        with stage_deadline(stage, TINY):
            run(evidence)

    raised = in_thread(go)
    assert isinstance(raised, StageTimeout), raised
    assert stage in str(raised)


def test_the_stages_finish_in_a_thread_without_a_deadline(evidence: StaticEvidence) -> None:
    assert in_thread(lambda: (_identify_sdks(evidence), _mark_reachability(evidence))) is None
