"""筛查结论复核 (screening review): a human decision on a scan job's 不良APP screening verdict.

The screening is static heuristics with a measured false-alarm rate on published apps (docs/screening-eval.md), so
its verdict is a lead. A reviewer or regulator (the roles that review findings) records ``confirmed`` (确认有害/可疑)
or ``rejected`` (误报) with a written note; every review is a :class:`~appwarden.platform.testing.models.ScreeningReview`
row (audited by the platform's save receiver, the note as the audit reason) and the **latest** review of a job
counts. What depends on it:

* ``workflow.takedown_harmful`` needs a confirmed latest review of the harmful job, by someone other than the
  regulator ordering the 下架 unless ``APPWARDEN_HARMFUL_TAKEDOWN_TWO_PERSON`` is False (:func:`takedown_block`);
* a job whose latest review is ``rejected`` leaves the early-warning harmful/suspicious lists;
* a store's pre-listing verdict ignores a ``rejected`` screening verdict (reason ``screening:rejected_as_false_alarm``).

A review is written on one job, and **carries over** to every other job of the same APK with the same screening
result (:func:`screening_fingerprint`: same sha256, engine version, rules version — recorded on each job; the rules
version hashes the rule and screening-indicator files — verdict, score and fired indicators): a store resubmitting
the identical APK gets a new job that is judged as already reviewed. The latest review among such jobs counts; one
written on another job is returned with ``carried_from`` set to that job's id. A newer scan under another engine or
rules version, or whose indicators differ, has its own verdict and starts unreviewed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from appwarden.platform.core import audit
from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.roles import STAFF, require
from appwarden.platform.testing.models import (
    JOB_DONE,
    SCREENING_DECISIONS,
    SR_CONFIRMED,
    SR_REJECTED,
    ScanJob,
    ScreeningReview,
)

NOTE_MAX = 2000  # as the platform's other reasons and notes
REVIEWABLE = ("harmful", "suspicious")
# why a direct 下架 is not offered / refused (API ``takedown_block``): none = allowed
BLOCK_AWAITING, BLOCK_REJECTED, BLOCK_SAME = "awaiting_review", "rejected", "same_reviewer"
BLOCK_TEXT = {
    BLOCK_AWAITING: "待复核 awaiting review",
    BLOCK_REJECTED: "已复核为误报 reviewed as a false alarm",
    BLOCK_SAME: "需另一人复核 needs another person's confirmation",
}
_CHUNK = 500


def two_person() -> bool:
    """``APPWARDEN_HARMFUL_TAKEDOWN_TWO_PERSON`` (default True): the regulator ordering a direct 下架 may not be the
    one who confirmed the harmful verdict."""
    return bool(getattr(settings, "APPWARDEN_HARMFUL_TAKEDOWN_TWO_PERSON", True))


def review_screening(job: ScanJob, *, user: Any, decision: str, note: str) -> ScreeningReview:
    """Record ``user``'s review of ``job``'s screening verdict; returns the new (now latest) review.

    Reviewers and regulators only (others: RoleError). Refused with a one-line PlatformError (400), nothing stored,
    unless ``decision`` is ``confirmed``/``rejected``, ``note`` is non-empty and at most :data:`NOTE_MAX`
    characters, and the job is finished with an evaluated screening verdict ``harmful`` or ``suspicious``. The
    job's row is locked while the review is written, so a concurrent direct 下架 sees it or not, never half."""
    require(user, *STAFF)
    if decision not in {d for d, _ in SCREENING_DECISIONS}:
        raise PlatformError(
            "复核结论只能是 confirmed（确认有害/可疑）或 rejected（误报） decision must be confirmed or rejected"
        )
    note = note.strip() if isinstance(note, str) else ""
    if not note:
        raise PlatformError("复核意见必填 a screening review needs a written note")
    if len(note) > NOTE_MAX:
        raise PlatformError(f"复核意见至多{NOTE_MAX}字 the note is longer than {NOTE_MAX} characters")
    with transaction.atomic(), audit.acting_as(user, note):
        locked = ScanJob.objects.select_for_update().defer("report").get(pk=job.pk)
        if locked.status != JOB_DONE or locked.screening_verdict not in REVIEWABLE:
            verdict = (
                locked.get_screening_verdict_display() if locked.screening_verdict else "未筛查 not screened"
            )
            raise PlatformError(
                f"只能复核筛查结论为有害或可疑的检测（本检测：{verdict}） "
                "only a job whose screening verdict is harmful or suspicious can be reviewed"
            )
        return ScreeningReview.objects.create(
            job=locked,
            verdict=locked.screening_verdict,
            decision=decision,
            note=note,
            reviewer=user,
            reviewer_name=user.get_username(),
        )


_FINGERPRINT = (
    "pk",
    "sha256",
    "engine_version",
    "rules_version",
    "screening_verdict",
    "report__screening__score",
    "report__screening__indicators",
)


