"""Start-up of a single ``appwarden scan`` (through the CLI): heavy modules are imported only when the scan needs them.

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
import json, os, sys
from appwarden.cli import main
with open(os.devnull, "w") as sink:  # the summary goes to a file: plain text, as in a script or CI log
    stdout, sys.stdout = sys.stdout, sink
    code = main(["scan", sys.argv[1], "-o", os.devnull])
    sys.stdout = stdout
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules_after_scan(apk: Path, cache: Path) -> set[str]:
    env = {"APPWARDEN_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    for _ in range(2):  # the first run fills the knowledge caches; the second is what every later scan does
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, str(apk)], capture_output=True, text=True, env=env, check=True
        )
    result = json.loads(out.stdout)
    assert result["code"] in (0, 1)  # scanned (1: findings at the --fail-on level)
    return set(result["modules"])


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
        "rich",  # only a terminal gets the rich summary
        "tempfile",  # only to write a knowledge cache, which is warm here
        "appwarden.apk.netsec",  # pi_all.apk has no network security config
    ):
        assert heavy not in mods, f"{heavy} imported by a scan that does not need it"
