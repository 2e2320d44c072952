"""Read-only views over a report dict shared by the renderers (terminal, HTML, PDF): bilingual labels and the
groupings users ask for (call sites by PI category then owner, findings by severity / clause / owner).

Everything here takes the report dict only (never engine objects) and tolerates missing optional sections, so a
report written by an older or newer engine still renders.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

SEVERITY_ORDER = ("high", "medium", "low", "info")
SEVERITY_LABELS = {
    "high": ("高危", "High"),
    "medium": ("中危", "Medium"),
    "low": ("低危", "Low"),
    "info": ("提示", "Info"),
}
CONFIDENCE_LABELS = {
    "confirmed": ("已确认", "Confirmed"),
    "likely": ("很可能", "Likely"),
    "possible": ("可能", "Possible"),
}
COMPONENT_LABELS = {
    "activity": ("活动", "Activity"),
    "activity-alias": ("活动别名", "Activity alias"),
    "service": ("服务", "Service"),
    "receiver": ("广播接收器", "Receiver"),
    "provider": ("内容提供器", "Provider"),
}
EVIDENCE_LABELS = {
    "callsite": ("调用点", "Call site"),
    "permission": ("权限", "Permission"),
    "component": ("组件", "Component"),
    "manifest": ("清单属性", "Manifest"),
    "sdk": ("第三方SDK", "SDK"),
    "string": ("字符串", "String"),
    "policy": ("隐私政策语句", "Policy sentence"),
    "trace": ("运行时事件", "Trace event"),
    "network": ("网络请求", "Network"),
    "constant": ("常量", "Constant"),
}
HOST_LABEL = ("应用自身", "host app")


def bilingual(zh: str | None, en: str | None) -> str:
    """``"中文 (English)"``; either part alone when the other is missing or identical."""
    zh, en = (zh or "").strip(), (en or "").strip()
    if zh and en and zh != en:
        return f"{zh} ({en})"
    return zh or en


@lru_cache(maxsize=1)
def _categories() -> dict[str, dict[str, Any]]:
    from appwarden.errors import KnowledgeError
    from appwarden.knowledge import pi_categories

    try:
        return pi_categories()
    except KnowledgeError:
        return {}


def category_names(key: str) -> tuple[str, str]:
    """(name_zh, name_en) of a PI category key; the key itself when unknown."""
    record = _categories().get(key) or {}
    return str(record.get("name_zh") or key), str(record.get("name_en") or key)


@lru_cache(maxsize=1)
def clause_titles() -> dict[str, str]:
    """Clause id -> short Chinese title, from ``knowledge/regulations.yaml`` (when present) and the 通报 map."""
    from appwarden.errors import KnowledgeError
    from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml

    titles: dict[str, str] = {}
    try:
        from appwarden.report.notice import problem_types

        titles.update({k: v["name_zh"] for k, v in problem_types().items()})
    except KnowledgeError:
        pass
    path = KNOWLEDGE_DIR / "regulations.yaml"
    if path.is_file():
        try:
            data = load_yaml(path)
        except KnowledgeError:
            data = None
        items = data.get("items", data.get("clauses")) if isinstance(data, dict) else data
        if isinstance(items, dict):
            items = [{"id": k, **(v if isinstance(v, dict) else {"title": v})} for k, v in items.items()]
        for item in items or []:
            if isinstance(item, dict) and item.get("id"):
                title = item.get("title_zh") or item.get("title") or ""
                if title:
                    titles[str(item["id"])] = str(title)
    return titles


def sdk_index(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """SDK id -> its row in the report's SDK list."""
    return {str(s.get("id")): s for s in report.get("sdks") or [] if isinstance(s, Mapping)}


def owner_names(report: Mapping[str, Any], owner: str | None) -> tuple[str, str]:
    """(zh, en) display names of an owner: the host app, or an SDK by its names in the report."""
    if not owner or owner == "host":
        return HOST_LABEL
    sdk = sdk_index(report).get(owner)
    if sdk is None:
        return owner, owner
    return str(sdk.get("name_zh") or owner), str(sdk.get("name_en") or owner)


