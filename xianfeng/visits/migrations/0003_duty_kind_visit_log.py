"""Visits written to the ledger as "visit" before the ledger had one vocabulary become
"visit.log"."""

from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("core", "DutyRecord").objects.filter(action="visit").update(action="visit.log")


def backwards(apps, schema_editor):
    apps.get_model("core", "DutyRecord").objects.filter(action="visit.log").update(action="visit")


class Migration(migrations.Migration):
    dependencies = [("visits", "0002_content_types"), ("core", "0005_job_heartbeat")]

    operations = [migrations.RunPython(forwards, backwards)]
