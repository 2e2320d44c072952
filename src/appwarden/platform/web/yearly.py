"""The yearly statistics report (年度统计, issue #21.6): for one year, or a date range within it, how many apps were
tested, ordered to rectify, publicly noticed and taken down — overall, by 通报 problem type, by dashboard problem
group, by store and by SDK — as a dict (:func:`yearly_stats`), XLSX (:func:`yearly_xlsx`) and PDF
(:func:`yearly_pdf`, the notice PDF's CJK font).

What is counted (every count is of distinct **apps** unless a column says otherwise; "in the period" = the local
dates ``start``..``end`` inclusive, in ``settings.TIME_ZONE``):

* **tested** 检测: apps with a scan job that finished ``done`` in the period, of purpose scan / re-test / complaint
  check (:data:`TESTED_PURPOSES`), not a store's pre-listing check (counted apart as ``prelisting``);
* **ordered** 责令整改: apps of rectification orders issued in the period (a 不良APP direct takedown case,
  ``harmful_takedown``, is not an order to rectify and is not counted here);
* **noticed** 通报: apps named in a notice batch *published* in the period (draft batches never count);
* **taken down** 下架: apps with a takedown order a store confirmed in the period (any case, 不良APP included); a
  counterfeit build signed by another key (a ``foreign_build`` case) counts as that build, not as the genuine
  app whose package it carries, and the summary says how many of them there were (``taken_down_foreign``).

By problem type: a tested app counts under a type when one of its **confirmed** findings in those jobs carries the
type (``Finding.notice_types``, the one mapping ``report.notice.finding_notice_types``); an ordered / noticed / taken
down app when a finding of its order carries it. An app counts
once per type but may count under several types. By group: the same with ``Finding.problem_type``
(``core/problem_types.py``). Apps whose confirmed findings (or whose case's findings: a 不良APP takedown case has
none) carry no type count under ``other``; tested apps without a confirmed finding count under no type. By SDK: the ``owner`` of confirmed findings (never ``host``). By store: the apps above
that have a listing (active or not) in the store, the takedowns that store confirmed, its pre-listing checks and its
current share of violating apps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import io
from collections import defaultdict
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from appwarden.platform.core import problem_types
from appwarden.platform.core.errors import PlatformError

TESTED_PURPOSES = ("scan", "retest", "complaint")
OTHER_TYPE = "other"
OTHER_TYPE_ZH = "其他（无通报问题类型）"
COLUMNS = ("tested", "ordered", "noticed", "taken_down")
COLUMN_ZH = {"tested": "检测", "ordered": "责令整改", "noticed": "通报", "taken_down": "下架"}
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclasses.dataclass(frozen=True)
class Period:
    """A reporting period: ``year`` and the inclusive local dates ``start``..``end`` within it."""

    year: int
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        full = self.start == dt.date(self.year, 1, 1) and self.end == dt.date(self.year, 12, 31)
        return f"{self.year}年度" if full else f"{self.year}年度（{self.start} 至 {self.end}）"

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Aware datetimes [start 00:00, day after end 00:00) in the current time zone."""
        tz = timezone.get_current_timezone()
        lo = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return lo, hi


def parse_period(year: Any, start: Any = None, end: Any = None) -> Period:
    """The period for ``year`` (default: this year) narrowed by optional ISO dates ``start``/``end``, which must lie
    in that year with ``start`` ≤ ``end``. Bad input raises :class:`PlatformError` with one Chinese line."""
    text = str(year or "").strip()
    if not text:
        y = timezone.localdate().year
    elif not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise PlatformError(f"年份不正确：{text[:10]}（应为{MIN_YEAR}–{MAX_YEAR}） invalid year")
    else:
        y = int(text)
    lo, hi = dt.date(y, 1, 1), dt.date(y, 12, 31)

    def day(value: Any, label: str, default: dt.date) -> dt.date:
        raw = str(value or "").strip()
        if not raw:
            return default
        try:
            d = dt.date.fromisoformat(raw)
        except ValueError:
            raise PlatformError(f"{label}格式不正确，应为 YYYY-MM-DD：{raw[:20]} invalid date") from None
        if not lo <= d <= hi:
            raise PlatformError(f"{label}须在{y}年内 the date must lie within the year")
        return d

    s, e = day(start, "起始日期", lo), day(end, "截止日期", hi)
    if e < s:
        raise PlatformError("截止日期不得早于起始日期 the end date is before the start date")
    return Period(y, s, e)


