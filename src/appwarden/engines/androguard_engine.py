"""androguard (PyPI ``androguard``): manifest and permission checks by an independent parser.

An adapter, not a re-implementation: androguard's own APK parser reads the manifest, and its findings are
labelled ``engine: androguard`` in our schema so a reviewer sees two engines agree or disagree. Checks:

- ``androguard.debuggable``: ``android:debuggable="true"`` (GB35273-6.3 data security, 26号文 security items);
- ``androguard.dangerous_permissions``: dangerous permissions requested, per androguard's AOSP permission table
  (M164-2.1 over-asking is decided by our own rules; this is the raw list, severity info).
"""

from __future__ import annotations

import logging
from pathlib import Path

from appwarden.errors import ApkFormatError
from appwarden.rules.model import Finding


def available() -> bool:
    try:
        import androguard  # noqa: F401
    except ImportError:
        return False
    return True


def analyze(apk_path: Path) -> list[Finding]:
    """Run androguard's APK parser on ``apk_path`` and map its observations to findings."""
    from loguru import logger  # androguard logs through loguru

    logger.remove()
    logging.getLogger("androguard").setLevel(logging.ERROR)
    from androguard.core.apk import APK

    try:
        apk = APK(str(apk_path))
    except Exception as exc:  # androguard raises many types on bad input
        raise ApkFormatError(f"androguard cannot read the APK: {type(exc).__name__}: {exc}") from None
    findings: list[Finding] = []
    try:
        debuggable = apk.get_attribute_value("application", "debuggable")
    except Exception:
        debuggable = None
    if str(debuggable).lower() == "true":
        findings.append(
            Finding(
                rule_id="androguard.debuggable",
                title_zh="应用可调试(android:debuggable=true)",
                title_en="App is debuggable",
                clauses=["GB35273-6.3"],
                severity="medium",
                confidence="confirmed",
                needs_review=False,
                evidence=[{"type": "manifest", "attribute": "android:debuggable", "value": "true"}],
                remediation_zh="发布版本关闭 android:debuggable。",
                engine="androguard",
            )
        )
    details = apk.get_details_permissions()
    dangerous = sorted(p for p, d in details.items() if d and "dangerous" in str(d[0]))
    if dangerous:
        findings.append(
            Finding(
                rule_id="androguard.dangerous_permissions",
                title_zh="申请危险权限",
                title_en="Dangerous permissions requested",
                clauses=["M164-2.1"],
                severity="info",
                confidence="confirmed",
                needs_review=True,
                evidence=[{"type": "permission", "name": p} for p in dangerous],
                engine="androguard",
            )
        )
    return findings
