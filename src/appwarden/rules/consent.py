"""Consent-aware reachability: the consent moment of an app and, per PI call site, whether a consent check gates it.

Contract: :func:`consent_model(evidence)` (computed once per static evidence, cached) returns a
:class:`ConsentModel`; :meth:`ConsentModel.decide(site)` says for one PI call site reachable from a pre-consent
entry point whether it is ``ungated`` (with an ungated call path), ``gated`` (with the gate recognised) or
``unreached``; :meth:`ConsentModel.after_refusal(site)` the same from the refuse handlers.

1. **Consent moment.** *Dialog methods* load a string naming the privacy policy or the user agreement
   (``dialog_texts`` of ``knowledge/consent.yaml``), directly or through a static field a static initialiser
   stores it in (then the methods reading the field show it), else (:mod:`.consent_resources`) a policy string,
   layout (also through ``<include>``) or page. *Handlers* are the click-like methods (:func:`_is_handler_name`) of the classes a
   dialog method instantiates (listeners, lambdas, DialogInterface callbacks) and of its own class, followed
   three calls deep into app code. A handler that writes a consent answer under a constant key
   (``putBoolean(key, v)``, ``MMKV.encode(key, v)``, ``putInt(key, 0|1)``, ``putString(key, "1")``, an app helper
   ``(…, String key, …, v)``) or into a boolean/int field (static or instance) and does not leave the app is an
   *agree handler*; the value it writes means "agreed" (so a ``first_launch := false``
   flag has the opposite polarity). A handler that leaves (``System.exit``, ``killProcess``, ``finishAffinity``,
   ``moveTaskToBack``, or ``finish`` without starting an activity) or writes the "not agreed" value is a
   *refuse handler*. Writes through Intent/Bundle/JSON/java.* calls carry values elsewhere and never count. Keys
   read by a storage getter (``get*``/``decode*``/``contains``…, not java.*/kotlin.* methods) whose names say
   privacy/agree/consent (``key_name``) are consent flags too, when no agree handler names one.
2. **Gates.** Every method reading a consent flag (the key as a constant argument of a getter; an int or string
   result counts once compared with a constant of known meaning, ``getInt(key) == 1``, ``"1".equals(getString(key))``,
   :mod:`appwarden.dex.branches`; a read of the field, static or instance; or a call to a *helper*: a method whose every return returns the flag, found
   three levels up) is analysed by :func:`appwarden.dex.branches.method_flow`: the invokes only reached through
   the "agreed" side of a branch on the flag are *guarded*. The call graph minus the guarded call edges is walked
   from the pre-consent entry points (:func:`preconsent_entries`: Application/ContentProvider/AppComponentFactory
   start-up methods, the static initialisers of those classes, and the launcher activity's ``onCreate``; from the
   launcher the walk does not enter platform library code: AppCompat's night-mode location read through
   ``super.onCreate`` is the framework's, not the app's). A site
   reachable in the full graph but not in the cut one, or guarded inside its own method, is ``gated``; one still
   reachable is ``ungated`` and its path in the cut graph is an ungated path.
3. **Certainty.** ``recognised`` is true when the app's consent flag is known (written by an agree handler, or a
   consent-named key branched on in the app's own code; a flag only SDK code branches on still cuts that SDK's
   edges but proves nothing about the rest): then an ungated site is a *likely* pre-consent collection. Without a flag (no dialog in the code, a WebView or server-driven dialog, a stored value of
   unknown meaning) the analysis cannot evaluate the conditions on the path: *possible*, and
   :attr:`ConsentModel.unsure_reason` says why.

SDK compliance contracts (``appwarden.sdk.contracts``, when present): a vendor "agree" call is one more gate
signal: a call hard-coded to ``true`` that is reachable ungated before the dialog is itself pre-consent
(:attr:`ConsentModel.contract_notes`); an ``init`` only reached from an agree handler is gated by construction.
Cost: one instruction decode per flag-reading method and per handler; one Python walk of the start-up reachable
graph when a gate cuts an edge (otherwise the C BFS result is reused), and one from the launcher
(:meth:`CallGraph.walk <appwarden.dex.callgraph.CallGraph.walk>`, over node ids: a name per method recorded).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from appwarden.dex.api_index import PLATFORM_LIBRARIES, is_platform_library
from appwarden.dex.branches import MethodFlow, method_flow
from appwarden.dex.callgraph import ASYNC_DISPATCH
from appwarden.dex.records import EV_NEW_INSTANCE, METHOD_WORDS
from appwarden.errors import KnowledgeError
from appwarden.evidence import CallSite, Evidence
from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml
from appwarden.limits import check_deadline
from appwarden.rules.static_support import (
    class_of,
    code_of,
    java_to_desc,
    methods_of,
    owner_of,
    reachable,
    startup_entries,
    strings_containing,
    superclasses,
)

# a consent key is read by a storage getter (SharedPreferences.getBoolean, MMKV.decodeBool, an app helper
# getX(ctx, key)), never by a string or collection method (String.startsWith("agree=") is no flag)
GETTER = re.compile(r"->(get|decode|contains|is|has|read|load|query)")
NOT_STORAGE = ("Ljava/", "Lkotlin/", "Landroid/text/", "Landroid/net/", "Lorg/json/")
KNOWLEDGE_FILE = KNOWLEDGE_DIR / "consent.yaml"
_LISTS = (
    "dialog_texts",
    "key_needles",
    "handler_names",
    "handler_words",
    "exit_calls",
    "storage_classes",
    "agree_texts",
)


@dataclass(frozen=True)
class ConsentKnowledge:
    """The analysis vocabulary from ``knowledge/consent.yaml`` (see the comments there)."""

    dialog_texts: tuple[str, ...]
    key_name: re.Pattern[str]
    key_needles: tuple[str, ...]
    negative_key: re.Pattern[str]
    handler_names: tuple[str, ...]
    handler_words: tuple[str, ...]
    exit_calls: tuple[str, ...]
    storage_classes: tuple[str, ...]
    contract_covers: dict[str, tuple[str, ...]]
    agree_texts: tuple[str, ...] = ()
    dialog_libraries: dict[str, dict[str, Any]] = field(default_factory=dict)
    asset_name: re.Pattern[str] = re.compile(r"privacy|policy|agreement", re.IGNORECASE)


def parse_consent_knowledge(data: Any, where: str = "consent.yaml") -> ConsentKnowledge:
    """Validate the YAML data; raise KnowledgeError naming ``where`` and the key on any problem."""
    if not isinstance(data, dict):
        raise KnowledgeError(f"{where}: expected a mapping")
    known = {*_LISTS, "key_name", "negative_key", "asset_name", "contract_covers", "dialog_libraries"}
    for key in data:
        if key not in known:
            raise KnowledgeError(f"{where}: unknown key {key!r}")
    for key in known:
        if key not in data:
            raise KnowledgeError(f"{where}: missing key {key!r}")
    for key in _LISTS:
        value = data[key]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise KnowledgeError(f"{where}: {key!r} must be a non-empty list of strings")
    patterns = {}
    for key in ("key_name", "negative_key", "asset_name"):
        try:
            patterns[key] = re.compile(str(data[key]), re.IGNORECASE)
        except re.error as exc:
            raise KnowledgeError(f"{where}: {key!r} is not a regular expression: {exc}") from None
    covers = data["contract_covers"]
    if not isinstance(covers, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(x, str) for x in v)
        for k, v in covers.items()
    ):
        raise KnowledgeError(f"{where}: 'contract_covers' must map an SDK id to a list of SDK ids")
    libs = data["dialog_libraries"]
    lib_keys = {"dialog_api", "agreed_helper", "source"}
    optional = {"callback", "callback_agree_param"}
    if not isinstance(libs, dict) or not all(
        isinstance(v, dict)
        and lib_keys <= set(v) <= lib_keys | optional
        and all(isinstance(x, str) and "->" in x for x in (v["dialog_api"], v["agreed_helper"]))
        and (
            "callback" not in v
            or (
                isinstance(v["callback"], str)
                and re.fullmatch(r"[\w$<>]+\([^)]*\)V", v["callback"]) is not None
                and isinstance(v.get("callback_agree_param", 0), int)
            )
        )
        for v in libs.values()
    ):
        raise KnowledgeError(
            f"{where}: 'dialog_libraries' must map a library id to dialog_api, agreed_helper (method descriptors)"
            " and source, optionally callback (name(params)V) and callback_agree_param (int)"
        )
    return ConsentKnowledge(
        dialog_libraries={str(k): {kk: vv for kk, vv in v.items()} for k, v in libs.items()},
        **{key: tuple(data[key]) for key in _LISTS},
        key_name=patterns["key_name"],
        negative_key=patterns["negative_key"],
        asset_name=patterns["asset_name"],
        contract_covers={k: tuple(v) for k, v in covers.items()},
    )


@lru_cache(maxsize=1)
def consent_knowledge() -> ConsentKnowledge:
    """The packaged vocabulary (loaded once per process)."""
    return parse_consent_knowledge(load_yaml(KNOWLEDGE_FILE), str(KNOWLEDGE_FILE))


FINISH = "->finish()V"
START_ACTIVITY = "->startActivity"
HANDLER_DEPTH = 3
HELPER_ROUNDS = 3
MAX_FLOW_METHODS = 400  # methods decoded per app at most (flag readers + handlers); the rest is "unsure"

_CACHE: dict[int, tuple[Any, ConsentModel]] = {}


@dataclass(slots=True)
class Decision:
    """The consent verdict for one call site: ``status`` ungated | gated | unreached, the path (ungated: a path
    with no consent check; gated: the path the gate cuts), and the gate recognised (method, flag) when gated."""

    status: str
    path: list[str] = field(default_factory=list)
    gate: dict[str, Any] | None = None


@dataclass
class ConsentModel:
    """The consent moment of one app and its gate analysis (see the module docstring)."""

    dialogs: list[str] = field(default_factory=list)
    dialog_resources: list[str] = field(default_factory=list)  # "method <- resource/page" when found that way
    dialog_libraries: list[str] = field(
        default_factory=list
    )  # third-party dialog libraries whose dialog is shown
    agree_handlers: list[str] = field(default_factory=list)
    refuse_handlers: list[str] = field(default_factory=list)
    split_handlers: list[str] = field(default_factory=list)  # one callback, agree and refuse sides split
    keys: dict[str, bool] = field(default_factory=dict)  # consent key -> True when true means agreed
    fields: dict[str, bool] = field(default_factory=dict)  # static boolean field -> polarity
    helpers: dict[str, bool] = field(default_factory=dict)  # method returning the flag -> polarity
    gates: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # method -> consent branches
    entries: list[str] = field(default_factory=list)
    contract_notes: list[dict[str, Any]] = field(default_factory=list)
    told_agreed: dict[str, dict[str, Any]] = field(default_factory=dict)  # sdk -> agree(true) before consent
    held_back: dict[str, dict[str, Any]] = field(default_factory=dict)  # sdk -> auth(false) before consent
    preinit_apis: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # "Lcls;->name" -> preinit call note
    # SDK ids whose presence rests on more than a few classes in its namespace (FINGERPRINT_SIGNATURES,
    # FINGERPRINT_CLASSES): only their code is trusted to honour a vendor contract
    fingerprinted: frozenset[str] = frozenset()
    gated: list[dict[str, Any]] = field(default_factory=list)  # gated decisions recorded by the predicates
    unsure_reason: str = ""
    host_gate: bool = False  # a method of the app's own code branches on the flag
    truncated: bool = (
        False  # MAX_FLOW_METHODS reached: some gate may be unseen, ungated paths are only possible
    )
    flows: dict[str, MethodFlow | None] = field(default_factory=dict, repr=False)
    _full: dict[str, str | None] = field(default_factory=dict, repr=False)
    _cut: dict[str, str | None] | None = field(default=None, repr=False)
    _cut_edges: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _refusal: dict[str, str | None] | None = field(default=None, repr=False)
    _code: Any = field(default=None, repr=False)

    @property
    def recognised(self) -> bool:
        """Whether the app's consent flag is known (then an ungated path is likely pre-consent): written by an agree
        handler of the dialog, or (a key only named like one) branched on in the app's own code. A flag only SDK
        code branches on still cuts the SDK's gated edges, but says nothing about the app's other paths."""
        return (
            bool(self.agree_handlers and (self.keys or self.fields))
            or self.host_gate
            or bool(self.dialog_libraries)
        )

    def flag_names(self) -> list[str]:
        return [*self.keys, *self.fields, *self.helpers]

    # -- decisions ---------------------------------------------------------------------------------------------

    def decide(self, site: CallSite) -> Decision:
        """Gate decision for a PI call site from the pre-consent entry points."""
        if site.caller not in self._full:
            return Decision("unreached")
        full_path = _chain(self._full, site.caller)
        cut = self._cut if self._cut is not None else self._full
        inline = self._inline_gate(site)
        if site.caller in cut and inline is None:
            path = _chain(cut, site.caller)
            vendor = self._vendor_gate(site.owner, path)
            if vendor is not None:
                return Decision("gated", path, vendor)
            return Decision("ungated", path)
        gate = inline or self._gate_on(full_path)
        return Decision("gated", full_path, gate)

    def after_refusal(self, site: CallSite) -> Decision:
        """Whether a refuse handler reaches the site without passing a consent check."""
        # not ``self._refusal or {}``: the walk's mapping counts its methods to tell whether it is empty (~3 us
        # per call at 100 MB of DEX, once per call site); an empty one answers as {} does
        reach = self._refusal if self._refusal is not None else {}
        if site.caller not in reach or self._inline_gate(site) is not None:
            return Decision("unreached")
        return Decision("ungated", _chain(reach, site.caller))

    def _vendor_gate(self, owner: str, path: list[str]) -> dict[str, Any] | None:
        """A vendor contract that holds the SDK's collection back on this path (auth(false), or a preinit API the
        path goes through), as a gate; None otherwise.

        A contract is the vendor's word about its own code, so it gates only an SDK identified by more than a few
        classes in its namespace (:attr:`fingerprinted`): the app's own collecting code placed under ``cn/jpush/``
        beside a no-op ``JCollectionAuth.setAuth(false)`` of its own is otherwise indistinguishable from JPush
        and would pass as held back (tests/rules/test_evasion.py)."""
        if owner in self.told_agreed or owner not in self.fingerprinted:
            return None
        held = self.held_back.get(owner)
        if held is not None:
            return {"method": held["caller"], "flag": held["api"], "kind": "sdk_contract", "contract": held}
        for m in path:
            note = self.preinit_apis.get(m.split("(", 1)[0])
            if note is not None and note.get("sdk") == owner:
                return {"method": m, "flag": note["api"], "kind": "sdk_contract", "contract": note}
        return None

    def _inline_gate(self, site: CallSite) -> dict[str, Any] | None:
        flow = self.flows.get(site.caller)
        if flow is None or site.offset not in flow.guarded:
            return None
        first = flow.branches[0] if flow.branches else (0, "")
        return {
            "method": site.caller,
            "flag": first[1],
            "kind": "inline",
            "flag_type": flow.branch_types.get(first[0], "boolean"),
        }

    def _gate_on(self, path: list[str]) -> dict[str, Any]:
        for m in path:
            if m in self._cut_edges:
                flow = self.flows.get(m)
                first = flow.branches[0] if flow and flow.branches else (0, "")
                kind = "helper" if first[1] in self.helpers else "inline"
                flag_type = flow.branch_types.get(first[0], "boolean") if flow else "boolean"
                return {"method": m, "flag": first[1], "kind": kind, "flag_type": flag_type}
        return {"method": path[0] if path else "", "flag": "", "kind": "path"}

    def record_gated(self, owner: str, site: CallSite, decision: Decision) -> None:
        item = {"owner": owner, "category": site.category, "caller": site.caller, "api": site.api}
        item.update({"path": decision.path, "gate": decision.gate})
        if item not in self.gated:
            self.gated.append(item)

    def moment_json(self) -> dict[str, Any]:
        """The consent moment as report JSON."""
        return {
            "dialogs": self.dialogs[:20],
            "dialog_resources": self.dialog_resources[:20],
            "dialog_libraries": self.dialog_libraries,
            "agree_handlers": self.agree_handlers[:20],
            "refuse_handlers": self.refuse_handlers[:20],
            "split_handlers": self.split_handlers[:20],
            "flags": [
                *({"kind": "key", "name": k, "agreed_value": v} for k, v in self.keys.items()),
                *({"kind": "field", "name": k, "agreed_value": v} for k, v in self.fields.items()),
                *({"kind": "helper", "name": k, "agreed_value": v} for k, v in self.helpers.items()),
            ][:40],
            "recognised": self.recognised,
            "unsure_reason": self.unsure_reason,
            "contracts": self.contract_notes[:40],
        }


def _chain(parents: dict[str, str | None], target: str, limit: int = 64) -> list[str]:
    chain = [target]
    while (p := parents.get(chain[-1])) is not None and len(chain) < limit:
        chain.append(p)
    return chain[::-1]


# -- entry points ----------------------------------------------------------------------------------------------


def launcher_activities(manifest: Any) -> list[str]:
    """Java names of the activities with a MAIN/LAUNCHER filter (an alias names its target)."""
    out = []
    for comp in manifest.components:
        if comp.kind not in ("activity", "activity-alias") or not comp.enabled:
            continue
        if any(
            "android.intent.action.MAIN" in f.actions and "android.intent.category.LAUNCHER" in f.categories
            for f in comp.intent_filters
        ):
            out.append(
                comp.target_activity if comp.kind == "activity-alias" and comp.target_activity else comp.name
            )
    return list(dict.fromkeys(out))


def preconsent_entries(evidence: Evidence, launcher: list[str] | None = None) -> list[str]:
    """Start-up entry points (:func:`startup_entries`), the static initialisers of the application, provider and
    component-factory classes, and ``onCreate`` of the launcher activity (and its app superclasses; ``launcher``:
    :func:`launcher_entries` of the evidence when the caller has it already)."""
    static = evidence.static
    code = code_of(evidence)
    manifest = static.manifest if static is not None else None
    entries = list(startup_entries(evidence))
    if manifest is None or code is None:
        return entries
    classes = {class_of(e) for e in entries}
    defined = code.classes
    for cls in sorted(classes):
        if cls in defined:
            entries.append(f"{cls}-><clinit>()V")
    entries.extend(launcher_entries(evidence) if launcher is None else launcher)
    return list(dict.fromkeys(entries))


def launcher_entries(evidence: Evidence) -> list[str]:
    """``onCreate`` and ``<clinit>`` of the launcher activities and their app-defined superclasses, stopping at a
    platform library class (AppCompatActivity and the like are the framework's plumbing, not the app's code)."""
    static = evidence.static
    code = code_of(evidence)
    manifest = static.manifest if static is not None else None
    if manifest is None or code is None:
        return []
    entries: list[str] = []
    defined = code.classes
    for name in launcher_activities(manifest):
        for cls in superclasses(code, java_to_desc(name)):
            if cls not in defined or is_platform_library(cls):
                break
            entries.append(f"{cls}-><clinit>()V")
            entries.extend(m for m in methods_of(code, cls) if "->onCreate(" in m)
    return list(dict.fromkeys(entries))


# -- building the model ----------------------------------------------------------------------------------------


def consent_model(evidence: Evidence) -> ConsentModel | None:
    """The consent model of the evidence's app (cached per static evidence); None without code."""
    static = evidence.static
    code = code_of(evidence)
    if static is None or code is None:
        return None
    cached = _CACHE.get(id(static))
    if cached is not None and cached[0] is static:
        return cached[1]
    model = _build(evidence, code)
    _CACHE.clear()
    _CACHE[id(static)] = (static, model)
    return model


