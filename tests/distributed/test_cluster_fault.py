"""Fault test against the real RabbitMQ: two Celery workers, one SIGKILLed mid-batch; every APK ends with
exactly one result (late acknowledgement + idempotent tasks + atomic result writes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.zip_helpers import with_comment

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "apks" / "pi_all.apk"


def start_worker(env: dict[str, str], queue: str, broker: str, log: Path) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "appwarden",
        "cluster",
        "worker",
        "-c",
        "1",
        "--queue",
        queue,
        "--broker",
        broker,
    ]
    return subprocess.Popen(
        cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )


@pytest.mark.service
@pytest.mark.slow
def test_killed_worker_loses_nothing_and_duplicates_nothing(tmp_path: Path, amqp_url: str) -> None:
    apks = tmp_path / "apks"
    apks.mkdir()
    data = FIXTURE.read_bytes()
    count = 16
    for i in range(count):
        (apks / f"app{i:02d}.apk").write_bytes(with_comment(data, f"copy {i}".encode()))
    (apks / "dup.apk").write_bytes(with_comment(data, b"copy 0"))  # a true duplicate of app00
    store = tmp_path / "store"
    queue = f"appwarden.test.{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "APPWARDEN_FAULT_DELAY": "0.8", "APPWARDEN_QUEUE": queue, "PYTHONUNBUFFERED": "1"}
    workers = [start_worker(env, queue, amqp_url, tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        submit = subprocess.run(
            [
                sys.executable,
                "-m",
                "appwarden",
                "cluster",
                "submit",
                str(apks),
                "--store",
                str(store),
                "--broker",
                amqp_url,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert submit.returncode == 0, submit.stderr
        assert "queued 16" in submit.stdout
        results = store / "results"
        deadline = time.monotonic() + 60
        while len(list(results.glob("*.json"))) < 3:
            assert time.monotonic() < deadline, "workers produced no results"
            time.sleep(0.1)
        log0 = tmp_path / "worker0.log"
        deadline = time.monotonic() + 30
        while log0.read_text().count(" received") <= log0.read_text().count(" succeeded in "):
            assert time.monotonic() < deadline, "worker 0 never held a task in flight"
            time.sleep(0.02)
        os.killpg(
            workers[0].pid, signal.SIGKILL
        )  # the whole machine dies mid-task: main process and pool child
        workers[0].wait(timeout=10)
        text = log0.read_text()
        assert text.count(" received") > text.count(" succeeded in "), "the kill must strand a task in flight"
        deadline = time.monotonic() + 120
        while len(list(results.glob("*.json"))) < count:
            assert time.monotonic() < deadline, f"only {len(list(results.glob('*.json')))} of {count} results"
            time.sleep(0.2)
        time.sleep(1.5)  # let a redelivered duplicate (if any) finish: it must not add a file
        files = list(results.glob("*.json"))
        assert len(files) == count
        shas = [json.loads(f.read_text())["sha256"] for f in files]
        assert len(set(shas)) == count
        assert all(json.loads(f.read_text())["status"] == "ok" for f in files)
        assert not list(results.glob("*.part"))
    finally:
        for w in workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
                try:
                    w.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(w.pid, signal.SIGKILL)
