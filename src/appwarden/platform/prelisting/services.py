"""Pre-listing checks: submit (a scan job through the testing pipeline), the verdict policy, the 164号文 item 9
listing checks (listing metadata vs the APK) and the per-store share of violating apps.

Verdict policy (thresholds are Django settings, defaults shown):

* ``fail`` — a non-rejected finding with severity in ``APPWARDEN_PRELISTING_FAIL_SEVERITIES`` (``["high"]``) and
  confidence in ``APPWARDEN_PRELISTING_FAIL_CONFIDENCES`` (``["confirmed", "likely"]``), or the 不良APP screening
  verdict ``harmful`` (a ``harmful`` or ``suspicious`` verdict whose latest 筛查结论复核 is ``rejected``, 误报, counts
  for nothing: the reasons say ``screening:rejected_as_false_alarm`` and ``screening_review`` gives the decision);
* ``needs_review`` — otherwise, a non-rejected finding with severity in ``APPWARDEN_PRELISTING_REVIEW_SEVERITIES``
  (``["high", "medium"]``, e.g. a high finding that is only ``possible`` or an unreviewed medium one), the
  screening verdict ``suspicious``, a listing mismatch (when ``APPWARDEN_PRELISTING_MISMATCH_REVIEW``, default
  true), or an analysis that did not cover the app (:func:`analysis_gaps`: a DEX the engine refused, a zip bomb
  for instance, or a screening that was not evaluated; when ``APPWARDEN_PRELISTING_GAP_REVIEW``, default true):
  "nothing found" in code that was never read is no pass;
* ``pass`` — none of these.

A build carrying a registered app's package name under another signer (``AppVersion.signer_relation``
``foreign``) adds the reason ``identity:foreign_signer`` with ``signer_check`` (both signers): ``fail`` by default,
``needs_review`` when ``APPWARDEN_PRELISTING_FOREIGN_SIGNER`` says so (:func:`signer_check`).

A 停止接入 (stop-access) measure in force that bars the app's company from the asking store overrides all of
this: the verdict is ``fail`` with the reason ``sanction:stop_access`` and ``stop_access`` naming the measure (one
Chinese line), whatever the findings (:func:`stop_access`). The company is the app's registered company; an app not
registered to any company — and a build of another signer, which is not that company's — is matched by the
listing's developer name or the signer's O=/CN= against the sanctioned companies' names (never the package's
registered company for a build of another signer). The first verdict that refuses a check this way writes an audit row
``prelisting_stop_access`` (check, measure, company, store, basis).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import Q

from appwarden.platform.prelisting.models import PrelistingCheck
from appwarden.platform.registry.models import SIGNER_FOREIGN, Store, StoreListing, attributed
from appwarden.platform.testing import screening_review
from appwarden.platform.testing import services as testing
from appwarden.platform.testing.models import F_CONFIRMED, F_REJECTED, JOB_DONE, SR_REJECTED, Finding, ScanJob

PASS, FAIL, NEEDS_REVIEW = "pass", "fail", "needs_review"
CLAUSE = "M164-4.1"  # 164号文 item 9: 应用分发平台上的APP信息明示不到位
_PERM_SPLIT = re.compile(r"[\s,;，；]+")


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def parse_permissions(raw: str | None) -> list[str] | None:
    """The listing's permission list from a comma/space separated string (``None`` when not given); short names
    (``CAMERA``) become ``android.permission.CAMERA``."""
    if raw is None:
        return None
    names = [p for p in _PERM_SPLIT.split(str(raw)) if p]
    return sorted({p if "." in p else f"android.permission.{p.upper()}" for p in names})


def submit(
    apk: Any, *, store: Store, user: Any, policy: Any = None, listing: dict[str, Any] | None = None
) -> PrelistingCheck:
    """Store the APK (same checks and limits as any upload) and queue its scan as this store's pre-listing check.

    Every submission is its own check (no duplicate refusal: two stores may check the same APK)."""
    listing = listing or {}
    job = testing.submit_apk(
        apk, user=user, file_name=getattr(apk, "name", "") or "", policy=policy, allow_duplicate=True
    )
    return PrelistingCheck.objects.create(
        job=job,
        store=store,
        created_by=user if getattr(user, "pk", None) else None,
        developer=str(listing.get("developer") or "")[:200],
        version=str(listing.get("version") or "")[:100],
        policy_url=str(listing.get("policy_url") or "")[:500],
        permissions=parse_permissions(listing.get("permissions")),
        updated=str(listing.get("updated") or "")[:40],
    )


def _norm(text: str) -> str:
    return re.sub(r"[\s()（）]+", "", str(text)).lower()


def _subject_names(subject: str) -> list[str]:
    """The O= and CN= values of an X.500 subject string."""
    return [m.group(2).strip() for m in re.finditer(r"(?:^|,)\s*(O|CN)\s*=\s*([^,]+)", subject or "")]


def listing_mismatches(check: PrelistingCheck, report: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """164号文 item 9 checks of the listing metadata against the scanned APK (only for a finished job): each
    mismatch is ``{"check", "clause", "message_zh", ...details}``. ``report``: the job's report or just its ``app``
    and ``manifest`` sections (:func:`verdicts` reads only those); default the job's whole report."""
    job = check.job
    if report is None:
        report = job.report if isinstance(job.report, dict) else {}
    app = report.get("app") if isinstance(report.get("app"), dict) else {}
    out: list[dict[str, Any]] = []

    def add(kind: str, message: str, **details: Any) -> None:
        out.append({"check": kind, "clause": CLAUSE, "message_zh": message, **details})

    manifest = report.get("manifest") if isinstance(report.get("manifest"), dict) else {}
    apk_perms = sorted(
        {
            str(p.get("name"))
            for p in manifest.get("permissions") or []
            if isinstance(p, dict) and p.get("name")
        }
    )
    if check.permissions is None:
        add("permissions_not_listed", "上架信息未列出应用申请的权限 the listing shows no permission list")
    else:
        missing = [p for p in apk_perms if p not in check.permissions]
        if missing:
            add(
                "permissions_undeclared",
                "APK申请了上架信息未列出的权限 the APK requests permissions the listing does not show",
                permissions=missing,
            )
    if not check.policy_url:
        add("policy_url_missing", "上架信息缺少隐私政策链接 the listing has no privacy-policy URL")
    elif not re.match(r"https?://[^\s/]+\.[^\s/]+", check.policy_url):
        add("policy_url_invalid", "隐私政策链接无效 the privacy-policy URL is not an http(s) URL")
    signers = app.get("signers") or []
    subject = str(signers[0].get("subject") or "") if signers and isinstance(signers[0], dict) else ""
    version = job.app_version
    # the registered company vouches for its own builds only: a build of another signer naming it as developer is
    # a mismatch (a lookalike claiming the genuine company), and the mismatch does not name that company either
    company = (
        version.app.company
        if version and version.app.company_id and version.signer_relation != SIGNER_FOREIGN
        else None
    )
    candidates = _subject_names(subject) + ([company.name] if company else [])
    if not check.developer:
        add("developer_missing", "上架信息缺少开发者名称 the listing names no developer")
    elif not any(_norm(check.developer) == _norm(c) for c in candidates if c):
        add(
            "developer_mismatch",
            "开发者名称与APK签名主体及登记企业不一致 the developer differs from the APK signer and the registered company",
            developer=check.developer,
            signer_subject=subject,
            registered_company=company.name if company else "",
        )
    apk_version = str(app.get("version_name") or "")
    if check.version and apk_version and check.version.strip() != apk_version:
        add(
            "version_mismatch",
            "上架信息版本与APK版本不一致 the listed version differs from the APK's",
            listed=check.version,
            apk=apk_version,
        )
    return out


