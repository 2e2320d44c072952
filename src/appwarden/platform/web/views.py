"""Dashboard (inline SVG charts), repeat offenders, 不良APP early warning, SDK vendors, audit log, login landing by
role."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch, prefetch_related_objects
from django.db.models.fields.json import KT
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from appwarden.errors import AppwardenError
from appwarden.platform.core import charts
from appwarden.platform.core.models import (
    ROLE_COMPANY,
    ROLE_REGULATOR,
    ROLE_SDK_VENDOR,
    ROLE_STORE,
    AuditLog,
)
from appwarden.platform.core.roles import STAFF, role_of, scoped
from appwarden.platform.core.views import get_scoped, role_required
from appwarden.platform.enforcement import workflow
from appwarden.platform.enforcement.models import ISSUED, TAKEDOWN, TAKEN_DOWN, RectificationOrder
from appwarden.platform.registry.models import App, AppVersion, StoreListing
from appwarden.platform.testing import screening_review
from appwarden.platform.testing.models import F_PENDING, JOB_DONE, SR_REJECTED, Finding, ScanJob
from appwarden.platform.web import stats, yearly


@role_required()
def home(request):
    role = role_of(request.user)
    if role == ROLE_COMPANY:
        return company_home(request)
    if role == ROLE_STORE:
        return redirect("enforcement:takedown_list")
    if role == ROLE_SDK_VENDOR:
        return redirect("web:my_sdk")
    if role not in STAFF:
        return render(request, "web/no_role.html", status=403)
    batches = stats.batch_counts()
    batch_svg = charts.bar_chart(
        [(row["batch"].name, row["confirmed"]) for row in batches],
        title="各批次确认问题数 Confirmed findings per batch",
    )
    context = {
        "batches": batches,
        "batch_chart": mark_safe(batch_svg),
        "problem_chart": mark_safe(
            charts.bar_chart(stats.problem_distribution(), title="问题类型分布 Problem types")
        ),
        "trend_chart": mark_safe(
            charts.line_chart(stats.trend(30), title="近30天发现问题趋势 Findings, last 30 days")
        ),
        "sdk_chart": mark_safe(
            charts.bar_chart(stats.top_sdks(), title="问题最多的SDK Top SDKs by findings")
        ),
        "store_chart": mark_safe(
            charts.bar_chart(stats.top_stores(), title="问题最多的应用商店 Top stores by findings")
        ),
        "pending_reviews": Finding.objects.filter(status=F_PENDING).count(),
        "queued_jobs": ScanJob.objects.filter(status__in=["queued", "running"]).count(),
        "overdue": list(
            RectificationOrder.objects.filter(state=ISSUED, deadline__lt=timezone.localdate()).select_related(
                "app", "company"
            )
        ),
        "open_orders": RectificationOrder.objects.exclude(state__in=["closed", "taken_down"]).count(),
    }
    return render(request, "web/dashboard.html", context)


def company_home(request):
    apps = scoped(App.objects.all(), request.user)
    orders = scoped(RectificationOrder.objects.all(), request.user)
    return render(request, "web/company_home.html", {"apps": apps, "orders": orders})


REPEAT_PAGE_SIZE = 50  # companies per /repeat-offenders/ page
EARLY_WARNING_REPEAT_ROWS = 100  # repeat-offender apps shown on /early-warning/ (the API lists all)


@role_required(*STAFF)
def repeat_offenders(request):
    """屡查屡犯, ``REPEAT_PAGE_SIZE`` companies a page (most confirmed findings first; at 50,000 scan jobs the
    unpaginated page was 5 MB of HTML and ~9 s to render), with each shown company's sanction measures (loaded for
    the page's companies at once, not per company)."""
    from collections import defaultdict

    from django.core.paginator import Paginator

    from appwarden.platform.sanctions.models import SanctionMeasure
    from appwarden.platform.sanctions.services import visible
    from appwarden.platform.web import early_warning

    # the groups are shared with the early-warning list's cache (APPWARDEN_STATS_SNAPSHOT_MINUTES; ?fresh=1)
    all_groups, computed_at = early_warning.cached(
        "repeat-offenders", early_warning._repeat_offenders, fresh=request.GET.get("fresh") == "1"
    )
    page = Paginator(all_groups, REPEAT_PAGE_SIZE).get_page(request.GET.get("page"))
    groups = list(page.object_list)
    measures: dict[int, list[Any]] = defaultdict(list)
    for chunk in stats._chunks({g["company"].pk for g in groups if g["company"] is not None}):
        qs = (
            SanctionMeasure.objects.filter(company__in=chunk)
            .select_related("order")
            .prefetch_related("stores")
        )
        for m in visible(qs, request.user):
            measures[m.company_id].append(m)
    for g in groups:
        mine = measures.get(g["company"].pk, []) if g["company"] is not None else []
        g["sanctions"] = {"measures": mine, "in_force": sum(1 for m in mine if m.in_force())}
    context = {
        "groups": groups,
        "page": page,
        "total_groups": len(all_groups),
        "total_apps": sum(len(g["apps"]) for g in all_groups),
        "computed_at": computed_at,
    }
    return render(request, "web/repeat_offenders.html", context)


