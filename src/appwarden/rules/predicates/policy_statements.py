"""What the privacy policy *says* (隐私政策表述): statements that show a violation, or statements it lacks.

The phrases are data: every pattern comes from the rule's ``params`` (regular expressions, matched per sentence of
the policy text, case-insensitive), so a rule YAML states exactly which wording it looks for.

``policy_statement_present``: sentences matching one of ``patterns`` and, when given, one of ``also`` (same
sentence), and none of ``unless``, are the finding's evidence (at most ``max_evidence``, default 3; one finding per
policy). ``excused_by`` (optional): when any sentence of the whole policy matches one of these, nothing is reported
(e.g. the policy offers an opt-out elsewhere). Messages: params ``message_zh`` / ``message_en``.

``policy_statement_absent``: no sentence matches one of ``patterns`` (and ``also`` when given) -> one finding
whose evidence records the absence (``element`` = param ``topic``). ``only_if`` (optional): evaluated only when some
sentence matches one of these (the topic is in scope, e.g. the policy talks about account deletion at all).
``categories`` (optional): evaluated only for apps of these 39类 types (``Evidence.category``; the rule then needs
``app.category``).

``policy_response_time_excessive``: the policy promises to answer a rights request (更正、删除、注销、投诉、请求)
within a time longer than the cap (认定方法 六.3: at most 15 working days): ``N 个工作日`` with N > ``max_working_days``
(default 15), or ``N 天/日/自然日`` with N > ``max_calendar_days`` (default 21, three weeks). Numbers in digits or
Chinese numerals (三十, 十五).

``policy_sdk_category_undisclosed``: SDKs of the given ``categories`` (knowledge/sdks ``category``) are in the APK,
and no policy sentence matches ``patterns`` (the policy never tells the user about that kind of third-party
connection, e.g. 第三方账号登录 / 小程序). One finding, the SDKs and the absence as evidence.

``policy_lists_absent``: lists the policy must publish or point to (``lists``: name -> {title_zh, patterns}); one
finding names every list no sentence mentions. ``sdk_list_satisfies`` names the list that an SDK list with records
in the policy itself (``PolicyEvidence.declared_sdks``) also satisfies.

``policy_not_simplified``: the policy text is written in Traditional Chinese (no Simplified version, 认定方法 一.4):
characters that differ between the scripts (们/們, 个/個, 权/權 …) are counted; fires when the Traditional ones are at
least ``min_traditional`` (default 20) and ``ratio`` (default 3) times the Simplified ones. A bilingual policy
(both versions in one text) does not fire.

Limits: phrase-based, like every policy rule (see ``docs/policy-eval.md``); a policy hosted only online must be
supplied with ``--policy``; wording outside the patterns is missed and every finding needs review.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from appwarden.errors import RuleError
from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate

MAX_EVIDENCE = 3


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _validate_patterns(params: dict, keys: tuple[str, ...], required: tuple[str, ...]) -> None:
    for key in keys:
        value = params.get(key)
        if value is None:
            if key in required:
                raise RuleError(f"policy statement rule: '{key}' is required (a list of regular expressions)")
            continue
        if not isinstance(value, list) or not value or not all(isinstance(p, str) for p in value):
            raise RuleError(f"policy statement rule: '{key}' must be a non-empty list of regular expressions")
        for p in value:
            try:
                _compile(p)
            except re.error as exc:
                raise RuleError(f"policy statement rule: bad pattern in '{key}': {p!r} ({exc})") from exc


def _matches(text: str, patterns: list[str] | tuple[str, ...]) -> bool:
    return any(_compile(p).search(text) for p in patterns)


def _found_policy(evidence: Evidence) -> Any | None:
    """The analysed policy, or None when there is nothing to read (not searched, or searched and not found)."""
    policy = getattr(evidence, "policy", None)
    if policy is None or not getattr(policy, "found", True):
        return None
    return policy


def _sentence_ref(policy: Any, sentence: Any, element: str) -> dict[str, Any]:
    title = None
    sections = getattr(policy, "sections", []) or []
    if 0 <= getattr(sentence, "section", -1) < len(sections):
        title = sections[sentence.section].title
    return sentence.ref(element=element, section_title=title)


def _matching(policy: Any, patterns: list[str], also: list[str], unless: list[str]) -> list[Any]:
    out = []
    for sentence in getattr(policy, "sentences", []) or []:
        text = sentence.text
        if not _matches(text, patterns):
            continue
        if also and not _matches(text, also):
            continue
        if unless and _matches(text, unless):
            continue
        out.append(sentence)
    return out


def _validate_present(params: dict) -> None:
    _validate_patterns(params, ("patterns", "also", "unless", "excused_by"), ("patterns",))


@predicate("policy_statement_present", needs=("policy.text",), validate=_validate_present)
def check_statement_present(evidence: Evidence, params: dict) -> list[Hit]:
    policy = _found_policy(evidence)
    if policy is None:
        return []
    excused = list(param(params, "excused_by", []))
    if excused and _matching(policy, excused, [], []):
        return []
    found = _matching(
        policy,
        list(param(params, "patterns", [])),
        list(param(params, "also", [])),
        list(param(params, "unless", [])),
    )
    if not found:
        return []
    element = str(param(params, "topic", "statement"))
    refs = [
        _sentence_ref(policy, s, element) for s in found[: int(param(params, "max_evidence", MAX_EVIDENCE))]
    ]
    return [
        Hit(
            evidence=refs,
            message_zh=str(param(params, "message_zh", "隐私政策中存在相关表述")),
            message_en=str(param(params, "message_en", "The privacy policy contains the statement")),
        )
    ]


def _validate_absent(params: dict) -> None:
    _validate_patterns(params, ("patterns", "also", "only_if"), ("patterns",))


@predicate("policy_statement_absent", needs=("policy.text",), validate=_validate_absent)
def check_statement_absent(evidence: Evidence, params: dict) -> list[Hit]:
    policy = _found_policy(evidence)
    if policy is None:
        return []
    categories = list(param(params, "categories", []))
    if categories and evidence.category not in categories:
        return []
    only_if = list(param(params, "only_if", []))
    if only_if and not _matching(policy, only_if, [], []):
        return []
    if _matching(policy, list(param(params, "patterns", [])), list(param(params, "also", [])), []):
        return []
    from appwarden.policy.absence import absence_ref

    topic = str(param(params, "topic", "statement"))
    message_zh = str(param(params, "message_zh", "隐私政策中未找到相关表述"))
    return [
        Hit(
            evidence=[absence_ref(policy, topic, message_zh)],
            message_zh=message_zh,
            message_en=str(param(params, "message_en", "The privacy policy lacks the statement")),
        )
    ]


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn_number(text: str) -> int | None:
    """``"30"`` / ``"三十"`` / ``"十五"`` / ``"四十五"`` -> int; None for anything else (up to 99 in numerals)."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    head, _, tail = text.partition("十")
    if len(head) > 1 or len(tail) > 1 or "十" in tail:
        return None
    tens = _CN_DIGITS[head] if head else 1
    return tens * 10 + (_CN_DIGITS[tail] if tail else 0)


