"""Public complaints (投诉举报) with a tracking number, triage, a link to the scan opened from them, and forwarding
(投诉转办) to the company of the app complained about, which answers by a deadline in working days."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

RECEIVED, TRIAGED, SCANNING, FORWARDED, CLOSED, REJECTED = (
    "received",
    "triaged",
    "scanning",
    "forwarded",
    "closed",
    "rejected",
)
STATUS = [
    (RECEIVED, "已受理 Received"),
    (TRIAGED, "已分派 Triaged"),
    (SCANNING, "检测中 Being tested"),
    (FORWARDED, "已转办企业 Forwarded to the company"),
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
    # the complainant's consent to show name and contact to the company the complaint is forwarded to; without
    # it a company never sees them (web, API, 投诉转办单 PDF)
    contact_consent = models.BooleanField(
        "同意将姓名和联系方式提供给被投诉企业 I agree that my name and contact may be given to the company",
        default=False,
    )
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


# --- forwarding to the company (投诉转办) ---------------------------------------------------------------------------
FW_WAITING, FW_ANSWERED, FW_RETURNED, FW_ACCEPTED = "forwarded", "answered", "returned", "accepted"
FORWARD_STATES = [
    (FW_WAITING, "待企业答复 Awaiting the company's answer"),
    (FW_ANSWERED, "企业已答复 Answered"),
    (FW_RETURNED, "退回重新答复 Sent back"),
    (FW_ACCEPTED, "已办结 Answer accepted"),
]
WAITING_STATES = (FW_WAITING, FW_RETURNED)
TRANSITION_LABELS = {
    "forward": "转办",
    "answer": "企业答复",
    "accept": "采纳办结",
    "send_back": "退回",
}  # the company has to answer (overdue after the deadline)


class ComplaintForward(models.Model):
    """投诉转办: a triaged complaint about an app forwarded to the app's company, which answers by ``deadline``
    (``working_days`` working days after forwarding or sending back).

    ``state`` only changes through :mod:`appwarden.platform.complaints.forwarding` (each change a
    :class:`ForwardTransition` row and audit rows); the model is saved with ``save()`` so signal receivers see it.
    """

    number = models.CharField("转办编号 Number", max_length=40, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="forwards")
    app = models.ForeignKey("registry.App", on_delete=models.PROTECT, related_name="complaint_forwards")
    company = models.ForeignKey(
        "registry.Company", on_delete=models.PROTECT, related_name="complaint_forwards"
    )
    state = models.CharField(max_length=12, choices=FORWARD_STATES, default=FW_WAITING, db_index=True)
    instructions = models.TextField("转办意见 Instructions")
    working_days = models.PositiveIntegerField("答复期限(工作日) Working days", default=10)
    deadline = models.DateField("答复截止 Deadline")
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    forwarded_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    COMPANY_PATH = "company"
    STORE_PATH = None

    class Meta:
        ordering = ["-forwarded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.app}"

    @property
    def is_overdue(self) -> bool:
        """Waiting for the company's answer after the deadline."""
        return self.state in WAITING_STATES and timezone.localdate() > self.deadline


class ForwardTransition(models.Model):
    """One state change of a forwarded complaint: who, when, why."""

    forward = models.ForeignKey(ComplaintForward, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=32)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    COMPANY_PATH = "forward__company"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.forward.number}: {self.from_state or '∅'} → {self.to_state} ({self.name})"

    @property
    def label(self) -> str:
        """The transition's name in Chinese and English, e.g. ``转办 forward``."""
        return f"{TRANSITION_LABELS.get(self.name, '')} {self.name}".strip()


ANSWER_OUTCOMES = [("accepted", "已采纳 Accepted"), ("returned", "已退回 Sent back")]


class ForwardAnswer(models.Model):
    """The company's answer to a forwarded complaint: text and an optional attachment (stored by sha256), and the
    reviewer's decision on it (``outcome``)."""

    forward = models.ForeignKey(ComplaintForward, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField("答复内容 Answer")
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    attachment_name = models.CharField("附件 Attachment", max_length=255, blank=True)
    attachment_size = models.BigIntegerField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    # the forward's deadline when the answer came in (sending back sets a new one); null for answers recorded
    # before the field existed, whose deadline at the time is not known
    deadline = models.DateField("答复截止 Deadline then", null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=ANSWER_OUTCOMES, blank=True)
    review_note = models.TextField("审核意见 Review note", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    COMPANY_PATH = "forward__company"

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"answer to {self.forward.number}"

    @property
    def late(self) -> bool:
        """Submitted after the deadline in force then (local date), i.e. 逾期提交; False when that is not known."""
        return self.deadline is not None and timezone.localtime(self.at).date() > self.deadline
