"""dumps_report with one C encoder made once (report.json._one_encoder) gives the text of JSONEncoder.encode."""

from __future__ import annotations

import dataclasses
import json
import math
import random
from pathlib import Path

import pytest

from appwarden.report import json as report_json


@dataclasses.dataclass
class Point:
    x: int
    label: str


def reference(report: dict, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as m:
        m.setattr(report_json, "_one_encoder", lambda: None)  # JSONEncoder.encode per value, as before
        return report_json.dumps_report(report)


def random_value(rng: random.Random, depth: int = 0) -> object:
    kinds = ["int", "float", "str", "none", "bool", "odd"] + (["list", "dict", "tuple"] if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "int":
        return rng.choice([0, -1, 2**70, rng.randint(-1000, 1000)])
    if kind == "float":
        return rng.choice([0.1, -2.5e300, math.nan, math.inf, -math.inf, rng.random()])
    if kind == "str":
        return "".join(rng.choice('a"\\\n\t\x00\u2028é漢😀/') for _ in range(rng.randint(0, 8)))
    if kind == "none":
        return None
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "odd":  # through the encoder's default (_jsonable)
        return rng.choice([Point(1, "p"), Path("/a/b"), {1, 2}, frozenset(), {3: "int key"}])
    n = rng.randint(0, 4)
    if kind == "list":
        return [random_value(rng, depth + 1) for _ in range(n)]
    if kind == "tuple":
        return tuple(random_value(rng, depth + 1) for _ in range(n))
    return {rng.choice(["k", "é", "a b", '"q"', ""]) + str(i): random_value(rng, depth + 1) for i in range(n)}


def test_one_encoder_exists_here() -> None:
    assert report_json._one_encoder() is not None  # CPython with the C accelerator


def test_same_text_as_encode_per_value(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(19)
    for _ in range(300):
        report = {f"key{i}": random_value(rng) for i in range(rng.randint(0, 6))}
        report["callsites"] = [random_value(rng, 2) for _ in range(rng.randint(0, 5))]
        assert report_json.dumps_report(report) == reference(report, monkeypatch)


def test_a_value_seen_twice_is_no_cycle_and_a_cycle_still_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    shared = {"a": [1, 2]}
    report = {"x": [shared, shared], "y": {"z": shared}}
    assert report_json.dumps_report(report) == reference(report, monkeypatch)
    assert json.loads(report_json.dumps_report(report))["x"][1] == shared
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular"):
        report_json.dumps_report({"x": [loop]})
