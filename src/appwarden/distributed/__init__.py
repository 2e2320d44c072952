"""Distributed scanning on Celery: the batch runner's job, spread over any number of machines.

Not part of the pure engine: it imports Celery. The engine never imports this package; the platform may.

- :mod:`.storage`: content-addressed APK and result storage (by sha256) on a shared directory.
- :mod:`.app`: the Celery application (late acknowledgement, reject on worker loss, prefetch 1).
- :mod:`.tasks`: the idempotent scan task.
"""
