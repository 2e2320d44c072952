"""Notifications in the embedded ``appwarden serve`` (issue #21.5): a company registers a webhook and an email
recipient over the API of a real server; a test ping reaches the local HTTP receiver (signature
verified) through the embedded worker, and the emails land in the file backend's outbox in the data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import platform_factories as pf
import pytest
from test_notifications import Hook

from appwarden.platform.notifications import signing

ROOT = Path(__file__).resolve().parents[2]


def _call(base: str, path: str, token: str, body: dict | None = None, method: str = "POST") -> dict:
    req = urllib.request.Request(
        base + path,
        data=json.dumps(body or {}).encode(),
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"{}")


@pytest.mark.slow
def test_embedded_serve_delivers_webhook_and_file_email(tmp_path):
    hook = Hook()
    data_dir = tmp_path / "data"
    port = pf.free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        APPWARDEN_DATA_DIR=str(data_dir),
        APPWARDEN_SECRET_KEY="serve-notify",
        APPWARDEN_WEBHOOK_ALLOW_PRIVATE="1",
        APPWARDEN_BASE_URL=f"http://127.0.0.1:{port}",
    )
    env.pop("APPWARDEN_WORKER", None)
    env.pop("APPWARDEN_EMAIL_BACKEND", None)

    def cli(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "appwarden", *args, "--data-dir", str(data_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    setup = r"""
import sys
from appwarden.platform import setup
setup()
import platform_factories as pf
from appwarden.platform.core import tokens
company = pf.company("嵌入式通知科技")
print(tokens.issue(pf.user("company", company=company, name="co")))
print(tokens.issue(pf.user("reviewer", name="rev")))
"""
    penv = {**env, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), env.get("PYTHONPATH", "")])}
    cli("notify-deadlines")  # migrates the fresh data directory
    out = subprocess.run(
        [sys.executable, "-c", setup], env=penv, capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    company_token = out.stdout.split()[0]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "appwarden", "serve", "--port", str(port), "--data-dir", str(data_dir)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(base + "/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        endpoint = _call(base, "/api/notification-endpoints/", company_token, {"url": hook.url})
        _call(base, "/api/notification-recipients/", company_token, {"email": "ops@embedded.example"})
        _call(base, f"/api/notification-endpoints/{endpoint['id']}/ping/", company_token)
        deadline = time.time() + 30
        while time.time() < deadline and not hook.requests:
            time.sleep(0.3)
        assert hook.requests, (tmp_path / "serve.log").read_text()[-2000:]
        req = hook.requests[0]
        assert signing.verify(endpoint["secret"], req["body"], req["headers"]["Appwarden-Signature"])
        assert json.loads(req["body"])["event"] == "ping"
        outbox = data_dir / "outbox"
        while time.time() < deadline and not (outbox.exists() and list(outbox.iterdir())):
            time.sleep(0.3)
        mails = [p.read_text() for p in outbox.iterdir()]
        assert len(mails) == 1 and "ops@embedded.example" in mails[0]
        log_rows = _call(base, "/api/notifications/", company_token, method="GET")["results"]
        webhook_delivery = next(d for d in log_rows[0]["deliveries"] if d["channel"] == "webhook")
        assert webhook_delivery["status"] == "delivered"
        assert webhook_delivery["log"][0]["status_code"] == 200
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        hook.close()
