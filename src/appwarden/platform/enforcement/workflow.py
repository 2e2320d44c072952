"""The enforcement state machine.

```
issue ──► issued ──respond──► responded ──start_retest──► retesting ──(scan done)──► retested ──close──► closed
            │  (overdue)          │ (overdue)                 │ (scan failed: back to responded)  │  │
            │                     │                           ◄──start_retest (not re-tested)─────┘  │
            └──────escalate───────┴───────────────────────────────────────────────────escalate──────┘
                                                   ▼
                 notice_draft ──(its notice batch is published)──► noticed ──order_takedown──► takedown
                                                                        ──(all stores confirm)──► taken_down
                 notice_draft ──withdraw_notice (regulator; draft batch only)──► the state it was escalated from
 ∅ ──harmful_takedown (regulator; 不良APP whose latest screening verdict is harmful, confirmed by another person's
                       筛查结论复核)──► takedown
```

An order reads 已通报 (``noticed``) only once the notice batch naming it is published; while the batch is a draft
it is ``notice_draft``. A response's APK must be the ordered app (:mod:`~appwarden.platform.enforcement.identity`),
and a re-test counts a finding as fixed only when it had the same kinds of evidence
(:mod:`~appwarden.platform.enforcement.diff`); findings left *not re-tested* keep the order from closing, and the
reviewer re-tests again with the missing evidence (e.g. a runtime trace).

Every function checks the current state and the actor's role, raises
:class:`~appwarden.platform.core.errors.TransitionError` / ``RoleError`` otherwise, and records an
:class:`~appwarden.platform.enforcement.models.OrderTransition` (who, when, why) plus an audit row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from appwarden.platform.core import audit, storage
from appwarden.platform.core.errors import PlatformError, RoleError, TransitionError
from appwarden.platform.core.models import ROLE_COMPANY, ROLE_REGULATOR, ROLE_REVIEWER, ROLE_STORE
from appwarden.platform.core.roles import require, role_of
from appwarden.platform.core.workdays import add_working_days
from appwarden.platform.enforcement import identity
from appwarden.platform.enforcement.diff import diff_findings, finding_key
from appwarden.platform.enforcement.models import (
    CLOSED,
    ISSUED,
    NOTICE_DRAFT,
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
from appwarden.platform.registry.models import SIGNER_FOREIGN, SIGNER_UNKNOWN, App, AppVersion
from appwarden.platform.testing import screening_review
from appwarden.platform.testing.models import F_CONFIRMED, F_REJECTED, JOB_DONE, JOB_FAILED, Finding, ScanJob

__all__ = ["diff_findings", "finding_key"]  # re-exported: the diff lives in ``enforcement.diff``

# name -> (allowed source states, target state, roles allowed)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "respond": ((ISSUED,), RESPONDED, (ROLE_COMPANY, ROLE_REGULATOR)),
    "start_retest": ((RESPONDED, RETESTED), RETESTING, (ROLE_REVIEWER, ROLE_REGULATOR)),
    "complete_retest": ((RETESTING,), RETESTED, ()),  # system
    "retest_failed": ((RETESTING,), RESPONDED, ()),  # system
    "close": ((RETESTED,), CLOSED, (ROLE_REVIEWER, ROLE_REGULATOR)),
    "escalate": ((ISSUED, RESPONDED, RETESTED), NOTICE_DRAFT, (ROLE_REGULATOR,)),
    "publish_notice": ((NOTICE_DRAFT,), NOTICED, ()),  # by publish_notice() for the whole batch
    # out of a draft batch, back to the state the order was escalated from ("": see state_before_escalation)
    "withdraw_notice": ((NOTICE_DRAFT,), "", (ROLE_REGULATOR,)),
    "order_takedown": ((NOTICED,), TAKEDOWN, (ROLE_REGULATOR,)),
    "complete_takedown": ((TAKEDOWN,), TAKEN_DOWN, ()),  # system
    # 不良APP sent to 下架 directly (issue #23): a new order starts in ``takedown``; no source state, so it is never
    # offered as a button on an existing order (see :func:`takedown_harmful`)
    "harmful_takedown": ((), TAKEDOWN, (ROLE_REGULATOR,)),
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


def _latest_diff(order: RectificationOrder) -> dict[str, Any]:
    retest = order.retests.filter(completed_at__isnull=False).order_by("-id").first()
    return (retest.diff or {}) if retest else {}


def _guard_ok(order: RectificationOrder, name: str) -> bool:
    """The state-independent guards of ``close``, ``escalate`` and a second ``start_retest`` (so that forms are
    offered only when legal)."""
    if name in ("close", "escalate") and order.state == RETESTED:
        passed = bool(_latest_diff(order).get("passed"))
        return passed if name == "close" else not passed
    if name == "start_retest" and order.state == RETESTED:
        return bool(_latest_diff(order).get("not_retested"))
    if name == "escalate" and order.state in (ISSUED, RESPONDED):
        if _awaiting_retest(order):
            return False
        return timezone.localdate() > order.deadline or order.overdue_since is not None
    return True


def _awaiting_retest(order: RectificationOrder) -> bool:
    """``responded`` with a rectified build submitted in time (the order was never overdue): the case waits for
    the regulator's re-test, and the company may not be published (通报) as not rectified before it — also after a
    re-test job that failed for a technical reason sent the order back to ``responded``."""
    if order.state != RESPONDED or order.overdue_since is not None:
        return False
    response = order.responses.order_by("-id").first()
    return bool(response and response.new_sha256)


def _check(order: RectificationOrder, name: str, user: Any, reason: str, *, system: bool = False) -> None:
    """Raise unless ``name`` may be applied to ``order`` (in its current state) by ``user`` with ``reason``."""
    sources, _target, roles = TRANSITIONS[name]
    if order.state not in sources:
        raise TransitionError(
            f"非法操作 illegal transition: cannot {name} an order in state {order.get_state_display()}"
        )
    if not system:
        if not roles:
            raise TransitionError(f"该操作由系统执行 {name} is performed by the system, not by a user")
        require(user, *roles)
        if not (reason or "").strip():
            raise PlatformError(f"请填写理由 {name} needs a reason (理由必填)")


def _move(
    order: RectificationOrder, name: str, user: Any, reason: str, *, system: bool = False, target: str = ""
) -> None:
    """Apply transition ``name`` (checked by :func:`_check`) and record it; ``target`` only for a transition whose
    target depends on the history (``withdraw_notice``)."""
    _check(order, name, user, reason, system=system)
    target = target or TRANSITIONS[name][1]
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


# a build of another signer (AppVersion.signer_relation foreign) is not the company's: docs/platform.md "Builds signed
# by another key"
FOREIGN_ORDER_REFUSAL = (
    "签名与该应用不一致（可能为仿冒/借用包名的APK），不能向该应用的企业责令整改；如确为企业自己的新签名，请监管人员先认定"
    " the build's signer is not the app's (a lookalike?): it cannot be ordered to the app's company"
)


# an unsigned build (AppVersion.signer_relation unknown) is not provably the company's either (see not_the_apps)
UNSIGNED_ORDER_REFUSAL = (
    "该构建没有签名，无法认定为该应用企业的版本，不能向该企业责令整改 the build is unsigned: it is not provably the "
    "company's, so it cannot be ordered to the app's company"
)


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
        raise PlatformError("请填写理由 issuing an order needs a reason (理由必填)")
    if not findings:
        raise PlatformError("整改通知至少需要一项已确认的问题 an order needs at least one confirmed finding")
    if version.foreign:
        raise PlatformError(FOREIGN_ORDER_REFUSAL)
    if version.signer_relation == SIGNER_UNKNOWN:
        raise PlatformError(UNSIGNED_ORDER_REFUSAL)
    for f in findings:
        if f.status != F_CONFIRMED:
            raise PlatformError(
                f"问题 #{f.pk} 未确认 finding #{f.pk} is not confirmed; only confirmed findings can be ordered"
            )
        if f.app_version_id != version.pk:
            raise PlatformError(f"问题 #{f.pk} 属于其他版本 finding #{f.pk} belongs to another app version")
    days = settings.APPWARDEN_RECTIFY_DAYS if working_days is None else int(working_days)
    if days < 1 or days > 365:
        raise PlatformError("整改期限须为1至365个工作日 working days must be between 1 and 365")
    today = timezone.localdate()
    with transaction.atomic(), audit.acting_as(user, reason):
        order = audit.create_numbered(
            RectificationOrder(
                app=version.app,
                app_version=version,
                company=version.app.company,
                working_days=days,
                deadline=add_working_days(today, days, settings.APPWARDEN_HOLIDAYS),
                requirements=requirements,
                issued_by=user,
            ),
            _number_for,
        )
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
        from appwarden.platform.attestation.services import revoke_for_case

        revoke_for_case(order)  # a case opened withdraws the APK's 认证签名 (docs/attestation.md)
    return order


def _judge(order: RectificationOrder, ident: identity.ApkIdentity, override_reason: str) -> list[Any]:
    """The identity check of a rectified APK: raise :class:`~.identity.IdentityRefused` (every reason, Chinese
    first) unless it passes or every refusal is overridable and a regulator's ``override_reason`` is given;
    returns the refusals so overridden."""
    refusals = identity.refusals(order, ident)
    if not refusals:
        return []
    text = "；".join(r.message for r in refusals)
    if any(not r.overridable for r in refusals):
        raise identity.IdentityRefused(text)
    if not override_reason:
        raise identity.IdentityRefused(
            f"{text}（监管人员可填写书面放行理由 override_reason a regulator may override with a written reason）"
        )
    return refusals


def respond(
    order: RectificationOrder,
    *,
    user: Any,
    explanation: str,
    apk: Any = None,
    file_name: str = "",
    override_reason: str = "",
) -> CompanyResponse:
    """The company answers: an explanation and optionally the rectified APK (validated, stored by sha256).

    The APK must be a later version of the ordered app (:mod:`~appwarden.platform.enforcement.identity`: same
    package, the ordered signer or a verified key rotation from it, a version code not lower, other bytes);
    otherwise :class:`~.identity.IdentityRefused` (400) and nothing is stored. A regulator may accept a package or
    signer refusal with ``override_reason`` (recorded on the response and in the audit log as ``override``); any
    other role giving one gets :class:`RoleError` (403).
    """
    from appwarden.platform.testing.services import _chunks

    if role_of(user) == ROLE_COMPANY and order.company_id != getattr(user.profile, "company_id", None):
        raise TransitionError("该整改通知属于其他企业 this order belongs to another company")
    override_reason = (override_reason or "").strip()
    if override_reason and role_of(user) != ROLE_REGULATOR:
        raise RoleError(
            "只有监管人员可以放行被拒绝的整改版本 only a regulator may override the identity check"
        )
    if not (explanation or "").strip():
        raise PlatformError("请填写整改说明 a response needs an explanation (整改说明必填)")
    order = RectificationOrder.objects.get(pk=order.pk)  # the current state, not the caller's copy
    _check(order, "respond", user, explanation)  # before anything is stored
    sha, ident, overridden = "", None, []
    if apk is not None:
        checked: dict[str, Any] = {}
        label = (file_name or getattr(apk, "name", "") or "").strip() or "上传的APK uploaded APK"

        def validate(path: Any) -> None:  # runs on the temporary file: a refusal stores nothing
            # zip + manifest + identity, in a child process under the upload-check limits (issue #17)
            checked["ident"] = identity.read_identity(path, label=label)
            checked["overridden"] = _judge(order, checked["ident"], override_reason)

        sha, _ = storage.store_chunks(_chunks(apk), max_size=settings.APPWARDEN_MAX_UPLOAD, validate=validate)
        ident, overridden = checked["ident"], checked["overridden"]
    with transaction.atomic():
        order = _lock(order)
        if order.overdue_since is None and timezone.localdate() > order.deadline:
            # answered late: keep the fact that surface_overdue would have stamped had it run before
            order.overdue_since = timezone.now()
        _move(order, "respond", user, explanation)
        with audit.acting_as(user, explanation):
            response = CompanyResponse.objects.create(
                order=order,
                explanation=explanation,
                new_sha256=sha,
                new_file_name=(file_name or getattr(apk, "name", "") or "")[:255],
                new_package=(ident.package or "")[:255] if ident else "",
                new_version_code=ident.version_code if ident else None,
                new_version_name=(ident.version_name or "")[:100] if ident else "",
                new_signer_sha256=(ident.signers[0] if ident and ident.signers else "")[:64],
                signer_check=identity.relation(order.app_version, ident) if ident else "",
                override_reason=override_reason if overridden else "",
                overridden_by=user if overridden else None,
                submitted_by=user,
            )
        if overridden:
            audit.record(
                "override",
                response,
                reason=override_reason,
                actor=user,
                data={
                    "order": order.number,
                    "refused": [{"code": r.code, "message": r.message} for r in overridden],
                    "new_sha256": sha,
                    "package": ident.package,
                    "version_code": ident.version_code,
                    "signers": ident.signers,
                },
            )
    return response


def start_retest(
    order: RectificationOrder, *, user: Any, reason: str, policy: Any = None, trace: Any = None
) -> Retest:
    """Queue a scan of the company's new version (reviewer/regulator); the diff comes when it finishes.

    ``policy`` / ``trace``: the privacy-policy text and runtime trace to re-test with (bytes or files); a finding
    whose original evidence included a kind the re-test lacks is *not re-tested*, never *fixed*. Allowed from
    ``responded``, and from ``retested`` when the last re-test left findings not re-tested (re-test with the
    missing evidence). The APK is checked again as in :func:`respond` unless a regulator overrode it.
    """
    from appwarden.platform.testing.services import MAX_SIDE_FILE, _chunks, queue_job

    require(user, *TRANSITIONS["start_retest"][2])
    order = RectificationOrder.objects.get(pk=order.pk)  # the current state, not the caller's copy
    response = order.responses.order_by("-id").first()
    _check(order, "start_retest", user, reason)
    if response is None or not response.new_sha256:
        raise TransitionError(
            "企业答复中没有整改版本，无法复测 the company's response has no new version to re-test"
        )
    if order.state == RETESTED and not _guard_ok(order, "start_retest"):
        raise TransitionError(
            "上次复测已覆盖全部问题，无需再次复测 the last re-test left nothing not re-tested; close or escalate"
        )
    if not response.override_reason:
        with storage.open_blob(response.new_sha256):
            pass  # a clear message when the blob is missing
        stored = identity.read_identity(
            storage.path_for(response.new_sha256), label=response.new_file_name or "整改版本APK"
        )
        _judge(order, stored, "")
    policy_sha = storage.store_chunks(_chunks(policy), max_size=MAX_SIDE_FILE)[0] if policy else ""
    trace_sha = storage.store_chunks(_chunks(trace), max_size=MAX_SIDE_FILE)[0] if trace else ""
    with transaction.atomic():
        order = _lock(order)
        _move(order, "start_retest", user, reason)
        with audit.acting_as(user, reason):
            job = queue_job(
                response.new_sha256,
                user=user,
                file_name=response.new_file_name,
                policy_sha=policy_sha,
                trace_sha=trace_sha,
                purpose="retest",
                company=order.company,
                allow_duplicate=True,
            )
            retest = Retest.objects.create(order=order, response=response, job=job)
    return retest


def on_scan_finished(sender: Any, job: ScanJob, **_: Any) -> None:
    """Signal receiver: when a re-test job ends, record the diff (or send the order back to responded)."""
    for retest in Retest.objects.filter(job=job, completed_at__isnull=True).select_related("order"):
        with transaction.atomic():
            order = _lock(retest.order)
            if order.state != RETESTING:
                continue
            if job.status == JOB_DONE:
                retest.diff = _diff_for(order, job)
                retest.completed_at = timezone.now()
                retest.save()
                d = retest.diff
                n = {k: len(d[k]) for k in ("fixed", "persisting", "new", "not_retested")}
                summary = (
                    f"复测任务 #{job.pk}：已整改 {n['fixed']} 项、仍存在 {n['persisting']} 项、新发现 {n['new']} 项、"
                    f"未复测 {n['not_retested']} 项 re-test job #{job.pk}: {n['fixed']} fixed, "
                    f"{n['persisting']} persisting, {n['new']} new, {n['not_retested']} not re-tested"
                )
                _move(order, "complete_retest", None, summary, system=True)
            elif job.status == JOB_FAILED:
                retest.completed_at = timezone.now()
                retest.diff = {
                    "error": job.error,
                    "passed": False,
                    "fixed": [],
                    "persisting": [],
                    "new": [],
                    "not_retested": [],
                }
                retest.save()
                _move(
                    order,
                    "retest_failed",
                    None,
                    f"复测任务 #{job.pk} 失败 re-test job #{job.pk} failed: {job.error}",
                    system=True,
                )


def _diff_for(order: RectificationOrder, job: ScanJob) -> dict[str, Any]:
    """The re-test diff of ``order`` against the finished re-test ``job`` with the reviews as they stand: an ordered
    finding rejected on review is not expected to be fixed, a re-test finding rejected is not new, and the
    reviewers' rejections in the ordered scan(s) found again are not new either."""
    ordered = list(order.findings.all())
    rejected = Finding.objects.filter(job_id__in={f.job_id for f in ordered}, status=F_REJECTED)
    kept = [f for f in ordered if f.status != F_REJECTED]
    return diff_findings(kept, list(job.findings.all()), job.report, list(rejected))


