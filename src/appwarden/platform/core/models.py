"""Profiles (one role per user) and the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

ROLE_REGULATOR = "regulator"
ROLE_REVIEWER = "reviewer"
ROLE_COMPANY = "company"
ROLE_STORE = "store"
ROLE_SDK_VENDOR = "sdk_vendor"
ROLE_CHOICES = [
    (ROLE_REGULATOR, "监管人员 Regulator"),
    (ROLE_REVIEWER, "审核人员 Reviewer"),
    (ROLE_COMPANY, "企业 Company"),
    (ROLE_STORE, "应用商店 Store operator"),
    (ROLE_SDK_VENDOR, "SDK厂商 SDK vendor"),
]


class Profile(models.Model):
    """A user's role; company users are bound to one company, store operators to one store, SDK vendor users to
    one SDK vendor."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=16, choices=ROLE_CHOICES)
    company = models.ForeignKey("registry.Company", null=True, blank=True, on_delete=models.PROTECT)
    store = models.ForeignKey("registry.Store", null=True, blank=True, on_delete=models.PROTECT)
    sdk_vendor = models.ForeignKey("registry.SdkVendor", null=True, blank=True, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return f"{self.user.username} ({self.role})"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise PermissionError("the audit log is append-only")

    def delete(self):  # type: ignore[override]
        raise PermissionError("the audit log is append-only")


class AuditLog(models.Model):
    """One change: who, when, what (model, object, action), the new field values and an optional reason.

    Rows are never updated or deleted (``save`` on an existing row, ``delete`` and queryset ``update``/``delete``
    raise ``PermissionError``).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32)  # create / update / delete / transition / review / login ...
    model = models.CharField(max_length=64, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.model}#{self.object_id}"


class ApiToken(models.Model):
    """An API token of a user, stored as the SHA-256 hex digest of the token; the token itself is shown once, when
    it is issued (``core/tokens.py``), and is nowhere in the database. A user may hold several (one per client)."""

    AUDIT_CHANGES = False  # core/tokens.py records token_issue / token_revoke without the digest

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=64, blank=True)  # what issued it: api-login, platform-user, migrated
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"token of {self.user_id} ({self.name or 'unnamed'})"


class LoginThrottle(models.Model):
    """Failed-login counter of one (username, client address) pair (``core/lockout.py``).

    ``attempts`` counts logins begun since ``window_start`` that did not succeed; ``locked_until`` is set when
    the count reaches the limit. A successful login, an unlock by a regulator or a password reset deletes the row.
    """

    AUDIT_CHANGES = False  # one row per login attempt would flood the log; locks and unlocks are recorded

    username = models.CharField(max_length=150)  # lower-cased as typed (the account may not exist)
    ip = models.CharField(max_length=64)
    attempts = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["username", "ip"], name="login_throttle_username_ip")]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip}: {self.attempts}"
