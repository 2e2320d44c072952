"""``scan_apk`` pauses the cyclic garbage collector while it runs and restores it after (issue #19: the
collector's passes over a big app's live objects were a tenth of the scan and freed almost nothing)."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest

import appwarden.scan as scan
from appwarden.errors import AppwardenError

APK = Path(__file__).resolve().parent / "fixtures" / "apks" / "pi_all.apk"


def _watch_sdk_stage(
    monkeypatch: pytest.MonkeyPatch, seen: list[bool], hold: threading.Barrier | None = None
):
    real = scan._identify_sdks

    def watched(evidence):  # the real stage, noting whether the collector ran during it
        seen.append(gc.isenabled())
        if hold is not None:
            hold.wait(timeout=30)
        return real(evidence)

    monkeypatch.setattr(scan, "_identify_sdks", watched)


def test_collector_paused_during_the_scan_and_enabled_after(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    _watch_sdk_stage(monkeypatch, seen)
    assert gc.isenabled()
    report = scan.scan_apk(APK)
    assert report["callsites"]
    assert seen == [False]
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    gc.disable()
    try:
        scan.scan_apk(APK)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_enabled_again_after_a_failed_scan(tmp_path: Path) -> None:
    bad = tmp_path / "bad.apk"
    bad.write_bytes(b"not a zip")
    with pytest.raises(AppwardenError):
        scan.scan_apk(bad)
    assert gc.isenabled()


def test_concurrent_scans_enable_it_once_the_last_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    both_in = threading.Barrier(2)
    _watch_sdk_stage(monkeypatch, seen, both_in)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            scan.scan_apk(APK)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    assert seen == [False, False]
    assert gc.isenabled()
