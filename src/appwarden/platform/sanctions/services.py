"""Sanction measures: who sees which (:func:`visible`), deciding one (:func:`issue`), and its later changes
(:func:`amend`, :func:`end`, :func:`revoke`). Only regulators decide or change measures.

Every function checks the role first, then the input; a refusal raises :class:`PlatformError` (HTTP 400) or
:class:`RoleError` (403) with one line, Chinese first, and changes nothing. Every change appends a
:class:`SanctionEvent` (who, when, why, ``changes`` as ``field: [before, after]``) and an audit row
(``sanction_issue`` / ``sanction_amend`` / ``sanction_end`` / ``sanction_revoke``) besides the generic create/update
rows of the audit signals.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from appwarden.platform.core import audit
from appwarden.platform.core.errors import PlatformError
from appwarden.platform.core.models import ROLE_REGULATOR, ROLE_STORE
from appwarden.platform.core.roles import require, role_of, scoped
from appwarden.platform.registry.models import Company, Store
from appwarden.platform.sanctions.models import (
    ACTIVE,
    CREDIT,
    CREDIT_LISTS,
    ENDED,
    KINDS,
    PENALTY,
    REVOKED,
    STOP_ACCESS,
    SanctionEvent,
    SanctionMeasure,
)

MAX_AMOUNT = decimal.Decimal("1000000000000")  # 1e12 yuan: anything above is a typing error
AMENDABLE = ("end_date", "authority", "legal_basis", "stores")


class SanctionError(PlatformError):
    """A refused sanction input or change (one line, Chinese first)."""

    code = "sanction"


def visible(qs: QuerySet, user: Any) -> QuerySet:
    """``qs`` (of :class:`SanctionMeasure`) narrowed to what ``user`` may see: staff everything, a company its own
    measures, a store the 停止接入 measures that name its store or no store (= every store), nobody else anything."""
    if role_of(user) == ROLE_STORE:
        profile = getattr(user, "profile", None)
        store_id = getattr(profile, "store_id", None)
        if not store_id:
            return qs.none()
        concerned = Q(stores=store_id) | Q(stores__isnull=True)
        ids = SanctionMeasure.objects.filter(concerned, kind=STOP_ACCESS).values("pk")
        return qs.filter(pk__in=ids)
    return scoped(qs, user)


def visible_events(qs: QuerySet, user: Any) -> QuerySet:
    """History rows of the measures ``user`` may see."""
    return qs.filter(measure__in=visible(SanctionMeasure.objects.all(), user).values("pk"))


def _require_regulator(user: Any) -> None:
    try:
        require(user, ROLE_REGULATOR)
    except PlatformError as exc:
        raise type(exc)(
            "只有监管人员可以决定或变更惩戒措施 only regulators decide or change measures"
        ) from None


def parse_date(value: Any, label: str, *, required: bool = False) -> dt.date | None:
    """A date from ``YYYY-MM-DD`` (or a ``date``); ``None`` for empty unless ``required``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        if required:
            raise SanctionError(f"请填写{label} {label} is required")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise SanctionError(f"{label}格式不正确，应为 YYYY-MM-DD：{text[:20]} invalid date") from None


