"""The pure-Python fallback gives the same call sites as the C backend through the whole public API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, sys
from pathlib import Path
from appwarden.dex import backend
from appwarden.dex.api_index import PiApiIndex, find_callsites
from appwarden.dex.index import build_index
data = Path(sys.argv[1]).read_bytes()
index = build_index([("classes.dex", data)])
sites = [s.to_json() for s in find_callsites(index, PiApiIndex.load())]
graph = sorted(index.callgraph.reachable(["Lcom/aw/t/Graph;->onCreate(Landroid/os/Bundle;)V"]))
print(json.dumps({"backend": backend(), "sites": sites, "graph": graph, "stats": index.stats()}))
"""


def run(backend: str) -> dict:
    env = dict(os.environ, APPWARDEN_DEX_BACKEND=backend)
    data = Path(__file__).parent / "data" / "main.dex"
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(data)], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


def test_python_fallback_equals_c_backend() -> None:
    c, py = run("c"), run("python")
    assert py["backend"] == "python"
    assert c["backend"] in ("c", "python")  # "python" only when the extension is not built
    assert py["sites"] == c["sites"] and len(c["sites"]) > 10
    assert py["graph"] == c["graph"] and py["stats"] == c["stats"]


LAZY = """
import json, sys
from appwarden.launch import main
code = main(["scan", sys.argv[1], "-o", sys.argv[2]])
from appwarden.dex import backend
print(json.dumps({"code": code, "backend": backend(), "pywalk": "appwarden.dex.pywalk" in sys.modules}))
"""


def test_pywalk_is_imported_only_when_a_twin_runs(tmp_path: Path) -> None:
    """A scan with the C extensions never imports the pure-Python twins (~1,600 lines: ~13 ms of start-up without
    bytecode caches); the forced Python backend imports them and reports "python"."""
    apk = Path(__file__).parents[1] / "fixtures" / "apks" / "pi_all.apk"
    outs = {}
    for backend in ("c", "python"):
        env = dict(os.environ, APPWARDEN_DEX_BACKEND=backend)
        report = tmp_path / f"{backend}.json"
        got = subprocess.run(
            [sys.executable, "-c", LAZY, str(apk), str(report)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        outs[backend] = json.loads(got.splitlines()[-1])
        assert outs[backend]["code"] == 0 and report.stat().st_size > 100
    assert outs["python"] == {"code": 0, "backend": "python", "pywalk": True}
    if outs["c"]["backend"] == "c":  # extension built
        assert outs["c"]["pywalk"] is False
