"""Testing services: register uploads, run a scan job (idempotent), ingest reports, review findings.

Nothing here runs inside a web request except :func:`submit_apk` (store + queue); scans run in a worker
(:mod:`appwarden.platform.testing.queue`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from appwarden.errors import AppwardenError
from appwarden.platform.core import audit, problem_types, storage
from appwarden.platform.core.errors import DuplicateUpload, PlatformError, UploadError
from appwarden.platform.core.roles import STAFF, require
from appwarden.platform.registry.models import SIGNER_FOREIGN, SIGNER_OWN, App, AppVersion, Company
from appwarden.platform.testing import engine, signals
from appwarden.platform.testing.models import (
    EDITABLE_FIELDS,
    F_CONFIRMED,
    F_PENDING,
    F_REJECTED,
    FAIL_ENGINE,
    FAIL_INPUT,
    FAIL_QUARANTINED,
    JOB_DONE,
    JOB_FAILED,
    JOB_QUEUED,
    JOB_RUNNING,
    Batch,
    Finding,
    Review,
    ScanJob,
    screening_fields,
    sdk_version_map,
)
from appwarden.report.notice import finding_notice_types

log = logging.getLogger(__name__)
MAX_SIDE_FILE = 20 * 1024 * 1024  # policy / trace files


def validate_apk(path: Path) -> None:
    """Raise UploadError unless ``path`` is a zip archive holding ``AndroidManifest.xml``.

    The zip is read with the engine's own reader (as tolerant as Android's), not Python's stricter ``zipfile``,
    so quirky but installable APKs are accepted; the manifest itself is parsed later, by the scan. The reading
    runs in a child process under the upload-check limits (:mod:`appwarden.platform.core.uploadcheck`), never in
    the web process: a crafted central directory cannot hold a web worker.
    """
    from appwarden.platform.core.uploadcheck import run_check

    run_check(path, "apk")


def _chunks(source: Any) -> Iterable[bytes]:
    if isinstance(source, (bytes, bytearray)):
        yield bytes(source)
    elif hasattr(source, "chunks"):
        yield from source.chunks()
    else:
        while True:
            block = source.read(1024 * 1024)
            if not block:
                break
            yield block


def dedupe_key(sha256: str, policy_sha: str = "", trace_sha: str = "", category: str = "") -> str:
    """sha256 + engine version + rules version (+ the optional inputs that change the result)."""
    extra = hashlib.sha256(f"{policy_sha}|{trace_sha}|{category}".encode()).hexdigest()[:16]
    return f"{sha256}:{engine.engine_version()}:{engine.rules_version()}:{extra}"


def submit_apk(
    apk: Any,
    *,
    user: Any,
    file_name: str = "",
    batch: Batch | None = None,
    policy: Any = None,
    trace: Any = None,
    category: str = "",
    company: Company | None = None,
    purpose: str = "scan",
    allow_duplicate: bool = False,
    party: str = "",
) -> ScanJob:
    """Store an uploaded APK (bytes, a file object or a Django UploadedFile) and queue a scan job.

    Raises UploadError (nothing stored) for a non-APK or an oversize file, DuplicateUpload when the same inputs
    were already submitted to the same batch with the same engine and rules versions, QueueFull (HTTP 429, nothing
    stored) when the job's party (``party``, default :func:`fairq.party_for` the user and purpose) already has the
    maximum of queued jobs (:mod:`appwarden.platform.testing.fairq`).
    """
    from appwarden.platform.testing import fairq

    party = party or fairq.party_for(user, purpose)
    fairq.check_bound(party, user)
    sha, size = storage.store_chunks(
        _chunks(apk), max_size=settings.APPWARDEN_MAX_UPLOAD, validate=validate_apk
    )
    policy_sha = storage.store_chunks(_chunks(policy), max_size=MAX_SIDE_FILE)[0] if policy else ""
    trace_sha = storage.store_chunks(_chunks(trace), max_size=MAX_SIDE_FILE)[0] if trace else ""
    return queue_job(
        sha,
        size=size,
        user=user,
        file_name=file_name or getattr(apk, "name", "") or "",
        batch=batch,
        policy_sha=policy_sha,
        trace_sha=trace_sha,
        category=category,
        company=company,
        purpose=purpose,
        allow_duplicate=allow_duplicate,
        party=party,
    )


def queue_job(
    sha: str,
    *,
    user: Any,
    size: int | None = None,
    file_name: str = "",
    batch: Batch | None = None,
    policy_sha: str = "",
    trace_sha: str = "",
    category: str = "",
    company: Company | None = None,
    purpose: str = "scan",
    allow_duplicate: bool = False,
    party: str = "",
) -> ScanJob:
    """Queue a scan of an already stored APK; see :func:`submit_apk` for duplicates and the party's bound (checked
    again here under a lock, so that concurrent submissions cannot pass it)."""
    from appwarden.platform.testing import fairq

    party = party or fairq.party_for(user, purpose)
    if not storage.exists(sha):
        raise UploadError(f"no stored APK with sha256 {sha[:12]}…")
    from appwarden.platform.testing.categories import normalise

    category = normalise(category)
    key = dedupe_key(sha, policy_sha, trace_sha, category)
    if not allow_duplicate:
        dup = ScanJob.objects.filter(dedupe_key=key, batch=batch).exclude(status=JOB_FAILED).first()
        if dup is not None:
            where = f"batch “{batch}”" if batch else "the platform"
            raise DuplicateUpload(
                f"重复提交 duplicate: this APK (sha256 {sha[:12]}…) is already job #{dup.pk} in {where} "
                "with the same engine and rules versions",
                job_id=dup.pk,
            )
    with transaction.atomic():
        fairq.lock_party(party)
        job = ScanJob.objects.create(
            batch=batch,
            purpose=purpose,
            party=party[:40],
            sha256=sha,
            file_name=file_name[:255],
            size=size if size is not None else storage.path_for(sha).stat().st_size,
            policy_sha256=policy_sha,
            trace_sha256=trace_sha,
            category=category,
            company=company,
            engine_version=engine.engine_version(),
            rules_version=engine.rules_version(),
            dedupe_key=key,
            created_by=user if getattr(user, "pk", None) else None,
        )
        # a race lost to another submission of the same party: refused, the transaction rolls back
        fairq.recheck_bound(party, job.pk, user)
        from appwarden.platform.testing.queue import dispatch

        transaction.on_commit(lambda: dispatch(job.pk))
    return job


def claim(job_id: int, *, token: str = "", queued_only: bool = False) -> ScanJob | None:
    """Atomically mark a queued (or orphaned running) job as running and count the attempt.

    ``None`` when the job is done, failed or missing, or when it has already been started
    ``APPWARDEN_SCAN_MAX_ATTEMPTS`` times: such a job is quarantined instead (see :func:`quarantine_exhausted`).
    ``queued_only``: take a queued job only (the fair queue's claim; a running one is another worker's, and a lost
    race returns ``None``); it records the claimer's ``token`` as ``claim_token`` (empty for the embedded worker,
    so an earlier token no longer names the job). Otherwise a given ``token`` is recorded and none leaves it as is.
    """
    statuses = [JOB_QUEUED] if queued_only else [JOB_QUEUED, JOB_RUNNING]
    changes: dict[str, Any] = {
        "status": JOB_RUNNING,
        "started_at": timezone.now(),
        "attempts": F("attempts") + 1,
    }
    if token or queued_only:
        changes["claim_token"] = token[:64]
    updated = ScanJob.objects.filter(
        pk=job_id, status__in=statuses, attempts__lt=settings.APPWARDEN_SCAN_MAX_ATTEMPTS
    ).update(**changes)
    if not updated:
        quarantine_exhausted(pk=job_id, **({"status": JOB_QUEUED} if queued_only else {}))
        return None
    return ScanJob.objects.get(pk=job_id)


def quarantine_exhausted(**filters: Any) -> list[int]:
    """Poison-job handling: end as *failed*, kind ``quarantined``, every queued or running job (matching
    ``filters``) that was already started ``APPWARDEN_SCAN_MAX_ATTEMPTS`` times without an outcome (its worker died
    each time, e.g. killed or restarted mid-scan). Returns their ids; ``scan_finished`` is sent for each."""
    limit = settings.APPWARDEN_SCAN_MAX_ATTEMPTS
    ended: list[int] = []
    candidates = ScanJob.objects.filter(
        status__in=[JOB_QUEUED, JOB_RUNNING], attempts__gte=limit, **filters
    ).values_list("pk", "attempts")
    for pk, attempts in list(candidates):
        message = (
            f"已隔离：已尝试 {attempts} 次，每次扫描都未能结束（工作进程中途退出），不再自动重试 "
            f"quarantined after {attempts} attempts: the worker running the scan stopped each time; "
            "not retried automatically"
        )
        if ScanJob.objects.filter(pk=pk, status__in=[JOB_QUEUED, JOB_RUNNING]).update(
            status=JOB_FAILED, failure_kind=FAIL_QUARANTINED, error=message, finished_at=timezone.now()
        ):
            log.warning("scan job %s quarantined after %s attempts", pk, attempts)
            ended.append(pk)
            signals.scan_finished.send(sender=ScanJob, job=ScanJob.objects.get(pk=pk))
    return ended


def requeue_orphans() -> int:
    """At a worker's start: quarantine the orphaned running jobs that used up their attempts and put the others
    back in the queue (the embedded equivalent of a broker's redelivery). Returns how many were re-queued."""
    quarantine_exhausted(status=JOB_RUNNING)
    return ScanJob.objects.filter(status=JOB_RUNNING).update(status=JOB_QUEUED)


def _input_labels(job: ScanJob, apk: Path, policy: Path | None, trace: Path | None) -> dict[str, str]:
    """Server paths -> what the user calls them, for messages (no storage path reaches a user)."""
    labels = {str(apk): job.file_name or f"APK {job.sha256[:12]}"}
    if policy is not None:
        labels[str(policy)] = "隐私政策文件 policy file"
    if trace is not None:
        labels[str(trace)] = "运行轨迹文件 trace file"
    return labels


def check_supplied_inputs(job: ScanJob, report: dict[str, Any], labels: dict[str, str]) -> None:
    """Raise ScanFailed (kind ``input``) when a policy or trace supplied with the job was not analysed: the job must
    fail with the reason, never end done with fewer findings."""
    from appwarden.distributed.sandbox import ScanFailed, relabel

    def reason(stage: str) -> str:
        for note in report.get("errors") or []:
            if isinstance(note, dict) and note.get("stage") == stage and note.get("message"):
                return " ".join(relabel(str(note["message"]), labels).split())[:300]
        return "no result"

    if job.policy_sha256 and not report.get("policy"):
        raise ScanFailed(
            FAIL_INPUT,
            f"隐私政策无法分析，检测未完成 the supplied privacy policy could not be analysed: {reason('policy')}",
        )
    if job.trace_sha256 and not report.get("dynamic"):
        raise ScanFailed(
            FAIL_INPUT,
            f"运行轨迹无法分析，检测未完成 the supplied runtime trace could not be analysed: {reason('dynamic')}",
        )


def run_scan(job_id: int) -> str:
    """Run one job to completion; idempotent (a done/failed job is left alone). Returns the final status.

    The scan runs in an isolated child process (:func:`engine.run_engine`); a scan over the time or memory limit,
    an unreadable input (the APK, or a policy/trace supplied with the job) or an engine error ends the job
    *failed* with a one-line reason and its ``failure_kind``; none of them is retried.
    """
    job = claim(job_id)
    if job is None:
        current = ScanJob.objects.filter(pk=job_id).values_list("status", flat=True).first()
        return current or "missing"
    return run_claimed(job)


def run_claimed(job: ScanJob) -> str:
    """Run a job already claimed (running, attempt counted: :func:`claim`, or the fair queue's
    :func:`~appwarden.platform.testing.fairq.claim_next`) to its end; see :func:`run_scan`. Returns the final
    status."""
    from appwarden.distributed.sandbox import ScanFailed

    job_id = job.pk
    reused = (
        ScanJob.objects.filter(dedupe_key=job.dedupe_key, status=JOB_DONE, report__isnull=False)
        .exclude(pk=job.pk)
        .order_by("id")
        .first()
    )
    try:
        if reused is not None:
            report = reused.report
        else:
            apk = storage.path_for(job.sha256)
            policy = storage.path_for(job.policy_sha256) if job.policy_sha256 else None
            trace = storage.path_for(job.trace_sha256) if job.trace_sha256 else None
            with storage.open_blob(job.sha256):
                pass  # fail early with a clear message when the blob is missing
            labels = _input_labels(job, apk, policy, trace)
            report = engine.run_engine(
                apk, policy_path=policy, trace_path=trace, category=job.category, labels=labels
            )
            if isinstance(report, dict):
                check_supplied_inputs(job, report, labels)
        ingest_report(job, report, reused_from=reused)
    except ScanFailed as exc:
        _fail(job, str(exc), exc.kind)
    except AppwardenError as exc:
        _fail(job, str(exc), FAIL_INPUT)
    except Exception as exc:  # a bug in the engine: record it on the job, one line
        log.exception("scan job %s crashed", job_id)
        _fail(job, f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}", FAIL_ENGINE)
    job.refresh_from_db()
    signals.scan_finished.send(sender=ScanJob, job=job)
    return job.status


def _fail(job: ScanJob, message: str, kind: str = FAIL_ENGINE) -> None:
    with transaction.atomic():
        job.status = JOB_FAILED
        job.error = message
        job.failure_kind = kind
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "failure_kind", "finished_at"])


