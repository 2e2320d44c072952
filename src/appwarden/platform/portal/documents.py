"""Official documents as PDFs: 责令整改通知书 (one per rectification order) and 投诉转办单 (one per forwarded
complaint), in Chinese with an embedded CJK font (:func:`appwarden.report.pdf.cjk_font`: Noto Sans CJK / WenQuanYi
when installed, else reportlab's STSong-Light).

Both name the document number, the company (name, 统一社会信用代码), the app (name, package, version), the
problems with rule and clause, the deadline and the issuing office (``APPWARDEN_ISSUING_OFFICE``). Every text that
came from an app or a complainant is escaped before it reaches reportlab's paragraph markup.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低", "info": "提示"}


def _xml(text: Any) -> str:
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    from appwarden.report.pdf import cjk_font

    font = cjk_font().name
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "title": ParagraphStyle("t", parent=body, fontSize=20, leading=28, alignment=1, spaceAfter=4),
        "number": ParagraphStyle("n", parent=body, alignment=1, spaceAfter=10),
        "body": body,
        "cell": ParagraphStyle("c", parent=body, fontSize=8.5, leading=11.5),
        "right": ParagraphStyle("r", parent=body, alignment=2),
        "h": ParagraphStyle("h", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
    }


def _table(rows: list[list[str]], widths: list[float], st: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [[Paragraph(_xml(c), st["cell"]) for c in row] for row in rows]
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
    return table


def _kv(rows: list[tuple[str, str]], st: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [[Paragraph(_xml(k), st["cell"]), Paragraph(_xml(v), st["cell"])] for k, v in rows]
    table = Table(data, colWidths=[110, 370])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f4f8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _build(title: str, story: list[Any]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, title=title, author="appwarden", leftMargin=56, rightMargin=56, topMargin=56
    )
    doc.build(story)
    return buf.getvalue()


def _company_line(company: Any) -> str:
    if company is None:
        return "（未登记企业 company not registered）"
    return f"{company.name}（统一社会信用代码 {company.credit_code}）"


def _clauses(clauses: Any) -> str:
    from appwarden.report.view import clause_label

    out = []
    for c in clauses or []:
        label = clause_label(str(c))
        out.append(str(c) if label == str(c) else f"{c} {label}")
    return "；".join(out) or "—"


def _owner(owner: str) -> str:
    """The 责任方 cell: ``应用自身 host``, or ``第三方SDK`` and the SDK's Chinese name as the order page shows it (a
    bare id such as ``umeng_common`` means nothing to the company and did not fit the column)."""
    if not owner or owner == "host":
        return "应用自身 host"
    from appwarden.report import view

    return f"第三方SDK {view.owner_names({}, owner)[0]}"


def order_pdf(order: Any) -> bytes:
    """The 责令整改通知书 of a :class:`~appwarden.platform.enforcement.models.RectificationOrder`: number, company,
    app and version, each ordered finding (title, rule id, clauses, severity, owner), requirements, the deadline
    in working days and as a date, and the issuing office with the issue date."""
    from reportlab.platypus import Paragraph, Spacer

    from appwarden.platform.testing.ranking import rank_key

    st = _styles()
    app, version = order.app, order.app_version
    office = settings.APPWARDEN_ISSUING_OFFICE
    findings = sorted(order.findings.all(), key=rank_key)
    rows = [["序号", "问题 Problem", "规则 Rule", "依据条款 Clauses", "严重程度", "责任方 Owner"]]
    for i, f in enumerate(findings, start=1):
        rows.append(
            [
                str(i),
                f.title_zh,
                f.rule_id,
                _clauses(f.clauses),
                SEVERITY_ZH.get(f.severity, f.severity),
                _owner(f.owner),
            ]
        )
    app_name = app.name or version.label or app.package
    issued = timezone.localtime(order.issued_at).date()
    story = [
        Paragraph("责令整改通知书", st["title"]),
        Paragraph(f"编号：{_xml(order.number)}", st["number"]),
        Paragraph(f"{_xml(order.company.name if order.company else app.package)}：", st["body"]),
        Spacer(1, 6),
        Paragraph(
            _xml(
                f"经检测，你单位的应用「{app_name}」（包名 {app.package}，版本 {version.version_name or '—'}）"
                f"存在以下违反个人信息保护相关规定的问题，现责令你单位于 {order.working_days} 个工作日内"
                f"（{order.deadline:%Y年%m月%d日} 前）完成整改，并通过平台提交整改说明和整改后的安装包。"
            ),
            st["body"],
        ),
        Spacer(1, 8),
        _kv(
            [
                ("通知书编号", order.number),
                ("被通知企业", _company_line(order.company)),
                ("应用名称", app_name),
                ("包名", app.package),
                (
                    "应用版本",
                    f"{version.version_name or '—'}（versionCode {version.version_code if version.version_code is not None else '—'}）",
                ),
                ("安装包 SHA-256", version.sha256),
                ("整改期限", f"{order.working_days} 个工作日，截止 {order.deadline:%Y-%m-%d}"),
                ("签发机关", office),
                ("签发日期", f"{issued:%Y-%m-%d}"),
            ],
            st,
        ),
        Paragraph("存在的问题", st["h"]),
        _table(rows, [22, 120, 92, 140, 50, 58], st),
    ]
    if (order.requirements or "").strip():
        story += [Paragraph("整改要求", st["h"]), Paragraph(_xml(order.requirements), st["body"])]
    story += [
        Spacer(1, 10),
        Paragraph(
            "逾期未整改或整改不到位的，将依法予以通报，并视情采取下架等处置措施。",
            st["body"],
        ),
        Spacer(1, 24),
        Paragraph(_xml(office), st["right"]),
        Paragraph(f"{issued:%Y年%m月%d日}", st["right"]),
    ]
    return _build(f"责令整改通知书 {order.number}", story)


def forward_pdf(fwd: Any, *, contact_visible: bool) -> bytes:
    """The 投诉转办单 of a :class:`~appwarden.platform.complaints.models.ComplaintForward`: number, the complaint's
    tracking number and date, company, app, the problem complained about (category and description), the
    complainant (only when ``contact_visible``; else "未经投诉人同意不予提供"), the instructions, the answer
    deadline and the issuing office."""
    from reportlab.platypus import Paragraph, Spacer

    st = _styles()
    c = fwd.complaint
    app = fwd.app
    office = settings.APPWARDEN_ISSUING_OFFICE
    forwarded = timezone.localtime(fwd.forwarded_at).date()
    app_name = app.name or c.app_name or app.package
    from appwarden.platform.registry.models import attributed

    # the company's own newest build (a build of another signer that only carries the package is not it)
    version = app.versions.filter(attributed()).order_by("-first_seen", "-id").first()
    if contact_visible:
        reporter = f"{c.reporter_name or '匿名'} {c.reporter_contact or ''}".strip()
    else:
        reporter = "未经投诉人同意不予提供 (withheld: no consent)"
    story = [
        Paragraph("投诉转办单", st["title"]),
        Paragraph(f"编号：{_xml(fwd.number)}", st["number"]),
        Paragraph(f"{_xml(fwd.company.name)}：", st["body"]),
        Spacer(1, 6),
        Paragraph(
            _xml(
                f"现将用户关于你单位应用「{app_name}」（包名 {app.package}）的投诉转你单位处理，请核实情况、"
                f"依法整改，并于 {fwd.working_days} 个工作日内（{fwd.deadline:%Y年%m月%d日} 前）通过平台答复。"
            ),
            st["body"],
        ),
        Spacer(1, 8),
        _kv(
            [
                ("转办编号", fwd.number),
                ("投诉受理编号", c.tracking_number),
                ("投诉日期", f"{timezone.localtime(c.created_at):%Y-%m-%d}"),
                ("被投诉企业", _company_line(fwd.company)),
                ("应用名称", app_name),
                ("包名", app.package),
                ("应用版本", (version.version_name or "—") if version else "—"),
                ("下载来源", c.store_name or "—"),
                ("投诉问题类型", c.get_category_display()),
                ("投诉人", reporter),
                ("答复期限", f"{fwd.working_days} 个工作日，截止 {fwd.deadline:%Y-%m-%d}"),
                ("转办机关", office),
                ("转办日期", f"{forwarded:%Y-%m-%d}"),
            ],
            st,
        ),
        Paragraph("投诉内容", st["h"]),
        Paragraph(_xml(c.description).replace("\n", "<br/>"), st["body"]),
        Paragraph("转办意见", st["h"]),
        Paragraph(_xml(fwd.instructions).replace("\n", "<br/>"), st["body"]),
        Spacer(1, 24),
        Paragraph(_xml(office), st["right"]),
        Paragraph(f"{forwarded:%Y年%m月%d日}", st["right"]),
    ]
    return _build(f"投诉转办单 {fwd.number}", story)


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def order_pdf_response(order: Any) -> HttpResponse:
    """``order_pdf`` as a download named after the order number."""
    return _pdf_response(order_pdf(order), f"zlzg-{_ascii(order.number)}.pdf")


def forward_pdf_response(fwd: Any, user: Any) -> HttpResponse:
    """``forward_pdf`` for ``user`` (the complainant's contact only when ``user`` may see it)."""
    from appwarden.platform.complaints.forwarding import contact_visible

    data = forward_pdf(fwd, contact_visible=contact_visible(fwd, user))
    return _pdf_response(data, f"tszb-{_ascii(fwd.number)}.pdf")


def _ascii(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in text)[:60]
