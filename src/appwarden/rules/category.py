"""The app's 39类 type (``N39-xx``): the necessary-PI table and a conservative category guess.

:func:`necessary_pi` loads ``knowledge/necessary_pi.yaml`` (built by ``scripts/build_regulations.py``).
:func:`infer_category` guesses the type from the app label and package name only when exactly one type's keywords
match (otherwise None: an unknown category leaves category rules ``not_evaluated`` rather than guessing). The scan
pipeline marks a guessed category ``Evidence.category_inferred = True`` and rules lower their confidence for it.
The first package segment (``com``, ``edu``, ...) is ignored: DroidBench's ``edu.mit.*`` apps are not education apps.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from appwarden.errors import KnowledgeError
from appwarden.evidence import StaticEvidence
from appwarden.knowledge import KNOWLEDGE_DIR, load_yaml

# type -> (label keywords (zh), package-name tokens). Only types with distinctive words are inferred.
KEYWORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "N39-01": (r"地图|导航", ("map", "maps", "navi", "navigation")),
    "N39-02": (r"打车|约车|出行|快车|专车", ("taxi", "didi", "ridehailing")),
    "N39-05": (r"支付|钱包", ("wallet", "pay")),
    "N39-06": (r"商城|购物|优选|特卖", ("shop", "mall", "shopping")),
    "N39-07": (r"外卖", ("waimai", "takeout")),
    "N39-11": (r"招聘|求职|直聘", ("job", "jobs", "zhaopin", "recruit")),
    "N39-12": (r"借贷|借款|贷款|分期", ("loan", "daikuan")),
    "N39-18": (r"游戏", ("game", "games")),
    "N39-19": (r"教育|课堂|学习|作业|网校|题库", ("education", "learn", "school", "study")),
    "N39-24": (r"银行", ("bank", "mbank")),
    "N39-28": (r"音乐|影视|听书", ("music", "player")),
    "N39-29": (r"短视频", ("shortvideo",)),
    "N39-30": (r"新闻|资讯|头条|日报", ("news",)),
    "N39-32": (r"浏览器", ("browser",)),
    "N39-33": (r"输入法", ("inputmethod", "ime", "keyboard")),
    "N39-34": (r"清理|杀毒|安全卫士|管家", ("cleaner", "antivirus", "security")),
    "N39-35": (r"小说|阅读|读书|书城", ("novel", "reader", "ebook", "book")),
    "N39-36": (r"相机|美颜|修图|滤镜", ("camera", "beauty", "photoeditor")),
    "N39-38": (r"天气|日历|计算器|手电筒|闹钟|指南针|文件管理|录音|扫描|翻译|壁纸|铃声",
               ("weather", "calendar", "calculator", "flashlight", "torch", "alarm", "compass", "filemanager",
                "recorder", "scanner", "translate", "wallpaper", "ringtone")),
}  # fmt: skip


@lru_cache(maxsize=1)
def necessary_pi() -> dict[str, Any]:
    """The ``necessary_pi.yaml`` record: ``types`` (N39-xx -> record) and ``permission_categories``."""
    path = KNOWLEDGE_DIR / "necessary_pi.yaml"
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("types"), dict):
        raise KnowledgeError(f"{path}: missing 'types' mapping")
    return data


def category_record(category: str | None) -> dict[str, Any] | None:
    """The necessary-PI record of one type, or None for an unknown key."""
    if not category:
        return None
    return necessary_pi()["types"].get(category)


def infer_category(static: StaticEvidence) -> str | None:
    """Guess the 39类 type from label and package; None unless exactly one type matches."""
    label = (static.app.label or "") if static.app is not None else ""
    package = (static.app.package or "") if static.app is not None else ""
    # the first segment is the reverse-domain root (com, org, edu, cn, ...): never a category word
    tokens = set(re.split(r"[._\-]", package.lower())[1:])
    matches = []
    for tid, (label_re, pkg_tokens) in KEYWORDS.items():
        if (label and re.search(label_re, label)) or tokens.intersection(pkg_tokens):
            matches.append(tid)
    return matches[0] if len(matches) == 1 else None
