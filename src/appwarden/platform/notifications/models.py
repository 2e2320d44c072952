"""Notification settings of each party (webhook endpoints, email recipients) and what was sent (notifications,
deliveries, attempts).

Every row belongs to one party: ``party_kind`` plus the bound ``company`` / ``store`` / ``sdk_vendor`` (none for
``staff``). Scoping (``parties.party_scoped``) uses ``COMPANY_PATH`` / ``STORE_PATH`` through ``core.roles.scoped``
and ``SDK_VENDOR_PATH`` for SDK vendor users; staff see every party's rows.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from appwarden.platform.notifications.events import PARTY_KINDS


def new_secret() -> str:
    """A webhook signing secret: ``whsec_`` + 32 random bytes, URL-safe base64."""
    return "whsec_" + secrets.token_urlsafe(32)


class PartyOwned(models.Model):
    party_kind = models.CharField("接收方类型 Party", max_length=16, choices=PARTY_KINDS, db_index=True)
    company = models.ForeignKey(
        "registry.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    store = models.ForeignKey(
        "registry.Store", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sdk_vendor = models.ForeignKey(
        "registry.SdkVendor", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    COMPANY_PATH = "company"
    STORE_PATH = "store"
    SDK_VENDOR_PATH = "sdk_vendor"

    class Meta:
        abstract = True

    @property
    def party_label(self) -> str:
        name = self.company or self.store or self.sdk_vendor
        return f"{self.get_party_kind_display()} {name}" if name else self.get_party_kind_display()


class Endpoint(PartyOwned):
    """A webhook endpoint of a party: HTTPS (or HTTP) URL, the signing secret, the events it wants (empty = all)."""

    url = models.URLField("回调地址 URL", max_length=500)
    secret = models.CharField("签名密钥 Secret", max_length=100, default=new_secret)
    events = models.JSONField("事件 Events", default=list, blank=True)
    description = models.CharField("说明 Description", max_length=200, blank=True)
    active = models.BooleanField("启用 Active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_CHANGES = False  # receivers.py records its own audit rows without the secret

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"webhook {self.url} ({self.party_label})"

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class EmailRecipient(PartyOwned):
    """An email address of a party and the events it wants (empty = all)."""

    email = models.EmailField("邮箱 Email")
    events = models.JSONField("事件 Events", default=list, blank=True)
    active = models.BooleanField("启用 Active", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_CHANGES = False

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.email} ({self.party_label})"

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class Notification(PartyOwned):
    """One event for one party, created once (``dedupe_key``: event, object, party)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=40, db_index=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    payload = models.JSONField(default=dict)
    object_model = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    AUDIT_CHANGES = False

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.event} → {self.party_label}"


D_PENDING, D_DELIVERED, D_FAILED = "pending", "delivered", "failed"
DELIVERY_STATUS = [
    (D_PENDING, "待发送 Pending"),
    (D_DELIVERED, "已送达 Delivered"),
    (D_FAILED, "失败 Failed"),
]
CHANNELS = [("email", "邮件 Email"), ("webhook", "Webhook")]


class Delivery(models.Model):
    """One notification over one channel: an email to the party's recipients, or a POST to one endpoint.

    ``next_attempt_at`` is also the claim: a worker moves it forward by a lease before trying, so two workers never
    send the same delivery at once and a crashed worker's claim expires."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=CHANNELS)
    endpoint = models.ForeignKey(
        Endpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    url = models.CharField(max_length=500, blank=True)
    recipients = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=DELIVERY_STATUS, default=D_PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    COMPANY_PATH = "notification__company"
    STORE_PATH = "notification__store"
    SDK_VENDOR_PATH = "notification__sdk_vendor"
    AUDIT_CHANGES = False

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} {self.status}"


class DeliveryAttempt(models.Model):
    """One try of a delivery: when, the HTTP status code (webhooks), the error, how long it took."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    COMPANY_PATH = "delivery__notification__company"
    STORE_PATH = "delivery__notification__store"
    SDK_VENDOR_PATH = "delivery__notification__sdk_vendor"
    AUDIT_CHANGES = False

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"attempt of delivery #{self.delivery_id}: {self.status_code or self.error[:40]}"


class DigestRun(models.Model):
    """One daily early-warning digest: the window it covered and the counts, so the next one starts there."""

    day = models.DateField(unique=True)
    since = models.DateTimeField()
    until = models.DateTimeField()
    counts = models.JSONField(default=dict)
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    AUDIT_CHANGES = False

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"digest {self.day}"
