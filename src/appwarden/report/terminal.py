"""A terminal summary of one report, rendered with ``rich`` (Chinese first, English beside).

:func:`render_summary` writes to a ``rich.console.Console``; on a non-terminal console (a pipe, a file, CI logs) it is
plain text without colour codes. App-controlled strings are never interpreted as rich markup. :func:`summary_text`
returns the same summary as a string (used by tests and by callers that log it).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from appwarden.report import view

SEVERITY_STYLES = {"high": "bold red", "medium": "yellow", "low": "cyan", "info": "dim"}
MAX_CALLSITES_PER_OWNER = 3  # the terminal shows examples; the report files hold every call site
MAX_OWNERS_PER_CATEGORY = 8


def _t(value: Any, style: str = "") -> Text:
    """App data as a Text (no markup interpretation)."""
    return Text("" if value is None else str(value), style=style)


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left", expand=False, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    return table


def _heading(console: Console, zh: str, en: str) -> None:
    console.print()
    console.print(_t(f"■ {zh} {en}", "bold"))


def _app_section(report: Mapping[str, Any], console: Console) -> None:
    app = report.get("app") or {}
    engine = report.get("engine") or {}
    meta = report.get("meta") or {}
    console.print(_t(f"appwarden 检测报告 (scan report): {view.app_title(report)}", "bold"))
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
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in rows:
        if value not in (None, ""):
            table.add_row(_t(key), _t(value))
    for signer in view.signer_rows(report):
        table.add_row(_t("签名者 (signer)"), _t(signer["subject"]))
        table.add_row(_t("  证书SHA-256 (cert sha256)"), _t(signer["sha256"]))
    console.print(table)
    if report.get("packer"):
        console.print(_t("⚠ 应用已加固，静态证据不完整 (packed app: static evidence incomplete)", "yellow"))


def _manifest_section(report: Mapping[str, Any], console: Console) -> None:
    manifest = report.get("manifest")
    if not manifest:
        return
    perms = manifest.get("permissions") or []
    _heading(
        console,
        "权限",
        f"Permissions ({len(perms)}, 危险 dangerous: {sum(1 for p in perms if p.get('dangerous'))})",
    )
    table = _table("", "权限 Permission", "类型 Kind", "涉及个人信息 PI")
    for p in sorted(perms, key=lambda p: (not p.get("dangerous"), not p.get("special"), p.get("name"))):
        if p.get("dangerous"):
            kind, style = "危险 dangerous", "bold red"
        elif p.get("special"):
            kind, style = "特殊 special", "yellow"
        else:
            kind, style = "普通 normal", ""
        cats = ", ".join(view.category_names(c)[0] for c in p.get("pi_categories") or [])
        table.add_row(_t(p.get("name"), style), _t(kind, style), _t(cats))
    console.print(table)
    flags = manifest.get("flags") or {}
    notes = []
    if flags.get("debuggable"):
        notes.append("可调试 debuggable=true")
    if flags.get("allow_backup") is not False:
        notes.append("允许备份 allowBackup" + ("=true" if flags.get("allow_backup") else " (默认 default)"))
    if flags.get("uses_cleartext_traffic"):
        notes.append("允许明文流量 usesCleartextTraffic=true")
    if notes:
        console.print(_t("清单标志 (manifest flags): " + "; ".join(notes), "yellow"))
    exported = manifest.get("exported_components") or []
    _heading(console, "导出组件", f"Exported components ({len(exported)})")
    if exported:
        table = _table("", "类型 Kind", "组件 Component", "权限 Permission", "动作 Actions")
        for c in exported:
            zh, en = view.COMPONENT_LABELS.get(c.get("kind"), (c.get("kind"), c.get("kind")))
            table.add_row(
                _t(f"{zh} {en}"),
                _t(c.get("name")),
                _t(c.get("permission") or "—"),
                _t(", ".join(c.get("actions") or [])),
            )
        console.print(table)


def _callsite_section(report: Mapping[str, Any], console: Console) -> None:
    groups = view.callsites_by_category(report)
    total = sum(g["count"] for g in groups)
    _heading(console, "个人信息调用点", f"PI call sites ({total}), 按类别与归属 by category and owner")
    if not groups:
        console.print(_t("  无 (none)"))
        return
    for group in groups:
        console.print(
            _t(f"  ● {view.bilingual(group['name_zh'], group['name_en'])} — {group['count']}", "bold")
        )
        owners = group["owners"]
        for owner in owners[:MAX_OWNERS_PER_CATEGORY]:
            sites = owner["callsites"]
            console.print(
                _t(f"    {view.bilingual(owner['name_zh'], owner['name_en'])}: {len(sites)}", "cyan")
            )
            for cs in sites[:MAX_CALLSITES_PER_OWNER]:
                console.print(_t(f"      {cs.get('caller')}"))
                console.print(_t(f"        → {cs.get('api')}", "dim"))
            if len(sites) > MAX_CALLSITES_PER_OWNER:
                console.print(_t(f"      … 另有 {len(sites) - MAX_CALLSITES_PER_OWNER} 处 (more)", "dim"))
        if len(owners) > MAX_OWNERS_PER_CATEGORY:
            rest = owners[MAX_OWNERS_PER_CATEGORY:]
            count = sum(len(o["callsites"]) for o in rest)
            console.print(
                _t(f"    … 另有 {len(rest)} 个归属方共 {count} 处 ({len(rest)} more owners)", "dim")
            )


def _sdk_section(report: Mapping[str, Any], console: Console) -> None:
    sdks = report.get("sdks") or []
    _heading(console, "第三方SDK清单", f"Third-party SDKs ({len(sdks)})")
    if not sdks:
        console.print(_t("  无 (none)"))
        return
    table = _table("", "SDK", "厂商 Vendor", "类别 Category", "版本 Version", "个人信息 PI", "可达 Reachable")
    for s in sdks:
        reach = {True: "是 yes", False: "否 no"}.get(s.get("reachable"), "未知 unknown")
        cats = ", ".join(view.category_names(c)[0] for c in s.get("pi_categories") or [])
        table.add_row(
            _t(view.bilingual(s.get("name_zh"), s.get("name_en"))),
            _t(s.get("vendor")),
            _t(s.get("category")),
            _t(s.get("version") or "—"),
            _t(cats or "—"),
            _t(reach),
        )
    console.print(table)


def _findings_section(report: Mapping[str, Any], console: Console) -> None:
    findings = report.get("findings") or []
    if not report.get("rules_evaluated", True):
        _heading(console, "问题", "Findings — 未运行规则 (rules not run)")
        return
    ran = len(report.get("evaluated_rules") or [])
    skipped = len(report.get("not_evaluated") or [])
    _heading(
        console,
        "问题",
        f"Findings ({len(findings)}) · 已运行规则 rules run: {ran}, 未评估 not evaluated: {skipped}",
    )
    if not findings:
        console.print(_t("  未发现问题 (no findings)"))
    else:
        owners = ", ".join(f"{g['name_zh']} {len(g['findings'])}" for g in view.findings_by_owner(report))
        console.print(_t(f"  按归属 (by owner): {owners}"))
    for group in view.findings_by_severity(report):
        style = SEVERITY_STYLES.get(group["severity"], "")
        console.print(_t(f"  [{group['label_zh']} {group['label_en']}] {len(group['findings'])}", style))
        for f in group["findings"]:
            conf = view.CONFIDENCE_LABELS.get(f.get("confidence"), (f.get("confidence"), ""))
            owner = view.owner_names(report, f.get("owner"))
            review = " 需人工复核 needs review" if f.get("needs_review") else ""
            if f.get("engine") and f.get("engine") != "appwarden":
                review += f" | 引擎 engine: {f.get('engine')}"
            console.print(_t(f"    • {view.bilingual(f.get('title_zh'), f.get('title_en'))}", style))
            console.print(
                _t(
                    f"      {f.get('rule_id')} | {', '.join(f.get('clauses') or [])} | {conf[0]} {conf[1]} | "
                    f"归属 owner: {view.bilingual(*owner)}{review}",
                    "dim",
                )
            )
            if f.get("message_zh") or f.get("message_en"):
                console.print(_t(f"      {view.bilingual(f.get('message_zh'), f.get('message_en'))}"))
            for ref in (f.get("evidence") or [])[:3]:
                zh, en = view.evidence_label(ref)
                console.print(_t(f"      - {zh} {en}: {view.evidence_text(ref)}", "dim"))
    missing = report.get("not_evaluated") or []
    if missing:
        console.print(_t(f"  未评估规则 (rules not evaluated): {len(missing)}", "dim"))
        for n in missing:
            console.print(
                _t(f"    {n.get('rule_id')}: 缺少 missing {', '.join(n.get('missing') or [])}", "dim")
            )


def _errors_section(report: Mapping[str, Any], console: Console) -> None:
    errors = report.get("errors") or []
    _heading(console, "未能分析", f"Not analysed / errors ({len(errors)})")
    if not errors:
        console.print(_t("  无 (none)"))
    for e in errors:
        where = f" [{e.get('path')}]" if e.get("path") else ""
        console.print(_t(f"  {e.get('stage')}{where}: {e.get('message')}", "yellow"))


def render_summary(report: Mapping[str, Any], console: Console | None = None) -> None:
    """Print the summary of ``report`` on ``console`` (a new stdout console when ``None``)."""
    console = console or Console()
    _app_section(report, console)
    _manifest_section(report, console)
    _callsite_section(report, console)
    _sdk_section(report, console)
    _findings_section(report, console)
    _errors_section(report, console)


def summary_text(report: Mapping[str, Any], *, width: int = 120) -> str:
    """The summary as plain text (no colour codes), as a non-terminal console would print it."""
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=False, color_system=None, width=width, no_color=True)
    render_summary(report, console)
    return buf.getvalue()
