"""The static navigation graph (appwarden.rules.navigation) behind policy.access.too_many_taps (认定方法 RD-1.3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from appwarden.dex.records import EV_CONST_CLASS, EV_NEW_INSTANCE
from appwarden.errors import RuleError
from appwarden.rules.navigation import navigation
from appwarden.rules.predicates import get
from appwarden.scan import build_evidence

HERE = Path(__file__).parent / "policy.access.too_many_taps"
APPS = Path(__file__).parent / "_apps"


def _full_builder(ev):
    """A navigation builder that builds every screen (no screen ruled out as unable to show the policy) from each
    method's own events (no whole-app lookups): the graph as it was made before issue #19."""
    from appwarden.rules.navigation import POLICY_TEXTS, POLICY_URL, _Builder
    from appwarden.rules.static_support import code_of

    b = _Builder(ev, code_of(ev), ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
    b._may_mark = lambda: None  # type: ignore[method-assign]
    b._sparse_facts = lambda: None  # type: ignore[method-assign]  # each method's events read on their own
    return b


def _nav(name: str, **changes):
    ev = build_evidence(str(HERE / name))
    for key, value in changes.items():
        setattr(ev.static, key, value)
    return ev, navigation(ev)


def test_splash_forwarding_costs_no_tap_and_is_not_the_main_screen() -> None:
    _ev, nav = _nav("nav_two_taps.apk")
    assert nav.launchers == ["Lcom/appwarden/rules/navtwo/SplashActivity;"]
    assert nav.main == ["Lcom/appwarden/rules/navtwo/MainActivity;"]
    assert nav.taps == 2
    assert [(s.rsplit("/", 1)[-1], n) for s, n, _via in nav.path()] == [
        ("MainActivity;", 0),
        ("SettingsActivity;", 1),
        ("PolicyActivity;", 2),
    ]
    assert nav.policy_mark is not None and nav.policy_mark.cost == 0  # the page itself loads the policy URL


def test_five_taps_path_and_its_handlers() -> None:
    _ev, nav = _nav("nav_five_taps.apk")
    assert nav.taps == 5
    vias = [via for _s, _n, via in nav.path()][1:]
    assert all(v.endswith("$1;->onClick(Landroid/view/View;)V") for v in vias)


def test_menu_item_selection_is_a_tap() -> None:
    _ev, nav = _nav("nav_menu.apk")
    assert nav.taps == 2
    assert nav.path()[1][2].endswith("MainActivity;->onOptionsItemSelected(Landroid/view/MenuItem;)Z")


def test_layout_android_onclick_is_a_tap() -> None:
    _ev, nav = _nav("nav_layout_onclick.apk")
    assert nav.taps == 2
    assert nav.path()[1][2] == "Lcom/appwarden/rules/navlayout/MainActivity;->openAbout(Landroid/view/View;)V"


def test_no_policy_anywhere() -> None:
    ev, nav = _nav("nav_no_policy.apk")
    assert nav.taps is None and not nav.unreached_marks and not nav.dialog_only
    # no screen can show the policy: the graph beyond the main screen is not built (issue #19) ...
    assert nav.graph is False and nav.main == ["Lcom/appwarden/rules/navnone/MainActivity;"]
    # ... built, it has both screens and no path
    full = _full_builder(ev)
    assert full.build().taps is None
    assert set(full.nav.screens) == {
        "Lcom/appwarden/rules/navnone/MainActivity;",
        "Lcom/appwarden/rules/navnone/AboutActivity;",
    }


def test_first_run_consent_dialog_is_no_way_to_the_policy() -> None:
    ev = build_evidence(str(APPS / "consent_gated.apk"))
    nav = navigation(ev)
    assert nav.taps is None
    assert nav.dialog_only == ["Lcom/appwarden/rules/consentok/SplashActivity;->showPrivacy()V"]


def test_policy_page_outside_the_graph_is_named() -> None:
    ev = build_evidence(str(APPS / "consent_res_gated.apk"))
    nav = navigation(ev)
    assert nav.taps is None
    assert "Lcom/appwarden/rules/consentresok/PolicyActivity;" in [s for s, _m in nav.unreached_marks]


@pytest.mark.parametrize(
    ("changes", "label"),
    [
        ({"native_libs": ["lib/arm64-v8a/libflutter.so"]}, "Flutter"),
        ({"assets": ["assets/index.android.bundle"]}, "React Native"),
        ({"assets": ["assets/apps/__UNI__1/www/manifest.json"]}, "uni-app/DCloud"),
        ({"native_libs": ["lib/armeabi-v7a/libcocos2djs.so"]}, "cocos"),
    ],
)
def test_cross_platform_ui_is_blind_and_silent(changes: dict, label: str) -> None:
    ev, nav = _nav("nav_five_taps.apk", **changes)
    assert nav.blind.startswith(label)
    assert get("policy_taps_from_main").fn(ev, {"max_taps": 4}) == []


def test_threshold_is_a_parameter() -> None:
    ev, _nav5 = _nav("nav_five_taps.apk")
    check = get("policy_taps_from_main").fn
    assert len(check(ev, {"max_taps": 4})) == 1
    assert check(ev, {"max_taps": 5}) == []


@pytest.mark.parametrize(
    "bad", [{"max_taps": 0}, {"max_taps": "4"}, {"max_taps": True}, {"policy_texts": []}]
)
def test_bad_params_rejected(bad: dict) -> None:
    with pytest.raises(RuleError):
        get("policy_taps_from_main").fn.validate_params(bad)


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "apks"


@pytest.mark.corpus
def test_corpus_tab_fragment_path_to_the_settings_policy_row() -> None:
    """getActivity/AndroidProject: the splash forwards from an animation callback, the home screen's tab fragment
    opens the settings screen, whose layout holds the 隐私政策 row (a lower bound: the tab tap is not counted)."""
    apk = CORPUS / "cn_sdk" / "AndroidProject__release_a.apk"
    if not apk.exists():
        pytest.skip(f"corpus APK absent: {apk}")
    nav = navigation(build_evidence(str(apk)))
    assert nav.main == ["Lcom/hjq/demo/ui/activity/HomeActivity;"]
    assert nav.taps == 2
    assert nav.path()[-1][0] == "Lcom/hjq/demo/ui/activity/SettingActivity;"
    assert "Fragment" in nav.path()[-1][2]


def test_tapped_fragment_and_preference_intent_are_taps() -> None:
    _ev, nav = _nav("nav_prefs_fragment.apk")
    assert nav.taps == 2
    steps = [(s.rsplit("/", 1)[-1], n, via) for s, n, via in nav.path()]
    assert steps[1][:2] == ("SettingsFragment;", 1)
    assert steps[2] == ("PolicyActivity;", 2, "res/xml/settings.xml")
    assert nav.screens["Lcom/appwarden/rules/navprefs/SettingsFragment;"].kind == "fragment"


def test_consent_dialog_span_on_the_main_screen_is_left_out() -> None:
    _ev, nav = _nav("nav_dialog_main.apk")
    assert nav.dialog_only == ["Lcom/appwarden/rules/navdialog/MainActivity;->showPrivacy()V"]
    main = nav.screens["Lcom/appwarden/rules/navdialog/MainActivity;"]
    assert not any("MainActivity$2" in h for h in main.handlers)  # the dialog's ClickableSpan
    assert nav.taps == 5


def test_base_class_virtual_call_stays_in_its_own_screen() -> None:
    _ev, nav = _nav("nav_base_activity.apk")
    main = nav.screens["Lcom/appwarden/rules/navbase/MainActivity;"]
    assert set(main.edges) == {"Lcom/appwarden/rules/navbase/SettingsActivity;"}
    assert nav.dist["Lcom/appwarden/rules/navbase/DeepActivity;"] == 2
    assert nav.taps is None
    assert [s for s, _m in nav.unreached_marks] == ["Lcom/appwarden/rules/navbase/PolicyActivity;"]


def test_router_apps_get_no_missing_path_lead_and_a_router_note_on_long_paths() -> None:
    check = get("policy_taps_from_main").fn
    ev, nav = _nav("nav_no_policy.apk")
    nav.routers = ["ARouter"]  # as if ARouter.build(path) were called: its jumps are invisible
    assert check(ev, {"max_taps": 4}) == []
    ev, nav = _nav("nav_five_taps.apk")
    nav.routers = ["ARouter"]
    (hit,) = check(ev, {"max_taps": 4})
    assert "ARouter" in hit.message_zh and "may be shorter" in hit.message_en


def test_the_no_policy_screen_lead_is_a_schema_valid_report():
    """The lead's policy evidence item (the known policy's source) must satisfy the report schema (a policy item
    requires ``sentence``), or a store's JSON consumer rejects the whole report."""
    from appwarden.report.json import schema_errors
    from appwarden.scan import scan_apk

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    report = scan_apk(
        Path(__file__).parent / "policy.access.too_many_taps" / "nav_no_policy.apk",
        policy_path=fixtures / "policies" / "minimal_policy.txt",
    )
    leads = [f for f in report["findings"] if f["rule_id"] == "policy.access.too_many_taps"]
    assert len(leads) == 1 and any(e["type"] == "policy" for e in leads[0]["evidence"])
    assert schema_errors(report) == []


FIXTURE_APPS = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


@pytest.mark.parametrize(
    "apk", [*sorted(HERE.glob("*.apk")), *sorted(FIXTURE_APPS.glob("*.apk"))], ids=lambda p: p.name
)
def test_one_read_per_method_equals_the_separate_reads(apk: Path) -> None:
    """The builder reads a method's const-class/new-instance types, strings and literals in one walk (issue #19):
    for every method of every app class, exactly what the separate reads give."""
    from appwarden.rules.navigation import _Builder
    from appwarden.rules.static_support import code_of, method_literals, method_strings, methods_of

    ev = build_evidence(str(apk))
    code = code_of(ev)
    if code is None:
        pytest.skip("no code")
    builder = _Builder(ev, code, ev.static.manifest, ("隐私政策",), re.compile("privacy"))
    checked = 0
    for cls in sorted(code.classes):
        for m in methods_of(code, cls):
            consts, news = [], []
            for ci, r in code.method_records(m):
                dc = code.codes[ci]
                for _i, kind, _op, _off, idx in dc.events_of_record(r):
                    if kind == EV_CONST_CLASS:
                        consts.append(dc.type_descs[idx])
                    elif kind == EV_NEW_INSTANCE:
                        news.append(dc.type_descs[idx])
            assert builder.events(m) == (consts, news), m
            assert builder.strings(m) == method_strings(code, m), m
            assert builder.literals(m) == method_literals(code, m), m
            checked += bool(consts or news or builder.strings(m) or builder.literals(m))
    assert checked


NAV_APPS = [*sorted(HERE.glob("*.apk")), *sorted(APPS.glob("*.apk")), *sorted(FIXTURE_APPS.glob("*.apk"))]


def _observed(nav) -> tuple:
    """What a Navigation tells a caller about the policy (and the graph it found the path in)."""
    mark = nav.policy_mark
    return (
        nav.launchers,
        nav.main,
        nav.taps,
        nav.policy_screen,
        (mark.method, mark.what, mark.cost) if mark else None,
        [(s, m.method, m.what, m.cost) for s, m in nav.unreached_marks],
        nav.dialog_only,
        nav.blind,
        nav.routers,
        nav.capped,
        nav.path(),
    )


@pytest.mark.parametrize("apk", NAV_APPS, ids=lambda p: p.name)
def test_screens_skipped_as_markless_have_no_mark(apk: Path) -> None:
    """The search for policy marks on screens not reached builds only the activities ``_may_mark`` lets through
    (issue #19): every activity it rules out, built anyway, has no mark, and the navigation is the one found by
    building every activity."""
    from appwarden.rules.navigation import POLICY_TEXTS, POLICY_URL, _Builder
    from appwarden.rules.static_support import code_of

    ev = build_evidence(str(apk))
    code = code_of(ev)
    if code is None or ev.static.manifest is None:
        pytest.skip("no code or manifest")

    def builder() -> _Builder:
        return _Builder(ev, code, ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))

    pruned = builder()
    nav = pruned.build()
    full = _full_builder(ev)
    assert _observed(nav) == _observed(full.build())
    if nav.blind or not nav.launchers:
        return
    may = pruned._may_mark()
    if may is None:
        return
    for desc in pruned.activities:
        if not may(desc):
            assert full._get(desc).marks == [], desc


