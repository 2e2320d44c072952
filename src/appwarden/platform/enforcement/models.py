"""Enforcement: 责令整改 orders, company responses, re-tests, 通报 notice batches, 下架 takedown orders.

The order's ``state`` only changes through :mod:`appwarden.platform.enforcement.workflow`, which records every
transition (who, when, why) in :class:`OrderTransition`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

ISSUED, RESPONDED, RETESTING, RETESTED, CLOSED, NOTICE_DRAFT, NOTICED, TAKEDOWN, TAKEN_DOWN = (
    "issued",
    "responded",
    "retesting",
    "retested",
    "closed",
    "notice_draft",
    "noticed",
    "takedown",
    "taken_down",
)
STATES = [
    (ISSUED, "已下发整改 Issued"),
    (RESPONDED, "企业已答复 Responded"),
    (RETESTING, "复测中 Re-testing"),
    (RETESTED, "复测完成 Re-tested"),
    (CLOSED, "已结案 Closed"),
    # in a notice batch that is still a draft: not public yet, so never shown as 已通报
    (NOTICE_DRAFT, "拟通报(通报未发布) In a draft notice"),
    (NOTICED, "已通报 Publicly named"),
    (TAKEDOWN, "下架中 Takedown ordered"),
    (TAKEN_DOWN, "已下架 Taken down"),
]
OPEN_STATES = (ISSUED, RESPONDED, RETESTING, RETESTED, NOTICE_DRAFT, NOTICED, TAKEDOWN)

# how a rectified APK's signer relates to the ordered version's (``appwarden.ingest.state.signer_relation``)
SIGNER_CHECKS = [
    ("same", "签名一致 Same signer"),
    ("signer_rotated", "密钥轮换(已验证) Verified key rotation"),
    ("signer_changed", "签名不同 Signer changed"),
    ("unknown", "无法核对 Cannot compare"),
]


class RectificationOrder(models.Model):
    """责令整改通知: an order to a company to fix confirmed findings of one app version by a deadline."""

    number = models.CharField("编号 Number", max_length=40, unique=True)
    app = models.ForeignKey("registry.App", on_delete=models.PROTECT, related_name="orders")
    app_version = models.ForeignKey("registry.AppVersion", on_delete=models.PROTECT, related_name="orders")
    company = models.ForeignKey(
        "registry.Company", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    findings = models.ManyToManyField("testing.Finding", related_name="orders")
    state = models.CharField(max_length=16, choices=STATES, default=ISSUED, db_index=True)
    working_days = models.PositiveIntegerField("整改期限(工作日) Working days", default=15)
    deadline = models.DateField("整改截止 Deadline")
    requirements = models.TextField("整改要求 Requirements", blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    overdue_since = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # a 不良APP takedown case of a build that is not the app's (signer ``foreign`` or ``unknown`` when the case was
    # opened): it concerns a counterfeit carrying the package name, names no company, and its takedown orders go to
    # the stores that submitted that build, not to the app's listings (``workflow.takedown_harmful``)
    foreign_build = models.BooleanField("仿冒/非该应用签名的构建 Build of another signer", default=False)

    COMPANY_PATH = "company"
    STORE_PATH = "takedowns__store"

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.app}"

    @property
    def is_overdue(self) -> bool:
        """Still waiting for the company's answer after the deadline."""
        return self.state == ISSUED and timezone.localdate() > self.deadline


# the 流转记录 names of the order transitions (``workflow.TRANSITIONS`` plus ``issue``); the code name stays beside
TRANSITION_LABELS = {
    "issue": "下发整改",
    "respond": "企业答复",
    "start_retest": "发起复测",
    "complete_retest": "复测完成",
    "retest_failed": "复测失败",
    "close": "结案",
    "escalate": "列入通报",
    "publish_notice": "通报发布",
    "order_takedown": "责令下架",
    "complete_takedown": "下架完成",
    "harmful_takedown": "不良APP直接下架",
    "withdraw_notice": "撤出通报",
}


def _state_zh(state: str, states: list[tuple[str, str]] = STATES) -> str:
    """The Chinese half of a state's label in ``states`` (``已下发整改`` for ``issued``); ``—`` for none."""
    if not state:
        return "—"
    return dict(states).get(state, state).split(" ")[0]


class TransitionLabels:
    """What people read of one 流转记录 row (an order's or an SDK order's transition): needs ``name``,
    ``from_state`` and ``to_state``."""

    name: str
    from_state: str
    to_state: str
    action_labels: dict[str, str] = TRANSITION_LABELS
    state_choices: list[tuple[str, str]] = STATES

    @property
    def label(self) -> str:
        """``下发整改 issue``: the action in Chinese, its code name beside (unknown names as they are)."""
        zh = self.action_labels.get(self.name)
        return f"{zh} {self.name}" if zh else self.name

    @property
    def states_zh(self) -> str:
        """``已下发整改 → 企业已答复``: the states in Chinese."""
        return f"{_state_zh(self.from_state, self.state_choices)} → {_state_zh(self.to_state, self.state_choices)}"


