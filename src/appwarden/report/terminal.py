"""A terminal summary of one report (Chinese first, English beside).

The sections are written once, against a small output interface (``line``, ``blank``, ``table``); two back ends
render them: ``rich`` on a terminal (colours, tables folded to the width) and plain text everywhere else (a pipe, a
file, CI logs, the ``text`` report format). The plain back end needs no ``rich`` import, which keeps the start-up of
a scripted ``appwarden scan`` short. App-controlled strings are never interpreted as markup by either, and every
value passes through :func:`appwarden.report.sanitize.terminal_text` (escape sequences and control characters
removed, line breaks flattened) before either back end prints it.

:func:`render_summary` prints with ``rich`` when given a console, or when stdout is a terminal; else plain text.
:func:`summary_text` returns the plain text (tests, the ``text`` format, callers that log it).
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from appwarden.report import view
from appwarden.report.sanitize import terminal_text

SEVERITY_STYLES = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
MAX_CALLSITES_PER_OWNER = 3  # the terminal shows examples; the report files hold every call site
MAX_OWNERS_PER_CATEGORY = 8

Cell = tuple[Any, str]  # (value, rich style)


def _str(value: Any) -> str:
    """Any value as one safe line of terminal text (app labels, SDK names and policy text are hostile input)."""
    return terminal_text(value)


def _width(text: str) -> int:
    """Display width in a terminal: East Asian wide and fullwidth characters take two columns."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _PlainOut:
    """Plain-text back end: aligned columns, no colour, no wrapping."""

    def __init__(self, file: TextIO) -> None:
        self.file = file

    def line(self, text: Any, style: str = "") -> None:
        self.file.write(_str(text) + "\n")

    def blank(self) -> None:
        self.file.write("\n")

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[Cell]], *, header: bool = True) -> None:
        cells = [[_str(v) for v, _style in row] for row in rows]
        head = [list(columns)] if header else []
        widths = [max((_width(r[i]) for r in head + cells), default=0) for i in range(len(columns))]
        indent = "  " if header else ""

        def fmt(row: Sequence[str]) -> str:
            parts = [c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)]
            return (indent + "  ".join(parts)).rstrip()

        if header:
            self.file.write(fmt(columns) + "\n")
            self.file.write(indent + "  ".join("━" * w for w in widths) + "\n")
        for row in cells:
            self.file.write(fmt(row) + "\n")


class _RichOut:
    """``rich`` back end (imported only when used)."""

    def __init__(self, console: Any) -> None:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        self.console, self._box, self._table, self._text = console, box, Table, Text

    def line(self, text: Any, style: str = "") -> None:
        self.console.print(self._text(_str(text), style=style))

    def blank(self) -> None:
        self.console.print()

    def table(self, columns: Sequence[str], rows: Sequence[Sequence[Cell]], *, header: bool = True) -> None:
        if header:
            table = self._table(box=self._box.SIMPLE_HEAVY, expand=False, show_lines=False)
        else:
            table = self._table(box=None, show_header=False, pad_edge=False)
        for col in columns:
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(*(self._text(_str(v), style=style) for v, style in row))
        self.console.print(table)


_Out = _PlainOut | _RichOut


def _heading(out: _Out, zh: str, en: str) -> None:
    out.blank()
    out.line(f"■ {zh} {en}", "bold")


def _app_section(report: Mapping[str, Any], out: _Out) -> None:
    app = report.get("app") or {}
    engine = report.get("engine") or {}
    meta = report.get("meta") or {}
    out.line(f"appwarden 检测报告 (scan report): {view.app_title(report)}", "bold")
    rows = [
        ("应用名称 (label)", app.get("label")),
        ("包名 (package)", app.get("package")),
        ("版本 (version)", f"{app.get('version_name') or '?'} ({app.get('version_code') or '?'})"),
        ("SDK范围 (min/target SDK)", f"{app.get('min_sdk')}/{app.get('target_sdk')}"),
        ("SHA-256", app.get("sha256")),
        ("签名方案 (signing schemes)", ", ".join(app.get("signing_schemes") or []) or "—"),
        ("应用来源 (source)", meta.get("source")),
        ("应用开发者 (developer)", meta.get("developer")),
        ("加固 (packer)", (report.get("packer") or {}).get("name")),
        (
            "引擎 (engine)",
            f"{engine.get('name')} {engine.get('version')} rules {engine.get('rules_version')}",
        ),
    ]
    cells: list[list[Cell]] = [[(key, "bold"), (value, "")] for key, value in rows if value not in (None, "")]
    for signer in view.signer_rows(report):
        cells.append([("签名者 (signer)", "bold"), (signer["subject"], "")])
        cells.append([("  证书SHA-256 (cert sha256)", "bold"), (signer["sha256"], "")])
    lineage = app.get("signing_lineage") or []
    if lineage:
        chain = " → ".join(str(c.get("subject")) for c in lineage)
        state = {True: "已验证 verified", False: "验证失败 NOT verified"}.get(
            app.get("signing_lineage_verified"), "未验证 not verified"
        )
        cells.append([("密钥轮换 (key rotation)", "bold"), (f"{chain} ({state})", "")])
    out.table(("", ""), cells, header=False)
    if report.get("packer"):
        out.line("⚠ 应用已加固，静态证据不完整 (packed app: static evidence incomplete)", "yellow")
    _screening_line(report, out)


