"""Static navigation graph of an app: how many taps from the main screen to the privacy policy (认定方法 RD-1.3).

Contract: :func:`navigation(evidence, texts=..., url_pattern=...)` returns a :class:`Navigation` (cached per static
evidence and arguments) or None without a manifest or code. It never raises on odd input: what it cannot read is
skipped and noted.

**Screens** are the manifest's activities plus the fragments a tap brings up. A screen's *no-tap closure* is what
runs while it is shown without a tap: the lifecycle methods (``onCreate``, ``onStart``, ``onResume``,
``onCreateView``…) of the class and of its app-defined superclasses, followed through the call graph
:data:`DEPTH` calls deep inside app code (platform libraries are not entered; methods of another screen's class
are not entered, so ``BaseActivity.onCreate -> this.initView()`` reaches this screen's ``initView`` only). The
fragments it instantiates join it (a fragment shown at creation costs no tap: a lower bound, since the fragment may
sit behind a tab).

**Taps.** The *tap handlers* of a screen are the click-like methods (:data:`HANDLER_NAMES`: ``onClick``,
``onItemClick``, ``onOptionsItemSelected``, ``onNavigationItemSelected``, ``onMenuItemClick``,
``onPreferenceClick``…, and ``lambda$…`` bodies) of its classes: the screen class and its app superclasses, their
inner classes, and the app classes its no-tap closure instantiates (listeners, adapters); plus the
``android:onClick`` methods named in the layouts it loads (a layout ID literal in the closure) and the
``<intent android:targetClass>`` / ``android:fragment`` of the preference XML it loads. Their closure (same walk) is
what one tap runs. An *edge* is an explicit start of another screen: a ``const-class`` of an activity in a method
that passes a ``Class`` (``new Intent(ctx, X.class)``, ``setClass``, an app helper ``go(Class)``), a ``const-string``
equal to an activity's name (``ComponentName``/``setClassName``), or a new fragment. From the no-tap closure an edge
costs 0 taps (a splash forwarding to the main screen), from a tap closure 1.

**Policy marks.** A method showing or opening the policy: a ``const-string`` holding a policy title (``texts``), a
URL or ``file:///android_asset/`` page whose path matches ``url_pattern``, or a literal of a string/layout resource
naming the policy (:func:`appwarden.rules.consent_resources.policy_resources`). In a tap closure it costs 1 tap from
the screen; in a no-tap closure 0 when the method itself loads the page into a WebView (the screen is the policy
page), else 1 (a visible entry that still has to be tapped). Marks of the first-run consent dialog
(:func:`appwarden.rules.consent.consent_model`: its dialog methods, the classes they instantiate, their lambdas)
are not counted: the dialog is gone once the user agreed.

**Start.** The launcher activities; when they forward without a tap (0-cost edges), the screens they forward to
are the main screen instead (a splash is not the main screen). A 0/1 BFS gives the fewest taps to every screen and
to the policy.

**Blind spots** (:attr:`Navigation.blind`): an app whose UI is a Flutter, React Native, uni-app/DCloud, Cordova,
Weex, cocos or Unity bundle, or whose main screen loads a web page into a WebView, cannot be navigated from its
DEX: the caller should stay silent. Not seen either: routers that start screens by path strings (ARouter, noted
in :attr:`Navigation.routers`), implicit intents, reflection, Jetpack Navigation graphs, Compose. Those hide edges
(the true tap count may be lower); taps inside a screen (scrolling, tabs, a drawer) are not counted (it may be
higher).

**Cost** (issue #19: what policy.access.too_many_taps reads, built once per app). Every method that may name the
policy is found up front (one string search shared with the consent model, a byte search for the resource IDs),
and walked back :data:`DEPTH` calls to the entries that may reach it (:meth:`_Builder._may_mark`): when no screen
can have a mark, only the main screens are looked at (:attr:`Navigation.graph` False; taps None); otherwise the
search for marks on screens not reached builds only the activities that may have one. ``navigation(enough=n)``
stops the BFS once the policy is known to be at most ``n`` taps away (:attr:`Navigation.complete` False). The
no-tap closures read no method's code: the events that can make an edge or bring up a fragment are looked up for
the whole app at once (:meth:`_Builder._sparse_facts`). A lookup that fails on a malformed DEX falls back to
reading each method and building every screen.
"""

from __future__ import annotations

import re
import struct
from array import array
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from appwarden.dex import walker
from appwarden.dex.api_index import is_platform_library
from appwarden.dex.records import (
    EV_CONST_CLASS,
    EV_LITERAL,
    EV_NEW_INSTANCE,
    EV_STRING,
    EVENT_WORDS,
    METHOD_WORDS,
    literal_value,
)
from appwarden.errors import LimitExceeded
from appwarden.evidence import Evidence
from appwarden.limits import check_deadline
from appwarden.rules.static_support import (
    _plain_needle,
    class_of,
    classes_with_prefix,
    code_of,
    java_to_desc,
    method_literals,
    method_records,
    method_strings,
    methods_of,
    record_events,
    strings_containing,
    subclasses,
    superclasses,
)

DEPTH = 4  # calls followed from a lifecycle method or a tap handler
MAX_CLOSURE = 400  # methods per closure at most
MAX_SCREENS = 600  # screens analysed at most (the rest is noted)
MAX_LAYOUT_BYTES = 256 * 1024
MAX_NEAR = 20000  # methods that may reach a policy mark: more, and every screen not reached is built

POLICY_TEXTS = (
    "隐私政策",
    "隐私协议",
    "隐私权政策",
    "隐私保护政策",
    "隐私保护指引",
    "个人信息保护政策",
    "个人信息保护指引",
    "隐私条款",
    "隐私声明",
    "Privacy Policy",
    "privacy policy",
    "PRIVACY POLICY",
)
POLICY_URL = r"(privacy|yinsi|ysxy|ystk|ysbh|policy)"
PAGE_TEXT_LEN = 300  # a const-string this long holding a policy title is the policy's own text

LIFECYCLE = (
    "<init>",
    "onCreate",
    "onPostCreate",
    "onStart",
    "onResume",
    "onPostResume",
    "onCreateView",
    "onViewCreated",
    "onActivityCreated",
    "onAttach",
    "onCreatePreferences",
    "onCreateOptionsMenu",
    "onContentChanged",
    "setContentView",
)
AUTO_CALLBACKS = ("onAnimationEnd", "onFinish", "handleMessage", "run")
HANDLER_NAMES = (
    "onClick",
    "onItemClick",
    "onItemChildClick",
    "onChildClick",
    "onGroupClick",
    "onLongClick",
    "onOptionsItemSelected",
    "onContextItemSelected",
    "onNavigationItemSelected",
    "onMenuItemClick",
    "onMenuItemSelected",
    "onPreferenceClick",
    "onPreferenceTreeClick",
    "onTabSelected",
    "onCheckedChanged",
    "onItemSelected",
    "onSingleClick",
    "onNoDoubleClick",
    "onMultiClick",
)
FRAGMENT_BASES = (
    "Landroidx/fragment/app/Fragment;",
    "Landroid/app/Fragment;",
    "Landroid/support/v4/app/Fragment;",
    "Landroidx/preference/PreferenceFragmentCompat;",
    "Landroid/preference/PreferenceFragment;",
)
LOAD_URL = ("->loadUrl(", "->loadData(", "->loadDataWithBaseURL(")
URL_PREFIXES = ("http://", "https://", "file:///android_asset/")
CLASS_PARAM = "Ljava/lang/Class;"

