"""The daily early-warning list (每日预警清单, issue #21.5), beside the 不良APP lists of ``/early-warning/``.

Four sections, each computed from the database (no report is decoded except the ``sdks`` section of the jobs that
hold confirmed SDK findings):

* **new high findings** — per app scanned in the chosen jobs (a batch: ``?batch=``, by default the newest batch
  with a finished job; the digest takes the jobs finished since the previous digest), the high-severity,
  not-rejected findings of its newest finished scan whose ``rule_id@owner`` did not occur (in any severity, not
  rejected) in the app's previous finished scan; an app scanned for the first time counts all its high findings.
* **repeat offenders** — ``stats.repeat_offenders()`` (confirmed findings in several batches, or found again after
  a closed order), one row per app.
* **signer changes** — app versions first seen in the window (``?days=``, default 7; the digest: since the previous
  digest) of apps registered to a company whose signing certificate differs from the app's previous version's,
  unless the version's scan report proves a verified v3 key rotation from that certificate (an unverified
  lineage proves nothing: the change is listed).
* **SDK versions** — per (SDK id, version from the scan report's ``sdks``, copied to ``ScanJob.sdk_versions`` at
  ingest), the apps with a confirmed finding
  owned by that SDK, listed when at least ``?min_apps=`` (default ``APPWARDEN_EARLY_WARNING_MIN_APPS``, 3) apps;
  a build of another signer that merely carries an app's package name (``AppVersion.signer_relation`` foreign) is
  not counted as that app.
* **stop access** — every 停止接入 measure in force today (start date reached, end date not passed, not ended or
  revoked) with the company's apps still listed in a store it bars (违规在架) and the number of pre-listing checks
  refused under it (``sanctions.services.stop_access_overview``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import CharField, Count, F, Func
from django.utils import timezone

from appwarden.platform.registry.models import AppVersion, SdkVendor, attributed
from appwarden.platform.sanctions.services import stop_access_overview
from appwarden.platform.testing.models import F_CONFIRMED, F_REJECTED, JOB_DONE, Batch, Finding, ScanJob

CHUNK = 500


def _chunks(ids: Any) -> list[list[int]]:
    """Sorted ids in lists of ``CHUNK`` (keeps ``IN`` lists within SQLite's variable limit)."""
    ordered = sorted(set(ids))
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def _key(rule_id: str, owner: str) -> str:
    return f"{rule_id}@{owner}"


def latest_batch() -> Batch | None:
    """The newest batch that has a finished (done) job."""
    return Batch.objects.filter(jobs__status=JOB_DONE).order_by("-created_at", "-id").distinct().first()


def new_high_findings(batch: Batch | None = None, since: dt.datetime | None = None) -> dict[str, Any]:
    """Apps with new high findings (module docstring). ``batch`` wins over ``since``; neither → the newest batch.
    Returns ``{"batch": Batch | None, "since": datetime | None, "apps": [row]}``, each row
    ``{app, company, version, job, previous_job, first_scan, findings: [{rule_id, owner, title_zh, confidence,
    status}]}``, most new findings first."""
    jobs = ScanJob.objects.filter(status=JOB_DONE, app_version__isnull=False).defer("report")
    if batch is None and since is None:
        batch = latest_batch()
        if batch is None:
            return {"batch": None, "since": None, "apps": []}
    jobs = jobs.filter(batch=batch) if batch is not None else jobs.filter(finished_at__gte=since)
    newest: dict[int, ScanJob] = {}
    for job in jobs.select_related("app_version__app__company").order_by("-id"):
        newest.setdefault(job.app_version.app_id, job)
    # a fixed number of queries per 500 apps (the per-app version made two queries per app)
    high: dict[int, list[Finding]] = defaultdict(list)
    for chunk in _chunks(j.pk for j in newest.values()):
        for f in (
            Finding.objects.filter(job_id__in=chunk, severity="high")
            .exclude(status=F_REJECTED)
            .order_by("rule_id", "owner", "id")
        ):
            high[f.job_id].append(f)
    candidates = {app_id: job for app_id, job in newest.items() if high.get(job.pk)}
    previous_id: dict[int, int] = {}
    for chunk in _chunks(candidates):
        for app_id, pk in ScanJob.objects.filter(app_version__app_id__in=chunk, status=JOB_DONE).values_list(
            "app_version__app_id", "id"
        ):
            if pk < candidates[app_id].pk and pk > previous_id.get(app_id, 0):
                previous_id[app_id] = pk
    previous_jobs: dict[int, ScanJob] = {}
    before: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(previous_id.values()):
        previous_jobs.update(ScanJob.objects.defer("report").in_bulk(chunk))
        for job_id, r, o in (
            Finding.objects.filter(job_id__in=chunk)
            .exclude(status=F_REJECTED)
            .values_list("job_id", "rule_id", "owner")
        ):
            before[job_id].add(_key(r, o))
    rows = []
    for app_id, job in candidates.items():
        previous = previous_jobs.get(previous_id.get(app_id, 0))
        seen = before.get(previous.pk, set()) if previous is not None else set()
        new = [f for f in high[job.pk] if _key(f.rule_id, f.owner) not in seen]
        if not new:
            continue
        app = job.app_version.app
        rows.append(
            {
                "app": app,
                "company": app.company,
                "version": job.app_version,
                "job": job,
                "previous_job": previous,
                "first_scan": previous is None,
                "findings": [
                    {
                        "rule_id": f.rule_id,
                        "owner": f.owner,
                        "title_zh": f.title_zh,
                        "confidence": f.confidence,
                        "status": f.status,
                    }
                    for f in new
                ],
            }
        )
    rows.sort(key=lambda r: (-len(r["findings"]), r["app"].package))
    return {"batch": batch, "since": since if batch is None else None, "apps": rows}


def repeat_offender_rows(groups: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """``stats.repeat_offenders()`` (or ``groups``, its result) flattened to one row per app: app, company,
    batches, after_close, findings, reasons."""
    from appwarden.platform.web import stats

    rows = []
    for group in stats.repeat_offenders() if groups is None else groups:
        for entry in group["apps"]:
            rows.append(
                {
                    "app": entry["app"],
                    "company": group["company"],
                    "batches": len(entry["batches"]),
                    "after_close": entry["after_close"],
                    "findings": entry["findings"],
                    "reasons": group["reasons"],
                }
            )
    return rows


def signer_changes(since: dt.datetime) -> list[dict[str, Any]]:
    """Versions first seen since ``since`` of registered apps whose signer differs from the previous version's
    (a fixed number of queries per 500 apps: the versions of the apps concerned are read at once)."""
    versions = list(
        AppVersion.objects.filter(first_seen__gte=since, app__company__isnull=False)
        .exclude(signer_sha256="")
        .select_related("app__company")
        .order_by("first_seen", "id")
    )
    history: dict[int, list[AppVersion]] = defaultdict(list)
    for chunk in _chunks({v.app_id for v in versions}):
        for other in AppVersion.objects.filter(app_id__in=chunk).exclude(signer_sha256=""):
            history[other.app_id].append(other)
    changed = []
    for version in versions:
        earlier = [
            o for o in history[version.app_id] if (o.first_seen, o.id) < (version.first_seen, version.id)
        ]
        previous = max(earlier, key=lambda o: (o.first_seen, o.id)) if earlier else None
        if previous is None or previous.signer_sha256 == version.signer_sha256:
            continue
        changed.append((version, previous))
    apps = _newest_scan_apps([v for v, _ in changed])
    rows = []
    for version, previous in changed:
        if _verified_rotation(version, previous.signer_sha256, apps.get(version.pk)):
            continue
        rows.append(
            {
                "app": version.app,
                "company": version.app.company,
                "version": version,
                "previous": previous,
            }
        )
    return rows


def _newest_scan_apps(versions: list[AppVersion]) -> dict[int, Any]:
    """version id -> the ``app`` section of the report of its newest finished scan (extracted by the database)."""
    out: dict[int, Any] = {}
    for chunk in _chunks(v.pk for v in versions):
        for version_id, app in (
            ScanJob.objects.filter(app_version_id__in=chunk, status=JOB_DONE)
            .order_by("app_version_id", "-finished_at", "-id")
            .values_list("app_version_id", "report__app")
        ):
            out.setdefault(version_id, app)
    return out


def _verified_rotation(version: AppVersion, previous_signer: str, app: Any = None) -> bool:
    """Whether ``version``'s newest finished scan proves a v3 key rotation from ``previous_signer``: its report's
    ``signing_lineage`` is verified (``signing_lineage_verified``) and holds that certificate (the same test as
    ingest and re-test identity, :func:`appwarden.ingest.state.signer_relation`). An unverified lineage proves
    nothing. ``app``: that scan's report ``app`` section when the caller already read it."""
    from appwarden.ingest.state import signer_relation
    from appwarden.platform.enforcement.identity import report_lineage

    if app is None:
        app = (
            ScanJob.objects.filter(app_version=version, status=JOB_DONE)
            .order_by("-finished_at", "-id")
            .values_list("report__app", flat=True)
            .first()
        )
    lineage = report_lineage(app)
    return (
        bool(lineage)
        and signer_relation([previous_signer], [version.signer_sha256], lineage) == "signer_rotated"
    )


class JobSdkVersion(Func):
    """The version the finding's scan job recorded for the finding's owner, ``ScanJob.sdk_versions[owner]``, or
    ``""`` when the job names no such SDK: the same lookup the Python version made per finding, done by the
    database (PostgreSQL ``->>``; SQLite a lookup of the key in ``json_each``, exact for any key text)."""

    output_field = CharField()

    def __init__(self) -> None:
        super().__init__(F("job__sdk_versions"), F("owner"))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        (versions, vp), (owner, op) = (compiler.compile(e) for e in self.source_expressions)
        return f"COALESCE(({versions} ->> {owner}), '')", [*vp, *op]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        (versions, vp), (owner, op) = (compiler.compile(e) for e in self.source_expressions)
        return (
            f"COALESCE((SELECT j.value FROM json_each({versions}) j WHERE j.key = {owner} LIMIT 1), '')",
            [*vp, *op],
        )


def sdk_versions(min_apps: int | None = None) -> list[dict[str, Any]]:
    """SDK (id, version) pairs with confirmed findings in at least ``min_apps`` apps, most apps first. Each row:
    ``{sdk, version, vendor, apps: [(package, name)], findings, rules: [(rule_id, n)]}``.

    Counted by the database (:class:`JobSdkVersion` gives each finding its SDK's version in its job): the findings
    of the SDKs that have a version in enough apps (a grouped subquery) are counted per (version, app, rule), so the
    Python work is one row per (SDK version, app, rule) of those SDKs, not one per finding; a fixed number of
    queries. Same numbers as the row-by-row version
    it replaced (``tests/platform/stats_oracle.py``)."""
    if min_apps is None:
        min_apps = int(getattr(settings, "APPWARDEN_EARLY_WARNING_MIN_APPS", 3))
    confirmed = (
        Finding.objects.filter(attributed("app_version__"), status=F_CONFIRMED, app_version__isnull=False)
        .exclude(owner="host")
        .annotate(sdk_version=JobSdkVersion())
        .order_by()
    )
    # the SDKs with a version in enough apps (a subquery: the query count does not depend on whether there are any)
    qualifying = (
        confirmed.values("owner", "sdk_version")
        .annotate(n_apps=Count("app_version__app_id", distinct=True))
        .filter(n_apps__gte=min_apps)
        .values("owner")
    )
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for owner, version, package, name, rule_id, n in (
        confirmed.filter(owner__in=qualifying)
        .values("owner", "sdk_version", "app_version__app__package", "app_version__app__name", "rule_id")
        .annotate(n=Count("id"))
        .values_list(
            "owner", "sdk_version", "app_version__app__package", "app_version__app__name", "rule_id", "n"
        )
    ):
        entry = groups.setdefault(
            (owner, version),
            {"sdk": owner, "version": version, "apps": {}, "findings": 0, "rules": defaultdict(int)},
        )
        entry["apps"][package] = name or package
        entry["findings"] += n
        entry["rules"][rule_id] += n
    vendors = {}
    for vendor in SdkVendor.objects.all():
        for sid in vendor.sdk_ids or []:
            vendors.setdefault(sid, vendor)
    rows = []
    for entry in groups.values():
        if len(entry["apps"]) < min_apps:  # another version of a qualifying SDK
            continue
        entry["apps"] = sorted(entry["apps"].items())
        entry["rules"] = sorted(entry["rules"].items(), key=lambda kv: (-kv[1], kv[0]))
        entry["vendor"] = vendors.get(entry["sdk"])
        rows.append(entry)
    rows.sort(key=lambda e: (-len(e["apps"]), e["sdk"], e["version"]))
    return rows


def cached(key: str, compute: Any, *, fresh: bool = False) -> tuple[Any, dt.datetime | None]:
    """``(value, computed_at)``: ``compute()`` kept in Django's cache for ``APPWARDEN_STATS_SNAPSHOT_MINUTES``
    (per process with the default local-memory cache; shared with ``APPWARDEN_CACHE_URL``); ``computed_at`` is
    ``None`` when computed now. 0 minutes or ``fresh`` computes every time. Used for the two sections that read
    every confirmed finding (repeat offenders, SDK versions): at 50,000 scan jobs they were most of the list's
    seconds (``bench/results/*-platform-volume-*``)."""
    from django.core.cache import cache

    from appwarden.platform.web.yearly import snapshot_minutes

    minutes = snapshot_minutes()
    key = f"appwarden:early-warning:{key}"
    if minutes and not fresh:
        hit = cache.get(key)
        if hit is not None:
            return hit
    value = compute()
    if minutes:
        cache.set(key, (value, timezone.now()), timeout=minutes * 60)
    return value, None


# --- the cached sections' form: small stand-ins instead of model instances ----------------------------------------
# The two cached sections are unpickled on every read of the page, the API and /repeat-offenders/. Holding Django
# model instances (apps, companies, batches, orders: ~21,500 at 50,000 scan jobs) made that ~45 % of the page's CPU
# (model_unpickle); these named tuples carry only the fields the pages, the JSON and the digest read (``pk``/``id``,
# ``str()`` as the model's) and unpickle as tuples (bench/results/*-platform-volume-g-*).


class CachedCompany(NamedTuple):
    """A company of the cached sections (the fields the pages, the JSON and the digest read)."""

    pk: int
    name: str
    credit_code: str

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self) -> str:
        return self.name


class CachedApp(NamedTuple):
    pk: int
    package: str
    name: str
    company_id: int | None

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self) -> str:  # as App.__str__
        return f"{self.name or self.package} ({self.package})"


