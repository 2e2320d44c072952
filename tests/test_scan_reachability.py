"""scan._with_root: the same call site as ``dataclasses.replace(site, reachable_from=(root,))``."""

from __future__ import annotations

import dataclasses
import random

from appwarden.evidence import CallSite
from appwarden.scan import _with_root


def _random_site(rng: random.Random) -> CallSite:
    word = lambda: "".join(rng.choice("abcé/;->$") for _ in range(rng.randrange(0, 12)))  # noqa: E731
    return CallSite(
        word(),
        word(),
        word(),
        kind=rng.choice(("invoke", "field", "string")),
        dex=word(),
        offset=rng.randrange(1 << 32),
        owner=word(),
        arg=rng.choice((None, word())),
        unresolved=rng.random() < 0.5,
        reachable_from=tuple(word() for _ in range(rng.randrange(3))),
    )


def test_with_root_equals_replace() -> None:
    rng = random.Random(19)
    for _ in range(500):
        site = _random_site(rng)
        root = "Lroot;->onCreate()V" if rng.random() < 0.5 else ""
        got = _with_root(site, root)
        want = dataclasses.replace(site, reachable_from=(root,))
        assert type(got) is CallSite
        assert got == want
        assert [getattr(got, f.name) for f in dataclasses.fields(CallSite)] == [
            getattr(want, f.name) for f in dataclasses.fields(CallSite)
        ]


def test_with_root_names_every_field_in_order() -> None:
    # _with_root passes the fields positionally: a field added to CallSite must be added there too
    assert [f.name for f in dataclasses.fields(CallSite)] == [
        "caller",
        "api",
        "category",
        "kind",
        "dex",
        "offset",
        "owner",
        "arg",
        "unresolved",
        "reachable_from",
    ]


def test_with_root_keeps_a_subclass() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Marked(CallSite):
        mark: int = 7

    site = Marked("La;->b()V", "Lx;->y()V", "imei", mark=3)
    got = _with_root(site, "La;->onCreate()V")
    assert type(got) is Marked and got.mark == 3 and got.reachable_from == ("La;->onCreate()V",)
