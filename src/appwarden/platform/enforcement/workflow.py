"""The enforcement state machine.

```
issue ──► issued ──respond──► responded ──start_retest──► retesting ──(scan done)──► retested ──close──► closed
            │  (overdue)          │ (overdue)                 │ (scan failed: back to responded)     │
            └──────escalate───────┴──────────────────────────────────────────────────escalate─────┘
                                                   ▼
                                                noticed ──order_takedown──► takedown ──(all stores confirm)──► taken_down
```

Every function checks the current state and the actor's role, raises
:class:`~appwarden.platform.core.errors.TransitionError` / ``RoleError`` otherwise, and records an
:class:`~appwarden.platform.enforcement.models.OrderTransition` (who, when, why) plus an audit row.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from appwarden.platform.core import audit, storage
from appwarden.platform.core.errors import PlatformError, TransitionError, UploadError
from appwarden.platform.core.models import ROLE_COMPANY, ROLE_REGULATOR, ROLE_REVIEWER, ROLE_STORE
from appwarden.platform.core.roles import require, role_of
from appwarden.platform.core.workdays import add_working_days
from appwarden.platform.enforcement.models import (
    CLOSED,
    ISSUED,
    NOTICED,
    RESPONDED,
    RETESTED,
    RETESTING,
    TAKEDOWN,
    TAKEN_DOWN,
    TD_CONFIRMED,
    TD_PENDING,
    CompanyResponse,
    NoticeBatch,
    NoticeItem,
    OrderTransition,
    RectificationOrder,
    Retest,
    TakedownOrder,
)
from appwarden.platform.registry.models import AppVersion
from appwarden.platform.testing.models import F_CONFIRMED, F_REJECTED, JOB_DONE, JOB_FAILED, Finding, ScanJob

# name -> (allowed source states, target state, roles allowed)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "respond": ((ISSUED,), RESPONDED, (ROLE_COMPANY, ROLE_REGULATOR)),
    "start_retest": ((RESPONDED,), RETESTING, (ROLE_REVIEWER, ROLE_REGULATOR)),
    "complete_retest": ((RETESTING,), RETESTED, ()),  # system
    "retest_failed": ((RETESTING,), RESPONDED, ()),  # system
    "close": ((RETESTED,), CLOSED, (ROLE_REVIEWER, ROLE_REGULATOR)),
    "escalate": ((ISSUED, RESPONDED, RETESTED), NOTICED, (ROLE_REGULATOR,)),
    "order_takedown": ((NOTICED,), TAKEDOWN, (ROLE_REGULATOR,)),
    "complete_takedown": ((TAKEDOWN,), TAKEN_DOWN, ()),  # system
}


def allowed_transitions(order: RectificationOrder, user: Any) -> list[str]:
    """Names of the human transitions ``user`` may apply to ``order`` now (for buttons)."""
    role = role_of(user)
    names = []
    for name, (sources, _target, roles) in TRANSITIONS.items():
        if order.state in sources and role in roles:
            if role == ROLE_COMPANY and order.company_id != getattr(user.profile, "company_id", None):
                continue
            if not _guard_ok(order, name):
                continue
            names.append(name)
    return names


def _guard_ok(order: RectificationOrder, name: str) -> bool:
    """The state-independent guards of ``close`` and ``escalate`` (so that forms are offered only when legal)."""
    if name in ("close", "escalate") and order.state == RETESTED:
        retest = order.retests.filter(completed_at__isnull=False).order_by("-id").first()
        passed = bool(retest and (retest.diff or {}).get("passed"))
        return passed if name == "close" else not passed
    if name == "escalate" and order.state in (ISSUED, RESPONDED):
        return timezone.localdate() > order.deadline or order.overdue_since is not None
    return True


def _move(order: RectificationOrder, name: str, user: Any, reason: str, *, system: bool = False) -> None:
    sources, target, roles = TRANSITIONS[name]
    if order.state not in sources:
        raise TransitionError(
            f"非法操作 illegal transition: cannot {name} an order in state {order.get_state_display()}"
        )
    if not system:
        if not roles:
            raise TransitionError(f"{name} is performed by the system, not by a user")
        require(user, *roles)
        if not (reason or "").strip():
            raise PlatformError(f"{name} needs a reason (理由必填)")
    previous = order.state
    order.state = target
    if target == CLOSED:
        order.closed_at = timezone.now()
    with audit.acting_as(user, reason):
        order.save()
        OrderTransition.objects.create(
            order=order,
            name=name,
            from_state=previous,
            to_state=target,
            actor=user if getattr(user, "pk", None) else None,
            actor_name=getattr(user, "username", "") or "system",
            reason=reason,
        )


def _lock(order: RectificationOrder) -> RectificationOrder:
    return RectificationOrder.objects.select_for_update().get(pk=order.pk)


def _number_for(order: RectificationOrder) -> str:
    """``ZG-<year>-<id>``: unique without counting rows (safe under concurrent issuing)."""
    return f"ZG-{order.issued_at.astimezone(timezone.get_current_timezone()).year}-{order.pk:05d}"


def issue_order(
    version: AppVersion,
    findings: list[Finding],
    *,
    user: Any,
    reason: str,
    working_days: int | None = None,
    requirements: str = "",
) -> RectificationOrder:
    """Issue a 责令整改 order for confirmed findings of one app version (reviewer/regulator)."""
    require(user, ROLE_REVIEWER, ROLE_REGULATOR)
    if not (reason or "").strip():
        raise PlatformError("issuing an order needs a reason (理由必填)")
    if not findings:
        raise PlatformError("an order needs at least one confirmed finding")
    for f in findings:
        if f.status != F_CONFIRMED:
            raise PlatformError(f"finding #{f.pk} is not confirmed; only confirmed findings can be ordered")
        if f.app_version_id != version.pk:
            raise PlatformError(f"finding #{f.pk} belongs to another app version")
    days = settings.APPWARDEN_RECTIFY_DAYS if working_days is None else int(working_days)
    if days < 1 or days > 365:
        raise PlatformError("working days must be between 1 and 365")
    today = timezone.localdate()
    with transaction.atomic(), audit.acting_as(user, reason):
        order = RectificationOrder.objects.create(
            number=f"pending-{uuid.uuid4().hex}",
            app=version.app,
            app_version=version,
            company=version.app.company,
            working_days=days,
            deadline=add_working_days(today, days, settings.APPWARDEN_HOLIDAYS),
            requirements=requirements,
            issued_by=user,
        )
        order.number = _number_for(order)
        order.save(update_fields=["number"])
        order.findings.set(findings)
        OrderTransition.objects.create(
            order=order,
            name="issue",
            from_state="",
            to_state=ISSUED,
            actor=user,
            actor_name=user.username,
            reason=reason,
        )
    return order


def respond(
    order: RectificationOrder, *, user: Any, explanation: str, apk: Any = None, file_name: str = ""
) -> CompanyResponse:
    """The company answers: an explanation and optionally the rectified APK (validated, stored by sha256)."""
    from appwarden.platform.testing.services import _chunks, validate_apk

    if role_of(user) == ROLE_COMPANY and order.company_id != getattr(user.profile, "company_id", None):
        raise TransitionError("this order belongs to another company")
    if not (explanation or "").strip():
        raise PlatformError("a response needs an explanation (整改说明必填)")
    sha = ""
    if apk is not None:
        sha, _ = storage.store_chunks(
            _chunks(apk), max_size=settings.APPWARDEN_MAX_UPLOAD, validate=validate_apk
        )
        if sha == order.app_version.sha256:
            raise UploadError(
                "the uploaded APK is the same file as the tested version; upload the rectified one"
            )
    with transaction.atomic():
        order = _lock(order)
        _move(order, "respond", user, explanation)
        with audit.acting_as(user, explanation):
            response = CompanyResponse.objects.create(
                order=order,
                explanation=explanation,
                new_sha256=sha,
                new_file_name=(file_name or getattr(apk, "name", "") or "")[:255],
                submitted_by=user,
            )
    return response


def start_retest(order: RectificationOrder, *, user: Any, reason: str) -> Retest:
    """Queue a scan of the company's new version (reviewer/regulator); the diff comes when it finishes."""
    from appwarden.platform.testing.services import queue_job

    require(user, *TRANSITIONS["start_retest"][2])
    response = order.responses.order_by("-id").first()
    if order.state == RESPONDED and (response is None or not response.new_sha256):
        raise TransitionError("the company's response has no new version to re-test")
    with transaction.atomic():
        order = _lock(order)
        _move(order, "start_retest", user, reason)
        with audit.acting_as(user, reason):
            job = queue_job(
                response.new_sha256,
                user=user,
                file_name=response.new_file_name,
                purpose="retest",
                company=order.company,
                allow_duplicate=True,
            )
            retest = Retest.objects.create(order=order, response=response, job=job)
    return retest


