"""Screening false alarms on the shared corpus (every app benign by provenance): at most 5% suspicious or harmful,
none harmful, and every unreadable APK a clear error (docs/screening-eval.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appwarden.errors import AppwardenError
from appwarden.scan import build_evidence

pytestmark = pytest.mark.corpus

MAX_FALSE_ALARM_RATE = 0.05


def test_false_alarm_rate_on_the_corpus(corpus_dir: Path, corpus_manifest: list[dict[str, str]]) -> None:
    verdicts: dict[str, str] = {}
    errors: dict[str, str] = {}
    for row in corpus_manifest:
        if not row["file"].endswith(".apk"):
            continue
        try:
            evidence = build_evidence(corpus_dir / row["file"], find_bundled_policy=False)
        except AppwardenError as exc:
            errors[row["file"]] = str(exc)
            continue
        assert evidence.screening is not None
        verdicts[row["file"]] = evidence.screening["verdict"]
    assert len(verdicts) > 150
    alarms = sorted(f for f, v in verdicts.items() if v != "none")
    assert not [f for f, v in verdicts.items() if v == "harmful"], alarms
    assert len(alarms) / len(verdicts) <= MAX_FALSE_ALARM_RATE, alarms
    # the unreadable ones are the corpus's deliberately broken edge cases, each with a one-line reason
    assert all(f.startswith("apks/edge/") and msg and "\n" not in msg for f, msg in errors.items()), errors