def cached_model(evidence: Evidence) -> ConsentModel | None:
    """The model if a predicate already computed it for this evidence, else None (the report never builds one)."""
    static = evidence.static
    cached = _CACHE.get(id(static)) if static is not None else None
    return cached[1] if cached is not None and cached[0] is static else None


class _Flows:
    """Decodes methods on demand (bounded by :data:`MAX_FLOW_METHODS`) with the model's current flag oracle."""

    def __init__(self, code: Any, model: ConsentModel) -> None:
        self.code = code
        self.model = model
        self.decoded = 0

    def invoke_flag(self, desc: str, args: list[tuple]) -> bool | None:
        m = self.model
        if desc in m.helpers:
            return m.helpers[desc]
        if desc.startswith(NOT_STORAGE) or not GETTER.search(desc):
            return None
        for v in args:
            if v[0] == "string" and v[1] in m.keys:
                return m.keys[v[1]]
        return None

    def field_flag(self, name: str) -> bool | None:
        return self.model.fields.get(name.split(":", 1)[0])

    def flow(
        self, method: str, *, fresh: bool = False, params: dict[int, tuple[bool, str]] | None = None
    ) -> MethodFlow | None:
        """The method's flow (decoded once; ``fresh`` decodes again; ``params``: see ``method_flow``'s
        ``param_flags``)."""
        if not fresh and method in self.model.flows:
            return self.model.flows[method]
        if self.decoded >= MAX_FLOW_METHODS:
            self.model.truncated = True
            return None
        check_deadline()
        records = self.code.method_records(method)
        if not records:
            return None
        ci, r = records[0]
        dc = self.code.codes[ci]
        dex = dc.dex
        code_off = dc.methods[r * METHOD_WORDS + 3]
        self.decoded += 1
        flow = method_flow(
            dex.data,
            code_off,
            dc.method_desc,
            dex.field_desc,
            dex.string,
            self.invoke_flag,
            self.field_flag,
            params,
        )
        self.model.flows[method] = flow
        return flow


