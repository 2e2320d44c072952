"""The statistics as they were computed before the aggregation moved into the database (December 2026): every
confirmed finding of the period / of all time loaded into Python. Kept verbatim as the test oracle of
``test_stats_db_aggregation.py`` and as the *old* side of ``bench/platform_volume.py --compare-stats``; not used by
the platform."""

from __future__ import annotations

import decimal
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from appwarden.platform.core import problem_types
from appwarden.platform.registry.models import SdkVendor, attributed
from appwarden.platform.testing.models import F_CONFIRMED, Finding, ScanJob
from appwarden.platform.web.early_warning import _chunks
from appwarden.platform.web.yearly import (
    COLUMNS,
    OTHER_TYPE,
    OTHER_TYPE_ZH,
    TESTED_PURPOSES,
    Period,
    _taken_down_key,
    _types_of,
)


def yearly_stats_rowwise(period: Period) -> dict[str, Any]:
    """Every number of the report for ``period`` (see the module docstring). JSON-safe."""
    from appwarden.knowledge.notice_types import vocabulary
    from appwarden.platform.enforcement.models import (
        TD_CONFIRMED,
        NoticeItem,
        RectificationOrder,
        TakedownOrder,
    )
    from appwarden.platform.prelisting.models import PrelistingCheck
    from appwarden.platform.prelisting.services import verdicts, violating_shares
    from appwarden.platform.registry.models import SdkVendor, Store, StoreListing, attributed
    from appwarden.platform.sanctions.models import PENALTY, SanctionMeasure
    from appwarden.platform.testing.models import F_CONFIRMED, JOB_DONE, Finding, ScanJob

    lo, hi = period.bounds()
    jobs = (
        ScanJob.objects.filter(
            status=JOB_DONE,
            finished_at__gte=lo,
            finished_at__lt=hi,
            app_version__isnull=False,
            purpose__in=TESTED_PURPOSES,
        )
        .filter(attributed("app_version__"), prelisting__isnull=True)
        .defer("report")
    )
    job_rows = list(jobs.values_list("id", "app_version_id", "app_version__app_id"))
    tested_apps = {a for _, _, a in job_rows}
    findings = list(
        Finding.objects.filter(job__in=jobs.values("id"), status=F_CONFIRMED).values_list(
            "app_version__app_id", "notice_types", "problem_type", "owner"
        )
    )

    orders = RectificationOrder.objects.filter(issued_at__gte=lo, issued_at__lt=hi).exclude(
        transitions__name="harmful_takedown"
    )
    order_rows = list(orders.values_list("id", "app_id", "company_id"))
    notice_rows = list(
        NoticeItem.objects.filter(
            batch__published=True,
            batch__published_at__gte=lo,
            batch__published_at__lt=hi,
            order__isnull=False,
        ).values_list("order_id", "order__app_id", "batch_id")
    )
    takedown_rows = [
        (order, _taken_down_key(app, version, foreign), store)
        for order, app, version, foreign, store in TakedownOrder.objects.filter(
            status=TD_CONFIRMED, confirmed_at__gte=lo, confirmed_at__lt=hi
        ).values_list(
            "order_id", "order__app_id", "order__app_version_id", "order__foreign_build", "store_id"
        )
    ]
    case_ids = (
        {o for o, _, _ in order_rows} | {o for o, _, _ in notice_rows} | {o for o, _, _ in takedown_rows}
    )
    through = RectificationOrder.findings.through
    case_findings = list(
        through.objects.filter(rectificationorder_id__in=case_ids).values_list(
            "rectificationorder_id", "finding__notice_types", "finding__problem_type", "finding__owner"
        )
    )

    # per case (order id): its types, groups and SDK owners
    case_types = _types_of([(o, t) for o, t, _, _ in case_findings])
    case_groups: dict[int, set[str]] = defaultdict(set)
    case_owners: dict[int, set[str]] = defaultdict(set)
    for o, _, group, owner in case_findings:
        case_groups[o].add(group)
        if owner and owner != "host":
            case_owners[o].add(owner)

    # column -> app ids, and column -> {app id -> cases} for the breakdowns
    apps: dict[str, set[int]] = {
        "tested": tested_apps,
        "ordered": {a for _, a, _ in order_rows},
        "noticed": {a for _, a, _ in notice_rows},
        "taken_down": {a for _, a, _ in takedown_rows},
    }
    cases: dict[str, list[tuple[int, int]]] = {
        "ordered": [(o, a) for o, a, _ in order_rows],
        "noticed": [(o, a) for o, a, _ in notice_rows],
        "taken_down": [(o, a) for o, a, _ in takedown_rows],
    }

    def breakdown(
        tested_keys: dict[int, set[str]], case_keys: dict[int, set[str]]
    ) -> dict[str, dict[str, set]]:
        """key -> column -> app ids."""
        out: dict[str, dict[str, set]] = defaultdict(lambda: {c: set() for c in COLUMNS})
        for app, keys in tested_keys.items():
            for key in keys or {OTHER_TYPE}:
                out[key]["tested"].add(app)
        for column, pairs in cases.items():
            for order, app in pairs:
                for key in case_keys.get(order) or {OTHER_TYPE}:
                    out[key][column].add(app)
        return out

    tested_types = _types_of([(a, t) for a, t, _, _ in findings])
    tested_groups: dict[int, set[str]] = defaultdict(set)
    tested_owners: dict[str, set[int]] = defaultdict(set)
    sdk_findings: dict[str, int] = defaultdict(int)
    for app, _, group, owner in findings:
        tested_groups[app].add(group)
        if owner and owner != "host":
            tested_owners[owner].add(app)
            sdk_findings[owner] += 1

    vocab = vocabulary()
    by_type_sets = breakdown(tested_types, case_types)
    by_type = [
        {
            "id": tid,
            "name_zh": rec["name_zh"],
            "group_zh": problem_types.label_zh(str(rec["group"])),
            **{c: len(by_type_sets[tid][c]) if tid in by_type_sets else 0 for c in COLUMNS},
        }
        for tid, rec in vocab.items()
    ]
    by_type.append(
        {
            "id": OTHER_TYPE,
            "name_zh": OTHER_TYPE_ZH,
            "group_zh": "",
            **{c: len(by_type_sets[OTHER_TYPE][c]) if OTHER_TYPE in by_type_sets else 0 for c in COLUMNS},
        }
    )
    by_group_sets = breakdown(tested_groups, case_groups)
    by_group = [
        {
            "id": key,
            "name_zh": zh,
            **{c: len(by_group_sets[key][c]) if key in by_group_sets else 0 for c in COLUMNS},
        }
        for key, zh, _en in [*problem_types.GROUPS, problem_types.OTHER]
    ]

    # by SDK: the owners of confirmed findings in the tested jobs and of the cases' findings
    vendor_of = {
        sid: v.name for v in SdkVendor.objects.all() for sid in v.sdk_ids or [] if isinstance(sid, str)
    }
    sdk_cases: dict[str, dict[str, set[int]]] = defaultdict(lambda: {c: set() for c in COLUMNS[1:]})
    for column, pairs in cases.items():
        for order, app in pairs:
            for owner in case_owners.get(order, ()):
                sdk_cases[owner][column].add(app)
    by_sdk = sorted(
        (
            {
                "sdk": sid,
                "vendor": vendor_of.get(sid, ""),
                "findings": sdk_findings.get(sid, 0),
                "tested": len(tested_owners.get(sid, ())),
                **{c: len(sdk_cases[sid][c]) if sid in sdk_cases else 0 for c in COLUMNS[1:]},
            }
            for sid in set(tested_owners) | set(sdk_cases)
        ),
        key=lambda r: (-r["tested"], -r["findings"], r["sdk"]),
    )

    # by store
    listed: dict[int, set[int]] = defaultdict(set)
    for store_id, app_id in StoreListing.objects.values_list("store_id", "app_id"):
        listed[store_id].add(app_id)
    checks = list(
        PrelistingCheck.objects.filter(created_at__gte=lo, created_at__lt=hi)
        .select_related("job__app_version__app__company", "store")
        .defer("job__report")
    )
    check_verdict = {c.pk: v.get("verdict") for c, v in zip(checks, verdicts(checks), strict=True)}
    by_store = []
    all_stores = list(Store.objects.all())
    shares = violating_shares(all_stores)
    for store in all_stores:
        mine = listed.get(store.pk, set())
        store_checks = [c for c in checks if c.store_id == store.pk]
        store_verdicts = [check_verdict[c.pk] for c in store_checks]
        share = shares[store.pk]
        by_store.append(
            {
                "store": store.name,
                "id": store.pk,
                "tested": len(apps["tested"] & mine),
                "ordered": len(apps["ordered"] & mine),
                "noticed": len(apps["noticed"] & mine),
                "taken_down": len({a for _, a, s in takedown_rows if s == store.pk}),
                "prelisting": len(store_checks),
                "prelisting_fail": sum(1 for v in store_verdicts if v == "fail"),
                "listed": share["listed"],
                "violating": share["violating"],
                "violating_percent": share["percent"],
            }
        )

    sanctions = SanctionMeasure.objects.filter(start_date__gte=period.start, start_date__lte=period.end)
    summary = {
        "tested": len(apps["tested"]),
        "tested_versions": len({v for _, v, _ in job_rows}),
        "tested_jobs": len(job_rows),
        "apps_with_confirmed": len({a for a, _, _, _ in findings}),
        "confirmed_findings": len(findings),
        "ordered": len(apps["ordered"]),
        "orders": len(order_rows),
        "ordered_companies": len({c for _, _, c in order_rows if c}),
        "noticed": len(apps["noticed"]),
        "notice_batches": len({b for _, _, b in notice_rows}),
        "taken_down": len(apps["taken_down"]),
        "taken_down_foreign": sum(1 for a in apps["taken_down"] if isinstance(a, tuple)),
        "takedowns": len(takedown_rows),
        "prelisting": len(checks),
        "sanctions": {
            kind: sanctions.filter(kind=kind).count() for kind in ("stop_access", "penalty", "credit")
        },
        "fines": f"{decimal.Decimal(sanctions.filter(kind=PENALTY).aggregate(s=Sum('amount'))['s'] or 0):.2f}",
    }
    return {
        "year": period.year,
        "start": str(period.start),
        "end": str(period.end),
        "label": period.label,
        "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "summary": summary,
        "by_type": by_type,
        "by_group": by_group,
        "by_store": by_store,
        "by_sdk": by_sdk,
    }


