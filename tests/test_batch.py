"""Local batch runner: dedupe, resume, bad inputs, per-app timeout and memory cap."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from appwarden import batch as batch_mod
from appwarden.batch import BatchOptions, discover, load_done, run_batch
from tests.zip_helpers import with_comment

APKS = Path(__file__).resolve().parent / "fixtures" / "apks"


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    shutil.copy(APKS / "pi_all.apk", src / "a.apk")
    shutil.copy(APKS / "pi_all.apk", src / "sub" / "a_copy.apk")  # true duplicate
    (src / "b.apk").write_bytes(with_comment((APKS / "pi_all.apk").read_bytes(), b"other bytes"))
    (src / "empty.apk").write_bytes(b"")
    (src / "notes.txt").write_text("not an apk")
    (src / "loop").symlink_to(src, target_is_directory=True)  # a symlink loop must not trap the walk
    (src / "dangling.apk").symlink_to(src / "missing.apk")
    return src


def test_discover_reports_unusable_paths(inbox: Path) -> None:
    found = dict(discover([inbox]))
    assert found[str(inbox / "empty.apk")] == "empty file (0 bytes)"
    assert found[str(inbox / "dangling.apk")] == "broken symbolic link"
    assert found[str(inbox / "a.apk")] is None
    assert not any("/loop/" in p for p in found)


def test_batch_dedupes_records_failures_and_resumes(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_batch([inbox], out, BatchOptions(jobs=2, timeout=120))
    records = load_done(out)
    by_name = {Path(p).name: r for p, r in records.items()}
    assert by_name["a.apk"]["status"] == "ok"
    assert by_name["b.apk"]["status"] == "ok"
    assert by_name["a_copy.apk"]["status"] == "duplicate"
    assert by_name["notes.txt"]["status"] == "failed" and by_name["notes.txt"]["error"]
    assert by_name["empty.apk"]["status"] == "failed"
    assert summary.scanned == 2 and summary.duplicates == 1 and summary.failed == 3
    report = json.loads((out / "apps" / f"{by_name['a.apk']['sha256']}.json").read_text())
    assert report["app"]["sha256"] == by_name["a.apk"]["sha256"]
    assert (out / "results.csv").read_text(encoding="utf-8-sig").startswith("path,sha256,status")
    # Second run: nothing successful is redone; failures are retried (and fail again).
    mtime = (out / "apps" / f"{by_name['a.apk']['sha256']}.json").stat().st_mtime_ns
    again = run_batch([inbox], out, BatchOptions(jobs=2, timeout=120))
    assert again.scanned == 0 and again.skipped == 3 and again.failed == 3
    assert (out / "apps" / f"{by_name['a.apk']['sha256']}.json").stat().st_mtime_ns == mtime


def test_spinning_scan_is_killed_and_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulates a parser that spins on a hostile APK: the forked scan inherits this replacement.
    def spin(path: str, **kwargs: object) -> dict:
        if "slow" in os.path.basename(path):
            time.sleep(60)
        return {"app": {"sha256": "x"}, "findings": []}

    monkeypatch.setattr("appwarden.scan.scan_apk", spin)
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(APKS / "pi_all.apk", src / "slow.apk")
    shutil.copy(APKS / "minimal.apk", src / "fast.apk")
    summary = run_batch([src], tmp_path / "out", BatchOptions(jobs=2, timeout=1.0))
    records = {Path(p).name: r for p, r in load_done(tmp_path / "out").items()}
    assert records["slow.apk"]["status"] == "failed" and "timed out" in records["slow.apk"]["error"]
    assert records["fast.apk"]["status"] == "ok"
    assert summary.failed == 1 and summary.scanned == 1


def test_memory_hungry_scan_hits_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def hog(path: str, **kwargs: object) -> dict:
        blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB, above the 512 MB cap
        return {"app": {}, "findings": [], "n": len(blocks)}

    monkeypatch.setattr("appwarden.scan.scan_apk", hog)
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(APKS / "minimal.apk", src / "big.apk")
    run_batch([src], tmp_path / "out", BatchOptions(jobs=1, timeout=60, memory_mb=512))
    (record,) = load_done(tmp_path / "out").values()
    assert record["status"] == "failed" and "memory cap" in record["error"]


def test_torn_results_line_is_ignored(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / batch_mod.RESULTS).write_text('{"path": "a", "status": "ok", "sha256": "1"}\n{"path": "b", "sta')
    assert list(load_done(out)) == ["a"]


def _gc_probe(path: str, sha: str, out: Path, options: BatchOptions, conn, probe) -> None:  # type: ignore[no-untyped-def]
    import gc

    batch_mod._child(path, sha, out, options, conn)
    probe.send(gc.isenabled())


def test_worker_scans_with_the_cyclic_gc_off(tmp_path: Path) -> None:
    """A batch worker scans one app and ends: the collector stays off after the scan (the parent's is untouched)."""
    import gc
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    (tmp_path / "apps").mkdir()
    result_r, result_w = ctx.Pipe(duplex=False)
    probe_r, probe_w = ctx.Pipe(duplex=False)
    apk = str(APKS / "minimal.apk")
    proc = ctx.Process(target=_gc_probe, args=(apk, "0" * 64, tmp_path, BatchOptions(), result_w, probe_w))
    proc.start()
    assert result_r.poll(120) and result_r.recv()["status"] == "ok"
    assert probe_r.poll(30) and probe_r.recv() is False
    proc.join(30)
    assert gc.isenabled()


def test_undecodable_file_names_are_recorded_and_resumed(tmp_path: Path) -> None:
    """A file name that is not UTF-8 (bytes 0xff/0xfe, a newline, an escape: anyone who can drop a file into the
    inbox) crashed the whole batch with ``internal error: UnicodeEncodeError`` when its record was written. The
    records keep the exact path (JSON-escaped, the file stays UTF-8), so the resume finds it again; the CSV names
    it with backslash escapes; a torn, undecodable last line of results.jsonl does not stop the resume."""
    src = tmp_path / "in"
    odd = os.fsencode(src) + b"/odd\xff\n\x1b[31m"
    os.makedirs(odd)
    shutil.copy(APKS / "minimal.apk", odd + b"/a\xfe.apk")
    with open(odd + b"/b\xfe.apk", "wb") as fh:
        fh.write(b"not a zip")
    out = tmp_path / "out"
    summary = run_batch([src], out, BatchOptions(jobs=1, timeout=120))
    assert summary.scanned == 1 and summary.failed == 1
    records = load_done(out)
    assert {r["status"] for r in records.values()} == {"ok", "failed"}
    assert os.fsdecode(odd + b"/a\xfe.apk") in records
    (out / "results.jsonl").read_bytes().decode("utf-8")  # still UTF-8
    assert "a\\xfe.apk" in (out / "results.csv").read_text(encoding="utf-8-sig")
    json.loads((out / "summary.json").read_text(encoding="utf-8"))
    with (out / "results.jsonl").open("ab") as fh:
        fh.write(b'{"path": "torn \xe4\xb8')  # a write cut inside a UTF-8 character
    again = run_batch([src], out, BatchOptions(jobs=1, timeout=120))
    assert again.scanned == 0 and again.skipped == 1 and again.failed == 1


def test_cli_exit_code_says_whether_an_input_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``appwarden batch`` exited 0 even when every input failed (a FIFO, a 0-byte file, not a zip): a pipeline
    could not tell a clean run from one that scanned nothing. Now 2 when any input failed, 0 otherwise."""
    from appwarden.cli import main

    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(APKS / "minimal.apk", good / "a.apk")
    assert main(["batch", "-o", str(tmp_path / "out1"), "-j", "1", str(good)]) == 0
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(APKS / "minimal.apk", bad / "a.apk")
    (bad / "zero.apk").write_bytes(b"")
    os.mkfifo(bad / "fifo.apk")
    assert main(["batch", "-o", str(tmp_path / "out2"), "-j", "1", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "scanned 1, failed 2" in out and "not a regular file" in out
