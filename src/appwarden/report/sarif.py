"""SARIF 2.1.0 output rendered from the report dict (for code-scanning dashboards and CI).

Mapping:

* ``runs[0].tool.driver.rules``: one reportingDescriptor per rule that produced a finding (id, zh/en names, the
  clauses and default severity in ``properties``);
* one ``result`` per finding: ``ruleId``/``ruleIndex``, ``level`` from severity (high→error, medium→warning,
  low/info→note), bilingual ``message``, ``locations`` from the evidence: a call site becomes a physical location on
  the smali file apktool would write for the caller class (``smali/``, ``smali_classes2/`` … after the DEX the class
  came from; for a DEX loaded from ``assets/``, which apktool does not disassemble, the DEX entry) plus a logical
  location (the method, ``kind: function``, ``decoratedName`` = the smali descriptor);
  manifest-level evidence (permission, component, manifest attribute) points at ``AndroidManifest.xml``, or at the
  ``file`` a manifest item names (``res/xml/network_security_config.xml``, same path in apktool's output); a finding
  with neither still gets an ``AndroidManifest.xml`` location (GitHub requires one), marked in its properties;
* ``properties`` carry ``clauses``, ``confidence``, ``owner``, ``needs_review``, ``severity`` (and ``merged_rules``
  when the finding carries merged ones);
  ``partialFingerprints`` a stable hash of rule, owner and evidence, so re-scans deduplicate;
* the 不良APP screening: ``runs[0].properties.screening`` holds the verdict, score, categories and whether it was
  evaluated, and each fired indicator is a result of rule ``screening.<indicator id>`` whose level follows the
  app's verdict (harmful→error, suspicious→warning, none→note: an indicator that did not move the verdict is a
  note), located at its evidence (a caller's smali file, a component in the manifest, a file entry of the APK).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from appwarden.report import view

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
MANIFEST_URI = "AndroidManifest.xml"
MAX_LOCATIONS = 10
SCREENING_LEVELS = {"harmful": "error", "suspicious": "warning"}
_DEX_NUMBER = re.compile(r"classes(\d*)\.dex")


def smali_path(class_descriptor: str, dex: str | None = None) -> str:
    """Where a class's code is, as a relative URI: for a top-level ``classesN.dex`` the smali file apktool would
    write (``Lcom/x/Foo$1;`` in ``classes2.dex`` -> ``smali_classes2/com/x/Foo$1.smali``); for any other DEX entry
    (``assets/plugin.dex``, loaded at run time, which apktool does not disassemble) the entry itself. Characters
    outside a URI are percent-encoded."""
    if dex and not _DEX_NUMBER.fullmatch(dex):
        return quote(dex, safe="/$-_.~")
    name = class_descriptor.strip()
    if name.startswith("L") and name.endswith(";"):
        name = name[1:-1]
    root = "smali"
    match = _DEX_NUMBER.fullmatch(dex or "")
    if match and match.group(1) not in ("", "1"):
        root = f"smali_classes{match.group(1)}"
    return quote(f"{root}/{name}.smali", safe="/$-_.~")  # a URI: obfuscated names may hold any character


def _java_name(method_descriptor: str) -> tuple[str, str]:
    """(fully qualified ``com.x.Foo.bar``, method name) of a smali method descriptor."""
    cls, _, rest = method_descriptor.partition("->")
    method = rest.split("(", 1)[0] or rest
    cls = cls[1:-1] if cls.startswith("L") and cls.endswith(";") else cls
    return f"{cls.replace('/', '.')}.{method}", method


def _callsite_location(ref: Mapping[str, Any]) -> dict[str, Any]:
    caller = str(ref.get("caller") or "")
    fqn, method = _java_name(caller)
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": smali_path(caller.split("->", 1)[0], ref.get("dex"))}
        },
        "logicalLocations": [
            {"name": method, "fullyQualifiedName": fqn, "decoratedName": caller, "kind": "function"}
        ],
        "message": {"text": f"{caller} → {ref.get('api')}"},
    }
    if isinstance(ref.get("offset"), int):
        location["properties"] = {"dex": ref.get("dex"), "dexOffset": ref.get("offset")}
    return location


def _manifest_location(ref: Mapping[str, Any]) -> dict[str, Any]:
    text = view.evidence_text(ref)
    uri = ref.get("file") if ref.get("type") == "manifest" and isinstance(ref.get("file"), str) else None
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": uri or MANIFEST_URI}},
        "message": {"text": text},
    }
    if ref.get("type") == "component" and ref.get("name"):
        location["logicalLocations"] = [{"fullyQualifiedName": str(ref["name"]), "kind": "type"}]
    return location


def _locations(finding: Mapping[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """(locations, synthetic) for a finding; ``synthetic`` when no evidence had a code/manifest location."""
    locations = []
    for ref in finding.get("evidence") or []:
        kind = ref.get("type")
        if kind in ("callsite", "string", "constant") and ref.get("caller"):
            locations.append(_callsite_location(ref))
        elif kind in ("permission", "component", "manifest"):
            locations.append(_manifest_location(ref))
        if len(locations) >= MAX_LOCATIONS:
            break
    if locations:
        return locations, False
    return [{"physicalLocation": {"artifactLocation": {"uri": MANIFEST_URI}}}], True


def _fingerprint(finding: Mapping[str, Any]) -> str:
    keys = []
    for ref in finding.get("evidence") or []:
        keys.append(
            [ref.get("type"), ref.get("caller"), ref.get("api"), ref.get("name"), ref.get("sentence")]
        )
    blob = json.dumps(
        [finding.get("rule_id"), finding.get("owner"), keys], ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def _message(report: Mapping[str, Any], finding: Mapping[str, Any]) -> str:
    parts = [view.bilingual(finding.get("title_zh"), finding.get("title_en"))]
    detail = view.bilingual(
        view.finding_message_zh(finding, report), view.localize_en(finding.get("message_en"), report)
    )
    if detail:
        parts.append(detail)
    owner = view.bilingual(*view.owner_names(report, finding.get("owner")))
    parts.append(f"归属 owner: {owner}; 条款 clauses: {', '.join(finding.get('clauses') or [])}")
    return " — ".join(parts)


def _screening_location(ref: Mapping[str, Any]) -> dict[str, Any] | None:
    """Where one piece of a screening indicator's evidence is: the caller's smali file for code, the manifest for a
    component, the APK entry for a file; None for evidence with no place (a label, a certificate)."""
    what = ref.get("string") or ref.get("term") or ref.get("api") or ref.get("path") or ""
    if ref.get("caller"):
        return _callsite_location({"caller": ref["caller"], "dex": ref.get("dex"), "api": what})
    if ref.get("component"):
        return {
            "physicalLocation": {"artifactLocation": {"uri": MANIFEST_URI}},
            "logicalLocations": [{"fullyQualifiedName": str(ref["component"]), "kind": "type"}],
            "message": {"text": str(ref["component"])},
        }
    if isinstance(ref.get("path"), str) and ref["path"]:
        return {
            "physicalLocation": {"artifactLocation": {"uri": quote(ref["path"], safe="/$-_.~")}},
            "message": {"text": ref["path"]},
        }
    return None


def _screening_results(
    section: Mapping[str, Any], rules: list[dict[str, Any]], index: dict[str, int]
) -> list[dict[str, Any]]:
    """One result per fired screening indicator (rules appended to ``rules``/``index``)."""
    level = SCREENING_LEVELS.get(str(section.get("verdict")), "note")
    verdict = f"{section.get('verdict')} (score {section.get('score')})"
    results = []
    for ind in section.get("indicators") or []:
        rid = f"screening.{ind.get('id')}"
        text = view.bilingual(ind.get("description_zh"), ind.get("description")) or rid
        if rid not in index:
            index[rid] = len(rules)
            rules.append(
                {
                    "id": rid,
                    "name": rid,
                    "shortDescription": {"text": text},
                    "defaultConfiguration": {"level": "warning"},
                    "properties": {"tags": ["不良APP", "screening", str(ind.get("category"))]},
                }
            )
        evidence = list(ind.get("evidence") or [])
        places = [loc for loc in map(_screening_location, evidence) if loc][:MAX_LOCATIONS]
        properties: dict[str, Any] = {
            "category": ind.get("category"),
            "weight": ind.get("weight"),
            "count": ind.get("count"),
            "verdict": section.get("verdict"),
            "engine": "appwarden-screening",
        }
        if not places:
            places = [{"physicalLocation": {"artifactLocation": {"uri": MANIFEST_URI}}}]
            properties["location_synthetic"] = True
        blob = json.dumps([rid, evidence[:MAX_LOCATIONS]], ensure_ascii=False, sort_keys=True, default=str)
        results.append(
            {
                "ruleId": rid,
                "ruleIndex": index[rid],
                "level": level,
                "message": {
                    "text": f"{text} — 不良APP筛查 screening verdict {verdict}; 权重 weight {ind.get('weight')}"
                },
                "locations": places,
                "partialFingerprints": {
                    "appwardenFinding/v1": hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]
                },
                "properties": properties,
            }
        )
    return results


def build_sarif(report: Mapping[str, Any]) -> dict[str, Any]:
    """The SARIF 2.1.0 log (a dict) for ``report``."""
    findings = report.get("findings") or []
    engine = report.get("engine") or {}
    app = report.get("app") or {}
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for f in findings:
        rid = str(f.get("rule_id"))
        if rid in index:
            continue
        index[rid] = len(rules)
        rules.append(
            {
                "id": rid,
                "name": rid,
                "shortDescription": {"text": view.bilingual(f.get("title_zh"), f.get("title_en")) or rid},
                "fullDescription": {"text": f.get("remediation_zh") or f.get("title_zh") or rid},
                "defaultConfiguration": {"level": LEVELS.get(str(f.get("severity")), "warning")},
                "properties": {
                    "clauses": list(f.get("clauses") or []),
                    "title_zh": f.get("title_zh") or "",
                    "title_en": f.get("title_en") or "",
                    "tags": ["privacy", "miit", *list(f.get("clauses") or [])],
                    "security-severity": SECURITY_SEVERITY.get(str(f.get("severity")), "5.0"),
                },
            }
        )
    results = []
    for f in findings:
        rid = str(f.get("rule_id"))
        locations, synthetic = _locations(f)
        properties = {
            "clauses": list(f.get("clauses") or []),
            "severity": f.get("severity"),
            "confidence": f.get("confidence"),
            "owner": f.get("owner") or "host",
            "needs_review": bool(f.get("needs_review")),
            "engine": f.get("engine") or "appwarden",
        }
        if f.get("merged_rules"):  # the rules whose findings of the same behaviour this one carries
            properties["merged_rules"] = list(f["merged_rules"])
        if synthetic:
            properties["location_synthetic"] = True
        other = [
            view.evidence_text(r)
            for r in f.get("evidence") or []
            if r.get("type") in ("policy", "trace", "network", "sdk")
        ]
        if other:
            properties["evidence"] = other[:MAX_LOCATIONS]
        result: dict[str, Any] = {
            "ruleId": rid,
            "ruleIndex": index[rid],
            "level": LEVELS.get(str(f.get("severity")), "warning"),
            "message": {"text": _message(report, f)},
            "locations": locations,
            "partialFingerprints": {"appwardenFinding/v1": _fingerprint(f)},
            "properties": properties,
        }
        results.append(result)
    screening = report.get("screening") or {}
    results.extend(_screening_results(screening, rules, index))
    notifications = [
        {"level": "warning", "message": {"text": f"{e.get('stage')}: {e.get('message')}"}}
        for e in report.get("errors") or []
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": str(engine.get("name") or "appwarden"),
                "version": str(engine.get("version") or "0"),
                "semanticVersion": str(engine.get("version") or "0"),
                "rules": rules,
                "properties": {"rules_version": engine.get("rules_version")},
            }
        },
        "results": results,
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "properties": {
            "app": {k: app.get(k) for k in ("package", "version_name", "version_code", "sha256", "label")},
            "report_schema_version": report.get("schema_version"),
            "screening": {k: screening.get(k) for k in ("verdict", "score", "categories", "evaluated")},
        },
    }
    if app.get("sha256"):
        run["artifacts"] = [
            {
                "location": {"uri": f"{app.get('package') or 'app'}.apk"},
                "hashes": {"sha-256": app["sha256"]},
                "length": int(app.get("size") or 0) or -1,
            }
        ]
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: Mapping[str, Any]) -> str:
    """The SARIF log as JSON text."""
    return json.dumps(build_sarif(report), ensure_ascii=False, indent=2)


def write_sarif(report: Mapping[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.write_text(render_sarif(report) + "\n", encoding="utf-8")
    return path
