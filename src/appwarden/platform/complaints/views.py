"""Complaint pages: the public form and status lookup (no login), the staff list and triage page."""

from __future__ import annotations

import math

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from appwarden.platform.complaints import forwarding, services
from appwarden.platform.complaints.api import PublicThrottle
from appwarden.platform.complaints.forms import (
    AnswerForm,
    DecisionForm,
    ForwardForm,
    OpenScanForm,
    PublicComplaintForm,
    TriageForm,
)
from appwarden.platform.complaints.models import (
    FORWARD_STATES,
    SCANNING,
    TRIAGED,
    WAITING_STATES,
    Complaint,
    ComplaintForward,
)
from appwarden.platform.core import storage
from appwarden.platform.core.models import ROLE_COMPANY
from appwarden.platform.core.roles import STAFF, scoped
from appwarden.platform.core.views import attempt, get_scoped, role_required


def _throttled(request) -> HttpResponse | None:
    """A 429 page when the client used up the public budget (the API's :class:`PublicThrottle`), else ``None``."""
    throttle = PublicThrottle()
    if throttle.allow_request(request, None):
        return None
    minutes = max(1, math.ceil((throttle.wait() or 60) / 60))
    resp = render(request, "complaints/public_throttled.html", {"minutes": minutes}, status=429)
    resp["Retry-After"] = str(minutes * 60)
    return resp


def public_new(request):
    """Public intake form (CSRF-protected, no login, throttled like the API); shows the tracking number."""
    if request.method == "POST" and (refused := _throttled(request)) is not None:
        return refused
    form = PublicComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        complaint = form.save()
        return render(request, "complaints/public_done.html", {"complaint": complaint})
    return render(request, "complaints/public_new.html", {"form": form})


def public_status(request):
    """Status lookup by tracking number (no login; a lookup is throttled like the API)."""
    number = request.GET.get("n", "").strip()
    if number and (refused := _throttled(request)) is not None:
        return refused
    complaint = Complaint.objects.filter(tracking_number=number).first() if number else None
    return render(request, "complaints/public_status.html", {"number": number, "complaint": complaint})


@role_required(*STAFF)
def complaint_list(request):
    complaints = Complaint.objects.select_related("app", "job").defer("job__report")
    status = request.GET.get("status")
    if status:
        complaints = complaints.filter(status=status)
    return render(
        request, "complaints/complaint_list.html", {"complaints": complaints[:500], "status": status}
    )


@role_required(*STAFF)
def complaint_detail(request, pk: int):
    complaint = get_scoped(Complaint, request.user, pk=pk)
    # a complaint naming a package the platform knows proposes that app (preselected, linked when saved)
    matched = None if complaint.app_id else services.matching_app(complaint)
    triage = TriageForm(
        initial={
            "status": complaint.status,
            "priority": complaint.priority,
            "app": complaint.app_id or (matched.pk if matched else None),
        }
    )
    return render(
        request,
        "complaints/complaint_detail.html",
        {
            "complaint": complaint,
            "matched_app": matched,
            "triage_form": triage,
            "scan_form": OpenScanForm(),
            "forward_form": ForwardForm(),
            "can_forward": complaint.status in (TRIAGED, SCANNING),
            "forwards": complaint.forwards.select_related("company"),
        },
    )


@role_required(*STAFF)
def complaint_triage(request, pk: int):
    complaint = get_scoped(Complaint, request.user, pk=pk)
    form = TriageForm(request.POST or None)
    back = f"/complaints/{pk}/"
    if request.method != "POST" or not form.is_valid():
        messages.error(request, "请填写处理意见 a note is required")
        return redirect(back)
    d = form.cleaned_data
    return attempt(
        request,
        lambda: services.triage(
            complaint,
            user=request.user,
            status=d["status"],
            note=d["note"],
            priority=d["priority"],
            app=d.get("app"),
        ),
        "已更新 updated",
        back,
    )


@role_required(*STAFF)
def complaint_scan(request, pk: int):
    complaint = get_scoped(Complaint, request.user, pk=pk)
    form = OpenScanForm(request.POST or None, request.FILES or None)
    back = f"/complaints/{pk}/"
    if request.method != "POST" or not form.is_valid():
        return redirect(back)
    apk = form.cleaned_data.get("apk")
    return attempt(
        request,
        lambda: services.open_scan(complaint, user=request.user, apk=apk, file_name=getattr(apk, "name", "")),
        "已发起检测 scan opened",
        back,
    )


