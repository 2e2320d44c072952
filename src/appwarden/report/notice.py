"""The 通报 table: one row per app in the format of MIIT's public notices (序号, 应用名称, 应用开发者, 应用来源,
应用版本, 所涉问题), from one or more report dicts, as CSV (UTF-8 with BOM, for Excel) or XLSX.

所涉问题 lists the problem-type names of the app's findings at or above ``min_confidence`` (default: only
``confirmed``), deduplicated, mapped from each finding's clauses through ``notice_map.yaml`` (337号文 types, plus the
164号文 items that 通报 tables name); findings whose clauses map to no type are left out unless
``include_unmapped``. An app with no qualifying finding gets no row unless ``include_clean``.

应用开发者 is ``meta.developer`` when the caller supplied it, else the organisation (``O=``, else ``CN=``) of the first
signer certificate's subject — a hint, not proof of identity. 应用来源 is ``meta.source`` (the store), else empty.
Cells that a spreadsheet would run as a formula are neutralised (hostile app labels are expected).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from appwarden.errors import KnowledgeError
from appwarden.report.sanitize import spreadsheet_cell

NOTICE_COLUMNS = ("序号", "应用名称", "应用开发者", "应用来源", "应用版本", "所涉问题")
NOTICE_MAP_PATH = Path(__file__).resolve().parent / "notice_map.yaml"
CONFIDENCE_RANK = {"confirmed": 0, "likely": 1, "possible": 2}
PROBLEM_SEPARATOR = "；"


@lru_cache(maxsize=1)
def load_notice_map() -> dict[str, Any]:
    """The parsed ``notice_map.yaml``; KnowledgeError when malformed (unknown type, missing names)."""
    from appwarden.knowledge import load_yaml

    data = load_yaml(NOTICE_MAP_PATH)
    if not isinstance(data, dict) or not isinstance(data.get("problem_types"), dict):
        raise KnowledgeError(f"{NOTICE_MAP_PATH}: missing 'problem_types' mapping")
    types = data["problem_types"]
    for tid, rec in types.items():
        if not isinstance(rec, dict) or not rec.get("name_zh"):
            raise KnowledgeError(f"{NOTICE_MAP_PATH}: problem type {tid!r} has no name_zh")
    clauses = data.get("clauses")
    if not isinstance(clauses, dict):
        raise KnowledgeError(f"{NOTICE_MAP_PATH}: missing 'clauses' mapping")
    for clause, rec in clauses.items():
        if not isinstance(rec, dict) or not isinstance(rec.get("types"), list) or not rec["types"]:
            raise KnowledgeError(f"{NOTICE_MAP_PATH}: clause {clause!r} needs a non-empty 'types' list")
        unknown = [t for t in rec["types"] if t not in types]
        if unknown:
            raise KnowledgeError(f"{NOTICE_MAP_PATH}: clause {clause!r} maps to unknown type(s) {unknown}")
        if rec.get("basis") not in ("stated", "interpretation"):
            raise KnowledgeError(
                f"{NOTICE_MAP_PATH}: clause {clause!r} basis must be stated or interpretation"
            )
    return data


def problem_types() -> dict[str, dict[str, Any]]:
    """Problem-type id -> ``{name_zh, name_en, instrument}`` in the order of the map (337 types first)."""
    return load_notice_map()["problem_types"]


def clause_types(clause: str) -> list[str]:
    """Candidate problem-type ids of one clause: an exact entry; else the entry of its parent item (a scenario
    ``M164-1.1-S2`` -> ``M164-1.1``); else the longest ``prefix*`` entry; else []."""
    clauses = load_notice_map()["clauses"]
    if clause in clauses:
        return list(clauses[clause]["types"])
    parent = clause
    while parent.count("-") >= 2:
        parent = parent.rsplit("-", 1)[0]
        if parent in clauses:
            return list(clauses[parent]["types"])
    best = ""
    for key in clauses:
        if key.endswith("*") and clause.startswith(key[:-1]) and len(key) > len(best):
            best = key
    return list(clauses[best]["types"]) if best else []


def finding_problem_types(finding: Mapping[str, Any]) -> list[str]:
    """Problem-type ids of one finding, from the candidate sets of its clauses.

    A clause with one candidate is decisive and always counts. A clause with several candidates (``RD-4.1`` ->
    超范围收集 or 过度索取权限) contributes the candidates the decisive clauses already name; else those every other
    ambiguous clause shares (``RD-4.1`` + ``M164-2.1`` -> 过度索取权限); else all of them.
    """
    sets = [set(t) for t in (clause_types(str(c)) for c in finding.get("clauses") or []) if t]
    decisive: set[str] = set().union(*(s for s in sets if len(s) == 1))
    ambiguous = [s for s in sets if len(s) > 1]
    common = set.intersection(*ambiguous) if len(ambiguous) > 1 else set()
    chosen = set(decisive)
    for candidates in ambiguous:
        chosen |= (candidates & decisive) or (candidates & common) or candidates
    order = list(problem_types())
    return sorted(chosen, key=order.index)


def _qualifies(finding: Mapping[str, Any], min_confidence: str) -> bool:
    limit = CONFIDENCE_RANK.get(min_confidence, 0)
    return CONFIDENCE_RANK.get(str(finding.get("confidence")), 99) <= limit


def report_problems(
    report: Mapping[str, Any], *, min_confidence: str = "confirmed", include_unmapped: bool = False
) -> list[str]:
    """所涉问题 of one report: problem-type names (zh), in map order, deduplicated. Findings none of whose clauses
    maps to a 通报 problem type (e.g. data-security clauses) are left out, unless ``include_unmapped``: then their
    ``title_zh`` follows the type names."""
    if min_confidence not in CONFIDENCE_RANK:
        raise KnowledgeError(f"unknown confidence {min_confidence!r} (use confirmed, likely or possible)")
    types = problem_types()
    ids: set[str] = set()
    extra: list[str] = []
    for finding in report.get("findings") or []:
        if not _qualifies(finding, min_confidence):
            continue
        found = finding_problem_types(finding)
        if found:
            ids.update(found)
        elif include_unmapped:
            title = str(finding.get("title_zh") or finding.get("rule_id") or "").strip()
            if title and title not in extra:
                extra.append(title)
    names = [types[t]["name_zh"] for t in types if t in ids]
    return names + [t for t in extra if t not in names]


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