class OrderTransition(TransitionLabels, models.Model):
    """One state change of an order: who, when, why."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    COMPANY_PATH = "order__company"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.from_state or '∅'} → {self.to_state} ({self.name})"


class LateAnswer:
    """An answer to an order (a company's or an SDK vendor's): needs ``at`` and ``order.deadline``."""

    at: Any
    order: Any

    @property
    def late(self) -> bool:
        """Submitted after the order's deadline (local date), i.e. 逾期提交."""
        return timezone.localtime(self.at).date() > self.order.deadline


class CompanyResponse(LateAnswer, models.Model):
    """The company's answer: an explanation and, usually, a rectified APK (stored by sha256)."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="responses")
    explanation = models.TextField("整改说明 Explanation")
    new_sha256 = models.CharField("新版本 SHA-256 New version", max_length=64, blank=True)
    new_file_name = models.CharField(max_length=255, blank=True)
    # what the rectified APK itself says (read when it was uploaded; see ``enforcement.identity``)
    new_package = models.CharField("新版本包名 Package", max_length=255, blank=True)
    new_version_code = models.BigIntegerField("新版本号 Version code", null=True, blank=True)
    new_version_name = models.CharField("新版本 Version", max_length=100, blank=True)
    new_signer_sha256 = models.CharField("新版本签名 Signer SHA-256", max_length=64, blank=True)
    signer_check = models.CharField("签名核对 Signer check", max_length=16, choices=SIGNER_CHECKS, blank=True)
    # a regulator accepted an APK the identity check refused (package or signer): the written reason
    override_reason = models.TextField("放行理由 Override reason", blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    COMPANY_PATH = "order__company"

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"response to {self.order.number}"


class Retest(models.Model):
    """A re-test of the new version; ``diff`` = {fixed, persisting, new, not_retested, passed, evidence_kinds}
    by (rule_id, owner), built by :func:`appwarden.platform.enforcement.diff.diff_findings`."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="retests")
    response = models.ForeignKey(CompanyResponse, null=True, on_delete=models.SET_NULL)
    job = models.ForeignKey("testing.ScanJob", on_delete=models.PROTECT, related_name="retests")
    diff = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    COMPANY_PATH = "order__company"

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"retest of {self.order.number} (job #{self.job_id})"


