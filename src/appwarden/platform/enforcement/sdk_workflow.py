"""SDK orders (issue #21.1): the enforcement state machine for a 责令整改 addressed to an SDK vendor.

```
issue ──► issued ──respond (vendor)──► responded ──start_retest──► retesting ──(a later scan of an app
            │ (overdue)                    │ (overdue)                          embedding the SDK finished)──► retested
            │                              │                                                      │ passed │ not passed
            │                              │                                           close ◄────┘        │
            └──────────escalate────────────┴──────────────────────────────────escalate──────────────────────┘
                                     ▼
            notice_draft ──(its notice batch is published)──► noticed   (通报 as APP(SDK): the row names SDK and vendor)
            notice_draft ──withdraw_notice (regulator; draft batch only)──► the state it was escalated from
```

The order names confirmed findings owned by the vendor's SDK ids (``Finding.owner``) in any number of apps. The
vendor answers with an explanation, the SDK version that fixes them and optionally a demo APK embedding that
version. The re-test is not one scan of one APK: it is, for each affected app, the latest finished scan of that
app made after the ordered scans that either lists the fixed SDK version or a later one in its report's ``sdks``
(version order, :mod:`appwarden.platform.enforcement.versions`: ``5.2.1.1`` and ``v5.3.0`` are after ``5.2.1``) or
finished after the response without still showing only old SDK version(s) (the ordered scans' versions or ones
ordered before the fixed version) (:func:`evaluate`), plus the scan of the demo
APK when one was given (queued by :func:`start_retest`). Each such scan is compared with the app's ordered findings
by :func:`appwarden.platform.enforcement.diff.diff_findings`, restricted to findings owned by the order's SDK ids
(the apps' other findings play no part). The order is *re-tested* as soon as one affected app (or the demo) has
such a scan, and the table keeps being refreshed by later scans; it *passes* when at least one re-test shows every
ordered finding fixed and no re-test shows one persisting (or a new one of the same SDKs). Apps not re-scanned yet
are listed as 待复测 and neither pass nor fail the order (they are the apps' own business).

Every function checks the role first, then the state and its guard, raises ``RoleError`` (403) /
``TransitionError`` (409) / ``PlatformError`` (400) otherwise with nothing changed, and records an
:class:`~appwarden.platform.enforcement.models.SdkOrderTransition` plus audit rows (through ``save()``, so the
platform's ``post_save`` receivers see every change).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from appwarden.platform.core import audit, storage
from appwarden.platform.core.errors import PlatformError, TransitionError
from appwarden.platform.core.models import ROLE_REGULATOR, ROLE_REVIEWER, ROLE_SDK_VENDOR
from appwarden.platform.core.roles import require, role_of
from appwarden.platform.core.workdays import add_working_days
from appwarden.platform.enforcement import versions as versions_order
from appwarden.platform.enforcement.diff import diff_findings, finding_key
from appwarden.platform.enforcement.models import (
    CLOSED,
    ISSUED,
    NOTICE_DRAFT,
    NOTICED,
    RESPONDED,
    RETESTED,
    RETESTING,
    NoticeBatch,
    NoticeItem,
    SdkOrder,
    SdkOrderTransition,
    SdkResponse,
    SdkRetest,
)
from appwarden.platform.registry.models import SdkVendor
from appwarden.platform.testing.models import F_CONFIRMED, F_REJECTED, JOB_DONE, JOB_FAILED, Finding, ScanJob

# name -> (allowed source states, target state, roles allowed); () roles = performed by the system
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "respond": ((ISSUED,), RESPONDED, (ROLE_SDK_VENDOR, ROLE_REGULATOR)),
    "start_retest": ((RESPONDED,), RETESTING, (ROLE_REVIEWER, ROLE_REGULATOR)),
    "complete_retest": ((RETESTING,), RETESTED, ()),
    "close": ((RETESTED,), CLOSED, (ROLE_REVIEWER, ROLE_REGULATOR)),
    "escalate": ((ISSUED, RESPONDED, RETESTED), NOTICE_DRAFT, (ROLE_REGULATOR,)),
    "publish_notice": ((NOTICE_DRAFT,), NOTICED, ()),
    # out of a draft batch, back to the state the order was escalated from ("": see state_before_escalation)
    "withdraw_notice": ((NOTICE_DRAFT,), "", (ROLE_REGULATOR,)),
}

STATUS_ZH = {
    "fixed": "已整改 Fixed",
    "persisting": "仍存在 Persisting",
    "not_retested": "未能复测 Not re-tested",
    "pending": "待复测 Waiting for a re-test scan",
    "failed": "复测失败 Scan failed",
}
RETESTED_STATUSES = ("fixed", "persisting", "not_retested")


# --- helpers ------------------------------------------------------------------------------------------------------


def vendor_sdk_ids(vendor: SdkVendor) -> list[str]:
    """The vendor's SDK ids (``host`` and non-strings dropped)."""
    return [s for s in vendor.sdk_ids or [] if isinstance(s, str) and s and s != "host"]