def refresh_after_review(finding: Finding) -> int:
    """After a review changed ``finding``'s status: recompute the stored diff of each ``retested`` order whose latest
    re-test scanned it or which orders it (so ``close``/``escalate`` and their buttons decide on the reviews as they
    stand: a new finding judged false no longer keeps a case from closing, nor can one reopened let it close).
    Each change is saved with an audit row; returns how many diffs changed."""
    changed = 0
    pks = (
        RectificationOrder.objects.filter(state=RETESTED)
        .filter(Q(retests__job_id=finding.job_id) | Q(findings=finding))
        .values_list("pk", flat=True)
        .distinct()
    )
    for pk in list(pks):
        with transaction.atomic():
            order = RectificationOrder.objects.select_for_update().get(pk=pk)
            changed += _restate_retest(
                order, f"复核问题 #{finding.pk} 后更新复测结果 re-test result after a review"
            )
    return changed


def _restate_retest(order: RectificationOrder, why: str) -> int:
    """Recompute the stored diff of the (locked) ``retested`` order's latest re-test with the reviews as they stand;
    saved (an audit row with ``why``) when it changed. Returns 1 when it changed, else 0."""
    retest = order.retests.filter(completed_at__isnull=False).select_related("job").order_by("-id").first()
    if order.state != RETESTED or retest is None or retest.job.status != JOB_DONE:
        return 0
    if not retest.diff or retest.diff.get("error"):
        return 0
    diff = _diff_for(order, retest.job)
    if diff == retest.diff:
        return 0
    with audit.acting_as(None, why):
        retest.diff = diff
        retest.save(update_fields=["diff"])
    return 1


