"""Dashboard (inline SVG charts), repeat offenders, SDK vendors, audit log, login landing by role."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from appwarden.platform.core import charts
from appwarden.platform.core.models import ROLE_COMPANY, ROLE_STORE, AuditLog
from appwarden.platform.core.roles import STAFF, role_of, scoped
from appwarden.platform.core.views import role_required
from appwarden.platform.enforcement.models import ISSUED, RectificationOrder
from appwarden.platform.registry.models import App
from appwarden.platform.testing.models import F_PENDING, Finding, ScanJob
from appwarden.platform.web import stats


@role_required()
def home(request):
    role = role_of(request.user)
    if role == ROLE_COMPANY:
        return company_home(request)
    if role == ROLE_STORE:
        return redirect("enforcement:takedown_list")
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
        "overdue": RectificationOrder.objects.filter(state=ISSUED, deadline__lt=timezone.localdate()),
        "open_orders": RectificationOrder.objects.exclude(state__in=["closed", "taken_down"]).count(),
    }
    return render(request, "web/dashboard.html", context)


def company_home(request):
    apps = scoped(App.objects.all(), request.user)
    orders = scoped(RectificationOrder.objects.all(), request.user)
    return render(request, "web/company_home.html", {"apps": apps, "orders": orders})


@role_required(*STAFF)
def repeat_offenders(request):
    return render(request, "web/repeat_offenders.html", {"groups": stats.repeat_offenders()})


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
