"""摇一摇 (shake-to-jump) listeners in SDK code, and their trigger thresholds (M26-4, T/TAF 078.7-2022).

``shake_listener``: an SDK-owned class implementing ``SensorEventListener`` whose ``onSensorChanged`` exists, in an
SDK that also calls ``SensorManager.registerListener`` — the building block of shake-to-open ads. Params:
``sdk_categories`` (SDK KB categories to consider, default any SDK; ``host: true`` also reports the app's own code).

``shake_threshold_below``: the same listeners, whose acceleration thresholds read from the constants of
``onSensorChanged`` are all below the T/TAF 078.7-2022 reference (``accel_min`` 15 m/s²). Constants are raw DEX
literals; a literal counts as an acceleration threshold when its IEEE float/double reading lies in
``[accel_floor, accel_ceiling]`` (default 5-60 m/s², gravity 9.8 excluded), or, divided by ``g``, when a g-based
reading is requested (``g_units: true``, range 0.5-6 g). Fires only when at least one candidate exists and every
candidate is below ``accel_min``: a weak trigger fires on walking or picking up the phone. Rotation-angle and
duration thresholds are not judged statically (they need the runtime replay the standard describes).
"""

from __future__ import annotations

from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import (
    callees,
    code_of,
    implementers,
    invokes,
    literal_numbers,
    method_literals,
    owner_label_zh,
    owner_of,
    sdk_record,
)

LISTENER = "Landroid/hardware/SensorEventListener;"
ON_SENSOR = "onSensorChanged(Landroid/hardware/SensorEvent;)V"
REGISTER = "Landroid/hardware/SensorManager;->registerListener"
GRAVITY = (9.8, 9.80665, 9.81)


def _listeners(evidence: Evidence, params: dict) -> dict[str, list[str]]:
    """owner -> onSensorChanged methods of shake-capable listener classes it owns."""
    code = code_of(evidence)
    if code is None:
        return {}
    registering = {owner_of(evidence, caller.split("->", 1)[0]) for caller, *_ in invokes(code, [REGISTER])}
    wanted = {c.lower() for c in param(params, "sdk_categories", ())}
    include_host = bool(param(params, "host", False))
    out: dict[str, list[str]] = {}
    if not registering:
        return out
    for cls in implementers(code, LISTENER):
        owner = owner_of(evidence, cls)
        if owner == "host" and not include_host:
            continue
        if owner not in registering:
            continue
        if wanted and owner != "host":
            record = sdk_record(evidence, owner)
            category = (getattr(record, "category", "") or "").lower() if record is not None else ""
            if not any(w in category for w in wanted):
                continue
        out.setdefault(owner, []).append(f"{cls}->{ON_SENSOR}")
    return out


def _candidates(evidence: Evidence, method: str, params: dict) -> list[float]:
    code = code_of(evidence)
    floor, ceiling = float(param(params, "accel_floor", 5.0)), float(param(params, "accel_ceiling", 60.0))
    g_units = bool(param(params, "g_units", True))
    own = method.split("->")[0]
    methods = [method, *sorted(m for m in callees(code, method) if m.split("->")[0] == own)]
    found: list[float] = []
    for m in methods:
        for raw in method_literals(code, m):
            for value in literal_numbers(raw):
                if float(value).is_integer() and abs(value) == abs(raw):
                    continue  # plain integers are counters/indices, not thresholds
                v = round(abs(value), 4)
                if floor <= v <= ceiling and not any(abs(v - g) < 0.02 for g in GRAVITY):
                    found.append(v)
                elif g_units and 0.5 <= v <= 6.0 and v not in (1.0, 2.0, 0.5):
                    found.append(round(v * 9.80665, 2))
    return sorted(set(found))


@predicate("shake_listener", needs=("static.code", "static.sdks"))
def shake_listener(evidence: Evidence, params: dict) -> list[Hit]:
    hits = []
    for owner, methods in _listeners(evidence, params).items():
        items = [{"type": "callsite", "caller": m, "api": LISTENER + "->" + ON_SENSOR, "owner": owner,
                  "category": "sensors", "kind": "override"} for m in methods]  # fmt: skip
        hits.append(
            Hit(
                evidence=items,
                owner=owner,
                message_zh=f"{owner_label_zh(evidence, owner)}注册加速度传感器监听并实现onSensorChanged（{len(methods)}处），具备“摇一摇”触发能力，需核查是否明示及触发阈值。",
                message_en=f"{owner} registers sensor listeners ({len(methods)} onSensorChanged): shake-trigger capable.",
            )
        )
    return hits


@predicate("shake_threshold_below", needs=("static.code", "static.sdks"))
def shake_threshold_below(evidence: Evidence, params: dict) -> list[Hit]:
    accel_min = float(param(params, "accel_min", 15.0))
    hits = []
    for owner, methods in _listeners(evidence, params).items():
        items = []
        for m in methods:
            values = _candidates(evidence, m, params)
            if values and max(values) < accel_min:
                items.append(
                    {
                        "type": "constant",
                        "caller": m,
                        "value": values,
                        "meaning": f"acceleration thresholds < {accel_min:g} m/s²",
                    }
                )
        if items:
            shown = sorted({v for i in items for v in i["value"]})
            hits.append(
                Hit(
                    evidence=items,
                    owner=owner,
                    message_zh=f"{owner_label_zh(evidence, owner)}的摇一摇触发阈值约为{'、'.join(f'{v:g}' for v in shown)} m/s²，低于T/TAF 078.7—2022参考值15 m/s²。",
                    message_en=f"{owner}: shake thresholds {shown} m/s² below the 15 m/s² reference.",
                )
            )
    return hits
