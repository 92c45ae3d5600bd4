import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """An order may be dispatched to a community's team (community.Team): its leader receives
    it. Reversible (the column is dropped)."""

    dependencies = [
        ("community", "0005_teams"),
        ("services", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalorder",
            name="team",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="community.team",
                verbose_name="接单队伍",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="orders",
                to="community.team",
                verbose_name="接单队伍",
            ),
        ),
    ]