def _screening_line(report: Mapping[str, Any], out: _Out) -> None:
    """One line: the 不良APP screening verdict, its categories and the indicators that fired."""
    from appwarden.screening.model import CATEGORY_NAMES_ZH, VERDICT_NAMES_ZH

    section = report.get("screening")
    if not isinstance(section, Mapping):
        return
    verdict = str(section.get("verdict") or "none")
    cats = ", ".join(f"{CATEGORY_NAMES_ZH.get(str(c), c)} {c}" for c in section.get("categories") or [])
    ids = ", ".join(str(i.get("id")) for i in (section.get("indicators") or [])[:6] if isinstance(i, Mapping))
    text = f"不良APP筛查 (screening): {VERDICT_NAMES_ZH.get(verdict, verdict)} {verdict}"
    if section.get("score") is not None:
        text += f" (score {section.get('score')})"
    if cats:
        text += f" · {cats}"
    if ids:
        text += f" · {ids}"
    if section.get("evaluated") is False:
        text += " · 未筛查 not screened"
    out.line(text, {"harmful": "bold red", "suspicious": "yellow"}.get(verdict, ""))


def _manifest_section(report: Mapping[str, Any], out: _Out) -> None:
    manifest = report.get("manifest")
    if not manifest:
        return
    perms = manifest.get("permissions") or []
    _heading(
        out,
        "权限",
        f"Permissions ({len(perms)}, 危险 dangerous: {sum(1 for p in perms if p.get('dangerous'))})",
    )
    rows: list[list[Cell]] = []
    for p in sorted(perms, key=lambda p: (not p.get("dangerous"), not p.get("special"), p.get("name"))):
        if p.get("dangerous"):
            kind, style = "危险 dangerous", "bold red"
        elif p.get("special"):
            kind, style = "特殊 special", "yellow"
        else:
            kind, style = "普通 normal", ""
        cats = ", ".join(view.category_names(c)[0] for c in p.get("pi_categories") or [])
        rows.append([(p.get("name"), style), (kind, style), (cats, "")])
    out.table(("权限 Permission", "类型 Kind", "涉及个人信息 PI"), rows)
    flags = manifest.get("flags") or {}
    notes = []
    if flags.get("debuggable"):
        notes.append("可调试 debuggable=true")
    if flags.get("allow_backup") is not False:
        notes.append("允许备份 allowBackup" + ("=true" if flags.get("allow_backup") else " (默认 default)"))
    nsc = flags.get("network_security")
    if nsc:
        if nsc.get("cleartext_permitted"):
            notes.append(f"网络安全配置允许明文 cleartext permitted ({nsc.get('path')})")
        else:
            clear = [d["domain"] for d in nsc.get("domains") or [] if d.get("cleartext_permitted")]
            if clear:
                notes.append(
                    f"明文域名 cleartext domains: {', '.join(clear[:5])}" + (" …" if len(clear) > 5 else "")
                )
        if nsc.get("user_ca_trusted") or nsc.get("debug_overrides_user_ca"):
            notes.append("信任用户CA证书 user CAs trusted")
    elif flags.get("uses_cleartext_traffic"):
        notes.append("允许明文流量 usesCleartextTraffic=true")
    if notes:
        out.line("清单标志 (manifest flags): " + "; ".join(notes), "yellow")
    exported = manifest.get("exported_components") or []
    _heading(out, "导出组件", f"Exported components ({len(exported)})")
    if exported:
        rows = []
        for c in exported:
            zh, en = view.COMPONENT_LABELS.get(c.get("kind"), (c.get("kind"), c.get("kind")))
            rows.append(
                [
                    (f"{zh} {en}", ""),
                    (c.get("name"), ""),
                    (c.get("permission") or "—", ""),
                    (", ".join(c.get("actions") or []), ""),
                ]
            )
        out.table(("类型 Kind", "组件 Component", "权限 Permission", "动作 Actions"), rows)


