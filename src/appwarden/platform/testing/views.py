"""Testing pages: batches with progress, upload, job detail with findings and review, the review queue."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from appwarden.errors import AppwardenError
from appwarden.platform.core.errors import DuplicateUpload
from appwarden.platform.core.models import ROLE_REGULATOR
from appwarden.platform.core.roles import STAFF, role_of, scoped
from appwarden.platform.core.uploadcheck import UploadCheckBusy
from appwarden.platform.core.views import attempt, get_scoped, role_required, safe_next, staff_or_404
from appwarden.platform.testing import ranking, reviewing, screening_review, services
from appwarden.platform.testing.forms import BatchForm, ReviewForm, UploadForm
from appwarden.platform.testing.models import (
    CONFIDENCE,
    F_CONFIRMED,
    F_PENDING,
    FAILURE_KINDS,
    SEVERITY,
    Batch,
    Finding,
    ScanJob,
)


@role_required(*STAFF)
def batch_list(request):
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        batch = form.save(commit=False)
        batch.created_by = request.user
        batch.save()
        messages.success(request, f"已创建检测批次 batch created: {batch}")
        return redirect("testing:batch_detail", pk=batch.pk)
    batches = [(b, b.progress()) for b in Batch.objects.all()[:200]]
    return render(request, "testing/batch_list.html", {"batches": batches, "form": form})


@staff_or_404(*STAFF)  # companies, stores, SDK vendors: 404 (no existence oracle)
def batch_detail(request, pk: int):
    batch = get_scoped(Batch, request.user, pk=pk)
    jobs = Paginator(
        batch.jobs.select_related("app_version__app")
        .defer("report")
        .annotate(n_findings=Count("findings"))
        .order_by("id"),
        100,
    ).get_page(request.GET.get("page"))
    return render(
        request, "testing/batch_detail.html", {"batch": batch, "progress": batch.progress(), "jobs": jobs}
    )


@role_required(*STAFF)
def upload(request):
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"batch": request.GET.get("batch")}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        files = d["file"]
        if len(files) > 1:
            return _upload_many(request, files, d)
        try:
            job = services.submit_apk(
                files[0],
                user=request.user,
                file_name=files[0].name,
                batch=d.get("batch"),
                policy=d.get("policy"),
                trace=d.get("trace"),
                category=d.get("category") or "",
                company=d.get("company"),
            )
        except DuplicateUpload as exc:
            messages.warning(request, str(exc))
            return redirect("testing:job_detail", pk=exc.job_id)
        except UploadCheckBusy as exc:  # nothing stored: tell the browser (and any script) to retry later
            messages.error(request, str(exc))
            resp = render(request, "testing/upload.html", {"form": form}, status=exc.http_status)
            resp["Retry-After"] = str(exc.retry_after)
            return resp
        except AppwardenError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已提交，排队检测 queued as job #{job.pk}")
            return redirect("testing:job_detail", pk=job.pk)
    return render(request, "testing/upload.html", {"form": form})


def _upload_many(request, files, d):
    """Queue several APKs (same batch, company, policy/trace); one message per refused file, one summary."""
    queued = 0
    for upload in files:
        try:
            services.submit_apk(
                upload,
                user=request.user,
                file_name=upload.name,
                batch=d.get("batch"),
                policy=d.get("policy"),
                trace=d.get("trace"),
                category=d.get("category") or "",
                company=d.get("company"),
            )
            queued += 1
        except AppwardenError as exc:
            messages.warning(request, f"{upload.name}: {exc}")
    messages.success(request, f"已提交 {queued}/{len(files)} 个APK queued {queued} of {len(files)} APKs")
    if d.get("batch"):
        return redirect("testing:batch_detail", pk=d["batch"].pk)
    return redirect("testing:job_list")


@role_required(*STAFF)
def job_list(request):
    jobs = ScanJob.objects.select_related("batch", "app_version__app").defer("report")
    status = request.GET.get("status")
    if status:
        jobs = jobs.filter(status=status)
    failure = request.GET.get("failure")
    if failure:
        jobs = jobs.filter(failure_kind=failure)
    page = Paginator(jobs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "testing/job_list.html",
        {"jobs": page, "status": status, "failure": failure, "failure_kinds": FAILURE_KINDS},
    )


@staff_or_404(*STAFF)  # companies, stores, SDK vendors: 404 (no existence oracle)
def job_detail(request, pk: int):
    from appwarden.platform.enforcement.forms import IssueOrderForm

    job = get_scoped(ScanJob, request.user, pk=pk)
    if job.app_version_id:
        job = ScanJob.objects.select_related("company", "app_version__app__company").get(pk=job.pk)
    findings = list(ranking.ranked(job.findings.all()).prefetch_related("reviews__reviewer"))
    confirmed = job.findings.filter(status=F_CONFIRMED)
    issue_form = IssueOrderForm(findings=confirmed) if confirmed.exists() else None
    issue_refused = ""
    if job.app_version_id:
        from appwarden.platform.enforcement.identity import with_established
        from appwarden.platform.enforcement.workflow import FOREIGN_ORDER_REFUSAL

        with_established([job.app_version])
        if job.app_version.foreign and issue_form is not None:
            issue_form, issue_refused = None, FOREIGN_ORDER_REFUSAL
    return render(
        request,
        "testing/job_detail.html",
        {
            "job": job,
            "findings": findings,
            "finding_groups": ranking.by_owner(findings),
            "review_form": ReviewForm(),
            "issue_form": issue_form,
            "issue_refused": issue_refused,
            "can_mark_signer": role_of(request.user) == ROLE_REGULATOR,
            **_report_lists(job.report),
            "screening_indicators": _screening_indicators(job.report),
            **_screening_reviews(job),
            **_company_check(job),
        },
    )


def _screening_reviews(job: ScanJob) -> dict[str, Any]:
    """The job's 筛查结论复核 history (newest first; the first one counts) and whether the review form is shown (a
    finished job with a harmful or suspicious verdict; the page is for reviewers and regulators only)."""
    reviews = list(job.screening_reviews.order_by("-id")[:100])
    return {
        "screening_reviews": reviews,
        # the review that counts: the job's latest, or one carried over from a job of the same APK and screening
        # result (``carried_from``)
        "screening_effective": screening_review.latest_review(job)
        if reviews or job.screening_verdict
        else None,
        "screening_reviewable": job.status == "done" and job.screening_verdict in screening_review.REVIEWABLE,
        "screening_note_max": screening_review.NOTE_MAX,
    }


@login_required
def screening_review_post(request, pk: int):
    """POST: record a 筛查结论复核 of the job (decision ``confirmed``/``rejected`` and a note; CSRF). Reviewers and
    regulators; everyone else gets 404 (no existence oracle). A refusal is a one-line message on the job page."""
    if role_of(request.user) not in STAFF:
        raise Http404("not found")
    job = get_scoped(ScanJob, request.user, pk=pk)
    back = f"/testing/jobs/{job.pk}/#screening"
    if request.method != "POST":
        return redirect(back)
    decision = request.POST.get("decision", "")
    label = "确认有害/可疑 confirmed" if decision == "confirmed" else "误报 false alarm"
    return attempt(
        request,
        lambda: screening_review.review_screening(
            job, user=request.user, decision=decision, note=request.POST.get("note", "")
        ),
        f"已记录筛查结论复核 screening review recorded: {label}",
        back,
    )


def _company_check(job: ScanJob) -> dict[str, Any]:
    """The company chosen at upload against the app's registered company, for the job page.

    Ingest gives an app without a company the chosen one (honoured); an app already registered to another
    company keeps it, and the page shows the conflict so that an officer settles it in the registry.
    """
    declared = job.company
    app = job.app_version.app if job.app_version_id else None
    registered = app.company if app is not None else None
    conflict = bool(declared and registered and declared.pk != registered.pk)
    return {"declared_company": declared, "registered_company": registered, "company_conflict": conflict}


REPORT_DOWNLOADS = {"json", "html", "pdf"}


@role_required()
def job_report(request, pk: int, fmt: str):
    """The job's report as a download: JSON as stored, HTML and PDF rendered from it by ``appwarden.report``.

    Scoped like the job page (a user who may not see the job gets 404, never a hint that it exists); 404 too for
    an unknown format or a job without a report yet. A stored report the renderers refuse is a one-line message
    on the job page.
    """
    if fmt not in REPORT_DOWNLOADS:
        raise Http404("unknown report format")
    job = get_scoped(ScanJob, request.user, pk=pk)
    if not isinstance(job.report, dict):
        raise Http404("no report yet")
    if fmt == "json":
        body = (json.dumps(job.report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        mime = "application/json; charset=utf-8"
    else:
        from appwarden.report import formats

        try:
            body = formats.render(fmt, job.report)
        except AppwardenError as exc:
            messages.error(request, f"报告无法生成 {fmt.upper()} the report cannot be rendered: {exc}")
            return redirect("testing:job_detail", pk=job.pk)
        mime = formats.get_format(fmt).mime
        if mime.startswith("text/") and "charset" not in mime:
            mime += "; charset=utf-8"
    response = HttpResponse(body, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="appwarden-job-{job.pk}.{fmt}"'
    return response


def _screening_indicators(report: Any) -> list[dict[str, Any]]:
    """The fired 不良APP screening indicators of a report for the job page (at most :data:`PAGE_LIST_LIMIT`)."""
    section = report.get("screening") if isinstance(report, dict) else None
    items = section.get("indicators") if isinstance(section, dict) else None
    return [i for i in items[:PAGE_LIST_LIMIT] if isinstance(i, dict)] if isinstance(items, list) else []


PAGE_LIST_LIMIT = 200  # report errors / SDKs shown on the job page; the rest are in the report JSON


def _report_lists(report: Any) -> dict[str, Any]:
    """The report's errors and SDKs for the job page, at most :data:`PAGE_LIST_LIMIT` of each: a crafted APK can
    make a report of 200,000 errors (one per odd zip entry, under the report size cap), which rendered whole
    would hold a web worker for seconds per view (issue #17). ``*_total`` are the full counts."""
    report = report if isinstance(report, dict) else {}
    errors = report.get("errors") if isinstance(report.get("errors"), list) else []
    sdks = report.get("sdks") if isinstance(report.get("sdks"), list) else []
    return {
        "report_errors": errors[:PAGE_LIST_LIMIT],
        "report_errors_total": len(errors),
        "sdks": sdks[:PAGE_LIST_LIMIT],
        "sdks_total": len(sdks),
    }


@staff_or_404(*STAFF)  # companies, stores, SDK vendors: 404 (no existence oracle)
def review(request, pk: int):
    finding = get_scoped(Finding, request.user, pk=pk)
    back = safe_next(
        request, request.POST.get("next"), f"/testing/jobs/{finding.job_id}/#finding-{finding.pk}"
    )
    if request.method != "POST":
        return redirect(back)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "审核需填写理由 a review needs an action and a reason")
        return redirect(back)
    action = form.cleaned_data["action"]
    return attempt(
        request,
        lambda: services.review_finding(
            finding,
            user=request.user,
            action=action,
            reason=form.cleaned_data["reason"],
            changes=form.changes(),
        ),
        f"已记录审核 review recorded: {action} finding #{finding.pk}",
        back,
    )


