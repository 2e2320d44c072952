"""Start-up of a single ``appwarden scan`` (through the CLI): heavy modules are imported only when the scan needs them.

What is asserted is which modules a scan of an APK without a bundled policy or trace imports (the policy text
analysis, the dynamic analyzer, PyYAML once the cache is warm), not how long it takes: speed is shown by
``bench/cli_bench.py``.
"""

from __future__ import annotations

import json
import os
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
    if os.environ.get("PYTHONPATH"):  # a source tree other than the installed one (a worktree) is tested
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
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
        "asn1crypto",  # ... and plain DER ones (pi_all.apk's) by appwarden.apk.certfast, without it
        "rich",  # only a terminal gets the rich summary
        "tempfile",  # only to write a knowledge cache, which is warm here
        "appwarden.apk.netsec",  # pi_all.apk has no network security config
        "shutil",  # argparse's help formatter imports it for its width (appwarden.cli.HelpFormatter does not)
        "csv",  # only the notice-table export
        "pkgutil",  # only to list every rule predicate module
        "logging",  # loggers are appwarden.lazylog's: imported (and configured) when something is logged
        "traceback",  # logging imports it
    ):
        assert heavy not in mods, f"{heavy} imported by a scan that does not need it"


# -- one scan path (issue #19): the scan daemon and its native client were retired --------------------------------


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "appwarden", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_appwarden_is_the_python_console_script() -> None:
    from importlib.metadata import entry_points

    scripts = {
        e.name: e.value for e in entry_points(group="console_scripts") if e.name.startswith("appwarden")
    }
    assert scripts.get("appwarden") == "appwarden.launch:main"
    assert (
        scripts.get("appwarden-py") == "appwarden.launch:main"
    )  # the former launcher name, kept as an alias


def test_the_daemon_package_and_command_are_gone() -> None:
    import importlib.util

    assert importlib.util.find_spec("appwarden.daemon") is None
    out = _cli("daemon", "start")
    assert out.returncode == 2
    assert "invalid choice: 'daemon'" in out.stderr and "Traceback" not in out.stderr


def test_no_daemon_flag_and_variable_are_accepted_and_change_nothing(tmp_path: Path) -> None:
    import os

    apk = FIXTURES / "pi_all.apk"
    env = {**os.environ, "APPWARDEN_CACHE_DIR": str(tmp_path / "cache")}
    plain = _cli("scan", str(apk), "-o", str(tmp_path / "a.json"), "-q", env=env)
    flagged = _cli(
        "scan",
        "--no-daemon",
        str(apk),
        "-o",
        str(tmp_path / "b.json"),
        "-q",
        env={**env, "APPWARDEN_NO_DAEMON": "1"},
    )
    assert plain.returncode == flagged.returncode == 0, plain.stderr + flagged.stderr
    assert "--no-daemon" not in _cli("scan", "--help", env=env).stdout  # deprecated: hidden from the help

    def findings(name: str) -> list[tuple[str, str]]:
        report = json.loads((tmp_path / name).read_text())
        return sorted((f["rule_id"], f.get("owner", "")) for f in report["findings"])

    assert findings("a.json") == findings("b.json") and findings("a.json")


def test_warm_up_for_forked_workers_runs_every_step_and_scans_the_fixture() -> None:
    code = (
        "import sys\n"
        "from appwarden.warm import preload\n"
        "problems = preload()\n"
        "print('\\n'.join(problems))\n"
        "sys.exit(1 if problems else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == "" and out.stderr == ""  # the warm-up scan's summary stays in its buffer
    from appwarden.warm import WARMUP_APK

    assert WARMUP_APK.read_bytes() == (FIXTURES / "pi_all.apk").read_bytes()


# -- a one-shot scan process never runs the cyclic garbage collector ------------------------------------------------

_GC_PROBE = """
import atexit, gc, json, os, sys
import appwarden.cli
from appwarden import launch

real = appwarden.cli.main
seen = {}

def probe(args):
    seen["enabled_in_scan"] = gc.isenabled()
    before = [s["collections"] for s in gc.get_stats()]
    code = real(args)
    seen["collections_in_scan"] = [s["collections"] for s in gc.get_stats()][0] - before[0]
    seen["enabled_after"] = gc.isenabled()
    return code

appwarden.cli.main = probe
atexit.register(lambda: print(json.dumps(seen), file=sys.__stderr__))  # exit_now runs the exit handlers
sys.argv = ["appwarden", "scan", sys.argv[1], "-o", os.devnull, "--quiet"]
launch.main()
"""


def test_one_shot_scan_process_runs_without_the_cyclic_gc(tmp_path: Path) -> None:
    """The console script's ``scan`` disables the collector for the process: the scan's objects would otherwise be
    traversed once more when the scan re-enables it (20-45 ms on a 100 MB-DEX app), right before the process ends
    without freeing anything (``exit_now``)."""
    env = {"APPWARDEN_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", _GC_PROBE, str(FIXTURES / "pi_all.apk")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert out.returncode in (0, 1), out.stderr
    seen = json.loads(out.stderr.strip().splitlines()[-1])
    assert seen == {"enabled_in_scan": False, "collections_in_scan": 0, "enabled_after": False}


def test_embedded_launcher_call_keeps_the_gc(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Called with arguments (tests, embedding) the launcher returns and leaves the collector as it was."""
    import gc

    from appwarden import launch

    monkeypatch.setenv("APPWARDEN_CACHE_DIR", str(tmp_path / "cache"))
    assert gc.isenabled()
    code = launch.main(["scan", str(FIXTURES / "pi_all.apk"), "-o", str(tmp_path / "r.json"), "--quiet"])
    assert code in (0, 1) and (tmp_path / "r.json").exists()
    assert gc.isenabled()


_DATACLASS_PROBE = """
import dataclasses, json, sys
from appwarden.scan import scan_apk
scan_apk(sys.argv[1])
missing = []
for name, module in sorted(sys.modules.items()):
    if not name.startswith("appwarden"):
        continue
    for value in list(vars(module).values()):
        if (
            isinstance(value, type)
            and value.__module__ == name
            and dataclasses.is_dataclass(value)
            and (value.__doc__ or "").startswith(value.__name__ + "(")
        ):
            missing.append(name + "." + value.__qualname__)
print(json.dumps(missing))
"""


def test_every_dataclass_a_scan_defines_has_a_docstring() -> None:
    # a dataclass without one gets its __doc__ from inspect.signature at import, which runs inspect (deferred by
    # appwarden.launch in a one-shot scan) with ast, dis and opcode: ~4-5 ms of every cold scan (issue #19). In a
    # fresh interpreter: only the modules a scan imports
    out = subprocess.run(
        [sys.executable, "-c", _DATACLASS_PROBE, str(FIXTURES / "pi_all.apk")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == []
