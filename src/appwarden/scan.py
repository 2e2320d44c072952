"""The scan pipeline: the one function the CLI, the batch runner, Celery tasks and the platform all call.

``build_evidence(apk)`` runs the static stage (APK reader, DEX index, PI call sites, SDK identification and
attribution, packer detection) and, when given, the policy and dynamic stages; ``scan_apk(apk)`` then evaluates the
rules and returns the report dict (schema: ``appwarden/report/schema/report.schema.json``).

Failure contract: an input that is not an APK Android could install raises an :class:`AppwardenError` (the CLI exits
2), and so does a policy or trace file the caller supplied that cannot be read at all (missing, empty, binary, a
directory, not a regular file, over its size limit): an input the user gave is never silently dropped. Anything
that fails *inside* a readable APK (one corrupt DEX, a bad signature block, an unreadable bundled policy, a rule
that raises) is recorded in the report's ``errors`` and the scan goes on.

Time: every stage (apk, dex, sdk, reachability, screening, policy, trace, rules, report) runs under
``Limits.stage_timeout`` (:func:`stage_deadline`). A stage past its deadline stops (:class:`StageTimeout`): from
dex on, what it would have added is skipped and ``errors`` says so (rules needing it become ``not_evaluated``);
the apk stage, and the report stage, cannot give a report without their result, so their timeout is raised
(exit 2, one line).
"""

from __future__ import annotations

import contextlib
import gc
import re
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from appwarden import ENGINE_NAME, __version__
from appwarden.errors import AppwardenError, InputError, LimitExceeded, StageTimeout, display_path
from appwarden.evidence import CallSite, ErrorNote, Evidence, StaticEvidence
from appwarden.lazylog import get_logger
from appwarden.limits import (
    DEFAULT_LIMITS,
    Limits,
    cooperative_deadline,
    current_deadline,
    open_regular_file,
)

log = get_logger(__name__)


@contextlib.contextmanager
def stage_deadline(stage: str, seconds: float) -> Iterator[None]:
    """Raise LimitExceeded if the block runs longer than ``seconds`` (``seconds <= 0``: no limit).

    Two mechanisms, so that the limit holds in every thread and inside the C extension: the block runs under a
    cooperative :func:`appwarden.limits.cooperative_deadline` (long loops, the DEX C walker included, check it),
    and in the main thread a SIGALRM timer also interrupts Python code that does not check. Batch workers are
    additionally killed from outside on their per-app timeout.
    """
    if seconds <= 0:
        yield
        return
    with cooperative_deadline(stage, seconds) as active:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        message = active.message() if active is not None else f"stage {stage!r} exceeded its time limit"

        def on_alarm(signum: int, frame: object) -> None:
            raise StageTimeout(message)

        outer_remaining = signal.getitimer(signal.ITIMER_REAL)[0]  # an enclosing deadline, if any
        started = time.monotonic()
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, min(seconds, outer_remaining) if outer_remaining else seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if outer_remaining:  # re-arm the enclosing deadline with what is left of it
                signal.setitimer(
                    signal.ITIMER_REAL, max(1e-3, outer_remaining - (time.monotonic() - started))
                )


_GC_LOCK = threading.Lock()
_GC_SCANS = 0  # scans running in this process (threads) under gc_paused()
_GC_RESUME = False  # whether the first of them found the collector enabled


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a scan runs (re-enabled when the last running scan ends, if it
    was enabled when the first began).

    A scan allocates millions of objects that live until its report is built (the code index, the call graph,
    the reachable sets, the rule models) and frees almost nothing in cycles: refcounting frees the rest. The
    collector's generational passes kept traversing those live objects: on a 101 MB-DEX app 398 collections,
    0.25-0.3 CPU s (a tenth of the scan), finding 344 objects to free; peak RSS is the same without them. The
    cycles a scan does leave are collected after it, by the collector's next pass."""
    global _GC_SCANS, _GC_RESUME
    with _GC_LOCK:
        if _GC_SCANS == 0:
            _GC_RESUME = gc.isenabled()
            gc.disable()
        _GC_SCANS += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_SCANS -= 1
            if _GC_SCANS == 0 and _GC_RESUME:
                gc.enable()


