"""Precomputed statistics: the yearly report of a period, kept as a snapshot (``yearly.cached_stats``).

Computing the yearly report reads every confirmed finding of the period (at 50,000 scan jobs: ~100,000 rows, several
seconds; ``bench/results/*-platform-volume-*``), so the page, its downloads and the API serve a snapshot at most
``APPWARDEN_STATS_SNAPSHOT_MINUTES`` old, refreshed by the periodic work (embedded worker, Celery beat) and on demand
(``?fresh=1``). Not audited (derived data; ``web`` is not one of the audited apps).
"""

from __future__ import annotations

from django.db import models


class YearlySnapshot(models.Model):
    """The yearly report (``yearly.yearly_stats``) of one period as computed at ``computed_at``."""

    start = models.DateField()
    end = models.DateField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0.0)  # how long the computation took
    data = models.JSONField(default=dict)
    # the audit log's last row id when the computation began (``yearly.data_mark``): every change of a platform
    # model appends a row, so a larger id now means the data changed since; null = stored before this field
    data_mark = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["start", "end"], name="yearly_snapshot_period")]

    def __str__(self) -> str:
        return f"yearly {self.start}..{self.end} @ {self.computed_at:%Y-%m-%d %H:%M}"
