"""The attestation statement: an in-toto Statement v1 with a VSA-like compliance predicate, canonical JSON.

Contract (byte-level description in ``docs/attestation.md``):

* ``_type`` is :data:`STATEMENT_TYPE`; ``subject`` lists the APK (``name`` ``"apk"``) and each signer certificate
  of the APK (``name`` ``"signer-certificate"``), each with ``digest.sha256`` (lower-case hex);
* ``predicateType`` is :data:`PREDICATE_TYPE`; the predicate, modelled on SLSA's Verification Summary Attestation
  (not a VSA: its fields are appwarden's), holds ``verifier`` (appwarden version, rules version and rules digest),
  ``timeVerified``, ``resourceUri`` and ``resource`` (package, versionCode, versionName), ``policy`` (the
  instruments the evaluated rules cite), ``verificationResult`` (``PASSED``/``FAILED``), ``failOn`` (the severity
  floor that makes a finding fail the app), ``findings`` (totals by severity, clause and 通报 notice type),
  ``report`` (sha256 of the report file as signed) and ``validity`` (``notBefore``/``notAfter``);
* :func:`canonical` serialises with RFC 8785 (JSON Canonicalization Scheme, the ``rfc8785`` package): the signed
  payload is exactly those bytes; :func:`parse_statement` checks the shape of a decoded statement.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import rfc8785

from appwarden import __version__
from appwarden.attest.errors import AttestInputError
from appwarden.completeness import incomplete

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://appwarden.dev/attestation/compliance/v0.1"
VERIFIER_ID = "https://appwarden.dev/verifier/appwarden"
RESULTS = ("PASSED", "FAILED")
SEVERITY_ORDER = ("info", "low", "medium", "high")
DEFAULT_FAIL_ON = "low"
DEFAULT_VALID_DAYS = 365


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes of ``value``; AttestInputError for values JSON cannot hold."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise AttestInputError(f"cannot canonicalise JSON: {exc}") from None


def utc_text(moment: _dt.datetime) -> str:
    """RFC 3339 UTC with seconds, ``Z`` suffix."""
    return moment.astimezone(_dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: Any, what: str = "time") -> _dt.datetime:
    """An aware datetime from RFC 3339 text (``Z`` or an offset; naive means UTC)."""
    if not isinstance(text, str):
        raise AttestInputError(f"{what} is not a time string")
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AttestInputError(f"{what} {text!r} is not an RFC 3339 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.UTC)


@lru_cache(maxsize=1)
def rules_digest() -> tuple[str, str]:
    """``(rules_version, full sha256)`` of this installation's rules, over the same files, in the same order, as
    :func:`appwarden.rules.loader.rules_version` (whose value is the first 12 hex digits of this digest)."""
    from appwarden.rules import loader

    inputs = loader.version_inputs(None)
    digest = hashlib.sha256()
    for path in inputs:
        digest.update(os.path.basename(path).encode() + b"\0")
        with open(path, "rb") as fh:
            digest.update(fh.read() + b"\0")
    full = digest.hexdigest()
    return full[:12], full


@lru_cache(maxsize=1)
def _clause_instruments() -> tuple[dict[str, str], dict[str, str]]:
    """``({clause id: instrument key}, {instrument key: title})`` from ``knowledge/regulations.yaml``."""
    from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml

    data = load_yaml(KNOWLEDGE_DIR / "regulations.yaml")
    titles = {str(i["key"]): str(i["title"]) for i in data.get("instruments", [])}
    clauses = {str(i["id"]): str(i["instrument"]) for i in data.get("items", [])}
    return clauses, titles


def policy_instruments(rule_ids: Iterable[str]) -> list[dict[str, str]]:
    """The instruments cited by the clauses of the given rules (unknown rule ids are ignored), sorted by key."""
    from appwarden.rules.loader import load_rules

    wanted = set(rule_ids)
    clause_map, titles = _clause_instruments()
    keys = {clause_map[c] for r in load_rules() if r.id in wanted for c in r.clauses if c in clause_map}
    return [{"key": k, "title": titles.get(k, k)} for k in sorted(keys)]


def report_result(report: dict[str, Any], fail_on: str = DEFAULT_FAIL_ON) -> str:
    """``FAILED`` when a finding's severity is at or above ``fail_on``, else ``PASSED``."""
    if fail_on not in SEVERITY_ORDER:
        raise AttestInputError(f"unknown severity {fail_on!r} (use one of: {', '.join(SEVERITY_ORDER)})")
    floor = SEVERITY_ORDER.index(fail_on)
    for f in report.get("findings") or []:
        sev = f.get("severity", "info") if isinstance(f, dict) else "info"
        if sev in SEVERITY_ORDER and SEVERITY_ORDER.index(sev) >= floor:
            return "FAILED"
    return "PASSED"