def close(order: RectificationOrder, *, user: Any, reason: str) -> None:
    """Close the case after a passed re-test (nothing persisting, new or left not re-tested)."""
    require(user, *TRANSITIONS["close"][2])
    with transaction.atomic():
        order = _lock(order)
        diff = _latest_diff(order)
        if order.state == RETESTED and not diff.get("passed"):
            if diff.get("not_retested") and not diff.get("persisting") and not diff.get("new"):
                titles = "、".join(r["title_zh"] for r in diff["not_retested"])
                raise TransitionError(
                    f"复测未通过：{len(diff['not_retested'])} 项问题未复测（{titles}），不能结案；请补充所缺证据"
                    "（如运行时轨迹）后重新复测 findings were not re-tested; re-test with the missing evidence"
                )
            raise TransitionError(
                "复测未通过 the re-test still shows findings; escalate (通报) instead of closing"
            )
        _move(order, "close", user, reason)
        from appwarden.platform.attestation.services import issue_for_order

        issue_for_order(order)  # 认证签名 of the re-tested APK (docs/attestation.md); never stops the close


def create_notice_batch(*, user: Any, title: str, number: str = "") -> NoticeBatch:
    require(user, ROLE_REGULATOR)
    if not title.strip():
        raise PlatformError("请填写通报标题 a notice batch needs a title")
    with audit.acting_as(user):
        return NoticeBatch.objects.create(title=title.strip(), number=number.strip(), created_by=user)


