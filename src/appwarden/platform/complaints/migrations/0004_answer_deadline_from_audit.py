"""ForwardAnswer.deadline for the answers 0003 left unknown, read back from the audit log.

0003 gave an existing answer the forward's current deadline only when no send-back came after it (a send-back sets
a new deadline, so the current one was not the deadline then); an answer followed by a send-back kept null and was
never marked 逾期提交. The audit log (append-only) holds the forward's field values at every save, the deadline among
them: its ``create`` row at forwarding and an ``update`` row at each send-back. The deadline in force when an answer
came in is the one of the forward's **last row written before the answer's own ``create`` row** (by row id, the
order they were written; an answer without a ``create`` row: the last forward row at or before the answer's time).
Answers for which the log has no such row (data loaded without the audit log) keep null: not known, not marked.

One ``AuditLog`` row (``data_migration``) lists the answers filled (none when nothing changed).
"""

import datetime as dt

from django.db import migrations

ACTION = "data_migration"
NAME = "complaints.0004_answer_deadline_from_audit"


def _date(value):  # type: ignore[no-untyped-def]
    """A stored snapshot's ``deadline`` (``"YYYY-MM-DD"``) as a date; None when it is not one."""
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def deadline_then(audit_model, answer):  # type: ignore[no-untyped-def]
    """The forward's deadline as the audit log recorded it last before ``answer`` came in (None if unknown)."""
    mine = (
        audit_model.objects.filter(
            model="complaints.forwardanswer", object_id=str(answer.pk), action="create"
        )
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    rows = audit_model.objects.filter(
        model="complaints.complaintforward",
        object_id=str(answer.forward_id),
        action__in=("create", "update"),
    )
    rows = rows.filter(id__lt=mine) if mine is not None else rows.filter(at__lte=answer.at)
    for data in rows.order_by("-id").values_list("data", flat=True):
        found = _date((data or {}).get("deadline"))
        if found is not None:
            return found
    return None


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    answer_model = apps.get_model("complaints", "ForwardAnswer")
    audit_model = apps.get_model("core", "AuditLog")
    filled = []
    for answer in answer_model.objects.filter(deadline__isnull=True).order_by("id").iterator():
        found = deadline_then(audit_model, answer)
        if found is not None:
            answer_model.objects.filter(pk=answer.pk).update(deadline=found)
            filled.append(answer.pk)
    if not filled:
        return
    left = answer_model.objects.filter(deadline__isnull=True).count()
    audit_model.objects.create(
        actor=None,
        actor_name="system",
        action=ACTION,
        model="complaints.forwardanswer",
        object_id=NAME,
        summary=f"投诉转办答复补记当时的答复截止日期 {len(filled)} 条（仍未知 {left} 条）"[:300],
        reason="答复截止日期取自审计日志中该答复之前最后一次记录的转办截止日期 the deadline in force then, from the audit log",
        data={"answers": filled[:5000], "filled": len(filled), "still_unknown": left},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_answer_deadline"),
        ("core", "0003_profile_sdk_vendor"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
