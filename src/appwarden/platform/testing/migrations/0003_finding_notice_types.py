"""Findings get explicit 通报 problem types (``notice_types``); the stored dashboard group ``problem_type`` is
recomputed from them.

Before, ``problem_type`` came from a clause-prefix table (platform/core/problem_types.py), which for instance put
security-hygiene findings citing CH-13 under 违规收集个人信息. Now every rule declares its types; this migration sets
each stored finding's ``notice_types`` to what its rule declares (through the same function ingest uses,
``report.notice.finding_notice_types``) and its ``problem_type`` to their group (``other`` when none: security
hygiene, external engines, rules that no longer exist). The group keys are unchanged, so filters, saved links and
dashboards keep working. Reversing drops the column and leaves the recomputed groups.
"""

from django.db import migrations, models


def fill_notice_types(apps, schema_editor):
    from appwarden.platform.core.problem_types import group_of_types
    from appwarden.report.notice import finding_notice_types

    Finding = apps.get_model("testing", "Finding")
    cache: dict[str, list[str]] = {}
    for finding in Finding.objects.only("id", "rule_id").iterator():
        types = cache.get(finding.rule_id)
        if types is None:
            types = cache[finding.rule_id] = finding_notice_types({"rule_id": finding.rule_id})
        Finding.objects.filter(pk=finding.pk).update(notice_types=types, problem_type=group_of_types(types))


class Migration(migrations.Migration):
    dependencies = [
        ("testing", "0002_job_failure_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="notice_types",
            field=models.JSONField(
                blank=True, default=list, verbose_name="通报问题类型 Notice problem types"
            ),
        ),
        migrations.RunPython(fill_notice_types, migrations.RunPython.noop),
    ]
