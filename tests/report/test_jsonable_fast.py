"""report.json._jsonable's fast path for plain dicts, lists and tuples: the same copy as the generic conversion."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import random
from collections import OrderedDict
from collections.abc import Mapping
from enum import IntEnum
from pathlib import Path
from typing import Any

from appwarden.evidence import CallSite, ErrorNote
from appwarden.report.json import _jsonable


def _generic(value: Any) -> Any:  # the conversion before the fast path, verbatim
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "to_json") and callable(value.to_json):
        return _generic(value.to_json())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _generic(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _generic(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_generic(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_generic(v) for v in value), key=str)
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


class Level(IntEnum):
    LOW = 1


class Named(str):
    pass


class WithJson(dict):
    def to_json(self) -> dict[str, Any]:
        return {"wrapped": dict(self)}


@dataclasses.dataclass
class Plain:
    a: Any
    b: Any = None


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    leaves = [
        None,
        True,
        False,
        0,
        -7,
        1.5,
        float("inf"),
        "",
        "é->x",
        Named("n"),
        Level.LOW,
        b"\x00\xff",
        Path("a/b"),
        _dt.date(2026, 12, 7),
        _dt.datetime(2026, 12, 7, 17, 0, tzinfo=_dt.UTC),
        CallSite("La;->b()V", "Lx;->y()V", "imei", reachable_from=("r",)),
        ErrorNote("dex", "bad", "classes2.dex"),
        Plain,
    ]
    if depth > 3 or rng.random() < 0.4:
        return rng.choice(leaves)
    items = [_random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = [rng.choice(("k", "é", 1, 2.5, None, Named("s"), Level.LOW, (1, 2))) for _ in items]
    kind = rng.randrange(9)
    if kind == 0:
        return list(items)
    if kind == 1:
        return tuple(items)
    if kind == 2:
        return OrderedDict(zip(keys, items, strict=True))
    if kind == 3:
        return WithJson(zip(map(str, keys), items, strict=True))
    if kind == 4:
        return Plain(items, rng.choice(items) if items else None)
    if kind == 5:
        return {rng.choice(("x", 3, "y")) for _ in items}
    return dict(zip(keys, items, strict=True))


def test_fast_path_equals_generic() -> None:
    rng = random.Random(19)
    for _ in range(3000):
        value = _random_value(rng)
        got, want = _jsonable(value), _generic(value)
        assert got == want
        assert json.dumps(got, sort_keys=False, default=repr) == json.dumps(
            want, sort_keys=False, default=repr
        )
        assert type(got) is type(want)