_PERIOD = re.compile(
    r"(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:个)?\s*(工作日|自然日|天|日)\s*(?:之内|以内|内)"
)
_REQUEST = re.compile(
    r"更正|删除|注销|投诉|举报|请求|申请|要求|反馈|答复|回复|响应|处理|核验|审核|权利", re.IGNORECASE
)


@predicate("policy_response_time_excessive", needs=("policy.text",))
def check_response_time_excessive(evidence: Evidence, params: dict) -> list[Hit]:
    policy = _found_policy(evidence)
    if policy is None:
        return []
    max_work = int(param(params, "max_working_days", 15))
    max_cal = int(param(params, "max_calendar_days", 21))
    refs: list[dict[str, Any]] = []
    promised: list[str] = []
    for sentence in getattr(policy, "sentences", []) or []:
        if not _REQUEST.search(sentence.text):
            continue
        for m in _PERIOD.finditer(sentence.text):
            n = cn_number(m.group(1))
            if n is None:
                continue
            working = m.group(2) == "工作日"
            if (working and n > max_work) or (not working and n > max_cal):
                ref = _sentence_ref(policy, sentence, "response_time")
                ref["period"] = m.group(0)
                refs.append(ref)
                promised.append(m.group(0))
                break
        if len(refs) >= MAX_EVIDENCE:
            break
    if not refs:
        return []
    return [
        Hit(
            evidence=refs,
            message_zh=f"隐私政策承诺的响应/处理时限超过15个工作日：{'、'.join(promised)}",
            message_en=f"The privacy policy promises to handle requests in more than 15 working days: "
            f"{', '.join(promised)}",
        )
    ]


def _validate_sdk_category(params: dict) -> None:
    cats = params.get("categories")
    if not isinstance(cats, list) or not cats or not all(isinstance(c, str) for c in cats):
        raise RuleError(
            "policy_sdk_category_undisclosed: 'categories' must be a non-empty list of SDK categories"
        )
    _validate_patterns(params, ("patterns",), ("patterns",))


