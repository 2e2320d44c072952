"""Scan jobs get a small copy of their report's SDK versions, ``sdk_versions`` = ``{sdk id: version}``, set by
``ingest_report`` (``testing.models.sdk_version_map``), so the daily early-warning list's "SDK versions with
confirmed findings in many apps" reads one small column per job instead of extracting ``sdks`` from every stored
report (at 50,000 scan jobs that extraction was most of the page's time, and real reports are large and
TOASTed: ``bench/results/*-platform-volume-*``). This migration fills it for existing jobs in batches; reversing
drops the column.
"""

from django.db import migrations, models


def fill_sdk_versions(apps, schema_editor):
    from appwarden.platform.testing.models import sdk_version_map

    ScanJob = apps.get_model("testing", "ScanJob")
    last = 0
    while True:
        rows = list(
            ScanJob.objects.filter(pk__gt=last, report__has_key="sdks")
            .order_by("pk")
            .values_list("pk", "report__sdks")[:1000]
        )
        if not rows:
            break
        changed = [ScanJob(pk=pk, sdk_versions=sdk_version_map({"sdks": sdks})) for pk, sdks in rows]
        ScanJob.objects.bulk_update([j for j in changed if j.sdk_versions], ["sdk_versions"], batch_size=500)
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("testing", "0004_job_screening"),
    ]

    operations = [
        migrations.AddField(
            model_name="scanjob",
            name="sdk_versions",
            field=models.JSONField(blank=True, default=dict, verbose_name="SDK版本 SDK versions"),
        ),
        migrations.RunPython(fill_sdk_versions, migrations.RunPython.noop),
    ]
