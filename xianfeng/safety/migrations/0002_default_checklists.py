"""Default checklists (检查表) for every place kind, version 1 (``xianfeng/safety/defaults.py``).
The district revises them on the checklist page (a new version each time); reversing removes
version 1 only while no inspection uses it."""

from django.db import migrations

from xianfeng.safety.defaults import create_default_checklists


def create(apps, schema_editor):
    create_default_checklists(
        apps.get_model("safety", "ChecklistTemplate"), apps.get_model("safety", "ChecklistItem")
    )


def remove(apps, schema_editor):
    Template = apps.get_model("safety", "ChecklistTemplate")
    Template.objects.filter(version=1, inspections__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
