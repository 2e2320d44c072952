"""Self-assessment pages: the company's ``/my/selfcheck/`` (upload, list, report) and the staff count page
``/selfcheck/`` (how many exist, per company; no app, no finding)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from appwarden.errors import AppwardenError
from appwarden.platform.core.models import ROLE_COMPANY
from appwarden.platform.core.roles import STAFF
from appwarden.platform.core.views import role_required
from appwarden.platform.selfcheck import services
from appwarden.platform.selfcheck.forms import SelfAssessmentForm
from appwarden.platform.selfcheck.models import QUEUED, RUNNING, SelfAssessment

REPORT_FORMATS = ("json", "html", "pdf")


def _own(request, pk: int) -> SelfAssessment:
    row = services.own(SelfAssessment.objects.all(), request.user).filter(pk=pk).first()
    if row is None:
        raise Http404("not found")
    return row


@role_required(ROLE_COMPANY)
def my_list(request):
    """The company's self-assessments and the upload form (POST: multipart ``apk``, ``policy``, ``category``)."""
    form = SelfAssessmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, "请选择要自评估的安装包 choose an APK")
        else:
            d = form.cleaned_data
            try:
                row = services.submit(
                    d["apk"], user=request.user, policy=d.get("policy"), category=d.get("category") or ""
                )
            except AppwardenError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已提交自评估 self-assessment queued")
                return redirect(f"/my/selfcheck/{row.pk}/")
    rows = services.own(SelfAssessment.objects.defer("report"), request.user)[:200]
    return render(request, "selfcheck/my_list.html", {"rows": rows, "form": form})


@role_required(ROLE_COMPANY)
def my_detail(request, pk: int):
    row = _own(request, pk)
    return render(
        request,
        "selfcheck/my_detail.html",
        {
            "row": row,
            "findings": services.ranked_findings(row.report),
            "pending": row.status in (QUEUED, RUNNING),
        },
    )


@role_required(ROLE_COMPANY)
def my_report(request, pk: int, fmt: str):
    """The self-assessment report as a download (JSON as stored; HTML/PDF rendered by ``appwarden.report``)."""
    if fmt not in REPORT_FORMATS:
        raise Http404("unknown format")
    row = _own(request, pk)
    if not isinstance(row.report, dict):
        raise Http404("no report yet")
    if fmt == "json":
        body = (json.dumps(row.report, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        mime = "application/json; charset=utf-8"
    else:
        from appwarden.report import formats

        try:
            body = formats.render(fmt, row.report)
        except AppwardenError as exc:
            messages.error(request, f"报告无法生成 the report cannot be rendered: {exc}")
            return redirect(f"/my/selfcheck/{row.pk}/")
        mime = formats.get_format(fmt).mime
        if mime.startswith("text/") and "charset" not in mime:
            mime += "; charset=utf-8"
    resp = HttpResponse(body, content_type=mime)
    resp["Content-Disposition"] = f'attachment; filename="appwarden-selfcheck-{row.pk}.{fmt}"'
    return resp


@role_required(*STAFF)
def staff_counts(request):
    """Staff: how many self-assessments exist (by status, per company); never their apps or findings."""
    return render(request, "selfcheck/staff_counts.html", {"counts": services.counts()})
