"""The contact log groups one person's looks at one order by one way on one local day into one
row with a count and the last time (issue 13): the new columns, the rows already written
filled in and merged (the day's first row keeps its time and takes the others' count and
last time), then (0006, its own transaction: PostgreSQL will not alter a table with the data step's
trigger events pending) one row a day is a constraint."""

from django.db import migrations, models
from django.utils import timezone


def group_existing(apps, schema_editor):
    ContactAccess = apps.get_model("services", "ContactAccess")
    kept: dict[tuple, object] = {}
    merged: list[int] = []
    for row in ContactAccess.objects.order_by("at", "id").iterator():
        day = timezone.localdate(row.at)
        key = (row.user_id, row.order_id, row.channel, row.fields, day)
        first = kept.get(key)
        if first is None:
            row.day, row.last_at, row.count = day, row.at, 1
            kept[key] = row
        else:
            first.count += 1
            first.last_at = row.at
            merged.append(row.pk)
    for row in kept.values():
        ContactAccess.objects.filter(pk=row.pk).update(
            day=row.day, last_at=row.last_at, count=row.count
        )
    ContactAccess.objects.filter(pk__in=merged).delete()


def split_nothing(apps, schema_editor):
    """Going back keeps the grouped rows as they are (each the day's first look)."""


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0004_service_provider_name_public"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactaccess",
            name="count",
            field=models.PositiveIntegerField(default=1, verbose_name="查看次数"),
        ),
        migrations.AddField(
            model_name="contactaccess",
            name="day",
            field=models.DateField(
                null=True,
                help_text="首次查看的当地日期：同一天的查看合为一行",
                verbose_name="日期",
            ),
        ),
        migrations.AddField(
            model_name="contactaccess",
            name="last_at",
            field=models.DateTimeField(null=True, verbose_name="最后查看时间"),
        ),
        migrations.RunPython(group_existing, split_nothing),
    ]