@role_required(ROLE_SDK_VENDOR)
def my_sdk(request):
    """``/my-sdk/`` 我的SDK问题: an SDK vendor user's confirmed findings aggregated per SDK (stats.my_sdk_view)."""
    return render(request, "web/my_sdk.html", stats.my_sdk_view(request.user))


@role_required(*STAFF)
def sdk_vendors(request):
    return render(request, "web/sdk_vendors.html", stats.sdk_vendor_view())


@role_required(*STAFF)
def audit_log(request):
    rows = AuditLog.objects.all()
    model = request.GET.get("model")
    if model:
        rows = rows.filter(model=model)
    obj = request.GET.get("object")
    if obj:
        rows = rows.filter(object_id=obj)
    return render(request, "web/audit.html", {"rows": Paginator(rows, 100).get_page(request.GET.get("page"))})


def _staff_or_404(request, *roles: str) -> None:
    """Companies, stores and users without a role get 404 (the page does not exist for them: no existence
    oracle); ``roles`` narrows further with a 403 for the other staff role."""
    role = role_of(request.user)
    if role not in STAFF:
        raise Http404("not found")
    if roles and role not in roles:
        raise PermissionDenied("your role cannot do this")


def _early_warning_context(user: Any = None) -> dict[str, Any]:
    """Harmful and suspicious apps: per app, its latest finished scan job that has a screening verdict, when that
    verdict is harmful or suspicious (judged per app and signer: a later clean scan takes a harmful build off the
    list only when it has the same signer). A job whose latest 筛查结论复核 is ``rejected`` (误报) is listed under
    ``false_alarms`` instead; each row carries its latest review and, for harmful rows, why ``user`` may not send
    it to 下架 directly (``takedown_block``: awaiting_review / same_reviewer, ``screening_review.takedown_block``)."""
    flagged = list(
        ScanJob.objects.filter(status=JOB_DONE, screening_verdict__in=("harmful", "suspicious"))
        .select_related("app_version__app__company")
        .defer("report")
        .annotate(screening_score=KT("report__screening__score"))
        .order_by("-id")
    )
    # each app's latest screened scan per signer, for the flagged apps only (one grouped query; a correlated
    # subquery here made PostgreSQL evaluate it for every app version: 1.8 s at 50,000 scan jobs). Per signer: a
    # scan is filed under the app of its package whoever signed the APK (a store may submit any APK as a
    # pre-listing check), so a clean lookalike must not take a harmful build off the list
    latest: dict[tuple[int, str], int] = {}
    for chunk in stats._chunks({j.app_version.app_id for j in flagged if j.app_version_id}):
        for app_id, signer, pk in (
            ScanJob.objects.filter(app_version__app__in=chunk, status=JOB_DONE)
            .exclude(screening_verdict="")
            .values("app_version__app", "app_version__signer_sha256")
            .annotate(latest=Max("id"))
            .order_by()
            .values_list("app_version__app", "app_version__signer_sha256", "latest")
        ):
            latest[(app_id, signer)] = pk
    jobs = [
        j
        for j in flagged
        if j.app_version_id and latest.get((j.app_version.app_id, j.app_version.signer_sha256)) == j.pk
    ]
    apps = [j.app_version.app for j in jobs]
    prefetch_related_objects(
        apps, Prefetch("listings", queryset=StoreListing.objects.select_related("store"))
    )
    open_cases: dict[Any, str] = {}
    for app_id, version_id, foreign_case, number in (
        RectificationOrder.objects.filter(app__in=apps, state__in=(TAKEDOWN, TAKEN_DOWN))
        .order_by("id")
        .values_list("app_id", "app_version_id", "foreign_build", "number")
    ):
        # a case of a build of another signer concerns that build only, not the app (workflow.takedown_harmful)
        open_cases[("version", version_id) if foreign_case else ("app", app_id)] = number
    distributing = {
        j.app_version_id: [c.store for c in workflow.distributing_checks(j.app_version)]
        for j in jobs
        if workflow.not_the_apps(j.app_version)
    }
    from appwarden.screening.model import CATEGORY_NAMES_ZH

    reviews = screening_review.latest_reviews(j.pk for j in jobs)
    regulator = role_of(user) == ROLE_REGULATOR
    rows: dict[str, list[dict[str, Any]]] = {"harmful": [], "suspicious": [], "false_alarms": []}
    for job in jobs:
        app = job.app_version.app
        review = reviews.get(job.pk)
        rejected = review is not None and review.decision == SR_REJECTED
        block = (
            # the two-person rule concerns the regulator ordering the 下架: other staff see only whether it is confirmed
            screening_review.takedown_block(review, user if regulator else None)
            if job.screening_verdict == "harmful"
            else "not_harmful"
        )
        not_apps = job.app_version_id in distributing
        active = [x for x in app.listings.all() if x.active]
        stores = distributing[job.app_version_id] if not_apps else [x.store for x in active]
        case = open_cases.get(("version", job.app_version_id) if not_apps else ("app", app.pk), "")
        rows["false_alarms" if rejected else job.screening_verdict].append(
            {
                "review": review,
                "takedown_block": block,
                "takedown_block_text": screening_review.BLOCK_TEXT.get(block, ""),
                "takedown_allowed": regulator and not block and bool(stores) and not case,
                "job": job,
                "app": app,
                "version": job.app_version,
                "score": job.screening_score,
                "categories": [(CATEGORY_NAMES_ZH.get(c, c), c) for c in job.screening_categories or []],
                "listings": list(app.listings.all()),
                "active_listings": active,
                "takedown_case": case,
                # the flagged build's signer is not the app's (AppVersion.signer_relation, recorded at ingest: a
                # build that only carries the package name?): its 下架 goes to the stores that submitted it
                "foreign_signer": job.app_version.foreign,
                # a build that is not the app's (another signer, or none) is taken down only in the stores that
                # submitted it in a pre-listing check, never through the app's listings
                "not_the_apps": not_apps,
                "takedown_stores": stores,
            }
        )
    return rows


