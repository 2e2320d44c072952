"""超范围 on a plain read needs proof (engine commit 0e512cf, docs/report-audit.md "a confirmed read is not 超范围").

Findings stored before that fix keep 超范围收集个人信息 (M337-2) on a plain read (``pi.device_id.read``,
``pi.app_list.read``, ``pi.clipboard.read``, ``pi.network_scan``) whose evidence has no ``necessary_pi`` item. This
migration gives each stored finding of an ``evidence_scoped`` rule the types the engine's one mapping
(:func:`appwarden.report.notice.finding_notice_types`, with the finding's evidence) gives, and its dashboard group;
then the 通报 rows of the orders holding such a finding:

- a row of a **draft** batch loses the type's name from 所涉问题 when no finding of its order still carries the type
  (its titles when nothing is left, as ``workflow.problems_text``); when another finding of the order still
  carries it with proof, the text stays and the row gets a ``correction_note`` to be checked before publishing;
- a row of a **published** batch is a public record: never rewritten, it gets a ``correction_note`` (Chinese) and is
  listed under 待更正 on ``/enforcement/notices/``.

One ``AuditLog`` row (``data_migration``) records what changed (nothing when no stored finding changed).
"""

from django.db import migrations, models

ACTION = "data_migration"
NAME = "enforcement.0004_notice_scope"


def _note(type_name: str, rules: list[str], published: bool, still: bool) -> str:
    where = "、".join(sorted(rules))
    if published and not still:
        return (
            f"待复核：本行所涉问题“{type_name}”依据的发现（{where}）仅为读取行为，证据中没有与所申报39类应用"
            "必要个人信息范围的比对（necessary_pi），按现行规则不应认定为该问题。通报已发布，平台未改动本行，"
            "请复核是否需要发布更正。"
        )
    when = "通报已发布，平台未改动本行，请复核是否需要发布更正" if published else "发布前请核对本行所涉问题"
    return (
        f"待复核：本行所涉问题“{type_name}”的部分依据（{where}）因证据不足已撤销，"
        f"但本整改单中另有发现仍有该问题的证据；{when}。"
    )


def scope_stored_reads(apps, schema_editor):
    from appwarden.errors import KnowledgeError
    from appwarden.knowledge.notice_types import evidence_scoped
    from appwarden.platform.core.problem_types import group_of_types
    from appwarden.report.notice import (
        PROBLEM_SEPARATOR,
        finding_notice_types,
        notice_type_names,
        problem_names,
    )

    finding_model = apps.get_model("testing", "Finding")
    item_model = apps.get_model("enforcement", "NoticeItem")
    audit_model = apps.get_model("core", "AuditLog")

    scoped = evidence_scoped()
    rules = sorted({r for rec in scoped.values() for r in rec["rules"]})
    changed: dict[int, tuple[str, list[str]]] = {}  # finding id -> (rule id, types removed)
    fields = ("id", "rule_id", "notice_types", "evidence")
    for finding in finding_model.objects.filter(rule_id__in=rules).only(*fields).iterator(chunk_size=500):
        old = list(finding.notice_types or [])
        if not set(old) & set(scoped):
            continue
        try:
            new = finding_notice_types(
                {"rule_id": finding.rule_id, "notice_types": old, "evidence": finding.evidence or []}
            )
        except KnowledgeError:
            continue  # a type outside today's vocabulary: leave the row as it is
        if new != old:
            finding_model.objects.filter(pk=finding.pk).update(
                notice_types=new, problem_type=group_of_types(new)
            )
            changed[finding.pk] = (finding.rule_id, [t for t in old if t not in new])
    if not changed:
        return

    items = item_model.objects.filter(
        models.Q(order__findings__in=list(changed)) | models.Q(sdk_order__findings__in=list(changed))
    ).distinct()
    rewritten, flagged, drafts_flagged = [], [], []
    for item in items.select_related("batch"):
        owner = item.order if item.order_id else item.sdk_order
        if owner is None:
            continue
        ordered = list(owner.findings.all())
        removed = sorted({t for f in ordered if f.pk in changed for t in changed[f.pk][1]})
        by = sorted({changed[f.pk][0] for f in ordered if f.pk in changed})
        names = [n for n in item.problems.split(PROBLEM_SEPARATOR) if n]
        notes, text = [], names
        for tid in removed:
            name = notice_type_names([tid])[0]
            if name not in names:
                continue
            still = any(tid in (f.notice_types or []) for f in ordered)
            if item.batch.published or still:
                notes.append(_note(name, by, item.batch.published, still))
            else:
                text = [n for n in text if n != name]
        updates = {}
        if notes:
            updates["correction_note"] = "\n".join([item.correction_note, *notes]).strip()
            (flagged if item.batch.published else drafts_flagged).append(item.pk)
        if text != names:
            rows = [
                {"rule_id": f.rule_id, "notice_types": f.notice_types, "title_zh": f.title_zh}
                for f in ordered
            ]
            updates["problems"] = PROBLEM_SEPARATOR.join(text or problem_names(rows, include_unmapped=True))
            rewritten.append(item.pk)
        if updates:
            item_model.objects.filter(pk=item.pk).update(**updates)

    audit_model.objects.create(
        actor=None,
        actor_name="system",
        action=ACTION,
        model="testing.finding",
        object_id=NAME,
        summary=(
            f"超范围需证据：{len(changed)} 条已存发现去除无证据的问题类型，草稿通报改写 {len(rewritten)} 行，"
            f"已发布通报待复核 {len(flagged)} 行"
        )[:300],
        reason="读取行为本身不构成超范围收集个人信息（需 necessary_pi 证据；engine 0e512cf）",
        data={
            "findings": sorted(changed)[:5000],
            "findings_changed": len(changed),
            "draft_items_rewritten": rewritten,
            "draft_items_flagged": drafts_flagged,
            "published_items_flagged": flagged,
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0003_sdk_orders"),
        ("testing", "0005_job_sdk_versions"),
        ("core", "0003_profile_sdk_vendor"),
    ]

    operations = [
        migrations.AddField(
            model_name="noticeitem",
            name="correction_note",
            field=models.TextField(blank=True, verbose_name="待更正 Pending correction"),
        ),
        migrations.RunPython(scope_stored_reads, migrations.RunPython.noop),
    ]
