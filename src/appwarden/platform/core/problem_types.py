"""Dashboard groups of 通报 problem types (违规收集, 违规使用, 强制索权, ...): the keys stored in
``testing.Finding.problem_type``.

A finding's problem types are its ``notice_types`` (declared per rule, through the one mapping
:func:`appwarden.report.notice.finding_notice_types`); each type of the vocabulary (``knowledge/notice_types.yaml``)
names its dashboard ``group``. :func:`group_of_types` gives the group of a finding's first type. The keys below are
the ones stored before the types were explicit (a coarse clause-prefix table), kept so stored data and filters keep
working; migration ``testing.0002`` recomputed the stored keys from the types.
"""

from __future__ import annotations

from collections.abc import Iterable

# (key, 中文, English): the dashboard groups, in display order
GROUPS: list[tuple[str, str, str]] = [
    ("permission", "强制、频繁、过度索取权限", "Forcing / over-asking permissions"),
    ("collection", "违规收集个人信息", "Illegal collection of PI"),
    ("use", "违规使用个人信息", "Illegal use of PI"),
    ("self_start", "频繁自启动和关联启动", "Frequent self-start / chain start"),
    ("mislead", "欺骗误导用户", "Misleading users (incl. 摇一摇 ads)"),
    ("notice", "隐私政策及告知不到位", "Privacy policy / notice missing or deficient"),
    ("rights", "账号注销难、权利响应不到位", "Account deletion / user rights"),
    ("store", "应用分发平台责任落实不到位", "Distribution platform duties"),
]
OTHER = ("other", "其他", "Other")


def group_of_types(notice_types: Iterable[str]) -> str:
    """The dashboard group of a finding with these 通报 problem-type ids: the group of the first one the vocabulary
    knows; ``other`` when there is none (security hygiene, external engines)."""
    from appwarden.knowledge.notice_types import vocabulary

    known = vocabulary()
    for tid in notice_types:
        if isinstance(tid, str) and tid in known:
            return str(known[tid]["group"])
    return OTHER[0]


def label(key: str) -> str:
    """``中文 English`` label of a group key."""
    for k, zh, en in GROUPS:
        if k == key:
            return f"{zh} {en}"
    return f"{OTHER[1]} {OTHER[2]}"


def label_zh(key: str) -> str:
    """Chinese label of a group key."""
    for k, zh, _en in GROUPS:
        if k == key:
            return zh
    return OTHER[1]


CHOICES = [(k, f"{zh} {en}") for k, zh, en in GROUPS] + [(OTHER[0], f"{OTHER[1]} {OTHER[2]}")]