def _new_instances(code: Any, method: str) -> list[str]:
    out = []
    for ci, r in code.method_records(method):
        dc = code.codes[ci]
        types = dc.type_descs
        for _i, kind, _op, _off, idx in dc.events_of_record(r):
            if kind == EV_NEW_INSTANCE and idx < len(types):
                out.append(types[idx])
    return out


def _through_static_fields(code: Any, flows: _Flows, dialogs: list[str]) -> list[str]:
    """Dialog methods whose policy text is a constant kept in a static ``String`` field (not inlined: a non-final
    field, a Kotlin ``val`` in an object) and set at run time elsewhere (``setText(Texts.PRIVACY)``): a static
    initialiser storing the text is replaced by the methods reading the field (``sget-object``)."""
    texts = consent_knowledge().dialog_texts
    out: list[str] = []
    for d in dialogs:
        if not d.endswith("-><clinit>()V"):
            out.append(d)
            continue
        flow = flows.flow(d)
        held = [f for f, v in (flow.string_stores if flow else []) if any(t in v for t in texts)]
        readers = [r.caller for r in code.field_reads(held)] if held else []
        out.extend(readers or [d])
    return list(dict.fromkeys(out))


def _is_handler_name(method: str) -> bool:
    name = method.split("->", 1)[1].split("(", 1)[0]
    k = consent_knowledge()
    if name in k.handler_names:
        return True
    low = name.lower()
    return (low.startswith("on") and any(w in low for w in k.handler_words)) or name.startswith("lambda$")


