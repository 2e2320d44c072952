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


# --- test-only engine for the isolation tests (tests/platform/test_job_isolation.py) --------------------------------
HOG_MARK = b"appwarden-test-hog"


def hostile_copy(data: bytes, tag: str = "") -> bytes:
    """The same APK with ``HOG_MARK`` (and ``tag``, to make its sha256 distinct) as its zip comment."""
    from tests.zip_helpers import with_comment

    return with_comment(data, HOG_MARK + tag.encode())


def hog(apk_path, **kwargs):
    """Scan like the real engine, except an APK marked by :func:`hostile_copy`: then do what
    ``APPWARDEN_TEST_HOG`` says after writing this process's pid to ``APPWARDEN_TEST_MARKER`` (when set):

    - ``cpu`` (default): a catastrophic regular expression, which holds the GIL for hours (as the policy reader's
      markdown expressions did): a scan run in a thread of the web server would stop it answering;
    - ``memory``: allocate 64 MB blocks until the allocation is refused;
    - ``kill``: SIGKILL itself (a crash without a result).
    """
    if HOG_MARK not in Path(apk_path).read_bytes()[-200:]:
        from appwarden.scan import scan_apk

        return scan_apk(apk_path, **kwargs)
    _misbehave()


def hog_upload_check(apk_path, **kwargs):
    """The platform's upload check (``APPWARDEN_UPLOAD_CHECK_ENGINE``): the real one
    (:func:`appwarden.platform.core.uploadcheck.check_upload`), except on an APK marked by :func:`hostile_copy`,
    where it misbehaves as :func:`hog` does (a parse that holds the GIL, eats memory or dies)."""
    if HOG_MARK not in Path(apk_path).read_bytes()[-200:]:
        from appwarden.platform.core.uploadcheck import check_upload

        return check_upload(apk_path, **kwargs)
    _misbehave()


def _misbehave():
    import re
    import signal

    if os.environ.get("APPWARDEN_TEST_MARKER"):
        with Path(os.environ["APPWARDEN_TEST_MARKER"]).open("a") as fh:
            fh.write(f"{os.getpid()}\n")
    mode = os.environ.get("APPWARDEN_TEST_HOG", "cpu")
    if mode == "memory":
        blocks = []
        while True:
            blocks.append(bytearray(64 * 1024 * 1024))
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    re.match(r"(a*)*b", "a" * 64)
    raise AssertionError("unreachable: the regex above never ends in a test's lifetime")
