"""Self-assessments: submit (store + queue), run (the ordinary scan sandbox), what staff may know (counts).

The upload goes through the testing pipeline's checks and storage (:func:`appwarden.platform.testing.services.
validate_apk` in its isolated child, content-addressed storage, the size cap) and the scan through
:func:`appwarden.platform.testing.engine.run_engine` (a child process under the scan limits). The queue is the same
as for scan jobs, by ``APPWARDEN_WORKER``: ``thread`` (the embedded worker takes a queued self-assessment when no
scan job waits), ``celery`` (task ``appwarden.selfcheck_job``), ``eager`` (at once), ``none`` (tests run
:func:`run`). Nothing here creates a scan job, an app, a version or a finding.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from appwarden.errors import AppwardenError
from appwarden.platform.core import audit, storage
from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.models import ROLE_COMPANY
from appwarden.platform.core.roles import require
from appwarden.platform.selfcheck.models import DONE, FAILED, QUEUED, RUNNING, SelfAssessment

log = logging.getLogger(__name__)
SEVERITIES = ("high", "medium", "low", "info")
STALE_AFTER = 120  # seconds beyond APPWARDEN_SCAN_TIMEOUT after which a running self-assessment is an orphan


class SelfcheckBusy(PlatformError):
    """The company already has ``APPWARDEN_SELFCHECK_MAX_PENDING`` self-assessments queued or running (HTTP 429)."""

    code = "throttled"
    http_status = 429
    retry_after = 60


def submit(
    apk: Any, *, user: Any, policy: Any = None, category: str = "", file_name: str = ""
) -> SelfAssessment:
    """Store the company's APK (and policy) and queue its self-assessment (company users only).

    Raises UploadError (nothing stored) for a non-APK or an oversize file, PlatformError for an unknown category.
    """
    from appwarden.platform.testing.categories import normalise
    from appwarden.platform.testing.services import MAX_SIDE_FILE, _chunks, dedupe_key, validate_apk

    require(user, ROLE_COMPANY)
    company_id = getattr(getattr(user, "profile", None), "company_id", None)
    if not company_id:
        raise PlatformError("该账户未绑定企业 the account is not bound to a company")
    category = normalise(category)
    limit = int(getattr(settings, "APPWARDEN_SELFCHECK_MAX_PENDING", 5))
    pending = SelfAssessment.objects.filter(company_id=company_id, status__in=(QUEUED, RUNNING)).count()
    if pending >= limit:  # they share the scan workers with the regulator's tests: no flooding the queue
        raise SelfcheckBusy(
            f"本企业已有 {pending} 项自评估在排队或检测中（最多 {limit} 项），请待其完成后再提交 "
            f"too many self-assessments queued or running (at most {limit})"
        )
    sha, size = storage.store_chunks(
        _chunks(apk), max_size=settings.APPWARDEN_MAX_UPLOAD, validate=validate_apk
    )
    policy_sha = storage.store_chunks(_chunks(policy), max_size=MAX_SIDE_FILE)[0] if policy else ""
    with transaction.atomic(), audit.acting_as(user, "企业自评估 self-assessment"):
        row = SelfAssessment(
            company_id=company_id,
            sha256=sha,
            file_name=(file_name or getattr(apk, "name", "") or "")[:255],
            size=size,
            policy_sha256=policy_sha,
            category=category,
            dedupe_key=dedupe_key(sha, policy_sha, "", category),
            created_by=user,
        )
        row.save()
        audit.record("selfcheck_submit", row, data={"company": company_id, "id": row.pk})
        transaction.on_commit(lambda: dispatch(row.pk))
    return row


def dispatch(pk: int) -> None:
    """Hand a queued self-assessment to the queue named by ``APPWARDEN_WORKER`` (see the module docstring)."""
    mode = settings.APPWARDEN_WORKER
    if mode == "celery":
        from appwarden.platform.selfcheck.tasks import selfcheck_job

        selfcheck_job.delay(pk)
    elif mode == "eager":
        run(pk)
    elif mode == "thread":
        from appwarden.platform.testing.worker import wake

        wake()


def _stale_before():
    return timezone.now() - timezone.timedelta(seconds=float(settings.APPWARDEN_SCAN_TIMEOUT) + STALE_AFTER)


def runnable() -> Q:
    """The self-assessments a worker may take: queued, or left running by a dead worker past the stale limit."""
    return Q(status=QUEUED) | Q(status=RUNNING, started_at__lt=_stale_before())


def claim(pk: int, token: str = "") -> SelfAssessment | None:
    """Atomically mark a queued (or orphaned running) self-assessment running and count the attempt; ``None`` when
    it is finished, missing, being run elsewhere, or out of attempts (then it ends failed, ``quarantined``).

    ``token``: the Celery token claiming it (recorded as ``claim_token``); a row already running under the same
    token is an orphan too (the token was redelivered because its worker died: testing/fairq.py)."""
    takeable = runnable()
    if token:
        takeable |= Q(status=RUNNING, claim_token=token[:64])
    updated = SelfAssessment.objects.filter(
        takeable, pk=pk, attempts__lt=settings.APPWARDEN_SCAN_MAX_ATTEMPTS
    ).update(status=RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, claim_token=token[:64])
    if not updated:
        SelfAssessment.objects.filter(
            takeable, pk=pk, attempts__gte=settings.APPWARDEN_SCAN_MAX_ATTEMPTS
        ).update(
            status=FAILED,
            failure_kind="quarantined",
            error="已隔离：多次扫描均未结束 quarantined: the scan never finished",
            finished_at=timezone.now(),
        )
        return None
    return SelfAssessment.objects.get(pk=pk)


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """``{"total": n, "by_severity": {high: n, ...}}`` of a report's findings."""
    by = dict.fromkeys(SEVERITIES, 0)
    total = 0
    for f in report.get("findings") or []:
        if isinstance(f, dict) and f.get("rule_id"):
            total += 1
            sev = str(f.get("severity") or "medium")
            by[sev] = by.get(sev, 0) + 1
    return {"total": total, "by_severity": by}


