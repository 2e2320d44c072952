"""What several indicators ask of one app is computed once per app (issue #19): the code index's invokes of one API
list (through app subclasses) and the launcher-icon hides (their own indicator and the library disguise), each
caller getting its own copy."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import detectors, screen
from appwarden.screening.content import ScreenContext

APPS = Path(__file__).resolve().parent / "_apps"


@pytest.mark.parametrize("name", ["screen_bad", "screen_r5", "screen_clean"])
def test_each_api_list_is_asked_of_the_code_index_once(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    static, apk = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
    expected = screen(static, apk).to_json()
    asked: Counter[tuple[str, ...]] = Counter()
    real = static.code.invokes

    def counting(targets: Any, through_app_subclasses: bool = False) -> Any:
        if through_app_subclasses:
            asked[tuple(targets)] += 1
        return real(targets, through_app_subclasses=through_app_subclasses)

    monkeypatch.setattr(static.code, "invokes", counting)
    assert screen(static, apk).to_json() == expected
    assert asked and max(asked.values()) == 1, [k for k, n in asked.items() if n > 1]


def test_invokes_are_filtered_per_owner_and_copied() -> None:
    static, apk = _static_stage(APPS / "screen_bad.apk", DEFAULT_LIMITS)
    ctx = ScreenContext(static, apk)
    apis = ["Landroid/telephony/SmsManager;->sendTextMessage", "Ljava/lang/Runtime;->exec"]
    every = static.code.invokes(apis, through_app_subclasses=True)
    assert every
    assert ctx.invokes(apis, app_only=False) == every
    assert ctx.invokes(apis) == [r for r in every if ctx.is_app_code(r.caller)]
    first = ctx.invokes(apis)
    first.clear()  # a caller's list is its own
    assert ctx.invokes(apis) == [r for r in every if ctx.is_app_code(r.caller)]


def test_launcher_hides_are_found_once_and_copied(monkeypatch: pytest.MonkeyPatch) -> None:
    static, apk = _static_stage(APPS / "screen_r5.apk", DEFAULT_LIMITS)
    ctx = ScreenContext(static, apk)
    calls: list[int] = []
    real = detectors._launcher_hides
    monkeypatch.setattr(detectors, "_launcher_hides", lambda c: calls.append(1) or real(c))
    first = detectors._hide_launcher_icon(ctx, {})
    assert first, "screen_r5 hides its launcher icon"
    first[0]["component"] = "changed"
    second = detectors._hide_launcher_icon(ctx, {})
    assert second == real(ScreenContext(static, apk)) and second[0]["component"] != "changed"
    assert calls == [1]
