"""Fixtures for the policy tests: the hand-written policies in tests/fixtures/policies (written for appwarden)."""

from __future__ import annotations

from pathlib import Path

import pytest

POLICIES = Path(__file__).resolve().parents[1] / "fixtures" / "policies"


@pytest.fixture(scope="session")
def policies_dir() -> Path:
    return POLICIES


@pytest.fixture(scope="session")
def full_policy_path() -> Path:
    return POLICIES / "full_policy.html"


@pytest.fixture(scope="session")
def minimal_policy_text() -> str:
    return (POLICIES / "minimal_policy.txt").read_text(encoding="utf-8")