def stop_access(check: PrelistingCheck, measures: list[Any] | None = None) -> tuple[Any, str] | None:
    """``(measure, basis)`` when a 停止接入 measure in force today bars the checked app's company from the check's
    store, else ``None``. ``basis``: ``registered`` (the app's registered company), or for an app registered to no
    company ``developer`` (the listing's developer name) / ``signer`` (the signer subject's O= or CN=) equal to the
    sanctioned company's name (spaces and brackets ignored). A build of another signer (``foreign``) is matched as
    an app registered to no company, never to the package's registered company (it is not that company's app). ``measures``: the measures in force, when the caller
    already has them (:func:`verdicts`); default read now."""
    from appwarden.platform.sanctions import services as sanctions

    job = check.job
    version = job.app_version
    if version is None:
        return None
    # a build of another signer only carries the package name: the registered company's measure is no basis for
    # refusing it (the check names what it is instead: identity:foreign_signer), not even when the listing or the
    # certificate claims that company's name (that claim is what a counterfeit makes); another sanctioned company's
    # name it claims still counts, as for an app registered to no company
    foreign = version.signer_relation == SIGNER_FOREIGN
    company_id = None if foreign else version.app.company_id
    not_theirs = version.app.company_id if foreign else None
    if company_id:
        if measures is None:
            measure = sanctions.stop_access_for(company_id, check.store_id)
        else:
            measure = next(
                (m for m in measures if m.company_id == company_id and sanctions.bars(m, check.store_id)),
                None,
            )
        return (measure, "registered") if measure is not None else None
    names = [("developer", _norm(check.developer))] if check.developer else []
    names += [("signer", _norm(n)) for n in _subject_names(version.signer_subject)]
    for measure in sanctions.stop_access_measures() if measures is None else measures:
        if not sanctions.bars(measure, check.store_id) or (not_theirs and measure.company_id == not_theirs):
            continue
        company = _norm(measure.company.name)
        for basis, name in names:
            if name and name == company:
                return measure, basis
    return None