class CachedBatch(NamedTuple):
    pk: int
    name: str
    created_at: dt.datetime

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self) -> str:
        return self.name


class CachedOrder(NamedTuple):
    pk: int
    number: str
    state: str
    state_label: str

    @property
    def id(self) -> int:
        return self.pk

    def get_state_display(self) -> str:
        return self.state_label

    def __str__(self) -> str:
        return self.number


class CachedVendor(NamedTuple):
    pk: int
    name: str

    @property
    def id(self) -> int:
        return self.pk

    def __str__(self) -> str:
        return self.name


def _light_groups(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``stats.repeat_offenders()`` groups with the stand-ins in place of the model instances (same structure)."""
    batches: dict[int, CachedBatch] = {}

    def batch(b: Any) -> CachedBatch:
        if b.pk not in batches:
            batches[b.pk] = CachedBatch(pk=b.pk, name=b.name, created_at=b.created_at)
        return batches[b.pk]

    out = []
    for group in groups:
        c = group["company"]
        company = CachedCompany(pk=c.pk, name=c.name, credit_code=c.credit_code) if c is not None else None
        apps = [
            {
                **entry,
                "app": CachedApp(pk=a.pk, package=a.package, name=a.name, company_id=a.company_id),
                "batches": [batch(b) for b in entry["batches"]],
                "orders": [
                    CachedOrder(pk=o.pk, number=o.number, state=o.state, state_label=o.get_state_display())
                    for o in entry["orders"]
                ],
            }
            for entry in group["apps"]
            for a in [entry["app"]]
        ]
        out.append({**group, "company": company, "apps": apps})
    return out


def _repeat_offenders() -> list[dict[str, Any]]:
    from appwarden.platform.web import stats

    return _light_groups(stats.repeat_offenders())


def _sdk_versions(min_apps: int | None) -> list[dict[str, Any]]:
    rows = sdk_versions(min_apps)
    for row in rows:
        v = row["vendor"]
        row["vendor"] = CachedVendor(pk=v.pk, name=v.name) if v is not None else None
        row["rules"] = [tuple(kv) for kv in row["rules"]]
    return rows


def daily_list(
    *,
    batch: Batch | None = None,
    since: dt.datetime | None = None,
    days: int = 7,
    min_apps: int | None = None,
    digest: bool = False,
    fresh: bool = False,
) -> dict[str, Any]:
    """All five sections. The page passes ``batch``/``days``/``min_apps``; the digest passes ``since`` and
    ``digest=True`` (then new high findings are those of the jobs finished since ``since``)."""
    window_start = since or (timezone.now() - dt.timedelta(days=max(1, days)))
    fresh = fresh or digest  # the digest always reads the database
    groups, repeat_at = cached("repeat-offenders", _repeat_offenders, fresh=fresh)
    repeat = repeat_offender_rows(groups)
    sdks, sdks_at = cached(f"sdk:{min_apps}", lambda: _sdk_versions(min_apps), fresh=fresh)
    snapshot_at = min((t for t in (repeat_at, sdks_at) if t is not None), default=None)
    return {
        "new_high": new_high_findings(batch=batch, since=since if digest and batch is None else None),
        "repeat_offenders": repeat,
        "signer_changes": signer_changes(window_start),
        "signer_since": window_start,
        "sdk_versions": sdks,
        "snapshot_at": snapshot_at,
        "stop_access": stop_access_overview(),
        "min_apps": min_apps
        if min_apps is not None
        else int(getattr(settings, "APPWARDEN_EARLY_WARNING_MIN_APPS", 3)),
    }


def _app_json(app: Any) -> dict[str, Any]:
    return {"id": app.pk, "package": app.package, "name": app.name}


def _company_json(company: Any) -> dict[str, Any] | None:
    return {"id": company.pk, "name": company.name} if company is not None else None


def as_json(data: dict[str, Any]) -> dict[str, Any]:
    """The daily list as JSON-safe data (API and webhook payloads)."""
    new_high = data["new_high"]
    return {
        "snapshot_at": data["snapshot_at"].isoformat() if data.get("snapshot_at") else None,
        "new_high_findings": {
            "batch": {"id": new_high["batch"].pk, "name": new_high["batch"].name}
            if new_high["batch"]
            else None,
            "since": new_high["since"].isoformat() if new_high.get("since") else None,
            "apps": [
                {
                    "app": _app_json(r["app"]),
                    "company": _company_json(r["company"]),
                    "version": r["version"].version_name,
                    "job": r["job"].pk,
                    "previous_job": r["previous_job"].pk if r["previous_job"] else None,
                    "first_scan": r["first_scan"],
                    "findings": r["findings"],
                }
                for r in new_high["apps"]
            ],
        },
        "repeat_offenders": [
            {
                "app": _app_json(r["app"]),
                "company": _company_json(r["company"]),
                "batches": r["batches"],
                "after_close": r["after_close"],
                "findings": r["findings"],
                "reasons": r["reasons"],
            }
            for r in data["repeat_offenders"]
        ],
        "signer_changes": {
            "since": data["signer_since"].isoformat(),
            "versions": [
                {
                    "app": _app_json(r["app"]),
                    "company": _company_json(r["company"]),
                    "version": {
                        "id": r["version"].pk,
                        "version_name": r["version"].version_name,
                        "signer_sha256": r["version"].signer_sha256,
                        "signer_subject": r["version"].signer_subject,
                        "signer_relation": r["version"].signer_relation,
                    },
                    "previous": {
                        "id": r["previous"].pk,
                        "version_name": r["previous"].version_name,
                        "signer_sha256": r["previous"].signer_sha256,
                        "signer_subject": r["previous"].signer_subject,
                    },
                }
                for r in data["signer_changes"]
            ],
        },
        "sdk_versions": {
            "min_apps": data["min_apps"],
            "sdks": [
                {
                    "sdk": r["sdk"],
                    "version": r["version"],
                    "vendor": {"id": r["vendor"].pk, "name": r["vendor"].name} if r["vendor"] else None,
                    "apps": [{"package": p, "name": n} for p, n in r["apps"]],
                    "findings": r["findings"],
                    "rules": [{"rule_id": k, "count": n} for k, n in r["rules"]],
                }
                for r in data["sdk_versions"]
            ],
        },
        "stop_access": [
            {
                "measure": r["measure"].pk,
                "company": _company_json(r["company"]),
                "start_date": str(r["measure"].start_date),
                "end_date": str(r["measure"].end_date) if r["measure"].end_date else None,
                "authority": r["measure"].authority,
                "stores": [{"id": st.pk, "name": st.name} for st in r["stores"]],
                "all_stores": not r["stores"],
                "listed": [
                    {"app": _app_json(x.app), "store": {"id": x.store_id, "name": x.store.name}}
                    for x in r["listed"]
                ],
                "refused_prelisting_checks": r["refused_checks"],
            }
            for r in data["stop_access"]
        ],
    }


def counts(data: dict[str, Any]) -> dict[str, int]:
    return {
        "new_high_apps": len(data["new_high"]["apps"]),
        "repeat_offenders": len(data["repeat_offenders"]),
        "signer_changes": len(data["signer_changes"]),
        "sdk_versions": len(data["sdk_versions"]),
        "stop_access": len(data["stop_access"]),
        "stop_access_listed": sum(len(r["listed"]) for r in data["stop_access"]),
    }


def as_text(data: dict[str, Any], limit: int = 50) -> str:
    """The daily list as plain text (the digest email), Chinese first; at most ``limit`` rows per section."""
    lines: list[str] = []
    new_high = data["new_high"]
    scope = (
        f"批次 {new_high['batch'].name}"
        if new_high["batch"]
        else f"{timezone.localtime(new_high['since']):%Y-%m-%d %H:%M} 以来完成的检测"
        if new_high.get("since")
        else "—"
    )
    lines.append(f"一、新增高风险问题的应用 Apps with new high findings（{scope}）: {len(new_high['apps'])}")
    for r in new_high["apps"][:limit]:
        rules = ", ".join(f"{f['rule_id']}@{f['owner']}" for f in r["findings"])
        first = "（首次检测 first scan）" if r["first_scan"] else ""
        lines.append(f"  - {r['app'].name or r['app'].package} ({r['app'].package}) {first}: {rules}")
    lines.append(f"\n二、屡查屡犯 Repeat offenders: {len(data['repeat_offenders'])}")
    for r in data["repeat_offenders"][:limit]:
        company = r["company"].name if r["company"] else "未登记企业"
        lines.append(
            f"  - {r['app'].package}（{company}）批次 {r['batches']}，确认问题 {r['findings']}；{'；'.join(r['reasons'])}"
        )
    lines.append(
        f"\n三、已登记应用签名变更 Signer changes of registered apps（{timezone.localtime(data['signer_since']):%Y-%m-%d %H:%M} 以来）: "
        f"{len(data['signer_changes'])}"
    )
    for r in data["signer_changes"][:limit]:
        lines.append(
            f"  - {r['app'].package}（{r['company'].name}）{r['previous'].version_name} {r['previous'].signer_sha256[:16]}… → "
            f"{r['version'].version_name} {r['version'].signer_sha256[:16]}…"
        )
    lines.append(
        f"\n四、多个应用中确认违规的SDK版本 SDK versions with confirmed findings in ≥{data['min_apps']} apps: {len(data['sdk_versions'])}"
    )
    for r in data["sdk_versions"][:limit]:
        vendor = r["vendor"].name if r["vendor"] else "未关联厂商"
        lines.append(
            f"  - {r['sdk']} {r['version'] or '版本未知'}（{vendor}）: {len(r['apps'])} 个应用, {r['findings']} 项问题"
        )
    stop = data["stop_access"]
    lines.append(
        f"\n五、停止接入措施 Stop-access measures in force: {len(stop)}，"
        f"其中仍在架应用 {sum(len(r['listed']) for r in stop)} 个 still listed"
    )
    for r in stop[:limit]:
        m = r["measure"]
        stores = "、".join(st.name for st in r["stores"]) or "全部应用商店"
        end = f"至{m.end_date:%Y-%m-%d}" if m.end_date else "起，未定结束日期"
        listed = "；".join(f"{x.app.package}@{x.store.name}" for x in r["listed"][:limit]) or "无"
        lines.append(
            f"  - {r['company'].name}（措施 #{m.pk}，{m.start_date:%Y-%m-%d}{end}，{stores}）"
            f"仍在架：{listed}；上架前检测拒绝 {r['refused_checks']} 次"
        )
    return "\n".join(lines) + "\n"


def page_params(query: Any) -> tuple[dict[str, Any], list[str]]:
    """``batch``, ``days``, ``min_apps`` from a query dict; impossible values are dropped with a warning."""
    params: dict[str, Any] = {}
    warnings: list[str] = []
    raw = (query.get("batch") or "").strip()
    if raw:
        batch = Batch.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) <= 18 else None
        if batch is None:
            warnings.append(f"批次 {raw[:20]} 不存在，已忽略 unknown batch ignored")
        else:
            params["batch"] = batch
    for name, low, high in (("days", 1, 365), ("min_apps", 1, 100000)):
        raw = (query.get(name) or "").strip()
        if not raw:
            continue
        if raw.isdigit() and len(raw) <= 9 and low <= int(raw) <= high:
            params[name] = int(raw)
        else:
            warnings.append(f"参数 {name}={raw[:20]} 无效，已忽略 invalid value ignored")
    return params, warnings


# --- API: GET /api/early-warning/ -----------------------------------------------------------------------------------
from drf_spectacular.types import OpenApiTypes  # noqa: E402
from drf_spectacular.utils import OpenApiParameter, extend_schema  # noqa: E402
from rest_framework.exceptions import NotFound, ValidationError  # noqa: E402
from rest_framework.pagination import LimitOffsetPagination  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.utils.urls import remove_query_param, replace_query_param  # noqa: E402
from rest_framework.views import APIView  # noqa: E402

from appwarden.platform.testing.screening_review import review_json  # noqa: E402

# the API's long lists, each paginated by ``?section=<name>&limit=&offset=`` (DRF LimitOffsetPagination):
# name -> (path to the list in the full JSON, the key holding it in the raw data)
SECTIONS: dict[str, tuple[str, ...]] = {
    "harmful": ("harmful",),
    "suspicious": ("suspicious",),
    "false_alarms": ("false_alarms",),  # harmful/suspicious verdicts whose latest screening review says 误报
    "new_high_findings": ("new_high_findings", "apps"),
    "repeat_offenders": ("repeat_offenders",),
    "signer_changes": ("signer_changes", "versions"),
    "sdk_versions": ("sdk_versions", "sdks"),
    "stop_access": ("stop_access",),
}
# the 不良APP lists (views._early_warning_context)
SCREENING_SECTIONS = ("harmful", "suspicious", "false_alarms")
_RAW = {
    "new_high_findings": lambda d: d["new_high"]["apps"],
    "repeat_offenders": lambda d: d["repeat_offenders"],
    "signer_changes": lambda d: d["signer_changes"],
    "sdk_versions": lambda d: d["sdk_versions"],
    "stop_access": lambda d: d["stop_access"],
}
SDK_APPS_FIRST = (
    10  # apps listed in each SDK-version row (``apps_count`` says how many; ?section=sdk_apps: all)
)


class EarlyWarningPagination(LimitOffsetPagination):
    """The platform's list pagination (``limit``/``offset``, ``count``/``next``/``previous``/``results``)."""

    default_limit = 50
    max_limit = 500


def _sliced(data: dict[str, Any], keep: str | None, start: int, stop: int) -> dict[str, Any]:
    """``data`` with each long list cut to ``[start:stop]`` (``keep``: only that section's list; the others
    emptied)."""
    out = dict(data)
    out["new_high"] = dict(data["new_high"])
    for name, get in _RAW.items():
        rows = get(data)[start:stop] if keep in (None, name) else []
        if name == "new_high_findings":
            out["new_high"]["apps"] = rows
        else:
            out[name] = rows
    if keep in (None, "sdk_versions"):  # an SDK version's first apps; apps_count how many (rows are shared)
        out["sdk_versions"] = [
            {**r, "apps": r["apps"][:SDK_APPS_FIRST], "apps_count": len(r["apps"])}
            for r in out["sdk_versions"]
        ]
    return out


def _get(doc: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _set(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


class EarlyWarningView(APIView):
    """The early-warning list (staff; companies, stores and SDK vendors get 404 as on the page): 不良APP
    ``harmful``/``suspicious`` (each row with its latest 筛查结论复核 ``review`` and, for the caller,
    ``takedown_allowed``/``takedown_block``), ``false_alarms`` (verdicts whose latest review is 误报) and the daily
    sections (``?batch=``, ``?days=``, ``?min_apps=``; an impossible value is 400).

    Long lists are paginated: without ``section`` the response keeps its shape with the first page of each list
    (``limit``, default 50) and ``pagination.sections.<name>`` = ``{count, next}``; ``?section=<name>`` (one of
    :data:`SECTIONS`) is that list, paginated as every list API (``count``, ``next``, ``previous``, ``results``;
    ``limit``/``offset``). An SDK-version row lists its first :data:`SDK_APPS_FIRST` apps and ``apps_count``;
    ``?section=sdk_apps&sdk=<id>&version=<v>`` pages through all of them."""

    pagination_class = EarlyWarningPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "batch", int, description="batch id (default: the newest batch with a finished job)"
            ),
            OpenApiParameter("days", int, description="signer changes in the last N days (default 7)"),
            OpenApiParameter(
                "min_apps", int, description="SDK versions with confirmed findings in at least N apps"
            ),
            OpenApiParameter(
                "section",
                str,
                description="one list, paginated: " + ", ".join([*SECTIONS, "sdk_apps"]),
            ),
            OpenApiParameter("sdk", str, description="with section=sdk_apps: the SDK id"),
            OpenApiParameter("version", str, description="with section=sdk_apps: the SDK version"),
            OpenApiParameter("limit", int, description="rows per list (default 50, at most 500)"),
            OpenApiParameter("offset", int, description="with section: the first row"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):  # type: ignore[no-untyped-def]
        from appwarden.platform.core.roles import is_staff_role
        from appwarden.platform.web.views import _early_warning_context

        if not is_staff_role(request.user):
            raise NotFound("not found")
        params, warnings = page_params(request.query_params)
        section = (request.query_params.get("section") or "").strip()
        if section and section not in SECTIONS and section != "sdk_apps":
            warnings.append(
                f"参数 section={section[:30]} 无效（可选 {'、'.join([*SECTIONS, 'sdk_apps'])}） unknown section"
            )
        if warnings:
            raise ValidationError({"detail": "; ".join(warnings)})
        paginator = self.pagination_class()
        data = daily_list(**params, fresh=request.query_params.get("fresh") == "1")
        snapshot = data["snapshot_at"].isoformat() if data.get("snapshot_at") else None
        if section == "sdk_apps":
            return self._sdk_apps(request, paginator, data, snapshot)
        screening = (
            _early_warning_context(request.user)
            if section in ("", *SCREENING_SECTIONS)
            else {name: [] for name in SCREENING_SECTIONS}
        )

        def rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [
                {
                    "app": _app_json(r["app"]),
                    # a build of another signer (or none) is not the registered company's
                    "company": None if r["not_the_apps"] else _company_json(r["app"].company),
                    "version": {"id": r["version"].pk, "version_name": r["version"].version_name},
                    "job": r["job"].pk,
                    "score": r["score"],
                    "categories": [key for _, key in r["categories"]],
                    "takedown_case": r["takedown_case"],
                    "foreign_signer": r["foreign_signer"],
                    "takedown_stores": [{"id": st.pk, "name": st.name} for st in r["takedown_stores"]],
                    "verdict": r["job"].screening_verdict,
                    "review": review_json(r["review"]),
                    "takedown_allowed": r["takedown_allowed"],
                    "takedown_block": r["takedown_block"],
                }
                for r in items
            ]

        def doc(raw: dict[str, Any], lists: dict[str, list[Any]]) -> dict[str, Any]:
            out = {name: rows(lists.get(name, [])) for name in SCREENING_SECTIONS}
            out.update(as_json(raw))
            for r_raw, r_out in zip(raw["sdk_versions"], out["sdk_versions"]["sdks"], strict=True):
                r_out["apps_count"] = r_raw["apps_count"]
                r_out["apps_next"] = (
                    self._sdk_apps_url(request, r_raw, SDK_APPS_FIRST)
                    if r_raw["apps_count"] > SDK_APPS_FIRST
                    else None
                )
            return out

        counts_of = {
            **{name: len(screening[name]) for name in SCREENING_SECTIONS},
            **{name: len(get(data)) for name, get in _RAW.items()},
        }
        if section:
            full = screening[section] if section in SCREENING_SECTIONS else _RAW[section](data)
            page = paginator.paginate_queryset(full, request, view=self)
            offset = paginator.offset
            raw = _sliced(data, section, offset, offset + len(page))
            built = doc(raw, {section: page} if section in SCREENING_SECTIONS else {})
            response = paginator.get_paginated_response(_get(built, SECTIONS[section]))
            response.data["section"] = section
            response.data["snapshot_at"] = snapshot
            return response
        limit = paginator.get_limit(request) or paginator.default_limit
        built = doc(
            _sliced(data, None, 0, limit), {name: screening[name][:limit] for name in SCREENING_SECTIONS}
        )
        built["pagination"] = {
            "limit": limit,
            "sections": {
                name: {
                    "count": counts_of[name],
                    "next": self._section_url(request, name, limit, limit)
                    if counts_of[name] > limit
                    else None,
                }
                for name in SECTIONS
            },
        }
        return Response(built)

    @staticmethod
    def _section_url(request: Any, section: str, offset: int, limit: int) -> str:
        url = request.build_absolute_uri()
        for key, value in (("section", section), ("offset", offset), ("limit", limit)):
            url = replace_query_param(url, key, value)
        return url

    @classmethod
    def _sdk_apps_url(cls, request: Any, row: dict[str, Any], offset: int) -> str:
        url = remove_query_param(request.build_absolute_uri(), "offset")
        for key, value in (("section", "sdk_apps"), ("sdk", row["sdk"]), ("version", row["version"])):
            url = replace_query_param(url, key, value)
        return replace_query_param(url, "offset", offset)

    def _sdk_apps(self, request: Any, paginator: Any, data: dict[str, Any], snapshot: str | None) -> Response:
        sdk = (request.query_params.get("sdk") or "").strip()
        version = (request.query_params.get("version") or "").strip()
        row = next(
            (r for r in data["sdk_versions"] if r["sdk"] == sdk and str(r["version"]) == version), None
        )
        if row is None:
            raise NotFound(
                f"未找到该SDK版本 {sdk[:60]} {version[:30]}（需 sdk 与 version 参数） no such SDK version"
            )
        page = paginator.paginate_queryset(row["apps"], request, view=self)
        response = paginator.get_paginated_response([{"package": p, "name": n} for p, n in page])
        response.data.update(
            {"section": "sdk_apps", "sdk": sdk, "version": row["version"], "snapshot_at": snapshot}
        )
        return response
