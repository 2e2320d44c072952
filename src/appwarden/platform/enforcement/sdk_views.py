"""SDK order pages (issue #21.1): staff list / issue form / detail under ``/enforcement/sdk-orders/``; the SDK
vendor's own list and detail (with the response form) under ``/my-sdk/orders/``. Every lookup goes through
``get_scoped`` (another vendor's order is 404, like a missing one); companies and stores get 403."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render

from appwarden.errors import AppwardenError
from appwarden.platform.core.models import ROLE_SDK_VENDOR
from appwarden.platform.core.roles import STAFF, role_of, scoped
from appwarden.platform.core.views import attempt, get_scoped, role_required
from appwarden.platform.enforcement import sdk_workflow
from appwarden.platform.enforcement.forms import (
    WITHDRAW_REASON_MISSING,
    EscalateForm,
    ReasonForm,
    SdkIssueForm,
    SdkRespondForm,
    WithdrawForm,
)
from appwarden.platform.enforcement.models import SDK_OPEN_STATES, SDK_STATES, NoticeItem, SdkOrder
from appwarden.platform.registry.models import SdkVendor, attributed
from appwarden.platform.testing import ranking
from appwarden.platform.testing.models import F_CONFIRMED, Finding

MAX_FINDINGS = 500  # on the issue form


def _list(request, template_base: str):
    orders = scoped(SdkOrder.objects.select_related("vendor"), request.user).annotate(
        n_findings=Count("findings")
    )
    state = request.GET.get("state", "")
    if state in dict(SDK_STATES):
        orders = orders.filter(state=state)
    return render(
        request,
        "enforcement/sdk_order_list.html",
        {"orders": orders[:500], "state": state, "states": SDK_STATES, "base": template_base},
    )


@role_required(*STAFF)
def sdk_order_list(request):
    return _list(request, "/enforcement/sdk-orders/")


@role_required(ROLE_SDK_VENDOR)
def my_sdk_order_list(request):
    return _list(request, "/my-sdk/orders/")


@role_required(*STAFF)
def sdk_order_new(request):
    """The issue form: choose a vendor (``?vendor=``), tick its SDKs' confirmed findings, deadline and reason."""
    vendors = SdkVendor.objects.all()
    raw = request.POST.get("vendor") or request.GET.get("vendor") or ""
    vendor = vendors.filter(pk=int(raw)).first() if raw.isdigit() else None
    form = None
    if vendor is not None:
        ids = sdk_workflow.vendor_sdk_ids(vendor)
        # not a build of another signer than its app's: the order's 通报 row would name the app and its company
        findings = Finding.objects.filter(
            attributed("app_version__"), status=F_CONFIRMED, owner__in=ids, app_version__isnull=False
        )
        findings = findings.select_related("app_version__app").order_by(
            "owner", "app_version__app__package", "id"
        )
        already = set(
            Finding.objects.filter(sdk_orders__state__in=SDK_OPEN_STATES, owner__in=ids).values_list(
                "pk", flat=True
            )
        )
        pks = list(findings.values_list("pk", flat=True)[:MAX_FINDINGS])
        choices = (
            Finding.objects.filter(pk__in=pks)
            .select_related("app_version__app")
            .order_by("owner", "app_version__app__package", "id")
        )
        form = SdkIssueForm(
            request.POST if request.method == "POST" else None,
            findings=choices,
            initial_ids=[pk for pk in pks if pk not in already],
        )
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                order = sdk_workflow.issue_sdk_order(
                    vendor,
                    list(d["findings"]),
                    user=request.user,
                    reason=d["reason"],
                    working_days=d["working_days"],
                    requirements=d.get("requirements", ""),
                )
            except AppwardenError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    f"已向SDK厂商下发责令整改通知 SDK order issued: {order.number}, deadline {order.deadline}",
                )
                return redirect("enforcement:sdk_order_detail", pk=order.pk)
        elif request.method == "POST":
            messages.error(request, "请选择问题并填写理由 select findings and give a reason")
    elif raw:
        messages.error(request, "SDK厂商不存在 no such SDK vendor")
    return render(
        request,
        "enforcement/sdk_order_new.html",
        {"vendors": vendors, "vendor": vendor, "form": form},
    )


