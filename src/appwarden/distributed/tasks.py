"""The distributed scan task: idempotent, safe to run twice, safe to kill.

``scan_stored(sha256, store_root)`` scans the APK stored under ``sha256`` and writes the report to the store's
result path for (sha256, engine version, rules version). If that result already exists the task does nothing, so
a redelivered task (after a worker was killed) or a duplicate submission costs one file check. A scan that fails
on bad input writes a result with ``status: failed`` and the reason: the failure is a result too, never a retry
loop.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from appwarden.distributed.app import app
from appwarden.distributed.storage import ContentStore
from appwarden.errors import AppwardenError


@app.task(name="appwarden.scan_stored", acks_late=True, reject_on_worker_lost=True)
def scan_stored(sha256: str, store_root: str) -> dict[str, Any]:
    """Scan one stored APK unless its result exists; returns a small status record."""
    from appwarden.scan import engine_info, scan_apk

    store = ContentStore(store_root)
    engine = engine_info()
    target = store.result_path(sha256, engine["version"], engine["rules_version"])
    if target.exists():
        return {"sha256": sha256, "status": "exists"}
    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    # Fault-injection knob for the kill test (tests/distributed): hold each task in flight this many seconds.
    delay = float(os.environ.get("APPWARDEN_FAULT_DELAY", "0") or 0)
    if delay > 0:
        time.sleep(delay)
    try:
        report = scan_apk(store.apk_path(sha256))
        data: dict[str, Any] = {"status": "ok", "worker": worker, "report": report}
    except AppwardenError as exc:
        data = {"status": "failed", "worker": worker, "error": str(exc)}
    data["sha256"] = sha256
    data["seconds"] = round(time.perf_counter() - started, 3)
    store.write_result(target, data)
    return {"sha256": sha256, "status": data["status"]}