@role_required(*STAFF)
def review_queue(request):
    """Pending findings, ranked, 50 a page, with counts and the six filters (kept across pages); bulk review."""
    findings, active, invalid = reviewing.queue(request.user, request.GET)
    if invalid:
        messages.warning(request, f"已忽略无效的筛选条件 ignored invalid filters: {', '.join(invalid)}")
    findings = findings.select_related("app_version__app", "job").defer("job__report")
    page = Paginator(ranking.ranked(findings), 50).get_page(request.GET.get("page"))
    from appwarden.platform.enforcement.identity import with_established

    with_established([f.app_version for f in page])  # a build of another signer says so, with both signers
    return render(
        request,
        "testing/review_queue.html",
        {
            "findings": page,
            "total": page.paginator.count,
            "pending_total": scoped(Finding.objects.filter(status=F_PENDING), request.user).count(),
            "severity_counts": reviewing.severity_counts(findings),
            "filters": active,
            "filter_query": urlencode(active),
            "batches": Batch.objects.only("id", "name")[:200],
            "severities": SEVERITY,
            "confidences": CONFIDENCE,
            "review_form": ReviewForm(),
        },
    )


@role_required(*STAFF)
def bulk_review(request):
    """POST: confirm or reject the selected findings with one reason, all or none (see reviewing.bulk_review)."""
    back = safe_next(request, request.POST.get("next"), "/testing/findings/")
    if request.method != "POST":
        return redirect(back)
    action = request.POST.get("action", "")
    try:
        ids = reviewing.parse_ids(request.POST.getlist("ids"))
        count = reviewing.bulk_review(
            ids, user=request.user, action=action, reason=request.POST.get("reason", "")
        )
    except AppwardenError as exc:
        messages.error(request, str(exc))
    else:
        verb = "确认" if action == "confirm" else "驳回"
        messages.success(request, f"已批量{verb} {count} 个问题 bulk {action}: {count} findings")
    return redirect(back)


@role_required()
def finding_detail(request, pk: int):
    finding = get_scoped(Finding, request.user, pk=pk)
    return render(request, "testing/finding_detail.html", {"finding": finding, "review_form": ReviewForm()})
