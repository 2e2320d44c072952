"""Enforcement pages: orders (list, detail with the allowed transitions), notices (export), takedowns."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from appwarden.errors import AppwardenError
from appwarden.platform.core.models import ROLE_REGULATOR, ROLE_STORE
from appwarden.platform.core.roles import STAFF, role_of, scoped
from appwarden.platform.core.views import attempt, get_scoped, role_required
from appwarden.platform.enforcement import export, workflow
from appwarden.platform.enforcement.api import notice_download
from appwarden.platform.enforcement.forms import (
    WITHDRAW_REASON_MISSING,
    ConfirmTakedownForm,
    EscalateForm,
    IssueOrderForm,
    NoticeForm,
    ReasonForm,
    RespondForm,
    RetestForm,
    WithdrawForm,
)
from appwarden.platform.enforcement.models import (
    ISSUED,
    NoticeBatch,
    NoticeItem,
    RectificationOrder,
    TakedownOrder,
)
from appwarden.platform.testing import ranking
from appwarden.platform.testing.models import F_CONFIRMED, ScanJob


@role_required(*STAFF)
def issue(request, job_pk: int):
    job = get_scoped(ScanJob, request.user, pk=job_pk)
    back = f"/testing/jobs/{job.pk}/"
    form = IssueOrderForm(request.POST or None, findings=job.findings.filter(status=F_CONFIRMED))
    if request.method != "POST" or not form.is_valid():
        messages.error(request, "请选择确认的问题并填写理由 select confirmed findings and give a reason")
        return redirect(back)
    d = form.cleaned_data
    try:
        order = workflow.issue_order(
            job.app_version,
            list(d["findings"]),
            user=request.user,
            reason=d["reason"],
            working_days=d["working_days"],
            requirements=d.get("requirements", ""),
        )
    except AppwardenError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, f"已下发责令整改通知 order issued: {order.number}, deadline {order.deadline}")
    return redirect("enforcement:order_detail", pk=order.pk)


@role_required()
def order_list(request):
    orders = scoped(RectificationOrder.objects.select_related("app", "company"), request.user)
    state = request.GET.get("state")
    if state:
        orders = orders.filter(state=state)
    if request.GET.get("overdue"):
        orders = orders.filter(state=ISSUED, deadline__lt=timezone.localdate())
    return render(request, "enforcement/order_list.html", {"orders": orders[:500], "state": state})


def _with_overridden_checks(responses) -> list:
    """The responses, each with ``overridden_checks``: the refusal messages a regulator's override accepted (from
    the ``override`` audit row, which is where ``workflow.respond`` records them), so the page says what was
    overridden and not only why."""
    from appwarden.platform.core.models import AuditLog

    rows = list(responses)
    ids = [str(r.pk) for r in rows if r.override_reason]
    refused: dict[str, list[str]] = {}
    if ids:
        for log in AuditLog.objects.filter(
            action="override", model="enforcement.companyresponse", object_id__in=ids
        ).order_by("id"):
            refused[log.object_id] = [
                str(item.get("message", "")) for item in (log.data or {}).get("refused", []) if item
            ]
    for r in rows:
        r.overridden_checks = refused.get(str(r.pk), [])
    return rows


@role_required()
def order_detail(request, pk: int):
    order = get_scoped(RectificationOrder, request.user, pk=pk)
    allowed = workflow.allowed_transitions(order, request.user)
    retest = order.retests.order_by("-id").first()
    return render(
        request,
        "enforcement/order_detail.html",
        {
            "order": order,
            "allowed": allowed,
            "findings": ranking.ranked(order.findings.all()),  # high → info, then confidence
            "transitions": order.transitions.all(),
            "responses": _with_overridden_checks(order.responses.all()),
            "retest": retest,
            "takedowns": order.takedowns.select_related("store"),
            "respond_form": RespondForm(regulator=role_of(request.user) == ROLE_REGULATOR),
            "reason_form": ReasonForm(),
            "retest_form": RetestForm(),
            "escalate_form": EscalateForm(),
            "withdraw_form": WithdrawForm(),
            "notice_item": NoticeItem.objects.filter(order=order).select_related("batch").first(),
        },
    )


@role_required()
def transition(request, pk: int, name: str):
    """POST target of every order transition form."""
    order = get_scoped(RectificationOrder, request.user, pk=pk)
    back = f"/enforcement/orders/{order.pk}/"
    if request.method != "POST":
        return redirect(back)
    if name == "respond":
        # the override field is parsed for every role: the workflow refuses it, with a reason, for non-regulators
        form = RespondForm(request.POST, request.FILES, regulator=True)
        if not form.is_valid():
            messages.error(
                request,
                "请填写整改说明（不超过10000字） an explanation is required (at most 10,000 characters)",
            )
            return redirect(back)
        apk = form.cleaned_data.get("apk")
        return attempt(
            request,
            lambda: workflow.respond(
                order,
                user=request.user,
                explanation=form.cleaned_data["explanation"],
                apk=apk,
                override_reason=form.cleaned_data.get("override_reason", ""),
            ),
            "已提交整改答复 response submitted",
            back,
        )
    if name == "start_retest":
        form = RetestForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "请填写理由 a reason is required")
            return redirect(back)
        d = form.cleaned_data
        return attempt(
            request,
            lambda: workflow.start_retest(
                order, user=request.user, reason=d["reason"], policy=d.get("policy"), trace=d.get("trace")
            ),
            "已发起复测 re-test started",
            back,
        )
    if name == "escalate":
        form = EscalateForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择通报批次并填写理由 choose a notice batch and give a reason")
            return redirect(back)
        return attempt(
            request,
            lambda: workflow.escalate(
                order,
                user=request.user,
                reason=form.cleaned_data["reason"],
                notice=form.cleaned_data["notice"],
            ),
            "已列入通报 added to the notice",
            back,
        )
    if name == "withdraw_notice":
        form = WithdrawForm(request.POST)
        if not form.is_valid():
            messages.error(request, WITHDRAW_REASON_MISSING)
            return redirect(back)
        return attempt(
            request,
            lambda: workflow.withdraw_notice(order, user=request.user, reason=form.cleaned_data["reason"]),
            "已撤出通报批次 withdrawn from the draft notice",
            back,
        )
    actions = {
        "close": workflow.close,
        "order_takedown": workflow.order_takedown,
    }
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


@role_required(*STAFF)
def notice_list(request):
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = workflow.create_notice_batch(
                user=request.user,
                title=form.cleaned_data["title"],
                number=form.cleaned_data.get("number", ""),
            )
        except AppwardenError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已创建通报批次 notice batch created: {notice}")
            return redirect("enforcement:notice_detail", pk=notice.pk)
    return render(
        request,
        "enforcement/notice_list.html",
        {
            "notices": NoticeBatch.objects.all(),
            "form": form,
            # rows the platform would no longer write as they stand (migration 0004): listed, never rewritten
            "corrections": NoticeItem.objects.exclude(correction_note="").select_related("batch"),
        },
    )


@role_required(*STAFF)
def notice_detail(request, pk: int):
    notice = get_scoped(NoticeBatch, request.user, pk=pk)
    items = list(notice.items.select_related("order", "sdk_order"))
    if not notice.published and role_of(request.user) == ROLE_REGULATOR:
        for item in items:  # which row would refuse the publication now, beside its withdraw button
            item.blocker = workflow.row_blocker(item)
    return render(
        request,
        "enforcement/notice_detail.html",
        {
            "notice": notice,
            "items": items,
            "sdk": export.has_sdk_rows(notice),
            "withdraw_form": WithdrawForm(),
        },
    )


@role_required(ROLE_REGULATOR)
def notice_publish(request, pk: int):
    notice = get_scoped(NoticeBatch, request.user, pk=pk)
    if request.method != "POST":
        return redirect("enforcement:notice_detail", pk=pk)
    return attempt(
        request,
        lambda: workflow.publish_notice(notice, user=request.user),
        "已发布 published",
        f"/enforcement/notices/{pk}/",
    )


@role_required(ROLE_REGULATOR)
def notice_withdraw(request, pk: int, item_pk: int):
    """撤出本批次: POST target of a draft batch row's withdraw form (regulators; other staff 403 like publish)."""
    notice = get_scoped(NoticeBatch, request.user, pk=pk)
    back = f"/enforcement/notices/{notice.pk}/"
    item = NoticeItem.objects.filter(batch=notice, pk=item_pk).select_related("order", "sdk_order").first()
    if item is None:
        raise Http404("no such row in this notice batch")
    if request.method != "POST":
        return redirect(back)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, WITHDRAW_REASON_MISSING)
        return redirect(back)
    order = item.sdk_order if item.sdk_order_id is not None else item.order
    return attempt(
        request,
        lambda: workflow.withdraw_item(item, user=request.user, reason=form.cleaned_data["reason"]),
        f"已将 {order.number} 撤出本批次 withdrawn from the draft notice",
        back,
    )


@role_required(*STAFF)
def notice_export(request, pk: int, fmt: str):
    return notice_download(get_scoped(NoticeBatch, request.user, pk=pk), fmt)


@role_required(ROLE_STORE, *STAFF)
def takedown_list(request):
    takedowns = scoped(
        TakedownOrder.objects.select_related("store", "listing", "order__app", "order__app_version"),
        request.user,
    )
    return render(
        request, "enforcement/takedown_list.html", {"takedowns": takedowns, "form": ConfirmTakedownForm()}
    )


@role_required(ROLE_STORE, ROLE_REGULATOR)
def takedown_confirm(request, pk: int):
    takedown = get_scoped(TakedownOrder, request.user, pk=pk)
    if request.method != "POST":
        return redirect("enforcement:takedown_list")
    form = ConfirmTakedownForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    return attempt(
        request,
        lambda: workflow.confirm_takedown(takedown, user=request.user, note=note),
        "已确认下架 takedown confirmed",
        "/enforcement/takedowns/",
    )