def _signer(app: dict[str, Any]) -> dict[str, Any]:
    signers = app.get("signers") or []
    return signers[0] if signers and isinstance(signers[0], dict) else {}


# A JSON \u0000 escape: an odd number of backslashes before "u0000" (an even number is escaped backslashes, text)
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def storable_report(report: Any) -> Any:
    """``report`` with every U+0000 in its strings (keys too) replaced by U+FFFD: PostgreSQL refuses NUL in text and
    jsonb columns, and an app's label or strings may hold one (Android shows any string). Unchanged (the same
    object) when it has none."""
    text = json.dumps(report, ensure_ascii=True)  # ensure_ascii: every NUL is written as the escape \u0000
    if "\\u0000" not in text:
        return report
    return json.loads(_NUL_ESCAPE.sub(lambda m: m.group(1) + "\\ufffd", text))


def _accepted_by_override(sha: str, app: App) -> bool:
    """Whether a regulator accepted the APK ``sha`` as the rectified version of one of ``app``'s orders with a
    written override of the identity check (``CompanyResponse.override_reason``, audited): the regulator has judged
    the build the company's own, so its signer is the app's from then on."""
    from appwarden.platform.enforcement.models import CompanyResponse

    return CompanyResponse.objects.filter(new_sha256=sha, order__app=app).exclude(override_reason="").exists()


