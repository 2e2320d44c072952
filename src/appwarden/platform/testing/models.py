"""Testing: batches (检测批次), scan jobs, findings with evidence, human review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count

from appwarden.platform.core import problem_types

JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED = "queued", "running", "done", "failed"
JOB_STATUS = [
    (JOB_QUEUED, "排队 Queued"),
    (JOB_RUNNING, "检测中 Running"),
    (JOB_DONE, "完成 Done"),
    (JOB_FAILED, "失败 Failed"),
]
# Why a job ended failed (ScanJob.failure_kind); "quarantined" is the poison-job state: the job's scan process
# never came back ``APPWARDEN_SCAN_MAX_ATTEMPTS`` times (its worker died each time), so it is not run again.
FAIL_INPUT, FAIL_TIMEOUT, FAIL_MEMORY, FAIL_CRASH, FAIL_ENGINE, FAIL_QUARANTINED = (
    "input",
    "timeout",
    "memory",
    "crash",
    "engine",
    "quarantined",
)
FAILURE_KINDS = [
    (FAIL_INPUT, "输入无法分析 Unreadable input"),
    (FAIL_TIMEOUT, "超时 Timed out"),
    (FAIL_MEMORY, "内存超限 Memory limit exceeded"),
    (FAIL_CRASH, "扫描进程崩溃 Scan process crashed"),
    (FAIL_ENGINE, "引擎错误 Engine error"),
    (FAIL_QUARANTINED, "已隔离 Quarantined"),
]
PURPOSES = [
    ("scan", "检测 Scan"),
    ("retest", "复测 Re-test"),
    ("complaint", "投诉核查 Complaint check"),
]
SCREENING_VERDICTS = [("harmful", "有害 Harmful"), ("suspicious", "可疑 Suspicious"), ("none", "未发现 None")]


def screening_fields(report: object) -> tuple[str, list[str]]:
    """``(verdict, categories)`` of a report's ``screening`` section for :class:`ScanJob`'s columns: ``("", [])``
    when there is no evaluated section or its verdict is not one of :data:`SCREENING_VERDICTS`; categories are
    kept as strings (at most 20, each at most 32 characters)."""
    section = report.get("screening") if isinstance(report, dict) else None
    if not isinstance(section, dict) or section.get("evaluated") is False:
        return "", []
    verdict = str(section.get("verdict") or "")
    if verdict not in {v for v, _ in SCREENING_VERDICTS}:
        return "", []
    cats = section.get("categories")
    return verdict, [str(c)[:32] for c in cats[:20]] if isinstance(cats, list) else []


def sdk_version_map(report: object, limit: int = 200) -> dict[str, str]:
    """``{sdk id: version}`` of a report's ``sdks`` section for :class:`ScanJob`'s ``sdk_versions`` column (the
    first entry of an id wins; ids and versions cut to 200/100 characters, at most ``limit`` SDKs), so lists that
    need the SDK versions of many jobs (the daily early-warning list) never decode whole reports."""
    sdks = report.get("sdks") if isinstance(report, dict) else None
    out: dict[str, str] = {}
    for sdk in sdks if isinstance(sdks, list) else []:
        if len(out) >= limit:
            break
        if isinstance(sdk, dict) and sdk.get("id"):
            out.setdefault(str(sdk["id"])[:200], str(sdk.get("version") or "")[:100])
    return out


F_PENDING, F_CONFIRMED, F_REJECTED = "pending", "confirmed", "rejected"
FINDING_STATUS = [
    (F_PENDING, "待审核 Pending review"),
    (F_CONFIRMED, "已确认 Confirmed"),
    (F_REJECTED, "已驳回 Rejected"),
]
SEVERITY = [("high", "高 High"), ("medium", "中 Medium"), ("low", "低 Low"), ("info", "提示 Info")]
CONFIDENCE = [("confirmed", "确认 Confirmed"), ("likely", "较可能 Likely"), ("possible", "可能 Possible")]


class Batch(models.Model):
    """A testing batch (检测批次): a set of scan jobs run together, e.g. one campaign round."""

    name = models.CharField("批次名称 Name", max_length=200)
    description = models.TextField("说明 Description", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def progress(self) -> dict[str, int]:
        """Job counts per status plus ``total`` and ``percent`` (finished = done + failed)."""
        counts = {s: 0 for s, _ in JOB_STATUS}
        for row in self.jobs.values("status").annotate(n=Count("id")):
            counts[row["status"]] = row["n"]
        total = sum(counts.values())
        finished = counts[JOB_DONE] + counts[JOB_FAILED]
        counts["total"] = total
        counts["percent"] = round(100 * finished / total) if total else 0
        return counts


class ScanJob(models.Model):
    """One scan of one stored APK (content address ``sha256``) with optional policy/trace inputs.

    ``dedupe_key`` = sha256 + engine version + rules version + input hashes: a second job with the same key
    reuses the first one's report instead of scanning again.
    """

    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs")
    purpose = models.CharField(max_length=16, choices=PURPOSES, default="scan")
    sha256 = models.CharField(max_length=64, db_index=True)
    file_name = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(default=0)
    policy_sha256 = models.CharField(max_length=64, blank=True)
    trace_sha256 = models.CharField(max_length=64, blank=True)
    category = models.CharField("应用类型 Category", max_length=64, blank=True)
    company = models.ForeignKey(
        "registry.Company", null=True, blank=True, on_delete=models.SET_NULL, help_text="declared developer"
    )
    status = models.CharField(max_length=16, choices=JOB_STATUS, default=JOB_QUEUED, db_index=True)
    error = models.TextField(blank=True)
    failure_kind = models.CharField(
        "失败原因 Failure kind", max_length=16, choices=FAILURE_KINDS, blank=True, db_index=True
    )
    engine_version = models.CharField(max_length=64, blank=True)
    rules_version = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=300, db_index=True)
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    app_version = models.ForeignKey(
        "registry.AppVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    report = models.JSONField(null=True, blank=True)
    # the report's 不良APP screening verdict and categories (copied at ingest, issue #23): the early-warning view
    # filters on them without decoding reports; "" = no screening section (not scanned yet, failed, old report)
    screening_verdict = models.CharField(
        "不良APP筛查 Screening verdict", max_length=12, choices=SCREENING_VERDICTS, blank=True, db_index=True
    )
    screening_categories = models.JSONField("不良APP类别 Screening categories", default=list, blank=True)
    # {sdk id: version} copied from the report's sdks section at ingest (sdk_version_map; migration 0005 fills it)
    sdk_versions = models.JSONField("SDK版本 SDK versions", default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # who the job is for, fixed at queue time (testing/fairq.py): "deadline" (re-tests, complaint scans), "staff",
    # "store:<id>", "company:<id>", "vendor:<id>"; the fair queue takes turns between parties
    party = models.CharField("排队方 Queue party", max_length=40, default="staff")
    # the Celery task (token) that claimed the job, so that a redelivered token finds it again (testing/fairq.py)
    claim_token = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # companies and stores never see raw jobs (they hold unreviewed findings)
    COMPANY_PATH = None
    STORE_PATH = None

    class Meta:
        ordering = ["-id"]
        indexes = [
            # the fair queue: queued rows grouped by party, a party's oldest queued or running job ...
            models.Index(fields=["status", "party", "id"], name="scanjob_queue_party"),
            # ... and when the party was last served
            models.Index(fields=["party", "started_at"], name="scanjob_party_started"),
            # the yearly report's period: finished jobs by finish time (one year of a multi-year table)
            models.Index(fields=["status", "finished_at"], name="scanjob_status_finished"),
        ]

    def __str__(self) -> str:
        return f"job #{self.pk} {self.file_name or self.sha256[:12]}"

    @property
    def quarantined(self) -> bool:
        """The poison-job state: failed after too many attempts whose scan process never came back."""
        return self.failure_kind == FAIL_QUARANTINED

    @property
    def status_label(self) -> str:
        """The status with the failure kind, e.g. ``失败 Failed · 超时 Timed out`` (Chinese first)."""
        label = self.get_status_display()
        return f"{label} · {self.get_failure_kind_display()}" if self.failure_kind else label


class Finding(models.Model):
    """A finding from a scan, with its evidence; only ``confirmed`` findings are used by enforcement."""

    job = models.ForeignKey(ScanJob, on_delete=models.CASCADE, related_name="findings")
    app_version = models.ForeignKey(
        "registry.AppVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    rule_id = models.CharField(max_length=200, db_index=True)
    title_zh = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    clauses = models.JSONField(default=list)
    # 通报 problem types (ids of knowledge/notice_types.yaml) from report.notice.finding_notice_types, and their
    # dashboard group (problem_types.group_of_types)
    notice_types = models.JSONField("通报问题类型 Notice problem types", default=list, blank=True)
    problem_type = models.CharField(
        max_length=32, choices=problem_types.CHOICES, default="other", db_index=True
    )
    severity = models.CharField(max_length=8, choices=SEVERITY, default="medium")
    confidence = models.CharField(max_length=12, choices=CONFIDENCE, default="possible")
    needs_review = models.BooleanField(default=True)
    evidence = models.JSONField(default=list)
    owner = models.CharField("责任方 Owner", max_length=200, default="host", db_index=True)
    remediation_zh = models.TextField(blank=True)
    message_zh = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=FINDING_STATUS, default=F_PENDING, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    COMPANY_PATH = "app_version__app__company"
    STORE_PATH = None
    SDK_OWNER_PATH = "owner"  # an SDK vendor user sees (confirmed) findings owned by its SDKs only

    class Meta:
        ordering = ["-id"]

    @staticmethod
    def scope_company(qs):
        """Companies see confirmed findings of their own builds only (not of a build of another signer that merely
        carries their package name, ``AppVersion.signer_relation``)."""
        from appwarden.platform.registry.models import attributed

        return qs.filter(attributed("app_version__"), status=F_CONFIRMED)

    @staticmethod
    def scope_sdk_vendor(qs):
        """SDK vendors see confirmed findings of their SDKs, in any build."""
        return qs.filter(status=F_CONFIRMED)

    def __str__(self) -> str:
        return f"{self.rule_id} ({self.get_status_display()})"

    @property
    def problem_label(self) -> str:
        return problem_types.label(self.problem_type)

    @property
    def notice_names(self) -> list[str]:
        """Chinese names of the finding's 通报 problem types (empty for security hygiene)."""
        from appwarden.report.notice import notice_type_names

        return notice_type_names(self.notice_types or [])