def _handler_summary(code: Any, flows: _Flows, handler: str) -> tuple[list[tuple], set[str]]:
    """Consent writes and calls of a handler and the app methods it calls, :data:`HANDLER_DEPTH` deep."""
    writes: list[tuple] = []
    calls: set[str] = set()
    seen = {handler}
    frontier = [handler]
    for _ in range(HANDLER_DEPTH):
        nxt = []
        for m in frontier:
            flow = flows.flow(m)
            if flow is None:
                continue
            writes.extend(flow.writes)
            for _off, callee, _args in flow.invokes:
                calls.add(callee)
                if callee not in seen and class_of(callee) in code.classes:
                    seen.add(callee)
                    nxt.append(callee)
        frontier = nxt
    return writes, calls


def _param_register(method: str, index: int) -> int:
    """The ``pN`` register of declared parameter ``index`` of an instance method (``p0`` is ``this``)."""
    params = method[method.find("(") + 1 : method.rfind(")")]
    pnum, i, k = 1, 0, 0
    while i < len(params) and k < index:
        j = i
        while params[j] == "[":
            j += 1
        wide = params[j] in "JD" and j == i
        j = params.index(";", j) + 1 if params[j] == "L" else j + 1
        pnum += 2 if wide else 1
        i, k = j, k + 1
    return pnum


