"""Round eight of the screening (issue #23): recall on missed harmful apps, tuned on the misses of blind4 and blind5
(so not blind), each rule general (no app names, no hashes).

* A locker's hard-coded unlock code may hold symbols (``@``, ``$``, ``!`` ...), as passwords do: the constant a
  typed text is compared with before the overlay is removed is any 3..32 printable ASCII characters without a space
  that hold a letter or a digit (a sentence shown to the user has spaces; "!!!" is no code).
``screen_r8`` does each the harmful way; ``screen_r8_clean`` holds the near misses (tests/screening/_apps/src, our
own smali)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from appwarden.limits import DEFAULT_LIMITS
from appwarden.scan import _static_stage
from appwarden.screening import run_indicator, screen
from appwarden.screening.behaviour import _CODE_LITERAL, compared_constants
from appwarden.screening.content import ScreenContext
from appwarden.screening.loader import load_indicators

APPS = Path(__file__).resolve().parent / "_apps"
SPECS = {s.id: s for s in load_indicators()}
NAMES = ("screen_r8", "screen_r8_clean")


@pytest.fixture(scope="module")
def r8() -> dict[str, Any]:
    out = {}
    for name in NAMES:
        static, opened = _static_stage(APPS / f"{name}.apk", DEFAULT_LIMITS)
        out[name] = (static, opened, ScreenContext(static, opened))
    return out


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("4815162342", True),  # digits (round five)
        ("pin", True),
        ("Pay@2024#", True),  # round eight: symbols, as in a password
        ("Abdullah@", True),
        ("a_b-c.d!", True),
        ("Try again later", False),  # a sentence: spaces
        ("!!!", False),  # no letter or digit
        ("ab", False),  # too short
        ("x" * 33, False),  # too long
        ("密码123", False),  # not ASCII
        ("tab\there", False),
    ],
)
def test_unlock_code_literal(value: str, code: bool) -> None:
    assert bool(_CODE_LITERAL.match(value)) is code


def test_unlock_code_with_symbols(r8: dict[str, Any]) -> None:
    spec = SPECS["ransomware.overlay_unlock_code"]
    ctx = r8["screen_r8"][2]
    hit = run_indicator(ctx, spec)
    assert hit is not None
    (item,) = hit.evidence
    assert item["caller"].endswith("r8/LockService;->unlock(Landroid/widget/EditText;Landroid/view/View;)V")
    assert item["constants"] == ["Pay@2024#"]
    # the note window of the clean twin is closed on a sentence or on "!!!": no unlock code
    clean = r8["screen_r8_clean"][2]
    note = "Lcom/appwarden/screen/r8c/NoteService;->dismiss(Landroid/widget/EditText;Landroid/view/View;)V"
    assert compared_constants(clean, note) == []
    assert run_indicator(clean, spec) is None


def test_round8_clean_twin_is_clean(r8: dict[str, Any]) -> None:
    clean = screen(r8["screen_r8_clean"][0], r8["screen_r8_clean"][1])
    assert clean.verdict == "none" and clean.hits == []
