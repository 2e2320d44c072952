"""Celery task of the statistics (distributed mode): refresh the yearly report's snapshot (beat, every 30 min)."""

from __future__ import annotations

from appwarden.platform.celery_app import app


@app.task(name="appwarden.stats_snapshot", acks_late=True)
def stats_snapshot_task() -> int:
    """Recompute the current year's yearly-report snapshot (``web.yearly.refresh_snapshots``)."""
    from appwarden.platform.web.yearly import refresh_snapshots

    return refresh_snapshots()