def sdk_names(ids: list[str]) -> dict[str, str]:
    """SDK id -> its Chinese name from the SDK knowledge base (the id itself when the KB does not know it)."""
    try:
        from appwarden.sdk.kb import load_kb

        kb = load_kb()
    except Exception:  # a broken KB must not stop enforcement; the ids still name the SDKs
        kb = None
    out = {}
    for sid in ids:
        rec = kb.get(sid) if kb is not None else None
        out[sid] = (rec.name_zh or rec.name_en or sid) if rec else sid
    return out


def _norm_version(value: Any) -> str:
    text = str(value or "").strip().lower()
    return text[1:] if text[:1] == "v" and text[1:2].isdigit() else text


def _fixed_or_later(version: str, fixed: str) -> bool:
    """The scan's SDK ``version`` is the vendor's ``fixed`` version or later (:mod:`.versions`: ``5.2.1.1`` and
    ``v5.3.0`` are after ``5.2.1``, ``5.2.1-rc1`` is before it); strings that cannot be ordered count only when
    equal."""
    if version == fixed:
        return True
    return bool(versions_order.at_least(version, fixed))


def _older(version: str, fixed: str, old_versions: set[str]) -> bool:
    """The scan still embeds a version without the fix: one of the ordered scans' versions, or one that orders
    before the fixed version. An unorderable version that is not an ordered one is not known to be older."""
    if version in old_versions:
        return True
    return versions_order.at_least(version, fixed) is False


def _versions(sdks: Any, ids: set[str]) -> set[str]:
    """The (normalised) versions a report's ``sdks`` section gives for the SDK ids ``ids``."""
    if not isinstance(sdks, list):
        return set()
    return {
        _norm_version(s.get("version"))
        for s in sdks
        if isinstance(s, dict) and s.get("id") in ids and _norm_version(s.get("version"))
    }


def _local(when: Any) -> str | None:
    """A stored time as local ``YYYY-MM-DD HH:MM:SS`` (the platform's time zone) for the re-test table."""
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S") if when else None


def _is_party(order: SdkOrder, user: Any) -> bool:
    return getattr(getattr(user, "profile", None), "sdk_vendor_id", None) == order.vendor_id


def _latest_diff(order: SdkOrder) -> dict[str, Any]:
    retest = order.retests.order_by("-id").first()
    return (retest.diff or {}) if retest else {}


def _overdue(order: SdkOrder) -> bool:
    return timezone.localdate() > order.deadline or order.overdue_since is not None


def _guard_ok(order: SdkOrder, name: str) -> bool:
    """State-independent guards of ``close`` and ``escalate`` (so that forms are offered only when legal)."""
    if name in ("close", "escalate") and order.state == RETESTED:
        passed = bool(_latest_diff(order).get("passed"))
        return passed if name == "close" else not passed
    if name == "escalate" and order.state in (ISSUED, RESPONDED):
        return _overdue(order) and not _awaiting_retest(order)
    return True


def _awaiting_retest(order: SdkOrder) -> bool:
    """``responded`` in time (never overdue): the vendor's answer waits for the re-test, and the vendor may not be
    published (通报) as not rectified before it (as ``workflow._awaiting_retest`` for an app's order)."""
    return order.state == RESPONDED and order.overdue_since is None


def allowed_transitions(order: SdkOrder, user: Any) -> list[str]:
    """Names of the human transitions ``user`` may apply to ``order`` now (for buttons)."""
    role = role_of(user)
    names = []
    for name, (sources, _target, roles) in TRANSITIONS.items():
        if order.state not in sources or role not in roles:
            continue
        if role == ROLE_SDK_VENDOR and not _is_party(order, user):
            continue
        if _guard_ok(order, name):
            names.append(name)
    return names


def _check(order: SdkOrder, name: str, user: Any, reason: str, *, system: bool = False) -> None:
    sources, _target, roles = TRANSITIONS[name]
    if not system:
        if not roles:
            raise TransitionError(f"该操作由系统执行 {name} is performed by the system, not by a user")
        require(user, *roles)
    if order.state not in sources:
        raise TransitionError(
            f"非法操作 illegal transition: cannot {name} an SDK order in state {order.get_state_display()}"
        )
    if not system and not (reason or "").strip():
        raise PlatformError(f"请填写理由 {name} needs a reason (理由必填)")


