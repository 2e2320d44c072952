"""Export a notice batch (通报) as the MIIT-style table: XLSX (openpyxl) and PDF (reportlab, with an embedded CJK
font when one is installed: see :func:`appwarden.report.pdf.cjk_font`)."""

from __future__ import annotations

import io

from appwarden.platform.enforcement.models import NoticeBatch
from appwarden.report.sanitize import spreadsheet_cell

HEADERS = ["序号", "应用名称", "应用开发者", "应用来源", "应用版本", "所涉问题"]
# a batch with APP(SDK) rows (SDK vendors' orders, issue #21.1) gets two more columns before 所涉问题
SDK_HEADERS = ["序号", "应用名称", "应用开发者", "应用来源", "应用版本", "SDK名称", "SDK厂商", "所涉问题"]


def safe_cell(value: str) -> str:
    """Strip control characters and neutralise spreadsheet formulas (app labels are attacker-controlled): the
    product's one cell helper, :func:`appwarden.report.sanitize.spreadsheet_cell`."""
    return spreadsheet_cell(value)


def has_sdk_rows(notice: NoticeBatch) -> bool:
    """Whether the batch names an SDK (an APP(SDK) row from an SDK vendor's order)."""
    return notice.items.exclude(sdk_name="").exists() or notice.items.filter(sdk_order__isnull=False).exists()


def headers(notice: NoticeBatch) -> list[str]:
    """The table's header row: :data:`SDK_HEADERS` when the batch has APP(SDK) rows, else :data:`HEADERS`."""
    return SDK_HEADERS if has_sdk_rows(notice) else HEADERS


def notice_rows(notice: NoticeBatch) -> list[list[str]]:
    """The table rows in order: 序号, 应用名称, 应用开发者, 应用来源, 应用版本, [SDK名称, SDK厂商,] 所涉问题 (cells
    made safe; an app's row has "—" in the SDK columns)."""
    sdk = has_sdk_rows(notice)
    rows = []
    for i, item in enumerate(notice.items.all().order_by("id"), start=1):
        values = [item.app_name, item.developer, item.source, item.version]
        if sdk:
            values += [item.sdk_name or "—", item.sdk_vendor or "—"]
        values.append(item.problems)
        rows.append([str(i), *(safe_cell(v) for v in values)])
    return rows


def notice_xlsx(notice: NoticeBatch) -> bytes:
    """The notice table as an XLSX workbook (title row, header row, one row per app)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "通报"
    ws.append([safe_cell(notice.title)])
    head = headers(notice)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(head)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in notice_rows(notice):
        ws.append(row)
    widths = (6, 24, 32, 20, 12, 28, 24, 48) if head is SDK_HEADERS else (6, 24, 32, 20, 12, 48)
    for col, width in zip("ABCDEFGH", widths, strict=False):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def notice_pdf(notice: NoticeBatch) -> bytes:
    """The notice table as a PDF. The CJK font is the report PDF's (:func:`appwarden.report.pdf.cjk_font`): a
    TrueType CJK font embedded (subset) in the file when one is installed (fonts-wqy-microhei), so the published
    notice looks the same everywhere; reportlab's STSong-Light CID font (not embedded) only when none is."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from appwarden.report.pdf import cjk_font

    font = cjk_font().name
    title_style = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    cell_style = ParagraphStyle("c", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    head = headers(notice)
    data = [[Paragraph(h, cell_style) for h in head]]
    for row in notice_rows(notice):
        data.append([Paragraph(_xml(v), cell_style) for v in row])
    widths = [30, 100, 110, 80, 50, 110, 90, 190] if head is SDK_HEADERS else [30, 120, 150, 110, 60, 290]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), title=notice.title, author="appwarden")
    doc.build([Paragraph(_xml(notice.title), title_style), Spacer(1, 12), table])
    return buf.getvalue()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
