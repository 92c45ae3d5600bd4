"""Duty records written before the ledger had one vocabulary take the declared codes."""

from django.db import migrations

RENAMES = {
    "member_report_accept": "member.report_accept",
    "member_flow_in": "member.flow_in",
    "member_transfer_approve_out": "member.transfer_approve_out",
    "member_transfer_approve_in": "member.transfer_approve_in",
    "member_lost_search": "member.lost_search",
    "member_make_full": "member.make_full",
}


def forwards(apps, schema_editor):
    records = apps.get_model("core", "DutyRecord").objects
    for old, new in RENAMES.items():
        records.filter(action=old).update(action=new)


def backwards(apps, schema_editor):
    records = apps.get_model("core", "DutyRecord").objects
    for old, new in RENAMES.items():
        records.filter(action=new).update(action=old)


class Migration(migrations.Migration):
    dependencies = [("people", "0004_workflow_fields"), ("core", "0005_job_heartbeat")]

    operations = [migrations.RunPython(forwards, backwards)]
