"""The screening section of a report does not depend on the process's hash seed: every fixture app screened in two
processes with different PYTHONHASHSEED gives the same verdict, indicators and evidence, in the same order (a
callee set's iteration order once chose which call a ransomware item's ``with``/``via`` named)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

APPS = Path(__file__).parent / "_apps"

SCRIPT = (
    "import json, sys\n"
    "from pathlib import Path\n"
    "from appwarden.scan import scan_apk\n"
    "out = {}\n"
    "for apk in sorted(Path(sys.argv[1]).glob('*.apk')):\n"
    "    out[apk.name] = scan_apk(str(apk)).get('screening')\n"
    "print(json.dumps(out, sort_keys=True, default=str))\n"
)


def _screen_all(seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(APPS)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=600,
    )
    return json.loads(run.stdout)


def test_screening_does_not_depend_on_the_hash_seed() -> None:
    first, second = _screen_all("1"), _screen_all("2")
    assert len(first) >= 20
    assert any(s and s.get("indicators") for s in first.values())
    assert first == second
