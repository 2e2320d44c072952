"""Public complaints (投诉举报) with a tracking number, triage, and a link to the scan opened from them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

RECEIVED, TRIAGED, SCANNING, CLOSED, REJECTED = "received", "triaged", "scanning", "closed", "rejected"
STATUS = [
    (RECEIVED, "已受理 Received"),
    (TRIAGED, "已分派 Triaged"),
    (SCANNING, "检测中 Being tested"),
    (CLOSED, "已办结 Closed"),
    (REJECTED, "不予受理 Rejected"),
]
CATEGORIES = [
    ("collection", "违规收集个人信息 Illegal collection"),
    ("use", "违规使用个人信息 Illegal use / sharing"),
    ("permission", "强制、频繁、过度索取权限 Permissions"),
    ("mislead", "欺骗误导 Misleading (摇一摇 etc.)"),
    ("account", "账号注销难 Account deletion"),
    ("other", "其他 Other"),
]
PRIORITY = [("high", "高 High"), ("normal", "中 Normal"), ("low", "低 Low")]


def new_tracking_number() -> str:
    """``TS`` + date + 6 random upper-case hex characters, e.g. ``TS20261123-3FA9C1``."""
    return f"TS{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


class Complaint(models.Model):
    tracking_number = models.CharField(
        "受理编号 Tracking number", max_length=32, unique=True, default=new_tracking_number
    )
    app_name = models.CharField("应用名称 App name", max_length=200)
    package = models.CharField("包名 Package (optional)", max_length=255, blank=True)
    store_name = models.CharField("下载来源 Store (optional)", max_length=200, blank=True)
    category = models.CharField("问题类型 Problem", max_length=16, choices=CATEGORIES, default="other")
    description = models.TextField("问题描述 Description")
    reporter_name = models.CharField("投诉人 Your name (optional)", max_length=100, blank=True)
    reporter_contact = models.CharField("联系方式 Contact (optional)", max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=STATUS, default=RECEIVED, db_index=True)
    priority = models.CharField(max_length=8, choices=PRIORITY, default="normal")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    triage_note = models.TextField("处理意见 Triage note", blank=True)
    app = models.ForeignKey(
        "registry.App", null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    job = models.ForeignKey(
        "testing.ScanJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    COMPANY_PATH = None
    STORE_PATH = None

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.app_name}"
