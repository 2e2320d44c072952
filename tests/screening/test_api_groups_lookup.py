"""``api_groups_in_class`` (ransomware.file_encryption) looks the methods whose callees it asks for up at once
(``CallGraph.lookup_many``, issue #19): the same hits as the one-by-one lookups, on the fixtures that fire it and
those that must not; a lookup error there is left to the one-by-one lookups."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from appwarden.dex import callgraph
from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import screen

APPS = Path(__file__).resolve().parent / "_apps"
FIXTURES = [
    "screen_ransom",
    "screen_ransom_clean",
    "screen_r11",
    "screen_r11_clean",
    "screen_r5",
    "screen_r5_clean",
]


def _hits(name: str) -> list[str]:
    static, apk = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
    return [repr(h) for h in screen(static, apk).hits if h.spec.id == "ransomware.file_encryption"]


def _from_detectors() -> bool:
    """Whether the caller of the patched ``lookup_many`` is the detectors module (other stages look up too)."""
    return sys._getframe(2).f_code.co_filename.endswith("detectors.py")


@pytest.mark.parametrize("name", FIXTURES)
def test_same_hits_as_one_by_one(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[list[str]] = []
    real = callgraph.CallGraph.lookup_many

    def spy(self: callgraph.CallGraph, descs: object) -> None:
        descs = list(descs)  # type: ignore[call-overload]
        if _from_detectors():
            asked.append(descs)
        real(self, descs)

    monkeypatch.setattr(callgraph.CallGraph, "lookup_many", spy)
    batched = _hits(name)

    def skip(self: callgraph.CallGraph, descs: object) -> None:
        if not _from_detectors():
            real(self, descs)  # type: ignore[arg-type]

    monkeypatch.setattr(callgraph.CallGraph, "lookup_many", skip)
    assert batched == _hits(name)

    def fail(self: callgraph.CallGraph, descs: object) -> None:
        if _from_detectors():
            raise LookupError("lookup failed")
        real(self, descs)  # type: ignore[arg-type]

    monkeypatch.setattr(callgraph.CallGraph, "lookup_many", fail)
    assert batched == _hits(name)
    if name in ("screen_ransom", "screen_r11"):
        assert batched and asked


def test_fixture_fires() -> None:
    assert _hits("screen_ransom") and _hits("screen_r11")
    assert not _hits("screen_ransom_clean") and not _hits("screen_r11_clean")