# (label, test on (class names, native libs, assets)) -> the UI is not in the DEX
BLIND_CLASSES = (
    ("Flutter", ("Lio/flutter/embedding/", "Lio/flutter/app/FlutterActivity;")),
    ("React Native", ("Lcom/facebook/react/ReactActivity;", "Lcom/facebook/react/ReactRootView;")),
    ("uni-app/DCloud", ("Lio/dcloud/PandoraEntry;", "Lio/dcloud/", "Lcom/taobao/weex/")),
    ("Cordova", ("Lorg/apache/cordova/CordovaActivity;",)),
    ("cocos", ("Lorg/cocos2dx/lib/Cocos2dxActivity;", "Lcom/cocos/lib/CocosActivity;")),
    ("Unity", ("Lcom/unity3d/player/UnityPlayerActivity;", "Lcom/unity3d/player/UnityPlayer;")),
)
BLIND_LIBS = (
    ("Flutter", "libflutter.so"),
    ("React Native", "libreactnativejni.so"),
    ("cocos", "libcocos2djs.so"),
    ("cocos", "libcocos2dcpp.so"),
    ("Unity", "libunity.so"),
)
BLIND_ASSETS = (
    ("React Native", re.compile(r"^assets/index\.android\.bundle$")),
    ("uni-app/DCloud", re.compile(r"^assets/apps/[^/]+/www/manifest\.json$")),
    ("Cordova", re.compile(r"^assets/www/cordova\.js$")),
)
ROUTERS = (
    ("ARouter", "Lcom/alibaba/android/arouter/launcher/ARouter;->build"),
    ("TheRouter", "Lcom/therouter/TheRouter;->build"),
    ("WMRouter", "Lcom/sankuai/waimai/router/Router;->startUri"),
    ("DRouter", "Lcom/didi/drouter/api/DRouter;->build"),
    ("Navigation", "Landroidx/navigation/NavController;->navigate"),
)


@dataclass(slots=True)
class Mark:
    """A policy mark: the method showing/opening the policy, what names it, and its tap cost from its screen."""

    method: str
    what: str
    cost: int


@dataclass
class Screen:
    """One screen: its class, no-tap and tap closures' edges (target -> (cost, via method)) and policy marks."""

    cls: str
    kind: str  # activity | fragment
    edges: dict[str, tuple[int, str]] = field(default_factory=dict)
    marks: list[Mark] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)


@dataclass
class Navigation:
    """The navigation graph and the shortest tap path from the main screen to the policy."""

    launchers: list[str] = field(default_factory=list)
    main: list[str] = field(default_factory=list)
    screens: dict[str, Screen] = field(default_factory=dict)
    dist: dict[str, int] = field(default_factory=dict)
    parent: dict[str, tuple[str, str] | None] = field(default_factory=dict)  # screen -> (previous, via)
    taps: int | None = None  # fewest taps to the policy from the main screen; None: no path
    policy_screen: str | None = None
    policy_mark: Mark | None = None
    unreached_marks: list[tuple[str, Mark]] = field(default_factory=list)  # marks on screens not reached
    dialog_only: list[str] = field(default_factory=list)  # consent-dialog methods naming the policy
    blind: str = ""  # why static navigation cannot see the UI ("" when it can)
    routers: list[str] = field(default_factory=list)
    capped: bool = False  # MAX_SCREENS reached: a missing path proves nothing
    # False when no screen can show the policy (_Builder._may_mark) and the BFS could not be capped: only the main
    # screens were looked at (taps None, no unreached marks, dist/parent hold the main screens)
    graph: bool = True
    # False when navigation(enough=n) stopped the BFS once the fewest taps was known to be at most n: ``taps`` is
    # that number, ``policy_screen`` one of the screens reaching it, the screens farther away were not built
    complete: bool = True
    notes: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        # only for an attribute the instance lacks: ``main``, ``dist`` and ``parent`` of a graph built without its
        # main screens (issue #19: see _Builder.build), found now (on failure the error is raised on each use)
        pending = self.__dict__.get("_pending")
        if pending is not None and name in ("main", "dist", "parent"):
            starts = pending()
            self.__dict__.update(main=starts, dist=dict.fromkeys(starts, 0), parent=dict.fromkeys(starts))
            self.__dict__["_pending"] = None
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def path(self, screen: str | None = None) -> list[tuple[str, int, str]]:
        """``[(screen, taps so far, via method)]`` from the main screen to ``screen`` (default: the policy's)."""
        target = screen or self.policy_screen
        out: list[tuple[str, int, str]] = []
        seen: set[str] = set()
        while target is not None and target not in seen:
            seen.add(target)
            step = self.parent.get(target)
            out.append((target, self.dist.get(target, 0), step[1] if step else ""))
            target = step[0] if step else None
        return out[::-1]


@dataclass(slots=True)
class _Shown:
    """The no-tap part of a screen (:meth:`_Builder._shown`)."""

    own: set[str]
    notap: list[str]
    edges: dict[str, tuple[int, str]]


_CACHE: dict[int, tuple[Any, tuple, Navigation | None, dict[int | None, Navigation | None]]] = {}


def navigation(
    evidence: Evidence,
    texts: tuple[str, ...] = POLICY_TEXTS,
    url_pattern: str = POLICY_URL,
    enough: int | None = None,
) -> Navigation | None:
    """The app's navigation graph (cached per static evidence and arguments); None without manifest or code.

    ``enough``: a caller that only needs to know whether the policy is at most ``enough`` taps away lets the BFS
    stop as soon as that is known (:attr:`Navigation.complete` False): ``taps`` is still the fewest taps, but
    ``policy_screen``/``policy_mark``/``path()`` name one of the screens reaching it, and farther screens are not
    built. When the fewest taps is more than ``enough`` (or there is no path) the result is the full one."""
    static = evidence.static
    code = code_of(evidence)
    manifest = static.manifest if static is not None else None
    if static is None or code is None or manifest is None:
        return None
    key = (tuple(texts), url_pattern)
    cached = _CACHE.get(id(static))
    if cached is not None and cached[0] is static and cached[1] == key:
        got = cached[2]  # a complete graph answers any ``enough``; one cut short only the same ``enough``
        if got is None or got.complete or got is cached[3].get(enough):
            return got
    builder = _Builder(evidence, code, manifest, tuple(texts), re.compile(url_pattern, re.IGNORECASE))
    builder.enough = enough
    nav = builder.build()
    _CACHE.clear()
    _CACHE[id(static)] = (static, key, nav, {enough: nav})
    return nav


_UNSEEN: Any = object()


class _KindError(Exception):
    """A lookup error of :meth:`_Builder._class_kind`, carried through ``CallGraph.callees_where`` (which turns
    the graph's own lookup errors into no callees) to be raised as it was."""


_NO_FACTS: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())