def build_static_evidence(apk_path: str | Path, limits: Limits = DEFAULT_LIMITS) -> StaticEvidence:
    """Run the static stage on one APK. Raises AppwardenError only when the file is not a readable APK."""
    return _static_stage(apk_path, limits)[0]


def asset_dex_names(entry_names: list[str]) -> list[str]:
    """DEX files shipped under ``assets/`` (``*.dex``, sorted): code the app loads at run time (DexClassLoader,
    InMemoryDexClassLoader) is its code all the same, so it is indexed after the DEX files Android loads itself
    (a class both define is the installed one, as a child loader delegates to its parent first). Without this an
    app moves its collection into ``assets/plugin.dex`` and the scan sees none (tests/rules/test_evasion.py)."""
    return sorted(n for n in entry_names if n.startswith("assets/") and n.endswith(".dex"))


def is_dex_file(data: bytes | Any) -> bool:
    """Whether ``data`` starts as a DEX file does (``dex\\n``, three version digits, NUL): the test an asset named
    ``*.dex`` must pass to be indexed. Many apps ship encrypted code or a jar under such a name (packers, ad-SDK
    plugins); read as DEX it would only give errors, and an error of the DEX stage makes the analysis incomplete
    (``appwarden.completeness``) although nothing Android runs by itself was missed."""
    head = bytes(data[:8])
    return len(head) == 8 and head[:4] == b"dex\n" and head[4:7].isdigit() and head[7] == 0


def _static_stage(apk_path: str | Path, limits: Limits) -> tuple[StaticEvidence, Any]:
    """The static stage; also returns the opened ``Apk`` for later stages (bundled policy)."""
    from appwarden.apk import open_apk
    from appwarden.dex.api_index import PiApiIndex, find_callsites
    from appwarden.dex.index import build_index

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    with stage_deadline("apk", limits.stage_timeout):
        apk = open_apk(apk_path, limits)
        app = apk.app_info()
    timings["apk"] = time.perf_counter() - t0
    errors: list[ErrorNote] = list(apk.errors)

    t = time.perf_counter()
    index = None
    callsites: list = []
    blobs: list[tuple[str, bytes]] = []
    try:
        with stage_deadline("dex", limits.stage_timeout):
            assets = asset_dex_names(apk.entry_names)
            for name in (*apk.dex_names, *assets):
                try:
                    blob = apk.read_mapped(name)
                except StageTimeout:
                    raise
                except AppwardenError as exc:
                    if name not in assets:  # an asset that cannot be read is no code Android runs by itself
                        errors.append(ErrorNote("dex", str(exc), name))
                    continue
                if name in assets and not is_dex_file(blob):
                    continue  # encrypted or packed code, a jar: not a DEX (the screening's dropper checks read it)
                blobs.append((name, blob))
            timings["inflate"] = time.perf_counter() - t
            index = build_index(blobs, limits)
            callsites = find_callsites(index, PiApiIndex.load())
        errors.extend(index.errors)
        index.release_pages()
    except LimitExceeded as exc:  # skipped, and said so: rules needing bytecode become not_evaluated
        index, callsites = None, []
        errors.append(ErrorNote("dex", f"bytecode analysis skipped: {exc}"))
    timings["dex"] = time.perf_counter() - t

    evidence = StaticEvidence(
        app=app,
        manifest=apk.manifest,
        callsites=callsites,
        native_libs=list(apk.native_libs),
        assets=list(apk.assets),
        entry_names=list(apk.entry_names),
        errors=errors,
        code=index,
        apk=apk,
        timings=timings,
    )
    t = time.perf_counter()
    try:
        with stage_deadline("sdk", limits.stage_timeout):
            _identify_sdks(evidence)
    except AppwardenError as exc:
        errors.append(ErrorNote("sdk", str(exc)))
    timings["sdk"] = time.perf_counter() - t
    _release_dex_pages(evidence)
    t = time.perf_counter()
    try:
        with stage_deadline("reachability", limits.stage_timeout):
            _mark_reachability(evidence)
    except AppwardenError as exc:
        errors.append(ErrorNote("reachability", str(exc)))
    timings["reachability"] = time.perf_counter() - t
    _release_dex_pages(evidence)
    evidence.app.dex_count = sum(
        1 for name, _ in blobs if not name.startswith("assets/")
    )  # Android loads these
    if evidence.packer is not None:
        evidence.app.packer = evidence.packer.id
        errors.append(
            ErrorNote(
                "dex",
                f"app is packed with {evidence.packer.name}: its real code is encrypted, static evidence is incomplete",
            )
        )
    timings["total"] = time.perf_counter() - t0
    return evidence, apk


