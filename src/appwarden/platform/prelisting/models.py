"""A pre-listing check: one scan job (the ordinary testing pipeline) submitted by a store, with the listing
metadata the store would publish (164号文 item 9: developer, version, privacy-policy URL, permissions, update time)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PrelistingCheck(models.Model):
    """The store's request; the verdict is computed from the job's findings when asked (services.verdict)."""

    job = models.OneToOneField("testing.ScanJob", on_delete=models.CASCADE, related_name="prelisting")
    store = models.ForeignKey("registry.Store", on_delete=models.CASCADE, related_name="prelisting_checks")
    developer = models.CharField("开发者 Developer", max_length=200, blank=True)
    version = models.CharField("版本 Version", max_length=100, blank=True)
    policy_url = models.CharField("隐私政策链接 Privacy-policy URL", max_length=500, blank=True)
    permissions = models.JSONField("权限列表 Listed permissions", null=True, blank=True)
    updated = models.CharField("更新时间 Update time", max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    STORE_PATH = "store"
    COMPANY_PATH = None

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"pre-listing #{self.pk} ({self.store_id})"
