"""Working-day arithmetic for rectification deadlines (weekends and configured holidays are skipped)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def add_working_days(start: dt.date, days: int, holidays: Iterable[str | dt.date] = ()) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted).

    Saturdays, Sundays and ``holidays`` (dates or ISO strings) are not working days. ``days`` must be >= 0.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    off = {d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in holidays}
    current = start
    left = days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            left -= 1
    return current


def working_days_between(start: dt.date, end: dt.date, holidays: Iterable[str | dt.date] = ()) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is before ``start``)."""
    if end < start:
        return -working_days_between(end, start, holidays)
    off = {d if isinstance(d, dt.date) else dt.date.fromisoformat(d) for d in holidays}
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            count += 1
    return count
