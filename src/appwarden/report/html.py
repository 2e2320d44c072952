"""A single-file HTML report rendered from the report dict with Jinja2 (``templates/report.html``).

The page has inline CSS only (no scripts, no external fonts or images; a CSP meta tag forbids loading anything), so
it can be mailed or archived as one file. Autoescaping is on for every value: labels, class names, policy sentences
and SDK names come from the app and are hostile input. Chinese first, English beside.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, Environment, FileSystemLoader

from appwarden.report import view

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MAX_CALLSITES_PER_OWNER = 50


def _finalize(value: Any) -> Any:
    """Every ``{{ expression }}``: ``None`` -> —, booleans -> 是/否, everything else unchanged."""
    if value is None or isinstance(value, bool):
        return view.plain_value(value)
    return value


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,  # every template, whatever its file name
        undefined=ChainableUndefined,  # optional sections missing from older/newer reports render empty
        trim_blocks=False,
        lstrip_blocks=False,
        finalize=_finalize,  # None and booleans never print as Python's "None" / "True"
    )
    env.globals.update(
        evidence_label=view.evidence_label,
        evidence_text=view.evidence_text,
        clause_explanation=view.clause_explanation,
        clause_label=view.clause_label,
        element_label=view.policy_element_label,
        category_names=view.category_names,
        severity_labels=view.SEVERITY_LABELS,
        confidence_labels=view.CONFIDENCE_LABELS,
        component_labels=view.COMPONENT_LABELS,
    )
    return env


def render_html(report: Mapping[str, Any]) -> str:
    """The HTML page for ``report`` (a complete document, UTF-8 text)."""
    manifest = report.get("manifest") or {}
    template = _environment().get_template("report.html")
    return template.render(
        report=report,
        title=view.app_title(report),
        app=report.get("app") or {},
        engine=report.get("engine") or {},
        meta=report.get("meta") or {},
        signers=view.signer_rows(report),
        findings=report.get("findings") or [],
        not_evaluated=report.get("not_evaluated") or [],
        by_severity=view.findings_by_severity(report),
        by_clause=view.findings_by_clause(report),
        clause_index=view.clause_index(report),
        by_owner=view.findings_by_owner(report),
        sdks=view.code_sdks(report),
        sdk_count=len(report.get("sdks") or []),
        runtime_sdks=view.runtime_only_sdks(report),
        callsites=report.get("callsites") or [],
        callsite_groups=view.callsites_by_category(report),
        max_callsites=MAX_CALLSITES_PER_OWNER,
        manifest=manifest,
        permissions=sorted(
            manifest.get("permissions") or [],
            key=lambda p: (not p.get("dangerous"), not p.get("special"), str(p.get("name"))),
        ),
        flags=manifest.get("flags") or {},
        exported=manifest.get("exported_components") or [],
        errors=view.error_rows(report),
        cited_clauses=view.cited_clauses(report),
        owner_names=lambda owner: view.owner_names(report, owner),
        finding_message=lambda f: view.finding_message_zh(f, report),
        policy_rows=view.section_overview(report.get("policy")),
        policy_elements=(report.get("policy") or {}).get("elements") or {},
        dynamic_rows=view.section_overview(report.get("dynamic")),
        consent=report.get("consent") or {},
        consent_labels=view.CONSENT_LABELS,
    )


def write_html(report: Mapping[str, Any], path: str | Path) -> Path:
    """Write the HTML report to ``path``; return it."""
    path = Path(path)
    path.write_text(render_html(report), encoding="utf-8")
    return path
