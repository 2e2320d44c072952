"""The distributed scan task: idempotent, safe to run twice, safe to kill.

``scan_stored(sha256, store_root)`` scans the APK stored under ``sha256`` and writes the report to the store's
result path for (sha256, engine version, rules version). If that result already exists the task does nothing, so
a redelivered task (after a worker was killed) or a duplicate submission costs one file check. A scan that fails
on bad input writes a result with ``status: failed`` and the reason: the failure is a result too, never a retry
loop.

The scan runs in a child process (:func:`appwarden.distributed.sandbox.run_isolated`) killed after
``APPWARDEN_SCAN_TIMEOUT`` seconds (default 600) and capped at ``APPWARDEN_SCAN_MEMORY_MB`` (default 4096) of
address space: a hostile APK ends as a ``failed`` result with ``kind`` ``timeout`` or ``memory`` and never takes the
worker (or its broker connection) down with it.
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from appwarden.distributed.app import app
from appwarden.distributed.sandbox import SandboxLimits, ScanFailed, run_isolated
from appwarden.distributed.storage import ContentStore
from appwarden.errors import AppwardenError


def limits_from_env() -> SandboxLimits:
    """Per-scan limits from ``APPWARDEN_SCAN_TIMEOUT`` / ``APPWARDEN_SCAN_MEMORY_MB`` (the platform's names)."""
    default = SandboxLimits()
    return SandboxLimits(
        timeout=float(os.environ.get("APPWARDEN_SCAN_TIMEOUT") or default.timeout),
        memory_mb=int(os.environ.get("APPWARDEN_SCAN_MEMORY_MB") or default.memory_mb),
        max_report_mb=int(os.environ.get("APPWARDEN_SCAN_MAX_REPORT_MB") or default.max_report_mb),
    )


@app.task(name="appwarden.scan_stored", acks_late=True, reject_on_worker_lost=True)
def scan_stored(sha256: str, store_root: str) -> dict[str, Any]:
    """Scan one stored APK unless its result exists; returns a small status record."""
    from appwarden.scan import engine_info

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
        report = run_isolated(
            store.apk_path(sha256), limits=limits_from_env(), labels={str(store.apk_path(sha256)): sha256}
        )
        data: dict[str, Any] = {"status": "ok", "worker": worker, "report": report}
    except ScanFailed as exc:
        data = {"status": "failed", "worker": worker, "error": str(exc), "kind": exc.kind}
    except AppwardenError as exc:
        data = {"status": "failed", "worker": worker, "error": str(exc)}
    data["sha256"] = sha256
    data["seconds"] = round(time.perf_counter() - started, 3)
    store.write_result(target, data)
    return {"sha256": sha256, "status": data["status"]}