def owner_sort_key(owner: str) -> tuple[int, str]:
    return (0 if owner == "host" else 1, owner)


def callsites_by_category(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Call sites grouped by PI category, then by owner (host first, then SDKs by number of call sites):
    ``[{category, name_zh, name_en, count, owners: [{owner, name_zh, name_en, callsites: [...]}]}]``, biggest
    category first."""
    groups: dict[str, dict[str, list[Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for cs in report.get("callsites") or []:
        groups[str(cs.get("category"))][str(cs.get("owner") or "host")].append(cs)
    out = []
    for category, owners in groups.items():
        zh, en = category_names(category)
        owner_rows = []
        for owner in sorted(owners, key=lambda o: (o != "host", -len(owners[o]), o)):
            ozh, oen = owner_names(report, owner)
            owner_rows.append({"owner": owner, "name_zh": ozh, "name_en": oen, "callsites": owners[owner]})
        out.append(
            {
                "category": category,
                "name_zh": zh,
                "name_en": en,
                "count": sum(len(v) for v in owners.values()),
                "owners": owner_rows,
            }
        )
    out.sort(key=lambda g: (-g["count"], g["category"]))
    return out


def findings_by_severity(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``[{severity, label_zh, label_en, findings}]`` in high→info order, empty severities left out."""
    buckets: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for f in report.get("findings") or []:
        buckets[str(f.get("severity"))].append(f)
    order = list(SEVERITY_ORDER) + sorted(k for k in buckets if k not in SEVERITY_ORDER)
    out = []
    for sev in order:
        if buckets.get(sev):
            zh, en = SEVERITY_LABELS.get(sev, (sev, sev))
            out.append({"severity": sev, "label_zh": zh, "label_en": en, "findings": buckets[sev]})
    return out


INSTRUMENT_ORDER = ("RD", "M337", "M164", "M26", "N39", "CH", "GB35273", "GB41391")


def clause_sort_key(clause: str) -> tuple[int, list[Any]]:
    """Legal instruments first (认定方法, 337, 164, 26, 39类, 儿童), national standards after, then natural order."""
    prefix = clause.split("-", 1)[0]
    rank = INSTRUMENT_ORDER.index(prefix) if prefix in INSTRUMENT_ORDER else len(INSTRUMENT_ORDER)
    return rank, [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", clause)]


def findings_by_clause(report: Mapping[str, Any], *, primary_only: bool = True) -> list[dict[str, Any]]:
    """``[{clause, title_zh, findings}]`` ordered by :func:`clause_sort_key`. With ``primary_only`` each finding is
    listed once, under its first clause (the rule's main clause; the others stay on the finding); otherwise under
    every clause it cites. Findings without clauses are listed under ``"—"``."""
    buckets: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for f in report.get("findings") or []:
        clauses = [str(c) for c in f.get("clauses") or []] or ["—"]
        for clause in clauses[:1] if primary_only else clauses:
            buckets[clause].append(f)
    titles = clause_titles()
    return [
        {"clause": c, "title_zh": titles.get(c, ""), "findings": buckets[c]}
        for c in sorted(buckets, key=clause_sort_key)
    ]


def clause_index(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every clause the findings cite: ``[{clause, title_zh, count, rule_ids}]`` (rule ids deduplicated)."""
    groups = findings_by_clause(report, primary_only=False)
    out = []
    for g in groups:
        rule_ids = list(dict.fromkeys(str(f.get("rule_id")) for f in g["findings"]))
        out.append(
            {
                "clause": g["clause"],
                "title_zh": g["title_zh"],
                "count": len(g["findings"]),
                "rule_ids": rule_ids,
            }
        )
    return out


def findings_by_owner(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``[{owner, name_zh, name_en, findings}]``, host first."""
    buckets: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for f in report.get("findings") or []:
        buckets[str(f.get("owner") or "host")].append(f)
    out = []
    for owner in sorted(buckets, key=owner_sort_key):
        zh, en = owner_names(report, owner)
        out.append({"owner": owner, "name_zh": zh, "name_en": en, "findings": buckets[owner]})
    return out


def evidence_text(ref: Mapping[str, Any]) -> str:
    """A one-line plain-text description of an evidence reference (for terminal, PDF and SARIF messages)."""
    kind = str(ref.get("type", ""))
    if kind == "callsite":
        text = f"{ref.get('caller')} → {ref.get('api')}"
        if ref.get("category"):
            text += f" [{ref.get('category')}]"
        return text
    if kind == "permission":
        return str(ref.get("name"))
    if kind == "component":
        state = " exported" if ref.get("exported") else ""
        return f"{ref.get('kind', '')} {ref.get('name')}{state}".strip()
    if kind == "manifest":
        text = f"{ref.get('attribute')}={ref.get('value')}"
        domains = ref.get("domains")
        if isinstance(domains, list) and domains:
            text += f" [{', '.join(str(d) for d in domains)}]"
        if ref.get("file"):
            text += f" ({ref.get('file')})"
        if ref.get("note"):
            text += f"; {ref.get('note')}"
        return text
    if kind == "sdk":
        return bilingual(ref.get("name_zh"), ref.get("name_en")) or str(ref.get("id"))
    if kind == "string":
        return f'{ref.get("caller")}: "{ref.get("value")}"'
    if kind == "policy":
        where = f" [{ref.get('start')}–{ref.get('end')}]" if ref.get("start") is not None else ""
        return f"“{ref.get('sentence')}”{where}"
    if kind == "trace":
        parts = [f"t={ref.get('ts')}", str(ref.get("event"))]
        if ref.get("api"):
            parts.append(str(ref.get("api")))
        return " ".join(parts)
    if kind == "network":
        return f"{ref.get('host')}{ref.get('path') or ''}"
    if kind == "constant":
        return f"{ref.get('caller')}: {ref.get('value')} ({ref.get('meaning')})"
    rest = {k: v for k, v in ref.items() if k != "type"}
    return f"{kind}: {rest}"


def evidence_label(ref: Mapping[str, Any]) -> tuple[str, str]:
    kind = str(ref.get("type", ""))
    return EVIDENCE_LABELS.get(kind, (kind, kind))


def signer_rows(report: Mapping[str, Any]) -> list[dict[str, str]]:
    """The app's signer certificates as ``{subject, issuer, sha256, schemes}`` strings."""
    rows = []
    for s in (report.get("app") or {}).get("signers") or []:
        rows.append(
            {
                "subject": str(s.get("subject", "")),
                "issuer": str(s.get("issuer", "")),
                "sha256": str(s.get("sha256", "")),
                "schemes": ", ".join(s.get("schemes") or []),
            }
        )
    return rows


def app_title(report: Mapping[str, Any]) -> str:
    """The app's display name: label, else package, else its sha256 prefix."""
    app = report.get("app") or {}
    return str(app.get("label") or app.get("package") or (app.get("sha256") or "?")[:12])


def section_overview(section: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Key/value rows summarising a generic section (``policy``, ``dynamic``): scalars as they are, lists and
    mappings by their size, nested consent-like mappings of scalars inline. Long values are cut at 200 chars."""
    if not section:
        return []
    rows = []
    for key, value in section.items():
        if isinstance(value, list):
            text = f"{len(value)} 项 items"
        elif isinstance(value, Mapping):
            if value and all(isinstance(v, str | int | float | bool) or v is None for v in value.values()):
                text = ", ".join(f"{k}={v}" for k, v in value.items())
            else:
                text = f"{len(value)} 项 items"
        else:
            text = "" if value is None else str(value)
        rows.append((str(key), text[:200]))
    return rows
