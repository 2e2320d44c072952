"""The shared input and deadline helpers of ``appwarden.limits`` (issue #17)."""

from __future__ import annotations

import os
import threading
import time

import pytest

from appwarden.errors import InputError, LimitExceeded
from appwarden.limits import (
    check_deadline,
    cooperative_deadline,
    deadline_monotonic,
    open_regular_file,
    read_regular_file,
)


def test_reads_a_regular_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"hello")
    assert read_regular_file(path, 5) == b"hello"


def test_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(InputError, match="not a regular file"):
        read_regular_file(fifo, 1024, "trace")
    assert time.monotonic() - started < 5


def test_link_to_dev_zero_is_refused(tmp_path):
    link = tmp_path / "zero.apk"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="not a regular file"):
        read_regular_file(link, 1024, "APK")


def test_directory_and_missing_file_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        read_regular_file(tmp_path, 1024)
    with pytest.raises(InputError, match="cannot open"):
        read_regular_file(tmp_path / "missing", 1024)


def test_size_is_checked_before_reading(tmp_path):
    big = tmp_path / "big.bin"
    with big.open("wb") as fh:  # sparse: 2 GiB - 1 bytes of size, no disk used
        fh.truncate(2**31 - 1)
    with pytest.raises(LimitExceeded, match="over the limit"):
        open_regular_file(big, 1024 * 1024, "policy")


def test_cooperative_deadline_expires_and_nests_to_the_earlier():
    with cooperative_deadline("outer", 0.05):
        outer_at = deadline_monotonic()
        with cooperative_deadline("inner", 100):
            assert deadline_monotonic() == outer_at  # never extends an enclosing deadline
        time.sleep(0.06)
        with pytest.raises(LimitExceeded, match="'outer' exceeded its time limit"):
            check_deadline()
    check_deadline()  # none active: no-op
    assert deadline_monotonic() == 0.0


def test_cooperative_deadline_works_in_a_thread():
    seen: list[str] = []

    def work() -> None:
        with cooperative_deadline("policy", 0.01):
            time.sleep(0.02)
            try:
                check_deadline()
            except LimitExceeded as exc:
                seen.append(str(exc))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen == ["stage 'policy' exceeded its time limit of 0.01 s"]


def test_rules_past_the_deadline_are_not_evaluated_never_passed():
    from pathlib import Path

    from appwarden.rules.engine import evaluate
    from appwarden.scan import build_evidence, packaged_rules

    apk = Path(__file__).resolve().parent / "fixtures" / "apks" / "pi_all.apk"
    evidence = build_evidence(apk)
    rules = packaged_rules()
    assert evaluate(evidence, rules).findings  # the fixture has findings when time allows
    with cooperative_deadline("rules", 0.001):
        time.sleep(0.01)
        results = evaluate(evidence, rules)
    assert results.findings == [] and results.evaluated == []
    enabled = [r for r in rules if r.enabled]
    assert len(results.not_evaluated) == len(enabled)
    assert {n.reason for n in results.not_evaluated} == {"stage 'rules' exceeded its time limit of 0.001 s"}
