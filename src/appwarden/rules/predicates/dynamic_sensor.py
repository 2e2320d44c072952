"""摇一摇 sensitivity from a runtime trace (``dynamic_shake_too_sensitive``).

A motion-sensor registration (accelerometer, linear acceleration, gyroscope, rotation vector, gravity) whose
observed trigger thresholds are **all** weaker than the T/TAF 078.7-2022 criteria quoted by M26-T1 — acceleration
>= 15 m/s², rotation >= 35°, duration >= 3 s, any one of them (or an equivalent combination) — fires: such a shake
trigger jumps on walking, riding or picking the phone up (M26-4, M26-T1d). Thresholds come from the trace's
``sensor_register.thresholds`` (agent hooks on the listener's comparisons, SDK configuration, or the tester's
sensor-replay result); a registration without thresholds is not judged. One hit per owner.

Params: ``accel_mps2``, ``rotation_deg``, ``duration_s`` (override the criteria; default the analysis params).
"""

from __future__ import annotations

from appwarden.dynamic.refs import sensor_ref
from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate


@predicate("dynamic_shake_too_sensitive", needs=("dynamic.trace",))
def dynamic_shake_too_sensitive(evidence: Evidence, params: dict) -> list[Hit]:
    dyn = evidence.dynamic
    if dyn is None:
        return []
    criteria = {
        "accel_mps2": float(param(params, "accel_mps2", dyn.params.shake_accel_mps2)),
        "rotation_deg": float(param(params, "rotation_deg", dyn.params.shake_rotation_deg)),
        "duration_s": float(param(params, "duration_s", dyn.params.shake_duration_s)),
    }
    grouped: dict[str, list] = {}
    for s in dyn.sensors:
        observed = {k: v for k, v in s.thresholds.items() if k in criteria}
        if observed and all(v < criteria[k] for k, v in observed.items()):
            grouped.setdefault(s.owner, []).append(s)
    hits = []
    for owner, items in grouped.items():
        desc = "; ".join(", ".join(f"{k}={v:g}" for k, v in s.thresholds.items()) for s in items)
        hits.append(
            Hit(
                evidence=[sensor_ref(s, criteria) for s in items],
                owner=owner,
                message_zh=f"摇一摇触发阈值低于 T/TAF 078.7—2022 参考值（{desc}；参考：加速度≥15m/s²、转角≥35°、时长≥3s）",
                message_en=f"shake trigger thresholds below T/TAF 078.7-2022 ({desc}; criteria 15 m/s², 35°, 3 s)",
            )
        )
    return hits