class NoticeFacts:
    """What one 通报 row of an order may say, from the evidence as it stands now: the findings it names, the app
    version those findings were found in (its label and version name), or why no row may be written."""

    __slots__ = ("findings", "refusal", "version")

    def __init__(self, findings: list[Finding], version: AppVersion, refusal: str = "") -> None:
        self.findings, self.version, self.refusal = findings, version, refusal


def nameable_findings(ordered: list[Finding]) -> tuple[list[Finding], str]:
    """The ordered findings a 通报 row may name (those still confirmed: one rejected on review never is) and ``""``;
    or ``[]`` and why no row may be written: an ordered finding back under review, or none left confirmed. One rule
    for the app orders' rows (:func:`notice_facts`) and the APP(SDK) rows (``sdk_workflow._row_fields``)."""
    pending = [f for f in ordered if f.status not in (F_CONFIRMED, F_REJECTED)]
    if pending:
        ids = "、".join(f"#{f.pk}" for f in pending)
        return [], (
            f"整改通知所列问题 {ids} 正在复核（待审核），复核完成前不能通报 "
            "an ordered finding is back under review; finish the review before the notice"
        )
    confirmed = [f for f in ordered if f.status == F_CONFIRMED]
    if not confirmed:
        return [], (
            "整改通知所列问题均已复核为不成立，不能通报 every ordered finding was rejected on review; there is nothing "
            "to publish"
        )
    return confirmed, ""


def notice_facts(order: RectificationOrder) -> NoticeFacts:
    """The facts of an order's 通报 row (see :func:`problems_text` for which findings are named).

    Only what a reviewer stands behind is published: an ordered finding rejected after the order (judged false,
    e.g. on the company's objection) is never named; while one is back under review (reopened, pending) no row
    may be written (``refusal``), nor when none is left confirmed. A row naming the re-tested build's new findings
    names that build's version (and label), never the ordered one that did not have them, and needs those
    findings confirmed by a reviewer first (an unreviewed engine finding is not published)."""
    version = order.app_version
    confirmed, refusal = nameable_findings(list(order.findings.all()))
    if refusal:
        return NoticeFacts([], version, refusal)
    findings = confirmed
    retest = order.retests.filter(completed_at__isnull=False).select_related("job").order_by("-id").first()
    if retest and retest.diff and not retest.diff.get("error"):
        # a finding nobody re-checked is still the ordered one; a fixed one is never named
        still = {r["key"] for r in retest.diff["persisting"] + retest.diff.get("not_retested", [])}
        kept = [f for f in confirmed if finding_key(f) in still]
        added = {r["key"] for r in retest.diff.get("new", [])}
        if not kept and added:
            new = [f for f in retest.job.findings.exclude(status=F_REJECTED) if finding_key(f) in added]
            reviewed = [f for f in new if f.status == F_CONFIRMED]
            if not reviewed:
                ids = "、".join(f"#{f.pk}" for f in new) or "—"
                return NoticeFacts(
                    [],
                    version,
                    f"复测新发现的问题 {ids} 尚未审核确认，不能通报 the re-test's new "
                    "findings must be confirmed by a reviewer before they are published",
                )
            return NoticeFacts(reviewed, retest.job.app_version or version)
        findings = kept or confirmed
    return NoticeFacts(findings, version)


