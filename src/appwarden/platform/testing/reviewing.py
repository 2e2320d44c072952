"""The review queue at scale: its filters (GET parameters) and bulk confirm/reject with one reason.

Filters: ``batch`` (batch id), ``app`` (app id or package name), ``severity``, ``rule`` (rule id), ``owner``
(``host`` or an SDK id), ``confidence``. A value that cannot match (a non-numeric batch id, an unknown severity) is
dropped and reported, never an error page. :func:`bulk_review` applies the single-finding review
(:func:`~appwarden.platform.testing.services.review_finding`, audited per finding) to every selected finding in one
transaction: all of them change or none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet

from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.roles import STAFF, require, scoped
from appwarden.platform.testing import services
from appwarden.platform.testing.models import CONFIDENCE, F_PENDING, SEVERITY, Finding

FILTERS = ("batch", "app", "severity", "rule", "owner", "confidence")
BULK_ACTIONS = ("confirm", "reject")
BULK_MAX = 500  # findings per bulk action (a page holds 50; a crafted POST cannot lock the whole table)


def parse_filters(params: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The filters given in ``params`` (stripped, non-empty) and the names of those dropped as invalid."""
    active: dict[str, str] = {}
    invalid: list[str] = []
    for name in FILTERS:
        value = str(params.get(name) or "").strip()[:200]
        if not value:
            continue
        ok = {
            "batch": value.isdigit(),
            "severity": value in dict(SEVERITY),
            "confidence": value in dict(CONFIDENCE),
        }.get(name, True)
        if ok:
            active[name] = value
        else:
            invalid.append(name)
    return active, invalid


def apply_filters(qs: QuerySet, active: Mapping[str, str]) -> QuerySet:
    """``qs`` (findings) narrowed by the parsed filters."""
    if "batch" in active:
        qs = qs.filter(job__batch_id=int(active["batch"]))
    if "app" in active:
        app = active["app"]
        qs = (
            qs.filter(app_version__app_id=int(app))
            if app.isdigit()
            else qs.filter(app_version__app__package=app)
        )
    for name, field in (
        ("severity", "severity"),
        ("rule", "rule_id"),
        ("owner", "owner"),
        ("confidence", "confidence"),
    ):
        if name in active:
            qs = qs.filter(**{field: active[name]})
    return qs


def queue(user: Any, params: Mapping[str, Any]) -> tuple[QuerySet, dict[str, str], list[str]]:
    """The pending findings ``user`` may review, filtered by ``params``; also the active and dropped filters."""
    active, invalid = parse_filters(params)
    qs = scoped(Finding.objects.filter(status=F_PENDING), user)
    return apply_filters(qs, active), active, invalid


def severity_counts(qs: QuerySet) -> list[tuple[str, str, int]]:
    """``(severity, label, count)`` for every severity, in rank order (zeros included)."""
    counts = {row["severity"]: row["n"] for row in qs.order_by().values("severity").annotate(n=Count("id"))}
    return [(key, label, counts.get(key, 0)) for key, label in SEVERITY]


def parse_ids(values: Iterable[str]) -> list[int]:
    """Finding ids from form values; PlatformError (Chinese first) on a non-number, none, or too many."""
    ids: list[int] = []
    for raw in values:
        raw = str(raw).strip()
        if not raw.isdigit():
            raise PlatformError(f"无效的问题编号 {raw[:20]!r} invalid finding id")
        if int(raw) not in ids:
            ids.append(int(raw))
    if not ids:
        raise PlatformError("请先勾选要审核的问题 select at least one finding")
    if len(ids) > BULK_MAX:
        raise PlatformError(f"一次最多批量审核 {BULK_MAX} 个问题 at most {BULK_MAX} findings at once")
    return ids


def bulk_review(ids: list[int], *, user: Any, action: str, reason: str) -> int:
    """Confirm or reject every finding in ``ids`` with the same ``reason``; returns how many were reviewed.

    Reviewers/regulators only. Refused with a one-line PlatformError, nothing changed, when the reason is empty,
    the action is not confirm/reject, or any id is not a finding the user may see. Each finding gets its own
    :class:`~appwarden.platform.testing.models.Review` row and audit entries, as a single review does.
    """
    require(user, *STAFF)
    reason = (reason or "").strip()
    if not reason:
        raise PlatformError("批量审核需填写理由 a bulk review needs a reason")
    if action not in BULK_ACTIONS:
        raise PlatformError(f"批量审核只能确认或驳回 bulk review can only confirm or reject, not {action!r}")
    with transaction.atomic():
        found = {f.pk: f for f in scoped(Finding.objects.filter(pk__in=ids), user).select_for_update()}
        missing = [i for i in ids if i not in found]
        if missing:
            shown = ", ".join(f"#{i}" for i in missing[:10])
            raise PlatformError(
                f"问题 {shown} 不存在或不在您的权限范围内，未做任何修改 findings not found; nothing changed"
            )
        for pk in ids:
            services.review_finding(found[pk], user=user, action=action, reason=reason)
    return len(ids)
