"""Fast, offset-preserving phrase matching helpers shared by the policy detectors.

Python's ``re`` is slow with ``re.I`` and look-arounds (no literal prefix scan). The detectors therefore match
lower-case patterns against :func:`ascii_lower` of the text (same length, so offsets are unchanged) and check Latin
word boundaries in Python with :func:`latin_bounded`.
"""

from __future__ import annotations

import re

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """``text`` lower-cased with length and offsets preserved (ASCII-only lowering when ``str.lower`` would
    change the length, e.g. for ``İ``)."""
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)


def lower_pattern(pattern: str) -> str:
    """Lower-case the literal ASCII letters of a regex (escapes such as ``\\S``/``\\d`` keep their case)."""
    return re.sub(r"(?<!\\)[A-Z]", lambda m: m.group().lower(), pattern)


def compile_lower(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` for matching against :func:`ascii_lower` text."""
    return re.compile(lower_pattern(pattern))


def is_latin_term(term: str) -> bool:
    """True when the phrase starts and ends with a Latin letter or digit (needs word-boundary checks)."""
    return bool(re.match(r"[A-Za-z0-9]", term)) and bool(re.search(r"[A-Za-z0-9?)]$", term))


def latin_bounded(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is not glued to ASCII letters on either side (``IP`` not inside ``VIP``)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalpha()) and not (after.isascii() and after.isalpha())