REVIEW_ACTIONS = [("confirm", "确认 Confirm"), ("reject", "驳回 Reject"), ("edit", "修改 Edit")]
EDITABLE_FIELDS = (
    "title_zh",
    "title_en",
    "severity",
    "confidence",
    "clauses",
    "remediation_zh",
    "message_zh",
)


class Review(models.Model):
    """One human review action on a finding, with its reason and (for edits) the changed fields."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=8, choices=REVIEW_ACTIONS)
    reason = models.TextField("理由 Reason")
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    COMPANY_PATH = None

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.action} finding #{self.finding_id}"


SR_CONFIRMED, SR_REJECTED = "confirmed", "rejected"
SCREENING_DECISIONS = [
    (SR_CONFIRMED, "确认有害/可疑 Confirmed"),
    (SR_REJECTED, "误报 False alarm"),
]


class ScreeningReview(models.Model):
    """筛查结论复核: a reviewer's or regulator's decision on a scan job's 不良APP screening verdict — ``confirmed``
    (确认有害/可疑) or ``rejected`` (误报) — with a written note. Reviews are kept as history; the latest one of a job
    counts (``testing.screening_review``). Companies and stores never see them (no path)."""

    job = models.ForeignKey(ScanJob, on_delete=models.CASCADE, related_name="screening_reviews")
    verdict = models.CharField("复核时的筛查结论 Verdict reviewed", max_length=12, choices=SCREENING_VERDICTS)
    decision = models.CharField("复核结论 Decision", max_length=12, choices=SCREENING_DECISIONS)
    note = models.TextField("复核意见 Note")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    COMPANY_PATH = None
    STORE_PATH = None

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["job", "-id"], name="testing_sr_job_latest")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} screening of job #{self.job_id}"
