"""An Intent carrying private data starts its app components in the order of their names, whatever the process's
hash seed (a label set iterates in hash order: with two ``c:`` labels the walks, their site numbers and the sink
order of a report once followed PYTHONHASHSEED)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from appwarden.screening.flow import intent_starts

COMPONENTS = [f"Lcom/x/Svc{i};" for i in range(12)]

SCRIPT = (
    "import json, sys\n"
    "from appwarden.screening.flow import intent_starts\n"
    "names = json.loads(sys.argv[1])\n"
    "intent = frozenset(['s:imei', 'net'] + ['c:' + n for n in names])\n"
    "print(json.dumps({'starts': [s[0] for s in intent_starts(intent)], 'raw': [x for x in intent]}))\n"
)


def _run(seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(COMPONENTS)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout)


def test_starts_follow_component_names_not_the_hash_seed() -> None:
    runs = [_run(seed) for seed in ("1", "2", "3", "4")]
    assert len({tuple(r["raw"]) for r in runs}) > 1  # the label set's own order does follow the seed
    assert all(r["starts"] == sorted(COMPONENTS) for r in runs)


def test_each_start_carries_the_private_labels_only() -> None:
    starts = intent_starts(frozenset({"c:Lb;", "s:imei", "c:La;", "net", "s:loc"}))
    assert starts == [
        ("La;", frozenset({"s:imei", "s:loc"}), "intent"),
        ("Lb;", frozenset({"s:imei", "s:loc"}), "intent"),
    ]


def test_no_private_data_starts_nothing() -> None:
    assert intent_starts(frozenset({"c:La;", "c:Lb;", "net"})) == []
    assert intent_starts(frozenset({"s:imei"})) == []
