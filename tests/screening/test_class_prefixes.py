"""The screening's class-prefix queries (issue #19): :meth:`ScreenContext.classes_under` bisects the app's sorted
classes once per prefix and finds exactly the classes a ``startswith`` test of every class finds (the counterfeit
``classes`` mode, the clipboard clipper's outer classes and the data-flow walk's nested classes read it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening.content import ScreenContext

APPS = Path(__file__).resolve().parent / "_apps"


def _reference(classes: list[str], prefixes: list[str]) -> list[str]:
    wanted = tuple(prefixes)
    return sorted(c for c in classes if c.startswith(wanted))


@pytest.mark.parametrize("apk", sorted(APPS.glob("*.apk")), ids=lambda p: p.stem)
def test_classes_under_finds_what_a_test_of_every_class_finds(apk: Path) -> None:
    static, opened = _static_stage(apk, DEFAULT_LIMITS)
    ctx = ScreenContext(static, opened)
    if static.code is None:
        assert ctx.sorted_classes == [] and ctx.classes_under(["L"]) == []
        return
    classes = list(static.code.classes)
    assert ctx.sorted_classes == sorted(classes)
    outers = sorted({c.split("$", 1)[0] for c in classes})[:40]
    packages = sorted({c.rsplit("/", 1)[0] + "/" for c in classes})[:40]
    cases = [
        [],
        ["L"],
        ["Lzzz/none/"],
        packages,
        packages[:1] + packages[:1],  # a prefix twice: each class once
        [p for o in outers for p in (o, o[:-1] + "$")],  # a class and its nested classes
        ["Landroid/", "Landroid/support/", "Lcom/"],  # nested prefixes
        [c[:k] for c in classes[:30] for k in (2, 5, 9)],
    ]
    for prefixes in cases:
        assert ctx.classes_under(prefixes) == _reference(classes, prefixes), prefixes


def test_classes_under_with_prefixes_that_sort_between_names() -> None:
    """Prefixes that are no class's start, or that are themselves class names, or sort after every name."""
    static, opened = _static_stage(APPS / "screen_bad.apk", DEFAULT_LIMITS)
    ctx = ScreenContext(static, opened)
    classes = list(static.code.classes)
    last = max(classes)
    for prefixes in ([last], [last + "x"], [last[:-1] + "\U0010ffff"], [classes[0][:-1]], ["\x00", "~"]):
        assert ctx.classes_under(prefixes) == _reference(classes, prefixes), prefixes
