"""Fewer indexes to write on every person inserted (issue 11, imports at the speed of the reader).

On PostgreSQL Django gives every indexed text column a second ``varchar_pattern_ops`` index for
``LIKE 'x%'``. On the blind indexes (an HMAC in hex, only ever compared whole) and on the history
table's copies of them nobody searches by prefix, and ``name_initials`` had two identical ones
(Django's and 0007's ``person_initials_prefix``). A 100,000-member import wrote each of them
100,000 times. The plain B-tree indexes stay. SQLite has none of these."""

from django.db import migrations

# (table, column): Django's implicit "_like" index on that column, which nothing uses.
LIKE_INDEXES = [
    ("people_person", "id_number_index"),
    ("people_person", "mobile_index"),
    ("people_historicalperson", "id_number_index"),
    ("people_historicalperson", "mobile_index"),
    ("people_historicalperson", "name_initials"),
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in LIKE_INDEXES:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
    # The same index as Django's people_person name_initials "_like" one.
    schema_editor.execute("DROP INDEX IF EXISTS person_initials_prefix")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table, column in LIKE_INDEXES:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(name)} "
            f"ON {quote(table)} ({quote(column)} varchar_pattern_ops)"
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_initials_prefix "
        "ON people_person (name_initials varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("people", "0007_person_search_indexes")]

    operations = [migrations.RunPython(forward, backward)]