# --- 投诉转办 (forwarded complaints): staff forward and decide, the company answers ------------------------------
@role_required(*STAFF)
def complaint_forward(request, pk: int):
    """POST: forward the complaint to its app's company (reviewers/regulators)."""
    complaint = get_scoped(Complaint, request.user, pk=pk)
    back = f"/complaints/{pk}/"
    form = ForwardForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, "请填写转办意见（期限 1–60 个工作日） instructions are required")
        return redirect(back)
    d = form.cleaned_data
    result: dict = {}

    def run() -> None:
        result["fwd"] = forwarding.forward(
            complaint, user=request.user, instructions=d["instructions"], working_days=d.get("working_days")
        )

    response = attempt(request, run, "已转办企业 forwarded to the company", back)
    if "fwd" in result:
        return redirect(f"/complaints/forwards/{result['fwd'].pk}/")
    return response


def _forward_list(request, template: str):
    forwards = scoped(ComplaintForward.objects.select_related("app", "company", "complaint"), request.user)
    state = request.GET.get("state", "")
    if state in dict(FORWARD_STATES):
        forwards = forwards.filter(state=state)
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        forwards = forwards.filter(state__in=WAITING_STATES, deadline__lt=timezone.localdate())
    return render(
        request,
        template,
        {"forwards": forwards[:500], "state": state, "overdue": overdue, "states": FORWARD_STATES},
    )


@role_required(*STAFF)
def forward_list(request):
    """Staff: every forwarded complaint (``?state=``, ``?overdue=1``)."""
    return _forward_list(request, "complaints/forward_list.html")


@role_required(ROLE_COMPANY)
def my_complaints(request):
    """Company: the complaints forwarded to it (``/my/complaints/``)."""
    return _forward_list(request, "complaints/my_complaints.html")


@role_required(*STAFF, ROLE_COMPANY)
def forward_detail(request, pk: int):
    fwd = get_scoped(ComplaintForward, request.user, pk=pk)
    return render(
        request,
        "complaints/forward_detail.html",
        {
            "fwd": fwd,
            "complaint": fwd.complaint,
            "contact_visible": forwarding.contact_visible(fwd, request.user),
            "allowed": forwarding.allowed_actions(fwd, request.user),
            "answers": fwd.answers.all(),
            "transitions": fwd.transitions.all(),
            "answer_form": AnswerForm(),
            "decision_form": DecisionForm(),
        },
    )


@role_required(*STAFF, ROLE_COMPANY)
def forward_answer(request, pk: int):
    """POST: the company's answer (text + optional attachment)."""
    fwd = get_scoped(ComplaintForward, request.user, pk=pk)
    back = f"/complaints/forwards/{pk}/"
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, "请填写答复内容 an answer text is required")
        return redirect(back)
    att = form.cleaned_data.get("attachment")
    return attempt(
        request,
        lambda: forwarding.answer(
            fwd,
            user=request.user,
            text=form.cleaned_data["text"],
            attachment=att,
            file_name=getattr(att, "name", ""),
        ),
        "已提交答复 answer submitted",
        back,
    )


@role_required(*STAFF, ROLE_COMPANY)
def forward_decide(request, pk: int):
    """POST: accept the answer or send it back (reviewers/regulators; a company gets 403)."""
    from django.core.exceptions import PermissionDenied

    fwd = get_scoped(ComplaintForward, request.user, pk=pk)
    if not forwarding.is_staff(request.user):
        raise PermissionDenied("only reviewers and regulators decide on answers")
    back = f"/complaints/forwards/{pk}/"
    form = DecisionForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, "请填写审核意见 a note is required")
        return redirect(back)
    d = form.cleaned_data
    if d["decision"] == "accept":
        return attempt(
            request,
            lambda: forwarding.accept(fwd, user=request.user, note=d["note"]),
            "已采纳并办结 accepted",
            back,
        )
    return attempt(
        request,
        lambda: forwarding.send_back(
            fwd, user=request.user, note=d["note"], working_days=d.get("working_days")
        ),
        "已退回 sent back",
        back,
    )


def attachment_response(fwd: ComplaintForward, answer_id) -> FileResponse:
    """An answer's attachment as a download (``application/octet-stream``, never rendered inline); 404 when the
    answer is not the forward's or has no attachment."""
    ans = fwd.answers.filter(pk=answer_id).exclude(attachment_sha256="").first()
    if ans is None or not storage.exists(ans.attachment_sha256):
        raise Http404("not found")
    resp = FileResponse(
        storage.open_blob(ans.attachment_sha256),
        as_attachment=True,
        filename=ans.attachment_name or "attachment",
        content_type="application/octet-stream",
    )
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@role_required(*STAFF, ROLE_COMPANY)
def forward_attachment(request, pk: int, answer_id: int):
    fwd = get_scoped(ComplaintForward, request.user, pk=pk)
    return attachment_response(fwd, answer_id)


@role_required(*STAFF, ROLE_COMPANY)
def forward_pdf(request, pk: int):
    """The 投诉转办单 PDF (the complainant's contact only as the user may see it)."""
    from appwarden.platform.portal.documents import forward_pdf_response

    fwd = get_scoped(ComplaintForward, request.user, pk=pk)
    return forward_pdf_response(fwd, request.user)
