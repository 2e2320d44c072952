"""The command line's cache of compiled dataclass methods (appwarden.cli.codecache; issue #19, per-scan fixed
costs): same classes and same reports, one file read instead of ~260 compiles, damaged files ignored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "apks" / "pi_all.apk"

_PROBE = """
import dataclasses, json, sys
from appwarden.cli import codecache
installed = codecache.install()
compiles = []
real_compile = compile
import builtins
def counting(*a, **k):
    compiles.append(1)
    return real_compile(*a, **k)
codecache.compile = counting  # the module's compile: counts the misses

@dataclasses.dataclass(frozen=True, slots=True, order=True)
class Point:
    x: int
    y: int = 2
    tags: tuple = ()

@dataclasses.dataclass
class Box:
    items: list = dataclasses.field(default_factory=list)

p = Point(1)
try:
    p.x = 5
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
b = Box()
b.items.append(1)
print(json.dumps({
    "installed": installed,
    "compiles": len(compiles),
    "repr": repr(p),
    "eq": Point(1) == Point(1, 2, ()),
    "lt": Point(1) < Point(2),
    "hash": hash(p) == hash(Point(1)),
    "frozen": frozen,
    "fresh_default": Box().items == [] and b.items == [1],
}))
"""


def _probe(env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, check=True, timeout=120
    )
    return json.loads(out.stdout)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "APPWARDEN_NO_CACHE"}
    return {**env, "APPWARDEN_CACHE_DIR": str(tmp_path / "cache"), **extra}


def _cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob("dataclass-fns-*.marshal"))


BEHAVIOUR = {
    "repr": "Point(x=1, y=2, tags=())",
    "eq": True,
    "lt": True,
    "hash": True,
    "frozen": True,
    "fresh_default": True,
}


def test_second_process_compiles_nothing_and_classes_behave_the_same(tmp_path: Path) -> None:
    first = _probe(_env(tmp_path))
    assert first["installed"] and first["compiles"] > 0
    assert {k: first[k] for k in BEHAVIOUR} == BEHAVIOUR
    (cache,) = _cache_files(tmp_path)
    written = cache.stat().st_mtime_ns
    second = _probe(_env(tmp_path))
    assert second["compiles"] == 0  # every method's code came from the file
    assert {k: second[k] for k in BEHAVIOUR} == BEHAVIOUR
    assert cache.stat().st_mtime_ns == written  # nothing new: not rewritten


def test_a_damaged_file_means_compiling_as_before(tmp_path: Path) -> None:
    _probe(_env(tmp_path))
    (cache,) = _cache_files(tmp_path)
    for raw in (b"\x00garbage", cache.read_bytes()[:100], b""):
        cache.write_bytes(raw)
        again = _probe(_env(tmp_path))
        assert again["compiles"] > 0 and {k: again[k] for k in BEHAVIOUR} == BEHAVIOUR
    assert _probe(_env(tmp_path))["compiles"] == 0  # rewritten whole by the last run


def test_disabled_with_the_other_caches(tmp_path: Path) -> None:
    out = _probe(_env(tmp_path, APPWARDEN_NO_CACHE="1"))
    assert out["installed"] is False and out["compiles"] == 0
    assert {k: out[k] for k in BEHAVIOUR} == BEHAVIOUR
    assert not _cache_files(tmp_path)


def test_scan_reports_are_the_same_with_and_without_it(tmp_path: Path) -> None:
    def scan(name: str, **extra: str) -> dict:
        target = tmp_path / name
        subprocess.run(
            [sys.executable, "-m", "appwarden", "scan", str(FIXTURE), "-o", str(target), "-q"],
            env=_env(tmp_path, **extra),
            check=True,
            timeout=300,
            capture_output=True,
        )
        report = json.loads(target.read_text())
        report.pop("timings", None)
        report.pop("generated_at", None)
        return report

    plain = scan("plain.json", APPWARDEN_NO_CACHE="1")
    filling = scan("filling.json")
    assert _cache_files(tmp_path)
    cached = scan("cached.json")
    assert plain == filling == cached and plain["findings"]
