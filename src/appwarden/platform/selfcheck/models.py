"""A self-assessment (自评估): one scan of a company's own APK (+ optional privacy policy) before it submits the app.

It deliberately is **not** a :class:`~appwarden.platform.testing.models.ScanJob`: its report stays on this row (the
findings are read from the report, never stored as ``Finding`` rows), no ``App``/``AppVersion`` is registered from
it, so it is invisible to every count of tests, findings and cases. Only the company sees its reports; staff see
how many exist (``selfcheck.services.counts``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUS = [
    (QUEUED, "排队 Queued"),
    (RUNNING, "检测中 Running"),
    (DONE, "完成 Done"),
    (FAILED, "失败 Failed"),
]


class SelfAssessment(models.Model):
    company = models.ForeignKey("registry.Company", on_delete=models.PROTECT, related_name="self_assessments")
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField("文件名 File", max_length=255, blank=True)
    size = models.BigIntegerField(default=0)
    policy_sha256 = models.CharField(max_length=64, blank=True)
    category = models.CharField("应用类型 Category", max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=300, db_index=True)
    status = models.CharField(max_length=12, choices=STATUS, default=QUEUED, db_index=True)
    failure_kind = models.CharField("失败原因 Failure kind", max_length=16, blank=True)
    error = models.TextField(blank=True)
    report = models.JSONField(null=True, blank=True)
    # what the report says (copied at the end of the scan so lists never decode reports)
    package = models.CharField("包名 Package", max_length=255, blank=True)
    version_name = models.CharField("版本 Version", max_length=100, blank=True)
    label = models.CharField("应用名称 Label", max_length=200, blank=True)
    summary = models.JSONField(default=dict, blank=True)  # {"total": n, "by_severity": {...}}
    attempts = models.PositiveIntegerField(default=0)
    # the Celery task (token) that claimed it (testing/fairq.py: a redelivered token finds it again)
    claim_token = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # only the company's own rows; staff get counts only (the views and the API enforce it)
    COMPANY_PATH = "company"
    # no generic audit rows (they would copy package, version and finding counts into the staff-readable log):
    # services record ``selfcheck_submit`` / ``selfcheck_finish`` with the id, company and status only
    AUDIT_CHANGES = False
    STORE_PATH = None

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"self-assessment #{self.pk} {self.file_name or self.sha256[:12]}"

    @property
    def trace_sha256(self) -> str:
        """No runtime trace is taken with a self-assessment (duck-typed like a scan job for the input check)."""
        return ""
