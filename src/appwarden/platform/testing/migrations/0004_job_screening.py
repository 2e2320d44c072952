"""Scan jobs get indexed copies of their report's 不良APP screening verdict and categories (issue #23).

``screening_verdict`` (``harmful`` / ``suspicious`` / ``none``, ``""`` when the report has no evaluated screening
section) and ``screening_categories`` are set by ``ingest_report``; the early-warning view (``/early-warning/``)
filters on the indexed verdict without decoding reports. This migration fills both for existing jobs from their
stored report's ``screening`` section, through the same function ingest uses
(``testing.models.screening_fields``). Reversing drops the columns.
"""

from django.db import migrations, models


def fill_screening(apps, schema_editor):
    from appwarden.platform.testing.models import screening_fields

    ScanJob = apps.get_model("testing", "ScanJob")
    rows = ScanJob.objects.filter(report__has_key="screening").values_list("id", "report__screening")
    for pk, section in rows.iterator():
        verdict, categories = screening_fields({"screening": section})
        if verdict:
            ScanJob.objects.filter(pk=pk).update(screening_verdict=verdict, screening_categories=categories)


class Migration(migrations.Migration):
    dependencies = [
        ("testing", "0003_finding_notice_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="scanjob",
            name="screening_verdict",
            field=models.CharField(
                blank=True,
                choices=[
                    ("harmful", "有害 Harmful"),
                    ("suspicious", "可疑 Suspicious"),
                    ("none", "未发现 None"),
                ],
                db_index=True,
                max_length=12,
                verbose_name="不良APP筛查 Screening verdict",
            ),
        ),
        migrations.AddField(
            model_name="scanjob",
            name="screening_categories",
            field=models.JSONField(blank=True, default=list, verbose_name="不良APP类别 Screening categories"),
        ),
        migrations.RunPython(fill_screening, migrations.RunPython.noop),
    ]
