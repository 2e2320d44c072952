"""Reports: the versioned report JSON and everything rendered from it.

Pipeline use (``appwarden.scan``)::

    from appwarden.report import build_report, validate_report, formats
    report = build_report(evidence, results, engine={"name": "appwarden", "version": v, "rules_version": rv})
    formats.write("html", report, "out/report.html")

Modules: ``json`` (build/validate/load/write, schema in ``schema/report.schema.json``), ``terminal`` (rich summary),
``html``, ``pdf``, ``sarif``, ``notice`` (通报 CSV/XLSX), ``formats`` (name -> renderer registry), ``view`` (shared
groupings and labels). Renderers read only the report dict, never engine objects.
"""

from __future__ import annotations

from appwarden.report.json import (
    SCHEMA_VERSION,
    ReportError,
    build_report,
    load_report,
    validate_report,
    write_report,
)

__all__ = ["SCHEMA_VERSION", "ReportError", "build_report", "load_report", "validate_report", "write_report"]
