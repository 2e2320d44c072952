"""A PDF report rendered from the report dict with reportlab, with Chinese glyphs.

Font choice (:func:`cjk_font`): reportlab embeds only TrueType outlines, and Debian's ``fonts-noto-cjk`` ships
OpenType/CFF collections (``NotoSansCJK-*.ttc``) that reportlab rejects ("postscript outlines are not supported").
So we look, in order, at ``$APPWARDEN_PDF_FONT``, known TrueType CJK files (WenQuanYi Micro Hei / Zen Hei from
``fonts-wqy-microhei`` / ``fonts-wqy-zenhei``, AR PL UMing, Droid Sans Fallback) and every ``fc-list :lang=zh``
file, and embed (subset) the first one reportlab accepts. When none is usable we fall back to reportlab's built-in
CID font ``STSong-Light``: Chinese text is still encoded correctly (``pdftotext`` extracts it) but the glyphs are
not embedded, so the viewer substitutes a local CJK font (poppler uses Noto CJK). :func:`cjk_font` says which.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from appwarden.report import view

KNOWN_TTF = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansCJKsc-Regular.ttf",
)
CID_FALLBACK = "STSong-Light"
FONT_NAME = "AppwardenCJK"
MAX_CALLSITES_PER_OWNER = 20
MAX_CALLSITE_ROWS = 400  # the PDF is for reading; the JSON/HTML keep the full list
MAX_EVIDENCE_PER_FINDING = 12


# Characters STSong-Light (GB encodings) has no glyph for, replaced when the CID fallback font is in use.
_CID_REPLACEMENTS = str.maketrans({"·": "|", "•": "-", "→": "=>", "–": "-", "✓": "v", "⚠": "!"})


def _for_font(text: str, font: str) -> str:
    return text.translate(_CID_REPLACEMENTS) if font == CID_FALLBACK else text


@dataclass(frozen=True)
class FontChoice:
    """The font the PDF uses: its reportlab name, the file embedded (None for the CID fallback)."""

    name: str
    path: str | None
    embedded: bool


def _fc_list_files() -> list[str]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(":", 1)[0].strip() for line in out.splitlines() if line.strip()})


def _try_ttf(path: str) -> bool:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if not os.path.isfile(path):
        return False
    try:
        font = TTFont(FONT_NAME, path, subfontIndex=0)
        if not font.face.charToGlyph.get(ord("报")):  # must really cover Chinese
            return False
        pdfmetrics.registerFont(font)
    except (TTFError, OSError, ValueError, KeyError, IndexError, AssertionError):
        return False
    return True


@lru_cache(maxsize=1)
def cjk_font() -> FontChoice:
    """Register and return the CJK font for PDFs (see the module docstring for the search order)."""
    candidates = []
    if os.environ.get("APPWARDEN_PDF_FONT"):
        candidates.append(os.environ["APPWARDEN_PDF_FONT"])
    candidates += list(KNOWN_TTF)
    candidates += [f for f in _fc_list_files() if f.lower().endswith((".ttf", ".ttc"))]
    seen: set[str] = set()
    for path in candidates:
        if path in seen:
            continue
        seen.add(path)
        if _try_ttf(path):
            return FontChoice(FONT_NAME, path, True)
    return cid_fallback_font()


def cid_fallback_font() -> FontChoice:
    """Register and return reportlab's built-in Chinese CID font (not embedded; viewers substitute glyphs)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return FontChoice(CID_FALLBACK, None, False)


def _styles(font: str) -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12.5, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=base, fontSize=10.5, leading=14, spaceBefore=6, spaceAfter=2),
        "body": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=7.5, leading=10, textColor=colors.HexColor("#424242")
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "warn": ParagraphStyle("warn", parent=base, textColor=colors.HexColor("#b71c1c")),
    }


@lru_cache(maxsize=64)
def _latin(style: Any) -> Any:
    """The same style with ordinary (space-based, long words split) wrapping: far faster than CJK wrapping."""
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(f"{style.name}-latin", parent=style, wordWrap=None, splitLongWords=1)


def _p(text: Any, style: Any) -> Any:
    """A paragraph of plain text (escaped: app strings are never paragraph markup). Mostly-Latin text (descriptors
    with a short Chinese label) uses ordinary wrapping, long words split; mostly-Chinese text uses CJK wrapping,
    which is correct for unspaced Chinese but several times slower."""
    from reportlab.platypus import Paragraph

    text = _for_font("" if text is None else str(text), style.fontName)
    wide = sum(1 for ch in text if ord(ch) > 0x2E7F)
    return Paragraph(escape(text), style if wide * 3 > len(text) else _latin(style))