def _types_of(rows: list[tuple[Any, ...]]) -> dict[Any, set[str]]:
    """key -> notice type ids (``other`` when a key has findings but none typed) from (key, notice_types) rows."""
    out: dict[Any, set[str]] = defaultdict(set)
    for key, types in rows:
        kept = {t for t in types or [] if isinstance(t, str)}
        out[key] |= kept
    return out


def _taken_down_key(app: int, version: int | None, foreign: bool) -> int | tuple[str, int | None, int]:
    """What a confirmed takedown counts as in the ``taken_down`` column: the app's id, or for a case of a build signed
    by another key (``RectificationOrder.foreign_build``: a counterfeit carrying the app's package name) that build,
    ``("foreign", version id, app id)``. The counterfeit is not the genuine app, so its 下架 neither counts the genuine
    app as taken down (under a store, a type or the app count) nor merges with the genuine app's own 下架 that year."""
    return ("foreign", version, app) if foreign else app


def _tested_aggregates(jobs: Any) -> dict[str, Any]:
    """The tested side of the report, aggregated by the database over ``jobs`` (the period's tested scan jobs) and
    their confirmed findings: ``apps``, ``versions``, ``jobs``, ``apps_with_confirmed``, ``confirmed_findings``,
    ``by_type`` / ``by_group`` (key -> apps with a confirmed finding of that key; ``other`` = apps whose confirmed
    findings carry no notice type), ``sdk_apps`` / ``sdk_findings`` (owner other than ``host`` -> apps, findings).

    Same definitions as the row-by-row computation it replaced (``tests/platform/stats_oracle.py``): apps are
    distinct ``Finding.app_version.app`` ids, a finding without a version counting as one app of its own (the old
    code's ``None`` key, here ``Coalesce(…, 0)``: no app has id 0); notice types are the list's string elements. The
    Python work is one row per key, not one per finding or job."""
    from django.db.models import Count, Value
    from django.db.models.functions import Coalesce

    from appwarden.platform.testing.models import F_CONFIRMED, Finding

    totals = jobs.aggregate(
        apps=Count("app_version__app_id", distinct=True),
        versions=Count("app_version_id", distinct=True),
        jobs=Count("id"),
    )
    findings = (
        Finding.objects.filter(job__in=jobs.values("id"), status=F_CONFIRMED)
        .annotate(app_key=Coalesce("app_version__app_id", Value(0)))
        .order_by()
    )
    confirmed = findings.aggregate(apps=Count("app_key", distinct=True), n=Count("id"))
    by_group = {
        group: n
        for group, n in findings.values("problem_type")
        .annotate(n=Count("app_key", distinct=True))
        .values_list("problem_type", "n")
    }
    sdk_apps: dict[str, int] = {}
    sdk_findings: dict[str, int] = {}
    for owner, apps, n in (
        findings.exclude(owner__in=("", "host"))
        .values("owner")
        .annotate(apps=Count("app_key", distinct=True), n=Count("id"))
        .values_list("owner", "apps", "n")
    ):
        sdk_apps[owner], sdk_findings[owner] = apps, n
    by_type, typed_apps = _typed_app_counts(findings)
    if confirmed["apps"] > typed_apps:
        by_type[OTHER_TYPE] = confirmed["apps"] - typed_apps
    return {
        "apps": totals["apps"],
        "versions": totals["versions"],
        "jobs": totals["jobs"],
        "apps_with_confirmed": confirmed["apps"],
        "confirmed_findings": confirmed["n"],
        "by_type": by_type,
        "by_group": by_group,
        "sdk_apps": sdk_apps,
        "sdk_findings": sdk_findings,
    }