def _release_dex_pages(static: StaticEvidence) -> None:
    """Between stages: the DEX pages the last stage read (mmaps of temporary files) leave the process's memory, so
    the peak RSS holds only what one stage reads of them (issue #19); the kernel reads them back when needed."""
    if static.code is not None:
        static.code.release_pages()


def _identify_sdks(evidence: StaticEvidence) -> None:
    """SDK list, call-site owners and packer, in place."""
    from appwarden.sdk.attribute import attribute
    from appwarden.sdk.kb import load_kb
    from appwarden.sdk.match import Matcher
    from appwarden.sdk.packers import detect_packer

    kb = load_kb()
    code = evidence.code
    classes = list(code.classes) if code is not None else []
    matcher = Matcher(kb)
    evidence.sdks = matcher.identify(classes, evidence.manifest, evidence.entry_names, code=code)
    evidence.callsites = attribute(evidence.callsites, matcher, evidence.sdks, evidence.manifest)
    evidence.packer = detect_packer(evidence.entry_names, classes, evidence.manifest)


def _mark_reachability(evidence: StaticEvidence) -> None:
    """Reachability from the app's entry points, kept apart from presence (in place).

    Entry points are the callback-like methods of every manifest component and the Application class
    (``rules.static_support.component_entries``); the call graph adds hierarchy, listener and async edges. Each
    reachable call site gets ``reachable_from`` = the entry point its shortest path starts at; each SDK with PI
    call sites gets ``reachable`` True/False (None when it has none: presence is not use).
    """
    from appwarden.rules.static_support import component_entries, reachable
    from appwarden.sdk.attribute import mark_reachable

    if evidence.code is None:
        return
    parents = reachable(evidence.code, component_entries(Evidence(static=evidence)))
    evidence.code.callgraph.lookup_many(site.caller for site in evidence.callsites)  # one C call per DEX
    found = (
        parents.roots((site.caller for site in evidence.callsites), 10_000)
        if hasattr(parents, "roots")
        else None
    )
    if found is not None:  # the same roots as root_of below, over the graph's node ids (only the roots named)
        evidence.callsites = [
            _with_root(site, found[site.caller]) if site.caller in found else site
            for site in evidence.callsites
        ]
        mark_reachable(evidence.sdks, evidence.callsites, parents)
        return
    roots: dict[str, str] = {}

    def root_of(method: str) -> str:
        path: list[str] = []
        node = method
        while node not in roots:
            path.append(node)
            parent = parents.get(node)
            if parent is None or len(path) > 10_000:  # an entry point (or a guard against a malformed chain)
                roots[node] = node
                break
            node = parent
        for item in path:
            roots[item] = roots[node]
        return roots[node]

    evidence.callsites = [
        _with_root(site, root_of(site.caller)) if site.caller in parents else site
        for site in evidence.callsites
    ]
    mark_reachable(evidence.sdks, evidence.callsites, parents)


def _with_root(site: Any, root: str) -> Any:
    """``replace(site, reachable_from=(root,))``, positionally for a plain ``CallSite`` (:meth:`CallSite.rebuilt`:
    ~2.2x faster, ~1 500 reachable sites at 100 MB-intact)."""
    if type(site) is not CallSite:
        return replace(site, reachable_from=(root,))
    return site.rebuilt(site.owner, (root,))