class NoticeBatch(models.Model):
    """通报: a batch of publicly named apps, exported as the MIIT-style table (XLSX/PDF)."""

    title = models.CharField("通报标题 Title", max_length=300)
    number = models.CharField("批次 Number", max_length=60, blank=True)
    published = models.BooleanField("已发布 Published", default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class NoticeItem(models.Model):
    """One row of a notice table (序号, 应用名称, 应用开发者, 应用来源, 应用版本, 所涉问题)."""

    batch = models.ForeignKey(NoticeBatch, on_delete=models.CASCADE, related_name="items")
    # an app's row has ``order``; an APP(SDK) row (an SDK vendor's order escalated) has ``sdk_order`` instead
    order = models.OneToOneField(
        RectificationOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="notice_item"
    )
    sdk_order = models.OneToOneField(
        "SdkOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="notice_item"
    )
    app_name = models.CharField(max_length=200)
    developer = models.CharField(max_length=200)
    source = models.CharField(max_length=300)
    version = models.CharField(max_length=100)
    problems = models.TextField()
    sdk_name = models.CharField("SDK名称 SDK", max_length=300, blank=True)
    sdk_vendor = models.CharField("SDK厂商 SDK vendor", max_length=200, blank=True)
    # a published row the platform would no longer write as it stands (e.g. 超范围 on a plain read without the
    # necessary_pi proof, migration 0004): never rewritten (a public record), listed for the officers to review
    correction_note = models.TextField("待更正 Pending correction", blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.app_name} in {self.batch}"


TD_PENDING, TD_CONFIRMED = "pending", "confirmed"
TD_STATUS = [(TD_PENDING, "待下架 Pending"), (TD_CONFIRMED, "已下架 Confirmed")]


class TakedownOrder(models.Model):
    """下架通知 to one store: for one listing of the app, or — a case of a build of another signer
    (``order.foreign_build``) — for that build as the store submitted it in a pre-listing check (``listing`` empty:
    the app's own listings are not touched). The store operator confirms the removal."""

    order = models.ForeignKey(RectificationOrder, on_delete=models.CASCADE, related_name="takedowns")
    store = models.ForeignKey("registry.Store", on_delete=models.PROTECT, related_name="takedowns")
    listing = models.ForeignKey(
        "registry.StoreListing", null=True, blank=True, on_delete=models.PROTECT, related_name="takedowns"
    )
    prelisting_check = models.ForeignKey(
        "prelisting.PrelistingCheck", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=TD_STATUS, default=TD_PENDING)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    COMPANY_PATH = "order__company"
    STORE_PATH = "store"

    class Meta:
        ordering = ["-id"]
        unique_together = [("order", "store")]

    def save(self, *args, **kwargs) -> None:
        if self.store_id is None and self.listing_id is not None:  # a listing's takedown goes to its store
            self.store_id = self.listing.store_id
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"takedown {self.order.number} @ {self.store}"


# --- SDK orders (issue #21.1): 责令整改 addressed to an SDK vendor about findings its SDKs cause across apps ---------

SDK_STATES = [
    (ISSUED, "已下发整改 Issued"),
    (RESPONDED, "厂商已答复 Responded"),
    (RETESTING, "复测中(等待嵌入该SDK的应用复测) Re-testing"),
    (RETESTED, "复测完成 Re-tested"),
    (CLOSED, "已结案 Closed"),
    (NOTICE_DRAFT, "拟通报(通报未发布) In a draft notice"),
    (NOTICED, "已通报 Publicly named"),
]
SDK_OPEN_STATES = (ISSUED, RESPONDED, RETESTING, RETESTED, NOTICE_DRAFT)


class SdkOrder(models.Model):
    """责令整改 to an SDK vendor: confirmed findings owned by its SDK ids (``Finding.owner``), across apps.

    The state only changes through :mod:`appwarden.platform.enforcement.sdk_workflow` (one
    :class:`SdkOrderTransition` per change). Visible to staff and to the vendor's own ``sdk_vendor`` users
    (``SDK_VENDOR_PATH``); companies and stores never see it.
    """

    number = models.CharField("编号 Number", max_length=40, unique=True)
    vendor = models.ForeignKey("registry.SdkVendor", on_delete=models.PROTECT, related_name="sdk_orders")
    sdk_ids = models.JSONField("涉及SDK SDK ids", default=list)
    findings = models.ManyToManyField("testing.Finding", related_name="sdk_orders")
    state = models.CharField(max_length=16, choices=SDK_STATES, default=ISSUED, db_index=True)
    working_days = models.PositiveIntegerField("整改期限(工作日) Working days", default=15)
    deadline = models.DateField("整改截止 Deadline")
    requirements = models.TextField("整改要求 Requirements", blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    overdue_since = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    COMPANY_PATH = None
    STORE_PATH = None
    SDK_VENDOR_PATH = "vendor"

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.vendor}"

    @property
    def is_overdue(self) -> bool:
        """Still waiting for the vendor's answer after the deadline."""
        return self.state == ISSUED and timezone.localdate() > self.deadline


# the 流转记录 names of an SDK order's transitions (``sdk_workflow.TRANSITIONS`` plus ``issue``): the vendor answers
SDK_TRANSITION_LABELS = {
    **{k: TRANSITION_LABELS[k] for k in ("issue", "start_retest", "complete_retest", "close", "escalate")},
    "respond": "厂商答复",
    "publish_notice": "通报发布",
    "withdraw_notice": "撤出通报",
}


class SdkOrderTransition(TransitionLabels, models.Model):
    """One state change of an SDK order: who, when, why."""

    action_labels = SDK_TRANSITION_LABELS
    state_choices = SDK_STATES

    order = models.ForeignKey(SdkOrder, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    COMPANY_PATH = None
    STORE_PATH = None
    SDK_VENDOR_PATH = "order__vendor"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.order.number}: {self.from_state or '∅'} → {self.to_state} ({self.name})"


class SdkResponse(LateAnswer, models.Model):
    """The vendor's answer: an explanation, the SDK version that fixes it and optionally a demo APK embedding it."""

    order = models.ForeignKey(SdkOrder, on_delete=models.CASCADE, related_name="responses")
    explanation = models.TextField("整改说明 Explanation")
    new_sdk_version = models.CharField("整改后SDK版本 Fixed SDK version", max_length=100)
    demo_sha256 = models.CharField("演示APK SHA-256 Demo APK", max_length=64, blank=True)
    demo_file_name = models.CharField(max_length=255, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    COMPANY_PATH = None
    STORE_PATH = None
    SDK_VENDOR_PATH = "order__vendor"

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"response to {self.order.number} ({self.new_sdk_version})"


class SdkRetest(models.Model):
    """A re-test of an SDK order: the later scans of the apps embedding the SDK (and of the demo APK, if any).

    ``diff`` = ``{apps: [per affected app row], demo: row or None, passed, retested, since, new_sdk_version}``
    built by :func:`appwarden.platform.enforcement.sdk_workflow.evaluate`; refreshed whenever a scan of an affected
    app finishes while the order is re-testing or re-tested.
    """

    order = models.ForeignKey(SdkOrder, on_delete=models.CASCADE, related_name="retests")
    response = models.ForeignKey(SdkResponse, null=True, on_delete=models.SET_NULL)
    demo_job = models.ForeignKey(
        "testing.ScanJob", null=True, blank=True, on_delete=models.PROTECT, related_name="sdk_retests"
    )
    diff = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    COMPANY_PATH = None
    STORE_PATH = None
    SDK_VENDOR_PATH = "order__vendor"

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"retest of {self.order.number}"
