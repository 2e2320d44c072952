"""The 通报 table: one row per app in the format of MIIT's public notices (序号, 应用名称, 应用开发者, 应用来源,
应用版本, 所涉问题), from one or more report dicts, as CSV (UTF-8 with BOM, for Excel) or XLSX.

所涉问题 lists the names of the 通报 problem types of the app's findings at or above ``min_confidence`` (default:
only ``confirmed``), deduplicated, in the order of the vocabulary (``knowledge/notice_types.yaml``). A finding's
types are what :func:`finding_notice_types` returns — the ONE mapping from a finding to 通报 problem types: the
JSON report's ``notice_types`` (declared per rule in its YAML), and the CLI notice CSV/XLSX, the platform (stored
findings, dashboards, notice rows and the notice PDF) all call it. Findings with no type (security hygiene) are
left out unless ``include_unmapped``. An app with no qualifying finding gets no row unless ``include_clean``.

A type the evidence must prove (``evidence_scoped`` in ``knowledge/notice_types.yaml``: 超范围收集个人信息 on a
plain read rule such as ``pi.device_id.read``) stays on a finding only when its evidence carries the proof:
:func:`scope_notice_types` (called by the scan after the trace confirmations) writes a ``necessary_pi`` evidence
item when the app's DECLARED 39类 type does not need a category read, and drops the type otherwise; a read, even
one a trace confirmed, does not show that it exceeds what the service needs (report audit).

应用开发者 is ``meta.developer`` when the caller supplied it, else the organisation (``O=``, else ``CN=``) of the first
signer certificate's subject — a hint, not proof of identity. 应用来源 is ``meta.source`` (the store), else empty.
Cells that a spreadsheet would run as a formula are neutralised (hostile app labels are expected).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

from appwarden.errors import KnowledgeError
from appwarden.report.sanitize import spreadsheet_cell

NOTICE_COLUMNS = ("序号", "应用名称", "应用开发者", "应用来源", "应用版本", "所涉问题")
CONFIDENCE_RANK = {"confirmed": 0, "likely": 1, "possible": 2}
PROBLEM_SEPARATOR = "；"
# evidence item type proving a read exceeds the declared 39类 type's necessary PI (see scope_notice_types)
NECESSITY_EVIDENCE = "necessary_pi"


def problem_types() -> dict[str, dict[str, Any]]:
    """The 通报 problem-type vocabulary: type id -> record (``name_zh``, ``name_en``, ``source``, ``kind``,
    ``group`` ...) in file order (``knowledge/notice_types.yaml``)."""
    from appwarden.knowledge.notice_types import vocabulary

    return vocabulary()


def _rule_types() -> dict[str, list[str]]:
    """Rule id -> declared ``notice_types`` of the packaged rules (for reports written before findings carried
    them)."""
    from appwarden.rules.loader import load_rules

    return {r.id: list(r.notice_types) for r in load_rules()}


def finding_notice_types(finding: Mapping[str, Any]) -> list[str]:
    """The 通报 problem-type ids of one finding (a report's finding dict): THE mapping every output uses.

    A finding carrying ``notice_types`` (every report since they were added: the rule declares them) gives exactly
    those; KnowledgeError when one is not in the vocabulary or there are more than
    :data:`~appwarden.knowledge.notice_types.MAX_PER_RULE` (a report from another knowledge base: never guess). A
    finding without the key (an older report) gets the types its rule declares today; an unknown rule none.
    An evidence-scoped type (``evidence_scoped`` in the vocabulary file: 超范围 on a plain read) is left out unless
    the finding's evidence proves it (:func:`scope_notice_types`); a dict with ``notice_types`` and no ``evidence``
    key (a stored finding's row on the platform, scoped when its report was ingested) is taken as it is.
    """
    from appwarden.knowledge.notice_types import MAX_PER_RULE

    types = finding.get("notice_types")
    if types is None:
        return _proven(finding, _rule_types().get(str(finding.get("rule_id") or ""), []))
    known = problem_types()
    if not isinstance(types, list | tuple) or not all(isinstance(t, str) for t in types):
        raise KnowledgeError(f"finding {finding.get('rule_id')!r}: notice_types must be a list of type ids")
    unknown = [t for t in types if t not in known]
    if unknown:
        raise KnowledgeError(
            f"finding {finding.get('rule_id')!r}: unknown 通报 problem type(s) {unknown} "
            "(not in knowledge/notice_types.yaml)"
        )
    out = list(dict.fromkeys(types))
    if len(out) > MAX_PER_RULE:
        raise KnowledgeError(
            f"finding {finding.get('rule_id')!r}: {len(out)} 通报 problem types (at most {MAX_PER_RULE})"
        )
    # a report finding (it has its evidence) keeps an evidence-scoped type only with the proof; a stored
    # finding's types without its evidence (the platform's rows) were scoped when the report was ingested
    return _proven(finding, out) if "evidence" in finding else out


def _scoped_types(rule_id: str) -> set[str]:
    """The types that ``rule_id``'s findings carry only with proof in their evidence (``evidence_scoped``)."""
    from appwarden.knowledge.notice_types import evidence_scoped

    return {t for t, rec in evidence_scoped().items() if rule_id in rec["rules"]}


def _has_proof(evidence: Iterable[Mapping[str, Any]]) -> bool:
    return any(
        isinstance(e, Mapping) and e.get("type") == NECESSITY_EVIDENCE and e.get("beyond")
        for e in evidence or []
    )


def _proven(finding: Mapping[str, Any], types: Iterable[str]) -> list[str]:
    """``types`` without the evidence-scoped ones the finding's evidence does not prove (also for reports written
    before the scoping: their plain reads carried 超范围 on the read alone)."""
    scoped = _scoped_types(str(finding.get("rule_id") or ""))
    if not scoped or _has_proof(finding.get("evidence") or []):
        return list(types)
    return [t for t in types if t not in scoped]


def _read_categories(evidence: list[dict[str, Any]], confirmed: bool) -> list[str]:
    """The PI categories a finding shows read: for a trace-confirmed finding those the trace confirmed (its
    confirmation marker's ``categories``), else its call sites'."""
    if confirmed:
        for item in evidence:
            if item.get("type") == "trace" and item.get("event") == "confirmation" and "categories" in item:
                return [str(c) for c in item.get("categories") or []]
    cats = (str(i["category"]) for i in evidence if i.get("type") == "callsite" and i.get("category"))
    return list(dict.fromkeys(cats))


def scope_notice_types(
    findings: Iterable[Any], category: str | None, category_inferred: bool = False
) -> list[Any]:
    """``findings`` (rule-engine :class:`~appwarden.rules.model.Finding` objects) with each evidence-scoped type
    kept only where the evidence proves it; call after the trace confirmations (``scan.evaluate``).

    ``necessary_pi`` proof: the app's 39类 type ``category`` was declared (an inferred one is a guess, not a fact a
    通报 can state) and some PI category the finding shows read (:func:`_read_categories`) is not among that type's
    necessary PI (``knowledge/necessary_pi.yaml`` ``pi_categories``). Then the finding gets the evidence item
    ``{"type": "necessary_pi", "app_category", "app_category_zh", "necessary", "beyond"}`` and keeps the type;
    otherwise the type is dropped and the finding stays (a read the reviewer may still judge). Other findings are
    returned unchanged. Order is kept."""
    from dataclasses import replace

    from appwarden.rules.category import category_record

    record = None if category_inferred else category_record(category)
    out = []
    for finding in findings:
        scoped = _scoped_types(finding.rule_id) & set(finding.notice_types)
        if not scoped or _has_proof(finding.evidence):
            out.append(finding)
            continue
        necessary = list(record.get("pi_categories") or []) if record else []
        read = _read_categories(finding.evidence, finding.confidence == "confirmed")
        beyond = [c for c in read if c not in necessary]
        if record is not None and beyond:
            item = {
                "type": NECESSITY_EVIDENCE,
                "app_category": category,
                "app_category_zh": str(record.get("name_zh") or ""),
                "necessary": necessary,
                "beyond": beyond,
            }
            out.append(replace(finding, evidence=[*finding.evidence, item]))
        else:
            kept = [t for t in finding.notice_types if t not in scoped]
            out.append(replace(finding, notice_types=kept))
    return out


def notice_type_names(type_ids: Iterable[str]) -> list[str]:
    """Chinese names of type ids, in the given order (KnowledgeError for an unknown id)."""
    from appwarden.knowledge.notice_types import name_zh

    return [name_zh(t) for t in type_ids]


def _qualifies(finding: Mapping[str, Any], min_confidence: str) -> bool:
    limit = CONFIDENCE_RANK.get(min_confidence, 0)
    return CONFIDENCE_RANK.get(str(finding.get("confidence")), 99) <= limit


def problem_names(findings: Iterable[Mapping[str, Any]], *, include_unmapped: bool = False) -> list[str]:
    """所涉问题 of a set of findings (dicts with ``notice_types`` and/or ``rule_id``, ``title_zh``): the names of
    their :func:`finding_notice_types`, in vocabulary order, deduplicated. Findings with no type (security hygiene)
    are left out unless ``include_unmapped``: then their ``title_zh`` follows the type names. The CLI table
    (:func:`report_problems`) and the platform's notice rows both call this."""
    types = problem_types()
    ids: set[str] = set()
    extra: list[str] = []
    for finding in findings:
        found = finding_notice_types(finding)
        if found:
            ids.update(found)
        elif include_unmapped:
            title = str(finding.get("title_zh") or finding.get("rule_id") or "").strip()
            if title and title not in extra:
                extra.append(title)
    names = [types[t]["name_zh"] for t in types if t in ids]
    return names + [t for t in extra if t not in names]


def report_problems(
    report: Mapping[str, Any], *, min_confidence: str = "confirmed", include_unmapped: bool = False
) -> list[str]:
    """所涉问题 of one report: :func:`problem_names` of its findings at or above ``min_confidence``."""
    if min_confidence not in CONFIDENCE_RANK:
        raise KnowledgeError(f"unknown confidence {min_confidence!r} (use confirmed, likely or possible)")
    findings = [f for f in report.get("findings") or [] if _qualifies(f, min_confidence)]
    return problem_names(findings, include_unmapped=include_unmapped)


def notice_status(report: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(problems the 通报 table lists: those of confirmed findings, problems that only likely/possible findings
    show and that wait for review). KnowledgeError for a report from another knowledge base."""
    confirmed = report_problems(report, min_confidence="confirmed")
    pending = [p for p in report_problems(report, min_confidence="possible") if p not in confirmed]
    return confirmed, pending


_SUBJECT_ATTR = re.compile(r"(?:^|[,/;+]\s*)(O|CN)\s*=\s*((?:\\.|[^,/;+])+)")


def developer_of(report: Mapping[str, Any]) -> str:
    """应用开发者: ``meta.developer``, else O= (else CN=) of the first signer's subject, else empty."""
    developer = (report.get("meta") or {}).get("developer")
    if developer:
        return str(developer)
    signers = (report.get("app") or {}).get("signers") or []
    if not signers:
        return ""
    attrs: dict[str, str] = {}
    for key, value in _SUBJECT_ATTR.findall(str(signers[0].get("subject", ""))):
        attrs.setdefault(key, value.replace("\\", "").strip())
    return attrs.get("O") or attrs.get("CN") or ""


def notice_rows(
    reports: Mapping[str, Any] | Iterable[Mapping[str, Any]],
    *,
    min_confidence: str = "confirmed",
    include_clean: bool = False,
    include_unmapped: bool = False,
    start: int = 1,
) -> list[dict[str, Any]]:
    """The 通报 rows (dicts keyed by :data:`NOTICE_COLUMNS`) for one report or several, numbered from ``start``
    (options as in :func:`report_problems`; ``include_clean`` keeps apps with no qualifying problem)."""
    if isinstance(reports, Mapping):
        reports = [reports]
    rows = []
    for report in reports:
        problems = report_problems(report, min_confidence=min_confidence, include_unmapped=include_unmapped)
        if not problems and not include_clean:
            continue
        app = report.get("app") or {}
        rows.append(
            {
                "序号": start + len(rows),
                "应用名称": str(app.get("label") or app.get("package") or ""),
                "应用开发者": developer_of(report),
                "应用来源": str((report.get("meta") or {}).get("source") or ""),
                "应用版本": str(app.get("version_name") or app.get("version_code") or ""),
                "所涉问题": PROBLEM_SEPARATOR.join(problems),
            }
        )
    return rows


def render_notice_csv(reports: Mapping[str, Any] | Iterable[Mapping[str, Any]], **options: Any) -> bytes:
    """The 通报 table as CSV bytes: UTF-8 with BOM (Excel opens it as UTF-8), CRLF line ends, header row first."""
    import csv  # only for this export: not on a scan's start-up path

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(NOTICE_COLUMNS)
    for row in notice_rows(reports, **options):
        writer.writerow([spreadsheet_cell(row[c]) for c in NOTICE_COLUMNS])
    return buf.getvalue().encode("utf-8-sig")


def render_notice_xlsx(reports: Mapping[str, Any] | Iterable[Mapping[str, Any]], **options: Any) -> bytes:
    """The 通报 table as an XLSX workbook (one sheet 通报, header row bold and frozen); returns the file bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "通报"
    ws.append(list(NOTICE_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in notice_rows(reports, **options):
        ws.append([None] * len(NOTICE_COLUMNS))
        r = ws.max_row
        for i, col in enumerate(NOTICE_COLUMNS, start=1):
            cell = ws.cell(row=r, column=i)
            value = spreadsheet_cell(row[col])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (6, 24, 28, 14, 12, 48), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
