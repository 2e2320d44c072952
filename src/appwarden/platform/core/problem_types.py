"""Map regulation clause IDs to the problem types MIIT 通报 tables use (违规收集, 违规使用, 强制索权, ...).

The first type whose prefixes match any of a finding's clauses wins, in the order of :data:`PROBLEM_TYPES`
(cross-walk from ``shared/regulations/README.md``).
"""

from __future__ import annotations

from collections.abc import Iterable

# (key, 中文, English, clause-ID prefixes)
PROBLEM_TYPES: list[tuple[str, str, str, tuple[str, ...]]] = [
    (
        "permission",
        "强制、频繁、过度索取权限",
        "Forcing / over-asking permissions",
        ("M164-2.1", "M337-5", "M337-6", "M337-7", "RD-4.2", "RD-4.6", "M26-10"),
    ),
    (
        "collection",
        "违规收集个人信息",
        "Illegal collection of PI",
        ("M164-1.1", "M164-1.2", "M337-1", "M337-2", "RD-3.", "RD-4.", "N39-", "CH-", "GB41391-"),
    ),
    ("use", "违规使用个人信息", "Illegal use of PI", ("M164-1.3", "M164-1.4", "M337-3", "M337-4", "RD-5.")),
    ("self_start", "频繁自启动和关联启动", "Frequent self-start / chain start", ("M164-2.2", "M26-6")),
    ("mislead", "欺骗误导用户", "Misleading users (incl. 摇一摇 ads)", ("M164-3.", "M26-4", "M26-T1")),
    ("notice", "隐私政策及告知不到位", "Privacy policy / notice missing or deficient", ("RD-1.", "RD-2.")),
    ("rights", "账号注销难、权利响应不到位", "Account deletion / user rights", ("M337-8", "RD-6.")),
    ("store", "应用分发平台责任落实不到位", "Distribution platform duties", ("M164-4.",)),
]
OTHER = ("other", "其他", "Other")


def problem_type(clauses: Iterable[str]) -> str:
    """The problem-type key of a finding with these clause IDs (``other`` when none matches)."""
    clauses = [c for c in clauses if isinstance(c, str)]
    for key, _zh, _en, prefixes in PROBLEM_TYPES:
        if any(c.startswith(p) for c in clauses for p in prefixes):
            return key
    return OTHER[0]


def label(key: str) -> str:
    """``中文 English`` label of a problem-type key."""
    for k, zh, en, _ in PROBLEM_TYPES:
        if k == key:
            return f"{zh} {en}"
    return f"{OTHER[1]} {OTHER[2]}"


def label_zh(key: str) -> str:
    for k, zh, _en, _ in PROBLEM_TYPES:
        if k == key:
            return zh
    return OTHER[1]


CHOICES = [(k, f"{zh} {en}") for k, zh, en, _ in PROBLEM_TYPES] + [(OTHER[0], f"{OTHER[1]} {OTHER[2]}")]
