"""投诉转办: forward a triaged complaint to the company of the app, the company answers, the reviewer decides.

State machine of a :class:`~appwarden.platform.complaints.models.ComplaintForward`::

    ∅ ──forward (reviewer/regulator; complaint triaged and linked to an app with a company)──► forwarded
    forwarded / returned ──answer (the app's company: text + optional attachment)──► answered
    answered ──accept (reviewer/regulator, note)──► accepted (the complaint is closed)
    answered ──send_back (reviewer/regulator, reason; new deadline)──► returned

Each function checks the role first, then the state, and raises :class:`RoleError` (403) or
:class:`TransitionError` (409) / :class:`PlatformError` (400) changing nothing. Every change is saved with
``save()`` (so ``post_save`` receivers such as the audit log and notifications see it), records a
:class:`ForwardTransition` and writes audit rows attributed to the acting user with the reason.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from appwarden.platform.complaints.models import (
    CLOSED,
    FORWARDED,
    FW_ACCEPTED,
    FW_ANSWERED,
    FW_RETURNED,
    FW_WAITING,
    SCANNING,
    TRIAGED,
    WAITING_STATES,
    Complaint,
    ComplaintForward,
    ForwardAnswer,
    ForwardTransition,
)
from appwarden.platform.core import audit, storage
from appwarden.platform.core.errors import PlatformError, RoleError, TransitionError
from appwarden.platform.core.models import ROLE_COMPANY
from appwarden.platform.core.roles import STAFF, require, role_of
from appwarden.platform.core.workdays import add_working_days

MAX_ATTACHMENT = 20 * 1024 * 1024  # bytes; an answer's attachment (a PDF, an image, a document)
MAX_DAYS = 60

# name -> (allowed source states, target state, roles)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "forward": ((), FW_WAITING, STAFF),
    "answer": (WAITING_STATES, FW_ANSWERED, (ROLE_COMPANY,)),
    "accept": ((FW_ANSWERED,), FW_ACCEPTED, STAFF),
    "send_back": ((FW_ANSWERED,), FW_RETURNED, STAFF),
}


def allowed_actions(fwd: ComplaintForward, user: Any) -> list[str]:
    """Names of the transitions ``user`` may apply to ``fwd`` now (for buttons)."""
    role = role_of(user)
    names = []
    for name, (sources, _target, roles) in TRANSITIONS.items():
        if fwd.state in sources and role in roles:
            if role == ROLE_COMPANY and fwd.company_id != getattr(user.profile, "company_id", None):
                continue
            names.append(name)
    return names


def _days(working_days: Any) -> int:
    if working_days in (None, ""):
        return int(settings.APPWARDEN_COMPLAINT_ANSWER_DAYS)
    try:
        days = int(working_days)
    except (TypeError, ValueError):
        raise PlatformError("答复期限须为 1–60 个工作日 working days must be 1-60") from None
    if not 1 <= days <= MAX_DAYS:
        raise PlatformError("答复期限须为 1–60 个工作日 working days must be 1-60")
    return days


def _check(fwd: ComplaintForward | None, name: str, user: Any, reason: str) -> None:
    sources, _target, roles = TRANSITIONS[name]
    require(user, *roles)
    if fwd is not None and fwd.state not in sources:
        raise TransitionError(
            f"当前状态为「{fwd.get_state_display()}」，不能执行该操作 illegal transition: cannot {name} "
            f"a forwarded complaint in state {fwd.state}"
        )
    if not (reason or "").strip():
        raise PlatformError(f"请填写{_REASON_LABEL[name]} {name} needs a text")


_REASON_LABEL = {"forward": "转办意见", "answer": "答复内容", "accept": "审核意见", "send_back": "退回理由"}


def _move(
    fwd: ComplaintForward, name: str, user: Any, reason: str, previous: str, *, save: bool = True
) -> None:
    """Save ``fwd`` in its new state (unless ``save`` is false: already saved) and record the transition (the
    caller holds a transaction)."""
    with audit.acting_as(user, reason):
        if save:
            fwd.save()
        ForwardTransition.objects.create(
            forward=fwd,
            name=name,
            from_state=previous,
            to_state=fwd.state,
            actor=user if getattr(user, "pk", None) else None,
            actor_name=getattr(user, "username", "") or "system",
            reason=reason,
        )
        audit.record(
            "transition",
            fwd,
            reason=reason,
            data={"transition": name, "from": previous, "to": fwd.state, "number": fwd.number},
        )


def forward(
    complaint: Complaint, *, user: Any, instructions: str, working_days: Any = None
) -> ComplaintForward:
    """Forward a triaged complaint to the company of its linked app; deadline = ``working_days`` working days
    (default ``APPWARDEN_COMPLAINT_ANSWER_DAYS``) after today, skipping ``APPWARDEN_HOLIDAYS``."""
    _check(None, "forward", user, instructions)
    days = _days(working_days)
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if complaint.status not in (TRIAGED, SCANNING):
            raise TransitionError(
                f"投诉状态为「{complaint.get_status_display()}」，只有已分派的投诉可以转办 only a triaged complaint "
                "can be forwarded"
            )
        app = complaint.app
        if app is None:
            raise PlatformError(
                "请先在分派时关联应用 link the complaint to an app (triage) before forwarding"
            )
        if app.company_id is None:
            raise PlatformError(
                "该应用尚未登记所属企业，无法转办 the app has no registered company: register it first"
            )
        if complaint.forwards.exclude(state=FW_ACCEPTED).exists():
            raise TransitionError("该投诉已转办且尚未办结 the complaint is already forwarded and not settled")
        today = timezone.localdate()
        with audit.acting_as(user, instructions):
            fwd = ComplaintForward(
                complaint=complaint,
                app=app,
                company_id=app.company_id,
                instructions=instructions.strip(),
                working_days=days,
                deadline=add_working_days(today, days, settings.APPWARDEN_HOLIDAYS),
                forwarded_by=user if getattr(user, "pk", None) else None,
            )
            audit.create_numbered(fwd, lambda f: f"ZB-{today:%Y}-{f.pk:05d}")
            complaint.status = FORWARDED
            complaint.assignee = complaint.assignee or user
            complaint.save()
        _move(fwd, "forward", user, instructions.strip(), "", save=False)
    return fwd


def _chunks(source: Any):
    if isinstance(source, (bytes, bytearray)):
        yield bytes(source)
    elif hasattr(source, "chunks"):
        yield from source.chunks()
    else:
        while block := source.read(1024 * 1024):
            yield block


def answer(
    fwd: ComplaintForward, *, user: Any, text: str, attachment: Any = None, file_name: str = ""
) -> ForwardAnswer:
    """The company's answer (text, optional attachment of at most 20 MB, stored by sha256). Only a user of the
    forward's company may answer, while the forward waits for an answer (forwarded or sent back)."""
    _check(fwd, "answer", user, text)
    if fwd.company_id != getattr(getattr(user, "profile", None), "company_id", None):
        raise RoleError("只有被转办企业可以答复 only the company the complaint was forwarded to may answer")
    sha, size, name = "", None, ""
    if attachment is not None:
        try:
            sha, size = storage.store_chunks(_chunks(attachment), max_size=MAX_ATTACHMENT)
        except PlatformError:
            raise PlatformError(
                "附件过大：不得超过 20 MB，未保存 attachment larger than 20 MB, nothing stored"
            ) from None
        name = (file_name or getattr(attachment, "name", "") or "attachment").replace("/", "_")[-255:]
    with transaction.atomic():
        locked = ComplaintForward.objects.select_for_update().get(pk=fwd.pk)
        _check(locked, "answer", user, text)
        previous = locked.state
        with audit.acting_as(user, "企业答复 company answer"):
            ans = ForwardAnswer(
                forward=locked,
                text=text.strip(),
                attachment_sha256=sha,
                attachment_name=name,
                attachment_size=size,
                submitted_by=user,
                deadline=locked.deadline,
            )
            ans.save()
        locked.state = FW_ANSWERED
        _move(locked, "answer", user, "企业答复 company answer", previous)
    fwd.refresh_from_db()
    return ans


