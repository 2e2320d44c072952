"""Complaint triage and "open a scan" from a complaint (staff only)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from appwarden.platform.complaints.models import (
    CLOSED,
    FORWARDED,
    FW_ACCEPTED,
    REJECTED,
    SCANNING,
    STATUS,
    Complaint,
)
from appwarden.platform.core import audit
from appwarden.platform.core.errors import PlatformError, TransitionError
from appwarden.platform.core.roles import STAFF, require
from appwarden.platform.registry.models import App
from appwarden.platform.testing.models import ScanJob


def matching_app(complaint: Complaint) -> App | None:
    """The registered app whose package is exactly the one the complaint names (surrounding blanks ignored), or
    ``None`` when the complaint names none or one the platform does not know. Never a prefix match:
    ``com.a.shop`` does not match ``com.a.shop.lite``."""
    package = (complaint.package or "").strip()
    return App.objects.filter(package=package).first() if package else None


def triage(
    complaint: Complaint,
    *,
    user: Any,
    status: str,
    note: str,
    priority: str | None = None,
    app: App | None = None,
) -> Complaint:
    """Set status/priority/app link with a note (staff)."""
    require(user, *STAFF)
    if status not in dict(STATUS):
        raise PlatformError(f"unknown complaint status {status!r}")
    if status == FORWARDED and complaint.status != FORWARDED:
        raise PlatformError("转办请使用“转办企业”功能 use forward to send a complaint to the company")
    if status not in (FORWARDED, CLOSED, REJECTED) and complaint.forwards.exclude(state=FW_ACCEPTED).exists():
        raise TransitionError(
            "投诉已转办企业且尚未办结，只能办结或不予受理 the complaint is with the company: it can only be closed or rejected"
        )
    if not note.strip():
        raise PlatformError("triage needs a note (处理意见必填)")
    if complaint.status in (CLOSED, REJECTED) and status not in (CLOSED, REJECTED):
        raise TransitionError("a closed complaint cannot be reopened")
    with audit.acting_as(user, note):
        complaint.status = status
        complaint.triage_note = note
        if priority:
            complaint.priority = priority
        if app is not None:
            complaint.app = app
        complaint.assignee = complaint.assignee or user
        complaint.save()
    return complaint


def open_scan(complaint: Complaint, *, user: Any, apk: Any = None, file_name: str = "") -> ScanJob:
    """Open a scan for a complaint: of an uploaded APK, or of the latest stored version of the linked app."""
    from appwarden.platform.core.errors import DuplicateUpload
    from appwarden.platform.testing.services import queue_job, submit_apk

    require(user, *STAFF)
    if complaint.status in (CLOSED, REJECTED):
        raise TransitionError("the complaint is closed")
    with transaction.atomic():
        if apk is not None:
            try:
                job = submit_apk(apk, user=user, file_name=file_name, purpose="complaint")
            except DuplicateUpload as dup:
                job = ScanJob.objects.get(pk=dup.job_id)
        else:
            app = complaint.app or matching_app(complaint)
            from appwarden.platform.registry.models import attributed

            # the app's newest own build (a build of another signer that only carries the package is not it)
            version = (
                app.versions.filter(attributed()).order_by("-first_seen", "-id").first() if app else None
            )
            if version is None:
                raise PlatformError("no stored version of this app: upload the APK to open a scan")
            job = queue_job(
                version.sha256,
                user=user,
                file_name=f"{app.package} {version.version_name}",
                purpose="complaint",
                allow_duplicate=True,
            )
            complaint.app = app
        with audit.acting_as(user, "scan opened from complaint"):
            complaint.job = job
            complaint.status = SCANNING
            complaint.save()
    return job