def _typed_app_counts(findings: Any) -> tuple[dict[str, int], int]:
    """(notice type -> distinct ``app_key`` of ``findings`` whose ``notice_types`` list holds it as a string, the
    number of distinct ``app_key`` with at least one such type), counted by the database: the JSON list is
    expanded with ``jsonb_array_elements`` (PostgreSQL) or ``json_each`` (SQLite). The column always holds a list
    (ingest and the migrations write ``finding_notice_types``); a value that is not a list counts as no type (the
    replaced Python code would have iterated an object's keys or a string's characters)."""
    from django.db import connections

    inner = findings.values("app_key", nt=models.F("notice_types"))
    sql, params = inner.query.get_compiler(using=findings.db).as_sql()
    vendor = connections[findings.db].vendor
    if vendor == "postgresql":
        elements = (
            f"FROM ({sql}) s CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(s.nt) = 'array' "
            "THEN s.nt ELSE '[]'::jsonb END) e WHERE jsonb_typeof(e.value) = 'string'"
        )
        value = "e.value #>> '{}'"
    elif vendor == "sqlite":
        elements = (
            f"FROM ({sql}) s, json_each(CASE WHEN json_type(s.nt) = 'array' THEN s.nt ELSE '[]' END) e "
            "WHERE e.type = 'text'"
        )
        value = "e.value"
    else:  # pragma: no cover - the platform runs on PostgreSQL or SQLite
        raise NotImplementedError(f"notice-type counts need PostgreSQL or SQLite, not {vendor}")
    with connections[findings.db].cursor() as cur:
        cur.execute(f"SELECT {value}, COUNT(DISTINCT s.app_key) {elements} GROUP BY {value}", params)
        counts = {str(t): n for t, n in cur.fetchall()}
        cur.execute(f"SELECT COUNT(DISTINCT s.app_key) {elements}", params)
        typed = cur.fetchone()[0]
    return counts, typed


def _per_store(listing_model: Any, app_ids: Any) -> dict[int, int]:
    """store id -> distinct apps of the subquery ``app_ids`` listed (active or not) in the store."""
    from django.db.models import Count

    return dict(
        listing_model.objects.filter(app_id__in=app_ids)
        .order_by()
        .values("store_id")
        .annotate(n=Count("app_id", distinct=True))
        .values_list("store_id", "n")
    )


