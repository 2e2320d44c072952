"""Profiles (one role per user) and the append-only audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

ROLE_REGULATOR = "regulator"
ROLE_REVIEWER = "reviewer"
ROLE_COMPANY = "company"
ROLE_STORE = "store"
ROLE_CHOICES = [
    (ROLE_REGULATOR, "监管人员 Regulator"),
    (ROLE_REVIEWER, "审核人员 Reviewer"),
    (ROLE_COMPANY, "企业 Company"),
    (ROLE_STORE, "应用商店 Store operator"),
]


class Profile(models.Model):
    """A user's role; company users are bound to one company, store operators to one store."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=16, choices=ROLE_CHOICES)
    company = models.ForeignKey("registry.Company", null=True, blank=True, on_delete=models.PROTECT)
    store = models.ForeignKey("registry.Store", null=True, blank=True, on_delete=models.PROTECT)

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
