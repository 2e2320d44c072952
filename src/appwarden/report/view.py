"""Read-only views over a report dict shared by the renderers (terminal, HTML, PDF): bilingual labels and the
groupings users ask for (call sites by PI category then owner, findings by severity / clause / owner).

Everything here takes the report dict only (never engine objects) and tolerates missing optional sections, so a
report written by an older or newer engine still renders.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
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
    "consent": ("同意判断", "Consent check"),
}
CONSENT_LABELS = {  # the consent section: behaviours, verdicts and gate kinds
    "pre_consent": ("同意前收集", "before consent"),
    "after_refusal": ("拒绝后收集", "after refusal"),
    "confirmed": ("已确认", "confirmed"),
    "likely": ("很可能", "likely"),
    "possible": ("可能", "possible"),
    "gated": ("已有同意判断（不构成问题）", "gated: no finding"),
    "inline": ("方法内判断同意标志", "branch on the flag"),
    "helper": ("经辅助方法判断同意标志", "branch on a helper returning the flag"),
    "sdk_contract": ("SDK厂商合规接口", "vendor compliance API"),
    "path": ("路径", "path"),
}
CONSENT_VERDICTS = {
    "ungated": ("调用路径上没有同意判断", "no consent check on the path"),
    "unsure": ("未能判断是否有同意判断", "consent check not evaluated"),
    "after_refusal": ("拒绝后仍可到达", "reached after refusal"),
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
    except (KnowledgeError, ImportError, AttributeError):  # the 通报 map is optional here
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


TEXT_STATUS_LABELS = (
    ("draft-verbatim", "征求意见稿原文"),
    ("verbatim (scenario", "原文（检测场景）"),
    ("verbatim fragment", "原文节选"),
    ("verbatim", "原文"),
    ("summary (English", "英文摘要"),
    ("summary", "摘要，非原文"),
)


@lru_cache(maxsize=1)
def _clause_knowledge() -> tuple[
    dict[str, dict[str, Any]], dict[str, dict[str, Any]], dict[str, dict[str, Any]]
]:
    """(items of regulations.yaml by id, instruments by key (with the GB/T standards split), clause_texts.yaml by
    id); empty mappings when a file is missing or malformed (the renderers then show the bare ID)."""
    from appwarden.errors import KnowledgeError
    from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml

    items: dict[str, dict[str, Any]] = {}
    instruments: dict[str, dict[str, Any]] = {}
    texts: dict[str, dict[str, Any]] = {}
    try:
        data = load_yaml(KNOWLEDGE_DIR / "regulations.yaml")
        for item in data.get("items") or []:
            items[str(item["id"])] = item
        for inst in data.get("instruments") or []:
            instruments[str(inst["key"])] = inst
    except (KnowledgeError, AttributeError, KeyError, TypeError):
        pass
    try:
        data = load_yaml(KNOWLEDGE_DIR / "clause_texts.yaml")
        texts = dict(data.get("clauses") or {})
        instruments.update({str(k): dict(v) for k, v in (data.get("standards") or {}).items()})
    except (KnowledgeError, AttributeError, TypeError):
        pass
    return items, instruments, texts


# "(item 1)", "(new in 2020)", "（个保法第28、31条）" in short titles (the article is shown on its own)
_ASCII_NOTE = re.compile(r"\s*(?:\((?:[A-Za-z][^)]*|item \d+)\)|（个保法[^）]*）)")


def clause_info(clause: str) -> dict[str, Any]:
    """Everything a reader needs to understand one clause ID, in Chinese first:
    ``{id, known, instrument (short name, e.g. 认定方法), instrument_title (full title with document number),
    article_zh (e.g. 一、第1项), title_zh, title_en, text_zh, text_en, text_status (zh label)}``.
    An unknown ID gives ``known: False`` and empty strings (never an exception)."""
    clause = str(clause)
    items, instruments, texts = _clause_knowledge()
    item = items.get(clause) or {}
    text = texts.get(clause) or {}
    key = str(item.get("instrument") or "")
    for prefix, standard in (("GB35273-", "GB35273"), ("GB41391-", "GB41391"), ("CH-P", "PIPL")):
        if clause.startswith(prefix) and standard in instruments:
            key = standard
    inst = instruments.get(key) or {}
    status = str(text.get("text_status") or "")
    status_zh = next((zh for prefix, zh in TEXT_STATUS_LABELS if status.startswith(prefix)), status)
    article = str(text.get("article_zh") or "")
    title = _ASCII_NOTE.sub("", str(item.get("title_zh") or "")).strip()
    if article and title.startswith(article.split("、")[-1]):
        title = title[len(article.split("、")[-1]) :].strip(" /")
    return {
        "id": clause,
        "known": bool(item),
        "instrument": str(inst.get("name_zh") or ""),
        "instrument_title": str(inst.get("title") or ""),
        "article_zh": article,
        "title_zh": title,
        "title_en": str(item.get("title_en") or ""),
        "text_zh": str(text.get("text_zh") or ""),
        "text_en": str(text.get("text_en") or ""),
        "text_status": status_zh,
    }


def clause_label(clause: str) -> str:
    """A short Chinese label: ``认定方法 一、第1项 无隐私政策 / 无收集使用规则``; the bare ID when unknown."""
    info = clause_info(clause)
    if not info["known"]:
        return info["id"]
    return " ".join(p for p in (info["instrument"], info["article_zh"], info["title_zh"]) if p)


def clause_explanation(clause: str) -> str:
    """One paragraph for a tooltip or footnote: full instrument title, article, and the wording (its status in
    brackets); the short title when no wording is recorded."""
    info = clause_info(clause)
    if not info["known"]:
        return f"{info['id']}：知识库中无此条款 (clause not in the knowledge base)"
    head = " ".join(p for p in (info["instrument_title"] or info["instrument"], info["article_zh"]) if p)
    body = info["text_zh"] or info["title_zh"] or info["article_zh"]
    if info["text_en"] and not info["text_zh"]:
        body = f"{info['title_zh']}（{info['text_status']}：{info['text_en']}）"
    elif info["text_status"] and info["text_zh"]:
        body = f"{body}（{info['text_status']}）"
    return f"{head}：{body}"


def cited_clauses(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """:func:`clause_info` of every clause the report's findings cite, in :func:`clause_sort_key` order, each with
    ``label`` and ``explanation`` added (for a footnote list)."""
    ids = {str(c) for f in report.get("findings") or [] for c in f.get("clauses") or []}
    out = []
    for cid in sorted(ids, key=clause_sort_key):
        info = clause_info(cid)
        info["label"] = clause_label(cid)
        info["explanation"] = clause_explanation(cid)
        out.append(info)
    return out


@lru_cache(maxsize=1)
def _kb_names() -> dict[str, tuple[str, str]]:
    """SDK id -> (name_zh, name_en) from the SDK knowledge base (empty when it cannot be read)."""
    from appwarden.errors import KnowledgeError

    try:
        from appwarden.sdk.kb import load_kb

        return {r.id: (r.name_zh or r.id, r.name_en or r.id) for r in load_kb()}
    except (KnowledgeError, OSError, ImportError):
        return {}


def sdk_names(sdk_id: str, report: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """(name_zh, name_en) of an SDK id: from the report's SDK list, else the SDK knowledge base, else the id."""
    row = sdk_index(report).get(sdk_id) if report is not None else None
    if row is not None and (row.get("name_zh") or row.get("name_en")):
        return str(row.get("name_zh") or row.get("name_en")), str(row.get("name_en") or row.get("name_zh"))
    return _kb_names().get(sdk_id, (sdk_id, sdk_id))


