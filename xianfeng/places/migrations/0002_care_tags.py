from django.db import migrations

TAGS = [
    ("extreme_poverty", "特困户"),
    ("disabled", "残疾人"),
    ("lonely_elder", "孤老"),
    ("military_family", "军烈属"),
    ("laid_off", "下岗职工"),
]


def add_tags(apps, schema_editor):
    CareTag = apps.get_model("places", "CareTag")
    for code, name in TAGS:
        CareTag.objects.get_or_create(code=code, defaults={"name": name})


def remove_tags(apps, schema_editor):
    apps.get_model("places", "CareTag").objects.filter(code__in=[c for c, _ in TAGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]
    operations = [migrations.RunPython(add_tags, remove_tags)]
