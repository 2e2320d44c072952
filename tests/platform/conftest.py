"""Django for the platform tests, without pytest-django.

Settings come from ``appwarden.platform.settings`` with a throw-away data directory; the database is SQLite
unless ``APPWARDEN_PLATFORM_TEST_DB`` names another (the PostgreSQL test runs this suite in a subprocess with it).
Tests are ``django.test.TestCase`` classes (each test in a rolled-back transaction). The scan queue is ``none``:
tests run jobs explicitly with ``run_scan``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

_DATA = tempfile.mkdtemp(prefix="appwarden-platform-test-")
atexit.register(shutil.rmtree, _DATA, ignore_errors=True)  # each session's data directory goes with it
os.environ["APPWARDEN_DATA_DIR"] = _DATA
os.environ["APPWARDEN_WORKER"] = "none"
os.environ["APPWARDEN_MAX_UPLOAD_MB"] = "1"
os.environ["DJANGO_SETTINGS_MODULE"] = "appwarden.platform.settings"
if os.environ.get("APPWARDEN_PLATFORM_TEST_DB"):
    os.environ["DATABASE_URL"] = os.environ["APPWARDEN_PLATFORM_TEST_DB"]
else:
    os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()


@pytest.fixture(scope="session", autouse=True)
def django_test_database():
    """Create the test database once per session (``test_<name>``) and destroy it at the end."""
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
        teardown_test_environment,
    )

    setup_test_environment()
    config = setup_databases(verbosity=0, interactive=False)
    yield
    teardown_databases(config, verbosity=0)
    teardown_test_environment()


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Each test starts with empty throttle counters (the public-complaint budget lives in the LocMem cache)."""
    from django.core.cache import cache

    cache.clear()
    yield


from django.conf import settings  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test speed only


# --- a real `appwarden serve` process for the end-to-end and CLI tests ---------------------------------------------
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

import platform_factories as pf  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


class PlatformServer:
    """A running ``appwarden serve`` (SQLite + embedded worker thread) in a temporary data directory."""

    def __init__(self, base: str, data_dir: Path, env: dict[str, str]) -> None:
        self.base, self.data_dir, self.env = base, data_dir, env

    def cli(self, *args: str) -> str:
        """Run an ``appwarden`` command against the same data directory; return stdout."""
        proc = subprocess.run(
            [sys.executable, "-m", "appwarden", *args, "--data-dir", str(self.data_dir)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def user(self, name: str, role: str, *extra: str) -> str:
        """Create a user with password ``pw-<name>``; return its API token."""
        out = self.cli("platform-user", name, "--role", role, "--password", f"pw-{name}", "--token", *extra)
        return out.strip().splitlines()[-1].split("token: ")[1]


@pytest.fixture(scope="session")
def platform_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("platform-server")
    port = pf.free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        {
            "APPWARDEN_DATA_DIR": str(data_dir),
            "APPWARDEN_WORKER": "thread",
            "APPWARDEN_MAX_UPLOAD_MB": "1",
            "APPWARDEN_SECRET_KEY": "e2e-secret",
        }
    )
    log = (data_dir / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "appwarden", "serve", "--port", str(port), "--data-dir", str(data_dir)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/login/", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("appwarden serve did not start: " + (data_dir / "server.log").read_text()[-2000:])
    if proc.poll() is not None:
        pytest.fail("appwarden serve exited: " + (data_dir / "server.log").read_text()[-2000:])
    yield PlatformServer(base, data_dir, env)
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
