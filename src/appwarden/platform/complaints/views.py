"""Complaint pages: the public form and status lookup (no login), the staff list and triage page."""

from __future__ import annotations

import math

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from appwarden.platform.complaints import services
from appwarden.platform.complaints.api import PublicThrottle
from appwarden.platform.complaints.forms import OpenScanForm, PublicComplaintForm, TriageForm
from appwarden.platform.complaints.models import Complaint
from appwarden.platform.core.roles import STAFF
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
    triage = TriageForm(
        initial={"status": complaint.status, "priority": complaint.priority, "app": complaint.app_id}
    )
    return render(
        request,
        "complaints/complaint_detail.html",
        {"complaint": complaint, "triage_form": triage, "scan_form": OpenScanForm()},
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
