"""The leaf hash of each log entry and the stored complete subtrees (``TreeNode``), backfilled from the existing
leaves in index order, streaming (bounded memory): the same tree the leaves make, so the same roots."""

from django.db import migrations, models

BATCH = 2000


def backfill(apps, schema_editor):
    from appwarden.attest import merkle
    from appwarden.platform.attestation.tree import Builder

    LogEntry = apps.get_model("attestation", "LogEntry")
    TreeNode = apps.get_model("attestation", "TreeNode")
    builder = Builder()
    entries, nodes = [], []

    def flush():
        LogEntry.objects.bulk_update(entries, ["leaf_hash"], batch_size=BATCH)
        TreeNode.objects.bulk_create(nodes, batch_size=BATCH)
        entries.clear()
        nodes.clear()

    rows = LogEntry.objects.order_by("index").only("id", "index", "body")
    for entry in rows.iterator(chunk_size=BATCH):
        if entry.index != builder.size:
            raise RuntimeError(f"attestation log: entry {builder.size} is missing (found {entry.index} next)")
        leaf = merkle.leaf_hash(bytes(entry.body))
        entry.leaf_hash = leaf.hex()
        entries.append(entry)
        for (level, index), h in builder.push(leaf).items():
            nodes.append(TreeNode(level=level, index=index, hash=h.hex()))
        if len(entries) >= BATCH:
            flush()
    flush()


class Migration(migrations.Migration):
    dependencies = [
        ("attestation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="logentry",
            name="leaf_hash",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.CreateModel(
            name="TreeNode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("level", models.PositiveSmallIntegerField()),
                ("index", models.PositiveBigIntegerField()),
                ("hash", models.CharField(max_length=64)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("level", "index"), name="attest_treenode_level_index")
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
