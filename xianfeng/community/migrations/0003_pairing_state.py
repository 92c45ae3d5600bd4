"""A townsman pairing gets a workflow state (结对中 / 已结束结对) in place of the ``active``
flag; rows and their history keep what they said."""

import django_fsm
from django.db import migrations, models

STATE = dict(
    choices=[("active", "结对中"), ("ended", "已结束结对")],
    db_index=True,
    default="active",
    max_length=8,
    verbose_name="结对状态",
)


def forwards(apps, schema_editor):
    for name in ("Townsman", "HistoricalTownsman"):
        model = apps.get_model("community", name)
        model.objects.filter(active=False).update(state="ended")


def backwards(apps, schema_editor):
    for name in ("Townsman", "HistoricalTownsman"):
        model = apps.get_model("community", name)
        model.objects.filter(state="ended").update(active=False)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_content_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicaltownsman", name="state", field=django_fsm.FSMField(**STATE)
        ),
        migrations.AddField(
            model_name="townsman", name="state", field=django_fsm.FSMField(**STATE)
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveConstraint(model_name="townsman", name="townsman_once_per_member"),
        migrations.RemoveField(model_name="historicaltownsman", name="active"),
        migrations.RemoveField(model_name="townsman", name="active"),
        migrations.AlterModelOptions(
            name="townsman",
            options={
                "ordering": ["state", "name", "id"],
                "verbose_name": "结对老乡",
                "verbose_name_plural": "结对老乡",
            },
        ),
        migrations.AddConstraint(
            model_name="townsman",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "active")),
                fields=("member", "name", "phone"),
                name="townsman_once_per_member",
            ),
        ),
    ]