@predicate(
    "policy_sdk_category_undisclosed", needs=("policy.text", "static.sdks"), validate=_validate_sdk_category
)
def check_sdk_category_undisclosed(evidence: Evidence, params: dict) -> list[Hit]:
    policy = _found_policy(evidence)
    static = evidence.static
    if policy is None or static is None:
        return []
    cats = set(param(params, "categories", []))
    sdks = [s for s in static.sdks if s.category in cats]
    if not sdks or _matching(policy, list(param(params, "patterns", [])), [], []):
        return []
    from appwarden.policy.absence import absence_ref

    topic = str(param(params, "topic", "third_party_apps"))
    message_zh = str(param(params, "message_zh", "隐私政策未说明接入的第三方应用"))
    names = "、".join(s.name_zh or s.id for s in sdks[:5])
    refs: list[dict[str, Any]] = [
        {"type": "sdk", "id": s.id, "name_zh": s.name_zh, "name_en": s.name_en, "vendor": s.vendor}
        for s in sdks
    ]
    refs.append(absence_ref(policy, topic, message_zh))
    return [
        Hit(
            evidence=refs,
            message_zh=f"{message_zh}（App集成：{names}）",
            message_en=f"{param(params, 'message_en', 'The policy does not mention the third-party connection')} "
            f"(SDKs: {', '.join(s.id for s in sdks[:5])})",
        )
    ]


def _validate_lists(params: dict) -> None:
    lists = params.get("lists")
    if not isinstance(lists, dict) or not lists:
        raise RuleError("policy_lists_absent: 'lists' must map a list name to {title_zh, patterns}")
    for name, spec in lists.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("title_zh"), str):
            raise RuleError(f"policy_lists_absent: list {name!r} needs a title_zh and patterns")
        _validate_patterns(spec, ("patterns",), ("patterns",))


@predicate("policy_lists_absent", needs=("policy.text",), validate=_validate_lists)
def check_lists_absent(evidence: Evidence, params: dict) -> list[Hit]:
    policy = _found_policy(evidence)
    if policy is None:
        return []
    from appwarden.policy.absence import absence_ref

    sdk_list = str(param(params, "sdk_list_satisfies", ""))
    missing: list[tuple[str, str]] = []
    for name, spec in dict(param(params, "lists", {})).items():
        if _matching(policy, list(spec["patterns"]), [], []):
            continue
        records = [d for d in getattr(policy, "declared_sdks", []) or [] if d.purpose or d.pi]
        if name == sdk_list and records:
            continue  # an SDK list with records (名称 + 目的 or 信息类型) published in the policy itself
        missing.append((name, spec["title_zh"]))
    if not missing:
        return []
    titles = "、".join(t for _, t in missing)
    return [
        Hit(
            evidence=[absence_ref(policy, n, f"隐私政策中未找到“{t}”") for n, t in missing],
            message_zh=f"隐私政策未公布或未指向：{titles}",
            message_en=f"The privacy policy neither contains nor points to: {', '.join(n for n, _ in missing)}",
        )
    ]


# Characters written differently in Simplified and Traditional Chinese, frequent in privacy policies (pairs).
SIMPLIFIED_ONLY = "们个这为时务获权设备应护网据处说与关于资隐类计录签电话账号册讯储请将让报发现当经过"
TRADITIONAL_ONLY = "們個這為時務獲權設備應護網據處說與關於資隱類計錄簽電話賬號冊訊儲請將讓報發現當經過"


@predicate("policy_not_simplified", needs=("policy.text",))
def check_not_simplified(evidence: Evidence, params: dict) -> list[Hit]:
    policy = _found_policy(evidence)
    if policy is None:
        return []
    text = str(getattr(policy, "text", "") or "")
    simp = sum(text.count(c) for c in set(SIMPLIFIED_ONLY) - set(TRADITIONAL_ONLY))
    trad = sum(text.count(c) for c in set(TRADITIONAL_ONLY) - set(SIMPLIFIED_ONLY))
    if trad < int(param(params, "min_traditional", 20)) or trad < float(param(params, "ratio", 3.0)) * simp:
        return []
    from appwarden.policy.absence import absence_ref

    ref = absence_ref(policy, "simplified_chinese", "隐私政策未提供简体中文版本（正文为繁体中文）")
    ref["traditional_chars"], ref["simplified_chars"] = trad, simp
    return [
        Hit(
            evidence=[ref],
            message_zh=f"隐私政策正文为繁体中文，未见简体中文版本（繁体特有字{trad}个，简体特有字{simp}个）",
            message_en=f"The privacy policy is in Traditional Chinese with no Simplified version ({trad} vs {simp})",
        )
    ]