AUDIT_STOP = "prelisting_stop_access"


def _audited(check_ids: list[int]) -> set[int]:
    """The checks that already have their ``prelisting_stop_access`` audit row."""
    from appwarden.platform.core.models import AuditLog

    return {
        int(pk)
        for pk in AuditLog.objects.filter(
            action=AUDIT_STOP, model="prelisting.prelistingcheck", object_id__in=[str(c) for c in check_ids]
        ).values_list("object_id", flat=True)
    }


def _audit_stop_access(
    check: PrelistingCheck, measure: Any, basis: str, audited: set[int] | None = None
) -> None:
    """One audit row per refused check (the first verdict that refuses it). Two first reads at the same moment
    (two requests, the store's notification and a page) each find no row; the writer therefore takes the check's
    row lock (``SELECT … FOR UPDATE``) and looks again under it, so the second waits for the first and then sees
    its row (PostgreSQL; SQLite serialises writers itself)."""
    from django.db import transaction

    from appwarden.platform.core import audit

    if check.pk in (audited if audited is not None else _audited([check.pk])):
        return
    version = check.job.app_version
    with transaction.atomic():
        PrelistingCheck.objects.select_for_update().filter(pk=check.pk).values_list("pk").first()
        if check.pk in _audited([check.pk]):
            return
        audit.record(
            AUDIT_STOP,
            check,
            reason="停止接入期间上架前检测不予通过 pre-listing refused under stop access",
            data={
                "measure": measure.pk,
                "company": measure.company_id,
                "store": check.store_id,
                "job": check.job_id,
                "package": version.app.package if version else "",
                "basis": basis,
            },
        )


