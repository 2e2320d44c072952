"""appwarden governance platform (Django + DRF + Celery).

The platform stores scan results and drives cases: registry (companies, apps, versions, stores, SDK vendors),
testing (uploads, batches, scan jobs, findings, human review), enforcement (责令整改 → response → re-test →
closed, or 通报 → 下架), complaints and the web UI. It imports the engine (``appwarden.scan.scan_apk``); the
engine never imports it.

:func:`setup` configures Django once for command-line use (``appwarden serve|worker|demo-data``) and tests.
"""

from __future__ import annotations

import os

SETTINGS_MODULE = "appwarden.platform.settings"


def setup(**env: str) -> None:
    """Configure Django with the platform settings (``env`` values are exported first; idempotent)."""
    for key, value in env.items():
        os.environ[key] = value
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