_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
_ID_TOKEN = re.compile(r"(?<![\w./$-])([a-z][a-z0-9]*(?:_[a-z0-9]+)*)(?![\w./$-])")


def localize_zh(text: Any, report: Mapping[str, Any] | None = None) -> str:
    """A Chinese sentence with the SDK ids in it (``第三方SDK（alibaba_utdid）``) replaced by the SDKs' Chinese
    names (``第三方SDK（阿里UTDID设备标识SDK）``). Text without Chinese characters is returned unchanged, and so
    are tokens that are not SDK ids or are parts of package/class names."""
    text = "" if text is None else str(text)
    if not text or not _CJK.search(text):
        return text
    return _swap_ids(text, report, 0)


def localize_en(text: Any, report: Mapping[str, Any] | None = None) -> str:
    """The English counterpart of :func:`localize_zh`: SDK ids become the SDKs' English names."""
    text = "" if text is None else str(text)
    return _swap_ids(text, report, 1) if text else text


def _swap_ids(text: str, report: Mapping[str, Any] | None, which: int) -> str:
    known = {str(s.get("id")) for s in (report or {}).get("sdks") or [] if isinstance(s, Mapping)}

    def swap(m: re.Match[str]) -> str:
        token = m.group(1)
        if token in known or token in _kb_names():
            return sdk_names(token, report)[which]
        return token

    return _ID_TOKEN.sub(swap, text)