def problems_text(order: RectificationOrder, facts: NoticeFacts | None = None) -> str:
    """所涉问题 of a notice row: the names of the 通报 problem types (``notice_types``, through the engine's one
    mapping :func:`appwarden.report.notice.problem_names`, as the CLI's notice table) of the findings still present
    (all ordered ones still confirmed if there was no re-test), in vocabulary order; when the re-test fixed every
    ordered finding and failed only on new ones, those new findings of the re-tested version, once confirmed (a
    fixed problem is never named); only when none of them has a type (security hygiene) their titles, so a row
    never names nothing. ``facts``: :func:`notice_facts` already computed (an empty text when it refuses)."""
    facts = facts or notice_facts(order)
    from appwarden.report.notice import PROBLEM_SEPARATOR, problem_names

    rows = [
        {"rule_id": f.rule_id, "notice_types": f.notice_types, "title_zh": f.title_zh, "evidence": f.evidence}
        for f in facts.findings
    ]
    names = problem_names(rows) or problem_names(rows, include_unmapped=True)
    return PROBLEM_SEPARATOR.join(names)


def _row_fields(order: RectificationOrder) -> dict[str, str]:
    """The evidence-bound fields of an order's notice row (raises TransitionError when no row may be written)."""
    facts = notice_facts(order)
    if facts.refusal:
        raise TransitionError(f"{order.number}：{facts.refusal}")
    v = facts.version
    # 应用来源: the stores where the app is on sale now (as an APP(SDK) row), not those that already removed it
    stores = sorted({x.store.name for x in order.app.listings.filter(active=True).select_related("store")})
    return {
        "app_name": (v.label or order.app_version.label or order.app.name or order.app.package)[:200],
        "source": ("、".join(stores) or "—")[:300],
        "version": (v.version_name or "—")[:100],
        "problems": problems_text(order, facts),
    }


def escalate(order: RectificationOrder, *, user: Any, reason: str, notice: NoticeBatch) -> NoticeItem:
    """通报: add the order to an unpublished notice batch (regulator). From ``issued``/``responded`` only when
    overdue, and never from ``responded`` while a build answered in time awaits its re-test
    (:func:`_awaiting_retest`); from ``retested`` only when the re-test did not pass. The order is ``notice_draft`` until the batch is
    published (:func:`publish_notice`), never 已通报 before."""
    require(user, *TRANSITIONS["escalate"][2])
    with transaction.atomic():
        # the batch's row is locked (publish_notice locks it too): a caller's stale copy reading "unpublished"
        # cannot add a row to a batch published meanwhile; batch before order, as publish_notice and
        # withdraw_notice take them, so no two of them can wait on each other
        notice = NoticeBatch.objects.select_for_update().get(pk=notice.pk)
        order = _lock(order)
        if notice.published:
            raise TransitionError(
                "该通报批次已发布，请选择未发布的批次 the notice batch is already published; choose an unpublished one"
            )
        if _awaiting_retest(order):
            raise TransitionError(
                "企业已按期提交整改版本，复测前不能通报 the company answered in time with a rectified build; "
                "re-test it (start_retest) before any notice"
            )
        if order.state in (ISSUED, RESPONDED) and not (
            timezone.localdate() > order.deadline or order.overdue_since is not None
        ):
            raise TransitionError(
                "整改期限未到，不能通报 the rectification deadline has not passed yet; cannot escalate before it"
            )
        if order.state == RETESTED:
            retest = order.retests.filter(completed_at__isnull=False).order_by("-id").first()
            if retest and (retest.diff or {}).get("passed"):
                raise TransitionError(
                    "复测已通过，应结案而非通报 the re-test passed; close the order instead of escalating"
                )
        fields = _row_fields(order)  # before the move: a refusal changes nothing
        _move(order, "escalate", user, reason)
        with audit.acting_as(user, reason):
            return NoticeItem.objects.create(
                batch=notice,
                order=order,
                developer=order.company.name if order.company else "未知 unknown",
                **fields,
            )


def _refresh_row(item: NoticeItem, order: RectificationOrder, user: Any) -> None:
    """At publication, the draft row says what the evidence supports now (a finding rejected or re-tested since the
    order was escalated): its evidence-bound fields are rewritten (audited, ``notice_row_refreshed``) or, when no
    row may be published (a finding under review, none left confirmed), the publication is refused."""
    restate_row(item, _row_fields(order), user, {"order": order.number})


def restate_row(item: NoticeItem, fields: dict[str, Any], user: Any, data: dict[str, Any]) -> None:
    """Write ``fields`` (a row's evidence-bound fields as they stand now) into the draft row ``item`` where they
    differ, with one audit row (``notice_row_refreshed``, ``data`` plus the old and new values); nothing when
    none differs. Used for the app orders' rows and the APP(SDK) rows alike."""
    changed = {k: {"old": getattr(item, k), "new": v} for k, v in fields.items() if getattr(item, k) != v}
    if not changed:
        return
    for k, v in fields.items():
        setattr(item, k, v)
    with audit.acting_as(user):
        item.save(update_fields=list(changed))
    audit.record(
        "notice_row_refreshed",
        item,
        reason="通报行按发布时的证据更新 the row restated from the evidence at publication",
        actor=user,
        data={**data, "changed": changed},
    )


def publish_notice(notice: NoticeBatch, *, user: Any) -> None:
    """Publish a notice batch (regulator): every order in it moves from ``notice_draft`` to ``noticed``
    (已通报) in the same transaction; an order no longer in ``notice_draft`` refuses the whole publication, as does an
    order whose row may no longer be written (:func:`notice_facts`); a row the evidence now words otherwise is
    restated first (:func:`_refresh_row`)."""
    require(user, ROLE_REGULATOR)
    with transaction.atomic():
        locked = NoticeBatch.objects.select_for_update().get(pk=notice.pk)
        if locked.published:
            raise TransitionError("该通报批次已发布 the notice batch is already published")
        items = list(locked.items.select_related("order", "sdk_order"))
        if not items:
            raise PlatformError("通报批次为空，不能发布 an empty notice batch cannot be published")
        why = f"通报批次「{locked.title}」已发布 notice published"
        for item in items:
            try:
                _publish_item(item, user, why)
            except TransitionError as exc:
                # name the order that blocks the batch and the way out: withdraw it, publish the others
                raise TransitionError(f"{exc}；{withdraw_hint(item)}") from None
        with audit.acting_as(user):
            notice.published = True
            notice.published_at = timezone.now()
            notice.save()


