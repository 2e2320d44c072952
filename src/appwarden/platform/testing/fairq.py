"""Fair scan queue: which queued job runs next, across the parties that queued work, and a bound per party.

**Parties.** Every :class:`~appwarden.platform.testing.models.ScanJob` carries ``party``, fixed when it is queued
(:func:`party_for`; migration ``testing 0007`` filled it for earlier jobs):

- ``deadline`` — re-tests (purpose ``retest``: a 责令整改 order's re-test, an SDK order's demo APK) and complaint
  scans (purpose ``complaint``). Each is one job per case, created only by a reviewer's or regulator's action on a
  case whose clock is running (the order's deadline, the complaint's handling time limit), so the lane is bounded by
  the number of open cases and no store, company or vendor can put anything in it. It is served **first**, oldest
  first: a legal deadline never waits behind anybody's volume.
- ``staff`` — everything else reviewers and regulators queue: uploads, batches (检测批次).
- ``store:<id>`` — a store's pre-listing checks (上架前检测).
- ``company:<id>`` — what a company user queues: its self-assessments (自评估, ``SelfAssessment`` rows, which share
  the workers) and any scan job a company account queues.
- ``vendor:<id>`` — what an SDK vendor user queues.

**The rule** (:func:`pick`). The next item is the oldest queued ``deadline`` job if there is one. Otherwise, among
the parties with a runnable item (a queued job; for self-assessments also one left running by a dead worker past
the stale limit), take the party that minimises

    (has a job running now, waiting since, its oldest runnable item's time, kind, id)

where *waiting since* = the later of its oldest runnable item's ``created_at`` and the last time one of its items
was started (``started_at``): the moment its current wait without service began. Run that party's oldest runnable
item (lowest id: the order within one party stays first-in first-out). In effect parties take turns (round robin,
least recently served first): a store that queued 20 checks gets its first one, then every other waiting party gets
one before its second, however many it queued. With several workers, a party that already has a job running comes
after every party that has none.

**Contract.** :func:`claim_next` claims atomically: the chosen row is updated ``WHERE status='queued'`` (and attempts
left); a claimer that loses the race (another worker took the row, on SQLite or PostgreSQL) or meets a job out of
attempts (quarantined, as :func:`~appwarden.platform.testing.services.claim` does) picks again, until it claims one
or nothing is runnable, so every queued item is claimed exactly once. Cost: one grouped scan of the queued rows
(index ``status, party, id``) plus two index look-ups per waiting party (``party, started_at``; ``status, party,
id``) per claim.

**Workers.** The embedded worker (:class:`~appwarden.platform.testing.worker.DbQueueWorker`) calls
:func:`run_next`. With Celery, each queued scan job or self-assessment sends one task (``appwarden.scan_job``,
``appwarden.selfcheck_job``) that is a *token*: it claims the fairest runnable item of either kind (:func:`run_token`),
not the one whose queueing sent it; one token per item, so every item runs once. The claimed row records the token
(the task id, ``claim_token``), so a token redelivered after its worker died (late acknowledgement) finds the item it
had claimed and re-runs it with the usual attempt count and quarantine; a token whose item already ended, or that
finds nothing runnable, ends. ``eager`` and ``none`` modes run a given job (tests).

**Bound** (:func:`check_bound`). A party other than ``staff`` and ``deadline`` may have at most
``APPWARDEN_MAX_QUEUED_PER_PARTY`` (500) scan jobs queued; the next submission is refused before anything is stored
(:class:`QueueFull`, HTTP 429 with Retry-After, a Chinese line), with a warning log line each time and one audit row
``queue_full`` per party every ``AUDIT_EVERY`` seconds (a flooding client cannot flood the audit log). The count is
taken again inside the queueing transaction, after the row is inserted and under a lock per party
(:func:`lock_party`, :func:`recheck_bound`), so simultaneous submissions cannot pass the bound together; such a
race's loser is refused the same way, only its APK bytes stay in the content-addressed storage (as a refused
duplicate's do). Staff are not
bounded: their batches are campaigns of thousands of apps, queued by accountable officers, and they cannot slow any
other party down beyond one turn in the round. Self-assessments keep their own bound
(``APPWARDEN_SELFCHECK_MAX_PENDING``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from appwarden.platform.core.errors import PlatformError

log = logging.getLogger(__name__)

DEADLINE, STAFF_PARTY = "deadline", "staff"
DEADLINE_PURPOSES = ("retest", "complaint")
SCAN, SELF = "scan", "self"  # item kinds: a ScanJob, a SelfAssessment
AUDIT_EVERY = 600  # seconds between two queue_full audit rows of one party
_CLAIM_TRIES = 10_000  # each failed try means another claimer made progress; a guard against a bug only


class QueueFull(PlatformError):
    """The party already has ``APPWARDEN_MAX_QUEUED_PER_PARTY`` scan jobs queued (HTTP 429, nothing stored)."""

    code = "throttled"
    http_status = 429
    retry_after = 60


def party_for(user: Any, purpose: str = "scan") -> str:
    """The party a job queued by ``user`` for ``purpose`` belongs to (see the module docstring)."""
    from appwarden.platform.core.models import ROLE_COMPANY, ROLE_SDK_VENDOR, ROLE_STORE
    from appwarden.platform.core.roles import role_of

    if purpose in DEADLINE_PURPOSES:
        return DEADLINE
    role = role_of(user)
    profile = getattr(user, "profile", None)
    if role == ROLE_STORE and getattr(profile, "store_id", None):
        return f"store:{profile.store_id}"
    if role == ROLE_COMPANY and getattr(profile, "company_id", None):
        return f"company:{profile.company_id}"
    if role == ROLE_SDK_VENDOR and getattr(profile, "sdk_vendor_id", None):
        return f"vendor:{profile.sdk_vendor_id}"
    return STAFF_PARTY


def bounded(party: str) -> bool:
    return party not in (STAFF_PARTY, DEADLINE)


def _limit() -> int:
    return int(getattr(settings, "APPWARDEN_MAX_QUEUED_PER_PARTY", 500))


def _party_object(party: str) -> Any:
    """The registry row a party key names (for the audit row), or ``None``."""
    from appwarden.platform.registry.models import Company, SdkVendor, Store

    kind, _, pk = party.partition(":")
    model = {"store": Store, "company": Company, "vendor": SdkVendor}.get(kind)
    return model.objects.filter(pk=pk).first() if model is not None and pk.isdigit() else None


_LABEL = {"store": "本应用商店", "company": "本企业", "vendor": "本SDK厂商"}


def check_bound(party: str, user: Any = None) -> None:
    """Raise :class:`QueueFull` when ``party`` (bounded) already has the maximum of queued scan jobs; called before
    the upload is stored (warning log line; audit row at most every ``AUDIT_EVERY`` seconds per party)."""
    from appwarden.platform.testing.models import JOB_QUEUED, ScanJob

    if not bounded(party):
        return
    queued = ScanJob.objects.filter(status=JOB_QUEUED, party=party).count()
    if queued >= _limit():
        _refuse(party, queued, user, audited=True)


def lock_party(party: str) -> None:
    """Inside the queueing transaction, before the job row is inserted: on PostgreSQL a transaction-scoped advisory
    lock on the party, so that two submissions of one party queue one after the other (:func:`recheck_bound`).
    On SQLite the insert itself takes the database's write lock, which serialises them."""
    if bounded(party) and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"appwarden-queue:{party}"])


