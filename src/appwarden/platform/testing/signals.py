"""``scan_finished(sender=ScanJob, job=job)`` is sent after a job is done or failed (enforcement listens)."""

from django.dispatch import Signal

scan_finished = Signal()