def _publish_item(item: NoticeItem, user: Any, why: str) -> None:
    """One row of :func:`publish_notice` (inside its transaction): its order ``notice_draft`` → ``noticed``, the row
    restated first; TransitionError when the order is no longer waiting or its row may not be written."""
    if item.sdk_order_id is not None:  # an APP(SDK) row: the SDK vendor's order (issue #21.1)
        from appwarden.platform.enforcement import sdk_workflow

        sdk_workflow.publish(item.sdk_order, user=user, why=why)
        return
    order = _lock(item.order)
    if order.state != NOTICE_DRAFT:
        raise TransitionError(
            f"{order.number} 当前状态为「{order.get_state_display()}」，不能随本批次通报 "
            "the order is no longer waiting for this notice"
        )
    _refresh_row(item, order, user)
    _move(order, "publish_notice", user, why, system=True)


def row_blocker(item: NoticeItem) -> str:
    """Why the draft row ``item`` would now refuse the batch's publication (its order no longer waiting, an ordered
    finding back under review, none left confirmed, a re-test's new findings unreviewed); ``""`` when it may be
    published. Read-only: the batch page shows it beside the row's 撤出本批次 button."""
    if item.sdk_order_id is not None:
        order: Any = item.sdk_order
        refusal = nameable_findings(list(order.findings.all()))[1]
    else:
        order = item.order
        refusal = notice_facts(order).refusal if order is not None else ""
    if order is not None and order.state != NOTICE_DRAFT:
        return (
            f"当前状态为「{order.get_state_display()}」，不能随本批次通报 no longer waiting for this notice"
        )
    return refusal


def withdraw_hint(item: NoticeItem) -> str:
    """The publication refusal's way out, naming the blocking row's order: withdraw it from the draft batch (button
    撤出本批次 on the batch page, or the API) and publish the other rows."""
    sdk = item.sdk_order_id is not None
    order = item.sdk_order if sdk else item.order
    number = order.number if order is not None else f"#{item.pk}"
    api = f"/api/{'sdk-orders' if sdk else 'orders'}/{order.pk if order is not None else ''}/withdraw_notice/"
    return (
        f"可先将整改通知 {number}（{item.app_name}）撤出本批次（通报批次页该行「撤出本批次」，须填写理由；"
        f"API POST {api}），再发布其余各行 withdraw {number} from this draft batch, then publish the other rows"
    )


def state_before_escalation(order: RectificationOrder) -> str:
    """The state ``order`` (in ``notice_draft``) was escalated from: the ``from_state`` of its latest ``escalate``
    transition. For an order without one (history from before transitions were recorded) the state its history
    implies: ``retested`` after a completed re-test that did not fail, ``responded`` after an answer, else
    ``issued``."""
    sources = TRANSITIONS["escalate"][0]
    last = order.transitions.filter(name="escalate").order_by("-id").first()
    if last is not None and last.from_state in sources:
        return last.from_state
    retest = order.retests.filter(completed_at__isnull=False).order_by("-id").first()
    if retest is not None and not (retest.diff or {}).get("error"):
        return RETESTED
    return RESPONDED if order.responses.exists() else ISSUED


def withdraw_notice(order: RectificationOrder, *, user: Any, reason: str) -> str:
    """撤出通报: take ``order`` out of the **draft** notice batch it is in (regulator, written reason), e.g. because
    a named finding went back under review and the row blocks the other companies' rows.

    The order returns to the state it was escalated from (:func:`state_before_escalation`: ``issued``,
    ``responded`` or ``retested``; its history, responses, re-tests and ``overdue_since`` are kept, so it may be
    answered, re-tested, closed or escalated again from there); the transition ``withdraw_notice`` records who and
    why; the row is deleted (audit ``delete``) and one audit row ``notice_withdrawn`` keeps the batch and the row as
    it stood. A re-tested order's stored re-test result is recomputed with the reviews as they stand (it was not
    kept current while drafted). Refused, changing nothing: another role (403), no reason (400), an order in no
    batch or not ``notice_draft`` (409) and a **published** batch (409: a public record is never changed).
    Returns the state the order went back to."""
    require(user, *TRANSITIONS["withdraw_notice"][2])
    reason = (reason or "").strip()
    if not reason:
        raise PlatformError("请填写撤出理由 withdrawing an order from a notice needs a reason (理由必填)")
    with transaction.atomic():
        item = NoticeItem.objects.filter(order_id=order.pk).first()
        if item is None:
            raise TransitionError(
                f"{order.number} 不在任何通报批次中 the order is in no notice batch; nothing to withdraw"
            )
        batch = lock_draft_batch(item)
        order = _lock(order)
        _check(order, "withdraw_notice", user, reason)
        target = state_before_escalation(order)
        _move(order, "withdraw_notice", user, reason, target=target)
        drop_notice_row(item, batch, order, "order", target, user=user, reason=reason)
        if target == RETESTED:
            _restate_retest(order, "撤出通报后按当前复核更新复测结果 re-test result after the withdrawal")
    return target


def lock_draft_batch(item: NoticeItem) -> NoticeBatch:
    """The draft batch of notice row ``item``, locked (``select_for_update``; taken before the order's lock, as
    ``publish_notice`` does, so a publication and a withdrawal never interleave). Raises TransitionError (409) when
    the batch is published: a published notice is never changed."""
    batch = NoticeBatch.objects.select_for_update().get(pk=item.batch_id)
    if batch.published:
        raise TransitionError(
            f"通报批次「{batch.title}」已发布，不能撤出或修改 the notice batch is published; a published notice "
            "is never changed"
        )
    return batch