def finding_key(f: Finding) -> str:
    return f"{f.rule_id}@{f.owner}"


def diff_findings(original: list[Finding], retest: list[Finding]) -> dict[str, Any]:
    """Compare the ordered findings with the re-test's (rejected ones ignored) by ``rule_id@owner``."""
    old = {finding_key(f): f for f in original}
    new = {finding_key(f): f for f in retest if f.status != F_REJECTED}

    def rows(keys: set[str], source: dict[str, Finding]) -> list[dict[str, str]]:
        return [
            {"key": k, "rule_id": source[k].rule_id, "title_zh": source[k].title_zh, "owner": source[k].owner}
            for k in sorted(keys)
        ]

    fixed, persisting, added = set(old) - set(new), set(old) & set(new), set(new) - set(old)
    return {
        "fixed": rows(fixed, old),
        "persisting": rows(persisting, new),
        "new": rows(added, new),
        "passed": not persisting and not added,
    }


def on_scan_finished(sender: Any, job: ScanJob, **_: Any) -> None:
    """Signal receiver: when a re-test job ends, record the diff (or send the order back to responded)."""
    for retest in Retest.objects.filter(job=job, completed_at__isnull=True).select_related("order"):
        with transaction.atomic():
            order = _lock(retest.order)
            if order.state != RETESTING:
                continue
            if job.status == JOB_DONE:
                retest.diff = diff_findings(list(order.findings.all()), list(job.findings.all()))
                retest.completed_at = timezone.now()
                retest.save()
                summary = (
                    f"re-test job #{job.pk}: {len(retest.diff['fixed'])} fixed, "
                    f"{len(retest.diff['persisting'])} persisting, {len(retest.diff['new'])} new"
                )
                _move(order, "complete_retest", None, summary, system=True)
            elif job.status == JOB_FAILED:
                retest.completed_at = timezone.now()
                retest.diff = {"error": job.error, "passed": False, "fixed": [], "persisting": [], "new": []}
                retest.save()
                _move(order, "retest_failed", None, f"re-test job #{job.pk} failed: {job.error}", system=True)


