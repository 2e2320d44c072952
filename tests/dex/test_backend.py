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