def _move(
    order: SdkOrder, name: str, user: Any, reason: str, *, system: bool = False, target: str = ""
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
        SdkOrderTransition.objects.create(
            order=order,
            name=name,
            from_state=previous,
            to_state=target,
            actor=user if getattr(user, "pk", None) else None,
            actor_name=getattr(user, "username", "") or "system",
            reason=reason,
        )


def _lock(order: SdkOrder) -> SdkOrder:
    return SdkOrder.objects.select_for_update().get(pk=order.pk)


# --- issue and respond --------------------------------------------------------------------------------------------


def issue_sdk_order(
    vendor: SdkVendor,
    findings: list[Finding],
    *,
    user: Any,
    reason: str,
    working_days: int | None = None,
    requirements: str = "",
) -> SdkOrder:
    """Issue a 责令整改 order to an SDK vendor (reviewer/regulator) for confirmed findings owned by its SDK ids,
    in any number of apps. Deadline: ``working_days`` working days (default ``APPWARDEN_RECTIFY_DAYS``)."""
    require(user, ROLE_REVIEWER, ROLE_REGULATOR)
    if not (reason or "").strip():
        raise PlatformError("请填写理由 issuing an order needs a reason (理由必填)")
    if not findings:
        raise PlatformError("整改通知至少需要一项已确认的问题 an order needs at least one confirmed finding")
    own = set(vendor_sdk_ids(vendor))
    for f in findings:
        if f.status != F_CONFIRMED:
            raise PlatformError(
                f"问题 #{f.pk} 未确认 finding #{f.pk} is not confirmed; only confirmed findings can be ordered"
            )
        if f.owner not in own:
            raise PlatformError(
                f"问题 #{f.pk} 不属于该厂商的SDK（归属 {f.owner}） finding #{f.pk} is not owned by this vendor's SDKs"
            )
        if f.app_version_id is None:
            raise PlatformError(f"问题 #{f.pk} 没有对应的应用版本 finding #{f.pk} has no app version")
        if f.app_version.foreign:
            # its 通报 row would name the app and its company as carrying the SDK: a build of another signer is not
            # theirs (docs/platform.md "Builds signed by another key")
            raise PlatformError(
                f"问题 #{f.pk} 所在构建的签名与该应用不一致（可能为仿冒/借用包名的APK），不能列入SDK整改通知 "
                f"finding #{f.pk} is in a build of another signer than its app's"
            )
    days = settings.APPWARDEN_RECTIFY_DAYS if working_days is None else int(working_days)
    if days < 1 or days > 365:
        raise PlatformError("整改期限须为1至365个工作日 working days must be between 1 and 365")
    today = timezone.localdate()
    with transaction.atomic(), audit.acting_as(user, reason):
        order = audit.create_numbered(
            SdkOrder(
                vendor=vendor,
                sdk_ids=sorted({f.owner for f in findings}),
                working_days=days,
                deadline=add_working_days(today, days, settings.APPWARDEN_HOLIDAYS),
                requirements=requirements,
                issued_by=user,
            ),
            lambda o: f"SDK-{o.issued_at.astimezone(timezone.get_current_timezone()).year}-{o.pk:05d}",
        )
        order.findings.set(findings)
        SdkOrderTransition.objects.create(
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
    order: SdkOrder,
    *,
    user: Any,
    explanation: str,
    new_sdk_version: str,
    demo_apk: Any = None,
    file_name: str = "",
) -> SdkResponse:
    """The vendor answers (or a regulator on its behalf): an explanation, the SDK version that fixes the findings
    and optionally a demo APK embedding that version (checked to be an APK, stored by sha256; scanned when the
    re-test starts). Nothing is stored when anything is refused."""
    from appwarden.platform.testing.services import _chunks, validate_apk

    if role_of(user) == ROLE_SDK_VENDOR and not _is_party(order, user):
        raise TransitionError("该整改通知属于其他SDK厂商 this order is addressed to another SDK vendor")
    if not (explanation or "").strip():
        raise PlatformError("请填写整改说明 a response needs an explanation (整改说明必填)")
    version = (new_sdk_version or "").strip()
    if not version:
        raise PlatformError("请填写整改后的SDK版本号 a response needs the fixed SDK version")
    if len(version) > 100:
        raise PlatformError(
            "SDK版本号过长（最多100个字符） the SDK version is too long (100 characters at most)"
        )
    order = SdkOrder.objects.get(pk=order.pk)  # the current state, not the caller's copy
    _check(order, "respond", user, explanation)  # before anything is stored
    sha = ""
    if demo_apk is not None:
        sha, _ = storage.store_chunks(
            _chunks(demo_apk), max_size=settings.APPWARDEN_MAX_UPLOAD, validate=validate_apk
        )
    with transaction.atomic():
        order = _lock(order)
        if order.overdue_since is None and timezone.localdate() > order.deadline:
            # answered late: keep the fact that surface_overdue would have stamped had it run before
            order.overdue_since = timezone.now()
        _move(order, "respond", user, explanation)
        with audit.acting_as(user, explanation):
            return SdkResponse.objects.create(
                order=order,
                explanation=explanation,
                new_sdk_version=version,
                demo_sha256=sha,
                demo_file_name=(file_name or getattr(demo_apk, "name", "") or "")[:255] if sha else "",
                submitted_by=user,
            )


# --- re-test ------------------------------------------------------------------------------------------------------


def _rows(findings: list[Finding]) -> list[dict[str, str]]:
    seen: OrderedDict[str, dict[str, str]] = OrderedDict()
    for f in findings:
        seen.setdefault(
            finding_key(f),
            {"key": finding_key(f), "rule_id": f.rule_id, "title_zh": f.title_zh, "owner": f.owner},
        )
    return list(seen.values())


def _compare(ordered: list[Finding], job: ScanJob, ids: set[str]) -> dict[str, Any]:
    """The diff of ``ordered`` against ``job``'s findings owned by the SDK ids ``ids`` (others play no part); a
    finding of those SDKs that a reviewer rejected in the ordered scans is not new when found again."""
    later = [f for f in job.findings.all() if f.owner in ids]
    rejected = Finding.objects.filter(
        job_id__in={f.job_id for f in ordered}, status=F_REJECTED, owner__in=ids
    )
    d = diff_findings(ordered, later, job.report, list(rejected))
    if d["persisting"] or d["new"]:
        status = "persisting"
    elif d["not_retested"]:
        status = "not_retested"
    else:
        status = "fixed"
    return {
        "status": status,
        "fixed": d["fixed"],
        "persisting": d["persisting"],
        "new": d["new"],
        "previously_rejected": d["previously_rejected"],
        "not_retested": d["not_retested"],
        "evidence_kinds": d["evidence_kinds"],
    }


def evaluate(order: SdkOrder) -> dict[str, Any]:
    """The re-test table of an SDK order now (reads the database, changes nothing).

    Returns ``{since, new_sdk_version, old_versions, apps: [...], demo: row | None, retested, passed}``; each app
    row has ``app``, ``package``, ``name``, ``ordered`` (rule rows), ``status`` (``fixed`` / ``persisting`` /
    ``not_retested`` / ``pending``), ``status_zh``, ``job`` and ``finished_at`` of the re-test scan, its
    ``sdk_versions``, ``note_zh`` and the four diff groups. See the module docstring for which scan counts.
    """
    response = order.responses.order_by("-id").first()
    since = response.at if response else None
    new_version = _norm_version(response.new_sdk_version) if response else ""
    ids = set(order.sdk_ids or [])
    findings = list(order.findings.select_related("app_version__app"))
    by_app: OrderedDict[int, list[Finding]] = OrderedDict()
    for f in sorted(findings, key=lambda f: (f.app_version.app.package, f.pk)):
        by_app.setdefault(f.app_version.app_id, []).append(f)
    original_jobs = {f.job_id for f in findings}
    old_versions: set[str] = set()
    for sdks in ScanJob.objects.filter(pk__in=original_jobs).values_list("report__sdks", flat=True):
        old_versions |= _versions(sdks, ids)
    old_versions.discard(new_version)
    apps = []
    for app_id, fs in by_app.items():
        app = fs[0].app_version.app
        row: dict[str, Any] = {
            "app": app_id,
            "package": app.package,
            "name": app.name or app.package,
            "ordered": _rows(fs),
            "status": "pending",
            "job": None,
            "finished_at": None,
            "sdk_versions": [],
            "note_zh": "尚无整改答复后的复测扫描 no later scan of this app yet",
            "fixed": [],
            "persisting": [],
            "new": [],
            "not_retested": [],
        }
        latest_ordered = max(f.job_id for f in fs)
        candidates = (
            ScanJob.objects.filter(app_version__app_id=app_id, status=JOB_DONE, pk__gt=latest_ordered)
            .exclude(pk__in=original_jobs)
            .order_by("-finished_at", "-pk")
            .values_list("pk", "finished_at", "report__sdks", "app_version__signer_sha256")
        )
        # only a build of the ordered app counts: an APK that merely carries its package name (signed by anyone
        # else, e.g. submitted as a store's pre-listing check) is no re-test of it
        signers = {f.app_version.signer_sha256 for f in fs if f.app_version.signer_sha256}
        chosen, stale, foreign = None, None, False
        for pk, finished, sdks, signer in candidates:
            if signers and signer not in signers:
                foreign = True
                continue
            versions = _versions(sdks, ids)
            if new_version and any(_fixed_or_later(v, new_version) for v in versions):
                chosen = (pk, versions)
                break
            after = since is not None and finished is not None and finished >= since
            if after and not (versions and all(_older(v, new_version, old_versions) for v in versions)):
                chosen = (pk, versions)
                break
            if after and stale is None:
                stale = (pk, versions)
        if chosen is None:
            if foreign and stale is None:
                row["note_zh"] = (
                    "后来的扫描签名与被责令版本不一致（非该应用的构建），不计为复测 "
                    "a later scan is signed by another signer than the ordered version: not this app's re-test"
                )
            if stale is not None:
                row["note_zh"] = (
                    f"答复后的扫描（任务 #{stale[0]}）仍嵌入旧版本 {'、'.join(sorted(stale[1]))}"
                    f"（早于整改版本 {new_version or '—'}），不计为复测 "
                    "the later scan still embeds an SDK version older than the fixed one"
                )
                row["sdk_versions"] = sorted(stale[1])
            apps.append(row)
            continue
        job = ScanJob.objects.get(pk=chosen[0])
        row.update(_compare(fs, job, ids))
        row.update(
            job=job.pk,
            finished_at=_local(job.finished_at),
            sdk_versions=sorted(chosen[1]),
            note_zh=""
            if chosen[1]
            else "报告未识别出SDK版本，按答复后的扫描计 SDK version not detected; counted by date",
        )
        apps.append(row)
    demo = None
    retest = order.retests.order_by("-id").first()
    if retest is not None and retest.demo_job_id:
        job = ScanJob.objects.get(pk=retest.demo_job_id)
        demo = {
            "job": job.pk,
            "file_name": job.file_name,
            "ordered": _rows(findings),
            "status": "pending",
            "sdk_versions": [],
            "note_zh": "演示APK扫描中 the demo APK is being scanned",
            "fixed": [],
            "persisting": [],
            "new": [],
            "not_retested": [],
        }
        if job.status == JOB_DONE:
            unique = list({finding_key(f): f for f in findings}.values())
            demo.update(_compare(unique, job, ids))
            sdks = (job.report or {}).get("sdks") if isinstance(job.report, dict) else None
            versions = _versions(sdks, ids)
            demo["sdk_versions"] = sorted(versions)
            demo["note_zh"] = ""
            # the vendor's own APK proves the fix only if it embeds the ordered SDK at the fixed version (or one
            # not known to be older): an APK without the SDK, or on an old version, has none of its findings
            embeds = isinstance(sdks, list) and any(isinstance(s, dict) and s.get("id") in ids for s in sdks)
            old = bool(versions) and all(_older(v, new_version, old_versions) for v in versions)
            if demo["status"] == "fixed" and not embeds:
                demo["status"] = "not_retested"
                demo["note_zh"] = (
                    f"演示APK未嵌入本通知所涉SDK（{'、'.join(sorted(ids))}），不能证明已整改 "
                    "the demo APK does not embed the ordered SDK: it proves nothing"
                )
            elif demo["status"] == "fixed" and old:
                demo["status"] = "not_retested"
                demo["note_zh"] = (
                    f"演示APK嵌入的仍是旧版本 {'、'.join(sorted(versions))}（早于整改版本 {new_version or '—'}），"
                    "不能证明已整改 the demo APK embeds an SDK version older than the fixed one"
                )
        elif job.status == JOB_FAILED:
            demo.update(status="failed", note_zh=f"演示APK扫描失败 the demo APK scan failed: {job.error}")
        demo["status_zh"] = STATUS_ZH[demo["status"]]
    for row in apps:
        row["status_zh"] = STATUS_ZH[row["status"]]
    rows = apps + ([demo] if demo else [])
    retested = any(r["status"] in RETESTED_STATUSES for r in rows)
    passed = (
        retested
        and not any(r["status"] == "persisting" for r in rows)
        and any(r["status"] == "fixed" for r in rows)
    )
    return {
        "since": _local(since),
        "new_sdk_version": response.new_sdk_version if response else "",
        "old_versions": sorted(old_versions),
        "apps": apps,
        "demo": demo,
        "retested": retested,
        "passed": passed,
    }


def _refresh(order: SdkOrder) -> dict[str, Any]:
    """Re-evaluate a (locked) order in ``retesting``/``retested``: store the table on its latest re-test (a save,
    so an audit row) when it changed, and move ``retesting`` → ``retested`` once some re-test scan counts."""
    retest = order.retests.order_by("-id").first()
    if retest is None or order.state not in (RETESTING, RETESTED):
        return _latest_diff(order)
    diff = evaluate(order)
    if diff != retest.diff:
        with audit.acting_as(None, "SDK re-test table refreshed"):
            retest.diff = diff
            if diff["retested"] and retest.completed_at is None:
                retest.completed_at = timezone.now()
            retest.save()
    if order.state == RETESTING and diff["retested"]:
        counts = {s: sum(1 for r in diff["apps"] if r["status"] == s) for s in STATUS_ZH}
        summary = (
            f"SDK re-test: {counts['fixed']} app(s) fixed, {counts['persisting']} persisting, "
            f"{counts['not_retested']} not re-tested, {counts['pending']} waiting"
            + (f"; demo APK {diff['demo']['status']}" if diff["demo"] else "")
        )
        _move(order, "complete_retest", None, summary, system=True)
    return diff


def start_retest(order: SdkOrder, *, user: Any, reason: str) -> SdkRetest:
    """Start the re-test (reviewer/regulator): from now on the later scans of the affected apps (and the demo APK,
    queued here when the vendor gave one) are compared with the ordered findings; the order is ``retested`` at
    once when such a scan already exists, else when the first one finishes (:func:`on_scan_finished`)."""
    from appwarden.platform.testing.services import queue_job

    require(user, *TRANSITIONS["start_retest"][2])
    with transaction.atomic():
        order = _lock(order)
        _check(order, "start_retest", user, reason)
        response = order.responses.order_by("-id").first()
        if response is None:  # pragma: no cover - responded implies a response
            raise TransitionError("厂商尚未答复 the vendor has not answered")
        _move(order, "start_retest", user, reason)
        with audit.acting_as(user, reason):
            demo_job = None
            if response.demo_sha256:
                demo_job = queue_job(
                    response.demo_sha256,
                    user=user,
                    file_name=response.demo_file_name or "sdk-demo.apk",
                    purpose="retest",
                    allow_duplicate=True,
                )
            retest = SdkRetest.objects.create(order=order, response=response, demo_job=demo_job)
        _refresh(order)
    retest.refresh_from_db()
    return retest


def on_scan_finished(sender: Any, job: ScanJob, **_: Any) -> None:
    """Signal receiver: a finished scan of an app embedding an ordered SDK (or of a demo APK) refreshes the
    re-test table of every SDK order re-testing or re-tested that concerns it."""
    app_id = ScanJob.objects.filter(pk=job.pk).values_list("app_version__app_id", flat=True).first()
    open_states = (RETESTING, RETESTED)
    pks = set(
        SdkOrder.objects.filter(state__in=open_states, retests__demo_job=job).values_list("pk", flat=True)
    )
    if app_id is not None:
        pks |= set(
            SdkOrder.objects.filter(state__in=open_states, findings__app_version__app_id=app_id).values_list(
                "pk", flat=True
            )
        )
    for pk in sorted(pks):
        with transaction.atomic():
            _refresh(SdkOrder.objects.select_for_update().get(pk=pk))


def close(order: SdkOrder, *, user: Any, reason: str) -> None:
    """Close the order after a passed re-test (reviewer/regulator): some re-test shows every ordered finding fixed
    and none shows one persisting (the table is re-evaluated first)."""
    require(user, *TRANSITIONS["close"][2])
    with transaction.atomic():
        order = _lock(order)
        _check(order, "close", user, reason)
        diff = _refresh(order)
        if not diff.get("passed"):
            still = sorted(
                {r["name"] for r in diff.get("apps", []) if r["status"] == "persisting"}
                | ({"演示APK demo"} if (diff.get("demo") or {}).get("status") == "persisting" else set())
            )
            if still:
                raise TransitionError(
                    f"复测未通过：{'、'.join(still)} 仍存在该SDK的问题，不能结案，应通报 "
                    "the re-test still shows the SDK's findings; escalate instead of closing"
                )
            raise TransitionError(
                "尚无显示问题已整改的复测，不能结案；请等待嵌入新版本SDK的应用复测 "
                "no re-test shows the findings fixed yet; wait for scans of apps embedding the new SDK version"
            )
        _move(order, "close", user, reason)


def _join_limited(values: list[str], limit: int, unit: str = "项") -> str:
    values = [v for v in dict.fromkeys(v for v in values if v)]
    if not values:
        return "—"
    text = "、".join(values)
    if len(text) <= limit:
        return text
    for n in range(len(values) - 1, 0, -1):
        text = "、".join(values[:n]) + f"等{len(values)}{unit}"
        if len(text) <= limit:
            return text
    return (values[0][: limit - 12] + f"等{len(values)}{unit}")[:limit]


def problems_text(order: SdkOrder, diff: dict[str, Any], findings: list[Finding] | None = None) -> str:
    """所涉问题 of an APP(SDK) notice row: the 通报 problem type names of the ordered findings still present in some
    re-test (persisting or not re-tested), all ordered ones when nothing was re-tested; titles only when none has
    a type (as :func:`appwarden.platform.enforcement.workflow.problems_text`). ``findings``: the ordered findings
    to name from (default: those still confirmed; a finding rejected on review is never named)."""
    from appwarden.report.notice import PROBLEM_SEPARATOR, problem_names

    if findings is None:
        findings = list(order.findings.filter(status=F_CONFIRMED))
    rows = [r for r in diff.get("apps", []) + ([diff["demo"]] if diff.get("demo") else [])]
    still = {x["key"] for r in rows for x in r.get("persisting", []) + r.get("not_retested", [])}
    kept = [f for f in findings if finding_key(f) in still] if diff.get("retested") else []
    chosen = kept or findings
    data = [
        {"rule_id": f.rule_id, "notice_types": f.notice_types, "title_zh": f.title_zh, "evidence": f.evidence}
        for f in chosen
    ]
    names = problem_names(data) or problem_names(data, include_unmapped=True)
    return PROBLEM_SEPARATOR.join(names)


def escalate(order: SdkOrder, *, user: Any, reason: str, notice: NoticeBatch) -> NoticeItem:
    """通报 as APP(SDK) (regulator): add the order to an unpublished notice batch. From ``issued``/``responded``
    only when overdue, from ``retested`` only when the re-test did not pass. The row names the SDK(s) and the
    vendor (``sdk_name``, ``sdk_vendor``) and, as 应用名称/开发者/来源/版本, the apps where the findings persist
    (all affected apps when there was no re-test)."""
    require(user, *TRANSITIONS["escalate"][2])
    with transaction.atomic():
        # the batch's row locked whatever its state (a filter on published=True would lock nothing while it is
        # unpublished, and a publication could then run beside this), before the order, as publish_notice and
        # withdraw_notice take them
        notice = NoticeBatch.objects.select_for_update().get(pk=notice.pk)
        order = _lock(order)
        _check(order, "escalate", user, reason)
        if notice.published:
            raise TransitionError(
                "该通报批次已发布，请选择未发布的批次 the notice batch is already published; choose an unpublished one"
            )
        if _awaiting_retest(order):
            raise TransitionError(
                "厂商已按期答复，复测前不能通报 the vendor answered in time; re-test (start_retest) before any notice"
            )
        if order.state in (ISSUED, RESPONDED) and not _overdue(order):
            raise TransitionError(
                "整改期限未到，不能通报 the rectification deadline has not passed yet; cannot escalate before it"
            )
        diff = _refresh(order) if order.state == RETESTED else {}
        if order.state == RETESTED and diff.get("passed"):
            raise TransitionError(
                "复测已通过，应结案而非通报 the re-test passed; close the order instead of escalating"
            )
        fields = _row_fields(order, diff)  # before the move: a refusal changes nothing
        _move(order, "escalate", user, reason)
        with audit.acting_as(user, reason):
            return NoticeItem.objects.create(batch=notice, sdk_order=order, **fields)


def _row_fields(order: SdkOrder, diff: dict[str, Any]) -> dict[str, str]:
    """The evidence-bound fields of an APP(SDK) notice row from the order's findings still confirmed (one rejected
    on review is never named, nor its app; see ``workflow.notice_facts``) and the re-test table ``diff`` (``{}``:
    no re-test). Raises TransitionError while an ordered finding is back under review or none is left confirmed."""
    from appwarden.platform.enforcement.workflow import nameable_findings

    findings, refusal = nameable_findings(list(order.findings.select_related("app_version__app__company")))
    if refusal:
        raise TransitionError(f"{order.number}：{refusal}")
    persisting_apps = {r["app"] for r in diff.get("apps", []) if r["status"] == "persisting"}
    named = [f for f in findings if f.app_version.app_id in persisting_apps] or findings
    apps = sorted({f.app_version.app_id: f.app_version.app for f in named}.values(), key=lambda a: a.package)
    stores = sorted(
        {
            listing.store.name
            for app in apps
            for listing in app.listings.select_related("store").filter(active=True)
        }
    )
    names = sdk_names(list(order.sdk_ids))
    versions: set[str] = set()
    for r in diff.get("apps", []):
        if r["app"] in persisting_apps:
            versions.update(r.get("sdk_versions") or [])
    if not versions:
        versions = set(diff.get("old_versions") or [])
        if not diff:
            ids = set(order.sdk_ids)
            for sdks in ScanJob.objects.filter(pk__in={f.job_id for f in findings}).values_list(
                "report__sdks", flat=True
            ):
                versions |= _versions(sdks, ids)
    sdk_text = "、".join(f"{names[s]}（{s}）" for s in order.sdk_ids)
    if versions:
        sdk_text += f" 版本 {'、'.join(sorted(versions))}"
    return {
        "app_name": _join_limited([a.name or a.package for a in apps], 200, "款应用"),
        "developer": _join_limited([a.company.name for a in apps if a.company], 200, "家企业"),
        "source": _join_limited(stores, 300, "个商店"),
        "version": _join_limited(
            [f.app_version.version_name for f in named if f.app_version.version_name], 100, "个版本"
        ),
        "problems": problems_text(order, diff, findings),
        "sdk_name": sdk_text[:300],
        "sdk_vendor": order.vendor.name[:200],
    }


def publish(order: SdkOrder, *, user: Any, why: str) -> None:
    """Called by :func:`appwarden.platform.enforcement.workflow.publish_notice` for an APP(SDK) row, inside its
    transaction: ``notice_draft`` → ``noticed``; refuses (changing nothing) an order no longer waiting for it or
    whose row may no longer be written (:func:`_row_fields`); a row the evidence now words otherwise (a finding
    rejected since the escalation) is restated first (audited ``notice_row_refreshed``)."""
    order = _lock(order)
    if order.state != NOTICE_DRAFT:
        raise TransitionError(
            f"{order.number} 当前状态为「{order.get_state_display()}」，不能随本批次通报 "
            "the order is no longer waiting for this notice"
        )
    from appwarden.platform.enforcement.workflow import restate_row

    # the row as the evidence stands at publication
    restate_row(order.notice_item, _row_fields(order, _latest_diff(order)), user, {"sdk_order": order.number})
    _move(order, "publish_notice", user, why, system=True)


def state_before_escalation(order: SdkOrder) -> str:
    """The state the SDK order (in ``notice_draft``) was escalated from: the ``from_state`` of its latest
    ``escalate`` transition; without one, ``retested`` after a re-test that counted, ``responded`` after an answer,
    else ``issued``."""
    sources = TRANSITIONS["escalate"][0]
    last = order.transitions.filter(name="escalate").order_by("-id").first()
    if last is not None and last.from_state in sources:
        return last.from_state
    if order.retests.filter(completed_at__isnull=False).exists():
        return RETESTED
    return RESPONDED if order.responses.exists() else ISSUED


def withdraw_notice(order: SdkOrder, *, user: Any, reason: str) -> str:
    """撤出通报 of an APP(SDK) row: as ``workflow.withdraw_notice`` for an app's order (regulator, written reason;
    only from a **draft** batch, a published one is 409). The SDK order goes back to the state it was escalated
    from (:func:`state_before_escalation`), the transition ``withdraw_notice`` records who and why, the row is
    deleted and an audit row ``notice_withdrawn`` keeps it; a ``retested`` order's re-test table is refreshed
    (:func:`_refresh`). Returns the state the order went back to."""
    require(user, *TRANSITIONS["withdraw_notice"][2])
    reason = (reason or "").strip()
    if not reason:
        raise PlatformError("请填写撤出理由 withdrawing an order from a notice needs a reason (理由必填)")
    with transaction.atomic():
        item = NoticeItem.objects.filter(sdk_order_id=order.pk).first()
        if item is None:
            raise TransitionError(
                f"{order.number} 不在任何通报批次中 the SDK order is in no notice batch; nothing to withdraw"
            )
        from appwarden.platform.enforcement.workflow import drop_notice_row, lock_draft_batch

        batch = lock_draft_batch(item)
        order = _lock(order)
        _check(order, "withdraw_notice", user, reason)
        target = state_before_escalation(order)
        _move(order, "withdraw_notice", user, reason, target=target)
        drop_notice_row(item, batch, order, "sdk_order", target, user=user, reason=reason)
        if target == RETESTED:
            _refresh(order)
    return target


def surface_overdue() -> int:
    """Mark SDK orders still ``issued`` after their deadline (``overdue_since``, an audit row); returns how many."""
    count = 0
    for order in SdkOrder.objects.filter(
        state=ISSUED, deadline__lt=timezone.localdate(), overdue_since__isnull=True
    ):
        with audit.acting_as(None, f"deadline {order.deadline} passed without a response"):
            order.overdue_since = timezone.now()
            order.save(update_fields=["overdue_since"])
        count += 1
    return count


__all__ = [
    "TRANSITIONS",
    "allowed_transitions",
    "close",
    "escalate",
    "evaluate",
    "issue_sdk_order",
    "on_scan_finished",
    "respond",
    "start_retest",
    "surface_overdue",
    "withdraw_notice",
]