@transaction.atomic
def ingest_report(job: ScanJob, report: dict[str, Any], *, reused_from: ScanJob | None = None) -> None:
    """Store a report: register the app/version, replace the job's findings, mark the job done. Strings holding
    U+0000 are stored with U+FFFD in its place (:func:`storable_report`)."""
    if not isinstance(report, dict) or not isinstance(report.get("app"), dict):
        raise PlatformError("the engine returned a report without an 'app' section")
    report = storable_report(report)
    info = report["app"]
    package = str(info.get("package") or "").strip()
    if not package:
        raise PlatformError("the report has no package name")
    app, _ = App.objects.get_or_create(package=package, defaults={"name": str(info.get("label") or "")[:200]})
    if job.company_id and app.company_id is None:
        app.company_id = job.company_id
        app.save(update_fields=["company"])
    signer = _signer(info)
    relation = SIGNER_OWN
    if not AppVersion.objects.filter(sha256=job.sha256).exists():
        # a new build: how its signer relates to the app's established ones (docs/platform.md "Builds signed by
        # another key"); the app row is locked so that two first builds of one app are judged one after the other
        from appwarden.platform.enforcement.identity import attribution, established_signers, report_lineage

        list(App.objects.select_for_update().filter(pk=app.pk).values_list("pk", flat=True))
        signers = [
            str(x.get("sha256")) for x in info.get("signers") or [] if isinstance(x, dict) and x.get("sha256")
        ]
        known = established_signers([app.pk]).get(app.pk, [])
        relation = attribution(known, signers, report_lineage(info))
        if relation == SIGNER_FOREIGN and _accepted_by_override(job.sha256, app):
            relation = SIGNER_OWN
    version, _created = AppVersion.objects.get_or_create(
        sha256=job.sha256,
        defaults={
            "signer_relation": relation,
            "app": app,
            "version_name": str(info.get("version_name") or "")[:100],
            "version_code": info.get("version_code") if isinstance(info.get("version_code"), int) else None,
            "label": str(info.get("label") or "")[:200],
            "signer_subject": str(signer.get("subject") or "")[:500],
            "signer_sha256": str(signer.get("sha256") or "")[:64],
            "size": job.size,
        },
    )
    job.findings.all().delete()
    rows = []
    for raw in report.get("findings") or []:
        if not isinstance(raw, dict) or not raw.get("rule_id"):
            continue
        clauses = [str(c) for c in raw.get("clauses") or []]
        types = finding_notice_types(raw)  # the one mapping; KnowledgeError fails the job with the reason
        rows.append(
            Finding(
                job=job,
                app_version=version,
                rule_id=str(raw["rule_id"])[:200],
                title_zh=str(raw.get("title_zh") or raw["rule_id"])[:300],
                title_en=str(raw.get("title_en") or "")[:300],
                clauses=clauses,
                notice_types=types,
                problem_type=problem_types.group_of_types(types),
                severity=str(raw.get("severity") or "medium")[:8],
                confidence=str(raw.get("confidence") or "possible")[:12],
                needs_review=bool(raw.get("needs_review", True)),
                evidence=raw.get("evidence") or [],
                owner=str(raw.get("owner") or "host")[:200],
                remediation_zh=str(raw.get("remediation_zh") or ""),
                message_zh=str(raw.get("message_zh") or ""),
            )
        )
    for row in rows:
        row.save()
    job.report = report
    job.screening_verdict, job.screening_categories = screening_fields(report)
    job.sdk_versions = sdk_version_map(report)
    job.app_version = version
    job.reused_from = reused_from
    job.status = JOB_DONE
    job.error = ""
    job.failure_kind = ""
    job.finished_at = timezone.now()
    job.save()


