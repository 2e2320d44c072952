"""App versions record how their signer relates to the app's established signers, ``signer_relation`` (own /
rotated / foreign / unknown; docs/platform.md "Builds signed by another key"), set by ``ingest_report``. This
migration judges the existing versions the way ingest would have, oldest first per app: the first version with a
signer establishes it, a later one is ``own`` when its signer is established, ``rotated`` when its newest finished
scan's verified v3 lineage leads from an established signer, else ``foreign``; a version without a signer is
``unknown``. A version with a rectification order (not a 不良APP takedown case) stays ``own``: the order already
names it as the company's. Only apps whose versions have more than one signer are read one by one. Reversing drops
the column.
"""

from django.db import migrations, models
from django.db.models import Count


def judge_versions(apps, schema_editor):
    from appwarden.platform.enforcement.identity import attribution, report_lineage

    AppVersion = apps.get_model("registry", "AppVersion")
    ScanJob = apps.get_model("testing", "ScanJob")
    Order = apps.get_model("enforcement", "RectificationOrder")
    AppVersion.objects.filter(signer_sha256="").update(signer_relation="unknown")
    mixed = list(
        AppVersion.objects.exclude(signer_sha256="")
        .values("app_id")
        .annotate(n=Count("signer_sha256", distinct=True))
        .filter(n__gt=1)
        .order_by()
        .values_list("app_id", flat=True)
    )
    for app_id in mixed:
        known: list[str] = []
        ordered = set(
            Order.objects.filter(app_version__app_id=app_id)
            .exclude(transitions__name="harmful_takedown")
            .values_list("app_version_id", flat=True)
        )
        for pk, signer in (
            AppVersion.objects.filter(app_id=app_id)
            .exclude(signer_sha256="")
            .order_by("first_seen", "id")
            .values_list("pk", "signer_sha256")
        ):
            lineage: list[str] = []
            if known and signer not in known:
                lineage = report_lineage(
                    ScanJob.objects.filter(app_version_id=pk, status="done")
                    .order_by("-finished_at", "-id")
                    .values_list("report__app", flat=True)
                    .first()
                )
            relation = "own" if pk in ordered else attribution(known, [signer], lineage)
            if relation != "foreign" and signer not in known:
                known.append(signer)
            if relation != "own":
                AppVersion.objects.filter(pk=pk).update(signer_relation=relation)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
        ("testing", "0005_job_sdk_versions"),
        ("enforcement", "0004_notice_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="appversion",
            name="signer_relation",
            field=models.CharField(
                choices=[
                    ("own", "该应用签名 App's own signer"),
                    ("rotated", "已验证的密钥轮换 Verified key rotation"),
                    ("foreign", "签名与该应用不一致 Another signer"),
                    ("unknown", "无签名 No signer"),
                ],
                db_index=True,
                default="own",
                max_length=8,
                verbose_name="签名归属 Signer relation",
            ),
        ),
        migrations.RunPython(judge_versions, migrations.RunPython.noop),
    ]
