"""On PostgreSQL, an index that serves ``path LIKE 'prefix%'`` whatever the collation."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS orgs_organization_path_prefix "
            "ON orgs_organization (path varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS orgs_organization_path_prefix")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_initial")]
    operations = [migrations.RunPython(create, drop)]
