"""A navigation graph not built (no screen can show the policy) finds its main screens when first asked for
(issue #19): the same ``main`` / ``dist`` / ``parent`` as before, and no screen's closure made until then."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from appwarden.rules import navigation as navmod
from appwarden.rules.navigation import POLICY_TEXTS, POLICY_URL, Navigation, _Builder
from appwarden.rules.static_support import code_of
from appwarden.scan import build_evidence

HERE = Path(__file__).parent / "policy.access.too_many_taps"


def _builder(ev) -> _Builder:
    return _Builder(ev, code_of(ev), ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))


def test_main_screens_of_a_graph_not_built_are_found_when_asked(monkeypatch) -> None:
    ev = build_evidence(str(HERE / "nav_no_policy.apk"))
    b = _builder(ev)
    shown: list[str] = []
    real = _Builder._shown

    def counted(self, cls):
        shown.append(cls)
        return real(self, cls)

    monkeypatch.setattr(_Builder, "_shown", counted)
    nav = b.build()
    assert nav.graph is False and nav.taps is None
    assert not shown and "main" not in vars(nav)  # nothing built for the main screens yet
    assert nav.main == ["Lcom/appwarden/rules/navnone/MainActivity;"]
    assert shown  # found now, from the screens' no-tap parts
    assert nav.dist == {"Lcom/appwarden/rules/navnone/MainActivity;": 0}
    assert nav.parent == {"Lcom/appwarden/rules/navnone/MainActivity;": None}
    assert nav.path("Lcom/appwarden/rules/navnone/MainActivity;") == [
        ("Lcom/appwarden/rules/navnone/MainActivity;", 0, "")
    ]
    # the same as found at once (a builder that builds the graph finds them first)
    assert _eager_main(ev, monkeypatch) == nav.main


def _eager_main(ev, monkeypatch) -> list[str]:
    """The main screens as a build that goes on to the graph finds them (before anything else)."""
    with monkeypatch.context() as m:
        m.setattr(_Builder, "_screens_at_most", lambda self, limit: False)
        m.setattr(_Builder, "_bfs", lambda self, starts, may_mark: self.nav)
        return _builder(ev).build().main


@pytest.mark.parametrize("apk", sorted(HERE.glob("*.apk")), ids=lambda p: p.name)
def test_fields_are_those_of_the_eager_build(apk: Path, monkeypatch) -> None:
    """Every navigation fixture: a graph not built gives the main screens a build going on to the graph finds
    first, and ``dist`` / ``parent`` holding them alone."""
    ev = build_evidence(str(apk))
    nav = _builder(ev).build()
    if nav.graph:
        assert "main" in vars(nav)
        return
    assert nav.main == _eager_main(ev, monkeypatch)
    assert nav.dist == dict.fromkeys(nav.main, 0) and nav.parent == dict.fromkeys(nav.main)


def test_a_failing_main_screen_search_raises_on_each_use() -> None:
    nav = Navigation()
    calls: list[int] = []

    def failing() -> None:
        calls.append(1)
        raise KeyError("Lbroken;")

    del nav.main, nav.dist, nav.parent
    nav._pending = failing  # type: ignore[attr-defined]
    for _ in range(2):
        with pytest.raises(KeyError):
            _ = nav.main
    assert len(calls) == 2
    with pytest.raises(AttributeError):
        _ = nav.no_such_field  # type: ignore[attr-defined]


def test_the_rule_reads_the_main_screens_only_for_a_lead(monkeypatch) -> None:
    """policy.access.too_many_taps on an app with no policy anywhere and no policy text known returns no hit
    without asking for the main screens; with a policy known it names them, as before."""
    from appwarden.rules.predicates.policy_access import check_policy_taps

    ev = build_evidence(str(HERE / "nav_no_policy.apk"))
    navmod._CACHE.clear()
    assert check_policy_taps(ev, {}) == []
    got = navmod._CACHE[id(ev.static)][2]
    assert got is not None and "main" not in vars(got)


def _exclusions(b: _Builder) -> tuple:
    return (set(b.excluded_methods), set(b.excluded_classes), b.excluded_lambdas, list(b.nav.dialog_only))


@pytest.mark.parametrize("apk", sorted(HERE.glob("*.apk")), ids=lambda p: p.name)
def test_consent_dialog_exclusions_with_the_start_closure_made_on_demand(apk: Path, monkeypatch) -> None:
    """The consent dialog's exclusions are those made with the launchers' start closure made first (as before
    issue #19), and the start closure is made only when a dialog method sits on a screen class."""
    _check_exclusions(apk, monkeypatch)


def _check_exclusions(apk: Path, monkeypatch) -> bool:
    ev = build_evidence(str(apk))
    lazy = _builder(ev)
    asked: list[int] = []
    real = _Builder._start_closure

    def counted(self, launchers):
        asked.append(1)
        return real(self, launchers)

    monkeypatch.setattr(_Builder, "_start_closure", counted)
    lazy_nav = lazy.build()
    monkeypatch.setattr(_Builder, "_start_closure", real)
    eager = _builder(ev)
    start: dict[str, set[str]] = {}
    original = _Builder._exclude_consent_dialog

    def exclude_eagerly(self, start_of):  # the closure made before the consent model is asked, as it was
        start["s"] = made = start_of()
        return original(self, lambda: made)

    monkeypatch.setattr(_Builder, "_exclude_consent_dialog", exclude_eagerly)
    eager_nav = eager.build()
    assert "s" in start or not lazy_nav.launchers or lazy_nav.blind
    assert _exclusions(lazy) == _exclusions(eager)
    assert (lazy_nav.taps, lazy_nav.graph, lazy_nav.main) == (eager_nav.taps, eager_nav.graph, eager_nav.main)
    from appwarden.rules.consent import consent_model

    model = consent_model(ev)
    on_screen = model is not None and any(
        navmod._outer(navmod.class_of(d)) in lazy.activities
        or lazy.is_fragment(navmod._outer(navmod.class_of(d)))
        for d in model.dialogs
    )
    assert bool(asked) == on_screen
    return on_screen


def test_some_fixture_has_its_consent_dialog_on_a_screen() -> None:
    on = []
    for apk in sorted(HERE.glob("*.apk")):
        with pytest.MonkeyPatch.context() as mp:
            on.append(_check_exclusions(apk, mp))
    assert any(on) and not all(on)


def test_a_copy_of_a_graph_not_built_finds_its_own_main_screens() -> None:
    import copy

    ev = build_evidence(str(HERE / "nav_no_policy.apk"))
    nav = _builder(ev).build()
    twin = copy.copy(nav)
    assert twin.main == ["Lcom/appwarden/rules/navnone/MainActivity;"] and "main" not in vars(nav)
    assert nav.main == twin.main and nav.parent == twin.parent
