"""Output safety for text an app author controls (labels, SDK and class names, policy sentences, file names).

Two helpers, used by every writer that puts such text where something else interprets it:

* :func:`spreadsheet_cell` for every CSV/XLSX cell the product writes (batch ``results.csv``, the 通报 CSV/XLSX,
  the platform's notice exports). A cell that a spreadsheet would run as a formula (it starts with ``= + - @``,
  a tab or a carriage return, possibly after blanks) gets a leading single quote, as OWASP's "CSV injection"
  advice says; control characters XLSX cannot hold are removed first (so ``"\\x00=1+1"`` is neutralised too).
* :func:`terminal_text` for everything printed to a terminal: ANSI/VT escape sequences (CSI, OSC, DCS, ...), other
  C0 and C1 control characters and bidirectional-override characters are removed; tabs and line breaks become
  spaces, so one value stays on the line it was printed on.

Both take any value and return ``str`` (``None`` -> ``""``), except that :func:`spreadsheet_cell` keeps non-string
values (numbers, dates) as they are, since a spreadsheet stores them as data, never as formulas.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Escape sequences: CSI (ESC [ ... final), OSC / DCS / SOS / PM / APC strings (ESC ] ... BEL or ST), and the
# two-character ESC sequences; the 8-bit forms (0x9b CSI, 0x9d OSC, ...) are C1 characters removed below.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, SOS, PM, APC (terminated by BEL or ST, or not)
    r"|\x1b[ -/]*[0-~]"  # other ESC sequences (charset selection, RIS, ...)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# C0 except tab/newline/CR, DEL, C1 (XLSX refuses C0; C1 are 8-bit escape introducers in some terminals).
_CELL_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Everything a terminal might act on: all C0 and C1, DEL, bidi embedding/override/isolate characters.
_TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\u2028\u2029\x85]")


def spreadsheet_cell(value: Any) -> Any:
    """``value`` made safe for a CSV/XLSX cell: strings lose control characters and get a leading ``'`` when a
    spreadsheet would read them as a formula; other values are returned unchanged (``None`` stays ``None``)."""
    if not isinstance(value, str):
        return value
    value = _CELL_CONTROL.sub("", _ANSI.sub("", value))
    if value.startswith(FORMULA_START) or value.lstrip(" \u3000").startswith(FORMULA_START):
        value = "'" + value
    return value


def terminal_text(value: Any) -> str:
    """``value`` as one line of text that is safe to print to a terminal (see the module docstring)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii() and text.isprintable():
        return text  # the common case: nothing to remove
    text = _ANSI.sub("", text)
    text = _LINE_BREAKS.sub(" ", text)
    return _TERMINAL_CONTROL.sub("", text)
