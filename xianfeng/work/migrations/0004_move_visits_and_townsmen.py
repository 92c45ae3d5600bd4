"""Visits, photos and household responsibility now belong to ``visits``, townsmen and their
contacts to ``community`` (their ``0001``): drop them from this app's state. The tables stay
(the new apps use them through ``Meta.db_table``), so no data moves and nothing is lost."""

from django.db import migrations

MOVED = [
    # Models pointing at other moved models go first.
    "TownsmanContact",
    "HistoricalTownsman",
    "Townsman",
    "Photo",
    "HistoricalHouseholdResponsibility",
    "HouseholdResponsibility",
    "Visit",
]


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0003_townsmen"),
        ("visits", "0001_initial"),
        ("community", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
            database_operations=[],
        )
    ]