def analysis_gaps(report: dict[str, Any] | None) -> list[str]:
    """Reasons (``analysis:…``) why the scan behind a check did not cover the whole app: ``analysis:dex_not_read``
    when a DEX Android would load was refused (over a size limit, corrupt: its ``errors`` name it with stage
    ``dex`` and a path), ``analysis:rules_not_evaluated`` when rules did not all run (a rule error, the rules stage
    over its time limit: an ``errors`` entry of stage ``rules``), ``analysis:screening_not_evaluated`` when the
    不良APP screening did not run. A report without these sections (older reports, a partial read) gives no reason."""
    if not isinstance(report, dict):
        return []
    gaps = []
    errors = report.get("errors")
    if isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("stage") == "dex" and e.get("path") for e in errors
    ):
        gaps.append("analysis:dex_not_read")
    if isinstance(errors, list) and any(isinstance(e, dict) and e.get("stage") == "rules" for e in errors):
        gaps.append("analysis:rules_not_evaluated")
    screening = report.get("screening")
    if isinstance(screening, dict) and screening.get("evaluated") is False:
        gaps.append("analysis:screening_not_evaluated")
    return gaps


FOREIGN_REASON = "identity:foreign_signer"


def foreign_signer_mode() -> str:
    """``APPWARDEN_PRELISTING_FOREIGN_SIGNER``: ``fail`` (default) or ``needs_review`` — what a build carrying a
    registered app's package name under another signer makes of the verdict."""
    mode = str(_setting("APPWARDEN_PRELISTING_FOREIGN_SIGNER", FAIL))
    return NEEDS_REVIEW if mode == NEEDS_REVIEW else FAIL


def signer_check(version: Any, established: list[str] | None = None) -> dict[str, Any] | None:
    """For a build of another signer (``AppVersion.signer_relation`` ``foreign``): ``{relation, signer_sha256,
    signer_subject, app_signers, message_zh}`` with the build's signer and the app's established ones (both in
    full; the message shows the first 16 hex digits). ``None`` for any other build."""
    if version is None or version.signer_relation != SIGNER_FOREIGN:
        return None
    if established is None:
        from appwarden.platform.enforcement.identity import established_signers

        established = established_signers({version.app_id}).get(version.app_id, [])
    known = "、".join(s[:16] for s in established) or "—"
    return {
        "relation": SIGNER_FOREIGN,
        "signer_sha256": version.signer_sha256,
        "signer_subject": version.signer_subject,
        "app_signers": list(established),
        "message_zh": (
            f"签名与该应用不一致（可能为仿冒/借用包名的APK）：该APK的签名证书 SHA-256 {version.signer_sha256[:16]}…，"
            f"包名 {version.app.package} 已有版本的签名为 {known}…；按仿冒构建处理，不得以该包名上架 "
            "signed by another key than the app registered under this package name: a counterfeit until proven "
            "otherwise"
        ),
    }