def build_evidence(
    apk_path: str | Path,
    *,
    policy_path: str | Path | None = None,
    trace_path: str | Path | None = None,
    category: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    find_bundled_policy: bool = True,
) -> Evidence:
    """All evidence about one APK: static always; policy from ``policy_path`` or the policy bundled in the APK;
    dynamic from ``trace_path``; the 39类 ``category`` given, else inferred (and marked as inferred)."""
    for path, what, size in ((policy_path, "policy", limits.max_policy_size), (trace_path, "trace", 0)):
        if path is not None:  # fail before the long static stage when a supplied file cannot be read at all
            check_input_file(path, what, size or limits.max_trace_size)
    static, apk = _static_stage(apk_path, limits)
    evidence = Evidence(static=static, category=category)
    evidence.screening = _screen(static, apk, limits)
    _release_dex_pages(static)
    t = time.perf_counter()
    evidence.policy = _load_policy(static, apk, policy_path, limits, find_bundled_policy)
    static.timings["policy"] = time.perf_counter() - t
    if trace_path is not None:
        t = time.perf_counter()
        evidence.dynamic = _load_trace(static, trace_path, limits)
        static.timings["trace"] = time.perf_counter() - t
        if evidence.dynamic is not None:
            from appwarden.dynamic.analyze import trace_mismatch

            problem = trace_mismatch(evidence.dynamic, static.app.package, static.app.sha256)
            if problem is not None:
                other_app = bool(evidence.dynamic.package and static.app.package) and (
                    evidence.dynamic.package != static.app.package
                )
                note = " (trace ignored: dynamic rules not evaluated)" if other_app else ""
                static.errors.append(ErrorNote("dynamic", problem + note, display_path(trace_path)))
                if other_app:  # another app's behaviour must never become this app's finding
                    evidence.dynamic = None
    if category is None:
        inferred = _infer_category(static)
        if inferred is not None:
            evidence.category, evidence.category_inferred = inferred, True
    return evidence


def _screen(static: StaticEvidence, apk: Any, limits: Limits) -> dict[str, Any]:
    """The 不良APP screening stage (:mod:`appwarden.screening`) under its own deadline: the report's ``screening``
    section, with the user's YARA rules when ``APPWARDEN_YARA_RULES`` names a folder. Its notes go to ``errors``
    (stage ``screening``); past the deadline it is recorded as skipped and the section says it was not evaluated
    (verdict ``none``)."""
    from appwarden.screening import not_screened, screen
    from appwarden.screening.yara_rules import load_yara, yara_folder_from_env

    t = time.perf_counter()
    folder = yara_folder_from_env()  # user YARA rules: a folder that cannot be used is an InputError (exit 2)
    yara_rules = load_yara(folder) if folder else None
    try:
        with stage_deadline("screening", limits.stage_timeout):
            result = screen(static, apk, yara_rules=yara_rules)
        static.errors.extend(ErrorNote("screening", note) for note in result.notes)
        section = result.to_json()
    except StageTimeout as exc:
        static.errors.append(ErrorNote("screening", f"screening skipped: {exc}"))
        section = not_screened(f"screening skipped: {exc}")
    static.timings["screening"] = time.perf_counter() - t
    return section


def check_input_file(path: str | Path, what: str, max_size: int) -> None:
    """Raise InputError (or LimitExceeded) unless ``path`` is a readable, non-empty regular file of at most
    ``max_size`` bytes: the up-front check of a policy or trace file the user supplied."""
    fh, size = open_regular_file(path, max_size, what)
    fh.close()
    if size == 0:
        raise InputError(f"{path}: the {what} file is empty")