def test_a_policy_page_not_reached_is_never_ruled_out() -> None:
    """nav_base_activity's PolicyActivity shows the policy and is reached from nowhere: the pruned search still
    builds it (and names it), while the activities that cannot show the policy are ruled out."""
    from appwarden.rules.navigation import POLICY_TEXTS, POLICY_URL, _Builder
    from appwarden.rules.static_support import code_of

    ev = build_evidence(str(HERE / "nav_base_activity.apk"))
    b = _Builder(ev, code_of(ev), ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
    nav = b.build()
    may = b._may_mark()
    assert may is not None
    policy = "Lcom/appwarden/rules/navbase/PolicyActivity;"
    assert may(policy) and [s for s, _m in nav.unreached_marks] == [policy]
    ruled_out = sorted(a.rsplit("/", 1)[-1] for a in b.activities if not may(a))
    assert ruled_out == ["DeepActivity;", "MainActivity;", "OtherActivity;", "SettingsActivity;"]


@pytest.mark.parametrize("apk", NAV_APPS, ids=lambda p: p.name)
@pytest.mark.parametrize("enough", [0, 1, 2, 4])
def test_a_bfs_stopped_at_enough_taps_knows_the_fewest_taps(apk: Path, enough: int) -> None:
    """``navigation(enough=n)`` (what policy.access.too_many_taps asks with n = max_taps, issue #19) may stop the
    BFS once the policy is known to be at most n taps away: the fewest taps is the full graph's; beyond n the
    whole answer is the full one."""
    from appwarden.rules.navigation import POLICY_TEXTS, POLICY_URL, _Builder
    from appwarden.rules.static_support import code_of

    ev = build_evidence(str(apk))
    code = code_of(ev)
    if code is None or ev.static.manifest is None:
        pytest.skip("no code or manifest")

    def build(stop: int | None):
        b = _Builder(ev, code, ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
        b.enough = stop
        return b.build()

    full, cut = build(None), build(enough)
    assert full.complete
    if full.taps is not None and full.taps <= enough:
        assert cut.taps == full.taps and not cut.capped
        assert cut.path()[-1][1] + cut.policy_mark.cost == full.taps  # the path it names has that many taps
        assert set(cut.screens) <= set(full.screens)
    else:
        assert cut.complete and _observed(cut) == _observed(full)


def test_the_bfs_stops_once_the_policy_is_near_enough() -> None:
    """A complete graph in the cache answers any ``enough``; AndroidProject's policy row is 2 taps away, so with
    enough=4 the screens farther than 2 taps are not built, with enough=1 all are."""
    ev = build_evidence(str(HERE / "nav_two_taps.apk"))
    full = navigation(ev)
    assert full.complete and navigation(ev, enough=2) is full
    apk = CORPUS / "cn_sdk" / "AndroidProject__release_a.apk"
    if not apk.exists():
        pytest.skip(f"corpus APK absent: {apk}")
    ev = build_evidence(str(apk))
    full = navigation(ev, enough=1)
    assert full.complete and full.taps == 2
    ev = build_evidence(str(apk))
    cut = navigation(ev, enough=4)
    assert cut.taps == 2 and not cut.complete and set(cut.screens) < set(full.screens)


@pytest.mark.parametrize("apk", NAV_APPS, ids=lambda p: p.name)
def test_sparse_facts_are_the_read_facts_filtered(apk: Path) -> None:
    """The events found for the whole app at once (``_sparse_facts``: activity const-classes, fragment
    new-instances, activity names loaded) are, for every method of every app class, exactly its own events
    filtered so (issue #19); the fragment classes found walking down from the bases are the ones ``is_fragment``
    accepts."""
    from appwarden.rules.navigation import POLICY_TEXTS, POLICY_URL, _Builder
    from appwarden.rules.static_support import code_of, methods_of

    ev = build_evidence(str(apk))
    code = code_of(ev)
    if code is None or ev.static.manifest is None:
        pytest.skip("no code or manifest")
    b = _Builder(ev, code, ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
    assert b._fragment_classes() == {c for c in code.classes if b.is_fragment(c)}
    sparse = b._sparse_facts()
    assert sparse is not None
    seen = 0
    for cls in sorted(code.classes):
        for m in methods_of(code, cls):
            consts, news = b.events(m)
            want = (
                tuple(t for t in consts if t in b.activities),
                tuple(t for t in news if b.is_fragment(t)),
                tuple(b.by_name[s] for s in b.strings(m) if s in b.by_name),
            )
            assert sparse.get(m, ((), (), ())) == want, m
            seen += any(want)
    assert set(sparse) <= {m for c in code.classes for m in methods_of(code, c)}
    assert seen == len(sparse)


def test_a_failing_whole_app_lookup_falls_back_to_reading_each_method(monkeypatch) -> None:
    """A code index that cannot list subclasses or callers (a malformed DEX raising DexFormatError) leaves the
    navigation as it was before issue #19's lookups: every method's own events, every screen built."""
    from appwarden.errors import DexFormatError

    ev = build_evidence(str(HERE / "nav_base_activity.apk"))
    want = _observed(_full_builder(ev).build())
    code = ev.static.code

    def broken(*_a, **_k):
        raise DexFormatError("malformed class defs")

    monkeypatch.setattr(code, "subclasses", broken)
    monkeypatch.setattr(code.callgraph, "callers", broken)
    from appwarden.rules import navigation
    from appwarden.rules.navigation import POLICY_TEXTS, POLICY_URL, _Builder

    # the rules' own subclass search (static_support.subclasses, which the index's answer only backs) fails too
    monkeypatch.setattr(navigation, "subclasses", broken)
    # the walk back from the marks over node ids (no callers() call) declines: callers() is asked, as before
    monkeypatch.setattr(navigation, "_callers_within", lambda: None)

    b = _Builder(ev, code, ev.static.manifest, POLICY_TEXTS, re.compile(POLICY_URL, re.IGNORECASE))
    assert _observed(b.build()) == want
    assert b._sparse_facts() is None and b._may_mark() is None and b._marks is None