def _split_callbacks(
    code: Any, flows: _Flows, model: ConsentModel, lib_callbacks: dict[str, tuple[set[str], int, str]]
) -> None:
    """A dialog library's single answer callback (PolicyLib ``rule(boolean agree)``) is both handlers: decoded
    with its boolean parameter as the consent flag, the agree side gates (its callees are cut like any gate, its
    flag writes are the agree handler's) and the whole method is a refuse-handler entry whose agree-only callees
    are cut, so code on the refuse side (or before the branch) is reached after refusal."""
    for sig, (callers, index, lib_id) in lib_callbacks.items():
        classes: set[str] = set()
        for c in callers:
            classes.update([class_of(c), *_new_instances(code, c)])
        for cls in sorted(classes):
            if cls not in code.classes:
                continue
            for m in methods_of(code, cls):
                if not m.endswith("->" + sig):
                    continue
                flag = f"{lib_id}:{sig.split('(', 1)[0]}(agree)"
                flow = flows.flow(m, fresh=True, params={_param_register(m, index): (True, flag)})
                if flow is None:
                    continue
                model.split_handlers.append(m)
                for kind, name, value, off in flow.writes:
                    if off in flow.guarded:
                        (model.keys if kind == "key" else model.fields).setdefault(name, value)
                if flow.guarded:
                    model.gates[m] = flow.branches
                if m not in model.refuse_handlers:
                    model.refuse_handlers.append(m)


def _one_encoding(value: str) -> bool:
    """Whether a DEX string decoding to ``value`` (``reader.decode_mutf8``) can only have its UTF-8 bytes: no NUL
    (MUTF-8 ``C0 80``), no U+FFFD (what undecodable bytes become), no supplementary character (also read as a
    surrogate pair, two 3-byte sequences); strict UTF-8 decoding admits no other byte sequence."""
    return "\0" not in value and "\ufffd" not in value and all(c <= "\uffff" for c in value)


def _leaves(calls: set[str]) -> bool:
    if any(c.startswith(x) or x in c for c in calls for x in consent_knowledge().exit_calls):
        return True
    return any(FINISH in c for c in calls) and not any(START_ACTIVITY in c for c in calls)


