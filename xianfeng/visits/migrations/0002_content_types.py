"""Content types follow the moved models: the rows of ``work.visit`` and the others are
relabelled ``visits.*`` (same ids), so generic relations that point at them — the duty ledger
(``core.DutyRecord``), permissions, admin log — keep working. Reversible."""

from django.db import migrations

MODELS = ["visit", "photo", "householdresponsibility", "historicalhouseholdresponsibility"]


def relabel(old: str, new: str):
    def run(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        types = ContentType.objects.using(db)
        for model in MODELS:
            if not types.filter(app_label=old, model=model).exists():
                continue  # a fresh database: post_migrate creates the new ones
            # A row made for the new label by an earlier, partial migrate is a duplicate of the
            # old one that everything points at: drop it and keep the old row's id.
            types.filter(app_label=new, model=model).delete()
            types.filter(app_label=old, model=model).update(app_label=new)
        ContentType.objects.clear_cache()

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("visits", "0001_initial"),
        ("work", "0004_move_visits_and_townsmen"),
    ]

    operations = [migrations.RunPython(relabel("work", "visits"), relabel("visits", "work"))]