def recheck_bound(party: str, job_pk: int, user: Any = None) -> None:
    """Inside the queueing transaction, after the job row is inserted (under :func:`lock_party`): raise
    :class:`QueueFull` (the transaction rolls back, nothing queued) when the other queued jobs of the party already
    fill the bound: the submission lost a race with another one of the same party. Logged, not audited (the
    audit row would roll back with the job)."""
    from appwarden.platform.testing.models import JOB_QUEUED, ScanJob

    if not bounded(party):
        return
    queued = ScanJob.objects.filter(status=JOB_QUEUED, party=party).exclude(pk=job_pk).count()
    if queued >= _limit():
        _refuse(party, queued, user, audited=False)


def _refuse(party: str, queued: int, user: Any, *, audited: bool) -> None:
    limit = _limit()
    log.warning(
        "queue bound: %s refused (%d queued, limit %d, user %s)",
        party,
        queued,
        limit,
        getattr(user, "username", "") or "-",
    )
    if audited:
        _audit_refusal(party, queued, limit, user)
    who = _LABEL.get(party.partition(":")[0], "")
    raise QueueFull(
        f"排队检测过多：{who}已有 {queued} 项检测在排队（上限 {limit} 项），请待部分完成后再提交，未保存任何内容 "
        f"too many scans queued for this party ({queued} queued, at most {limit}); nothing was stored"
    )