def _build(evidence: Evidence, code: Any) -> ConsentModel:
    model = ConsentModel()
    model._code = code
    flows = _Flows(code, model)
    # 1. consent moment
    k = consent_knowledge()
    # one C substring pass over the string table for the dialog texts and the key-name needles together (a
    # dialog text holding a key needle, 隐私政策 ⊃ 隐私, is found by that needle: not searched twice)
    needles = [*k.key_needles, *(t for t in k.dialog_texts if not any(n in t for n in k.key_needles))]
    # the navigation graph's policy titles in the same pass (static_support.strings_containing: all but one hold a
    # needle searched here anyway, 隐私政策 holds 隐私)
    from appwarden.rules.navigation import POLICY_TEXTS

    text_refs = strings_containing(code, needles, also=POLICY_TEXTS)
    dialogs = list(
        dict.fromkeys(r.caller for r in text_refs if any(t in str(r.target) for t in k.dialog_texts))
    )
    dialogs = _through_static_fields(code, flows, dialogs)
    lib_helpers: dict[str, bool] = {}
    lib_callbacks: dict[str, tuple[set[str], int, str]] = {}  # callback sig -> (callers, agree param, lib id)
    for lib_id, lib in consent_knowledge().dialog_libraries.items():  # third-party privacy-dialog libraries
        callers = [r.caller for r in code.invokes([lib["dialog_api"]])]
        if callers:
            dialogs = list(dict.fromkeys([*callers, *dialogs]))
            model.dialog_libraries.append(lib_id)
            lib_helpers[lib["agreed_helper"]] = True
            if lib.get("callback"):
                lib_callbacks[lib["callback"]] = (
                    set(callers),
                    int(lib.get("callback_agree_param", 0)),
                    lib_id,
                )
    if not dialogs:  # the dialog's text only in resources or a WebView page (consent_resources.py)
        from appwarden.rules.consent_resources import resource_dialogs

        k = consent_knowledge()
        dialogs, model.dialog_resources = resource_dialogs(
            evidence.static, code, list(k.dialog_texts), k.asset_name, list(k.agree_texts)
        )
    model.dialogs = dialogs[:50]
    handlers: list[str] = []
    for d in model.dialogs:
        for cls in dict.fromkeys([class_of(d), *_new_instances(code, d)]):
            if cls in code.classes:
                handlers.extend(m for m in methods_of(code, cls) if m != d and _is_handler_name(m))
    handlers = list(dict.fromkeys(handlers))[:60]
    summaries = {h: _handler_summary(code, flows, h) for h in handlers}
    for h, (writes, calls) in summaries.items():
        if writes and not _leaves(calls):
            model.agree_handlers.append(h)
            for kind, name, value, _off in writes:
                table = model.keys if kind == "key" else model.fields
                table.setdefault(name, value)
    for h, (writes, calls) in summaries.items():
        if h in model.agree_handlers:
            continue
        opposite = any(
            (model.keys if k == "key" else model.fields).get(n) is (not v) for k, n, v, _o in writes
        )
        if _leaves(calls) or opposite:
            model.refuse_handlers.append(h)
    # 2. fallback: keys named like consent flags, read as booleans somewhere
    readers: set[str] = set()
    if lib_helpers:  # a dialog library's own "agreed" getter is a helper returning the flag
        model.helpers.update(lib_helpers)
        readers.update(r.caller for r in code.invokes(list(lib_helpers)))
    # keys taken from ``text_refs`` whose every reader is in ``readers`` already (:func:`_one_encoding`: every DEX
    # string with that value has the same bytes, holding the needle the byte search found it by, so each
    # const-string of it is in text_refs and passed the same test, which depends on the value only); the others
    # are searched for again below
    from_refs: set[str] = set()
    if not model.keys and not model.fields:
        k = consent_knowledge()
        for ref in text_refs:  # found by the byte search in C above, then the exact test
            if len(ref.target) <= 64 and " " not in ref.target and k.key_name.search(ref.target):
                model.keys.setdefault(ref.target, not k.negative_key.search(ref.target))
                readers.add(ref.caller)
                from_refs.add(ref.target)
    flows.model.flows.clear()  # decoded with an empty oracle: decode again with the flags known
    rest = [key for key in model.keys if not (key in from_refs and _one_encoding(key))]
    if rest:
        readers.update(r.caller for r in code.strings_matching(rest))
    launcher = launcher_entries(evidence)  # once for the entries and both walks (its superclass chains)
    model.entries = preconsent_entries(evidence, launcher)
    model._full = _reach(code, evidence, model, {}, launcher)
    if model.fields:
        readers.update(r.caller for r in code.field_reads(list(model.fields)))
        readers.update(_instance_field_readers(code, model))
    # 3. helpers returning the flag, then the methods branching on it
    todo = set(readers)
    analysed: set[str] = set()
    for _ in range(HELPER_ROUNDS + 1):
        new_helpers = {}
        for m in sorted(todo - analysed):
            analysed.add(m)
            flow = flows.flow(m, fresh=True)
            if flow is not None and flow.reads and flow.returns_flag is not None and m.endswith(")Z"):
                new_helpers[m] = flow.returns_flag
        todo = set()
        if not new_helpers:
            break
        model.helpers.update(new_helpers)
        todo = {r.caller for r in code.invokes(list(new_helpers))}
        for m in analysed & todo:  # callers decoded before the helper was known: decode again
            analysed.discard(m)
    if not model.agree_handlers:  # keys only named like a consent flag count when read as a boolean
        read = {name for m in analysed if (f := model.flows.get(m)) is not None for _o, name in f.reads}
        model.keys = {k: v for k, v in model.keys.items() if k in read}
    for m in analysed:
        flow = model.flows.get(m)
        if flow is not None and flow.guarded:
            model.gates[m] = flow.branches
    _split_callbacks(code, flows, model, lib_callbacks)
    model.host_gate = any(owner_of(evidence, class_of(m)) == "host" for m in model.gates)
    if not model.recognised:
        model.unsure_reason = (
            "consent dialog found but no consent flag it writes was recognised (a value of unknown meaning, a flag"
            " computed or merged across branches, or a flag kept by an SDK)"
            if model.dialogs
            else "no privacy dialog or consent flag recognised in the code (WebView/server-driven dialog or"
            " resources only): conditions on the path were not evaluated"
        )
    # 4. reachability, full and cut
    model._cut_edges = _cut_edges(code, model)
    if model._cut_edges and any(m in model._full for m in model._cut_edges):
        model._cut = _reach(code, evidence, model, model._cut_edges, launcher)
    model._refusal = _walk(code, model.refuse_handlers, model._cut_edges) if model.refuse_handlers else {}
    _contracts(evidence, code, model)
    return model


MAX_FIELD_READERS = 60  # candidate readers of instance-field flags decoded per field


def _instance_field_readers(code: Any, model: ConsentModel) -> set[str]:
    """Candidate readers of the flag fields as instance fields (``iget`` is not in the code index's event table):
    the methods reachable before consent that belong to the field's class or call one of its methods (a singleton
    getter, the activity's own helpers), at most :data:`MAX_FIELD_READERS` per field."""
    out: set[str] = set()
    for name in model.fields:
        cls = name.split("->", 1)[0]
        own = methods_of(code, cls)
        cand = {m for m in own if m in model._full}
        if own:
            cand.update(r.caller for r in code.invokes(list(own)) if r.caller in model._full)
        out.update(sorted(cand)[:MAX_FIELD_READERS])
    return out


_FLAG_TYPES = (":Z", ":I", ":J", ":Ljava/lang/String;", ":Ljava/lang/Boolean;", ":Ljava/lang/Integer;")


def _condition_could_be_consent(code: Any, value: tuple) -> bool:
    """Whether a branch operand could hold a consent decision (then the branch may be an unrecognised gate)."""
    kind = value[0]
    if kind in ("literal", "string"):
        return False
    if kind == "call":
        desc = value[1]
        if desc.startswith(consent_knowledge().storage_classes):
            return True
        cls = class_of(desc)
        return cls in code.classes and not is_platform_library(cls) and not desc.endswith(")V")
    if kind == "field":
        name = value[1]
        if name.startswith(("Landroid/", "Ljava/", "Lkotlin/")) or "/BuildConfig;->" in name:
            return False
        return name.endswith(_FLAG_TYPES)
    return True  # parameters, instance fields, computed values: unknown


def unconditional_prefix(evidence: Evidence, model: ConsentModel, path: list[str]) -> list[str] | None:
    """When the app's own methods on ``path`` (from its entry up to the first SDK or library method) contain no
    branch that could test a consent decision (only checks of framework/SDK results, constants, object
    references, Build/BuildConfig fields), the conditions they test, described; None when one could (or the
    path starts outside the app's own code, or a method cannot be decoded)."""
    code = model._code
    flows = _Flows(code, model)
    tested: list[str] = []
    host_methods = 0
    for m in path:
        if owner_of(evidence, class_of(m)) != "host" or is_platform_library(m):
            break
        flow = flows.flow(m)
        if flow is None:
            return None
        for _off, values in flow.conditions:
            if any(_condition_could_be_consent(code, v) for v in values):
                return None
            tested.extend(v[1] for v in values if v[0] in ("call", "field"))
        host_methods += 1
    if not host_methods:
        return None
    return list(dict.fromkeys(tested))


