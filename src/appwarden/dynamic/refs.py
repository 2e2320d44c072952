"""Evidence references (``rules.model`` dicts with a ``type`` key) built from dynamic observations.

Every reference points back into the trace: ``ts`` (ms since session start) and ``line`` (line number in the
trace file), so each exported row can be checked against its evidence.
"""

from __future__ import annotations

from typing import Any

from appwarden.dynamic.model import (
    EarlyRequest,
    FrequencyPeak,
    Observation,
    PermissionRequest,
    ProcessStart,
    Rerequest,
    SensorUse,
    Transmission,
)


def _clean(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if v is not None and v != []}


def observation_ref(obs: Observation, event: str = "api_call") -> dict[str, Any]:
    return _clean(
        {
            "type": "trace",
            "ts": obs.t,
            "event": event,
            "api": obs.api,
            "category": obs.category,
            "owner": obs.owner,
            "caller": obs.caller,
            "count": obs.count,
            "last_ts": obs.last_t if obs.count > 1 else None,
            "stack": list(obs.stack),
            "line": obs.line,
        }
    )


def frequency_ref(peak: FrequencyPeak, limit: int) -> dict[str, Any]:
    return _clean(
        {
            "type": "trace",
            "ts": peak.window_start,
            "event": "api_call_frequency",
            "api": peak.api,
            "category": peak.category,
            "owner": peak.owner,
            "caller": peak.caller,
            "per_minute": peak.peak_per_minute,
            "limit_per_minute": limit,
            "total": peak.total,
            "background_calls": peak.background_calls,
            "line": peak.first_line,
        }
    )


def rerequest_ref(r: Rerequest, min_interval_h: float) -> dict[str, Any]:
    return _clean(
        {
            "type": "trace",
            "ts": r.requested_at,
            "event": "permission_rerequest",
            "permission": r.permission,
            "denied_ts": r.denied_at,
            "gap_ms": r.gap_ms,
            "min_interval_h": min_interval_h,
            "owner": r.owner,
            "line": r.line,
        }
    )


def early_ref(r: EarlyRequest) -> dict[str, Any]:
    return _clean(
        {
            "type": "trace",
            "ts": r.requested_at,
            "event": "permission_request_at_startup",
            "permission": r.permission,
            "categories": list(r.categories),
            "first_use_ts": r.first_use_at,
            "owner": r.owner,
            "line": r.line,
        }
    )


def permission_request_ref(r: PermissionRequest, permissions: list[str], phase: str) -> dict[str, Any]:
    return _clean(
        {
            "type": "trace",
            "ts": r.t,
            "event": "permission_request",
            "permissions": permissions,
            "phase": phase,
            "owner": r.owner,
            "line": r.line,
        }
    )


def transmission_ref(x: Transmission) -> dict[str, Any]:
    return _clean(
        {
            "type": "network",
            "ts": x.t,
            "host": x.host,
            "path": x.path,
            "method": x.method,
            "pi": list(x.categories),
            "owner": x.owner,
            "owner_source": x.owner_source,
            "third_party": x.third_party,
            "before_consent": x.before_consent,
            "line": x.line,
        }
    )


def sensor_ref(s: SensorUse, criteria: dict[str, float]) -> dict[str, Any]:
    return _clean(
        {
            "type": "trace",
            "ts": s.t,
            "event": "sensor_register",
            "sensor": s.sensor,
            "thresholds": dict(s.thresholds),
            "criteria": criteria,
            "below": list(s.below),
            "owner": s.owner,
            "caller": s.caller,
            "line": s.line,
        }
    )


def start_ref(p: ProcessStart) -> dict[str, Any]:
    return _clean(
        {
            "type": "trace",
            "ts": p.t,
            "event": "process_start",
            "cause": p.cause,
            "before_consent": p.before_consent,
            "line": p.line,
        }
    )