def is_trace_only(sdk: Mapping[str, Any]) -> bool:
    """True for an ``sdks`` row that only the runtime trace showed (``detected_by`` without ``code``)."""
    detected = sdk.get("detected_by")
    return isinstance(detected, list) and bool(detected) and "code" not in detected


def code_sdks(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The ``sdks`` rows the code scan found (the SDK table), without the trace-only ones."""
    return [s for s in report.get("sdks") or [] if isinstance(s, Mapping) and not is_trace_only(s)]


def runtime_only_sdks(report: Mapping[str, Any]) -> list[dict[str, str]]:
    """SDKs the runtime trace attributed behaviour to that the code scan did not list (code loaded at run time, a
    packed app, or a trace of another build): ``[{id, name_zh, name_en}]``. Without them the 第三方SDK清单 says 无
    while findings blame 个推 (report audit). They are the ``sdks`` rows marked ``detected_by: ["trace"]``; for a
    report written before that field, the trace owners missing from ``sdks`` are computed the same way."""
    from appwarden.report.json import runtime_sdk_owners

    rows = [s for s in report.get("sdks") or [] if isinstance(s, Mapping) and is_trace_only(s)]
    out = [{"id": str(s.get("id")), "name_zh": "", "name_en": ""} for s in rows]
    listed = set(sdk_index(report))
    out += [{"id": i, "name_zh": "", "name_en": ""} for i in runtime_sdk_owners(report) if i not in listed]
    for row in out:
        row["name_zh"], row["name_en"] = sdk_names(row["id"], report)
    return out


def sdk_index(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """SDK id -> its row in the report's SDK list."""
    return {str(s.get("id")): s for s in report.get("sdks") or [] if isinstance(s, Mapping)}


def owner_names(report: Mapping[str, Any], owner: str | None) -> tuple[str, str]:
    """(zh, en) display names of an owner: the host app, or an SDK by its names in the report."""
    if not owner or owner == "host":
        return HOST_LABEL
    return sdk_names(owner, report)


def owner_sort_key(owner: str) -> tuple[int, str]:
    return (0 if owner == "host" else 1, owner)


#: The group of call sites whose filtering argument could not be resolved (``unresolved``: a
#: ``ContentResolver.query`` on a URI built at run time, ``Settings.Secure.getString`` with a computed key). The
#: engine files each under the most likely category for the rules; a report must not state that reading as a fact.
UNRESOLVED_GROUP = "unresolved"
UNRESOLVED_NAMES = (
    "类别未确定（调用参数无法静态解析，可能读取个人信息）",
    "Category not determined (the call's argument could not be resolved statically; it may read PI)",
)


APP_LIST_RULE = "pi.app_list.read"


@lru_cache(maxsize=1)
def _app_list_apis() -> tuple[str, ...]:
    """The APIs ``pi.app_list.read`` counts as reading the installed-app list (its ``apis`` param)."""
    from appwarden.rules.loader import load_rules

    for rule in load_rules():
        if rule.id == APP_LIST_RULE:
            return tuple(str(a) for a in rule.params.get("apis") or ())
    return ()


def _callsite_key(item: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    return (item.get("caller"), item.get("api"), item.get("offset"))


def app_list_exclusion(report: Mapping[str, Any]) -> Any:
    """A function ``callsite -> (zh, en) | None``: why an ``app_list`` call site of the report counts in no finding
    (the rule ``pi.app_list.read`` leaves it out: the API does not return the installed-app list, or the call
    queries one package or component, not the launcher), None for a call site a finding cites or when the rule was
    not evaluated (then nothing can be said)."""
    if APP_LIST_RULE not in (report.get("evaluated_rules") or []):
        return lambda cs: None
    cited = {
        _callsite_key(e)
        for f in report.get("findings") or []
        for e in f.get("evidence") or []
        if isinstance(e, Mapping) and e.get("type") == "callsite"
    }
    apis = _app_list_apis()

    def why(cs: Mapping[str, Any]) -> tuple[str, str] | None:
        if cs.get("category") != "app_list" or cs.get("unresolved") or _callsite_key(cs) in cited:
            return None
        api = str(cs.get("api") or "")
        if not any(api == a or api.startswith(a + "(") for a in apis):
            return (
                "未计入发现：该接口不返回已安装应用列表（如本应用进程、调用方包名、按Intent查询特定服务）",
                "not counted: this API does not return the installed-app list",
            )
        return (
            "未计入发现：调用未查询启动器（MAIN/LAUNCHER）或限定了包名/组件，"
            "查询的是能处理某一Intent的应用，不是软件安装列表",
            "not counted: the call does not query the launcher, or is limited to one package or component: it asks"
            " which apps handle one intent, not for the installed-app list",
        )

    return why


def callsites_by_category(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Call sites grouped by PI category, then by owner (host first, then SDKs by number of call sites):
    ``[{category, name_zh, name_en, count, excluded, owners: [{owner, name_zh, name_en, callsites: [...]}]}]``,
    biggest category first. Call sites marked ``unresolved`` are not listed under the category the engine guessed
    for them but in one last group, :data:`UNRESOLVED_GROUP`. An ``app_list`` call site the rule leaves out of every
    finding (:func:`app_list_exclusion`) is listed as a copy with ``excluded_zh`` / ``excluded_en`` saying why, and
    counted in its group's ``excluded`` (so the section never states more than the findings do)."""
    why = app_list_exclusion(report)
    groups: dict[str, dict[str, list[Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    excluded: dict[str, int] = defaultdict(int)
    for cs in report.get("callsites") or []:
        category = UNRESOLVED_GROUP if cs.get("unresolved") else str(cs.get("category"))
        reason = why(cs)
        if reason is not None:
            cs = {**cs, "excluded_zh": reason[0], "excluded_en": reason[1]}
            excluded[category] += 1
        groups[category][str(cs.get("owner") or "host")].append(cs)
    out = []
    for category, owners in groups.items():
        zh, en = UNRESOLVED_NAMES if category == UNRESOLVED_GROUP else category_names(category)
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
                "excluded": excluded.get(category, 0),
                "owners": owner_rows,
            }
        )
    out.sort(key=lambda g: (g["category"] == UNRESOLVED_GROUP, -g["count"], g["category"]))
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
        {
            "clause": c,
            "title_zh": titles.get(c, ""),
            "label": clause_label(c) if c != "—" else "无条款 (no clause)",
            "explanation": clause_explanation(c) if c != "—" else "",
            "findings": buckets[c],
        }
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
                "label": g["label"],
                "explanation": g["explanation"],
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


# dynamic.confirm behaviours, as the confirmation marker of an upgraded static finding names them
CONFIRMED_BEHAVIOURS = {
    "access": ("实际读取了该信息", "the data was read"),
    "pre_consent": ("在同意隐私政策前实际收集", "collected before consent"),
    "after_refusal": ("在用户拒绝后实际收集", "collected after refusal"),
    "background": ("在后台实际收集", "collected in the background"),
    "third_party": ("实际发送给第三方", "sent to a third party"),
    "self_start": ("应用实际被自启动或关联启动", "the app was started without the user"),
    "shake": ("实际注册了摇一摇传感器监听", "a shake listener was registered"),
    "shake_sensitive": ("摇一摇触发阈值实际偏低", "the shake thresholds are low"),
}


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
        if not str(ref.get("sentence") or "").strip():  # an absence: say what is missing, not an empty quote
            if ref.get("value") and not (ref.get("note_zh") or ref.get("reason")):  # e.g. the policy's source
                label = EVIDENCE_ELEMENTS.get(str(ref.get("element") or ""), "")
                return f"{label}：{ref.get('value')}" if label else str(ref.get("value"))
            return str(ref.get("note_zh") or ref.get("reason") or "隐私政策中未找到相关语句")
        where = f" [{ref.get('start')}–{ref.get('end')}]" if ref.get("start") is not None else ""
        return f"“{ref.get('sentence')}”{where}"
    if kind == "trace":
        # dynamic.confirm's marker before the confirming events has no time of its own
        if ref.get("event") == "confirmation":
            behaviour = str(ref.get("behaviour") or "")
            zh, en = CONFIRMED_BEHAVIOURS.get(behaviour, (behaviour, ""))
            en = f": {en}" if en else ""
            return f"运行时轨迹证实{zh}（confirmed by the runtime trace{en}），见下列事件"
        parts = ([f"t={ref.get('ts')}"] if ref.get("ts") is not None else []) + [str(ref.get("event"))]
        if ref.get("api"):
            parts.append(str(ref.get("api")))
        return " ".join(parts)
    if kind == "network":
        return f"{ref.get('host')}{ref.get('path') or ''}"
    if kind == "constant":
        return f"{ref.get('caller')}: {ref.get('value')} ({ref.get('meaning')})"
    if kind == "consent":
        zh, en = CONSENT_VERDICTS.get(str(ref.get("verdict")), (str(ref.get("verdict") or ""), ""))
        reason = str(ref.get("reason_zh") or ref.get("reason") or "")
        return f"{bilingual(zh, en)}: {reason}" if reason else bilingual(zh, en)
    if kind == "necessary_pi":  # report.notice.scope_notice_types: why a read is 超范围
        beyond = "、".join(category_names(str(c))[0] for c in ref.get("beyond") or [])
        necessary = "、".join(category_names(str(c))[0] for c in ref.get("necessary") or [])
        label = ref.get("app_category_zh") or ""
        text = f"按《39类必要个人信息范围规定》，声明的App类型{ref.get('app_category')} {label}的必要个人信息不包括{beyond}"
        return text + (f"（该类型必要个人信息中可由接口读取的仅有{necessary}）" if necessary else "")
    rest = "; ".join(f"{k}={plain_value(v)}" for k, v in ref.items() if k != "type")
    return f"{kind}: {rest}" if kind else rest


def plain_value(value: Any) -> str:
    """A value as reader text, never a Python repr: lists joined with commas, mappings as ``k=v``, booleans as
    是/否, ``None`` as —."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={plain_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return ", ".join(plain_value(v) for v in value)
    return str(value)


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


SECTION_KEY_LABELS = {
    "source": "来源",
    "found": "已找到",
    "text_length": "文本长度",
    "language": "语言",
    "sections": "章节",
    "elements": "要素",
    "declared": "已声明",
    "declared_sdks": "声明的SDK",
    "declared_pi": "声明的个人信息",
    "sentences": "语句",
    "operator": "运营者",
    "contacts": "联系方式",
    "events": "事件",
    "consent": "同意",
    "consent_at": "同意时间",
    "duration": "时长",
    "errors": "错误",
    "path": "文件",
    "sha256": "SHA-256",
    "url": "网址",
}


def policy_element_label(name: str) -> str:
    """``运营者基本情况 (operator_identity)``: a privacy-policy element's Chinese title with its key; the key alone
    when the policy reader does not know it."""
    try:
        from appwarden.policy.elements import ELEMENTS
    except ImportError:  # pragma: no cover - the policy reader is part of the package
        return name
    spec = ELEMENTS.get(name)
    if spec is not None and spec.title_zh:
        return f"{spec.title_zh} ({name})"
    return f"{EVIDENCE_ELEMENTS[name]} ({name})" if name in EVIDENCE_ELEMENTS else name


# ``element`` keys of policy evidence items that are not policy-reader elements (absence items, the policy source)
EVIDENCE_ELEMENTS = {
    "declared_pi": "声明收集的个人信息",
    "declared_permissions": "权限使用说明",
    "collected": "已收集个人信息清单",
    "shared": "与第三方共享个人信息清单",
    "source": "隐私政策来源",
    "policy": "隐私政策",
    "simplified_chinese": "简体中文文本",
    "simplified_chars": "简体中文文本",
    "traditional_chars": "繁体字",
}


def finding_message_zh(finding: Mapping[str, Any], report: Mapping[str, Any] | None = None) -> str:
    """The finding's Chinese message for display: SDK ids replaced by Chinese names (:func:`localize_zh`); a
    message with no Chinese in it (``android:debuggable = true``) is prefixed with the finding's Chinese title so
    that a Chinese reader is never left with English only. Empty when the finding has no message."""
    message = localize_zh(finding.get("message_zh") or "", report)
    if message and not _CJK.search(message):
        title = str(finding.get("title_zh") or "").strip()
        return f"{title}：{message}" if title else message
    return message + confirmation_scope_zh(finding) if message else message


def confirmation_scope_zh(finding: Mapping[str, Any]) -> str:
    """For a static finding a runtime trace upgraded to ``confirmed`` (its evidence holds the confirmation marker),
    the PI categories of its call sites that the trace did not show: ``（运行时轨迹证实的仅为X；Y为静态分析结果，未经
    运行时证实）``; empty when the trace covers them all, or for any other finding. 已确认 applies to the whole
    finding, so without this a category seen only in the code reads as confirmed too."""
    if finding.get("confidence") != "confirmed":
        return ""
    evidence = [e for e in finding.get("evidence") or [] if isinstance(e, Mapping)]
    marks = [
        i for i, e in enumerate(evidence) if e.get("type") == "trace" and e.get("event") == "confirmation"
    ]
    if not marks:
        return ""
    if isinstance(finding.get("confirmed_categories"), list):  # the report's statement (report/json.py)
        seen = {str(c) for c in finding["confirmed_categories"]}
    else:  # a finding dict not built by report/json.py: the trace references after the marker
        after = evidence[marks[0] + 1 :]
        seen = {
            str(e["category"]) for e in after if e.get("type") in ("trace", "network") and e.get("category")
        }
    static = [str(e["category"]) for e in evidence if e.get("type") == "callsite" and e.get("category")]
    rest = [c for c in dict.fromkeys(static) if c not in seen]
    if not seen or not rest:
        return ""
    from appwarden.knowledge import pi_categories

    names = pi_categories()

    def zh(cats: Iterable[str]) -> str:
        return "、".join(str(names.get(c, {}).get("name_zh", c)) for c in cats)

    confirmed = [c for c in dict.fromkeys(static) if c in seen]
    return (
        f"（运行时轨迹证实的仅为{zh(confirmed or sorted(seen))}；{zh(rest)}为静态分析结果，未经运行时证实）"
    )


STAGE_LABELS = {
    "apk": "APK解析",
    "manifest": "清单解析",
    "dex": "DEX解析",
    "sdk": "SDK识别",
    "policy": "隐私政策",
    "trace": "运行时轨迹",
    "rules": "规则评估",
    "report": "报告生成",
    "engine": "外部引擎",
    "resources": "资源解析",
    "signing": "签名校验",
}
_SERVER_PATH = re.compile(r"(?<![\w:/.])/(?:[\w.@+\-]+/)+([\w.@+\-]+)")


def public_text(text: Any) -> str:
    """Text safe to show outside the server: absolute file paths (``/var/lib/appwarden/uploads/x.apk``) are cut
    to their last component (``x.apk``); ``None`` is empty."""
    return _SERVER_PATH.sub(lambda m: m.group(1), "" if text is None else str(text))


def error_rows(report: Mapping[str, Any]) -> list[dict[str, str]]:
    """The report's ``errors`` for display: ``{stage (zh label and key), path, message}``, paths made public."""
    rows = []
    for e in report.get("errors") or []:
        stage = str(e.get("stage") or "")
        label = STAGE_LABELS.get(stage)
        message = public_text(e.get("message"))
        if message and not _CJK.search(message):
            message = f"{label or '分析'}未完成（原因见英文原文 English detail）：{message}"
        rows.append(
            {
                "stage": f"{label} ({stage})" if label else stage,
                "path": public_text(e.get("path")),
                "message": message,
            }
        )
    return rows


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
                text = plain_value(value)
            else:
                text = f"{len(value)} 项 items"
        else:
            text = plain_value(value)
        label = SECTION_KEY_LABELS.get(str(key))
        rows.append((f"{label} ({key})" if label else str(key), text[:200]))
    return rows
