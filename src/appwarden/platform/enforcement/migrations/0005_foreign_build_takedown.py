"""A 不良APP takedown case of a build signed by another key (docs/platform.md "Builds signed by another key"):
``RectificationOrder.foreign_build``; a ``TakedownOrder`` names its store directly (filled from the listing for
existing rows) and may have no listing (the counterfeit build a store submitted in a pre-listing check, whose
``prelisting_check`` it names), so confirming it never takes down the genuine app's listing."""

import django.db.models.deletion
from django.db import migrations, models


def fill_store(apps, schema_editor):
    TakedownOrder = apps.get_model("enforcement", "TakedownOrder")
    for pk, store in TakedownOrder.objects.values_list("pk", "listing__store_id").iterator():
        TakedownOrder.objects.filter(pk=pk).update(store_id=store)


class Migration(migrations.Migration):
    dependencies = [
        ("enforcement", "0004_notice_scope"),
        ("prelisting", "0001_initial"),
        ("registry", "0002_version_signer_relation"),
    ]

    operations = [
        migrations.AddField(
            model_name="rectificationorder",
            name="foreign_build",
            field=models.BooleanField(
                default=False, verbose_name="仿冒/非该应用签名的构建 Build of another signer"
            ),
        ),
        migrations.AddField(
            model_name="takedownorder",
            name="store",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="takedowns",
                to="registry.store",
            ),
        ),
        migrations.RunPython(fill_store, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="takedownorder",
            name="store",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="takedowns", to="registry.store"
            ),
        ),
        migrations.AlterField(
            model_name="takedownorder",
            name="listing",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="takedowns",
                to="registry.storelisting",
            ),
        ),
        migrations.AddField(
            model_name="takedownorder",
            name="prelisting_check",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="prelisting.prelistingcheck",
            ),
        ),
        migrations.AlterUniqueTogether(name="takedownorder", unique_together={("order", "store")}),
    ]