def findings_summary(report: dict[str, Any]) -> dict[str, Any]:
    """Counts of the report's findings: total, by severity, by clause and by 通报 notice type (sorted keys)."""
    findings = [f for f in report.get("findings") or [] if isinstance(f, dict)]
    sev = Counter(str(f.get("severity", "info")) for f in findings)
    clauses = Counter(str(c) for f in findings for c in f.get("clauses") or [])
    notices = Counter(str(n) for f in findings for n in f.get("notice_types") or [])
    return {
        "total": len(findings),
        "bySeverity": dict(sorted(sev.items())),
        "byClause": dict(sorted(clauses.items())),
        "byNoticeType": dict(sorted(notices.items())),
    }


def build_statement(
    *,
    apk_sha256: str,
    signer_sha256s: Iterable[str],
    report: dict[str, Any],
    report_sha256: str,
    rules: tuple[str, str | None],
    fail_on: str = DEFAULT_FAIL_ON,
    now: _dt.datetime | None = None,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> dict[str, Any]:
    """The statement for one APK and its report. ``rules`` is ``(version, full sha256 or None)``: the digest is
    left out when the signer cannot vouch for it (the report came from other rules). The caller has checked that
    the report describes this APK (see :func:`check_report_matches`). Raises AttestInputError for a report that
    would pass although its analysis did not complete (:func:`appwarden.completeness.incomplete`): a packed app's
    report has no code findings, and a PASSED statement would vouch for code nobody analysed."""
    if valid_days < 1:
        raise AttestInputError("the validity period must be at least one day")
    why = incomplete(report)
    if why and report_result(report, fail_on) == "PASSED":  # a FAILED result stands whatever was not analysed
        raise AttestInputError(
            f"the analysis did not complete ({why[:200]}): a PASSED result cannot be attested"
        )
    now = (now or _dt.datetime.now(_dt.UTC)).astimezone(_dt.UTC).replace(microsecond=0)
    app = report.get("app") or {}
    package = app.get("package")
    version_code = app.get("version_code")
    version_name = app.get("version_name")
    subjects: list[dict[str, Any]] = [{"name": "apk", "digest": {"sha256": apk_sha256}}]
    subjects += [{"name": "signer-certificate", "digest": {"sha256": s}} for s in sorted(set(signer_sha256s))]
    verifier: dict[str, Any] = {
        "id": VERIFIER_ID,
        "version": {"appwarden": __version__, "rules": rules[0]},
    }
    if rules[1]:
        verifier["rulesDigest"] = {"sha256": rules[1]}
    resource = {"package": package, "versionCode": version_code, "versionName": version_name}
    uri = f"android-app://{package}" + (f"?versionCode={version_code}" if version_code is not None else "")
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "verifier": verifier,
            "timeVerified": utc_text(now),
            "resourceUri": uri,
            "resource": {k: v for k, v in resource.items() if v is not None},
            "policy": {"instruments": policy_instruments(report.get("evaluated_rules") or [])},
            "verificationResult": report_result(report, fail_on),
            "failOn": fail_on,
            "findings": findings_summary(report),
            "report": {
                "digest": {"sha256": report_sha256},
                "generatedAt": str(report.get("generated_at", "")),
            },
            "validity": {
                "notBefore": utc_text(now),
                "notAfter": utc_text(now + _dt.timedelta(days=valid_days)),
            },
        },
    }