def parse_amount(value: Any) -> decimal.Decimal | None:
    """The fine in yuan (two decimals at most, 0 ≤ amount < 1e12); ``None`` for empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = decimal.Decimal(str(value).strip().replace(",", ""))
    except decimal.InvalidOperation:
        raise SanctionError(f"罚款金额须为数字：{str(value)[:20]} the fine must be a number") from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise SanctionError("罚款金额须不小于0且小于1万亿元 the fine must be between 0 and 1e12")
    if amount != amount.quantize(decimal.Decimal("0.01")):
        raise SanctionError("罚款金额最多两位小数 the fine has at most two decimals")
    return amount.quantize(decimal.Decimal("0.01"))


def _stores(values: Iterable[Any] | None) -> list[Store]:
    if values is None or values == "":
        return []
    if isinstance(values, (str, int)) or not isinstance(values, (list, tuple, set)):
        raise SanctionError("应用商店须为编号列表 stores must be a list of store ids")
    out: list[Store] = []
    for value in values:
        if isinstance(value, Store):
            out.append(value)
            continue
        try:
            pk = int(str(value).strip())
        except ValueError:
            raise SanctionError(f"应用商店编号不正确：{str(value)[:20]} invalid store id") from None
        store = Store.objects.filter(pk=pk).first()
        if store is None:
            raise SanctionError(f"应用商店 #{pk} 不存在 no such store")
        out.append(store)
    return sorted(set(out), key=lambda s: s.pk)


def _text(data: dict[str, Any], key: str, limit: int, label: str) -> str:
    text = str(data.get(key) or "").strip()
    if len(text) > limit:
        raise SanctionError(f"{label}过长（最多{limit}字）{label} is too long")
    if "\x00" in text:
        raise SanctionError(f"{label}含有非法字符 {label} contains a NUL character")
    return text


def issue(company: Company, data: dict[str, Any], *, user: Any) -> SanctionMeasure:
    """Decide a measure against ``company`` (regulator). ``data``: ``kind`` (stop_access / penalty / credit),
    ``start_date`` (required), ``end_date``, ``reason`` (required), ``authority``, ``legal_basis``; ``stores``
    (ids, 停止接入 only; none = every store); ``decision_number`` (required) and ``amount`` (行政处罚 only);
    ``credit_list`` (required, 信用管理 only); ``order`` (a RectificationOrder of this company, optional)."""
    _require_regulator(user)
    kind = str(data.get("kind") or "").strip()
    if kind not in dict(KINDS):
        raise SanctionError(
            f"未知的措施类型「{kind[:30]}」，应为停止接入、行政处罚或信用管理 unknown kind (stop_access/penalty/credit)"
        )
    reason = _text(data, "reason", 5000, "决定理由")
    if not reason:
        raise SanctionError("请填写决定理由 a measure needs a reason")
    start = parse_date(data.get("start_date"), "开始日期", required=True)
    end = parse_date(data.get("end_date"), "结束日期")
    if end is not None and start is not None and end < start:
        raise SanctionError("结束日期不得早于开始日期 the end date is before the start date")
    fields: dict[str, Any] = {
        "authority": _text(data, "authority", 200, "决定机关"),
        "legal_basis": _text(data, "legal_basis", 500, "法律依据"),
        "decision_number": _text(data, "decision_number", 100, "处罚决定书文号"),
        "credit_list": _text(data, "credit_list", 16, "信用名单"),
    }
    amount = parse_amount(data.get("amount"))
    stores = _stores(data.get("stores"))
    if stores and kind != STOP_ACCESS:
        raise SanctionError("只有停止接入措施可以限定应用商店 only a stop-access measure names stores")
    if kind == PENALTY:
        if not fields["decision_number"]:
            raise SanctionError("行政处罚须填写处罚决定书文号 a penalty needs its decision number")
        if not fields["legal_basis"]:
            raise SanctionError("行政处罚须填写法律依据 a penalty needs its legal basis")
        if SanctionMeasure.objects.filter(decision_number=fields["decision_number"]).exists():
            raise SanctionError(
                f"处罚决定书文号「{fields['decision_number']}」已存在 the decision number is already recorded"
            )
    else:
        if fields["decision_number"] or amount is not None:
            raise SanctionError(
                "处罚决定书文号和罚款金额仅适用于行政处罚 decision number and fine belong to a penalty only"
            )
    if kind == CREDIT:
        if fields["credit_list"] not in dict(CREDIT_LISTS):
            raise SanctionError(
                "信用管理须选择名单：失信名单或重点关注名单 choose the list (dishonest / key_attention)"
            )
        overlapping = _overlapping_credit(company, fields["credit_list"], start, end)
        if overlapping is not None:
            raise SanctionError(
                f"该企业在此期间已列入该名单（措施 #{overlapping.pk}） the company is already on this list then"
            )
    elif fields["credit_list"]:
        raise SanctionError("信用名单仅适用于信用管理措施 the credit list belongs to credit management only")
    order = _order(company, data.get("order"))
    with transaction.atomic(), audit.acting_as(user, reason):
        try:
            with transaction.atomic():
                measure = SanctionMeasure.objects.create(
                    company=company,
                    kind=kind,
                    status=ACTIVE,
                    start_date=start,
                    end_date=end,
                    reason=reason,
                    amount=amount,
                    order=order,
                    decided_by=user if getattr(user, "pk", None) else None,
                    **fields,
                )
        except IntegrityError:
            raise SanctionError(
                f"处罚决定书文号「{fields['decision_number']}」已存在 the decision number is already recorded"
            ) from None
        if stores:
            measure.stores.set(stores)
        snapshot = _snapshot(measure)
        changes = {k: [None, v] for k, v in snapshot.items() if v not in (None, "", [])}
        _event(measure, "issue", "", ACTIVE, changes, reason, user)
    return measure


def _overlapping_credit(
    company: Company, credit_list: str, start: dt.date | None, end: dt.date | None, exclude: int | None = None
) -> SanctionMeasure | None:
    """An active 信用管理 measure of ``company`` on the same list whose period meets [start, end]."""
    qs = SanctionMeasure.objects.filter(company=company, kind=CREDIT, credit_list=credit_list, status=ACTIVE)
    if exclude:
        qs = qs.exclude(pk=exclude)
    if end is not None:
        qs = qs.filter(start_date__lte=end)
    if start is not None:
        qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    return qs.order_by("id").first()


def _order(company: Company, value: Any) -> Any:
    if value in (None, ""):
        return None
    from appwarden.platform.enforcement.models import RectificationOrder

    if isinstance(value, RectificationOrder):
        order = value
    else:
        try:
            order = RectificationOrder.objects.filter(pk=int(str(value))).first()
        except ValueError:
            order = None
    if order is None or order.company_id != company.pk:
        raise SanctionError(
            "所选整改通知不存在或不属于该企业 the order does not exist or is another company's"
        )
    return order


def _snapshot(measure: SanctionMeasure) -> dict[str, Any]:
    return {
        "kind": measure.kind,
        "start_date": str(measure.start_date),
        "end_date": str(measure.end_date) if measure.end_date else None,
        "authority": measure.authority,
        "legal_basis": measure.legal_basis,
        "decision_number": measure.decision_number,
        "amount": str(measure.amount) if measure.amount is not None else None,
        "credit_list": measure.credit_list,
        "stores": [s.pk for s in measure.stores.all()],
        "order": measure.order_id,
    }


def _event(
    measure: SanctionMeasure,
    action: str,
    from_status: str,
    to_status: str,
    changes: dict[str, Any],
    reason: str,
    user: Any,
) -> SanctionEvent:
    event = SanctionEvent.objects.create(
        measure=measure,
        action=action,
        from_status=from_status,
        to_status=to_status,
        changes=changes,
        reason=reason,
        actor=user if getattr(user, "pk", None) else None,
        actor_name=getattr(user, "username", "") or "system",
    )
    audit.record(
        f"sanction_{action}",
        measure,
        reason=reason,
        actor=user,
        data={"event": event.pk, "from": from_status, "to": to_status, "changes": changes},
    )
    return event


def _locked_active(measure: SanctionMeasure, what: str) -> SanctionMeasure:
    locked = SanctionMeasure.objects.select_for_update().get(pk=measure.pk)
    if locked.status != ACTIVE:
        raise SanctionError(
            f"该措施已{locked.get_status_display().split()[0]}，不能{what} the measure is no longer active"
        )
    return locked


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise SanctionError("请填写理由 a reason is required")
    if len(reason) > 5000:
        raise SanctionError("理由过长（最多5000字） the reason is too long")
    if "\x00" in reason:
        raise SanctionError("理由含有非法字符 the reason contains a NUL character")
    return reason


def amend(measure: SanctionMeasure, data: dict[str, Any], *, user: Any, reason: str) -> SanctionMeasure:
    """Change an active measure's ``end_date``, ``authority``, ``legal_basis`` or (停止接入) ``stores``; only the
    keys present in ``data`` change. Nothing to change is refused."""
    _require_regulator(user)
    reason = _reason(reason)
    unknown = sorted(set(data) - set(AMENDABLE))
    if unknown:
        raise SanctionError(f"不能变更这些字段：{', '.join(unknown)[:80]} these fields cannot be amended")
    with transaction.atomic(), audit.acting_as(user, reason):
        locked = _locked_active(measure, "变更")
        before = _snapshot(locked)
        if "end_date" in data:
            end = parse_date(data["end_date"], "结束日期")
            if end is not None and end < locked.start_date:
                raise SanctionError("结束日期不得早于开始日期 the end date is before the start date")
            if locked.kind == CREDIT and _overlapping_credit(
                locked.company, locked.credit_list, locked.start_date, end, exclude=locked.pk
            ):
                raise SanctionError(
                    "变更后与该企业同一名单的其他措施重叠 the new period overlaps another listing"
                )
            locked.end_date = end
        if "authority" in data:
            locked.authority = _text(data, "authority", 200, "决定机关")
        if "legal_basis" in data:
            locked.legal_basis = _text(data, "legal_basis", 500, "法律依据")
            if locked.kind == PENALTY and not locked.legal_basis:
                raise SanctionError("行政处罚须填写法律依据 a penalty needs its legal basis")
        if "stores" in data:
            stores = _stores(data["stores"])
            if stores and locked.kind != STOP_ACCESS:
                raise SanctionError(
                    "只有停止接入措施可以限定应用商店 only a stop-access measure names stores"
                )
            locked.stores.set(stores)
        after = _snapshot(locked)
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if not changes:
            raise SanctionError("没有需要变更的内容 nothing to change")
        locked.save()
        _event(locked, "amend", ACTIVE, ACTIVE, changes, reason, user)
    return locked


def end(measure: SanctionMeasure, *, user: Any, reason: str, end_date: Any = None) -> SanctionMeasure:
    """解除: an active measure ends on ``end_date`` (default today; not before its start) and becomes ``ended``."""
    _require_regulator(user)
    reason = _reason(reason)
    with transaction.atomic(), audit.acting_as(user, reason):
        locked = _locked_active(measure, "解除")
        when = parse_date(end_date, "解除日期") or timezone.localdate()
        if when < locked.start_date:
            raise SanctionError("解除日期不得早于开始日期 the end date is before the start date")
        before = str(locked.end_date) if locked.end_date else None
        locked.end_date = when
        locked.status = ENDED
        locked.save()
        changes = {"status": [ACTIVE, ENDED], "end_date": [before, str(when)]}
        _event(locked, "end", ACTIVE, ENDED, changes, reason, user)
    return locked


def revoke(measure: SanctionMeasure, *, user: Any, reason: str) -> SanctionMeasure:
    """撤销: the decision is withdrawn (e.g. overturned on review); the measure becomes ``revoked``."""
    _require_regulator(user)
    reason = _reason(reason)
    with transaction.atomic(), audit.acting_as(user, reason):
        locked = _locked_active(measure, "撤销")
        locked.status = REVOKED
        locked.save()
        _event(locked, "revoke", ACTIVE, REVOKED, {"status": [ACTIVE, REVOKED]}, reason, user)
    return locked


def company_summary(company: Company, user: Any) -> dict[str, Any]:
    """The measures of ``company`` that ``user`` may see, newest first, and how many are in force today."""
    measures = list(
        visible(SanctionMeasure.objects.filter(company=company), user)
        .select_related("order")
        .prefetch_related("stores")
    )
    return {"measures": measures, "in_force": sum(1 for m in measures if m.in_force())}


# --- 停止接入 in effect: pre-listing verdicts, listings, the early-warning list ------------------------------------


class StopAccessError(PlatformError):
    """An action a 停止接入 measure in force forbids (HTTP 409, one line naming the measure)."""

    code = "stop_access"
    http_status = 409


def in_force_q(on: dt.date | None = None, prefix: str = "") -> Q:
    """A filter for measures in force on ``on`` (default today): active, started, not past their end date."""
    on = on or timezone.localdate()
    return Q(**{f"{prefix}status": ACTIVE, f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def stop_access_measures(on: dt.date | None = None) -> QuerySet:
    """The 停止接入 measures in force on ``on`` (default today), oldest first."""
    return (
        SanctionMeasure.objects.filter(in_force_q(on), kind=STOP_ACCESS)
        .select_related("company")
        .prefetch_related("stores")
        .order_by("start_date", "id")
    )


def bars(measure: SanctionMeasure, store_id: int | None) -> bool:
    """Whether ``measure`` (停止接入) covers the store: it names that store or names none (= every store)."""
    named = {s.pk for s in measure.stores.all()}
    return not named or store_id in named


def stop_access_for(company_id: int | None, store_id: int | None, on: dt.date | None = None) -> Any:
    """The 停止接入 measure in force on ``on`` that bars ``company_id``'s apps from ``store_id`` (the oldest), or
    ``None``. A measure is in force from its start date through its end date (inclusive); an ended or revoked one
    never bars."""
    if not company_id:
        return None
    for measure in stop_access_measures(on).filter(company_id=company_id):
        if bars(measure, store_id):
            return measure
    return None


def stop_access_text(measure: SanctionMeasure, store: Any = None) -> str:
    """One line, Chinese first, naming the measure: company, number, period, authority and the store."""
    period = f"{measure.start_date:%Y-%m-%d}起" + (
        f"至{measure.end_date:%Y-%m-%d}" if measure.end_date else "，未定结束日期"
    )
    authority = f"，决定机关：{measure.authority}" if measure.authority else ""
    where = f"在「{store.name}」" if store is not None else ""
    return (
        f"企业「{measure.company.name}」处于停止接入期间（惩戒措施 #{measure.pk}，{period}{authority}），"
        f"其应用不得{where}接入或上架 the company is under a stop-access measure (#{measure.pk})"
    )


def stop_access_json(
    measure: SanctionMeasure, store: Any = None, basis: str = "registered"
) -> dict[str, Any]:
    return {
        "measure": measure.pk,
        "company": {"id": measure.company_id, "name": measure.company.name},
        "start_date": str(measure.start_date),
        "end_date": str(measure.end_date) if measure.end_date else None,
        "authority": measure.authority,
        "stores": [s.pk for s in measure.stores.all()],
        "basis": basis,
        "message_zh": stop_access_text(measure, store),
    }


def check_listing(app: Any, store: Any, *, user: Any = None, via: str = "") -> None:
    """Refuse (:class:`StopAccessError`, 409) putting ``app`` on sale in ``store`` (a new active listing or one
    made active again) while a 停止接入 measure in force bars its company from that store. The refusal is audited
    (``stop_access_block`` on the measure: store, app, how); nothing else is stored."""
    if app is None or store is None:
        return
    measure = stop_access_for(getattr(app, "company_id", None), store.pk)
    if measure is None:
        return
    audit.record(
        "stop_access_block",
        measure,
        actor=user,
        reason="停止接入期间拒绝上架 listing refused under stop access",
        data={"store": store.pk, "app": app.pk, "package": app.package, "via": via},
    )
    raise StopAccessError(f"已拒绝，未保存：{stop_access_text(measure, store)}")


def stop_access_overview(on: dt.date | None = None) -> list[dict[str, Any]]:
    """For the early-warning list: each 停止接入 measure in force with the company's apps still listed (active) in a
    store it bars (违规在架), and the pre-listing checks refused under it (audit rows ``prelisting_stop_access``)."""
    from appwarden.platform.core.models import AuditLog
    from appwarden.platform.registry.models import StoreListing

    measures = list(stop_access_measures(on))
    if not measures:
        return []
    listings = list(
        StoreListing.objects.filter(active=True, app__company__in={m.company_id for m in measures})
        .select_related("app", "store")
        .order_by("store__name", "app__package")
    )
    refused: dict[int, set[str]] = {}
    for object_id, data in AuditLog.objects.filter(action="prelisting_stop_access").values_list(
        "object_id", "data"
    ):
        if isinstance(data, dict) and isinstance(data.get("measure"), int):
            refused.setdefault(data["measure"], set()).add(object_id)
    rows = []
    for m in measures:
        rows.append(
            {
                "measure": m,
                "company": m.company,
                "stores": list(m.stores.all()),
                "listed": [x for x in listings if x.app.company_id == m.company_id and bars(m, x.store_id)],
                "refused_checks": len(refused.get(m.pk, ())),
            }
        )
    rows.sort(key=lambda r: (-len(r["listed"]), r["measure"].start_date, r["measure"].pk))
    return rows
