"""The yearly report's snapshot table (``web.YearlySnapshot``, ``web/yearly.py: cached_stats``)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="YearlySnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateField()),
                ("end", models.DateField()),
                ("computed_at", models.DateTimeField()),
                ("seconds", models.FloatField(default=0.0)),
                ("data", models.JSONField(default=dict)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("start", "end"), name="yearly_snapshot_period")
                ],
            },
        ),
    ]
