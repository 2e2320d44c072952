"""Turn a stream of trace events into :class:`~appwarden.dynamic.model.DynamicEvidence` (one pass, bounded memory).

``analyze_trace(header, events)`` walks the events once, keeping a small state machine:

* **consent**: ``none`` until the first ``consent_agree`` (``agreed`` from the start when the header says
  ``app_state: existing``); ``refused`` after ``consent_refuse``; ``withdrawn`` after
  ``consent_withdraw`` (a later ``consent_agree`` returns to ``agreed``). A PI access (an ``api_call`` whose
  category is known, see :mod:`appwarden.dynamic.pi_lookup`) in state ``none`` is *pre-consent*; in ``refused`` /
  ``withdrawn`` it is *after refusal*. A trace with no consent step at all leaves every access pre-consent and
  ``consent.observed`` false, so rules can lower their confidence.
* **background**: after ``app_background`` until ``app_foreground``, and after a ``process_start`` whose cause is
  not the user (``boot``, ``push``, ``alarm``, ``other_app``...).
* **frequency**: for each (API, owner) the largest number of calls inside any 60 s sliding window.
* **permissions**: every request; every re-request of a permission after it was denied (with the gap); requests in
  the first ``startup_window_ms`` that were granted but that no PI API needing them used within ``need_window_ms``
  afterwards (denied requests are not judged).
* **network**: requests carrying PI, attributed to the SDK in the stack (else the domain map), first/third party.
* **sensors**: motion-sensor registrations with thresholds compared to T/TAF 078.7-2022 (M26-T1).

Memory is bounded by the number of distinct (API, owner) pairs and by the call rate inside one minute, never by
the trace length. Stack frames are attributed by an :data:`~appwarden.dynamic.attribution.Attributor`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from appwarden.dynamic.attribution import Attributor, CachedOwner, default_attributor, is_first_party
from appwarden.dynamic.model import (
    MOTION_SENSORS,
    ConsentTimeline,
    DynamicEvidence,
    DynamicParams,
    EarlyRequest,
    FrequencyPeak,
    Observation,
    PermissionRequest,
    ProcessStart,
    Rerequest,
    SensorUse,
    Transmission,
)
from appwarden.dynamic.pi_lookup import categorize, permission_categories
from appwarden.limits import DEFAULT_LIMITS, Limits

WINDOW_MS = 60_000
FIRST_MINUTE_MAX = 1000
LABEL_MAX = 200
USER_CAUSES = ("launcher", "user", "unknown")
CONSENT_UI = ("privacy_dialog_shown", "consent_agree", "consent_refuse", "consent_withdraw")


class _Freq:
    __slots__ = ("background", "best", "caller", "category", "first_line", "last", "peak", "run", "start", "total",
                 "window")  # fmt: skip

    def __init__(self, category: str, line: int | None, caller: str | None) -> None:
        self.window: deque[int] = deque()
        self.peak = 0
        self.start = 0
        self.total = 0
        self.last = 0
        self.run = (0, 0)  # current run of calls with every gap <= periodic_max_gap_ms: (calls, first t)
        self.best = (0, 0, 0)  # the longest-lasting such run: (calls, first t, last t)
        self.background = 0
        self.category = category
        self.first_line = line
        self.caller = caller


def _observe(
    store: dict[tuple[str, str], Observation], key: tuple[str, str], fields: dict[str, Any], t: int
) -> None:
    obs = store.get(key)
    if obs is None:
        store[key] = Observation(**fields)
    else:
        obs.count += 1
        obs.last_t = t


def analyze_trace(
    header: dict[str, Any],
    events: Iterable[dict[str, Any]],
    params: DynamicParams | None = None,
    attributor: Attributor | None = None,
    domain_owner: Callable[[str], str | None] | None = None,
    errors: Iterable[Any] = (),
) -> DynamicEvidence:
    """Analyse one trace (header + events in time order) into :class:`DynamicEvidence`.

    ``attributor`` maps class descriptors to owners (default: the SDK knowledge base, else ``host``);
    ``domain_owner`` maps a network host to an owner when the request has no stack (default: the attributor's
    ``domain_owner`` method if it has one). ``errors`` (trace-reader errors) are copied into the evidence; pass
    the reader's list *after* the events are consumed, or use :func:`load_dynamic_evidence`.
    """
    params = params or DynamicParams()
    app = header.get("app") or {}
    package = str(app.get("package") or "")
    attributor = attributor or default_attributor(package)
    if domain_owner is None:
        domain_owner = getattr(attributor, "domain_owner", None)
    stack_owner = CachedOwner(attributor)
    first_party = [str(d) for d in app.get("first_party_domains") or []]

    app_state = str(header.get("app_state") or "unknown")
    consent = ConsentTimeline(app_state=app_state)
    # an app with existing data may have stored the user's agreement in an earlier session: start as agreed
    state = "agreed" if app_state == "existing" else "none"
    background = False
    counts: dict[str, int] = {}
    summary: dict[tuple[str, str], Observation] = {}
    pre: dict[tuple[str, str], Observation] = {}
    after: dict[tuple[str, str], Observation] = {}
    bg: dict[tuple[str, str], Observation] = {}
    freq: dict[tuple[str, str], _Freq] = {}
    denied: dict[str, int] = {}
    requests: list[PermissionRequest] = []
    rerequests: list[Rerequest] = []
    pending_early: list[EarlyRequest] = []
    transmissions: list[Transmission] = []
    sensors: list[SensorUse] = []
    starts: list[ProcessStart] = []
    first_minute: list[dict[str, Any]] = []
    perm_cats = permission_categories()
    last_t = 0
    keep = params.max_stack_frames

    for ev in events:
        kind = ev["type"]
        t = int(ev["t"])
        line = ev.get("_line")
        last_t = max(last_t, t)
        counts[kind] = counts.get(kind, 0) + 1
        compact: dict[str, Any] | None = {"t": t, "type": kind, "line": line} if t < WINDOW_MS else None

        if kind == "api_call":
            args = ev.get("args")
            category = ev.get("category") or categorize(ev["class"], ev["method"], args)
            if not category:
                compact = None  # non-PI hooked call: not worth a timeline row
            else:
                api = f"{ev['class']}.{ev['method']}"
                stack = ev.get("stack") or []
                owner, caller = stack_owner(stack)
                key = (api, owner)

                fields = {
                    "t": t, "api": api, "category": category, "owner": owner, "line": line, "caller": caller,
                    "stack": list(stack[:keep]), "last_t": t, "background": background,
                }  # fmt: skip
                _observe(summary, key, fields, t)
                if state == "none":
                    _observe(pre, key, fields, t)
                elif state in ("refused", "withdrawn"):
                    _observe(after, key, fields, t)
                if background:
                    _observe(bg, key, fields, t)
                f = freq.get(key)
                if f is None:
                    f = freq[key] = _Freq(category, line, caller)
                f.total += 1
                f.background += background
                # periodic reading: the longest-lasting run of calls whose every gap is <= periodic_max_gap_ms
                if f.total > 1 and t - f.last <= params.periodic_max_gap_ms:
                    f.run = (f.run[0] + 1, f.run[1])
                else:
                    f.run = (1, t)
                if f.best[0] == 0 or f.run[1] == f.best[1] or t - f.run[1] > f.best[2] - f.best[1]:
                    f.best = (f.run[0], f.run[1], t)
                f.last = t
                f.window.append(t)
                while t - f.window[0] >= WINDOW_MS:
                    f.window.popleft()
                if len(f.window) > f.peak:
                    f.peak = len(f.window)
                    f.start = f.window[0]
                for req in pending_early:
                    if req.first_use_at is None and category in req.categories and t >= req.requested_at:
                        req.first_use_at = t
                if compact is not None:
                    compact.update(label=api, category=category, owner=owner)

        elif kind == "permission_request":
            owner, _caller = stack_owner(ev.get("stack"))
            perms = list(ev["permissions"])
            requests.append(
                PermissionRequest(
                    t,
                    perms,
                    owner,
                    line,
                    before_consent=state == "none",
                    after_refusal=state in ("refused", "withdrawn"),
                )
            )
            for perm in perms:
                if perm in denied:
                    rerequests.append(Rerequest(perm, denied[perm], t, t - denied[perm], line, owner))
                if t <= params.startup_window_ms and perm in perm_cats:
                    pending_early.append(EarlyRequest(perm, t, list(perm_cats[perm]), None, line, owner))
            if compact is not None:
                compact.update(label=", ".join(p.rsplit(".", 1)[-1] for p in perms), owner=owner)

        elif kind == "permission_result":
            perm = ev["permission"]
            if ev["granted"]:
                denied.pop(perm, None)
            else:
                denied[perm] = t
            for req in pending_early:
                if req.permission == perm and req.granted is None and t >= req.requested_at:
                    req.granted = bool(ev["granted"])
            if compact is not None:
                compact.update(label=f"{perm.rsplit('.', 1)[-1]} {'granted' if ev['granted'] else 'denied'}")

        elif kind == "ui":
            name = ev["event"]
            if name in CONSENT_UI:
                consent.events.append({"t": t, "event": name, "label": ev.get("label"), "line": line})
            if name == "privacy_dialog_shown":
                if consent.dialog_shown is None:
                    consent.dialog_shown = t
            elif name == "consent_agree":
                state = "agreed"
                if consent.agreed is None:
                    consent.agreed = t
            elif name == "consent_refuse":
                state = "refused"
                if consent.refused is None:
                    consent.refused = t
            elif name == "consent_withdraw":
                state = "withdrawn"
                if consent.withdrawn is None:
                    consent.withdrawn = t
            elif name == "app_background":
                background = True
            elif name == "app_foreground":
                background = False
            elif name == "process_start":
                cause = str(ev.get("cause") or "unknown")
                starts.append(ProcessStart(t, cause, line, before_consent=state == "none"))
                background = cause not in USER_CAUSES
            if compact is not None:
                label = ev.get("label") or ev.get("screen") or ev.get("cause")
                compact.update(label=f"{name}: {label}" if label else name)

        elif kind == "network":
            cats = sorted({str(p["category"]) for p in ev.get("pi") or []})
            host = ev["host"]
            if cats:
                stack = ev.get("stack")
                owner, source = "host", "none"
                if stack:
                    owner, _caller = stack_owner(stack)
                    source = "stack"
                if (owner == "host" or source == "none") and domain_owner is not None:
                    dom = domain_owner(host)
                    if dom is not None:
                        owner, source = dom, "domain"
                third = not is_first_party(host, package, first_party)
                transmissions.append(
                    Transmission(
                        t,
                        host,
                        cats,
                        owner,
                        third,
                        ev.get("path"),
                        ev.get("method"),
                        state == "none",
                        line,
                        source,
                    )
                )
            if compact is not None:
                compact.update(
                    label=f"{ev.get('method') or ''} {host}{ev.get('path') or ''}".strip(),
                    category=",".join(cats),
                )

        elif kind == "sensor_register":
            sensor = ev["sensor"].lower()
            if sensor in MOTION_SENSORS:
                owner, caller = stack_owner(ev.get("stack"))
                criteria = {
                    "accel_mps2": params.shake_accel_mps2,
                    "rotation_deg": params.shake_rotation_deg,
                    "duration_s": params.shake_duration_s,
                }
                observed = {
                    k: float(v)
                    for k, v in (ev.get("thresholds") or {}).items()
                    if k in criteria and isinstance(v, int | float) and not isinstance(v, bool)
                }
                below = [k for k, v in observed.items() if v < criteria[k]]
                sensors.append(
                    SensorUse(
                        t,
                        sensor,
                        owner,
                        ev.get("rate_us"),
                        observed,
                        below,
                        bool(observed) and len(below) == len(observed),
                        line,
                        caller,
                        background,
                    )
                )
            if compact is not None:
                compact.update(label=sensor)

        if compact is not None and len(first_minute) < FIRST_MINUTE_MAX:
            label = compact.get("label")
            if isinstance(label, str) and len(label) > LABEL_MAX:
                compact["label"] = label[:LABEL_MAX] + "…"
            first_minute.append(compact)

    early = [
        r
        for r in pending_early
        if r.granted and (r.first_use_at is None or r.first_use_at - r.requested_at > params.need_window_ms)
    ]
    peaks = [
        FrequencyPeak(
            api,
            f.category,
            owner,
            f.peak,
            f.start,
            f.total,
            f.background,
            f.first_line,
            f.caller,
            run_calls=f.best[0],
            run_start=f.best[1],
            run_end=f.best[2],
        )
        for (api, owner), f in freq.items()
    ]
    peaks.sort(key=lambda p: (-p.peak_per_minute, p.api, p.owner))
    err_list = [e.to_json() if hasattr(e, "to_json") else dict(e) for e in errors]
    return DynamicEvidence(
        package=package,
        sha256=app.get("sha256"),
        header={k: v for k, v in header.items() if not k.startswith("_")},
        params=params,
        duration_ms=last_t,
        event_counts=counts,
        consent=consent,
        api_summary=sorted(summary.values(), key=lambda o: o.t),
        pre_consent=sorted(pre.values(), key=lambda o: o.t),
        after_refusal=sorted(after.values(), key=lambda o: o.t),
        background=sorted(bg.values(), key=lambda o: o.t),
        frequency=peaks,
        permission_requests=requests,
        rerequests=rerequests,
        early_requests=early,
        transmissions=transmissions,
        sensors=sensors,
        process_starts=starts,
        first_minute=first_minute,
        errors=err_list,
    )


def load_dynamic_evidence(
    path: str | Path,
    limits: Limits = DEFAULT_LIMITS,
    params: DynamicParams | None = None,
    attributor: Attributor | None = None,
) -> DynamicEvidence:
    """Read and analyse a trace file (what ``appwarden scan --trace`` calls). TraceFormatError for a bad header;
    bad event lines end up in ``DynamicEvidence.errors``."""
    from appwarden.dynamic.trace import read_trace

    header, events, errors = read_trace(path, limits)
    evidence = analyze_trace(header, events, params=params, attributor=attributor)
    evidence.errors = [e.to_json() for e in errors]
    return evidence


def trace_mismatch(dyn: DynamicEvidence, package: str | None, sha256: str | None) -> str | None:
    """A one-line message when the trace was recorded from a different app than the APK being scanned (package or
    APK sha256 differ), else None. The pipeline should record it as an ``ErrorNote(stage="dynamic")``."""
    if package and dyn.package and dyn.package != package:
        return f"trace is for package {dyn.package!r}, the APK is {package!r}"
    if sha256 and dyn.sha256 and dyn.sha256.lower() != sha256.lower():
        return f"trace was recorded from APK sha256 {dyn.sha256[:12]}…, the scanned APK is {sha256[:12]}…"
    return None
