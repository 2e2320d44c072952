"""ForwardAnswer.deadline: the forward's deadline when the answer came in (逾期提交 is judged against it).

Existing answers get the forward's current deadline when it was set before them, i.e. when the forward was not sent
back after the answer (sending back sets a new deadline); the others keep null (the deadline then is not known,
and they are not marked late)."""

from django.db import migrations, models


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    answer_model = apps.get_model("complaints", "ForwardAnswer")
    transition_model = apps.get_model("complaints", "ForwardTransition")
    for ans in answer_model.objects.filter(deadline__isnull=True).select_related("forward").iterator():
        sent_back_after = transition_model.objects.filter(
            forward_id=ans.forward_id, name="send_back", at__gt=ans.at
        ).exists()
        if not sent_back_after:
            answer_model.objects.filter(pk=ans.pk).update(deadline=ans.forward.deadline)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_forwarding"),
    ]

    operations = [
        migrations.AddField(
            model_name="forwardanswer",
            name="deadline",
            field=models.DateField(blank=True, null=True, verbose_name="答复截止 Deadline then"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