def drop_notice_row(
    item: NoticeItem, batch: NoticeBatch, order: Any, number_key: str, target: str, *, user: Any, reason: str
) -> None:
    """Delete the withdrawn notice row ``item`` of the locked draft ``batch`` (its ``delete`` audit row carries who
    and why) and record ``notice_withdrawn`` on ``order`` with the row's text as it stood, the batch and the state
    ``target`` the order went back to (``data[number_key]`` is the order's number: ``order`` / ``sdk_order``)."""
    item_pk = item.pk
    row = {
        k: getattr(item, k)
        for k in ("app_name", "developer", "source", "version", "problems", "sdk_name", "sdk_vendor")
    }
    with audit.acting_as(user, reason):
        item.delete()
    audit.record(
        "notice_withdrawn",
        order,
        reason=reason,
        actor=user,
        data={
            number_key: order.number,
            "batch": batch.pk,
            "batch_title": batch.title,
            "item": item_pk,
            "back_to": target,
            "row": row,
        },
    )


def withdraw_item(item: NoticeItem, *, user: Any, reason: str) -> str:
    """:func:`withdraw_notice` for the row ``item`` of a draft batch (an app order's or an APP(SDK) row's order)."""
    if item.sdk_order_id is not None:
        from appwarden.platform.enforcement import sdk_workflow

        return sdk_workflow.withdraw_notice(item.sdk_order, user=user, reason=reason)
    return withdraw_notice(item.order, user=user, reason=reason)


def order_takedown(order: RectificationOrder, *, user: Any, reason: str) -> list[TakedownOrder]:
    """下架: send a takedown order to every store with an active listing of the app (regulator)."""
    require(user, *TRANSITIONS["order_takedown"][2])
    with transaction.atomic():
        order = _lock(order)
        listings = list(order.app.listings.filter(active=True))
        if order.state == NOTICED and not listings:
            raise TransitionError(
                "该应用没有在架的商店记录，无法下架 the app has no active store listing to take down"
            )
        _move(order, "order_takedown", user, reason)
        with audit.acting_as(user, reason):
            return [
                TakedownOrder.objects.create(
                    order=order, store_id=listing.store_id, listing=listing, issued_by=user
                )
                for listing in listings
            ]


def latest_screened_job(version: AppVersion) -> ScanJob | None:
    """The newest finished scan job of ``version`` that has a screening verdict (``None`` if there is none)."""
    return (
        ScanJob.objects.filter(app_version=version, status=JOB_DONE)
        .exclude(screening_verdict="")
        .defer("report")
        .order_by("-id")
        .first()
    )


def not_the_apps(version: AppVersion) -> bool:
    """A build that is not (provably) the app's: signed by another key (``foreign``) or unsigned (``unknown``). It
    only carries the package name, so a 下架 of it concerns that build, never the app's listings or company."""
    return version.signer_relation in (SIGNER_FOREIGN, SIGNER_UNKNOWN)


def distributing_checks(version: AppVersion) -> list[Any]:
    """The newest pre-listing check of ``version`` (the same APK) per store: the stores known to distribute a
    build of another signer, since they submitted it to be listed. Ordered by store name."""
    from appwarden.platform.prelisting.models import PrelistingCheck

    newest: dict[int, Any] = {}
    for check in (
        PrelistingCheck.objects.filter(Q(job__app_version=version) | Q(job__sha256=version.sha256))
        .select_related("store")
        .order_by("-id")
    ):
        newest.setdefault(check.store_id, check)
    return sorted(newest.values(), key=lambda c: c.store.name)