def verdict(
    check: PrelistingCheck,
    *,
    findings: list[Any] | None = None,
    report: dict[str, Any] | None = None,
    measures: list[Any] | None = None,
    audited: set[int] | None = None,
    reviews: dict[int, Any] | None = None,
    established: dict[int, list[str]] | None = None,
) -> dict[str, Any]:
    """The check's state: ``status`` of the job and, when done, ``verdict`` (see the module policy), the findings
    summary (counts by severity, notice types with Chinese names) and the listing mismatches. The keyword
    arguments are the inputs :func:`verdicts` loads for many checks at once (the job's non-rejected findings, its
    report's ``app``/``manifest`` sections, the 停止接入 measures in force); each defaults to reading it now."""
    from appwarden.report.notice import notice_type_names

    job = check.job
    out: dict[str, Any] = {
        "id": check.pk,
        "job": job.pk,
        "store": check.store_id,
        "status": job.status,
        "status_label": job.status_label,
        "sha256": job.sha256,
        "created_at": check.created_at.isoformat(),
        "listing": {
            "developer": check.developer,
            "version": check.version,
            "policy_url": check.policy_url,
            "permissions": check.permissions,
            "updated": check.updated,
        },
    }
    if job.status != JOB_DONE:
        if job.failure_kind:
            out["failure_kind"] = job.failure_kind
        return out
    if findings is None:
        findings = list(job.findings.exclude(status=F_REJECTED))
    fail_sev = set(_setting("APPWARDEN_PRELISTING_FAIL_SEVERITIES", ["high"]))
    fail_conf = set(_setting("APPWARDEN_PRELISTING_FAIL_CONFIDENCES", ["confirmed", "likely"]))
    review_sev = set(_setting("APPWARDEN_PRELISTING_REVIEW_SEVERITIES", ["high", "medium"]))
    mismatches = listing_mismatches(check, report)
    review = (
        (reviews.get(job.pk) if reviews is not None else screening_review.latest_review(job))
        if job.screening_verdict in screening_review.REVIEWABLE
        else None
    )
    # a verdict whose latest 筛查结论复核 is 误报 counts neither toward fail nor needs_review
    screening = "" if review is not None and review.decision == SR_REJECTED else job.screening_verdict
    version = job.app_version
    signer = signer_check(
        version,
        None if established is None or version is None else established.get(version.app_id, []),
    )
    foreign_mode = foreign_signer_mode() if signer is not None else ""
    reasons: list[str] = []
    if screening == "harmful":
        reasons.append("screening:harmful")
    reasons += [f.rule_id for f in findings if f.severity in fail_sev and f.confidence in fail_conf]
    if foreign_mode == FAIL:
        reasons.append(FOREIGN_REASON)
    if reasons:
        result = FAIL
    else:
        reasons = [f.rule_id for f in findings if f.severity in review_sev]
        if foreign_mode == NEEDS_REVIEW:
            reasons.append(FOREIGN_REASON)
        if screening == "suspicious":
            reasons.append("screening:suspicious")
        if mismatches and _setting("APPWARDEN_PRELISTING_MISMATCH_REVIEW", True):
            reasons += [f"listing:{m['check']}" for m in mismatches]
        if _setting("APPWARDEN_PRELISTING_GAP_REVIEW", True):
            reasons += analysis_gaps(report if report is not None else job.report)
        result = NEEDS_REVIEW if reasons else PASS
    if screening != job.screening_verdict:  # told, not counted: the store sees it was cleared by review
        reasons = [*reasons, "screening:rejected_as_false_alarm"]
    blocked = stop_access(check, measures)
    if blocked is not None:
        from appwarden.platform.sanctions.services import stop_access_json

        measure, basis = blocked
        result = FAIL
        reasons = [*reasons, "sanction:stop_access"]
        out["stop_access"] = stop_access_json(measure, check.store, basis)
        _audit_stop_access(check, measure, basis, audited)
    types = sorted({t for f in findings for t in f.notice_types or []})
    out.update(
        verdict=result,
        reasons=sorted(set(reasons)),
        app={
            "package": job.app_version.app.package if job.app_version else "",
            "version_name": job.app_version.version_name if job.app_version else "",
        },
        findings={
            "total": len(findings),
            "by_severity": dict(Counter(f.severity for f in findings)),
        },
        notice_types=[{"id": t, "name_zh": n} for t, n in zip(types, notice_type_names(types), strict=True)],
        screening_verdict=job.screening_verdict,
        listing_mismatches=mismatches,
    )
    if signer is not None:
        out["signer_check"] = signer
    if review is not None:  # the decision and its time; the reviewer and the note stay with the staff
        out["screening_review"] = {"decision": review.decision, "at": review.at.isoformat()}
        if getattr(
            review, "carried_from", None
        ):  # reviewed on an earlier submission of the same APK and result
            out["screening_review"]["carried_over"] = True
    return out


CHUNK = 500