@login_required
def early_warning(request):
    """不良APP预警 (issue #23): harmful apps (regulators may send them to 下架 directly) and suspicious ones; below
    them the daily early-warning list (issue #21.5, ``web/early_warning.py``; ``?batch=``, ``?days=``,
    ``?min_apps=``)."""
    _staff_or_404(request)
    from appwarden.platform.web import early_warning as daily

    params, warnings = daily.page_params(request.GET)
    for warning in warnings:
        messages.warning(request, warning)
    context = {
        **_early_warning_context(request.user),
        "daily": daily.daily_list(**params, fresh=request.GET.get("fresh") == "1"),
        "batches": stats_batches(),
        "repeat_limit": EARLY_WARNING_REPEAT_ROWS,
        "snapshot_minutes": yearly.snapshot_minutes(),
    }
    return render(request, "web/early_warning.html", context)


def stats_batches() -> list[Any]:
    """The newest batches (for the early-warning batch chooser)."""
    from appwarden.platform.testing.models import Batch

    return list(Batch.objects.order_by("-created_at", "-id")[:30])


@login_required
def early_warning_takedown(request, version_pk: int):
    """POST: 直接下架 one harmful app version (regulator, reason required; see ``workflow.takedown_harmful``).
    A refusal (not harmful, no listing, already in takedown) re-renders the page with the reason and its status."""
    _staff_or_404(request, ROLE_REGULATOR)
    version = get_scoped(AppVersion, request.user, pk=version_pk)
    if request.method != "POST":
        return redirect("web:early_warning")
    try:
        order = workflow.takedown_harmful(version, user=request.user, reason=request.POST.get("reason", ""))
    except AppwardenError as exc:
        messages.error(request, str(exc))
        status = getattr(exc, "http_status", 400)
        return render(request, "web/early_warning.html", _early_warning_context(request.user), status=status)
    messages.success(request, f"已下发下架通知 takedown sent: {order.number}")
    return redirect(f"/enforcement/orders/{order.pk}/")