def check_report_matches(report: dict[str, Any], apk_sha256: str, signer_sha256s: Iterable[str]) -> None:
    """AttestInputError unless the report is a rules-evaluated report of this exact APK with these signers."""
    if not isinstance(report, dict) or not isinstance(report.get("app"), dict):
        raise AttestInputError("the report has no app section (not an appwarden report)")
    if not report.get("rules_evaluated"):
        raise AttestInputError(
            "the report was made without evaluating the rules (--no-rules): nothing to attest"
        )
    reported = str(report["app"].get("sha256", "")).lower()
    if reported != apk_sha256:
        raise AttestInputError(
            f"the report is for APK sha256 {reported[:16]}…, not this APK ({apk_sha256[:16]}…)"
        )
    rep_signers = {
        str(s.get("sha256", "")).lower() for s in report["app"].get("signers") or [] if isinstance(s, dict)
    }
    if rep_signers != set(signer_sha256s):
        raise AttestInputError("the report's signer certificates differ from the APK's signing block")


@dataclass(frozen=True)
class Statement:
    """The fields of a statement a verifier checks."""

    raw: dict[str, Any]
    apk_sha256: str
    signer_sha256s: frozenset[str]
    result: str
    not_before: _dt.datetime
    not_after: _dt.datetime
    package: str | None
    version_code: Any
    version_name: str | None


def _hex64(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def parse_statement(data: Any) -> Statement:
    """Check a decoded statement's shape; AttestInputError naming the first problem."""
    if not isinstance(data, dict):
        raise AttestInputError("the statement is not a JSON object")
    if data.get("_type") != STATEMENT_TYPE:
        raise AttestInputError(f"the statement's _type is not {STATEMENT_TYPE}")
    if data.get("predicateType") != PREDICATE_TYPE:
        raise AttestInputError(f"the statement's predicateType is not {PREDICATE_TYPE}")
    subjects = data.get("subject")
    if not isinstance(subjects, list):
        raise AttestInputError("the statement has no subject list")
    apk: list[str] = []
    certs: set[str] = set()
    for s in subjects:
        digest = (
            s.get("digest", {}).get("sha256")
            if isinstance(s, dict) and isinstance(s.get("digest"), dict)
            else None
        )
        if not _hex64(digest):
            raise AttestInputError("a statement subject has no sha256 digest")
        if s.get("name") == "apk":
            apk.append(digest)
        elif s.get("name") == "signer-certificate":
            certs.add(digest)
    if len(apk) != 1:
        raise AttestInputError("the statement must have exactly one apk subject")
    pred = data.get("predicate")
    if not isinstance(pred, dict):
        raise AttestInputError("the statement has no predicate")
    result = pred.get("verificationResult")
    if result not in RESULTS:
        raise AttestInputError("the predicate's verificationResult is not PASSED or FAILED")
    validity = pred.get("validity")
    if not isinstance(validity, dict):
        raise AttestInputError("the predicate has no validity period")
    resource = pred.get("resource") if isinstance(pred.get("resource"), dict) else {}
    return Statement(
        raw=data,
        apk_sha256=apk[0],
        signer_sha256s=frozenset(certs),
        result=result,
        not_before=parse_time(validity.get("notBefore"), "validity.notBefore"),
        not_after=parse_time(validity.get("notAfter"), "validity.notAfter"),
        package=resource.get("package"),
        version_code=resource.get("versionCode"),
        version_name=resource.get("versionName"),
    )