def _sig(desc: str) -> str:
    return desc.split("->", 1)[1] if "->" in desc else desc


def _cut_edges(code: Any, model: ConsentModel) -> dict[str, set[str]]:
    """Per gate method: the callees reached only through guarded invokes (incl. async callbacks they dispatch)."""
    out: dict[str, set[str]] = {}
    graph = code.callgraph
    for m in model.gates:
        flow = model.flows.get(m)
        if flow is None:
            continue
        g_desc, u_desc = set(), set()
        for off, callee, _args in flow.invokes:
            (g_desc if off in flow.guarded else u_desc).add(callee)
        g_sig = {_sig(d) for d in g_desc}
        u_sig = {_sig(d) for d in u_desc}
        for desc in g_desc:
            cls, _, rest = desc.partition("->")
            for base, callbacks in ASYNC_DISPATCH.get((cls, rest.split("(", 1)[0]), ()):
                del base
                g_sig.update(callbacks)
        cut = set()
        for c in graph.callees(m):
            s = _sig(c)
            guarded = c in g_desc or s in g_sig or any(s.startswith(x) for x in g_sig if x.endswith("("))
            if guarded and c not in u_desc and s not in u_sig:
                cut.add(c)
        if cut:
            out[m] = cut
    return out


def _walk(
    code: Any,
    entries: list[str],
    cut: dict[str, set[str]],
    *,
    library: bool = True,
    closed: dict[str, str | None] | None = None,
) -> dict[str, str | None]:
    """BFS from ``entries`` over the call graph without the ``cut`` edges: method -> parent (entries: None).
    ``library=False``: platform library methods (AppCompat, androidx, kotlin, java) are neither entered nor kept.

    ``closed``: an earlier walk's result over the same graph and ``cut`` with at least these edges (so closed under
    them): its methods are recorded when met but not expanded, since everything they reach is in ``closed``
    already. The methods outside ``closed`` and their parents are exactly those of the unpruned walk (a method
    outside ``closed`` is only reached through methods outside it, in the same BFS order); the methods inside it
    are a subset, for the caller to take from ``closed``."""
    if not cut and library:
        return reachable(code, entries) if entries else {}
    # over the call graph's node ids, callees in descriptor order (not a set's: the parent kept, so the path a
    # report shows, must not depend on the hash seed); library=False: what is_platform_library tests
    return code.callgraph.walk(
        entries, skip_prefixes=() if library else PLATFORM_LIBRARIES, cut=cut, closed=closed
    )


def _reach(
    code: Any,
    evidence: Evidence,
    model: ConsentModel,
    cut: dict[str, set[str]],
    launcher_list: list[str] | None = None,
) -> dict[str, str | None]:
    """Methods reachable before consent: from the start-up entries (all code), then from the launcher activity
    (app and SDK code only: its path through the framework's activity plumbing is not the app's doing).
    ``launcher_list``: :func:`launcher_entries` of the evidence when the caller has it already."""
    launcher = set(launcher_entries(evidence) if launcher_list is None else launcher_list)
    parents = _walk(code, [e for e in model.entries if e not in launcher], cut)
    # the launcher walk's edges are a subset of the first walk's (same cut, no library): what the first walk
    # reached is not expanded again (its parents win below anyway)
    more = _walk(code, [e for e in model.entries if e in launcher], cut, library=False, closed=parents)
    return _Merged(parents, more) if more else parents


_ABSENT = object()


class _Merged(Mapping[str, "str | None"]):
    """``first`` with the methods of ``more`` it lacks (``first.setdefault`` of every item of ``more``, in that
    order), without copying ``more`` into it: on a big app the launcher walk meets tens of thousands of methods,
    most of them already in ``first`` (a lazy mapping whose membership test costs a descriptor lookup per key),
    and the model only asks about a few call sites."""

    __slots__ = ("_first", "_more")

    def __init__(self, first: Mapping[str, str | None], more: Mapping[str, str | None]) -> None:
        self._first = first
        self._more = more

    def __contains__(self, key: object) -> bool:
        return key in self._first or key in self._more

    def __getitem__(self, key: str) -> str | None:
        got = self._first.get(key, _ABSENT)
        if got is _ABSENT:
            return self._more[key]
        return got  # type: ignore[return-value]

    def get(self, key: str, default: Any = None) -> Any:
        got = self._first.get(key, _ABSENT)
        return self._more.get(key, default) if got is _ABSENT else got

    def __iter__(self) -> Iterator[str]:
        yield from self._first
        first = self._first
        yield from (m for m in self._more if m not in first)

    def __len__(self) -> int:
        first = self._first
        return len(first) + sum(1 for m in self._more if m not in first)


# A vendor contract gates only an SDK identified by more than a few classes in its namespace
# (ConsentModel._vendor_gate): one of these SdkHit.matched kinds (appwarden.sdk.match) beyond package names, or at
# least FINGERPRINT_CLASSES classes of its own. Every real SDK with a contract in the corpus carries a manifest,
# meta-data or native-library signature (the one exception, a 7-class firebase_messaging iid stub, has no PI
# code); the class count keeps an integration configured only in code (UMeng through preInit: 305 classes) gated.
# An app's disguised collector is a class or two.
FINGERPRINT_SIGNATURES = frozenset({"component", "meta", "native_lib", "asset"})
FINGERPRINT_CLASSES = 20