_BREAK_AFTER = frozenset(" /;,.>$-_")


def _wrap_plain(text: str, width: float, font: str, size: float) -> str:
    """Hard-wrap ``text`` to ``width`` points with newlines (greedy; prefers breaking after separators such as
    ``/`` ``;`` ``>`` in smali descriptors). Plain table cells wrapped this way render far faster than Paragraphs."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    widths = _char_widths(font, size)
    text = _for_font(text, font)
    lines: list[str] = []
    for raw in text.splitlines() or [""]:
        line: list[str] = []
        used = 0.0
        last_break = -1
        for ch in raw:
            w = widths.get(ch)
            if w is None:
                w = widths[ch] = stringWidth(ch, font, size)
            if used + w > width and line:
                if last_break >= len(line) // 2:
                    head, tail = line[: last_break + 1], line[last_break + 1 :]
                else:
                    head, tail = line, []
                lines.append("".join(head))
                line = tail
                used = sum(widths[c] for c in line)
                last_break = -1
            line.append(ch)
            used += w
            if ch in _BREAK_AFTER:
                last_break = len(line) - 1
        lines.append("".join(line))
    return "\n".join(lines)


@lru_cache(maxsize=8)
def _char_widths(font: str, size: float) -> dict[str, float]:
    return {}


def _table(rows: list[list[Any]], widths: list[float], st: dict[str, Any], header: bool = True) -> Any:
    """A grid table of plain-text cells (hard-wrapped to the column widths; never parsed as markup)."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    cell = st["cell"]
    pad = 6.0
    data = [
        [
            _wrap_plain("" if c is None else str(c), widths[i] - pad, cell.fontName, cell.fontSize)
            for i, c in enumerate(r)
        ]
        for r in rows
    ]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONT", (0, 0), (-1, -1), cell.fontName, cell.fontSize, cell.leading),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bdbdbd")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad / 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad / 2),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eceff1")))
    table.setStyle(TableStyle(style))
    return table