def _decide(fwd: ComplaintForward, name: str, *, user: Any, note: str, working_days: Any = None) -> None:
    _check(fwd, name, user, note)
    days = _days(working_days) if name == "send_back" else None
    note = note.strip()
    with transaction.atomic():
        locked = ComplaintForward.objects.select_for_update().get(pk=fwd.pk)
        _check(locked, name, user, note)
        previous = locked.state
        latest = locked.answers.order_by("-id").first()
        with audit.acting_as(user, note):
            if latest is not None:
                latest.outcome = "accepted" if name == "accept" else "returned"
                latest.review_note = note
                latest.reviewed_by = user
                latest.reviewed_at = timezone.now()
                latest.save()
            if name == "accept":
                locked.state = FW_ACCEPTED
                locked.closed_at = timezone.now()
                complaint = locked.complaint
                complaint.status = CLOSED
                complaint.save()
            else:
                locked.state = FW_RETURNED
                locked.working_days = days
                locked.deadline = add_working_days(timezone.localdate(), days, settings.APPWARDEN_HOLIDAYS)
        _move(locked, name, user, note, previous)
    fwd.refresh_from_db()


def accept(fwd: ComplaintForward, *, user: Any, note: str) -> None:
    """Accept the company's latest answer (reviewer/regulator): the forward is settled and the complaint closed."""
    _decide(fwd, "accept", user=user, note=note)


def send_back(fwd: ComplaintForward, *, user: Any, note: str, working_days: Any = None) -> None:
    """Send the latest answer back with a reason (reviewer/regulator); the company answers again by a new
    deadline of ``working_days`` (default: the setting) working days from today."""
    _decide(fwd, "send_back", user=user, note=note, working_days=working_days)


def is_staff(user: Any) -> bool:
    """Reviewer or regulator."""
    return role_of(user) in STAFF


def contact_visible(fwd: ComplaintForward, user: Any) -> bool:
    """Whether ``user`` may see the complainant's name and contact on this forward: staff always, the company
    only when the complainant consented (``Complaint.contact_consent``)."""
    if role_of(user) in STAFF:
        return True
    return bool(fwd.complaint.contact_consent)