def _contracts(evidence: Evidence, code: Any, model: ConsentModel) -> None:
    """SDK compliance contracts (``appwarden.sdk.contracts``) as gate signals, when that module is installed.

    Each contract call is noted with whether it runs before consent (its caller reachable in the cut graph and the
    invoke not guarded in it). Then, per SDK: an ``agree``/``auth`` call hard-coded ``true`` before consent tells
    the SDK the user agreed before asking (:attr:`ConsentModel.told_agreed`); an ``auth`` call hard-coded
    ``false`` before consent with no such ``true`` call, or a ``preinit`` API on the path, means the SDK holds
    collection back by its vendor's contract (:attr:`ConsentModel.held_back`, :attr:`ConsentModel.preinit_apis`).
    """
    try:
        from appwarden.sdk import contracts
    except ImportError:
        return
    try:
        calls = contracts.find_contract_calls(code)
    except Exception as exc:
        model.contract_notes.append({"error": f"{type(exc).__name__}: {exc}"[:200]})
        return
    reach = model._cut if model._cut is not None else model._full
    static = evidence.static
    model.fingerprinted = frozenset(
        hit.id
        for hit in (static.sdks if static is not None else ())
        if hit.classes >= FINGERPRINT_CLASSES
        or any(m.split(":", 1)[0] in FINGERPRINT_SIGNATURES for m in hit.matched)
    )
    for call in calls:
        contract = call.contract
        flow = model.flows.get(call.caller)
        guarded = flow is not None and call.offset in flow.guarded
        before = call.caller in reach and not guarded
        note: dict[str, Any] = {
            "sdk": contract.sdk_id,
            "api": call.target,
            "role": contract.role,
            "caller": call.caller,
            "value": call.const_arg,
            "before_consent": before,
            "source_url": contract.source_url,
        }
        if before:
            note["path"] = _chain(reach, call.caller)
        model.contract_notes.append(note)
        if contract.role == "preinit":
            model.preinit_apis[contract.api.split("(", 1)[0]] = note
    for note in model.contract_notes:
        sdk = note.get("sdk")
        if not note.get("before_consent") or not sdk:
            continue
        if note["role"] in ("agree", "auth") and note["value"] is True:
            for covered in (sdk, *consent_knowledge().contract_covers.get(sdk, ())):
                model.told_agreed.setdefault(covered, note)
    for note in model.contract_notes:
        sdk = note.get("sdk")
        if note.get("before_consent") and note["role"] == "auth" and note["value"] is False:
            for covered in (sdk, *consent_knowledge().contract_covers.get(sdk, ())):
                if covered not in model.told_agreed:
                    model.held_back.setdefault(covered, note)


def contract_for(model: ConsentModel, owner: str) -> list[dict[str, Any]]:
    """Contract notes about SDK ``owner`` (empty for the host or without contracts)."""
    return [
        n
        for n in model.contract_notes
        if n.get("sdk") == owner or owner in consent_knowledge().contract_covers.get(str(n.get("sdk")), ())
    ]


_RANK = {"confirmed": 0, "likely": 1, "possible": 2}


def consent_section(model: ConsentModel | None, findings: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The report's ``consent`` section: the consent moment and one entry per (owner, behaviour).

    Findings (report JSON dicts) with a ``behaviour`` are merged per owner and behaviour whatever rule or engine
    produced them (static start-up rules and the runtime trace rules alike): ``verdict`` is the best confidence,
    ``sources`` says which kinds of evidence agree, ``path``/``reason`` come from the static evidence. Owners whose
    every pre-consent call site is gated get ``verdict: gated`` with the gate recognised. None when there is
    neither a model nor a consent finding."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for f in findings:
        behaviour = f.get("behaviour")
        if behaviour not in ("pre_consent", "after_refusal"):
            continue
        key = (f.get("owner") or "host", behaviour)
        entry = entries.setdefault(
            key,
            {
                "owner": key[0],
                "behaviour": behaviour,
                "verdict": f.get("confidence"),
                "categories": [],
                "rules": [],
                "sources": [],
                "path": [],
                "gate": None,
                "reason": "",
                "contracts": [],
            },
        )
        if _RANK.get(f.get("confidence"), 9) < _RANK.get(entry["verdict"], 9):
            entry["verdict"] = f.get("confidence")
        entry["rules"].append(f.get("rule_id"))
        for item in f.get("evidence") or []:
            kind = item.get("type")
            if kind == "callsite":
                _add(entry["sources"], "static")
                _add(entry["categories"], item.get("category"))
                if not entry["path"] and item.get("path"):
                    entry["path"] = list(item["path"])
            elif kind == "trace":
                _add(entry["sources"], "dynamic")
                if item.get("category"):
                    _add(entry["categories"], item.get("category"))
            elif kind == "consent":
                entry["reason"] = entry["reason"] or item.get("reason", "")
                entry["contracts"] = entry["contracts"] or list(item.get("contracts") or [])
    if model is not None:
        for g in model.gated:
            key = (g["owner"], "pre_consent")
            if key in entries:
                continue  # another call site of this owner is not gated: the finding stands
            entry = entries.setdefault(
                key,
                {
                    "owner": g["owner"],
                    "behaviour": "pre_consent",
                    "verdict": "gated",
                    "categories": [],
                    "rules": [],
                    "sources": ["static"],
                    "path": list(g["path"]),
                    "gate": g["gate"],
                    "reason": _gated_reason(g["gate"]),
                    "contracts": contract_for(model, g["owner"]),
                },
            )
            _add(entry["categories"], g["category"])
    if model is None and not entries:
        return None
    owners = sorted(entries.values(), key=lambda e: (e["owner"] != "host", e["owner"], e["behaviour"]))
    return {"moment": model.moment_json() if model is not None else None, "owners": owners}


def _gated_reason(gate: dict[str, Any] | None) -> str:
    if gate and gate.get("kind") == "sdk_contract":
        return (
            "the vendor's compliance API holds the SDK's collection back until consent ("
            + str(gate["flag"])
            + ")"
        )
    return "every start-up path to its PI call sites passes a branch on the consent flag"


def _add(items: list, value: Any) -> None:
    if value is not None and value not in items:
        items.append(value)