def _load_policy(static: StaticEvidence, apk: Any, policy_path: Any, limits: Limits, bundled: bool) -> Any:
    """PolicyEvidence from ``policy_path``, else from the policy bundled in the APK (``found=False`` when none is);
    None when no policy could be analysed (the error is recorded; policy rules are then not evaluated).

    A ``policy_path`` the caller supplied that cannot be read or analysed raises (it is never dropped); only its
    stage timeout is recorded like the bundled policy's errors."""
    from appwarden import policy as policy_mod

    try:
        with stage_deadline("policy", limits.stage_timeout):
            if policy_path is not None:
                return policy_mod.analyze_policy_file(policy_path, limits)
            if bundled:
                return policy_mod.load_bundled_policy(apk, limits)
    except StageTimeout as exc:
        static.errors.append(ErrorNote("policy", f"policy analysis skipped: {exc}", _name(policy_path)))
    except AppwardenError as exc:
        if policy_path is not None:
            raise
        static.errors.append(ErrorNote("policy", str(exc), None))
    return None


def _load_trace(static: StaticEvidence, trace_path: Any, limits: Limits) -> Any:
    """DynamicEvidence from the trace the caller supplied; its read errors raise (never dropped); a stage timeout
    is recorded and the trace's rules are not evaluated."""
    from appwarden.dynamic import load_dynamic_evidence

    try:
        with stage_deadline("trace", limits.stage_timeout):
            return load_dynamic_evidence(trace_path, limits)
    except StageTimeout as exc:
        static.errors.append(ErrorNote("dynamic", f"trace analysis skipped: {exc}", display_path(trace_path)))
        return None


def _name(path: Any) -> str | None:
    return display_path(path) if path is not None else None


def _infer_category(static: StaticEvidence) -> str | None:
    from appwarden.rules.category import infer_category

    return infer_category(static)


def engine_info() -> dict[str, str]:
    """The report's ``engine`` object: name, version, rules version."""
    from appwarden.rules.loader import rules_version

    return {"name": ENGINE_NAME, "version": __version__, "rules_version": rules_version()}


def packaged_rules() -> list[Any]:
    """The packaged rules (the loader caches them per process and on disk)."""
    from appwarden.rules.loader import load_rules

    return load_rules()


def warm_up() -> None:
    """Load every knowledge base once (PI APIs, SDKs, rules, predicates, screening indicators and the registry of
    known apps) and import the screening modules (detectors, data-flow walk).

    The batch runner calls this before forking its workers so that each inherits the loaded knowledge instead of
    parsing YAML again for every app.
    """
    from appwarden.dex.api_index import PiApiIndex
    from appwarden.rules.predicates import load_all
    from appwarden.screening import detectors, flow  # noqa: F401 - imported here, not in the first scan
    from appwarden.screening.loader import load_indicators, load_known_apps
    from appwarden.sdk.kb import load_kb
    from appwarden.sdk.match import Matcher

    PiApiIndex.load()
    Matcher(load_kb())
    packaged_rules()
    load_all()
    load_indicators()
    load_known_apps()


def evaluate(evidence: Evidence) -> Any:
    """Run every rule on the evidence; returns the engine's RuleResults.

    With a runtime trace, static findings whose behaviour the trace shows (same PI category and owner) are
    upgraded to ``confirmed`` (``appwarden.dynamic.confirm``); nothing is ever downgraded. Then evidence-scoped
    通报 types are kept only where the evidence proves them (``report.notice.scope_notice_types``).
    """
    from appwarden.rules.engine import evaluate as run_rules

    rules = packaged_rules()
    results = run_rules(evidence, rules)
    if evidence.dynamic is not None:
        from appwarden.dynamic.confirm import upgrade_findings

        results.findings = upgrade_findings(
            results.findings, evidence.dynamic, {r.id: r.predicate for r in rules}
        )
    from appwarden.report.notice import scope_notice_types

    # 超范围 on a plain read only where the declared 39类 type does not need the category (report audit)
    results.findings = scope_notice_types(results.findings, evidence.category, evidence.category_inferred)
    return results


def report_for(evidence: Evidence, results: Any = None) -> dict[str, Any]:
    """The report dict for already-built evidence (and rule results, when run)."""
    from appwarden.report.json import build_report

    return build_report(evidence, results, engine=engine_info())