def _detail(request, pk: int, base: str):
    order = get_scoped(SdkOrder, request.user, pk=pk)
    retest = order.retests.order_by("-id").first()
    return render(
        request,
        "enforcement/sdk_order_detail.html",
        {
            "order": order,
            "base": base,
            "allowed": sdk_workflow.allowed_transitions(order, request.user),
            "findings": ranking.ranked(order.findings.select_related("app_version__app")),
            "sdk_names": sdk_workflow.sdk_names(list(order.sdk_ids or [])),
            "transitions": order.transitions.all(),
            "responses": order.responses.all(),
            "retest": retest,
            "diff": (retest.diff if retest else None) or None,
            "respond_form": SdkRespondForm(),
            "reason_form": ReasonForm(),
            "escalate_form": EscalateForm(),
            "withdraw_form": WithdrawForm(),
            "notice_item": NoticeItem.objects.filter(sdk_order=order).select_related("batch").first(),
        },
    )


@role_required(*STAFF)
def sdk_order_detail(request, pk: int):
    return _detail(request, pk, "/enforcement/sdk-orders/")


@role_required(ROLE_SDK_VENDOR)
def my_sdk_order_detail(request, pk: int):
    return _detail(request, pk, "/my-sdk/orders/")


@role_required(ROLE_SDK_VENDOR, *STAFF)
def sdk_order_transition(request, pk: int, name: str):
    """POST target of every SDK order transition form (the vendor's response too)."""
    order = get_scoped(SdkOrder, request.user, pk=pk)
    vendor = role_of(request.user) == ROLE_SDK_VENDOR
    back = f"/my-sdk/orders/{order.pk}/" if vendor else f"/enforcement/sdk-orders/{order.pk}/"
    if request.method != "POST":
        return redirect(back)
    if name == "respond":
        form = SdkRespondForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(
                request,
                "请填写整改说明（不超过10000字）和整改后的SDK版本 an explanation (at most 10,000 characters) "
                "and the fixed SDK version are required",
            )
            return redirect(back)
        d = form.cleaned_data
        return attempt(
            request,
            lambda: sdk_workflow.respond(
                order,
                user=request.user,
                explanation=d["explanation"],
                new_sdk_version=d["new_sdk_version"],
                demo_apk=d.get("demo_apk"),
            ),
            "已提交整改答复 response submitted",
            back,
        )
    if vendor:
        messages.error(request, "SDK厂商只能提交整改答复 an SDK vendor can only respond")
        return redirect(back)
    if name == "escalate":
        form = EscalateForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择通报批次并填写理由 choose a notice batch and give a reason")
            return redirect(back)
        return attempt(
            request,
            lambda: sdk_workflow.escalate(
                order,
                user=request.user,
                reason=form.cleaned_data["reason"],
                notice=form.cleaned_data["notice"],
            ),
            "已列入通报 added to the notice (APP(SDK))",
            back,
        )
    if name == "withdraw_notice":
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            messages.error(request, WITHDRAW_REASON_MISSING)
            return redirect(back)
        return attempt(
            request,
            lambda: sdk_workflow.withdraw_notice(
                order, user=request.user, reason=form.cleaned_data["reason"]
            ),
            "已撤出通报批次 withdrawn from the draft notice",
            back,
        )
    actions = {"start_retest": sdk_workflow.start_retest, "close": sdk_workflow.close}
    if name not in actions:
        messages.error(request, f"未知操作 unknown action {name}")
        return redirect(back)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写理由 a reason is required")
        return redirect(back)
    return attempt(
        request,
        lambda: actions[name](order, user=request.user, reason=form.cleaned_data["reason"]),
        f"已完成 done: {name}",
        back,
    )


__all__ = [
    "my_sdk_order_detail",
    "my_sdk_order_list",
    "sdk_order_detail",
    "sdk_order_list",
    "sdk_order_new",
    "sdk_order_transition",
]