def _audit_refusal(party: str, queued: int, limit: int, user: Any) -> None:
    from appwarden.platform.core import audit
    from appwarden.platform.core.models import AuditLog

    obj = _party_object(party)
    if obj is None:
        return
    since = timezone.now() - dt.timedelta(seconds=AUDIT_EVERY)
    if AuditLog.objects.filter(
        action="queue_full", model=obj._meta.label_lower, object_id=str(obj.pk), at__gte=since
    ).exists():
        return
    audit.record(
        "queue_full",
        obj,
        actor=user,
        reason="排队检测达到上限 queue bound reached",
        data={"party": party, "queued": queued, "limit": limit},
    )


# --- choosing ------------------------------------------------------------------------------------------------------


@dataclass
class Head:
    """A party's first runnable item and what the rule needs to know about the party."""

    party: str
    kind: str
    pk: int
    oldest: dt.datetime
    last: dt.datetime | None = None
    busy: bool = False

    def key(self) -> tuple:
        waiting = max(self.oldest, self.last) if self.last is not None else self.oldest
        return (self.busy, waiting, self.oldest, self.kind != SCAN, self.pk)


# one statement: the queued rows grouped by party (index status, party, id), then per party (not per row) when it was
# last served (index party, started_at) and whether it has a job running (index status, party, id)
_SCAN_HEADS_SQL = """
SELECT q.party, q.first_id, q.oldest,
  (SELECT s.started_at FROM testing_scanjob s WHERE s.party = q.party AND s.started_at IS NOT NULL
   ORDER BY s.started_at DESC LIMIT 1),
  EXISTS (SELECT 1 FROM testing_scanjob r WHERE r.status = %s AND r.party = q.party)
FROM (SELECT party, MIN(id) AS first_id, MIN(created_at) AS oldest FROM testing_scanjob
      WHERE status = %s AND party <> %s GROUP BY party) q
"""


def _when(value: Any) -> dt.datetime | None:
    """An aware datetime from a raw query (SQLite gives the stored UTC value naive, as a datetime or as text)."""
    if value is None:
        return None
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _scan_heads() -> dict[str, Head]:
    from appwarden.platform.testing.models import JOB_QUEUED, JOB_RUNNING

    with connection.cursor() as cur:
        cur.execute(_SCAN_HEADS_SQL, [JOB_RUNNING, JOB_QUEUED, DEADLINE])
        rows = cur.fetchall()
    return {
        party: Head(party, SCAN, int(first), _when(oldest), _when(last), bool(busy))
        for party, first, oldest, last, busy in rows
    }


def _self_heads() -> list[Head]:
    from appwarden.platform.selfcheck.models import RUNNING, SelfAssessment
    from appwarden.platform.selfcheck.services import _stale_before, runnable

    rows = (
        SelfAssessment.objects.filter(runnable())
        .order_by()
        .values("company_id")
        .annotate(first=Min("id"), oldest=Min("created_at"))
    )
    stale = _stale_before()
    out = []
    for row in rows:
        mine = SelfAssessment.objects.filter(company_id=row["company_id"])
        last = (
            mine.filter(started_at__isnull=False)
            .order_by("-started_at")
            .values_list("started_at", flat=True)
            .first()
        )
        busy = mine.filter(status=RUNNING, started_at__gte=stale).exists()
        out.append(Head(f"company:{row['company_id']}", SELF, row["first"], row["oldest"], last, busy))
    return out


