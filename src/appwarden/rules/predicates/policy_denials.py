"""The policy says it does NOT collect something the app's own code collects (违反所声明的规则 / 超出授权范围).

``policy_denied_pi_collected``: a policy sentence denies collecting a PI category outright (``我们不会收集您的通讯录``,
``本App不获取IMEI``), and the app's own code (owner ``host``; SDKs are judged by the SDK rules) has call sites of
that category. One finding lists every such category (a sentence and up to three call sites each). The denial is
read per clause: a negation (不会/不/绝不/从不/无需 + 收集/获取/读取/采集/上传/访问) followed within the clause by a PI
term of ``appwarden.policy.declared.PI_TERMS``. Not read as denials: conditional ones (未经…同意, 除非, 除…外, 在…之前,
如您…, 仅在…, 在基本功能模式下: the app does collect, with consent or in some case), partial ones (剪切板中的其他无关
信息, 全量通讯录, 仅…, 不再…), and denials of *sharing* or *another use* (用于/共享/提供给/出售 in the clause). Call
sites marked ``unresolved`` are left out. Confidence ``likely`` when a call site is reachable from an entry point,
else ``possible`` (the code may never run). Params: ``owners`` (default ``[host]``; add SDK ids to judge them
too), ``ignore`` (categories not to report).

Limits: phrase-based; a denial worded outside the negation pattern is missed; a policy covering several apps may
deny for one product what another does, so every finding needs review.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from appwarden.evidence import Evidence
from appwarden.rules.model import Hit
from appwarden.rules.predicates import param, predicate
from appwarden.rules.static_support import callsite_item

_DENIAL = re.compile(
    r"(?:不会|不得|绝不|从不|从未|并不|不再|无需|无须|不)(?:会|主动|通过任何方式|以任何方式|再)?"
    r"(?:收集|获取|读取|采集|上传|访问|调用)"
)
_CONDITIONAL = re.compile(
    r"未经|除非|除[^。；\n]{0,30}外|之前|以前|如您|若您|如果|仅在|只在|仅当|只有|前提|单独同意|另行|明确同意|授权后|"
    # partial denials: the app does collect some of it (不会收集剪切板中的其他无关信息, 不读取全量通讯录, 仅获取…)
    r"仅|只(?:会|能|读取|获取|收集)|其他|其它|无关|全量|整个|全部|以外|之外|不再|关闭后|除此|模式下|情况下|场景下"
)
_NOT_COLLECTION = re.compile(r"用于|共享|提供给|出售|转让|披露|对外提供|用作|挪作")
_CLAUSE_END = re.compile(r"[，,。；;：:！？!?\n]")


@lru_cache(maxsize=1)
def _terms() -> list[tuple[re.Pattern[str], str]]:
    from appwarden.policy.declared import PI_TERMS

    out = []
    for category, terms in PI_TERMS.items():
        for term in terms:
            if re.fullmatch(r"[A-Za-z]{1,3}", term):  # short Latin terms (IP, SN) are too ambiguous here
                continue
            out.append((re.compile(term, re.IGNORECASE), category))
    return out


def denied_categories(sentences: list[Any]) -> dict[str, list[Any]]:
    """PI category -> the sentences that deny collecting it outright (see the module docstring)."""
    out: dict[str, list[Any]] = {}
    for sentence in sentences:
        text = sentence.text
        if _CONDITIONAL.search(text):
            continue
        for m in _DENIAL.finditer(text):
            end = _CLAUSE_END.search(text, m.end())
            clause = text[m.end() : end.start() if end else len(text)]
            if _NOT_COLLECTION.search(clause):
                continue
            for pattern, category in _terms():
                if pattern.search(clause):
                    bucket = out.setdefault(category, [])
                    if sentence not in bucket:
                        bucket.append(sentence)
    return out


@predicate("policy_denied_pi_collected", needs=("policy.text", "static.callsites"))
def check_denied_pi_collected(evidence: Evidence, params: dict) -> list[Hit]:
    policy = getattr(evidence, "policy", None)
    static = evidence.static
    if policy is None or not getattr(policy, "found", True) or static is None:
        return []
    denied = denied_categories(list(getattr(policy, "sentences", []) or []))
    if not denied:
        return []
    from appwarden.knowledge import pi_categories

    owners = set(param(params, "owners", ["host"]))
    ignore = set(param(params, "ignore", []))
    names = pi_categories()
    refs: list[dict[str, Any]] = []
    found: list[str] = []
    live = False
    for category in sorted(denied):
        if category in ignore:
            continue
        sites = [
            s for s in static.callsites if s.category == category and s.owner in owners and not s.unresolved
        ]
        if not sites:
            continue
        found.append(category)
        refs.append(denied[category][0].ref(element="pi_denied"))
        refs += [callsite_item(s) for s in sites[:3]]
        live = live or any(s.reachable_from for s in sites)
    if not found:
        return []
    zh = "、".join(str(names.get(c, {}).get("name_zh", c)) for c in found)
    en = ", ".join(str(names.get(c, {}).get("name_en", c)) for c in found)
    return [
        Hit(
            evidence=refs,
            message_zh=f"隐私政策声明不收集{zh}，但App自身代码存在收集这些信息的调用",
            message_en=f"The privacy policy says it does not collect {en}, but the app's own code collects them",
            confidence="likely" if live else "possible",
        )
    ]
