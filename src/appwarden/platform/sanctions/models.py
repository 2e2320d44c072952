"""Sanction and credit measures against a company (惩戒与信用) and their append-only history.

A :class:`SanctionMeasure` is one decision: 停止接入 (stop access, optionally limited to some stores), 行政处罚
(administrative penalty: decision number, amount, legal basis) or 信用管理 (credit management: the company is put on
a dishonesty or key-attention list from a date to an optional date). Its ``status`` only changes through
:mod:`appwarden.platform.sanctions.services`, which appends a :class:`SanctionEvent` (who, when, why, what changed)
for the decision and for every later change; events are never updated or deleted.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

STOP_ACCESS, PENALTY, CREDIT = "stop_access", "penalty", "credit"
KINDS = [
    (STOP_ACCESS, "停止接入 Stop access"),
    (PENALTY, "行政处罚 Administrative penalty"),
    (CREDIT, "信用管理 Credit management"),
]
KIND_ZH = {STOP_ACCESS: "停止接入", PENALTY: "行政处罚", CREDIT: "信用管理"}

ACTIVE, ENDED, REVOKED = "active", "ended", "revoked"
STATUSES = [
    (ACTIVE, "有效 Active"),
    (ENDED, "已解除 Ended"),
    (REVOKED, "已撤销 Revoked"),
]

DISHONEST, KEY_ATTENTION = "dishonest", "key_attention"
CREDIT_LISTS = [
    (DISHONEST, "失信名单 Dishonesty list"),
    (KEY_ATTENTION, "重点关注名单 Key-attention list"),
]

EVENT_ACTIONS = [
    ("issue", "决定 Decided"),
    ("amend", "变更 Amended"),
    ("end", "解除 Ended"),
    ("revoke", "撤销 Revoked"),
]


class SanctionMeasure(models.Model):
    """One measure against one company. Fields that belong to one kind only are blank for the others
    (``stores`` for 停止接入; ``decision_number``/``amount``/``legal_basis`` for 行政处罚, the legal basis may be
    given for any kind; ``credit_list`` for 信用管理)."""

    company = models.ForeignKey(
        "registry.Company", on_delete=models.PROTECT, related_name="sanctions", verbose_name="企业 Company"
    )
    kind = models.CharField("措施类型 Kind", max_length=16, choices=KINDS, db_index=True)
    status = models.CharField("状态 Status", max_length=8, choices=STATUSES, default=ACTIVE, db_index=True)
    start_date = models.DateField("开始日期 From")
    end_date = models.DateField("结束日期 To", null=True, blank=True)
    reason = models.TextField("决定理由 Reason")
    authority = models.CharField("决定机关 Deciding authority", max_length=200, blank=True)
    # 停止接入: empty = every store
    stores = models.ManyToManyField(
        "registry.Store", blank=True, related_name="sanctions", verbose_name="限定商店 Stores"
    )
    # 行政处罚
    decision_number = models.CharField("处罚决定书文号 Decision number", max_length=100, blank=True)
    amount = models.DecimalField(
        "罚款金额(元) Fine (CNY)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    legal_basis = models.CharField("法律依据 Legal basis", max_length=500, blank=True)
    # 信用管理
    credit_list = models.CharField("信用名单 Credit list", max_length=16, choices=CREDIT_LISTS, blank=True)
    order = models.ForeignKey(
        "enforcement.RectificationOrder",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sanctions",
        verbose_name="相关整改通知 Related order",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    COMPANY_PATH = "company"
    # stores see only 停止接入 measures that concern them (their store or every store): services.visible(), not
    # the generic STORE_PATH filter, which cannot express "or no store named"; scoped() alone shows stores nothing
    STORE_PATH = None

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision_number"],
                condition=~models.Q(decision_number=""),
                name="sanction_unique_decision_number",
            )
        ]

    def __str__(self) -> str:
        return f"{KIND_ZH.get(self.kind, self.kind)} {self.company_id} #{self.pk}"

    def in_force(self, on: dt.date | None = None) -> bool:
        """Active and ``on`` (default today) within [start, end]."""
        on = on or timezone.localdate()
        return (
            self.status == ACTIVE and self.start_date <= on and (self.end_date is None or on <= self.end_date)
        )

    @property
    def state_label(self) -> str:
        """生效中 / 未生效 / 已到期 for an active measure (by today's date), else the status."""
        if self.status != ACTIVE:
            return self.get_status_display()
        today = timezone.localdate()
        if today < self.start_date:
            return "未生效 Not yet in force"
        if self.end_date is not None and today > self.end_date:
            return "已到期 Expired"
        return "生效中 In force"


class SanctionEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("the sanction history is append-only")

    def delete(self):  # type: ignore[override]
        raise PermissionError("the sanction history is append-only")


class SanctionEvent(models.Model):
    """One step of a measure's history: the decision, an amendment, its end or its revocation. Append-only
    (``save`` on an existing row, ``delete`` and queryset ``update``/``delete`` raise ``PermissionError``)."""

    measure = models.ForeignKey(SanctionMeasure, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=8, choices=EVENT_ACTIONS)
    from_status = models.CharField(max_length=8, blank=True)
    to_status = models.CharField(max_length=8)
    changes = models.JSONField(default=dict, blank=True)  # field -> [before, after]
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(default=timezone.now)

    COMPANY_PATH = "measure__company"
    STORE_PATH = None

    objects = SanctionEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the sanction history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the sanction history is append-only")

    def __str__(self) -> str:
        return f"{self.action} measure #{self.measure_id}: {self.from_status or '∅'} → {self.to_status}"
