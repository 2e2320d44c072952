"""A yearly snapshot remembers the audit log's last row id when it was computed (``yearly.data_mark``), so a
snapshot taken before later changes (e.g. zeros at a fresh server's start) is never served as current."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("web", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="yearlysnapshot",
            name="data_mark",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