def close(order: RectificationOrder, *, user: Any, reason: str) -> None:
    """Close the case after a passed re-test (no persisting or new findings)."""
    require(user, *TRANSITIONS["close"][2])
    with transaction.atomic():
        order = _lock(order)
        retest = order.retests.filter(completed_at__isnull=False).order_by("-id").first()
        if order.state == RETESTED and (retest is None or not (retest.diff or {}).get("passed")):
            raise TransitionError(
                "复测未通过 the re-test still shows findings; escalate (通报) instead of closing"
            )
        _move(order, "close", user, reason)


def create_notice_batch(*, user: Any, title: str, number: str = "") -> NoticeBatch:
    require(user, ROLE_REGULATOR)
    if not title.strip():
        raise PlatformError("a notice batch needs a title")
    with audit.acting_as(user):
        return NoticeBatch.objects.create(title=title.strip(), number=number.strip(), created_by=user)


def problems_text(order: RectificationOrder) -> str:
    """所涉问题 of a notice row: the names of the 通报 problem types (``notice_types``, through the engine's one
    mapping :func:`appwarden.report.notice.problem_names`, as the CLI's notice table) of the findings still present
    (all ordered ones if there was no re-test), in vocabulary order; only when none of them has a type (security
    hygiene) their titles, so a row never names nothing."""
    retest = order.retests.filter(completed_at__isnull=False).order_by("-id").first()
    findings = list(order.findings.all())
    if retest and retest.diff and not retest.diff.get("error"):
        still = {r["key"] for r in retest.diff["persisting"]}
        kept = [f for f in findings if finding_key(f) in still]
        findings = kept or findings
    from appwarden.report.notice import PROBLEM_SEPARATOR, problem_names

    rows = [{"rule_id": f.rule_id, "notice_types": f.notice_types, "title_zh": f.title_zh} for f in findings]
    names = problem_names(rows) or problem_names(rows, include_unmapped=True)
    return PROBLEM_SEPARATOR.join(names)