def review_finding(
    finding: Finding, *, user: Any, action: str, reason: str, changes: dict | None = None
) -> Review:
    """Confirm, reject or edit a finding (reviewers/regulators only; a reason is required).

    ``edit`` changes only :data:`EDITABLE_FIELDS` and leaves the status as it is. The given ``finding`` object is
    refreshed from the database afterwards.
    """
    require(user, *STAFF)
    reason = (reason or "").strip()
    if not reason:
        raise PlatformError("a review needs a reason (审核理由必填)")
    if action not in ("confirm", "reject", "edit"):
        raise PlatformError(f"未知的审核操作 unknown review action {action!r}")
    applied: dict[str, Any] = {}
    original = finding
    with transaction.atomic(), audit.acting_as(user, reason):
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if action == "edit":
            for field, value in (changes or {}).items():
                if field not in EDITABLE_FIELDS:
                    raise PlatformError(f"字段 {field!r} 不可修改 field {field!r} cannot be edited")
                if field == "clauses":
                    value = [
                        str(c).strip() for c in (value if isinstance(value, list) else str(value).split(","))
                    ]
                    value = [c for c in value if c]  # the 通报 types stay the rule's: they are not per clause
                applied[field] = {"old": getattr(finding, field), "new": value}
                setattr(finding, field, value)
            if not applied:
                raise PlatformError("修改审核须至少修改一个字段 an edit must change at least one field")
        else:
            finding.status = F_CONFIRMED if action == "confirm" else F_REJECTED
        finding.reviewed_by = user
        finding.reviewed_at = timezone.now()
        finding.save()
        review = Review.objects.create(
            finding=finding, reviewer=user, action=action, reason=reason, changes=applied
        )
    original.refresh_from_db()
    if action != "edit":  # a re-test result resting on this finding follows the review
        from appwarden.platform.enforcement.workflow import refresh_after_review

        refresh_after_review(finding)
    return review


def reopen_finding(finding: Finding, *, user: Any, reason: str) -> None:
    """Put a reviewed finding back to pending (regulators only)."""
    require(user, "regulator")
    with audit.acting_as(user, reason):
        finding.status = F_PENDING
        finding.save(update_fields=["status"])
    from appwarden.platform.enforcement.workflow import refresh_after_review

    refresh_after_review(finding)
