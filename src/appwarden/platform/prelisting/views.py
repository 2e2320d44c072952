"""``/store/prelisting/`` 上架前检测: a store operator submits an APK with its listing metadata (the same check as
``POST /api/prelisting/``) and sees its own checks with their verdicts and its share of violating apps, plus the
停止接入 measures that concern it (a check whose app's company is under one is refused, the measure cited);
reviewers and regulators see every store's share and the recent checks of all
stores. Other roles get 403. The page refreshes itself while a check is still queued or running."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render

from appwarden.errors import AppwardenError
from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.models import ROLE_STORE
from appwarden.platform.core.roles import STAFF, role_of, scoped
from appwarden.platform.core.views import role_required
from appwarden.platform.prelisting import services
from appwarden.platform.prelisting.models import PrelistingCheck
from appwarden.platform.registry.models import Store

VERDICT_LABELS = {
    services.PASS: "通过 Pass",
    services.FAIL: "不通过 Fail",
    services.NEEDS_REVIEW: "需人工复核 Needs review",
}
LISTING_FIELDS = ("developer", "version", "policy_url", "permissions", "updated")
PAGE_SIZE = 100
VERDICT_WINDOW = 1000


def _rows(checks: list[PrelistingCheck]) -> list[dict[str, Any]]:
    from appwarden.platform.testing.models import JOB_FAILED

    out = []
    for check, v in zip(checks, services.verdicts(checks), strict=True):
        v["verdict_label"] = VERDICT_LABELS.get(v.get("verdict", ""), "")
        v["store_name"] = check.store.name
        v["created"] = check.created_at  # rendered in the local time zone
        v["file_name"] = check.job.file_name
        v["pending"] = check.job.status not in ("done", JOB_FAILED)
        out.append(v)
    return out


@role_required(ROLE_STORE, *STAFF)
def store_prelisting(request):
    """GET: the page; POST (store operators only): submit an APK for the pre-listing check."""
    role = role_of(request.user)
    store = request.user.profile.store if role == ROLE_STORE else None
    if role == ROLE_STORE and store is None:
        raise PermissionDenied("该账号未绑定应用商店 this store account is not bound to a store")
    status, retry_after = 200, None
    if request.method == "POST":
        if role != ROLE_STORE:
            raise PermissionDenied(
                "只有应用商店可以提交上架前检测 only store operators submit pre-listing checks"
            )
        apk = request.FILES.get("apk")
        listing = {k: request.POST.get(k, "") for k in LISTING_FIELDS}
        if not request.POST.get("permissions", "").strip():
            listing.pop("permissions")
        try:
            if apk is None:
                raise PlatformError("请选择要检测的APK文件 choose the APK to check")
            if any("\x00" in str(v) for v in listing.values()):
                raise PlatformError("上架信息含有非法字符 the listing metadata contains a NUL character")
            check = services.submit(
                apk, store=store, user=request.user, policy=request.FILES.get("policy"), listing=listing
            )
        except AppwardenError as exc:
            # incl. QueueFull (429): the store's queue is at its bound, nothing stored
            messages.error(request, str(exc))
            status = getattr(exc, "http_status", 400)
            retry_after = getattr(exc, "retry_after", None)
        else:
            messages.success(request, f"已提交上架前检测 #{check.pk}，排队检测中 queued")
            return redirect("prelisting:store")
    checks = list(
        scoped(
            PrelistingCheck.objects.select_related("job__app_version__app__company", "store"), request.user
        ).defer("job__report")[:PAGE_SIZE]
    )
    rows = _rows(checks)
    context: dict[str, Any] = {
        "store": store,
        "rows": rows,
        "refresh": any(r["pending"] for r in rows),
        "values": request.POST if request.method == "POST" else {},
    }
    if store is not None:
        from appwarden.platform.sanctions.models import SanctionMeasure
        from appwarden.platform.sanctions.services import visible

        measures = visible(SanctionMeasure.objects.select_related("company"), request.user)
        context["share"] = services.violating_share(store)
        context["stop_access"] = [m for m in measures if m.in_force()]
    else:
        # verdicts are computed per check (reviews count), so only the newest VERDICT_WINDOW checks are tallied
        verdicts: dict[int, Counter] = {}
        recent = list(
            PrelistingCheck.objects.select_related("job__app_version__app__company", "store").defer(
                "job__report"
            )[:VERDICT_WINDOW]
        )
        for check, v in zip(recent, services.verdicts(recent), strict=True):
            verdicts.setdefault(check.store_id, Counter())[v.get("verdict", "")] += 1
        stores = list(Store.objects.annotate(n_checks=Count("prelisting_checks")))
        shares = services.violating_shares(stores)
        context["stores"] = [
            {
                "store": s,
                "share": shares[s.pk],
                "checks": s.n_checks,
                "verdicts": [(VERDICT_LABELS[k], verdicts.get(s.pk, Counter())[k]) for k in VERDICT_LABELS],
            }
            for s in stores
        ]
        context["verdict_window"] = VERDICT_WINDOW
    resp = render(request, "prelisting/store.html", context, status=status)
    if status == 429 and retry_after:
        resp["Retry-After"] = str(retry_after)
    return resp