def escalate(order: RectificationOrder, *, user: Any, reason: str, notice: NoticeBatch) -> NoticeItem:
    """通报: add the order to an unpublished notice batch (regulator). From ``issued``/``responded`` only when
    overdue; from ``retested`` only when the re-test did not pass."""
    require(user, *TRANSITIONS["escalate"][2])
    with transaction.atomic():
        order = _lock(order)
        if notice.published:
            raise TransitionError("the notice batch is already published; choose an unpublished one")
        if order.state in (ISSUED, RESPONDED) and not (
            timezone.localdate() > order.deadline or order.overdue_since is not None
        ):
            raise TransitionError("the rectification deadline has not passed yet; cannot escalate before it")
        if order.state == RETESTED:
            retest = order.retests.filter(completed_at__isnull=False).order_by("-id").first()
            if retest and (retest.diff or {}).get("passed"):
                raise TransitionError("the re-test passed; close the order instead of escalating")
        _move(order, "escalate", user, reason)
        stores = "、".join(
            sorted({listing.store.name for listing in order.app.listings.select_related("store")})
        )
        with audit.acting_as(user, reason):
            return NoticeItem.objects.create(
                batch=notice,
                order=order,
                app_name=order.app_version.label or order.app.name or order.app.package,
                developer=order.company.name if order.company else "未知 unknown",
                source=stores or "—",
                version=order.app_version.version_name or "—",
                problems=problems_text(order),
            )


def publish_notice(notice: NoticeBatch, *, user: Any) -> None:
    require(user, ROLE_REGULATOR)
    if not notice.items.exists():
        raise PlatformError("an empty notice batch cannot be published")
    with audit.acting_as(user):
        notice.published = True
        notice.published_at = timezone.now()
        notice.save()


def order_takedown(order: RectificationOrder, *, user: Any, reason: str) -> list[TakedownOrder]:
    """下架: send a takedown order to every store with an active listing of the app (regulator)."""
    require(user, *TRANSITIONS["order_takedown"][2])
    with transaction.atomic():
        order = _lock(order)
        listings = list(order.app.listings.filter(active=True))
        if order.state == NOTICED and not listings:
            raise TransitionError("the app has no active store listing to take down")
        _move(order, "order_takedown", user, reason)
        with audit.acting_as(user, reason):
            return [
                TakedownOrder.objects.create(order=order, listing=listing, issued_by=user)
                for listing in listings
            ]


def confirm_takedown(takedown: TakedownOrder, *, user: Any, note: str = "") -> None:
    """The store operator confirms the removal; the order is taken down when every store has confirmed."""
    role = role_of(user)
    require(user, ROLE_STORE, ROLE_REGULATOR)
    if role == ROLE_STORE and takedown.listing.store_id != getattr(user.profile, "store_id", None):
        raise TransitionError("this takedown order is addressed to another store")
    with transaction.atomic():
        takedown = TakedownOrder.objects.select_for_update().get(pk=takedown.pk)
        if takedown.status != TD_PENDING:
            raise TransitionError("this takedown order is already confirmed")
        with audit.acting_as(user, note):
            takedown.status = TD_CONFIRMED
            takedown.confirmed_by = user
            takedown.confirmed_at = timezone.now()
            takedown.note = note
            takedown.save()
            listing = takedown.listing
            listing.active = False
            listing.save()
        order = _lock(takedown.order)
        if order.state == TAKEDOWN and not order.takedowns.filter(status=TD_PENDING).exists():
            _move(order, "complete_takedown", None, "all stores confirmed the takedown", system=True)


def surface_overdue() -> int:
    """Mark orders still ``issued`` after their deadline (``overdue_since``, audit row); returns how many."""
    today = timezone.localdate()
    count = 0
    for order in RectificationOrder.objects.filter(
        state=ISSUED, deadline__lt=today, overdue_since__isnull=True
    ):
        with audit.acting_as(None, f"deadline {order.deadline} passed without a response"):
            order.overdue_since = timezone.now()
            order.save(update_fields=["overdue_since"])
        count += 1
    return count
