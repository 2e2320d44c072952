"""Django for the platform tests, without pytest-django.

Settings come from ``appwarden.platform.settings`` with a throw-away data directory; the database is SQLite
unless ``APPWARDEN_PLATFORM_TEST_DB`` names another (the PostgreSQL test runs this suite in a subprocess with it).
Tests are ``django.test.TestCase`` classes (each test in a rolled-back transaction). The scan queue is ``none``:
tests run jobs explicitly with ``run_scan``.
"""

from __future__ import annotations

import os
import tempfile

import pytest

_DATA = tempfile.mkdtemp(prefix="appwarden-platform-test-")
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


from django.conf import settings  # noqa: E402

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # test speed only