def _callsite_section(report: Mapping[str, Any], out: _Out) -> None:
    groups = view.callsites_by_category(report)
    total = sum(g["count"] for g in groups)
    _heading(out, "个人信息调用点", f"PI call sites ({total}), 按类别与归属 by category and owner")
    if not groups:
        out.line("  无 (none)")
        return
    for group in groups:
        out.line(f"  ● {view.bilingual(group['name_zh'], group['name_en'])} — {group['count']}", "bold")
        if group.get("excluded"):
            out.line(
                f"    其中 {group['excluded']} 处未计入任何发现 ({group['excluded']} counted in no finding; see below)",
                "dim",
            )
        owners = group["owners"]
        for owner in owners[:MAX_OWNERS_PER_CATEGORY]:
            sites = owner["callsites"]
            out.line(f"    {view.bilingual(owner['name_zh'], owner['name_en'])}: {len(sites)}", "cyan")
            for cs in sites[:MAX_CALLSITES_PER_OWNER]:
                out.line(f"      {cs.get('caller')}")
                out.line(f"        → {cs.get('api')}", "dim")
                if cs.get("excluded_zh"):
                    out.line(f"        ({cs['excluded_zh']})", "dim")
            if len(sites) > MAX_CALLSITES_PER_OWNER:
                out.line(f"      … 另有 {len(sites) - MAX_CALLSITES_PER_OWNER} 处 (more)", "dim")
        if len(owners) > MAX_OWNERS_PER_CATEGORY:
            rest = owners[MAX_OWNERS_PER_CATEGORY:]
            count = sum(len(o["callsites"]) for o in rest)
            out.line(f"    … 另有 {len(rest)} 个归属方共 {count} 处 ({len(rest)} more owners)", "dim")


def _sdk_section(report: Mapping[str, Any], out: _Out) -> None:
    sdks = view.code_sdks(report)
    runtime = view.runtime_only_sdks(report)
    _heading(out, "第三方SDK清单", f"Third-party SDKs ({len(sdks) + len(runtime)})")
    if runtime:
        names = "、".join(view.bilingual(r["name_zh"], r["name_en"]) for r in runtime)
        out.line(f"  仅运行时观察到 (seen only at run time, not found in the code): {names}")
    if not sdks:
        out.line("  无 (none)" if not runtime else "  代码中未识别到SDK (none found in the code)")
        return
    rows: list[list[Cell]] = []
    for s in sdks:
        reach = {True: "是 yes", False: "否 no"}.get(s.get("reachable"), "未知 unknown")
        cats = ", ".join(view.category_names(c)[0] for c in s.get("pi_categories") or [])
        rows.append(
            [
                (view.bilingual(s.get("name_zh"), s.get("name_en")), ""),
                (s.get("vendor"), ""),
                (s.get("category"), ""),
                (s.get("version") or "—", ""),
                (cats or "—", ""),
                (reach, ""),
            ]
        )
    out.table(("SDK", "厂商 Vendor", "类别 Category", "版本 Version", "个人信息 PI", "可达 Reachable"), rows)


def _notice_lines(report: Mapping[str, Any], out: _Out) -> None:
    """What the 通报 table (``--format notice-csv/xlsx``) will say: the problem types of the confirmed findings, and
    those that only likely/possible findings show (to review before they can be notified). An empty table is then
    never read as a clean app."""
    from appwarden.errors import KnowledgeError
    from appwarden.report.notice import notice_status

    try:
        confirmed, pending = notice_status(report)
    except KnowledgeError:  # a report from another knowledge base: the notice export reports that itself
        return
    listed = "；".join(confirmed) if confirmed else "无 (none: no finding with a 通报 type is confirmed)"
    out.line(f"  通报问题类型 (notice table, confirmed findings only): {listed}")
    if pending:
        out.line(f"  待人工复核后方可列入通报 (to review first, likely/possible): {'；'.join(pending)}")


