"""Sanction pages: ``/sanctions/`` (the list the user may see, filters, and the regulator's form to decide a
measure) and ``/sanctions/<id>/`` (the measure, its append-only history and the regulator's amend / end / revoke
forms). Refusals are one line on the page (HTTP 400/403), nothing changed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render

from appwarden.errors import AppwardenError
from appwarden.platform.core.models import ROLE_COMPANY, ROLE_REGULATOR, ROLE_REVIEWER, ROLE_STORE
from appwarden.platform.core.roles import role_of
from appwarden.platform.core.views import role_required
from appwarden.platform.registry.models import Company, Store
from appwarden.platform.sanctions import services
from appwarden.platform.sanctions.models import CREDIT_LISTS, KINDS, STATUSES, SanctionMeasure

READERS = (ROLE_REGULATOR, ROLE_REVIEWER, ROLE_COMPANY, ROLE_STORE)
FIELDS = (
    "company",
    "kind",
    "start_date",
    "end_date",
    "reason",
    "authority",
    "legal_basis",
    "decision_number",
    "amount",
    "credit_list",
    "order",
)


def _form_context(values: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "kinds": KINDS,
        "credit_lists": CREDIT_LISTS,
        "companies": Company.objects.only("pk", "name", "credit_code"),
        "all_stores": Store.objects.only("pk", "name"),
        "values": values or {},
    }


@role_required(*READERS)
def sanction_list(request):
    """The measures the user may see (``?kind=``, ``?status=``, ``?company=`` filter); regulators also get the
    form, whose POST decides a measure."""
    is_regulator = role_of(request.user) == ROLE_REGULATOR
    status = 200
    values: dict[str, Any] = {}
    if request.method == "POST":
        if not is_regulator:
            raise PermissionDenied("only regulators decide measures")
        values = {k: request.POST.get(k, "") for k in FIELDS}
        values["stores"] = request.POST.getlist("stores")
        try:
            company = Company.objects.filter(pk=int(values["company"] or 0)).first()
            if company is None:
                raise services.SanctionError("请选择企业 choose the company")
            measure = services.issue(company, values, user=request.user)
        except (ValueError, AppwardenError) as exc:
            msg = str(exc) if isinstance(exc, AppwardenError) else "企业编号不正确 invalid company id"
            messages.error(request, msg)
            status = getattr(exc, "http_status", 400)
        else:
            messages.success(request, f"已记录惩戒措施 measure #{measure.pk} recorded")
            return redirect("sanctions:detail", pk=measure.pk)
    rows = services.visible(SanctionMeasure.objects.all(), request.user).select_related("company")
    filters = {}
    for key, choices in (("kind", KINDS), ("status", STATUSES)):
        value = request.GET.get(key, "")
        if value in dict(choices):
            rows = rows.filter(**{key: value})
            filters[key] = value
    if request.GET.get("company", "").isdigit():
        rows = rows.filter(company=int(request.GET["company"]))
        filters["company"] = request.GET["company"]
    context = {
        "rows": rows.prefetch_related("stores")[:500],
        "filters": filters,
        "statuses": STATUSES,
        "is_regulator": is_regulator,
        **(_form_context(values) if is_regulator else {"kinds": KINDS}),
    }
    return render(request, "sanctions/list.html", context, status=status)


@role_required(*READERS)
def sanction_detail(request, pk: int):
    """One measure with its history; POST ``op`` = amend / end / revoke (regulators)."""
    measure = (
        services.visible(SanctionMeasure.objects.all(), request.user)
        .select_related("company", "decided_by", "order")
        .filter(pk=pk)
        .first()
    )
    if measure is None:
        raise Http404("not found")
    status = 200
    if request.method == "POST":
        op = request.POST.get("op", "")
        reason = request.POST.get("reason", "")
        try:
            if op == "end":
                services.end(measure, user=request.user, reason=reason, end_date=request.POST.get("end_date"))
            elif op == "revoke":
                services.revoke(measure, user=request.user, reason=reason)
            elif op == "amend":
                data: dict[str, Any] = {}
                for key in ("end_date", "authority", "legal_basis"):
                    if key in request.POST:
                        data[key] = request.POST[key]
                if request.POST.get("set_stores"):
                    data["stores"] = request.POST.getlist("stores")
                services.amend(measure, data, user=request.user, reason=reason)
            else:
                raise services.SanctionError("未知的操作 unknown operation")
        except AppwardenError as exc:
            messages.error(request, str(exc))
            status = getattr(exc, "http_status", 400)
        else:
            messages.success(request, "已记录 recorded")
            return redirect("sanctions:detail", pk=measure.pk)
        measure.refresh_from_db()
    context = {
        "m": measure,
        "events": _readable_events(list(measure.events.all())),
        "stores": measure.stores.all(),
        "is_regulator": role_of(request.user) == ROLE_REGULATOR,
        "all_stores": Store.objects.only("pk", "name"),
    }
    return render(request, "sanctions/detail.html", context, status=status)


def _readable_events(events: list[Any]) -> list[Any]:
    """The history in the case officer's words: field labels, choice labels and store names instead of the stored
    field names, codes and ids (``changes`` stays as recorded)."""
    from django.core.exceptions import FieldDoesNotExist

    choices = {"kind": dict(KINDS), "status": dict(STATUSES), "credit_list": dict(CREDIT_LISTS)}
    ids = {
        i for e in events for v in e.changes.values() for side in v if isinstance(side, list) for i in side
    }
    stores = dict(Store.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}

    def label(field: str) -> str:
        try:
            return str(SanctionMeasure._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            return field

    def shown(field: str, value: Any) -> str:
        if value in (None, "", []):
            return "—"
        if field == "stores" and isinstance(value, list):
            return "、".join(stores.get(i, f"#{i}") for i in value)
        return str(choices.get(field, {}).get(value, value))

    for e in events:
        e.from_label = choices["status"].get(e.from_status, e.from_status)
        e.to_label = choices["status"].get(e.to_status, e.to_status)
        e.readable = [(label(k), shown(k, v[0]), shown(k, v[1])) for k, v in e.changes.items()]
    return events