def screening_fingerprint(row: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """What makes two jobs' screening results the same, so that a review of one stands for the other: the same
    sha256, engine version and rules version (as recorded on the jobs), verdict, score and fired indicators (id,
    weight, count). ``row``: a job's :data:`_FINGERPRINT` values. ``None`` when the job has no comparable
    screening (not reviewable, no score or indicators in its report)."""
    _pk, sha, engine_version, rules_version, verdict, score, indicators = row
    if verdict not in REVIEWABLE or not isinstance(score, int | float) or not isinstance(indicators, list):
        return None
    fired = sorted(
        (str(i.get("id")), i.get("weight"), i.get("count")) for i in indicators if isinstance(i, dict)
    )
    return (sha, engine_version, rules_version, verdict, score, tuple(fired))


def _twins(job_ids: list[int]) -> dict[int, list[int]]:
    """job id -> the ids of the jobs whose reviews count for it: itself and every *reviewed* job of the same APK
    with the same screening result (:func:`screening_fingerprint`). Cheap when nothing is shared: the screening sections
    are read only for jobs whose APK has a reviewed job other than themselves."""
    out = {pk: [pk] for pk in job_ids}
    for i in range(0, len(job_ids), _CHUNK):
        chunk = job_ids[i : i + _CHUNK]
        shas = dict(ScanJob.objects.filter(pk__in=chunk).values_list("pk", "sha256"))
        reviewed: dict[str, set[int]] = {}
        for pk, sha in (
            ScanJob.objects.filter(sha256__in=set(shas.values()), screening_reviews__isnull=False)
            .values_list("pk", "sha256")
            .distinct()
        ):
            reviewed.setdefault(sha, set()).add(pk)
        need = {pk for pk, sha in shas.items() if reviewed.get(sha, set()) - {pk}}
        if not need:
            continue
        others = {o for pk in need for o in reviewed[shas[pk]]}
        prints = {
            row[0]: screening_fingerprint(row)
            for row in ScanJob.objects.filter(pk__in=need | others).values_list(*_FINGERPRINT)
        }
        for pk in need:
            mine = prints.get(pk)
            if mine is None:
                continue
            out[pk] += sorted(o for o in reviewed[shas[pk]] if o != pk and prints.get(o) == mine)
    return out


def latest_review(job: ScanJob | int) -> ScreeningReview | None:
    """The latest review that counts for a job (``None``: not reviewed): its own, or one carried over from a job of
    the same APK with the same screening result (then ``review.carried_from`` is that job's id)."""
    pk = job if isinstance(job, int) else job.pk
    return latest_reviews([pk]).get(pk)


def latest_reviews(job_ids: Iterable[int]) -> dict[int, ScreeningReview]:
    """job id -> the latest review that counts for it (:func:`latest_review`), for many jobs with a few queries per
    500 jobs. Each review carries ``carried_from``: ``None`` for the job's own, else the job it was written on."""
    ordered = sorted(set(job_ids))
    twins = _twins(ordered)
    members = sorted({m for group in twins.values() for m in group})
    last_of: dict[int, int] = {}
    for i in range(0, len(members), _CHUNK):
        for job_id, last in (
            ScreeningReview.objects.filter(job_id__in=members[i : i + _CHUNK])
            .values("job_id")
            .annotate(last=Max("id"))
            .order_by()
            .values_list("job_id", "last")
        ):
            last_of[job_id] = last
    pick = {pk: max((last_of[m] for m in group if m in last_of), default=None) for pk, group in twins.items()}
    wanted = sorted({r for r in pick.values() if r is not None})
    reviews: dict[int, ScreeningReview] = {}
    for i in range(0, len(wanted), _CHUNK):
        reviews.update(ScreeningReview.objects.in_bulk(wanted[i : i + _CHUNK]))
    out: dict[int, ScreeningReview] = {}
    for pk, rid in pick.items():
        if rid is None:
            continue
        base = reviews[rid]
        # one object per job: ``carried_from`` differs
        review = copy.copy(base) if base.job_id != pk else base
        review.carried_from = base.job_id if base.job_id != pk else None
        out[pk] = review
    return out


def takedown_block(review: ScreeningReview | None, user: Any) -> str:
    """Why ``user`` may not send the job's harmful verdict to 下架 on ``review`` (its latest review): one of
    :data:`BLOCK_TEXT`'s keys, or ``""`` when the review allows it (confirmed, and by someone else while the
    two-person rule is on). Roles are checked by the caller."""
    if review is None:
        return BLOCK_AWAITING
    if review.decision == SR_REJECTED:
        return BLOCK_REJECTED
    if review.decision != SR_CONFIRMED:
        return BLOCK_AWAITING
    if two_person() and review.reviewer_id is not None and review.reviewer_id == getattr(user, "pk", None):
        return BLOCK_SAME
    return ""


def refusal(block: str) -> str:
    """The one-line refusal (Chinese first) of a direct 下架 for ``block``."""
    if block == BLOCK_SAME:
        return (
            "需另一人复核：确认有害结论的复核人不能同时下令下架，请由另一名审核或监管人员复核确认 "
            "two-person rule: the harmful verdict must be confirmed by someone other than the regulator ordering "
            "the takedown"
        )
    if block == BLOCK_REJECTED:
        return (
            "该检测的有害筛查结论已复核为误报，不能直接下架 the harmful verdict was reviewed as a false alarm"
        )
    return (
        "该应用的有害筛查结论尚未复核确认（待复核），请先在检测记录中复核筛查证据 "
        "the harmful verdict has not been confirmed by a screening review yet"
    )


def review_json(review: ScreeningReview | None, *, with_note: bool = True) -> dict[str, Any]:
    """A review (or ``None``) as JSON: ``state`` (unreviewed/confirmed/rejected), id, reviewer, at, note."""
    if review is None:
        return {"state": "unreviewed"}
    out: dict[str, Any] = {
        "state": review.decision,
        "id": review.pk,
        "reviewer": review.reviewer_name,
        "at": review.at.isoformat(),
    }
    if getattr(review, "carried_from", None):  # written on another job of the same APK and screening result
        out["carried_from_job"] = review.carried_from
    if with_note:
        out["note"] = review.note
    return out