def takedown_harmful(version: AppVersion, *, user: Any, reason: str) -> RectificationOrder:
    """不良APP 直接下架 (issue #23): send an app version whose latest screened scan is ``harmful`` to 下架 without the
    整改 → 通报 path (regulator only, written reason required).

    A harmful app is not asked to rectify: this opens a case (a :class:`RectificationOrder` numbered ``XJ-<year>-<id>``,
    no findings, deadline today) directly in ``takedown`` — recorded as the ``harmful_takedown`` transition
    (from ∅) and an audit row ``harmful_takedown`` with the verdict, score and categories — and sends a
    :class:`TakedownOrder` to every store with an active listing, exactly as :func:`order_takedown`; the stores then
    confirm through :func:`confirm_takedown` and the order becomes ``taken_down``. Refused (400, Chinese first)
    unless the latest screened job of the version is ``harmful`` (compliance findings and ``suspicious`` apps go
    through the ordinary path), unless that job's latest 筛查结论复核 is ``confirmed`` — by someone other than
    ``user`` while ``APPWARDEN_HARMFUL_TAKEDOWN_TWO_PERSON`` is on (:mod:`~appwarden.platform.testing.screening_review`)
    — or when the app has no active listing; refused (409) while the app already has an open takedown case. The
    audit row names the review the takedown rests on (``screening_review``, ``screening_reviewer``; not the
    transition, which the company sees).

    A build that is not the app's (:func:`not_the_apps`: another signer, or none) only carries the package name: its
    case is ``foreign_build``, names no company (the app's company is not the offender), and its takedown orders go
    only to the stores known to distribute that build — those whose pre-listing checks submitted it
    (:func:`distributing_checks`), one order each naming the check, with no listing (the genuine app's listings stay
    up) — refused (400) when there is none; one open case per such build (409), independent of the app's own.
    """
    require(user, *TRANSITIONS["harmful_takedown"][2])
    reason = (reason or "").strip()
    if not reason:
        raise PlatformError("请填写理由 a direct takedown needs a reason (理由必填)")
    job = latest_screened_job(version)
    if job is None or job.screening_verdict != "harmful":
        verdict = job.get_screening_verdict_display() if job else "未筛查 not screened"
        raise PlatformError(
            f"只有筛查结论为「有害」的应用可以直接下架（当前：{verdict}）；其他问题请走整改、通报流程 "
            "only an app whose latest screening verdict is harmful can be sent to takedown directly"
        )
    foreign = not_the_apps(version)
    with transaction.atomic():
        # the rows of the jobs of this APK are locked as a screening review locks its job: the review judged here
        # (the job's own or one carried over from another job of the same APK) is the latest one
        list(ScanJob.objects.select_for_update().filter(sha256=job.sha256).order_by("pk").values_list("pk"))
        review = screening_review.latest_review(job)
        block = screening_review.takedown_block(review, user)
        if block:
            raise PlatformError(screening_review.refusal(block))
        app = App.objects.select_for_update().get(pk=version.app_id)
        open_cases = RectificationOrder.objects.filter(app=app, state=TAKEDOWN)
        if foreign:
            open_cases = open_cases.filter(app_version=version, foreign_build=True)
        else:
            open_cases = open_cases.filter(foreign_build=False)
        if open_cases.exists():
            raise TransitionError(
                "该构建已在下架流程中 the build already has an open takedown"
                if foreign
                else "该应用已在下架流程中 the app already has an open takedown"
            )
        if foreign:
            listings: list[Any] = []
            checks = distributing_checks(version)
            if not checks:
                raise PlatformError(
                    f"该构建的签名（{(version.signer_sha256 or '无签名 unsigned')[:16]}）不是该应用的签名，"
                    "且没有商店提交过该构建的上架前检测，无法确定向哪些商店下发下架通知；"
                    "不会向该包名正版应用的在架商店下发 "
                    "no store is known to distribute this build of another signer (no store submitted it for a "
                    "pre-listing check); the genuine app's listings are not taken down for it"
                )
            targets = [(c.store_id, None, c) for c in checks]
        else:
            listings = list(app.listings.filter(active=True))
            if not listings:
                raise PlatformError(
                    "该应用没有在架的商店记录，无法下架 the app has no active store listing to take down"
                )
            targets = [(x.store_id, x, None) for x in listings]
        section = ScanJob.objects.filter(pk=job.pk).values_list("report__screening", flat=True).first() or {}
        with audit.acting_as(user, reason):
            order = audit.create_numbered(
                RectificationOrder(
                    app=app,
                    app_version=version,
                    company=None if foreign else app.company,
                    foreign_build=foreign,
                    state=TAKEDOWN,
                    working_days=0,
                    deadline=timezone.localdate(),
                    requirements=(
                        "不良APP直接下架：仿冒/非该应用签名的构建（仅借用该包名，与该包名的登记企业无关） "
                        "harmful build of another signer: taken down where it was submitted"
                        if foreign
                        else "不良APP直接下架 harmful app: taken down without rectification"
                    ),
                    issued_by=user,
                ),
                lambda o: f"XJ-{o.issued_at.astimezone(timezone.get_current_timezone()).year}-{o.pk:05d}",
            )
            OrderTransition.objects.create(
                order=order,
                name="harmful_takedown",
                from_state="",
                to_state=TAKEDOWN,
                actor=user,
                actor_name=user.username,
                reason=reason,
            )
            takedowns = [
                TakedownOrder.objects.create(
                    order=order, store_id=store, listing=listing, prelisting_check=check, issued_by=user
                )
                for store, listing, check in targets
            ]
        audit.record(
            "harmful_takedown",
            order,
            reason=reason,
            actor=user,
            data={
                "order": order.number,
                "app_version": version.pk,
                "job": job.pk,
                "verdict": job.screening_verdict,
                "screening_review": review.pk,
                "screening_reviewer": review.reviewer_name,
                "screening_reviewed_at": review.at.isoformat(),
                "score": section.get("score") if isinstance(section, dict) else None,
                "categories": job.screening_categories,
                "takedowns": [t.pk for t in takedowns],
                "stores": [store for store, _, _ in targets],
                "signer_relation": version.signer_relation,
                "signer_sha256": version.signer_sha256,
                "prelisting_checks": [c.pk for _, _, c in targets if c is not None],
            },
        )
        from appwarden.platform.attestation.services import revoke_for_case

        revoke_for_case(order)  # a case opened withdraws the APK's 认证签名, as for an issued order
    return order


def confirm_takedown(takedown: TakedownOrder, *, user: Any, note: str = "") -> None:
    """The store operator confirms the removal; the order is taken down when every store has confirmed."""
    role = role_of(user)
    require(user, ROLE_STORE, ROLE_REGULATOR)
    if role == ROLE_STORE and takedown.store_id != getattr(user.profile, "store_id", None):
        raise TransitionError("该下架通知发给其他商店 this takedown order is addressed to another store")
    with transaction.atomic():
        takedown = TakedownOrder.objects.select_for_update().get(pk=takedown.pk)
        if takedown.status != TD_PENDING:
            raise TransitionError("该下架通知已确认 this takedown order is already confirmed")
        with audit.acting_as(user, note):
            takedown.status = TD_CONFIRMED
            takedown.confirmed_by = user
            takedown.confirmed_at = timezone.now()
            takedown.note = note
            takedown.save()
            listing = takedown.listing
            if listing is not None:  # a build of another signer: the store removed that build, no app listing
                listing.active = False
                listing.save()
        order = _lock(takedown.order)
        if order.state == TAKEDOWN and not order.takedowns.filter(status=TD_PENDING).exists():
            _move(
                order,
                "complete_takedown",
                None,
                "各商店均已确认下架 all stores confirmed the takedown",
                system=True,
            )


def surface_overdue() -> int:
    """Mark orders (and SDK orders) still ``issued`` after their deadline (``overdue_since``, audit row); returns
    how many."""
    today = timezone.localdate()
    count = 0
    for order in RectificationOrder.objects.filter(
        state=ISSUED, deadline__lt=today, overdue_since__isnull=True
    ):
        with audit.acting_as(None, f"deadline {order.deadline} passed without a response"):
            order.overdue_since = timezone.now()
            order.save(update_fields=["overdue_since"])
        count += 1
    from appwarden.platform.enforcement import sdk_workflow

    return count + sdk_workflow.surface_overdue()  # SDK vendors' orders (issue #21.1)
