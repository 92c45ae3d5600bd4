"""Landlord-declaration reviews, written as one kind before, become accept and reject."""

from django.db import migrations

OLD = "landlord_declaration_review"


def forwards(apps, schema_editor):
    records = apps.get_model("core", "DutyRecord").objects.filter(action=OLD)
    records.filter(note="退回").update(action="declaration.reject")
    records.update(action="declaration.accept")


def backwards(apps, schema_editor):
    records = apps.get_model("core", "DutyRecord").objects
    records.filter(action__in=["declaration.accept", "declaration.reject"]).update(action=OLD)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0002_background_exports"), ("core", "0005_job_heartbeat")]

    operations = [migrations.RunPython(forwards, backwards)]
