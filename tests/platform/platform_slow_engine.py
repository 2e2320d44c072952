"""An engine wrapper for the worker-kill test: marks that the scan started, waits, then runs the real engine.

Selected in the worker process with ``APPWARDEN_ENGINE=platform_slow_engine:scan``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def scan(apk_path, **kwargs):
    marker = Path(os.environ["APPWARDEN_TEST_MARKER"])
    with marker.open("a") as fh:
        fh.write(f"{os.getpid()}\n")
    time.sleep(float(os.environ.get("APPWARDEN_TEST_DELAY", "6")))
    from appwarden.scan import scan_apk

    return scan_apk(apk_path, **kwargs)