def pick(kinds: tuple[str, ...] = (SCAN, SELF)) -> tuple[str, int] | None:
    """``(kind, pk)`` of the item that runs next by the rule of the module docstring, or ``None``. Only reads."""
    from appwarden.platform.testing.models import JOB_QUEUED, ScanJob

    if SCAN in kinds:
        urgent = (
            ScanJob.objects.filter(status=JOB_QUEUED, party=DEADLINE)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if urgent is not None:
            return SCAN, urgent
    heads = _scan_heads() if SCAN in kinds else {}
    for head in _self_heads() if SELF in kinds else []:
        mine = heads.get(head.party)
        if mine is None:
            heads[head.party] = head
            continue
        last = [t for t in (mine.last, head.last) if t is not None]
        first = min(mine, head, key=lambda h: (h.oldest, h.kind != SCAN, h.pk))
        heads[head.party] = Head(
            head.party,
            first.kind,
            first.pk,
            first.oldest,
            max(last) if last else None,
            mine.busy or head.busy,
        )
    if not heads:
        return None
    best = min(heads.values(), key=Head.key)
    return best.kind, best.pk


def claim_next(token: str = "", kinds: tuple[str, ...] = (SCAN, SELF)) -> tuple[str, Any] | None:
    """Claim the item :func:`pick` chooses (atomically; see the contract) and return ``(kind, row)``: the
    :class:`ScanJob` or ``SelfAssessment``, now running with its attempt counted and ``claim_token`` = ``token``.
    ``None`` when nothing is runnable."""
    from appwarden.platform.selfcheck import services as selfcheck
    from appwarden.platform.testing import services as scans

    for _ in range(_CLAIM_TRIES):
        choice = pick(kinds)
        if choice is None:
            return None
        kind, pk = choice
        if kind == SCAN:
            # out of attempts: quarantined; a lost race: None (pick again)
            job = scans.claim(pk, token=token, queued_only=True)
            if job is not None:
                return SCAN, job
        else:
            row = selfcheck.claim(pk, token=token)
            if row is not None:
                return SELF, row
    log.error("fair queue: no claim after %d tries", _CLAIM_TRIES)  # pragma: no cover
    return None


def run_next(token: str = "") -> tuple[str, int, str] | None:
    """Claim the fairest runnable item and run it to its end; ``(kind, pk, final status)`` or ``None`` when nothing
    is runnable (the embedded worker's step, and a Celery token's)."""
    from appwarden.platform.selfcheck import services as selfcheck
    from appwarden.platform.testing.services import run_claimed

    claimed = claim_next(token)
    if claimed is None:
        return None
    kind, row = claimed
    status = run_claimed(row) if kind == SCAN else selfcheck.run_claimed(row)
    return kind, row.pk, status


def run_token(token: str) -> str:
    """The body of a Celery token (``appwarden.scan_job`` / ``appwarden.selfcheck_job``): when an item already
    carries this token (the token was delivered before and its worker died), re-run that item if it is still
    unfinished (attempt counted, quarantined when out of attempts) and end; otherwise run the fairest runnable item.
    Returns ``"<kind>:<pk>:<status>"``, or ``"empty"`` when there was nothing to run."""
    from appwarden.platform.selfcheck import services as selfcheck
    from appwarden.platform.selfcheck.models import SelfAssessment
    from appwarden.platform.testing.models import JOB_QUEUED, JOB_RUNNING, ScanJob
    from appwarden.platform.testing.services import run_scan

    if token:
        own = ScanJob.objects.filter(claim_token=token).values_list("pk", "status").first()
        if own is not None:
            pk, status = own
            if status in (JOB_QUEUED, JOB_RUNNING):
                status = run_scan(pk)
            return f"{SCAN}:{pk}:{status}"
        mine = SelfAssessment.objects.filter(claim_token=token).values_list("pk", "status").first()
        if mine is not None:
            pk, status = mine
            if status in ("queued", "running"):
                status = selfcheck.run(pk, token=token)
            return f"{SELF}:{pk}:{status}"
    done = run_next(token)
    return "empty" if done is None else f"{done[0]}:{done[1]}:{done[2]}"