def _story(report: Mapping[str, Any], st: dict[str, Any], width: float) -> list[Any]:
    from reportlab.platypus import Spacer

    app = report.get("app") or {}
    engine = report.get("engine") or {}
    meta = report.get("meta") or {}
    story: list[Any] = [
        _p(f"appwarden 检测报告 Scan report：{view.app_title(report)}", st["title"]),
        _p(
            f"{app.get('package') or ''} · {app.get('version_name') or ''} · 生成时间 generated {report.get('generated_at', '')}",
            st["small"],
        ),
        _p("应用信息 App", st["h2"]),
    ]
    rows = [
        ["应用名称 Label", app.get("label")],
        ["包名 Package", app.get("package")],
        [
            "版本 Version",
            f"{view.plain_value(app.get('version_name'))} ({view.plain_value(app.get('version_code'))})",
        ],
        [
            "SDK min/target",
            f"{view.plain_value(app.get('min_sdk'))} / {view.plain_value(app.get('target_sdk'))}",
        ],
        ["SHA-256", app.get("sha256")],
        ["签名方案 Signing", ", ".join(app.get("signing_schemes") or [])],
    ]
    for s in view.signer_rows(report):
        rows.append(["签名者 Signer", f"{s['subject']}\nSHA-256 {s['sha256']}"])
    for key, label in (
        ("developer", "应用开发者 Developer"),
        ("source", "应用来源 Source"),
        ("category", "应用类型 Category"),
    ):
        if meta.get(key):
            rows.append([label, meta.get(key)])
    rows.append(
        ["引擎 Engine", f"{engine.get('name')} {engine.get('version')} · rules {engine.get('rules_version')}"]
    )
    story.append(_table(rows, [width * 0.22, width * 0.78], st, header=False))
    if report.get("packer"):
        story.append(
            _p(
                f"应用已加固（{report['packer'].get('name')}），静态证据不完整。 Packed app: static evidence incomplete.",
                st["warn"],
            )
        )

    by_sev = {g["severity"]: len(g["findings"]) for g in view.findings_by_severity(report)}
    story.append(Spacer(1, 6))
    story.append(
        _p(
            f"问题 findings {len(report.get('findings') or [])}（高危 high {by_sev.get('high', 0)}，中危 medium "
            f"{by_sev.get('medium', 0)}，低危 low {by_sev.get('low', 0)}，提示 info {by_sev.get('info', 0)}）· "
            f"个人信息调用点 PI call sites {len(report.get('callsites') or [])} · 第三方SDK {len(report.get('sdks') or [])} · "
            f"未能分析 errors {len(report.get('errors') or [])}",
            st["body"],
        )
    )

    story.append(_p("问题（按主要条款） Findings by main clause", st["h2"]))
    index = view.clause_index(report)
    if index:
        rows = [["条款 Clause", "标题 Title", "问题数 Findings", "规则 Rules"]]
        rows += [[c["clause"], c["label"], c["count"], ", ".join(c["rule_ids"])] for c in index]
        story.append(_table(rows, [width * r for r in (0.14, 0.38, 0.1, 0.38)], st))
    if report.get("rules_evaluated") is False:
        story.append(_p("未运行规则。 Rules were not run.", st["body"]))
    elif not report.get("findings"):
        story.append(_p("未发现问题。 No findings.", st["body"]))
    for group in view.findings_by_clause(report):
        story.append(_p(f"【{group['clause']}】 {group['label']}", st["h3"]))
        if group["explanation"]:
            story.append(_p(f"条款原文 clause text: {group['explanation']}", st["small"]))
        for f in group["findings"]:
            sev = view.SEVERITY_LABELS.get(f.get("severity"), (f.get("severity"), ""))
            conf = view.CONFIDENCE_LABELS.get(f.get("confidence"), (f.get("confidence"), ""))
            owner = view.bilingual(*view.owner_names(report, f.get("owner")))
            story.append(
                _p(f"[{sev[0]} {sev[1]}] {view.bilingual(f.get('title_zh'), f.get('title_en'))}", st["body"])
            )
            review = " · 需人工复核 needs review" if f.get("needs_review") else ""
            if f.get("engine") and f.get("engine") != "appwarden":
                review += f" · 引擎 engine {f.get('engine')}"
            story.append(
                _p(
                    f"{f.get('rule_id')} · 条款 {', '.join(f.get('clauses') or [])} · 置信度 {conf[0]} {conf[1]} · 归属 owner {owner}{review}",
                    st["small"],
                )
            )
            if f.get("message_zh") or f.get("message_en"):
                message = view.bilingual(
                    view.finding_message_zh(f, report), view.localize_en(f.get("message_en"), report)
                )
                story.append(_p(message, st["small"]))
            for ref in (f.get("evidence") or [])[:MAX_EVIDENCE_PER_FINDING]:
                zh, en = view.evidence_label(ref)
                story.append(_p(f"• {zh} {en}: {view.evidence_text(ref)}", st["small"]))
            if f.get("remediation_zh"):
                story.append(_p(f"整改建议 remediation: {f.get('remediation_zh')}", st["small"]))

    story.append(_p("第三方SDK清单 Third-party SDKs", st["h2"]))
    runtime = view.runtime_only_sdks(report)
    if runtime:
        names = "；".join(f"{view.bilingual(r['name_zh'], r['name_en'])} ({r['id']})" for r in runtime)
        story.append(_p(f"仅运行时观察到（代码中未识别） seen only at run time: {names}", st["body"]))
    sdks = view.code_sdks(report)
    if sdks:
        rows = [["SDK", "厂商 Vendor", "类别 Category", "版本 Version", "个人信息 PI", "可达 Reachable"]]
        for s in sdks:
            cats = ", ".join(view.category_names(c)[0] for c in s.get("pi_categories") or [])
            reach = {True: "是 yes", False: "否 no"}.get(s.get("reachable"), "未知 unknown")
            rows.append(
                [
                    view.bilingual(s.get("name_zh"), s.get("name_en")),
                    s.get("vendor"),
                    s.get("category"),
                    s.get("version") or "—",
                    cats or "—",
                    reach,
                ]
            )
        story.append(_table(rows, [width * r for r in (0.22, 0.22, 0.12, 0.1, 0.22, 0.12)], st))
    else:
        story.append(_p("未识别到第三方SDK。 No SDK recognised.", st["body"]))

    story.append(_p("个人信息调用点（按类别） PI call sites by category", st["h2"]))
    budget = MAX_CALLSITE_ROWS
    for group in view.callsites_by_category(report):
        if budget <= 0:
            note = f"… 其余调用点见JSON/HTML报告（PDF最多列出{MAX_CALLSITE_ROWS}处） more in the JSON/HTML report"
            story.append(_p(note, st["small"]))
            break
        story.append(_p(f"{view.bilingual(group['name_zh'], group['name_en'])} — {group['count']}", st["h3"]))
        rows = [["归属 Owner", "调用者 Caller", "API"]]
        for owner in group["owners"]:
            shown = owner["callsites"][: max(0, min(MAX_CALLSITES_PER_OWNER, budget))]
            budget -= len(shown)
            for cs in shown:
                api = str(cs.get("api") or "")
                if cs.get("excluded_zh"):
                    api = f"{api}（{cs['excluded_zh']}）"
                rows.append([view.bilingual(owner["name_zh"], owner["name_en"]), cs.get("caller"), api])
            extra = len(owner["callsites"]) - len(shown)
            if extra > 0:
                rows.append(
                    [view.bilingual(owner["name_zh"], owner["name_en"]), f"… 另有 {extra} 处 more", ""]
                )
        story.append(_table(rows, [width * 0.18, width * 0.42, width * 0.40], st))

    manifest = report.get("manifest") or {}
    if manifest:
        story.append(_p("权限 Permissions", st["h2"]))
        rows = [["权限 Permission", "类型 Kind", "涉及个人信息 PI"]]
        for p in sorted(
            manifest.get("permissions") or [], key=lambda p: (not p.get("dangerous"), str(p.get("name")))
        ):
            kind = (
                "危险 dangerous"
                if p.get("dangerous")
                else ("特殊 special" if p.get("special") else "普通 normal")
            )
            rows.append(
                [
                    p.get("name"),
                    kind,
                    ", ".join(view.category_names(c)[0] for c in p.get("pi_categories") or []),
                ]
            )
        story.append(_table(rows, [width * 0.45, width * 0.17, width * 0.38], st))
        exported = manifest.get("exported_components") or []
        story.append(_p(f"导出组件 Exported components ({len(exported)})", st["h3"]))
        if exported:
            rows = [["类型 Kind", "组件 Component", "动作 Actions"]]
            for c in exported:
                rows.append([c.get("kind"), c.get("name"), ", ".join(c.get("actions") or [])])
            story.append(_table(rows, [width * 0.15, width * 0.45, width * 0.40], st))

    for key, title in (("policy", "隐私政策 Privacy policy"), ("dynamic", "运行时轨迹 Runtime trace")):
        rows = view.section_overview(report.get(key))
        if rows:
            story.append(_p(title, st["h2"]))
            story.append(_table([list(r) for r in rows], [width * 0.25, width * 0.75], st, header=False))
        elements = (report.get(key) or {}).get("elements") if key == "policy" else None
        if isinstance(elements, Mapping) and elements:
            rows = [["要素 Element", "是否具备 Present"]]
            rows += [
                [view.policy_element_label(name), "是 yes" if (el or {}).get("present") else "否 no"]
                for name, el in elements.items()
            ]
            story.append(_table(rows, [width * 0.5, width * 0.5], st))

    cited = view.cited_clauses(report)
    if cited:
        story.append(_p("条款原文 Clause texts", st["h2"]))
        rows = [["条款 Clause", "出处 Instrument and article", "内容 Text"]]
        for c in cited:
            where = f"{c['instrument_title'] or c['instrument']}\n{c['article_zh']} {c['title_zh']}".strip()
            text = (
                c["text_zh"] or c["text_en"] or c["title_zh"] or "知识库中无此条款 not in the knowledge base"
            )
            if c["text_status"]:
                text += f"（{c['text_status']}）"
            rows.append([c["id"], where, text])
        story.append(_table(rows, [width * 0.14, width * 0.34, width * 0.52], st))

    story.append(_p("未能分析的内容 Not analysed / errors", st["h2"]))
    errors = view.error_rows(report)
    if errors:
        rows = [["阶段 Stage", "对象 Path", "原因 Message"]]
        rows += [[e["stage"], e["path"], e["message"]] for e in errors]
        story.append(_table(rows, [width * 0.12, width * 0.25, width * 0.63], st))
    else:
        story.append(_p("无。 (none)", st["body"]))
    story.append(Spacer(1, 10))
    story.append(
        _p(
            "本报告由自动化检测生成，结论需结合人工复核。 Automated findings; review before enforcement.",
            st["small"],
        )
    )
    return story


def render_pdf(report: Mapping[str, Any], *, font: FontChoice | None = None) -> bytes:
    """The PDF for ``report`` as bytes (A4; ``font`` defaults to :func:`cjk_font`)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    font = font or cjk_font()
    st = _styles(font.name)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"appwarden 检测报告 {view.app_title(report)}",
        author="appwarden",
        subject="App个人信息合规检测报告",
    )

    def _page_number(canvas: Any, doc_: Any) -> None:
        canvas.saveState()
        canvas.setFont(font.name, 7)
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, _for_font(f"appwarden · {doc_.page}", font.name))
        canvas.restoreState()

    doc.build(_story(report, st, doc.width), onFirstPage=_page_number, onLaterPages=_page_number)
    return buf.getvalue()


def write_pdf(report: Mapping[str, Any], path: str | Path) -> Path:
    """Write the PDF report to ``path``; return it."""
    path = Path(path)
    path.write_bytes(render_pdf(report))
    return path