def run(pk: int, token: str = "") -> str:
    """Run one self-assessment to completion in the scan sandbox; idempotent (a finished one is left alone).
    Returns the final status. A clean worker stop (a ``BaseException`` that is not an ``Exception``) puts it back
    in the queue without counting the attempt."""
    row = claim(pk, token=token)
    if row is None:
        return SelfAssessment.objects.filter(pk=pk).values_list("status", flat=True).first() or "missing"
    return run_claimed(row)


def run_claimed(row: SelfAssessment) -> str:
    """Run a self-assessment already claimed (:func:`claim`, or the fair queue) to its end; see :func:`run`."""
    from appwarden.distributed.sandbox import ScanFailed
    from appwarden.platform.testing import engine
    from appwarden.platform.testing.services import _input_labels, check_supplied_inputs

    pk = row.pk
    reused = (
        SelfAssessment.objects.filter(dedupe_key=row.dedupe_key, status=DONE, report__isnull=False)
        .exclude(pk=row.pk)
        .order_by("id")
        .first()
    )
    try:
        if reused is not None:
            report = reused.report
        else:
            apk = storage.path_for(row.sha256)
            policy = storage.path_for(row.policy_sha256) if row.policy_sha256 else None
            with storage.open_blob(row.sha256):
                pass
            labels = _input_labels(row, apk, policy, None)
            report = engine.run_engine(apk, policy_path=policy, category=row.category, labels=labels)
            if isinstance(report, dict):
                check_supplied_inputs(row, report, labels)
        if not isinstance(report, dict) or not isinstance(report.get("app"), dict):
            raise PlatformError("the engine returned a report without an 'app' section")
        _finish(row, report)
    except ScanFailed as exc:
        _fail(row, str(exc), exc.kind)
    except AppwardenError as exc:
        _fail(row, str(exc), "input")
    except Exception as exc:
        log.exception("self-assessment %s crashed", pk)
        _fail(row, f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}", "engine")
    except BaseException:
        SelfAssessment.objects.filter(pk=pk, status=RUNNING).update(status=QUEUED, attempts=F("attempts") - 1)
        raise
    row.refresh_from_db()
    audit.record(
        "selfcheck_finish", row, data={"company": row.company_id, "id": row.pk, "status": row.status}
    )
    return row.status


def _finish(row: SelfAssessment, report: dict[str, Any]) -> None:
    from appwarden.platform.testing.services import storable_report

    report = storable_report(report)  # U+0000 (an app label may hold it) as U+FFFD: PostgreSQL refuses NUL
    info = report["app"]
    row.report = report
    row.package = str(info.get("package") or "")[:255]
    row.version_name = str(info.get("version_name") or "")[:100]
    row.label = str(info.get("label") or "")[:200]
    row.summary = summarise(report)
    row.status = DONE
    row.error = ""
    row.failure_kind = ""
    row.finished_at = timezone.now()
    row.save()


def _fail(row: SelfAssessment, message: str, kind: str) -> None:
    row.status = FAILED
    row.error = message
    row.failure_kind = kind
    row.finished_at = timezone.now()
    row.save(update_fields=["status", "error", "failure_kind", "finished_at"])


def requeue_orphans() -> int:
    """At the embedded worker's start: self-assessments left ``running`` by a dead worker go back to the queue while
    they have attempts left (the others are quarantined when next claimed). Returns how many were re-queued."""
    return SelfAssessment.objects.filter(status=RUNNING).update(status=QUEUED)


def own(qs, user: Any):
    """Self-assessments ``user`` may read: a company user its own company's, everybody else none (staff see only
    :func:`counts`)."""
    from appwarden.platform.core.roles import role_of, scoped

    if role_of(user) != ROLE_COMPANY:
        return qs.none()
    return scoped(qs, user)


def counts() -> dict[str, Any]:
    """What staff may know: how many self-assessments exist, by status and per company (no app, no finding)."""
    total = SelfAssessment.objects.count()
    by_status = dict(SelfAssessment.objects.values_list("status").annotate(n=Count("id")).order_by())
    per_company = list(
        SelfAssessment.objects.values("company_id", "company__name")
        .annotate(count=Count("id"), last=Max("created_at"))
        .order_by("-count", "company__name")
    )
    return {
        "total": total,
        "by_status": {s: by_status.get(s, 0) for s in (QUEUED, RUNNING, DONE, FAILED)},
        "companies": [
            {"company": r["company_id"], "name": r["company__name"], "count": r["count"], "last": r["last"]}
            for r in per_company
        ],
    }


def ranked_findings(report: Any) -> list[dict[str, Any]]:
    """The report's findings, severity high → info, then confidence (as the platform ranks findings)."""
    sev = {s: i for i, s in enumerate(SEVERITIES)}
    conf = {"confirmed": 0, "likely": 1, "possible": 2}
    items = [f for f in (report or {}).get("findings") or [] if isinstance(f, dict) and f.get("rule_id")]
    return sorted(
        items, key=lambda f: (sev.get(str(f.get("severity")), 9), conf.get(str(f.get("confidence")), 9))
    )
