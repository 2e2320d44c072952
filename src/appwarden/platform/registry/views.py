"""Registry pages: lists and details of companies, apps (with full history), stores and listings; staff forms."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from appwarden.platform.core.models import ROLE_REGULATOR
from appwarden.platform.core.roles import STAFF, role_of, scoped
from appwarden.platform.core.views import get_scoped, post_only, role_required, safe_next
from appwarden.platform.registry import forms
from appwarden.platform.registry.models import App, AppVersion, Company, Store, StoreListing, attributed
from appwarden.platform.testing.models import F_CONFIRMED, Finding

FORMS = {
    "company": (forms.CompanyForm, "企业 Company"),
    "contact": (forms.ContactForm, "联系人 Contact"),
    "app": (forms.AppForm, "应用 App"),
    "store": (forms.StoreForm, "应用商店 Store"),
    "listing": (forms.ListingForm, "上架记录 Listing"),
    "sdkvendor": (forms.SdkVendorForm, "SDK 厂商 SDK vendor"),
}


@role_required()
def company_list(request):
    companies = scoped(Company.objects.all(), request.user).annotate(
        n_apps=Count("apps", distinct=True), n_orders=Count("orders", distinct=True)
    )
    return render(request, "registry/company_list.html", {"companies": companies})


@role_required()
def company_detail(request, pk: int):
    company = get_scoped(Company, request.user, pk=pk)
    apps = scoped(App.objects.filter(company=company), request.user)
    from appwarden.platform.enforcement.models import RectificationOrder

    orders = scoped(RectificationOrder.objects.filter(company=company), request.user)
    return render(
        request,
        "registry/company_detail.html",
        {"company": company, "apps": apps, "orders": orders, "contacts": company.contacts.all()},
    )


@role_required()
def app_list(request):
    # a build of another signer (a lookalike) is neither a version of the app nor its finding
    apps = scoped(App.objects.select_related("company"), request.user).annotate(
        n_versions=Count("versions", filter=attributed("versions__"), distinct=True),
        n_confirmed=Count(
            "versions__findings",
            filter=Q(attributed("versions__"), versions__findings__status=F_CONFIRMED),
            distinct=True,
        ),
    )
    q = request.GET.get("q", "").strip()
    if q:
        apps = apps.filter(Q(package__icontains=q) | Q(name__icontains=q))
    return render(request, "registry/app_list.html", {"apps": apps[:500], "q": q})


@role_required()
def app_detail(request, pk: int):
    """One app's history on one page: versions, scans, findings, orders, listings, complaints."""
    from appwarden.platform.enforcement.identity import with_established
    from appwarden.platform.enforcement.models import RectificationOrder

    app = get_scoped(App, request.user, pk=pk)
    findings = (
        scoped(Finding.objects.filter(app_version__app=app), request.user)
        .select_related("job__batch")
        .defer("job__report")
    )
    return render(
        request,
        "registry/app_detail.html",
        {
            "app": app,
            "versions": with_established(scoped(app.versions.all(), request.user)),
            "can_mark_signer": role_of(request.user) == ROLE_REGULATOR,
            "findings": findings.order_by("-id")[:300],
            # a case of a build of another signer is not this app's case: staff only (flagged), as its build
            "orders": scoped(
                RectificationOrder.objects.filter(app=app).select_related("app_version", "app"), request.user
            ).filter(**({} if _staff(request) else {"foreign_build": False})),
            "listings": scoped(StoreListing.objects.filter(app=app), request.user),
            "jobs": _jobs(app) if _staff(request) else [],
            "can_relist": _staff(request),
        },
    )


def _staff(request) -> bool:
    return role_of(request.user) in STAFF


def _jobs(app) -> list:
    """The app's scan jobs, each with ``screening_report`` (its report's screening section only, extracted by the
    database): the whole report is never decoded here, it can be tens of MB per job (issue #17)."""
    from django.db.models import F

    from appwarden.platform.testing.models import ScanJob

    jobs = list(
        ScanJob.objects.filter(app_version__app=app)
        .select_related("batch", "app_version")
        .defer("report")
        .annotate(report_screening=F("report__screening"))
    )
    for job in jobs:
        job.screening_report = {"screening": job.report_screening}
    return jobs


@role_required()
def store_list(request):
    stores = scoped(Store.objects.all(), request.user).annotate(n_listings=Count("listings"))
    return render(request, "registry/store_list.html", {"stores": stores})


@role_required()
def store_detail(request, pk: int):
    store = get_scoped(Store, request.user, pk=pk)
    listings = scoped(StoreListing.objects.filter(store=store).select_related("app"), request.user)
    from appwarden.platform.prelisting.services import violating_share

    context = {
        "store": store,
        "listings": listings,
        "share": violating_share(store),
        "can_relist": _staff(request),
    }
    return render(request, "registry/store_detail.html", context)


@role_required(*STAFF)
def create(request, kind: str):
    """Generic staff create form for registry objects."""
    if kind not in FORMS:
        from django.http import Http404

        raise Http404("unknown kind")
    form_class, title = FORMS[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        obj = form.save()
        messages.success(request, f"已创建 created: {obj}")
        return redirect(safe_next(request, request.GET.get("next"), "/registry/"))
    return render(request, "generic_form.html", {"form": form, "title": f"新建 New {title}"})


@post_only
@role_required(*STAFF)
def listing_activate(request, pk: int):
    """重新上架: put an inactive listing on sale again, as ``PATCH /api/listings/<id>/ {"active": true}`` does: staff
    only, refused (one Chinese line, nothing stored, ``stop_access_block`` audited) while a 停止接入 measure in force
    bars the app's company from the store; on success the listing's ``update`` audit row by the acting user. Back to
    ``next`` (a local URL) or the store's page."""
    from appwarden.platform.sanctions.services import StopAccessError, check_listing

    listing = get_scoped(StoreListing, request.user, pk=pk)
    back = safe_next(request, request.POST.get("next"), f"/registry/stores/{listing.store_id}/")
    if listing.active:
        messages.info(request, f"该上架记录已在架，无需重新上架：{listing}")
        return redirect(back)
    try:
        check_listing(listing.app, listing.store, user=request.user, via="web")
    except StopAccessError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    listing.active = True
    listing.save()
    messages.success(request, f"已重新上架：{listing}")
    return redirect(back)


@post_only
@role_required(ROLE_REGULATOR)
def version_signer(request, pk: int):
    """A regulator decides whose build a version is (``relation`` own / foreign, a written ``reason``): every
    version of the app with the same signer (docs/platform.md "Builds signed by another key"). Back to ``next``."""
    from appwarden.errors import AppwardenError
    from appwarden.platform.enforcement.identity import mark_signer

    version = get_scoped(AppVersion, request.user, pk=pk)
    back = safe_next(request, request.POST.get("next"), f"/registry/apps/{version.app_id}/")
    try:
        changed = mark_signer(
            version,
            relation=request.POST.get("relation", ""),
            user=request.user,
            reason=request.POST.get("reason", ""),
        )
    except AppwardenError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"已认定签名归属 signer relation recorded: {len(changed)} 个版本 versions")
    return redirect(back)
