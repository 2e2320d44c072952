"""Whether a report's analysis completed: a gate (``appwarden scan --fail-on``) must never pass a report whose
evidence is incomplete, since an app that makes a stage fail (a packed DEX, a DEX over a limit, a stage past its
time limit, a bundled policy refused for a limit) would otherwise get a finding-free report and pass.

No imports beyond the standard library: the command line and the attestation statement can both use it.
"""

from __future__ import annotations

from typing import Any

# stages whose every error leaves the code evidence (call sites, SDKs, reachability) or the rules incomplete
_EVIDENCE_STAGES = ("dex", "sdk", "reachability", "rules")


def incomplete(report: dict[str, Any]) -> str | None:
    """Why the report's analysis did not complete (one line), or None when it did.

    Incomplete: an error of a code-evidence stage (``dex``: a DEX not read or over a limit, the DEX stage past its
    time limit, a packed app whose real code is encrypted; ``sdk``, ``reachability``, ``rules``); a policy stage
    error with no policy section (a bundled policy refused for a limit or past its time limit: the policy rules,
    ``policy.missing`` included, did not run); a supplied trace whose analysis was skipped. Not: the notes of a
    complete analysis (no policy bundled: ``policy.missing`` fires; zip quirks; signing notes; screening, which has
    its own gate)."""
    for error in report.get("errors") or ():
        stage, message = error.get("stage"), str(error.get("message", ""))
        if (
            stage in _EVIDENCE_STAGES
            or (stage == "policy" and not report.get("policy"))
            or (stage == "dynamic" and "analysis skipped" in message)
        ):
            return f"{stage} stage incomplete: {message}"
    return None


__all__ = ["incomplete"]