def scan_apk(
    apk_path: str | Path,
    *,
    policy_path: str | Path | None = None,
    trace_path: str | Path | None = None,
    category: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    run_rules: bool = True,
    engines: tuple[str, ...] | list[str] = (),
) -> dict[str, Any]:
    """Scan one APK end to end and return the report dict (see module docstring for the failure contract).

    ``engines`` names external engine plug-ins (``appwarden.engines``) whose findings are merged into the report,
    each labelled with its ``engine``.
    """
    with gc_paused():
        return _scan(apk_path, policy_path, trace_path, category, limits, run_rules, engines)


def _scan(
    apk_path: str | Path,
    policy_path: str | Path | None,
    trace_path: str | Path | None,
    category: str | None,
    limits: Limits,
    run_rules: bool,
    engines: tuple[str, ...] | list[str],
) -> dict[str, Any]:
    evidence = build_evidence(
        apk_path, policy_path=policy_path, trace_path=trace_path, category=category, limits=limits
    )
    results = None
    assert evidence.static is not None
    if run_rules:
        t = time.perf_counter()
        try:
            with stage_deadline("rules", limits.stage_timeout):
                results = evaluate(
                    evidence
                )  # past the deadline the engine marks the remaining rules not_evaluated
                deadline = current_deadline()
                if deadline is not None and deadline.expired():
                    evidence.static.errors.append(
                        ErrorNote("rules", f"rules not all evaluated: {deadline.message()}")
                    )
        except StageTimeout as exc:  # raised outside any rule: no result can be trusted complete
            evidence.static.errors.append(ErrorNote("rules", f"rule evaluation skipped: {exc}"))
            results = None
        evidence.static.timings["rules"] = time.perf_counter() - t
    with stage_deadline("report", limits.stage_timeout):
        report = report_for(evidence, results)
    if engines:
        from appwarden.engines import run_engines
        from appwarden.report.json import extend_report

        extra, errors = run_engines(apk_path, list(engines))
        extend_report(report, findings=extra, errors=errors)
    return report


__all__ = [
    "build_evidence",
    "build_static_evidence",
    "category_choices",
    "category_key",
    "engine_info",
    "evaluate",
    "report_for",
    "scan_apk",
    "stage_deadline",
    "warm_up",
]


def category_key(value: str) -> str:
    """Normalise a user-given 39类 category to its ``N39-xx`` ID; the one validation the CLI, the web upload and
    the API share.

    Accepted (case- and blank-insensitive): the ID (``N39-07``, ``n39-7``), the Chinese name with or without its
    trailing 类 (``餐饮外卖类``, ``餐饮外卖``) and the English name (``food delivery``). Raises
    :class:`~appwarden.errors.InputError` (an :class:`AppwardenError`) with a one-line message for anything else,
    including an empty value.
    """
    from appwarden.rules.category import necessary_pi

    types: dict[str, Any] = necessary_pi()["types"]
    wanted = " ".join(str(value).split()).casefold()
    match = re.fullmatch(r"n39-?0*(\d{1,2})", wanted)
    if match is not None:
        key = f"N39-{int(match.group(1)):02d}"
        if key in types:
            return key
    for key, record in types.items():
        names = {str(record.get("name_en", "")).casefold(), str(record.get("name_zh", ""))}
        names.add(str(record.get("name_zh", "")).removesuffix("类"))
        if wanted and wanted in names:
            return key
    raise InputError(
        f"unknown app category {value!r}: give an N39-xx id or its Chinese name "
        f"(N39-01 .. N39-{len(types):02d}; 'appwarden scan --category list' shows them all)"
    )


def category_choices() -> list[tuple[str, str, str]]:
    """Every valid 39类 category as ``(id, Chinese name, English name)``, in id order (for choice lists)."""
    from appwarden.rules.category import necessary_pi

    types: dict[str, Any] = necessary_pi()["types"]
    return [
        (key, str(rec.get("name_zh", "")), str(rec.get("name_en", ""))) for key, rec in sorted(types.items())
    ]