def _findings_section(report: Mapping[str, Any], out: _Out) -> None:
    findings = report.get("findings") or []
    if not report.get("rules_evaluated", True):
        _heading(out, "问题", "Findings — 未运行规则 (rules not run)")
        return
    ran = len(report.get("evaluated_rules") or [])
    skipped = len(report.get("not_evaluated") or [])
    _heading(
        out,
        "问题",
        f"Findings ({len(findings)}) · 已运行规则 rules run: {ran}, 未评估 not evaluated: {skipped}",
    )
    if not findings:
        out.line("  未发现问题 (no findings)")
    else:
        owners = ", ".join(f"{g['name_zh']} {len(g['findings'])}" for g in view.findings_by_owner(report))
        out.line(f"  按归属 (by owner): {owners}")
        _notice_lines(report, out)
    for group in view.findings_by_severity(report):
        style = SEVERITY_STYLES.get(group["severity"], "")
        out.line(f"  [{group['label_zh']} {group['label_en']}] {len(group['findings'])}", style)
        for f in group["findings"]:
            conf = view.CONFIDENCE_LABELS.get(f.get("confidence"), (f.get("confidence"), ""))
            owner = view.owner_names(report, f.get("owner"))
            review = " 需人工复核 needs review" if f.get("needs_review") else ""
            if f.get("engine") and f.get("engine") != "appwarden":
                review += f" | 引擎 engine: {f.get('engine')}"
            out.line(f"    • {view.bilingual(f.get('title_zh'), f.get('title_en'))}", style)
            out.line(
                f"      {f.get('rule_id')} | {', '.join(f.get('clauses') or [])} | {conf[0]} {conf[1]} | "
                f"归属 owner: {view.bilingual(*owner)}{review}",
                "dim",
            )
            if f.get("message_zh") or f.get("message_en"):
                message = view.bilingual(
                    view.finding_message_zh(f, report), view.localize_en(f.get("message_en"), report)
                )
                out.line(f"      {message}")
            evidence = f.get("evidence") or []
            for ref in evidence[:3]:
                zh, en = view.evidence_label(ref)
                out.line(f"      - {zh} {en}: {view.evidence_text(ref)}", "dim")
            if len(evidence) > 3:  # e.g. the runtime events of a merged finding: say they exist
                kinds = "、".join(dict.fromkeys(view.evidence_label(r)[0] for r in evidence[3:]))
                out.line(
                    f"      … 另有 {len(evidence) - 3} 项证据（{kinds}），见JSON/HTML报告 (more evidence)",
                    "dim",
                )
    missing = report.get("not_evaluated") or []
    if missing:
        out.line(f"  未评估规则 (rules not evaluated): {len(missing)}", "dim")
        for n in missing:
            out.line(f"    {n.get('rule_id')}: 缺少 missing {', '.join(n.get('missing') or [])}", "dim")


def _errors_section(report: Mapping[str, Any], out: _Out) -> None:
    errors = report.get("errors") or []
    _heading(out, "未能分析", f"Not analysed / errors ({len(errors)})")
    if not errors:
        out.line("  无 (none)")
    for e in errors:
        where = f" [{e.get('path')}]" if e.get("path") else ""
        out.line(f"  {e.get('stage')}{where}: {e.get('message')}", "yellow")


_SECTIONS = (
    _app_section,
    _manifest_section,
    _callsite_section,
    _sdk_section,
    _findings_section,
    _errors_section,
)


def _render(report: Mapping[str, Any], out: _Out) -> None:
    for section in _SECTIONS:
        section(report, out)


def render_summary(report: Mapping[str, Any], console: Any = None, *, file: TextIO | None = None) -> None:
    """Print the summary of ``report``: on ``console`` (a ``rich.console.Console``) when given; else on ``file``
    (default stdout) with ``rich`` when it is a terminal and as plain text when it is not."""
    if console is None:
        stream = file if file is not None else sys.stdout
        isatty = getattr(stream, "isatty", None)
        if not (isatty is not None and isatty()):
            _render(report, _PlainOut(stream))
            return
        from rich.console import Console

        console = Console(file=stream, highlight=False)
    _render(report, _RichOut(console))


def summary_text(report: Mapping[str, Any], *, width: int = 120) -> str:
    """The summary as plain text (what a pipe or file gets). ``width`` is accepted for compatibility; plain
    text is not wrapped."""
    import io

    buf = io.StringIO()
    _render(report, _PlainOut(buf))
    return buf.getvalue()
