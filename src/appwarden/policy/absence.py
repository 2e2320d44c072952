"""Absence evidence: a ``policy`` evidence item recording that something was *not* found (kept apart from
:mod:`appwarden.policy.consistency` so that reporting a missing policy does not load the policy text analysis)."""

from __future__ import annotations

from typing import Any


def absence_ref(policy: Any, element: str, note_zh: str, **extra: Any) -> dict[str, Any]:
    """A ``policy`` evidence item recording that something was *not* found in the policy."""
    ref: dict[str, Any] = {
        "type": "policy",
        "sentence": "",
        "element": element,
        "present": False,
        "source": getattr(policy, "source", "") or "",
        "note_zh": note_zh,
    }
    ref.update(extra)
    return ref


def policy_missing(evidence: Any) -> dict[str, Any] | None:
    """The absence evidence when a policy was searched for and none was found, else None."""
    policy = getattr(evidence, "policy", None)
    if policy is None or getattr(policy, "found", True):
        return None
    reason = "; ".join(getattr(policy, "errors", []) or []) or "no privacy policy found"
    return absence_ref(policy, "policy", "未找到隐私政策（APK内未内置且未另行提供）", reason=reason)
