"""不良APP screening: harmful, fraudulent, gambling and counterfeit signs in one app's static evidence.

Contract: :func:`screen(static, apk=None)` runs every indicator of ``knowledge/screening/*.yaml`` (see
:mod:`appwarden.screening.loader`) over the static stage's evidence (manifest model, code index, entry names,
certificates) and, when the opened :class:`~appwarden.apk.Apk` is given, over its text (resources, layouts,
bundled HTML) and asset bytes. It returns a :class:`~appwarden.screening.model.Screening` whose ``to_json()`` is the
report's ``screening`` section: ``verdict`` (``harmful`` | ``suspicious`` | ``none``, thresholds in
:mod:`appwarden.screening.model`), ``categories`` and ``indicators`` (each with its weight and evidence).

Pure: no Django, nothing executed or installed. An indicator whose detector fails on malformed input is skipped
and named in ``notes`` (the screening goes on); a stage timeout (:class:`~appwarden.errors.StageTimeout`) propagates
to the caller, which records the stage as skipped, and so does broken knowledge (:class:`~appwarden.errors.KnowledgeError`).
"""

from __future__ import annotations

from typing import Any

from appwarden.errors import KnowledgeError, StageTimeout
from appwarden.evidence import StaticEvidence
from appwarden.lazylog import get_logger
from appwarden.screening.content import ScreenContext
from appwarden.screening.model import (
    CATEGORIES,
    HARMFUL_SCORE,
    SUSPICIOUS_SCORE,
    IndicatorHit,
    IndicatorSpec,
    Screening,
    drop_superseded,
    not_screened,
    verdict_for,
)

__all__ = [
    "CATEGORIES",
    "HARMFUL_SCORE",
    "SUSPICIOUS_SCORE",
    "Screening",
    "not_screened",
    "run_indicator",
    "screen",
    "verdict_for",
]

log = get_logger(__name__)


def run_indicator(ctx: ScreenContext, spec: IndicatorSpec) -> IndicatorHit | None:
    """One indicator on one app: its hit, or None when it does not fire."""
    from appwarden.screening.detectors import DETECTORS

    items = DETECTORS[spec.detector].run(ctx, spec.params)
    if not items:
        return None
    return IndicatorHit(spec=spec, evidence=items, count=len(items))


def screen(
    static: StaticEvidence,
    apk: Any = None,
    indicators: list[IndicatorSpec] | None = None,
    yara_rules: Any = None,
) -> Screening:
    """Screen one app (see the module docstring). ``yara_rules``: compiled user rules
    (:func:`appwarden.screening.yara_rules.load_yara`), matched against the APK's DEX, native and asset bytes."""
    from appwarden.screening.loader import load_indicators

    specs = load_indicators() if indicators is None else indicators
    from appwarden.screening.detectors import expect_text

    ctx = ScreenContext(static, apk)
    expect_text(ctx, specs)
    result = Screening()
    if static.code is None or not getattr(static.code, "codes", True):
        result.notes.append(
            "no readable bytecode (packed app, corrupt DEX or DEX stage skipped): code indicators not evaluated"
        )
    else:
        unread = sorted({e.path for e in static.errors if e.stage == "dex" and e.path})
        if unread:  # a DEX refused (bomb, corrupt, over a limit): the verdict must not read as covering it
            result.notes.append(
                f"DEX not read, so not screened: {', '.join(unread)} (see the dex errors); "
                "the verdict covers the other DEX files only"
            )
    for spec in specs:
        try:
            hit = run_indicator(ctx, spec)
        except (StageTimeout, KnowledgeError):  # a timeout, or broken shipped knowledge: never a silent skip
            raise
        except Exception as exc:  # malformed input must not stop the screening: say which indicator and why
            log.debug("screening indicator %s failed", spec.id, exc_info=True)
            result.notes.append(f"indicator {spec.id} not evaluated: {type(exc).__name__}: {exc}")
            continue
        if hit is not None:
            result.hits.append(hit)
    result.hits = drop_superseded(result.hits)
    if yara_rules is not None:
        from appwarden.screening.yara_rules import run_yara

        result.hits.extend(run_yara(yara_rules, static, apk, ctx.notes))
    result.notes.extend(dict.fromkeys(ctx.notes))
    return result
