"""Before a zone's name becomes unique within its organization: the second and later zones of
the same name in one organization get a suffix（2）,（3）…, oldest first, and the rename is kept
in each zone's history. Nothing else changes; reversing leaves the new names as they are."""

from collections import defaultdict

from django.db import migrations
from django.utils import timezone

MAX_NAME = 100
REASON = "迁移：同一党组织下责任区重名，名称后加序号"


def rename_duplicates(apps, schema_editor):
    Zone = apps.get_model("places", "ResponsibilityZone")
    History = apps.get_model("places", "HistoricalResponsibilityZone")
    HistoryMembers = apps.get_model("places", "HistoricalResponsibilityZone_members")
    HistoryBuildings = apps.get_model("places", "HistoricalResponsibilityZone_buildings")
    names = defaultdict(list)
    for pk, org, name in Zone.objects.order_by("id").values_list("id", "organization_id", "name"):
        names[(org, name)].append(pk)
    taken = set(names)
    now = timezone.now()
    copied = [f.attname for f in Zone._meta.concrete_fields]
    for (org, name), ids in names.items():
        n = 1
        for pk in ids[1:]:
            while True:
                n += 1
                suffix = f"（{n}）"
                new_name = name[: MAX_NAME - len(suffix)] + suffix
                if (org, new_name) not in taken:
                    break
            taken.add((org, new_name))
            Zone.objects.filter(pk=pk).update(name=new_name, updated_at=now)
            zone = Zone.objects.get(pk=pk)
            record = History.objects.create(
                **{attname: getattr(zone, attname) for attname in copied},
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
                history_user=None,
            )
            HistoryMembers.objects.bulk_create(
                HistoryMembers(history=record, responsibilityzone_id=pk, partymember_id=m)
                for m in zone.members.values_list("pk", flat=True)
            )
            HistoryBuildings.objects.bulk_create(
                HistoryBuildings(history=record, responsibilityzone_id=pk, building_id=b)
                for b in zone.buildings.values_list("pk", flat=True)
            )


class Migration(migrations.Migration):
    dependencies = [("places", "0002_care_tags")]
    operations = [migrations.RunPython(rename_duplicates, migrations.RunPython.noop)]
