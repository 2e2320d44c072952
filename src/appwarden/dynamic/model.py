"""What a runtime trace showed: :class:`DynamicEvidence` (observations, never verdicts of law).

Produced by :func:`appwarden.dynamic.analyze.analyze_trace`; read by the ``dynamic_*`` predicates and rendered by
:mod:`appwarden.dynamic.timeline`. Times are milliseconds since session start (``t``); ``line`` is the trace line
the observation comes from (evidence pointer). Thresholds used are in :class:`DynamicParams` (kept in the evidence
so a report says which limits applied); predicates may re-apply their own rule parameters to the raw observations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# T/TAF 078.7-2022 note (M26-T1): a shake trigger should need acceleration >= 15 m/s², rotation >= 35°, or
# duration >= 3 s (or an equivalent combination). Observed thresholds weaker than every criterion = too sensitive.
SHAKE_CRITERIA = {"accel_mps2": 15.0, "rotation_deg": 35.0, "duration_s": 3.0}
MOTION_SENSORS = (
    "accelerometer",
    "linear_acceleration",
    "gyroscope",
    "rotation_vector",
    "gravity",
    "game_rotation_vector",
)


@dataclass(frozen=True, slots=True)
class DynamicParams:
    """Configurable thresholds of the dynamic analysis (none of them is a number from a primary legal text except
    the 摇一摇 criteria; see ``docs/dynamic.md``)."""

    max_calls_per_minute: int = (
        10  # per API per owner in any 60 s window (164号文 gives 30 s / 2 s only as examples)
    )
    rerequest_min_interval_h: float = 48.0  # M26-T3: industry convention, primary source NOT found
    # periodic reading: calls of one API by one owner whose every gap is at most this long form a run (164号文
    # M164-1.2-S2's example "以特定频率（如每30s）读取" plus 10% for timer jitter, the 10% a project choice)
    periodic_max_gap_ms: int = 33_000
    startup_window_ms: int = 10_000  # a permission request this early counts as "at start-up"
    need_window_ms: int = 10_000  # ... and is premature when no API needing it runs this soon after
    shake_accel_mps2: float = SHAKE_CRITERIA["accel_mps2"]
    shake_rotation_deg: float = SHAKE_CRITERIA["rotation_deg"]
    shake_duration_s: float = SHAKE_CRITERIA["duration_s"]
    max_stack_frames: int = 12  # frames kept per observation in the evidence

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class ConsentTimeline:
    """When the privacy dialog appeared and what the user did (first occurrence of each, ms)."""

    dialog_shown: int | None = None
    agreed: int | None = None
    refused: int | None = None
    withdrawn: int | None = None
    events: list[dict[str, Any]] = field(default_factory=list)  # consent ui events {t, event, label, line}
    app_state: str = "unknown"  # header app_state: fresh | existing | unknown

    @property
    def observed(self) -> bool:
        """Whether the trace shows any consent step at all (dialog or decision)."""
        return bool(self.events)

    def pre_consent_confidence(self) -> str | None:
        """Confidence override for "before consent" observations: None (the rule's own, i.e. confirmed) when a
        consent step was observed; ``likely`` when none was but the app started fresh (it never asked);
        ``possible`` when none was and the app's stored state is unknown (consent may have been given earlier)."""
        if self.observed:
            return None
        return "likely" if self.app_state == "fresh" else "possible"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["observed"] = self.observed
        return data


@dataclass(slots=True)
class Observation:
    """A PI access (api_call with a category) in some phase, grouped by (api, owner): first occurrence + count."""

    t: int
    api: str  # java class.method
    category: str
    owner: str
    line: int | None = None
    caller: str | None = None  # first non-platform stack frame
    stack: list[str] = field(default_factory=list)
    count: int = 1
    last_t: int | None = None
    background: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class FrequencyPeak:
    """The busiest 60 s window of one API for one owner, and its longest run of steady calls (periodic reading)."""

    api: str
    category: str
    owner: str
    peak_per_minute: int
    window_start: int  # t of the first call in that window
    total: int
    background_calls: int = 0
    first_line: int | None = None
    caller: str | None = None
    # the longest-lasting run of calls whose every gap is <= DynamicParams.periodic_max_gap_ms: calls, first and last t
    run_calls: int = 0
    run_start: int | None = None
    run_end: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class PermissionRequest:
    """One runtime permission request seen in a dynamic trace."""

    t: int
    permissions: list[str]
    owner: str = "host"
    line: int | None = None
    before_consent: bool = False
    after_refusal: bool = False  # after consent_refuse / consent_withdraw and before any later agreement

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Rerequest:
    """A permission requested again after the user denied it."""

    permission: str
    denied_at: int
    requested_at: int
    gap_ms: int
    line: int | None = None
    owner: str = "host"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class EarlyRequest:
    """A permission requested at start-up, granted, and then not used by any API needing it soon after (or ever).

    Denied requests are not judged (nothing can use a denied permission)."""

    permission: str
    requested_at: int
    categories: list[str]
    first_use_at: int | None = None
    line: int | None = None
    owner: str = "host"
    granted: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Transmission:
    """PI seen leaving the device in one request."""

    t: int
    host: str
    categories: list[str]
    owner: str
    third_party: bool
    path: str | None = None
    method: str | None = None
    before_consent: bool = False
    line: int | None = None
    owner_source: str = "stack"  # stack | domain | none

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class SensorUse:
    """A motion-sensor listener registration, with trigger thresholds where the trace has them."""

    t: int
    sensor: str
    owner: str
    rate_us: int | None = None
    thresholds: dict[str, float] = field(default_factory=dict)
    below: list[str] = field(default_factory=list)  # criteria the observed thresholds are weaker than
    too_sensitive: bool = False  # every observed threshold is weaker than its T/TAF 078.7 criterion
    line: int | None = None
    caller: str | None = None
    background: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class ProcessStart:
    """One start of the app's process seen in a dynamic trace, with its cause."""

    t: int
    cause: str
    line: int | None = None
    before_consent: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DynamicEvidence:
    """Everything one trace showed about an app's runtime behaviour."""

    package: str
    sha256: str | None
    header: dict[str, Any]
    params: DynamicParams
    duration_ms: int = 0
    event_counts: dict[str, int] = field(default_factory=dict)
    consent: ConsentTimeline = field(default_factory=ConsentTimeline)
    api_summary: list[Observation] = field(default_factory=list)  # every (api, owner) seen, first use + count
    pre_consent: list[Observation] = field(default_factory=list)
    after_refusal: list[Observation] = field(default_factory=list)
    background: list[Observation] = field(default_factory=list)
    frequency: list[FrequencyPeak] = field(default_factory=list)  # every (api, owner) peak, exceeded or not
    permission_requests: list[PermissionRequest] = field(default_factory=list)
    rerequests: list[Rerequest] = field(default_factory=list)  # every re-request after denial (gap stated)
    early_requests: list[EarlyRequest] = field(default_factory=list)
    transmissions: list[Transmission] = field(default_factory=list)
    sensors: list[SensorUse] = field(default_factory=list)
    process_starts: list[ProcessStart] = field(default_factory=list)
    first_minute: list[dict[str, Any]] = field(
        default_factory=list
    )  # compact events of t < 60 s (timeline view)
    errors: list[dict[str, Any]] = field(default_factory=list)  # trace errors {line, message}

    # ---- derived views -------------------------------------------------------------------------------------
    def frequency_exceeded(self, limit: int | None = None) -> list[FrequencyPeak]:
        """Peaks above ``limit`` calls per minute (default: the analysis parameter)."""
        lim = self.params.max_calls_per_minute if limit is None else limit
        return [p for p in self.frequency if p.peak_per_minute > lim]

    def rerequests_within(self, hours: float | None = None) -> list[Rerequest]:
        """Re-requests closer than ``hours`` after the denial (default: the analysis parameter)."""
        h = self.params.rerequest_min_interval_h if hours is None else hours
        return [r for r in self.rerequests if r.gap_ms < h * 3_600_000]

    def third_party_transmissions(self) -> list[Transmission]:
        return [x for x in self.transmissions if x.third_party]

    def too_sensitive_sensors(self) -> list[SensorUse]:
        return [s for s in self.sensors if s.too_sensitive]

    def self_starts(self) -> list[ProcessStart]:
        """Process starts not caused by the user (boot, push, alarm, another app...)."""
        return [p for p in self.process_starts if p.cause not in ("launcher", "user", "unknown")]

    def summary(self, max_rows: int = 50) -> dict[str, Any]:
        """A compact JSON-ready overview (what the report's ``dynamic`` section shows; findings carry the detail):
        trace identity, duration, consent timeline, and the notable observations, each row pointing to its line."""

        def rows(items: list[Observation]) -> list[dict[str, Any]]:
            return [
                {
                    "t": o.t,
                    "api": o.api,
                    "category": o.category,
                    "owner": o.owner,
                    "count": o.count,
                    "line": o.line,
                }
                for o in items[:max_rows]
            ]

        head = self.header
        return {
            "package": self.package,
            "sha256": self.sha256,
            "source": head.get("source"),
            "device": head.get("device"),
            "android": head.get("android"),
            "tester": head.get("tester"),
            "started_at": head.get("started_at"),
            "duration_ms": self.duration_ms,
            "events": sum(self.event_counts.values()),
            "event_counts": dict(self.event_counts),
            "bad_lines": len(self.errors),
            "consent": self.consent.to_json() | {"events": self.consent.events[:max_rows]},
            "pi_apis_seen": len(self.api_summary),
            "pre_consent": rows(self.pre_consent),
            "after_refusal": rows(self.after_refusal),
            "background": rows(self.background),
            "frequency_exceeded": [p.to_json() for p in self.frequency_exceeded()[:max_rows]],
            "rerequests_too_soon": [r.to_json() for r in self.rerequests_within()[:max_rows]],
            "early_requests": [r.to_json() for r in self.early_requests[:max_rows]],
            "third_party_transmissions": [x.to_json() for x in self.third_party_transmissions()[:max_rows]],
            "sensors_too_sensitive": [x.to_json() for x in self.too_sensitive_sensors()[:max_rows]],
            "self_starts": [x.to_json() for x in self.self_starts()[:max_rows]],
            "params": self.params.to_json(),
        }

    def to_json(self) -> dict[str, Any]:
        """The full JSON-ready dict (``appwarden trace analyze --json``); :meth:`summary` is the compact form."""
        out: dict[str, Any] = {
            "package": self.package,
            "sha256": self.sha256,
            "header": self.header,
            "params": self.params.to_json(),
            "duration_ms": self.duration_ms,
            "event_counts": dict(self.event_counts),
            "consent": self.consent.to_json(),
        }
        for name in (
            "api_summary",
            "pre_consent",
            "after_refusal",
            "background",
            "frequency",
            "permission_requests",
            "rerequests",
            "early_requests",
            "transmissions",
            "sensors",
            "process_starts",
        ):
            out[name] = [item.to_json() for item in getattr(self, name)]
        out["frequency_exceeded"] = [p.to_json() for p in self.frequency_exceeded()]
        out["rerequests_too_soon"] = [r.to_json() for r in self.rerequests_within()]
        out["first_minute"] = list(self.first_minute)
        out["errors"] = list(self.errors)
        return out