def yearly_stats(period: Period) -> dict[str, Any]:
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
    from appwarden.platform.testing.models import JOB_DONE, ScanJob

    lo, hi = period.bounds()
    jobs = (
        ScanJob.objects.filter(
            status=JOB_DONE,
            finished_at__gte=lo,
            finished_at__lt=hi,
            app_version__isnull=False,
            purpose__in=TESTED_PURPOSES,
        )
        # NOT EXISTS rather than prelisting__isnull (a LEFT JOIN … IS NULL that PostgreSQL 15 estimated at one
        # row and answered with nested loops over every job: the tested aggregates took 4 s instead of 1 s)
        .filter(attributed("app_version__"), ~Exists(PrelistingCheck.objects.filter(job=OuterRef("pk"))))
        .defer("report")
    )
    # the tested side is aggregated in the database (one row per key, never one per finding or job):
    # see _tested_aggregates
    tested = _tested_aggregates(jobs)
    orders = RectificationOrder.objects.filter(issued_at__gte=lo, issued_at__lt=hi).exclude(
        transitions__name="harmful_takedown"
    )
    order_rows = list(orders.values_list("id", "app_id", "company_id"))
    notice_items = NoticeItem.objects.filter(
        batch__published=True,
        batch__published_at__gte=lo,
        batch__published_at__lt=hi,
        order__isnull=False,
    )
    notice_rows = list(notice_items.values_list("order_id", "order__app_id", "batch_id"))
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
        "ordered": {a for _, a, _ in order_rows},
        "noticed": {a for _, a, _ in notice_rows},
        "taken_down": {a for _, a, _ in takedown_rows},
    }
    cases: dict[str, list[tuple[int, int]]] = {
        "ordered": [(o, a) for o, a, _ in order_rows],
        "noticed": [(o, a) for o, a, _ in notice_rows],
        "taken_down": [(o, a) for o, a, _ in takedown_rows],
    }

    def breakdown(tested_counts: dict[str, int], case_keys: dict[int, set[str]]) -> dict[str, dict[str, int]]:
        """key -> column -> number of apps (the tested column counted by the database)."""
        sets: dict[str, dict[str, set]] = defaultdict(lambda: {c: set() for c in COLUMNS[1:]})
        for column, pairs in cases.items():
            for order, app in pairs:
                for key in case_keys.get(order) or {OTHER_TYPE}:
                    sets[key][column].add(app)
        out: dict[str, dict[str, int]] = {}
        for key in set(sets) | set(tested_counts):
            out[key] = {"tested": tested_counts.get(key, 0)}
            out[key].update({c: len(sets[key][c]) if key in sets else 0 for c in COLUMNS[1:]})
        return out

    vocab = vocabulary()
    by_type_sets = breakdown(tested["by_type"], case_types)
    by_type = [
        {
            "id": tid,
            "name_zh": rec["name_zh"],
            "group_zh": problem_types.label_zh(str(rec["group"])),
            **{c: by_type_sets[tid][c] if tid in by_type_sets else 0 for c in COLUMNS},
        }
        for tid, rec in vocab.items()
    ]
    by_type.append(
        {
            "id": OTHER_TYPE,
            "name_zh": OTHER_TYPE_ZH,
            "group_zh": "",
            **{c: by_type_sets[OTHER_TYPE][c] if OTHER_TYPE in by_type_sets else 0 for c in COLUMNS},
        }
    )
    by_group_sets = breakdown(tested["by_group"], case_groups)
    by_group = [
        {
            "id": key,
            "name_zh": zh,
            **{c: by_group_sets[key][c] if key in by_group_sets else 0 for c in COLUMNS},
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
                "findings": tested["sdk_findings"].get(sid, 0),
                "tested": tested["sdk_apps"].get(sid, 0),
                **{c: len(sdk_cases[sid][c]) if sid in sdk_cases else 0 for c in COLUMNS[1:]},
            }
            for sid in set(tested["sdk_apps"]) | set(sdk_cases)
        ),
        key=lambda r: (-r["tested"], -r["findings"], r["sdk"]),
    )

    # by store
    # apps of each column listed (active or not) in each store, counted by the database from subqueries
    listed_counts = {
        "tested": _per_store(StoreListing, jobs.values("app_version__app_id")),
        "ordered": _per_store(StoreListing, orders.values("app_id")),
        "noticed": _per_store(StoreListing, notice_items.values("order__app_id")),
    }
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
        store_checks = [c for c in checks if c.store_id == store.pk]
        store_verdicts = [check_verdict[c.pk] for c in store_checks]
        share = shares[store.pk]
        by_store.append(
            {
                "store": store.name,
                "id": store.pk,
                **{c: listed_counts[c].get(store.pk, 0) for c in ("tested", "ordered", "noticed")},
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
        "tested": tested["apps"],
        "tested_versions": tested["versions"],
        "tested_jobs": tested["jobs"],
        "apps_with_confirmed": tested["apps_with_confirmed"],
        "confirmed_findings": tested["confirmed_findings"],
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


def snapshot_minutes() -> int:
    """``APPWARDEN_STATS_SNAPSHOT_MINUTES`` (default 60): how old a served snapshot may be; 0 = always compute."""
    from django.conf import settings

    try:
        return max(0, int(str(getattr(settings, "APPWARDEN_STATS_SNAPSHOT_MINUTES", 60)).strip()))
    except ValueError:
        return 60


def inline_seconds() -> float:
    """``APPWARDEN_STATS_INLINE_SECONDS`` (default 1): a snapshot the data changed since is recomputed on the read
    when computing it took at most this long; a slower one is served marked ``outdated``."""
    from django.conf import settings

    try:
        return max(0.0, float(str(getattr(settings, "APPWARDEN_STATS_INLINE_SECONDS", 1.0)).strip()))
    except ValueError:
        return 1.0


# the apps whose models the report reads (a login, a notification or a complaint does not change it), and the
# audit actions about them that store nothing: a refusal under 停止接入, and the pre-listing refusal that reading a
# verdict records (computing the report itself writes those)
MARK_APPS = ("testing", "enforcement", "prelisting", "registry", "sanctions")
MARK_SKIP_ACTIONS = ("prelisting_stop_access", "stop_access_block")


def data_mark() -> int:
    """The id of the audit log's last row about a model the report reads (0 when none). Every change of a platform
    model appends a row (``core/audit.py``), so the mark grows whenever the data behind the report may have
    changed; the database reads the primary key's index backwards to the first such row."""
    from django.db.models import Max, Q

    from appwarden.platform.core.models import AuditLog

    about = Q()
    for label in MARK_APPS:
        about |= Q(model__startswith=f"{label}.")
    rows = AuditLog.objects.filter(about).exclude(action__in=MARK_SKIP_ACTIONS)
    return rows.aggregate(m=Max("id"))["m"] or 0


def cached_stats(period: Period, *, fresh: bool = False) -> dict[str, Any]:
    """:func:`yearly_stats` of ``period`` from its snapshot when one is at most :func:`snapshot_minutes` old and
    the data has not changed since (:func:`data_mark`), else computed now and stored as the period's snapshot
    (``fresh`` always recomputes). A snapshot the data changed since is recomputed too when computing it took at
    most :func:`inline_seconds`; a slower one is served with ``outdated`` true and ``changes_since`` (audit rows
    since, at most) so that its numbers are never read as today's (e.g. the zeros a fresh server computes at its
    first tick). The result's ``generated_at`` is when the numbers were computed; ``snapshot`` says whether they
    came from a stored snapshot."""
    import time

    from appwarden.platform.web.models import YearlySnapshot

    minutes = snapshot_minutes()
    if minutes and not fresh:
        snap = YearlySnapshot.objects.filter(start=period.start, end=period.end).first()
        if snap is not None and timezone.now() - snap.computed_at < dt.timedelta(minutes=minutes):
            changes = data_mark() - (snap.data_mark or 0) if snap.data_mark is not None else None
            if changes == 0 or (changes != 0 and snap.seconds > inline_seconds()):
                return {
                    **snap.data,
                    "snapshot": True,
                    "outdated": changes != 0,
                    "changes_since": changes,
                }
    mark = data_mark() if minutes else None  # taken before computing: changes made meanwhile count as later
    started = time.perf_counter()
    data = yearly_stats(period)
    if minutes:
        from django.db import IntegrityError, transaction

        try:
            with transaction.atomic():
                YearlySnapshot.objects.update_or_create(
                    start=period.start,
                    end=period.end,
                    defaults={
                        "computed_at": timezone.now(),
                        "seconds": time.perf_counter() - started,
                        "data": data,
                        "data_mark": mark,
                    },
                )
        except IntegrityError:  # another request stored the same period at the same moment: theirs stands
            pass
    return {**data, "snapshot": False, "outdated": False, "changes_since": 0}


def refresh_snapshots(today: dt.date | None = None) -> int:
    """Recompute the current year's snapshot and every stored snapshot of a period that includes ``today`` (the
    periodic work); older periods no longer change much and are recomputed when next asked after they expire.
    Returns how many were computed."""
    from appwarden.platform.web.models import YearlySnapshot

    if not snapshot_minutes():
        return 0
    today = today or timezone.localdate()
    periods = {(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))}
    periods |= set(
        YearlySnapshot.objects.filter(start__lte=today, end__gte=today).values_list("start", "end")
    )
    for start, end in sorted(periods):
        cached_stats(Period(start.year, start, end), fresh=True)
    return len(periods)


def outdated_note(stats: dict[str, Any]) -> str:
    """The warning line of a snapshot the data changed since (``outdated``), else ``""``: the page, the XLSX and
    the PDF show it next to the generation time."""
    if not stats.get("outdated"):
        return ""
    changes = stats.get("changes_since")
    how_many = f"（至多{changes}项变更）" if isinstance(changes, int) and changes > 0 else ""
    return (
        f"快照生成后数据已有变更{how_many}，以下数字截至 {stats['generated_at']}，不含此后的变更；"
        "请立即重新计算以获得当前数字 the data changed after this snapshot was computed"
    )


# --- tables shared by the page, the XLSX and the PDF ------------------------------------------------------------


def summary_rows(stats: dict[str, Any]) -> list[list[Any]]:
    """(指标, 数量) rows of the summary table."""
    s = stats["summary"]
    return [
        ["检测应用数 Apps tested", s["tested"]],
        ["检测版本数 Versions tested", s["tested_versions"]],
        ["检测任务数 Scan jobs", s["tested_jobs"]],
        ["有确认问题的应用数 Apps with confirmed findings", s["apps_with_confirmed"]],
        ["确认问题数 Confirmed findings", s["confirmed_findings"]],
        ["责令整改应用数 Apps ordered", s["ordered"]],
        ["整改通知数 Orders issued", s["orders"]],
        ["涉及企业数 Companies ordered", s["ordered_companies"]],
        ["通报应用数 Apps noticed", s["noticed"]],
        ["通报批次数 Notice batches", s["notice_batches"]],
        ["下架应用数 Apps taken down", s["taken_down"]],
        ["其中仿冒/非该应用签名的构建 of which builds of another signer", s.get("taken_down_foreign", 0)],
        ["下架商店记录数 Listings taken down", s["takedowns"]],
        ["上架前检测数 Pre-listing checks", s["prelisting"]],
        ["停止接入措施数 Stop-access measures", s["sanctions"]["stop_access"]],
        ["行政处罚数 Penalties", s["sanctions"]["penalty"]],
        ["罚款合计(元) Fines (CNY)", s["fines"]],
        ["信用管理措施数 Credit listings", s["sanctions"]["credit"]],
    ]


APP_COLUMNS = ["检测 Tested", "责令整改 Ordered", "通报 Noticed", "下架 Taken down"]
TABLES: list[tuple[str, str, list[str], Any]] = [
    (
        "by_type",
        "按问题类型 By problem type",
        ["类型 Type", "问题类型 Problem type", "分组 Group", *APP_COLUMNS],
        lambda r: [r["id"], r["name_zh"], r["group_zh"], *(r[c] for c in COLUMNS)],
    ),
    (
        "by_group",
        "按问题分组 By problem group",
        ["分组 Group", *APP_COLUMNS],
        lambda r: [r["name_zh"], *(r[c] for c in COLUMNS)],
    ),
    (
        "by_store",
        "按应用商店 By store",
        [
            "应用商店 Store",
            *APP_COLUMNS,
            "上架前检测 Pre-listing",
            "未通过 Failed",
            "违规应用占比 Violating share",
        ],
        lambda r: [
            r["store"],
            *(r[c] for c in COLUMNS),
            r["prelisting"],
            r["prelisting_fail"],
            f"{r['violating']}/{r['listed']} ({r['violating_percent']}%)",
        ],
    ),
    (
        "by_sdk",
        "按SDK By SDK",
        ["SDK", "厂商 Vendor", "确认问题 Findings", *APP_COLUMNS],
        lambda r: [r["sdk"], r["vendor"] or "—", r["findings"], *(r[c] for c in COLUMNS)],
    ),
]


# column widths (points) of the PDF tables: 690 of A4 landscape's 698 between the margins
PDF_WIDTHS = {
    "by_type": [80, 190, 140, 70, 70, 70, 70],
    "by_group": [290, 100, 100, 100, 100],
    "by_store": [150, 60, 70, 60, 70, 80, 70, 130],
    "by_sdk": [150, 150, 70, 80, 80, 80, 80],
}


def tables(stats: dict[str, Any]) -> list[tuple[str, str, list[str], list[list[Any]]]]:
    """``(key, title, headers, rows)`` of every breakdown table."""
    return [(key, title, headers, [row(r) for r in stats[key]]) for key, title, headers, row in TABLES]


def title(stats: dict[str, Any]) -> str:
    return f"APP个人信息保护治理{stats['label']}统计报告"


def yearly_xlsx(stats: dict[str, Any]) -> bytes:
    """The report as an XLSX workbook: sheet 总览 (summary) and one sheet per breakdown; each sheet has a title row,
    a header row and the rows (numbers as numbers; text cells neutralised against formulas)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from appwarden.report.sanitize import spreadsheet_cell

    def cell(value: Any) -> Any:
        return value if isinstance(value, int) else spreadsheet_cell(str(value))

    wb = Workbook()
    ws = wb.active
    ws.title = "总览"
    ws.append([title(stats)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["指标 Measure", "数量 Count"])
    for row in summary_rows(stats):
        ws.append([cell(v) for v in row])
    ws.append(["统计期间 Period", f"{stats['start']} 至 {stats['end']}"])
    ws.append(["生成时间 Generated", stats["generated_at"]])
    if outdated_note(stats):
        ws.append(["注意 Note", cell(outdated_note(stats))])
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 24
    sheet_names = {"by_type": "问题类型", "by_group": "问题分组", "by_store": "应用商店", "by_sdk": "SDK"}
    for key, heading, headers, rows in tables(stats):
        sheet = wb.create_sheet(sheet_names[key])
        sheet.append([f"{title(stats)} · {heading}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append(headers)
        for cell_ in sheet[2]:
            cell_.font = Font(bold=True)
        for row in rows:
            sheet.append([cell(v) for v in row])
        for i, width in enumerate([28, 30, 22, 14, 14, 14, 14, 16, 12, 22][: len(headers)]):
            sheet.column_dimensions[chr(ord("A") + i)].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def yearly_pdf(stats: dict[str, Any]) -> bytes:
    """The report as a PDF (A4 landscape) with the CJK font of the report and notice PDFs
    (:func:`appwarden.report.pdf.cjk_font`): title, period, the summary table and every breakdown table."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from appwarden.report.pdf import cjk_font

    font = cjk_font().name
    title_style = ParagraphStyle("t", fontName=font, fontSize=16, leading=22, alignment=1)
    head_style = ParagraphStyle("h", fontName=font, fontSize=12, leading=16, spaceBefore=10)
    cell_style = ParagraphStyle("c", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def table(headers: list[str], rows: list[list[Any]], widths: list[float] | None = None) -> Table:
        data = [[Paragraph(_xml(h), cell_style) for h in headers]]
        data += [[Paragraph(_xml(str(v)), cell_style) for v in row] for row in rows]
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(style)
        return t

    story: list[Any] = [
        Paragraph(_xml(title(stats)), title_style),
        Spacer(1, 6),
        Paragraph(
            _xml(f"统计期间 Period: {stats['start']} 至 {stats['end']}　生成时间 {stats['generated_at']}"),
            cell_style,
        ),
        *([Paragraph(_xml(outdated_note(stats)), cell_style)] if outdated_note(stats) else []),
        Paragraph("总览 Summary", head_style),
        table(["指标 Measure", "数量 Count"], summary_rows(stats), [300, 120]),
    ]
    for key, heading, headers, rows in tables(stats):
        empty = [["无 None"] + [""] * (len(headers) - 1)]
        story += [Paragraph(_xml(heading), head_style), table(headers, rows or empty, PDF_WIDTHS[key])]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), title=title(stats), author="appwarden")
    doc.build(story)
    return buf.getvalue()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
