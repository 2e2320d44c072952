"""SDK version order for the SDK-order re-test (``sdk_workflow.evaluate``): is the version a scan shows the fixed
version *or a later one*?

SDK versions in the wild are loose strings: ``5.2.1``, ``v5.3.0``, ``5.2.1.1``, ``5.2.1-beta2``, ``5.2.1+build7``,
``5.2.1_20230101``, ``6.0.0-huawei``, ``latest``. :func:`parse` reads the leading dotted numbers (after an optional
``v`` / ``ver`` / ``version`` prefix) and classifies what follows:

* a pre-release marker (``alpha``/``a``, ``beta``/``b``, ``rc``/``cr``, ``pre``/``preview``, ``m``/``milestone``,
  ``ea``, ``dev``, ``snapshot``) sorts *before* the release of the same numbers (``5.2.1-rc1`` < ``5.2.1``), markers
  ordered dev/snapshot < alpha < beta < milestone/ea/pre < rc, then by their number;
* anything else — build metadata (``+build7``, ``_20230101``, ``-build.5``), ``release``/``final``/``ga``, a vendor
  or channel tag (``-huawei``) — is a build of that release and compares equal to it.

Trailing zero components do not count (``5.2`` == ``5.2.0``). A string without a leading number (``latest``,
``unknown``, ``""``) cannot be placed: :func:`compare` and :func:`at_least` answer ``None`` for it and the caller
falls back to its date rule. Nothing here raises on any input (strings are cut to 100 characters first, so no
number is too long for ``int``).
"""

from __future__ import annotations

import re
from typing import Any

_MAX = 100
_HEAD = re.compile(r"^(?:version|ver|v)?[\s._-]*(\d+(?:\.\d+)*)(.*)$", re.ASCII)
_WORD = re.compile(r"[a-z]+|\d+", re.ASCII)
# pre-release markers and their order (lower sorts first); everything else after the numbers is a build
_PRE = {
    "dev": 0,
    "snapshot": 0,
    "nightly": 0,
    "alpha": 1,
    "a": 1,
    "beta": 2,
    "b": 2,
    "m": 3,
    "milestone": 3,
    "ea": 3,
    "pre": 3,
    "preview": 3,
    "rc": 4,
    "cr": 4,
}

Key = tuple[tuple[int, ...], tuple[int, int]]


def parse(value: Any) -> Key | None:
    """``(numbers without trailing zeros, (release flag, pre-release rank/number))`` or ``None`` when the string
    has no leading number. A release is ``(1, 0)``; a pre-release ``(0, rank * 10**6 + number)``."""
    text = str(value if value is not None else "").strip().lower()[:_MAX]
    match = _HEAD.match(text)
    if match is None:
        return None
    numbers = [int(p) for p in match.group(1).split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    rest = match.group(2)
    tail: tuple[int, int] = (1, 0)
    if rest and rest.lstrip()[:1] != "+":  # "+..." is build metadata
        words = _WORD.findall(rest)
        if words and words[0] in _PRE:
            number = next((int(w) for w in words[1:3] if w.isdigit()), 0)
            tail = (0, _PRE[words[0]] * 10**6 + min(number, 10**6 - 1))
    return tuple(numbers), tail


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 as ``a`` is older than, the same release as, or newer than ``b``; ``None`` when either cannot be
    placed (no leading number)."""
    ka, kb = parse(a), parse(b)
    if ka is None or kb is None:
        return None
    na, nb = ka[0], kb[0]
    width = max(len(na), len(nb))
    pa, pb = na + (0,) * (width - len(na)), nb + (0,) * (width - len(nb))
    left, right = (pa, ka[1]), (pb, kb[1])
    return (left > right) - (left < right)


def at_least(version: Any, fixed: Any) -> bool | None:
    """Whether ``version`` is ``fixed`` or later (``None``: one of them cannot be placed)."""
    order = compare(version, fixed)
    return None if order is None else order >= 0
