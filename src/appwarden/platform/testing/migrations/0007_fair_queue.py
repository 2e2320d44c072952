"""The fair queue (testing/fairq.py): ``ScanJob.party`` (who the job is for) and ``claim_token`` (the Celery token
that claimed it), the two indexes of the claim query, and ``party`` filled for the jobs already there: re-tests and
complaint scans ``deadline``, pre-listing checks ``store:<id>``, jobs queued by a company / SDK vendor / store
account ``company:<id>`` / ``vendor:<id>`` / ``store:<id>``, the rest ``staff``."""

from django.conf import settings
from django.db import migrations, models


def fill_party(apps, schema_editor):
    ScanJob = apps.get_model("testing", "ScanJob")
    PrelistingCheck = apps.get_model("prelisting", "PrelistingCheck")
    Profile = apps.get_model("core", "Profile")
    ScanJob.objects.filter(purpose__in=("retest", "complaint")).update(party="deadline")
    ordinary = ScanJob.objects.exclude(purpose__in=("retest", "complaint"))
    for role, field, prefix in (
        ("company", "company_id", "company"),
        ("sdk_vendor", "sdk_vendor_id", "vendor"),
        ("store", "store_id", "store"),
    ):
        owners = Profile.objects.filter(role=role, **{f"{field}__isnull": False})
        for owner in owners.values_list(field, flat=True).distinct():
            users = Profile.objects.filter(role=role, **{field: owner}).values("user_id")
            ordinary.filter(created_by_id__in=users).update(party=f"{prefix}:{owner}")
    for store_id in PrelistingCheck.objects.values_list("store_id", flat=True).distinct():
        jobs = PrelistingCheck.objects.filter(store_id=store_id).values("job_id")
        ordinary.filter(pk__in=jobs).update(party=f"store:{store_id}")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_version_signer_relation"),
        ("testing", "0006_screening_review"),
        ("prelisting", "0001_initial"),
        ("core", "0003_profile_sdk_vendor"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="scanjob",
            name="claim_token",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.AddField(
            model_name="scanjob",
            name="party",
            field=models.CharField(default="staff", max_length=40, verbose_name="排队方 Queue party"),
        ),
        migrations.AddIndex(
            model_name="scanjob",
            index=models.Index(fields=["status", "party", "id"], name="scanjob_queue_party"),
        ),
        migrations.AddIndex(
            model_name="scanjob",
            index=models.Index(fields=["party", "started_at"], name="scanjob_party_started"),
        ),
        migrations.RunPython(fill_party, migrations.RunPython.noop),
    ]
