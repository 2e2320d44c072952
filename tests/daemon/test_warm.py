"""The daemon's start-up warm-up: every step works, and the warm-up APK is the fixture it says it is."""

from __future__ import annotations

import subprocess
import sys

from appwarden.daemon.warm import WARMUP_APK
from tests.daemon.conftest import APKS


def test_every_preload_step_works_including_the_warm_up_scan() -> None:
    code = (
        "import sys\n"
        "from appwarden.daemon.warm import preload\n"
        "problems = preload()\n"
        "print('\\n'.join(problems))\n"
        "sys.exit(1 if problems else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == "" and out.stderr == ""  # the warm-up scan's summary stays in its buffer


def test_the_warm_up_apk_is_the_pi_all_fixture() -> None:
    assert WARMUP_APK.read_bytes() == (APKS / "pi_all.apk").read_bytes()