def _select(dc: Any, kind: int, idxs: Iterable[int], size: int) -> list[int]:
    """``dc.select(kind, idxs, size)`` (the event numbers of ``kind`` whose idx is one of ``idxs``, ascending) with
    one pass of the walker's ``select`` over the events: for a kind the index never looks up otherwise
    (``const-class``, ``new-instance``), building its inverted index (two passes, ``DexCode.event_index``) for one
    query costs more."""
    bitmap = bytearray((size + 7) // 8)
    for i in idxs:
        if 0 <= i < size:
            bitmap[i >> 3] |= 1 << (i & 7)
    if not any(bitmap):
        return []
    return memoryview(walker.select(dc.events_raw, kind, bytes(bitmap))).cast("I").tolist()


def _callers_within() -> Callable[..., bytes | None] | None:
    """The C kernel ``_reach.callers_within``, None without it (its Python twin would cost more than the reversed
    graph it saves: :func:`_walk_back` then declines and ``callgraph.callers`` is asked, as before)."""
    from appwarden.dex import backend

    if backend() != "c":
        return None
    try:
        from appwarden.dex import _reach
    except ImportError:
        return None
    return getattr(_reach, "callers_within", None)


def _walk_back(
    callgraph: Any, marks: set[str], kernel: Callable[..., bytes | None] | None = None
) -> list[str] | bool | None:
    """The methods that call one of ``marks`` at most :data:`DEPTH` calls deep (the marks left out), as the loop
    of :meth:`_Builder._may_mark_test` over ``callgraph.callers`` finds them, but over node ids with the kernel
    ``callers_within`` (at most :data:`DEPTH` passes over the forward edges), so that the reversed graph is never
    built (issue #19: only this walk asked for it, ~12 ms at 50 MB of DEX). False when they and the marks are more
    than :data:`MAX_NEAR`; None when the graph cannot be walked so (no kernel, not a ``CallGraph`` of node ids)."""
    kernel = kernel or _callers_within()
    forward = getattr(callgraph, "_forward", None)
    if (
        kernel is None
        or forward is None
        or not all(hasattr(callgraph, a) for a in ("_lookup", "_name", "_virtual"))
    ):
        return None
    off, tgt = forward()
    n = len(off) - 1
    if len(callgraph._virtual) != n:
        return None
    seeds = array("I")
    for m in marks:
        try:
            g = callgraph._lookup(m)
        except (KeyError, LookupError):  # callers(m) would give nothing
            continue
        # a node past the adjacency: callers(m) would fail (IndexError, a LookupError), so nothing
        if g is not None and g < n:
            seeds.append(g)
    got = kernel(off, tgt, callgraph._virtual, seeds, DEPTH, MAX_NEAR - len(marks))
    if got is None:
        return False
    return list(map(callgraph._name, memoryview(got).cast("I").tolist()))


def _method_name(method: str) -> str:
    """``Lc;->name(args)ret`` -> ``name``."""
    return method.split("->", 1)[-1].split("(", 1)[0]


def _is_factory(method: str) -> bool:
    """A constructor or a static-factory-like name (``newInstance``, ``getInstance``, ``new…``, ``create…``)."""
    name = _method_name(method)
    return name in ("<init>", "newInstance", "getInstance") or name.startswith(("new", "create", "instance"))


def _outer(cls: str) -> str:
    """``La/B$1$2;`` -> ``La/B;``."""
    return cls.split("$", 1)[0] + ";" if "$" in cls else cls


class _Builder:
    def __init__(
        self, evidence: Evidence, code: Any, manifest: Any, texts: tuple[str, ...], url: re.Pattern[str]
    ) -> None:
        self.evidence = evidence
        self.enough: int | None = None  # see navigation()
        self.code = code
        self.manifest = manifest
        self.texts = texts
        self.url = url
        self.defined = code.classes
        self.nav = Navigation()
        self.activities: dict[str, str] = {}  # descriptor -> java name
        for comp in manifest.components:
            if comp.kind == "activity" and comp.enabled:
                self.activities[java_to_desc(comp.name)] = comp.name
        self.by_name = {name: desc for desc, name in self.activities.items()}
        # per method, read once per build (screens share their base classes' and helpers' methods; the closures
        # of one app visit ~4 times as many methods as there are distinct ones): const-class and new-instance
        # types, const-string values, literals, callees in sorted order, the policy text or URL it holds
        self._events: dict[str, tuple[list[str], list[str]] | Exception] = {}
        self._strings: dict[str, list[str] | Exception] = {}
        self._literals: dict[str, list[int] | Exception] = {}
        self._callees: dict[str, tuple[str, ...]] = {}
        self._names: dict[str, tuple[str, bool] | None] = {}
        self._app: dict[str, list[tuple[str, str, str, int]]] = {}
        self._fragment: dict[str, bool] = {}
        self._supers: dict[str, list[str]] = {}
        self._edges: dict[str, tuple[tuple[str, str], ...]] = {}  # method -> edges_of([method])
        self._news: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}  # method -> _fragments_and_owned
        self._shown_memo: dict[str, _Shown] = {}  # screen class -> its no-tap part
        self._lifecycles: dict[str, tuple[str, ...]] = {}  # class -> its LIFECYCLE methods
        self._autos: dict[str, tuple[str, ...]] = {}  # class -> its AUTO_CALLBACKS methods
        # "Lown$" -> the app classes nested in own (_inner_classes)
        self._nested: dict[str, list[str] | None] = {}
        self._marks: set[str] | None = None  # every method that may name the policy, once known (_may_mark)
        self._sparse: Any = _UNSEEN  # _sparse_facts
        self._frag_classes: Any = _UNSEEN  # _fragment_classes
        # class key (CallGraph.callees_where's) -> (class, (outer, kind) or None) for _app_callees
        self._class_kinds: dict[Any, tuple[str, Any]] = {}
        self.excluded_classes: set[str] = set()
        self.excluded_methods: set[str] = set()
        self.excluded_lambdas: tuple[str, ...] = ()
        self.res_ids: dict[int, str] = {}  # policy resource ID -> what
        self.layouts: dict[int, str] = {}  # layout/xml resource ID -> file
        self.apk = getattr(evidence.static, "apk", None)

    # -- helpers -----------------------------------------------------------------------------------------------

    def supers(self, cls: str) -> list[str]:
        got = self._supers.get(cls)
        if got is None:
            got = [
                c for c in superclasses(self.code, cls) if c in self.defined and not is_platform_library(c)
            ]
            self._supers[cls] = got
        return got

    def is_fragment(self, cls: str) -> bool:
        """Whether ``cls`` is an app class with one of :data:`FRAGMENT_BASES` at most 12 superclass steps up: a
        member of :meth:`_fragment_classes` (the same classes, found walking down), else its superclass walk."""
        got = self._fragment.get(cls)
        if got is None:
            frags = self._fragment_classes()
            if frags is not None:
                got = cls in frags
            else:
                got = cls in self.defined and any(c in FRAGMENT_BASES for c in superclasses(self.code, cls))
            self._fragment[cls] = got
        return got

    def events(self, method: str) -> tuple[list[str], list[str]]:
        """(const-class types, new-instance types) of a method."""
        return self._fact(self._events, method)

    def strings(self, method: str) -> list[str]:
        """The ``const-string`` values of a method, in instruction order (``static_support.method_strings``)."""
        return self._fact(self._strings, method)

    def literals(self, method: str) -> list[int]:
        """The numeric literals of a method (``static_support.method_literals``)."""
        return self._fact(self._literals, method)

    def _fact(self, table: dict[str, Any], method: str) -> Any:
        if method not in table:
            self._read(method)
        got = table[method]
        if isinstance(got, Exception):  # what the separate read raised, raised on each use as it was
            raise got
        return got

    def _read(self, method: str) -> None:
        """:meth:`events`, :meth:`strings` and :meth:`literals` of a method from one walk over its events (the
        code index's ``method_strings`` and ``method_literals`` would each walk them again). A method whose
        events cannot all be read (a malformed DEX) gets the three separate reads instead, each failing as it
        did before."""
        consts: list[str] = []
        news: list[str] = []
        strings: list[str] = []
        literals: list[int] = []
        code = self.code
        try:
            records = method_records(code, method)
        except (KeyError, LookupError):
            records = []
        try:
            for ci, r in records:
                dc = code.codes[ci]
                types = dc.type_descs
                n_types = len(types)
                string = dc.dex.string
                for k, idx, b in record_events(dc, r):
                    kind = k >> 8
                    if kind == EV_STRING:
                        strings.append(str(string(idx)))
                    elif kind == EV_LITERAL:
                        literals.append(literal_value(idx, b))
                    elif kind == EV_CONST_CLASS:
                        if idx < n_types:
                            consts.append(types[idx])
                    elif kind == EV_NEW_INSTANCE and idx < n_types:
                        news.append(types[idx])
        except LimitExceeded:
            raise
        except Exception:
            for table, read in (
                (self._events, lambda: self._events_alone(records)),
                (self._strings, lambda: method_strings(code, method)),
                (self._literals, lambda: method_literals(code, method)),
            ):
                try:
                    table[method] = read()
                except LimitExceeded:
                    raise
                except Exception as exc:
                    table[method] = exc
            return
        self._events[method] = (consts, news)
        self._strings[method] = strings
        self._literals[method] = literals

    def _events_alone(self, records: list[tuple[int, int]]) -> tuple[list[str], list[str]]:
        consts: list[str] = []
        news: list[str] = []
        for ci, r in records:
            dc = self.code.codes[ci]
            types = dc.type_descs
            for _i, kind, _op, _off, idx in dc.events_of_record(r):
                if kind == EV_CONST_CLASS and idx < len(types):
                    consts.append(types[idx])
                elif kind == EV_NEW_INSTANCE and idx < len(types):
                    news.append(types[idx])
        return consts, news

    def callees(self, method: str) -> tuple[str, ...]:
        """The methods ``method`` may call, sorted."""
        got = self._callees.get(method)
        if got is None:
            try:
                got = tuple(sorted(self.code.callgraph.callees(method)))
            except (KeyError, LookupError):
                got = ()
            self._callees[method] = got
        return got

    def _app_callees(self, method: str) -> list[tuple[str, str, str, int]]:
        """``(callee, its class, the outer class, 1 if that is an activity, else 2 if a fragment, else 0)`` of the
        sorted callees in app code (defined, not a platform library): the ones :meth:`closure` may enter. From
        ``CallGraph.callees_where`` (the class test once per class; callees outside app code never named)."""
        got = self._app.get(method)
        if got is None:
            try:
                rows = self.code.callgraph.callees_where(method, self._class_kind, self._class_kinds)
            except _KindError as exc:  # the class test's own error, raised as it was (not the graph's)
                raise exc.__cause__ from None  # type: ignore[misc]
            except (KeyError, LookupError):
                rows = []
            got = [(c, cls, info[0], info[1]) for c, cls, info in rows]
            self._app[method] = got
        return got

    def _class_kind(self, cls: str) -> tuple[str, int] | None:
        """(outer class, 1 if an activity, 2 if a fragment, else 0) of an app class, None outside app code."""
        try:
            if cls in self.defined and not is_platform_library(cls):
                outer = _outer(cls)
                return (outer, 1 if outer in self.activities else 2 if self.is_fragment(outer) else 0)
        except (KeyError, LookupError) as exc:
            raise _KindError from exc
        return None

    def closure(self, entries: list[str], own: set[str], depth: int = DEPTH) -> list[str]:
        """Methods run from ``entries``, :data:`DEPTH` calls deep in app code, not entering another screen's
        class (``own``: the classes of this screen, whose methods may be entered). A call into a fragment class
        of another screen (``HomeFragment.newInstance()``) is not entered but noted in :attr:`frag_refs` (fragment
        -> calling method), as a fragment the methods create."""
        self.frag_refs: dict[str, str] = {}
        seen = dict.fromkeys(entries)
        queue = deque((e, 0) for e in entries)
        while queue and len(seen) < MAX_CLOSURE:
            m, d = queue.popleft()
            if d >= depth:
                continue
            for c, cls, outer, kind in self._app_callees(m):
                if c in seen:
                    continue
                if kind and outer not in own:  # another screen's activity or fragment class
                    # a fragment's factory (HomeFragment.newInstance()), not a base class's virtual call reaching
                    # every fragment's override (BaseFragment.onCreateView -> this.initView())
                    if kind == 2 and cls == outer and _is_factory(c) and class_of(m) not in self.supers(cls):
                        self.frag_refs.setdefault(cls, m)
                    continue
                seen[c] = None
                queue.append((c, d + 1))
                if len(seen) >= MAX_CLOSURE:
                    break
        return list(seen)

    # -- policy marks ------------------------------------------------------------------------------------------

    def mark_of(self, method: str, tapped: bool) -> Mark | None:
        # what the method names, once per build (the consent dialog's exclusions are fixed before any screen is
        # built): None when it is excluded or names no policy
        named = self._names.get(method, _UNSEEN)
        if named is _UNSEEN:
            if self._marks is not None and method not in self._marks:  # names no policy (_policy_methods)
                named = self._names[method] = None
            else:
                excluded = method in self.excluded_methods or self._excluded(method)
                named = self._names[method] = None if excluded else self._names_policy(method)
        if named is None:
            return None
        what, page = named
        return Mark(method, what, 1 if tapped else (0 if page else 1))

    def _names_policy(self, method: str) -> tuple[str, bool] | None:
        """(what in the method names the policy, whether it loads the page itself) or None (see :meth:`mark_of`)."""
        what = ""
        page = False
        for s in self.strings(method):
            if any(t in s for t in self.texts):
                what = s[:120]
                page = len(s) >= PAGE_TEXT_LEN
                break
            if s.startswith(URL_PREFIXES):
                path = s.split("?", 1)[0].split("//", 1)[-1]
                if "/" in path and self.url.search(path.split("/", 1)[1]):
                    what = s[:120]
                    page = any(x in c for c in self.callees(method) for x in LOAD_URL)
                    break
        if not what and self.res_ids:
            for v in self.literals(method):
                if v in self.res_ids:
                    what = self.res_ids[v]
                    break
        if not what:
            return None
        return what, page

    def _excluded(self, method: str) -> bool:
        cls = class_of(method)
        if cls in self.excluded_classes or _outer(cls) in self.excluded_classes:
            return True
        name = method.split("->", 1)[1] if "->" in method else method
        return bool(self.excluded_lambdas) and name.startswith(self.excluded_lambdas)

    # -- edges ---------------------------------------------------------------------------------------------------

    def edges_of(self, methods: list[str]) -> list[tuple[str, str]]:
        """(target screen, via method) started by these methods."""
        out: list[tuple[str, str]] = []
        known = self._edges
        for m in methods:
            got = known.get(m)
            if got is None:
                got = known[m] = self._edges_of_one(m)
            out.extend(got)
        return out

    def _edges_of_one(self, m: str) -> tuple[tuple[str, str], ...]:
        """:meth:`edges_of` of one method (made once per build: a method is in the closures of many screens)."""
        sparse = self._sparse_facts()
        if sparse is not None:  # the same edges from the events that can make one (_sparse_facts)
            acts, frags, names = sparse.get(m, _NO_FACTS)
            out = []
            if acts and any(CLASS_PARAM in c.split("(", 1)[-1].split(")", 1)[0] for c in self.callees(m)):
                out.extend((t, m) for t in acts)
            out.extend((t, m) for t in frags if t not in self.activities)
            out.extend((t, m) for t in names)
            return tuple(out)
        out = []
        consts, news = self.events(m)
        if consts:
            passes = any(CLASS_PARAM in c.split("(", 1)[-1].split(")", 1)[0] for c in self.callees(m))
            if passes:
                out.extend((t, m) for t in consts if t in self.activities)
        for t in news:
            if t not in self.activities and self.is_fragment(t):
                out.append((t, m))
        for s in self.strings(m):
            if s in self.by_name:
                out.append((self.by_name[s], m))
        return tuple(out)

    # -- layouts and preference XML -------------------------------------------------------------------------------

    def _load_resources(self) -> None:
        apk = self.apk
        res = getattr(apk, "resources", None)
        if res is None:
            return
        try:
            from appwarden.rules.consent import consent_knowledge
            from appwarden.rules.consent_resources import policy_resources

            found = policy_resources(apk, list(self.texts), list(consent_knowledge().agree_texts))
            self.res_ids = dict(found.policy)
        except Exception as exc:  # a resource table we cannot read: no resource marks, noted
            self.nav.notes.append(f"policy resources not read: {type(exc).__name__}")
        try:
            for kind in ("layout", "xml", "menu"):
                for rid, _vtype, data in res.entries_of_type(kind):
                    path = res.strings.get(data) if res.strings is not None else None
                    if path and path.endswith(".xml"):
                        self.layouts.setdefault(rid, path)
        except Exception as exc:
            self.nav.notes.append(f"layouts not listed: {type(exc).__name__}")

    def xml_taps(self, methods: list[str]) -> tuple[set[str], list[tuple[str, str]]]:
        """(``android:onClick`` method names, preference targets (screen, file)) of the layouts/XML the methods
        load by literal ID."""
        names: set[str] = set()
        targets: list[tuple[str, str]] = []
        if not self.layouts:
            return names, targets
        ids = {v for m in methods for v in self.literals(m) if v in self.layouts}
        for rid in sorted(ids):
            root = self._parse(self.layouts[rid])
            if root is None:
                continue
            for el in root.iter():
                click = el.get("onClick")
                if isinstance(click, str) and click and not click.startswith("@"):
                    names.add(click)
                frag = el.get("fragment")
                if isinstance(frag, str) and frag:
                    targets.append((java_to_desc(frag), self.layouts[rid]))
                if el.tag == "intent":
                    target = el.get("targetClass")
                    if isinstance(target, str) and target:
                        targets.append((java_to_desc(target), self.layouts[rid]))
        return names, targets

    def _parse(self, path: str) -> Any | None:
        from appwarden.apk.axml import parse_axml

        try:
            info = self.apk.archive.info(path)
            if int(info.uncompressed_size) > MAX_LAYOUT_BYTES:
                return None
            return parse_axml(bytes(self.apk.read(path))).root
        except Exception:  # unreadable or malformed XML: no taps from it
            return None

    # -- the graph -------------------------------------------------------------------------------------------------

    def _blind(self) -> str:
        static = self.evidence.static
        libs = [n.rsplit("/", 1)[-1] for n in (static.native_libs or [])]
        for label, lib in BLIND_LIBS:
            if lib in libs:
                return f"{label} ({lib})"
        for label, rx in BLIND_ASSETS:
            hit = next((a for a in static.assets or [] if rx.search(a)), None)
            if hit:
                return f"{label} ({hit})"
        launchers = set(self.nav.launchers)
        for label, prefixes in BLIND_CLASSES:
            for cls in launchers:
                if any(s.startswith(prefixes) for s in superclasses(self.code, cls)):
                    return f"{label} (the launcher activity extends {label}'s host activity)"
        return ""

    def _start_closure(self, launchers: list[str]) -> set[str]:
        """Methods run without a tap by the launcher activities and the activities they forward to at once."""
        out: set[str] = set()
        todo, seen = list(launchers), set(launchers)
        while todo and len(seen) <= 8:
            cls = todo.pop(0)
            chain = self.supers(cls) or [cls]
            entries = [m for c in chain for m in self._lifecycle_of(c)]
            notap = self.closure(entries + self._auto_callbacks(chain), set(chain))
            out.update(notap)
            for t, _via in self.edges_of(notap):
                if t in self.activities and t not in seen:
                    seen.add(t)
                    todo.append(t)
        return out

    def _exclude_consent_dialog(self, start_of: Callable[[], set[str]]) -> None:
        """The first-run consent dialog (:func:`~appwarden.rules.consent.consent_model`) is no way to the policy
        after consent: its dialog methods shown at start (or in a dialog class of their own), the classes they
        instantiate (the link's span, the listeners) and their lambdas are left out of the policy marks and taps.
        A policy page the consent analysis also lists (an activity loading the policy into a WebView, not shown
        at start) stays. ``start_of()`` gives the methods shown at start (:meth:`_start_closure`), asked only for
        a dialog method of a screen class (issue #19: with no consent dialog, or none on a screen, the launchers'
        closures are not made here: ~10 ms at 20 MB of DEX)."""
        try:
            from appwarden.rules.consent import consent_model

            model = consent_model(self.evidence)
        except Exception as exc:  # the consent analysis failed: its dialog is not excluded, noted
            self.nav.notes.append(f"consent dialog not identified: {type(exc).__name__}")
            return
        if model is None:
            return
        lambdas: list[str] = []
        dialogs: list[str] = []
        start: set[str] | None = None
        for d in model.dialogs:
            cls = class_of(d)
            screen = _outer(cls) in self.activities or self.is_fragment(_outer(cls))
            if screen:
                if start is None:
                    start = start_of()
                if d not in start:
                    continue
            dialogs.append(d)
            self.excluded_methods.add(d)
            lambdas.append(f"lambda${_method_name(d)}$")
            if not screen:
                self.excluded_classes.add(cls)
            for t in self.events(d)[1]:
                if t in self.defined and t not in self.activities and not self.is_fragment(t):
                    self.excluded_classes.add(t)
            # a dialog built by a helper or a dialog library (PolicyLib's Policy.showRuleDialog): the listeners and
            # spans of the helper classes it calls, two calls deep, are the dialog's too
            for m in self.closure([d], {_outer(cls)}, depth=2):
                helper = _outer(class_of(m))
                if helper in self.activities or self.is_fragment(helper):
                    continue
                for t in self.events(m)[1]:
                    if "$" in t and _outer(t) == helper and t in self.defined:
                        self.excluded_classes.add(t)
        self.excluded_lambdas = tuple(dict.fromkeys(lambdas))
        self.nav.dialog_only = [
            d for d in dialogs if any(t in s for s in self.strings(d) for t in self.texts)
        ][:5]

    def screen(self, cls: str, kind: str) -> Screen:
        """The screen of ``cls``: its no-tap part (:meth:`_shown`) and what its tap handlers start and show."""
        shown = self._shown(cls)
        own, notap = shown.own, shown.notap
        scr = Screen(cls, kind, edges=dict(shown.edges))
        owned: set[str] = set()
        for m in notap:
            owned.update(self._fragments_and_owned(m)[1])
        for m in notap:
            mark = self.mark_of(m, tapped=False)
            if mark is not None:
                scr.marks.append(mark)
        # tap handlers: click-like methods of the screen's classes, their inner classes and the listeners it creates
        classes = set(own) | {t for t in owned if _outer(t) not in self.activities or _outer(t) in own}
        classes -= self.excluded_classes
        inner_prefixes = tuple(c[:-1] + "$" for c in own)
        handlers: list[str] = []
        names, pref_targets = self.xml_taps(notap)
        for c in sorted(classes):
            if c not in own and not c.startswith(inner_prefixes) and self.is_fragment(c):
                continue
            for m in methods_of(self.code, c):
                name = m.split("->", 1)[1].split("(", 1)[0]
                if (
                    name in HANDLER_NAMES
                    or (name.startswith("lambda$") and not self._excluded(m))
                    or (c in own and name in names and m.endswith("(Landroid/view/View;)V"))
                ):
                    handlers.append(m)
        # inner classes of the screen never instantiated in the closure (listeners made in a handler) count too
        for c in self._inner_classes(own):
            if c in classes or c in self.excluded_classes:
                continue
            for m in methods_of(self.code, c):
                if m.split("->", 1)[1].split("(", 1)[0] in HANDLER_NAMES:
                    handlers.append(m)
        handlers = [h for h in dict.fromkeys(handlers) if h not in self.excluded_methods]
        scr.handlers = handlers[:200]
        if handlers:
            tapped = self.closure(scr.handlers, own)
            tap_edges = self.edges_of(tapped) + [(f, via) for f, via in self.frag_refs.items()]
            for edge, via in tap_edges:
                if edge not in own and edge != cls and edge not in scr.edges:
                    scr.edges[edge] = (1, via)
            for m in tapped:
                mark = self.mark_of(m, tapped=True)
                if mark is not None:
                    scr.marks.append(mark)
        for target, where in pref_targets:
            if target in self.activities or self.is_fragment(target):
                scr.edges.setdefault(target, (1, where))
        return scr

    def _shown(self, cls: str) -> _Shown:
        """What runs while the screen of ``cls`` is shown, before any tap (made once per build: the main screens
        are found from it alone, see :meth:`build`): its own classes (the class, its app superclasses and the
        fragments created), the no-tap closure and its 0-tap edges."""
        got = self._shown_memo.get(cls)
        if got is not None:
            return got
        check_deadline()  # the rules stage's deadline: never an endless build on a huge app
        chain = self.supers(cls) or [cls]
        own = set(chain)
        entries = [m for c in chain for m in self._lifecycle_of(c)]
        notap = self.closure(entries + self._auto_callbacks(chain), own)
        # fragments created while the screen is shown join it (their lifecycle too)
        for _ in range(2):
            sparse = self._sparse_facts()
            if (
                sparse is not None
            ):  # _fragments(m), looked up here (a call per method costs more than the lookup)
                frags = {t for m in notap for t in sparse.get(m, _NO_FACTS)[1] if t not in own}
            else:
                frags = {t for m in notap for t in self._fragments(m) if t not in own}
            frags.update(f for f in self.frag_refs if f not in own)
            if not frags:
                break
            for f in frags:
                own.update(self.supers(f) or [f])
            entries = [m for c in own for m in self._lifecycle_of(c)]
            notap = self.closure(entries + self._auto_callbacks(own), own)
        edges: dict[str, tuple[int, str]] = {}
        for edge, via in self.edges_of(notap):
            if edge not in own and edge != cls:
                edges.setdefault(edge, (0, via))
        got = self._shown_memo[cls] = _Shown(own, notap, edges)
        return got

    def _fragments(self, m: str) -> tuple[str, ...]:
        """The fragment classes method ``m`` instantiates, in its order (``_fragments_and_owned(m)[0]``, from
        :meth:`_sparse_facts` when it could be made: no read of the method's code)."""
        sparse = self._sparse_facts()
        if sparse is None:
            return self._fragments_and_owned(m)[0]
        return sparse.get(m, _NO_FACTS)[1]

    def _fragment_classes(self) -> set[str] | None:
        """Every class :meth:`is_fragment` accepts (an app class with one of :data:`FRAGMENT_BASES` at most 12
        superclass steps up), found walking ``code.subclasses`` (as ``static_support.subclasses`` answers it) down
        from them; None when the index cannot list subclasses."""
        if self._frag_classes is _UNSEEN:
            if getattr(self.code, "subclasses", None) is None:
                self._frag_classes = None
            else:
                code = self.code
                level = list(FRAGMENT_BASES)
                seen = set(level)
                found: set[str] | None = {c for c in level if c in self.defined}
                try:
                    for _ in range(12):
                        level = [sub for c in level for sub in subclasses(code, c) if sub not in seen]
                        seen.update(level)
                        found.update(level)  # type: ignore[union-attr]
                        if not level:
                            break
                except LimitExceeded:
                    raise
                except Exception:  # a malformed DEX: is_fragment class by class, as before
                    found = None
                self._frag_classes = found
        return self._frag_classes

    def _sparse_facts(self) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] | None:
        """Per method, the events that can make an edge or bring up a fragment, found for the whole app at once
        (issue #19: the no-tap closures of the main screens then read no method's code): (the activities of its
        ``const-class``, the fragment classes of its ``new-instance``, the activities its ``const-string`` names),
        each in instruction order, as :meth:`events` and :meth:`strings` would give them filtered. The events are
        looked up by type and string id in each DEX (``DexCode.select``), each credited to the method of its
        record when the record is of the class definition the index keeps for that class (the records
        ``method_records`` reads). None when the index cannot be searched so."""
        if self._sparse is not _UNSEEN:
            return self._sparse
        self._sparse = None
        try:
            self._sparse = self._read_sparse_facts()
        except LimitExceeded:
            raise
        except Exception:  # a malformed DEX: each method's events are read as before
            self._sparse = None
        return self._sparse

    def _read_sparse_facts(
        self,
    ) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] | None:
        """:meth:`_sparse_facts`, made."""
        code = self.code
        frags = self._fragment_classes()
        cmap = getattr(code, "_class_map", None)
        if frags is None or not isinstance(cmap, dict) or not hasattr(code, "codes"):
            return None
        found: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for ci, dc in enumerate(code.codes):
            dex = dc.dex
            dex.prefetch_strings([*self.activities, *frags, *self.by_name])
            acts = {t: d for d in self.activities if (t := dex.find_type(d)) is not None}
            news = {t: f for f in frags if (t := dex.find_type(f)) is not None}
            names = {i: self.by_name[n] for n in self.by_name if (i := dex.find_string(n)) is not None}
            hits: list[tuple[int, int, str]] = []
            for column, (kind, table, size) in enumerate(
                (
                    (EV_CONST_CLASS, acts, dex.type_ids_size),
                    (EV_NEW_INSTANCE, news, dex.type_ids_size),
                    (EV_STRING, names, dex.string_ids_size),
                )
            ):
                if table:
                    events = dc.events
                    # const-string: the index's own inverted index, built for every scan (no pass over the events)
                    select = dc.select if kind == EV_STRING else partial(_select, dc)
                    hits.extend(
                        (i, column, table[events[i * EVENT_WORDS + 2]]) for i in select(kind, table, size)
                    )
            hits.sort()
            for i, column, value in hits:
                r = dc.record_of_event(i)
                desc = dc.method_desc(dc.methods[r * METHOD_WORDS + 1])
                if cmap.get(desc.split("->", 1)[0]) != (ci, dc.methods[r * METHOD_WORDS]):
                    continue  # a record of another definition of the class, or of another class's method
                entry = found.get(desc)
                if entry is None:
                    entry = found[desc] = ([], [], [])
                entry[column].append(value)
        return {m: (tuple(a), tuple(f), tuple(n)) for m, (a, f, n) in found.items()}

    def _fragments_and_owned(self, m: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the fragment classes, the app classes outside the platform libraries) that method ``m`` instantiates,
        in its order (made once per build)."""
        got = self._news.get(m)
        if got is None:
            news = self.events(m)[1]
            defined = self.defined
            got = self._news[m] = (
                tuple(t for t in news if self.is_fragment(t)),
                tuple(t for t in news if t in defined and not is_platform_library(t)),
            )
        return got

    def _auto_callbacks(self, classes: Any) -> list[str]:
        """Callbacks that run without a tap (:data:`AUTO_CALLBACKS`: a splash's animation end, a countdown's
        finish, a handler message, a runnable) in the screen's classes and their inner classes."""
        found = [c for c in classes if c in self.defined] + self._inner_classes(set(classes))
        return [m for c in found for m in self._named_of(c, AUTO_CALLBACKS, self._autos)]

    def _lifecycle_of(self, cls: str) -> tuple[str, ...]:
        """The methods of ``cls`` named in :data:`LIFECYCLE`, in its order (made once per build)."""
        return self._named_of(cls, LIFECYCLE, self._lifecycles)

    def _named_of(
        self, cls: str, names: tuple[str, ...], memo: dict[str, tuple[str, ...]]
    ) -> tuple[str, ...]:
        got = memo.get(cls)
        if got is None:
            got = memo[cls] = tuple(m for m in methods_of(self.code, cls) if _method_name(m) in names)
        return got

    def _inner_classes(self, own: set[str]) -> list[str]:
        """The app classes nested in those of ``own`` (descriptor ``Lown$…``), sorted per class of ``own`` in its
        order, at most 401; per prefix from ``static_support.classes_with_prefix`` (remembered per build) when it
        can answer, else by bisecting the sorted list of every nested app class."""
        prefixes = tuple(c[:-1] + "$" for c in own)
        out: list[str] = []
        for p in prefixes:
            got = self._nested.get(p, _UNSEEN)
            if got is _UNSEEN:
                got = self._nested[p] = classes_with_prefix(self.code, p)
            if got is None:
                return self._inner_classes_sorted(prefixes)
            out.extend(got)
            if len(out) > 400:
                return out[:401]
        return out

    def _inner_classes_sorted(self, prefixes: tuple[str, ...]) -> list[str]:
        """:meth:`_inner_classes` from the sorted list of every nested app class."""
        if not hasattr(self, "_sorted_classes"):
            self._sorted_classes = sorted(c for c in self.defined if "$" in c)
        import bisect

        out: list[str] = []
        for p in prefixes:
            i = bisect.bisect_left(self._sorted_classes, p)
            while i < len(self._sorted_classes) and self._sorted_classes[i].startswith(p):
                out.append(self._sorted_classes[i])
                i += 1
                if len(out) > 400:
                    return out
        return out

    def build(self) -> Navigation:
        from appwarden.rules.consent import launcher_activities

        nav = self.nav
        nav.launchers = [java_to_desc(n) for n in launcher_activities(self.manifest)]
        if not nav.launchers:
            nav.notes.append("no launcher activity: no main screen")
            return nav
        nav.blind = self._blind()
        nav.routers = [label for label, desc in ROUTERS if self.code.invokes([desc])]
        if nav.blind:
            return nav
        self._load_resources()
        self._exclude_consent_dialog(lambda: self._start_closure(nav.launchers))
        may_mark = self._may_mark()
        # no screen can show the policy: no path, no mark elsewhere; the graph is only needed to tell whether the
        # BFS would be cut at MAX_SCREENS, which it cannot be when there are not that many screens
        markless = may_mark is not None and not any(
            may_mark(a) for a in dict.fromkeys([*self.activities, *nav.launchers])
        )
        if markless and self._screens_at_most(MAX_SCREENS):
            # the main screens (what the launchers forward to without a tap: the no-tap closures of the launchers
            # and of those screens) are found when first asked for (issue #19: a rule that finds no policy page
            # and no mark reads them only to name the main screen in a lead, ~30 ms at 50 MB of DEX)
            nav.graph = False
            del nav.main, nav.dist, nav.parent
            nav._pending = self._main_screens  # type: ignore[attr-defined]
            return nav
        starts = self._main_screens()
        nav.main = starts
        return self._bfs(starts, may_mark)

    def _main_screens(self) -> list[str]:
        """The main screens: the launchers, or the activities they forward to without a tap (a splash is not the
        main screen), followed through further 0-tap forwards (at most 8)."""
        nav = self.nav
        starts = list(nav.launchers)
        forwarded: list[str] = []
        for cls in nav.launchers:  # the 0-tap edges of a screen are those of its no-tap part
            shown = self._shown(cls)
            forwarded.extend(t for t, (cost, _v) in shown.edges.items() if cost == 0 and t in self.activities)
        if forwarded:
            # a launcher forwarding without a tap (splash) is not the main screen: its targets are
            seen = set(nav.launchers)
            queue = deque(forwarded)
            mains: list[str] = []
            while queue:
                t = queue.popleft()
                if t in seen:
                    continue
                seen.add(t)
                mains.append(t)
                for n, (cost, _v) in self._shown(t).edges.items():
                    if cost == 0 and n in self.activities and n not in seen and len(mains) < 8:
                        queue.append(n)
            starts = mains
        return starts

    def _bfs(self, starts: list[str], may_mark: Callable[[str], bool] | None) -> Navigation:
        """The 0/1 BFS from the main screens over the screens, built on demand (see :meth:`build`)."""
        nav = self.nav
        dist: dict[str, int] = {}
        parent: dict[str, tuple[str, str] | None] = {}
        dq: deque[str] = deque()
        for s in starts:
            dist[s] = 0
            parent[s] = None
            dq.append(s)
        done: set[str] = set()
        enough = self.enough
        known: int | None = (
            None  # the fewest taps to a mark of the screens built so far (with ``enough`` only)
        )
        while dq:
            check_deadline()
            cur = dq.popleft()
            if cur in done:
                continue
            if known is not None and dist[cur] >= known:
                # screens come in order of distance: none left can be nearer the policy than ``known``
                nav.complete = False
                break
            done.add(cur)
            if len(done) > MAX_SCREENS:
                nav.notes.append(f"screens analysed capped at {MAX_SCREENS}")
                nav.capped = True
                break
            scr = self._get(cur)
            for t, (cost, via) in scr.edges.items():
                if t in nav.launchers and t not in starts:
                    continue  # back to the splash: not a way forward
                nd = dist[cur] + cost
                if nd < dist.get(t, 1 << 30):
                    dist[t] = nd
                    parent[t] = (cur, via)
                    (dq.appendleft if cost == 0 else dq.append)(t)
            if enough is not None and scr.marks:
                nearest = dist[cur] + min(m.cost for m in scr.marks)
                if nearest <= enough and (known is None or nearest < known):
                    known = nearest
        nav.dist, nav.parent = dist, parent
        best: tuple[int, str, Mark] | None = None
        for cls in done:
            for mark in nav.screens[cls].marks:
                total = dist[cls] + mark.cost
                if best is None or total < best[0]:
                    best = (total, cls, mark)
        if best is not None:
            nav.taps, nav.policy_screen, nav.policy_mark = best
            return nav
        # no path: marks elsewhere? (every activity not reached, and fragments reachable from them); an activity
        # that cannot have a mark (_may_mark) is not built
        for desc in list(self.activities)[:MAX_SCREENS]:
            if desc in done or (may_mark is not None and not may_mark(desc)):
                continue
            scr = self._get(desc)
            if scr.marks:
                nav.unreached_marks.append((desc, scr.marks[0]))
                if len(nav.unreached_marks) >= 5:
                    break
        return nav

    # -- which screens may have a mark -----------------------------------------------------------------------------

    def _may_mark(self) -> Callable[[str], bool] | None:
        """:meth:`_may_mark_test`, or None when it fails (a malformed DEX: every screen is built, as without it)."""
        try:
            return self._may_mark_test()
        except LimitExceeded:
            raise
        except Exception:
            self._marks = None
            return None

    def _may_mark_test(self) -> Callable[[str], bool] | None:
        """A test telling which activities may have a policy mark (False: building the screen would find none), or
        None when it cannot tell (every screen is then built).

        A mark is a method that :meth:`_names_policy` accepts; every such method of the app is found up front
        (:meth:`_policy_methods`: the code index's string search and a search of the literal IDs). A closure holds
        one only when one of its entries calls it at most :data:`DEPTH` calls deep (``callgraph.callers``, walked
        back :data:`DEPTH` steps from them: the entries that may reach one). Entries are a screen's lifecycle
        methods (of its own classes), its automatic callbacks (of its own classes and their inner classes) and its
        tap handlers (click-like names, ``lambda$…``, ``(Landroid/view/View;)V`` layout handlers, of its own classes,
        their inner classes and the classes its closure instantiates). A screen's own classes are its activity and
        the app superclasses (:meth:`supers`) plus the fragments it shows. So an activity may have a mark only when
        such an entry belongs to its chain (or an inner class of it); when one belongs to a fragment or to a class
        instantiated anywhere in the app, any screen may (None)."""
        marks = self._marks = self._policy_methods()
        if marks is None:
            return None
        if not marks:
            return lambda _cls: False
        callgraph = getattr(self.code, "callgraph", None)
        if callgraph is None:
            return None
        near: set[str] = set(marks)
        back = _walk_back(callgraph, near)
        if back is False:
            return None
        if back is not None:
            near.update(back)
        front = list(marks) if back is None else []
        for _ in range(DEPTH if back is None else 0):
            nxt: list[str] = []
            for m in front:
                try:
                    callers = callgraph.callers(m)
                except (KeyError, LookupError):
                    continue
                for c in callers:
                    if c not in near:
                        near.add(c)
                        nxt.append(c)
            if len(near) > MAX_NEAR:
                return None
            front = nxt
        chains: set[str] = set()  # classes an activity's chain must hold for the activity to have a mark
        for m in near:
            cls = class_of(m)
            name = _method_name(m)
            outers = [cls] + [cls[:i] + ";" for i, ch in enumerate(cls) if ch == "$"]
            listener = name in HANDLER_NAMES or name.startswith("lambda$")  # also in instantiated classes
            if name in LIFECYCLE:
                if self.is_fragment(cls):
                    return None
                chains.add(cls)
            if name in AUTO_CALLBACKS or listener or m.endswith("(Landroid/view/View;)V"):
                if any(self.is_fragment(c) for c in outers):
                    return None
                chains.update(outers)
            if listener and self._instantiated(cls):
                return None
        return lambda desc: any(c in chains for c in (self.supers(desc) or [desc]))

    def _instantiated(self, cls: str) -> bool:
        """Whether some method of the app instantiates ``cls`` (a ``new-instance`` of it in any DEX)."""
        for dc in self.code.codes:
            dex = dc.dex
            t = dex.find_type(cls)
            if t is not None and _select(dc, EV_NEW_INSTANCE, [t], dex.type_ids_size):
                return True
        return False

    def _policy_methods(self) -> set[str] | None:
        """Every method :meth:`_names_policy` may accept (a superset: the consent dialog's are not left out): the
        ones loading a ``const-string`` that holds a policy text or is a policy URL (one search of the loaded
        strings) or a literal equal to a policy resource ID (a byte search of the events' idx words). None when
        the code index cannot be searched so (not a :class:`~appwarden.dex.index.CodeIndex`, or a text the byte
        search might miss: empty, with NUL or a character outside the BMP, whose MUTF-8 differs from its UTF-8)."""
        code = self.code
        if not hasattr(code, "strings_containing") or not hasattr(code, "codes"):
            return None
        if not all(map(_plain_needle, self.texts)):
            return None
        out: set[str] = set()
        # the titles from the consent model's search (remembered), the URLs by a search of their own
        urls = self._policy_url_methods()
        refs = strings_containing(code, self.texts)
        if urls is None:
            refs += strings_containing(code, URL_PREFIXES)
        else:
            out |= urls
        for ref in refs:
            caller, value = str(ref.caller), str(ref.target)
            if caller in out:
                continue
            if any(t in value for t in self.texts):
                out.add(caller)
            elif value.startswith(URL_PREFIXES):
                path = value.split("?", 1)[0].split("//", 1)[-1]
                if "/" in path and self.url.search(path.split("/", 1)[1]):
                    out.add(caller)
        if self.res_ids:
            literal = self._literal_methods(set(self.res_ids))
            if literal is None:
                return None
            out |= literal
        return out

    def _policy_url_methods(self) -> set[str] | None:
        """The methods loading a ``const-string`` that starts with one of :data:`URL_PREFIXES` and names a policy
        page (:meth:`_names_policy`'s URL test), from the ranges of each DEX's sorted string table holding those
        prefixes (``DexFile.strings_with_prefix``, as ``CodeIndex.strings_starting_with`` reads them): each string
        decoded and tested once, only the passing ones' uses looked up (issue #19: a search for the prefixes
        anywhere in every string, and a reference per use, cost more). None when the index cannot be read so."""
        code = self.code
        out: set[str] = set()
        try:
            for dc in code.codes:
                dex = dc.dex
                ids: set[int] = set()
                for prefix in URL_PREFIXES:
                    for sid in dex.strings_with_prefix(prefix):
                        value = str(dex.string(sid))
                        path = value.split("?", 1)[0].split("//", 1)[-1]
                        if "/" in path and self.url.search(path.split("/", 1)[1]):
                            ids.add(sid)
                if ids:
                    out.update(dc.caller_of_event(i) for i in dc.select(EV_STRING, ids, dex.string_ids_size))
        except LimitExceeded:
            raise
        except Exception:  # a malformed DEX: the index's own search
            return None
        return out

    def _literal_methods(self, ids: set[int]) -> set[str] | None:
        """Methods loading one of ``ids`` (resource IDs, ``0 < id < 2**32``) as a literal, found by a byte search of
        each DEX's idx column for the IDs' upper halves (as ``consent_resources`` does); None when there are too
        many to be worth it."""
        wanted = {struct.pack("<I", i): i for i in ids if 0 <= i < 1 << 32}
        if len(wanted) != len(ids):
            return None
        out: set[str] = set()
        for dc in self.code.codes:
            col = bytes(dc.events[2::EVENT_WORDS])
            found: list[int] = []
            for high in dict.fromkeys(n[2:] for n in wanted):
                pos = col.find(high, 2)
                while pos >= 0:
                    if pos & 3 == 2 and col[pos - 2 : pos + 2] in wanted:
                        found.append(pos >> 2)
                        if len(found) > MAX_NEAR:
                            return None
                    pos = col.find(high, pos + 1)
            for i in found:
                if (dc.events[i * EVENT_WORDS] >> 8) == EV_LITERAL:
                    out.add(dc.caller_of_event(i))
        return out

    def _screens_at_most(self, limit: int) -> bool:
        """Whether the screens the BFS may reach number at most ``limit``: its starts and edges' targets are
        activities, launchers and fragments (:meth:`_fragment_classes`); False when the index cannot list
        subclasses."""
        frags = self._fragment_classes()
        if frags is None:
            return False
        return len(set(self.activities) | set(self.nav.launchers) | frags) <= limit

    def _get(self, cls: str) -> Screen:
        scr = self.nav.screens.get(cls)
        if scr is None:
            scr = self.screen(cls, "activity" if cls in self.activities else "fragment")
            self.nav.screens[cls] = scr
        return scr