def sdk_versions_rowwise(min_apps: int | None = None) -> list[dict[str, Any]]:
    """SDK (id, version) pairs with confirmed findings in at least ``min_apps`` apps, most apps first. Each row:
    ``{sdk, version, vendor, apps: [(package, name)], findings, rules: [(rule_id, n)]}``."""
    if min_apps is None:
        min_apps = int(getattr(settings, "APPWARDEN_EARLY_WARNING_MIN_APPS", 3))
    found = list(
        Finding.objects.filter(attributed("app_version__"), status=F_CONFIRMED, app_version__isnull=False)
        .exclude(owner="host")
        .order_by()
        .values_list("job_id", "owner", "rule_id", "app_version__app__package", "app_version__app__name")
    )
    if not found:
        return []
    # the SDK versions each job's report gave, from the small column ingest fills (never the whole report)
    versions: dict[tuple[int, str], str] = {}
    for chunk in _chunks({f[0] for f in found}):
        for job_id, sdks in ScanJob.objects.filter(id__in=chunk).order_by().values_list("id", "sdk_versions"):
            for sid, version in sdks.items() if isinstance(sdks, dict) else ():
                versions[(job_id, sid)] = version
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for job_id, owner, rule_id, package, name in found:
        version = versions.get((job_id, owner), "")
        entry = groups.setdefault(
            (owner, version),
            {"sdk": owner, "version": version, "apps": {}, "findings": 0, "rules": defaultdict(int)},
        )
        entry["apps"][package] = name or package
        entry["findings"] += 1
        entry["rules"][rule_id] += 1
    vendors = {}
    for vendor in SdkVendor.objects.all():
        for sid in vendor.sdk_ids or []:
            vendors.setdefault(sid, vendor)
    rows = []
    for entry in groups.values():
        if len(entry["apps"]) < min_apps:
            continue
        entry["apps"] = sorted(entry["apps"].items())
        entry["rules"] = sorted(entry["rules"].items(), key=lambda kv: (-kv[1], kv[0]))
        entry["vendor"] = vendors.get(entry["sdk"])
        rows.append(entry)
    rows.sort(key=lambda e: (-len(e["apps"]), e["sdk"], e["version"]))
    return rows
