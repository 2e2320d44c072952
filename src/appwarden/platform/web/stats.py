"""Dashboard statistics, repeat offenders (屡查屡犯) and the SDK-vendor view, computed with ORM aggregates.

"Active" findings are those not rejected by a reviewer (pending + confirmed).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from appwarden.platform.core import problem_types
from appwarden.platform.enforcement.models import CLOSED, RectificationOrder
from appwarden.platform.registry.models import App, SdkVendor, Store, attributed
from appwarden.platform.testing.models import F_CONFIRMED, F_REJECTED, SEVERITY, Batch, Finding

ACTIVE = ~Q(status=F_REJECTED)


def batch_counts(limit: int = 12) -> list[dict[str, Any]]:
    """Per batch (newest ``limit``): jobs, active findings, confirmed findings."""
    newest = list(Batch.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[:limit])
    rows = (
        Batch.objects.filter(pk__in=newest)
        .annotate(  # aggregate only the batches shown
            n_jobs=Count("jobs", distinct=True),
            n_findings=Count("jobs__findings", filter=~Q(jobs__findings__status=F_REJECTED), distinct=True),
            n_confirmed=Count("jobs__findings", filter=Q(jobs__findings__status=F_CONFIRMED), distinct=True),
        )
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        {"batch": b, "jobs": b.n_jobs, "findings": b.n_findings, "confirmed": b.n_confirmed}
        for b in reversed(rows)
    ]


def problem_distribution() -> list[tuple[str, int]]:
    """(problem-type Chinese label, active findings) sorted by count."""
    rows = Finding.objects.filter(ACTIVE).values("problem_type").annotate(n=Count("id")).order_by("-n")
    return [(problem_types.label_zh(r["problem_type"]), r["n"]) for r in rows]


def trend(days: int = 30) -> list[tuple[str, int]]:
    """Active findings per day over the last ``days`` days (zero-filled)."""
    start = timezone.localdate() - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(start, dt.time.min, tzinfo=timezone.get_current_timezone())
    rows = (
        Finding.objects.filter(
            ACTIVE, created_at__gte=since
        )  # a plain range: created_at__date cannot use an index
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
    )
    counts = {r["day"]: r["n"] for r in rows}
    return [
        ((start + dt.timedelta(i)).strftime("%m-%d"), counts.get(start + dt.timedelta(i), 0))
        for i in range(days)
    ]


def top_sdks(limit: int = 10) -> list[tuple[str, int]]:
    rows = (
        Finding.objects.filter(ACTIVE)
        .exclude(owner="host")
        .values("owner")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [(r["owner"], r["n"]) for r in rows[:limit]]


def top_stores(limit: int = 10) -> list[tuple[str, int]]:
    """(store name, active findings of the apps listed in it), most first: the findings are counted per app once
    (one grouped query) and summed per store, instead of a join of every listing with every finding."""
    from appwarden.platform.registry.models import StoreListing

    per_app: dict[int, int] = defaultdict(int)
    for app_id, n in (
        Finding.objects.filter(ACTIVE, attributed("app_version__"), app_version__isnull=False)
        .values("app_version__app")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("app_version__app", "n")
    ):
        per_app[app_id] += n
    totals: dict[int, int] = defaultdict(int)
    for store_id, app_id in StoreListing.objects.order_by().values_list("store_id", "app_id").distinct():
        totals[store_id] += per_app.get(app_id, 0)
    names = dict(Store.objects.values_list("pk", "name"))
    rows = sorted(((names[k], n) for k, n in totals.items() if n > 0), key=lambda r: -r[1])
    return rows[:limit]


CHUNK = 500


def _chunks(ids: Any) -> list[list[int]]:
    """Sorted ids in lists of ``CHUNK`` (keeps ``IN`` lists within SQLite's variable limit)."""
    ordered = sorted(ids)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def repeat_offenders() -> list[dict[str, Any]]:
    """Apps (grouped by company) with confirmed findings in several batches, or found again after a closed order.

    Each entry: ``company`` (or None), ``apps`` [{app, batches: [Batch], after_close: bool, orders}], ``reasons``.
    A fixed number of queries (per 500 apps), not several per app: at 50,000 scan jobs the per-app version took
    seconds (``bench/results/*-platform-volume-*``).
    """
    # a build of another signer that merely carries the package name is not the app's (AppVersion.signer_relation)
    confirmed = Finding.objects.filter(
        attributed("app_version__"), status=F_CONFIRMED, app_version__isnull=False
    )
    first_close = {
        r["app"]: r["first"]
        for r in RectificationOrder.objects.filter(state=CLOSED)
        .values("app")
        .annotate(first=Min("closed_at"))
        if r["first"]
    }
    # one pass over the confirmed findings grouped by (app, batch): the batches of each app, its number of
    # confirmed findings and the newest scan that found one (for "found again after a closed order")
    per_app_batches: dict[int, set[int]] = defaultdict(set)
    counts: dict[int, int] = defaultdict(int)
    last_seen: dict[int, Any] = {}
    for app_id, batch_id, n, last in (
        confirmed.values("app_version__app", "job__batch")
        .annotate(n=Count("id"), last=Max("job__created_at"))
        .order_by()  # no default ordering: it would add Finding.id to the GROUP BY
        .values_list("app_version__app", "job__batch", "n", "last")
    ):
        if batch_id is not None:
            per_app_batches[app_id].add(batch_id)
        counts[app_id] += n
        if last is not None and (app_id not in last_seen or last > last_seen[app_id]):
            last_seen[app_id] = last
    after_close = {
        app_id for app_id, closed in first_close.items() if app_id in last_seen and last_seen[app_id] > closed
    }
    app_ids = {a for a, b in per_app_batches.items() if len(b) >= 2} | after_close
    batches = Batch.objects.in_bulk({b for a in app_ids for b in per_app_batches.get(a, ())})
    orders: dict[int, list[Any]] = defaultdict(list)
    apps: list[Any] = []
    for chunk in _chunks(app_ids):
        # a case of a build of another signer is not the app's (workflow.takedown_harmful)
        for order in RectificationOrder.objects.filter(app__in=chunk, foreign_build=False).order_by(
            "-issued_at", "-id"
        ):
            orders[order.app_id].append(order)
        apps += list(App.objects.filter(pk__in=chunk).select_related("company"))
    groups: dict[Any, dict[str, Any]] = {}
    for app in sorted(apps, key=lambda a: a.package):
        entry = groups.setdefault(app.company_id, {"company": app.company, "apps": [], "reasons": set()})
        app_batches = sorted(
            (batches[b] for b in per_app_batches.get(app.pk, ())), key=lambda b: b.created_at
        )
        if len(app_batches) >= 2:
            entry["reasons"].add("多个批次均发现问题 findings in several batches")
        if app.pk in after_close:
            entry["reasons"].add("整改结案后再次发现 found again after rectification")
        entry["apps"].append(
            {
                "app": app,
                "batches": app_batches,
                "after_close": app.pk in after_close,
                "orders": orders.get(app.pk, []),
                "findings": counts.get(app.pk, 0),
            }
        )
    out = list(groups.values())
    for entry in out:
        entry["reasons"] = sorted(entry["reasons"])
    out.sort(key=lambda e: -sum(a["findings"] for a in e["apps"]))
    return out


def my_sdk_view(user: Any) -> dict[str, Any]:
    """An SDK vendor user's findings aggregated per SDK id (``/my-sdk/``).

    Only what ``scoped`` lets the user see (confirmed findings whose owner is one of its vendor's SDK ids): per
    SDK the findings count, counts by severity, the apps affected (package, name), the app versions and the
    rules. Nothing of the apps' other findings is read. A finding in a build of another signer that merely carries
    an app's package name (``AppVersion.signer_relation`` foreign) is not counted under that app: ``foreign`` says
    how many were left out.
    """
    from appwarden.platform.core.roles import scoped, sdk_ids_of

    qs = scoped(Finding.objects.all(), user).select_related("app_version__app")
    sdks: dict[str, dict[str, Any]] = {
        sid: {
            "sdk": sid,
            "findings": 0,
            "severity": {},
            "apps": {},
            "versions": set(),
            "rules": {},
            "foreign": 0,
        }
        for sid in sdk_ids_of(user)
    }
    for f in qs:
        entry = sdks.get(f.owner)
        if entry is None:  # pragma: no cover - scoped() only returns the vendor's SDK ids
            continue
        if f.app_version is not None and f.app_version.foreign:
            entry["foreign"] += 1
            continue
        entry["findings"] += 1
        entry["severity"][f.severity] = entry["severity"].get(f.severity, 0) + 1
        entry["rules"][f.rule_id] = entry["rules"].get(f.rule_id, 0) + 1
        version = f.app_version
        if version is not None:
            app = version.app
            entry["apps"][app.package] = app.name or app.package
            entry["versions"].add(f"{app.package} {version.version_name or version.sha256[:12]}")
    out = []
    order = [value for value, _ in SEVERITY]
    for entry in sdks.values():
        entry["severity"] = [(sev, entry["severity"][sev]) for sev in order if sev in entry["severity"]]
        entry["apps"] = sorted(entry["apps"].items())
        entry["versions"] = sorted(entry["versions"])
        entry["rules"] = sorted(entry["rules"].items(), key=lambda kv: (-kv[1], kv[0]))
        out.append(entry)
    out.sort(key=lambda e: (-e["findings"], e["sdk"]))
    profile = getattr(user, "profile", None)
    return {"vendor": getattr(profile, "sdk_vendor", None), "sdks": out}


def sdk_vendor_view() -> dict[str, Any]:
    """Per SDK vendor: active findings owned by its SDKs, apps affected, top rules; plus unassigned SDK owners."""
    vendors = []
    assigned: set[str] = set()
    for vendor in SdkVendor.objects.all():
        ids = [s for s in vendor.sdk_ids or [] if isinstance(s, str)]
        assigned.update(ids)
        qs = Finding.objects.filter(ACTIVE, owner__in=ids)
        vendors.append(
            {
                "vendor": vendor,
                "sdk_ids": ids,
                "findings": qs.count(),
                "apps": qs.values("app_version__app").distinct().count(),
                "rules": list(qs.values("rule_id").annotate(n=Count("id")).order_by("-n")[:5]),
            }
        )
    vendors.sort(key=lambda v: -v["findings"])
    unassigned = [
        (owner, n)
        for owner, n in Finding.objects.filter(ACTIVE)
        .exclude(owner="host")
        .values_list("owner")
        .annotate(n=Count("id"))
        .order_by("-n")
        if owner not in assigned
    ]
    return {"vendors": vendors, "unassigned": unassigned}