def verdicts(checks: list[PrelistingCheck]) -> list[dict[str, Any]]:
    """:func:`verdict` of each check (same order, same answers) with a constant number of queries per 500 checks
    instead of several per check: the non-rejected findings of all finished jobs in one query, only the ``app``,
    ``manifest`` and ``errors`` sections and the screening's ``evaluated`` of their reports (the database extracts them: the whole report is never decoded), the
    停止接入 measures in force once. Give checks with ``job__app_version__app__company`` and ``store`` selected."""
    from appwarden.platform.sanctions.services import stop_access_measures

    measures = list(stop_access_measures())
    done = [c.job_id for c in checks if c.job.status == JOB_DONE]
    reviews = screening_review.latest_reviews(
        c.job_id
        for c in checks
        if c.job.status == JOB_DONE and c.job.screening_verdict in screening_review.REVIEWABLE
    )
    by_job: dict[int, list[Any]] = {pk: [] for pk in done}
    parts: dict[int, dict[str, Any]] = {}
    audited: set[int] = set()
    for i in range(0, len(checks), CHUNK):
        audited |= _audited([c.pk for c in checks[i : i + CHUNK]])
    for i in range(0, len(done), CHUNK):
        chunk = done[i : i + CHUNK]
        rows = (
            Finding.objects.filter(job_id__in=chunk)
            .exclude(status=F_REJECTED)
            .only("id", "job_id", "rule_id", "severity", "confidence", "notice_types")
            .order_by("id")
        )
        for f in rows:
            by_job[f.job_id].append(f)
        for pk, app, manifest, errors, screened in ScanJob.objects.filter(pk__in=chunk).values_list(
            "pk", "report__app", "report__manifest", "report__errors", "report__screening__evaluated"
        ):
            parts[pk] = {
                "app": app if isinstance(app, dict) else {},
                "manifest": {"permissions": manifest.get("permissions")}
                if isinstance(manifest, dict)
                else {},
                "errors": errors if isinstance(errors, list) else [],
                "screening": {"evaluated": screened} if isinstance(screened, bool) else {},
            }
    foreign_apps = {
        c.job.app_version.app_id
        for c in checks
        if c.job.app_version is not None and c.job.app_version.signer_relation == SIGNER_FOREIGN
    }
    if foreign_apps:
        from appwarden.platform.enforcement.identity import established_signers

        established = established_signers(foreign_apps)
    else:
        established = {}
    return [
        verdict(
            c,
            findings=by_job.get(c.job_id),
            report=parts.get(c.job_id),
            measures=measures,
            audited=audited,
            reviews=reviews,
            established=established,
        )
        if c.job.status == JOB_DONE
        else verdict(c)
        for c in checks
    ]


def violating_shares(stores: list[Store]) -> dict[int, dict[str, Any]]:
    """:func:`violating_share` of several stores with two queries in all (the apps with a confirmed finding once,
    the stores' active listings once) instead of two per store."""
    listed: dict[int, set[int]] = {s.pk: set() for s in stores}
    for store_id, app_id in StoreListing.objects.filter(store__in=list(listed), active=True).values_list(
        "store_id", "app_id"
    ):
        listed[store_id].add(app_id)
    violating_apps = set(
        Finding.objects.filter(attributed("app_version__"), status=F_CONFIRMED, app_version__isnull=False)
        .order_by()  # no default ordering: it would add Finding.id to the DISTINCT
        .values_list("app_version__app_id", flat=True)
        .distinct()
    )
    out = {}
    for store_id, apps in listed.items():
        n = len(apps & violating_apps)
        out[store_id] = {
            "listed": len(apps),
            "violating": n,
            "percent": round(100 * n / len(apps), 1) if apps else 0.0,
        }
    return out


def violating_share(store: Store) -> dict[str, Any]:
    """Among the apps actively listed in ``store``: how many have at least one confirmed finding (a violation
    established by review), and the share in percent (0 for an empty store)."""
    apps = StoreListing.objects.filter(store=store, active=True).values("app_id")
    listed = apps.distinct().count()
    violating = (
        Finding.objects.filter(
            attributed("app_version__"), Q(status=F_CONFIRMED), app_version__app_id__in=apps
        )
        .values("app_version__app_id")
        .distinct()
        .count()
    )
    return {
        "listed": listed,
        "violating": violating,
        "percent": round(100 * violating / listed, 1) if listed else 0.0,
    }
