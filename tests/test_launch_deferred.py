"""appwarden.launch.defer_imports: standard-library modules registered before they are imported, their code run on
first use, with exactly the contents a normal import gives. Each check runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "apks"
NAMES = ("inspect", "ast", "dis", "opcode", "tokenize", "token", "linecache", "ipaddress", "copy", "shutil")


def _run(code: str, *args: str, cwd: Path | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        cwd=cwd,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


_CONTENTS = """
import json, sys
names = {names!r}
{setup}
out = {{}}
for n in names:
    m = sys.modules[n] if n in sys.modules else __import__(n)
    out[n] = {{
        "keys": sorted(vars(m)) if type(m).__name__ == "module" else None,
        "file": m.__file__, "spec": m.__spec__.name, "cached": m.__cached__, "package": m.__package__,
    }}
print(json.dumps(out))
"""


def test_deferred_modules_equal_imported_ones_once_used() -> None:
    setup = """
from appwarden.launch import defer_imports
assert defer_imports() == list(names), defer_imports
import inspect, copy, ipaddress  # importing does not run them
assert all(type(sys.modules[n]).__name__ == "_DeferredModule" for n in names)
assert not hasattr(ipaddress, "__path__") and type(ipaddress).__name__ == "_DeferredModule"
from copy import deepcopy  # runs copy
assert deepcopy([1, [2]]) == [1, [2]] and type(copy).__name__ == "module"
assert str(inspect.signature(lambda a, b=1: None)) == "(a, b=1)"
assert ipaddress.ip_address("::1").version == 6
for n in names:
    dir(sys.modules[n])  # dir() runs the rest
try:
    copy.no_such_name
except AttributeError as exc:
    assert str(exc) == "module 'copy' has no attribute 'no_such_name'", exc
"""
    deferred = _run(_CONTENTS.format(names=NAMES, setup=setup))
    normal = _run(_CONTENTS.format(names=NAMES, setup=""))
    assert deferred == normal


def test_only_missing_plain_source_modules_are_deferred() -> None:
    got = _run(
        """
import json, sys, copy
from appwarden.launch import defer_imports
print(json.dumps(defer_imports(("copy", "json", "sys", "_thread", "no_such_module_xyz", "ipaddress"))))
"""
    )
    assert got == [
        "ipaddress"
    ]  # copy and json already imported, sys and _thread built in, no module: not found


def test_threads_see_one_complete_module() -> None:
    got = _run(
        """
import json, sys, threading
from appwarden.launch import defer_imports
defer_imports(("inspect", "ast", "dis", "opcode", "tokenize", "token", "linecache"))
import inspect
start = threading.Barrier(8)
seen = []
def use():
    start.wait()
    seen.append((id(inspect.Parameter), id(inspect.signature), str(inspect.signature(use))))
threads = [threading.Thread(target=use) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps([len(seen), len(set(seen)), type(inspect).__name__]))
"""
    )
    assert got == [8, 1, "module"]


def test_a_module_failing_to_run_is_dropped_as_a_failed_import(tmp_path: Path) -> None:
    (tmp_path / "fails_at_import.py").write_text("value = 1\nraise ValueError('broken')\n")
    got = _run(
        """
import json, sys
sys.path.insert(0, ".")
from appwarden.launch import defer_imports
assert defer_imports(("fails_at_import",)) == ["fails_at_import"]
import fails_at_import
try:
    fails_at_import.value
    raised = None
except ValueError as exc:
    raised = str(exc)
gone = "fails_at_import" not in sys.modules
try:
    import fails_at_import
    again = None
except ValueError as exc:
    again = str(exc)
print(json.dumps([raised, gone, again]))
""",
        cwd=tmp_path,
    )
    assert got == ["broken", True, "broken"]


def test_console_scan_defers_them_and_writes_the_same_report(tmp_path: Path) -> None:
    probe = """
import atexit, json, sys
from appwarden import launch
def show():
    print(json.dumps({n: type(sys.modules[n]).__name__ for n in launch.DEFERRED_MODULES if n in sys.modules}))
atexit.register(show)
sys.argv = ["appwarden", "scan", sys.argv[1], "-o", sys.argv[2], "-q"]
launch.main()
"""
    apk = str(FIXTURES / "pi_all.apk")
    state = _run(probe, apk, str(tmp_path / "console.json"))
    assert state["ipaddress"] == "_DeferredModule" and state["tokenize"] == "_DeferredModule"
    assert set(state.values()) <= {
        "_DeferredModule",
        "module",
    }  # copy: run by dataclasses.asdict for this app
    embedded = """
import json, sys
from appwarden.launch import main
print(json.dumps(main(["scan", sys.argv[1], "-o", sys.argv[2], "-q"])))
"""
    _run(embedded, apk, str(tmp_path / "embedded.json"))

    def canonical(path: Path) -> dict:
        report = json.loads(path.read_text())
        report.pop("generated_at", None)
        report.pop("timings", None)
        return report

    assert canonical(tmp_path / "console.json") == canonical(tmp_path / "embedded.json")


def test_tempfile_works_with_shutil_deferred(tmp_path: Path) -> None:
    got = _run(
        """
import json, os, sys
from appwarden.launch import defer_imports
assert defer_imports(("shutil",)) == ["shutil"]
import tempfile  # what reading a big DEX entry mapped does (appwarden.apk.archive.read_mapped)
with tempfile.TemporaryFile(prefix="appwarden-", dir=tempfile.gettempdir()) as fh:
    fh.write(b"dex")
    fh.seek(0)
    data = fh.read()
fd, name = tempfile.mkstemp(dir=sys.argv[1], prefix=".x-", suffix=".tmp")  # the knowledge caches' writes
os.close(fd)
os.unlink(name)
before = type(sys.modules["shutil"]).__name__
folder = tempfile.mkdtemp(dir=sys.argv[1])
import shutil
shutil.rmtree(folder)  # runs shutil
print(json.dumps([data.decode(), before, type(shutil).__name__, os.path.exists(folder)]))
""",
        str(tmp_path),
    )
    assert got == ["dex", "_DeferredModule", "module", False]
