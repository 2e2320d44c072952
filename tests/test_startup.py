"""Start-up of a single ``appwarden scan``: heavy modules are imported only when the scan needs them.

What is asserted is which modules a scan of an APK without a bundled policy or trace imports (the policy text
analysis, the dynamic analyzer, PyYAML once the cache is warm), not how long it takes: speed is shown by
``bench/cli_bench.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "apks"

_PROBE = """
import json, sys
from appwarden.scan import scan_apk
scan_apk(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""


def _modules_after_scan(apk: Path, cache: Path) -> set[str]:
    env = {"APPWARDEN_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    for _ in range(2):  # the first run fills the knowledge caches; the second is what every later scan does
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, str(apk)], capture_output=True, text=True, env=env, check=True
        )
    return set(json.loads(out.stdout))


def test_scan_without_policy_or_trace_skips_their_modules(tmp_path: Path) -> None:
    mods = _modules_after_scan(FIXTURES / "pi_all.apk", tmp_path / "cache")
    assert "appwarden.dex.index" in mods and "appwarden.rules.engine" in mods  # the probe did scan
    for heavy in (
        "appwarden.policy.elements",
        "appwarden.policy.segment",
        "appwarden.policy.consistency",
        "appwarden.dynamic.analyze",
        "appwarden.dynamic.trace",
        "yaml",
        "cryptography.x509",  # certificates are read with asn1crypto, which v1 PKCS#7 needs anyway
    ):
        assert heavy not in mods, f"{heavy} imported by a scan that does not need it"
