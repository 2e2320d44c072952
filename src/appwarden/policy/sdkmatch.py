"""Matching SDK names written in a policy to the SDK knowledge base (``appwarden.sdk.kb``), and back.

Policies name SDKs loosely (``友盟统计SDK``, ``友盟+``, ``极光推送``, ``UMeng``, or only the vendor
``深圳市和讯华谷信息技术有限公司``); the knowledge base has ``name_zh``, ``name_en``, ``vendor`` and ``category``.

* :func:`names_for(record)` → the phrases that identify an SDK in a policy: its full names (with and without
  ``SDK``), its English name, its vendor's full name, and its *brand* (the Chinese name up to a function word:
  ``极光推送JPush`` → ``极光``). A brand alone is weak, so it counts only in a sentence that also names an SDK
  function (推送, 统计, 地图, …) or says ``SDK``.
* :func:`match_name(name)` → the knowledge-base id a policy's SDK name refers to, or None.
* :func:`disclosure(record, text)` → ``(kind, start, end)`` of the first place the policy discloses that SDK, or None.

The matcher tolerates a missing, small or partly broken knowledge base (it then matches less, never raises).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from appwarden.policy.textmatch import ascii_lower

FUNCTION_WORDS: dict[str, str] = {
    "push": "推送|消息",
    "analytics": "统计|分析|数据",
    "advertising": "广告|变现|联盟|营销",
    "map_location": "地图|定位|导航|位置",
    "payment": "支付|收银",
    "social_login_share": "分享|登录|社交|授权",
    "crash_apm": "崩溃|异常|性能|稳定性|监控",
    "hot_update": "热更新|热修复|补丁",
    "security_packer": "加固|安全|风控|认证|验证",
    "customer_service": "客服|在线咨询",
    "other": "",
}
_ANY_FUNCTION = re.compile(r"sdk|软件开发工具包|" + "|".join(w for w in FUNCTION_WORDS.values() if w), re.I)
_BRAND_CUT = re.compile(
    r"(?:推送|统计|分析|地图|定位|导航|支付|分享|登录|广告|基础|核心|组件|崩溃|热更新|热修复|客服|加固|sdk|SDK|开放平台|"
    r"移动|云|开发者|服务|平台|一键|[A-Za-z+\s（(·])"
)
# a bracketed part holds no bracket (linear: ``.*?`` rescanned to the end from every unclosed "(")
_COMPANY_SUFFIX = re.compile(r"[（(][^（()）]*[）)]|(?:股份)?有限(?:责任)?公司$|科技$")
GENERIC_BRANDS = {
    "腾讯",
    "阿里",
    "阿里巴巴",
    "百度",
    "华为",
    "小米",
    "谷歌",
    "字节",
    "网易",
    "中国",
    "苹果",
    "三星",
}


@dataclass(frozen=True, slots=True)
class SdkNames:
    id: str
    category: str
    strong: tuple[str, ...]  # lower-cased phrases that identify the SDK on their own (names, then vendor)
    brand: str | None  # lower-cased brand, needs an SDK-function word in the same sentence
    vendor: str | None
    vendor_phrases: tuple[str, ...] = ()  # the subset of ``strong`` that names the vendor only


def _strip_sdk(name: str) -> str:
    return re.sub(r"\s*(?:sdk|SDK|Sdk)$", "", name).strip()


def brand_of(name_zh: str) -> str | None:
    """The Chinese brand at the start of an SDK name (``极光推送JPush`` → ``极光``), or None."""
    m = _BRAND_CUT.search(name_zh)
    brand = name_zh[: m.start()] if m else name_zh
    brand = brand.strip()
    if len(brand) < 2 or not re.match(r"[\u4e00-\u9fff]", brand):
        return None
    return brand


def names_for(record: Any) -> SdkNames:
    """Identifying phrases of one KB record (see module doc)."""
    strong: list[str] = []
    name_zh = str(getattr(record, "name_zh", "") or "")
    name_en = str(getattr(record, "name_en", "") or "")
    vendor = str(getattr(record, "vendor", "") or "")
    for name in (name_zh, _strip_sdk(name_zh), name_en, _strip_sdk(name_en)):
        name = name.strip()
        if len(name) >= 3 or (len(name) >= 2 and not name.isascii()):
            strong.append(ascii_lower(name))
    for alias in getattr(record, "aliases", ()) or ():
        if isinstance(alias, str) and len(alias) >= 2:
            strong.append(ascii_lower(alias))
    head = re.split(r"[（(]", vendor, maxsplit=1)[0].strip()
    vendor_phrases = [
        ascii_lower(v) for v in (vendor.strip(), head) if len(v) >= 4 and v not in GENERIC_BRANDS
    ]
    strong.extend(vendor_phrases)
    brand = brand_of(name_zh)
    if brand in GENERIC_BRANDS:
        brand = None
    return SdkNames(
        id=str(getattr(record, "id", "")),
        category=str(getattr(record, "category", "other") or "other"),
        strong=tuple(dict.fromkeys(s for s in strong if s)),
        brand=ascii_lower(brand) if brand else None,
        vendor=vendor or None,
        vendor_phrases=tuple(dict.fromkeys(vendor_phrases)),
    )


@lru_cache(maxsize=1)
def kb_names() -> tuple[SdkNames, ...]:
    """Names of every SDK in the knowledge base (empty when it cannot be loaded)."""
    try:
        from appwarden.sdk.kb import load_kb

        kb = load_kb()
    except Exception:  # the SDK stage reports KB problems; the policy stage just matches less
        return ()
    out = [names_for(rec) for rec in kb]
    out.sort(key=lambda n: (-max((len(s) for s in n.strong), default=0), n.id))
    return tuple(out)


@lru_cache(maxsize=1)
def _automaton() -> Any:
    """An Aho-Corasick automaton over every strong name (lower-cased) -> (phrase, ids); None without pyahocorasick."""
    try:
        import ahocorasick
    except ImportError:  # pragma: no cover - pyahocorasick is a core dependency
        return None
    table: dict[str, list[tuple[str, str]]] = {}
    for n in kb_names():
        for phrase in n.strong:
            table.setdefault(phrase, []).append((n.id, "vendor" if phrase in n.vendor_phrases else "name"))
    if not table:
        return None
    auto = ahocorasick.Automaton()
    for phrase, ids in table.items():
        auto.add_word(phrase, (phrase, tuple(ids)))
    auto.make_automaton()
    return auto


def find_strong_names(low: str, *, vendors: bool = False) -> list[tuple[str, int, int]]:
    """Every ``(sdk_id, start, end)`` where a strong KB name occurs in ``low`` (an :func:`ascii_lower` text);
    vendor names count only with ``vendors=True``."""
    auto = _automaton()
    if auto is None:
        return []
    out: list[tuple[str, int, int]] = []
    for end_idx, (phrase, ids) in auto.iter(low):
        start, end = end_idx - len(phrase) + 1, end_idx + 1
        if phrase.isascii():
            before = low[start - 1] if start > 0 else " "
            after = low[end] if end < len(low) else " "
            if (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum()):
                continue
        out.extend((i, start, end) for i, kind in ids if vendors or kind == "name")
    return out


def _is_latin(s: str) -> bool:
    return s.isascii()


def _find(phrase: str, low: str, start: int = 0) -> int:
    """Index of ``phrase`` in ``low`` (Latin phrases on word boundaries), or -1."""
    i = low.find(phrase, start)
    while i >= 0 and _is_latin(phrase):
        before = low[i - 1] if i > 0 else " "
        after = low[i + len(phrase)] if i + len(phrase) < len(low) else " "
        if not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum()):
            return i
        i = low.find(phrase, i + 1)
    return i


def match_name(name: str, names: tuple[SdkNames, ...] | None = None) -> str | None:
    """The KB id a policy's SDK name refers to: a strong (non-vendor) name contained in it, the longest first, else
    brand + function word of the same category (``极光推送SDK`` → ``jpush``); None when nothing fits."""
    low = ascii_lower(name)
    if names is None:
        found = find_strong_names(low)
        if found:
            return max(found, key=lambda f: (f[2] - f[1], -f[1]))[0]
        names = kb_names()
    else:
        for n in names:
            if any(_find(s, low) >= 0 for s in n.strong if s not in n.vendor_phrases):
                return n.id
    for n in names:
        if n.brand and n.brand in low:
            words = FUNCTION_WORDS.get(n.category, "")
            if words and re.search(words, name):
                return n.id
    return None


def disclosure(names: SdkNames, text: str, low: str | None = None) -> tuple[str, int, int] | None:
    """Where ``text`` discloses the SDK: ``("name", start, end)`` for a strong name, ``("brand", …)`` for its brand
    in a sentence naming an SDK function; None when the policy never names it."""
    low = ascii_lower(text) if low is None else low
    for s in names.strong:
        i = _find(s, low)
        if i >= 0:
            return ("name", i, i + len(s))
    if names.brand:
        i = low.find(names.brand)
        while i >= 0:
            lo = max(low.rfind("。", 0, i), low.rfind("\n", 0, i)) + 1
            hi_candidates = [j for j in (low.find("。", i), low.find("\n", i)) if j >= 0]
            hi = min(hi_candidates) if hi_candidates else len(low)
            if _ANY_FUNCTION.search(low, lo, hi):
                return ("brand", i, i + len(names.brand))
            i = low.find(names.brand, i + 1)
    return None
